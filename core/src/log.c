/* Worker logging: one formatted line per call, written with a single write(2). */
#include "log.h"

#include "connect-worker/sdk_redact.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A connector name longer than this is cut in the line prefix (names are bounded at
 * validation, but a line may be logged before that: the name must never hide the message). */
#define CW_LOG_NAME_MAX 200
/* A message longer than this keeps its head and tail, with the cut said in between. */
#define CW_LOG_MESSAGE_MAX 65536

static void write_all(const char *s, size_t n) {
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(STDERR_FILENO, s + off, n - off);
        if (w <= 0) break; /* nowhere to report a failing stderr */
        off += (size_t)w;
    }
}

void cw_vlog(const char *connector, int task, cw_log_level_t level, const char *fmt, va_list ap) {
    if ((int)level > atomic_load(&cw_log_level_current)) return;

    char head[CW_LOG_NAME_MAX + 128];
    size_t n = 0;
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n += strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(head + n, sizeof head - n, ".%03ldZ %s ", ts.tv_nsec / 1000000L,
                          level_label(level));
    if (connector) {
        size_t len = strlen(connector);
        int shown = (int)(len > CW_LOG_NAME_MAX ? CW_LOG_NAME_MAX : len);
        const char *more = len > CW_LOG_NAME_MAX ? "..." : "";
        if (task >= 0)
            n += (size_t)snprintf(head + n, sizeof head - n, "[%.*s%s/%d] ", shown, connector, more,
                                  task);
        else
            n += (size_t)snprintf(head + n, sizeof head - n, "[%.*s%s] ", shown, connector, more);
        if (n >= sizeof head) n = sizeof head - 1;
    }

    /* The message on the stack when it fits (nearly always), else on the heap. */
    char stack[8192];
    char *msg = stack;
    va_list copy;
    va_copy(copy, ap);
    int m = vsnprintf(stack, sizeof stack, fmt, ap);
    if (m < 0) m = 0;
    if ((size_t)m >= sizeof stack) {
        msg = malloc((size_t)m + 1);
        if (msg) {
            vsnprintf(msg, (size_t)m + 1, fmt, copy);
        } else { /* out of memory: what fitted on the stack */
            msg = stack;
            m = (int)strlen(stack);
        }
    }
    va_end(copy);
    size_t len = (size_t)m;
    /* Credentials inside URLs never reach the log, whoever formatted the line. */
    cw_sdk_buf_t clean = {0};
    int hidden = cw_sdk_redact_credentials(msg, len, &clean);
    if (hidden > 0) {
        if (msg != stack) free(msg);
        msg = cw_sdk_buf_detach(&clean, &len);
    } else if (hidden < 0) { /* out of memory: print nothing of the message rather than it */
        cw_sdk_buf_free(&clean);
        len = 0;
    }
    while (len > 0 && msg[len - 1] == '\n') len--; /* callers sometimes add their own */

    /* One write(2) per line, so that lines of different threads never interleave. */
    size_t keep_tail = 1024, cut = len > CW_LOG_MESSAGE_MAX ? len - CW_LOG_MESSAGE_MAX : 0;
    char note[96] = "";
    if (cut) snprintf(note, sizeof note, " [... %zu bytes cut ...] ", cut);
    size_t body = len - cut, nlen = strlen(note);
    char *line = malloc(n + body + nlen + 1);
    if (!line) {
        write_all(head, n);
        write_all(msg, len > 4096 ? 4096 : len);
        write_all("\n", 1);
    } else {
        size_t k;
        memcpy(line, head, n);
        k = n;
        if (cut) {
            memcpy(line + k, msg, body - keep_tail);
            k += body - keep_tail;
            memcpy(line + k, note, nlen);
            k += nlen;
            memcpy(line + k, msg + len - keep_tail, keep_tail);
            k += keep_tail;
        } else {
            memcpy(line + k, msg, len);
            k += len;
        }
        line[k++] = '\n';
        write_all(line, k);
        free(line);
    }
    if (msg != stack) free(msg);
}

void cw_log(const char *connector, int task, cw_log_level_t level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    cw_vlog(connector, task, level, fmt, ap);
    va_end(ap);
}
