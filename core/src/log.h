/* Worker logging: one line per event with UTC time, level, connector and task. */
#ifndef CW_LOG_H
#define CW_LOG_H
#include <stdarg.h>
#include "connect-worker/plugin.h"

/** Lines above this level are dropped. Default CW_LOG_INFO. Thread-safe. */
void cw_log_set_level(cw_log_level_t level);
cw_log_level_t cw_log_get_level(void);
/** Parses error|warn|info|debug|trace (case-insensitive; Kafka's WARNING/FATAL accepted).
 *  Returns 0 on success, -1 when unknown. */
int cw_log_level_parse(const char *text, cw_log_level_t *level);

/** Writes one line to stderr: `2026-11-21T04:12:48.123Z INFO  [connector/task] message`.
 *  connector may be NULL (worker-level line); task < 0 omits the task. One write(2) per
 *  line, so lines of different threads never interleave. */
void cw_log(const char *connector, int task, cw_log_level_t level, const char *fmt, ...)
    CW_PRINTF(4, 5);
void cw_vlog(const char *connector, int task, cw_log_level_t level, const char *fmt, va_list ap);

#define cw_log_error(...) cw_log(NULL, -1, CW_LOG_ERROR, __VA_ARGS__)
#define cw_log_warn(...) cw_log(NULL, -1, CW_LOG_WARN, __VA_ARGS__)
#define cw_log_info(...) cw_log(NULL, -1, CW_LOG_INFO, __VA_ARGS__)
#define cw_log_debug(...) cw_log(NULL, -1, CW_LOG_DEBUG, __VA_ARGS__)
#endif
