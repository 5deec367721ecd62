/* Log line format, level filter and level names. */
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

static int matches(const char *line, const char *pattern) {
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) return 0;
    int ok = regexec(&re, line, 0, NULL, 0) == 0;
    regfree(&re);
    if (!ok) fprintf(stderr, "line \"%s\" does not match %s\n", line, pattern);
    return ok;
}

/* Issue 18: with a 1 MB connector name every line used to be the name alone (cut at 8190
 * bytes). The name is cut in the prefix; the message stays whole; a huge message keeps its
 * head and tail and says how much was cut. */
static void test_long_fields(void) {
    char path[] = "/tmp/cw-test-log-long-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return;
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    size_t big = 1 << 20;
    char *name = malloc(big + 1);
    memset(name, 'n', big);
    name[big] = '\0';
    char *value = malloc(20001);
    memset(value, 'v', 20000);
    value[20000] = '\0';
    cw_log(name, 0, CW_LOG_ERROR, "the message after a long name");
    cw_log("c", 0, CW_LOG_ERROR, "value %s end-of-message", value);
    cw_log("c", 0, CW_LOG_ERROR, "head %s %s %s %s tail", name, name, "x", "y");
    dup2(saved, STDERR_FILENO);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    char *buf = malloc((size_t)size + 1);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, (size_t)size);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    char *l1 = buf, *l2 = strchr(l1, '\n');
    CHECK(l2 != NULL);
    if (l2) {
        *l2++ = '\0';
        char *l3 = strchr(l2, '\n');
        CHECK(l3 != NULL);
        if (l3) *l3++ = '\0';
        CHECK(strlen(l1) < 400);
        CHECK_CONTAINS(l1, "nnn.../0] the message after a long name");
        CHECK_CONTAINS(l2, "end-of-message");
        CHECK(strlen(l2) > 20000);
        if (l3) {
            CHECK_CONTAINS(l3, "] head nnnn");
            CHECK_CONTAINS(l3, "bytes cut ...]");
            CHECK_CONTAINS(l3, "n x y tail");
            CHECK(strlen(l3) < 70000);
        }
    }
    free(buf);
    free(name);
    free(value);
}

int main(void) {
    char path[] = "/tmp/cw-test-log-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 2;
    }
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);

    CHECK(cw_log_get_level() == CW_LOG_INFO);
    cw_log("s3-sink", 3, CW_LOG_INFO, "wrote %d records", 42);
    cw_log("rds-source", -1, CW_LOG_WARN, "table %s has no key", "users");
    cw_log_error("plain worker line\n"); /* a trailing newline is not doubled */
    cw_log_debug("filtered out at INFO");
    cw_log_set_level(CW_LOG_TRACE);
    cw_log(NULL, -1, CW_LOG_TRACE, "trace now visible");
    cw_log_set_level(CW_LOG_ERROR);
    cw_log_warn("filtered out at ERROR");

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);

    char buf[4096] = "";
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    unlink(path);
    buf[n > 0 ? n : 0] = '\0';

    const char *ts = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z ";
    char *lines[8] = {0};
    int count = 0;
    for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l && count < 8;
         l = strtok_r(NULL, "\n", &save))
        lines[count++] = l;
    CHECK(count == 4);
    char pat[256];
    if (count == 4) {
        snprintf(pat, sizeof pat, "%sINFO  \\[s3-sink/3\\] wrote 42 records$", ts);
        CHECK(matches(lines[0], pat));
        snprintf(pat, sizeof pat, "%sWARN  \\[rds-source\\] table users has no key$", ts);
        CHECK(matches(lines[1], pat));
        snprintf(pat, sizeof pat, "%sERROR plain worker line$", ts);
        CHECK(matches(lines[2], pat));
        snprintf(pat, sizeof pat, "%sTRACE trace now visible$", ts);
        CHECK(matches(lines[3], pat));
    }

    cw_log_level_t level;
    CHECK(cw_log_level_parse("WARNING", &level) == 0 && level == CW_LOG_WARN);
    CHECK(cw_log_level_parse("Fatal", &level) == 0 && level == CW_LOG_ERROR);
    CHECK(cw_log_level_parse("debug", &level) == 0 && level == CW_LOG_DEBUG);
    CHECK(cw_log_level_parse("verbose", &level) == -1);
    CHECK(cw_log_level_parse(NULL, &level) == -1);
    cw_log_set_level(CW_LOG_INFO);
    test_long_fields();
    CHECK_DONE();
}
