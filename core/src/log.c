/* Worker logging: one formatted line per call, written with a single write(2). */
#include "log.h"
#include "log_levels.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static _Atomic int cw_log_level_current = CW_LOG_INFO;

void cw_log_set_level(cw_log_level_t level) { atomic_store(&cw_log_level_current, (int)level); }

cw_log_level_t cw_log_get_level(void) { return (cw_log_level_t)atomic_load(&cw_log_level_current); }

int cw_log_level_parse(const char *text, cw_log_level_t *level) {
    static const struct {
        const char *name;
        cw_log_level_t level;
    } names[] = {
        {"error", CW_LOG_ERROR},  {"fatal", CW_LOG_ERROR}, {"warn", CW_LOG_WARN},
        {"warning", CW_LOG_WARN}, {"info", CW_LOG_INFO},   {"debug", CW_LOG_DEBUG},
        {"trace", CW_LOG_TRACE},
    };
    if (!text) return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(text, names[i].name) == 0) {
            *level = names[i].level;
            return 0;
        }
    }
    return -1;
}

static const char *level_label(cw_log_level_t level) {
    switch (level) {
    case CW_LOG_ERROR: return "ERROR";
    case CW_LOG_WARN: return "WARN ";
    case CW_LOG_INFO: return "INFO ";
    case CW_LOG_DEBUG: return "DEBUG";
    case CW_LOG_TRACE: return "TRACE";
    }
    return "?    ";
}

void cw_vlog(const char *connector, int task, cw_log_level_t level, const char *fmt, va_list ap) {
    int limit = atomic_load(&cw_log_level_current);
    if (connector && cw_log_levels_any()) /* PUT /admin/loggers/<connector> */
        limit = (int)cw_log_levels_get(connector, (cw_log_level_t)limit, NULL);
    if ((int)level > limit) return;

    /* Long enough for any sane line; longer messages are cut, never split over writes. */
    char line[8192];
    size_t n = 0;
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n += strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(line + n, sizeof line - n, ".%03ldZ %s ", ts.tv_nsec / 1000000L,
                          level_label(level));
    if (connector) {
        if (task >= 0)
            n += (size_t)snprintf(line + n, sizeof line - n, "[%s/%d] ", connector, task);
        else
            n += (size_t)snprintf(line + n, sizeof line - n, "[%s] ", connector);
        if (n >= sizeof line) n = sizeof line - 1;
    }
    int m = vsnprintf(line + n, sizeof line - n, fmt, ap);
    if (m > 0) n += (size_t)m;
    if (n > sizeof line - 2) n = sizeof line - 2; /* truncated: keep room for the newline */
    while (n > 0 && line[n - 1] == '\n') n--;     /* callers sometimes add their own */
    line[n++] = '\n';

    size_t off = 0;
    while (off < n) {
        ssize_t w = write(STDERR_FILENO, line + off, n - off);
        if (w <= 0) break; /* nowhere to report a failing stderr */
        off += (size_t)w;
    }
}

void cw_log(const char *connector, int task, cw_log_level_t level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    cw_vlog(connector, task, level, fmt, ap);
    va_end(ap);
}
