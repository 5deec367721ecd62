/* Per-connector log levels (beyond Kafka Connect, whose loggers are Java classes): a
 * connector's lines (its tasks, its plugins) can be logged at another level than log.level,
 * set at run time through PUT /admin/loggers/<connector>. Lines without a connector
 * (the worker, librdkafka) keep log.level. */
#ifndef CW_LOG_LEVELS_H
#define CW_LOG_LEVELS_H
#include <stdint.h>

#include "connect-worker/plugin.h"

#define CW_LOG_LEVELS_MAX 256

/** Sets `connector`'s level (copied; a later call replaces it). Returns 0, or -1 when
 *  CW_LOG_LEVELS_MAX connectors have a level already or the name is longer than 255 bytes.
 *  Thread-safe. */
int cw_log_levels_set(const char *connector, cw_log_level_t level);
/** Forgets every connector level (log.level applies to all lines again). Thread-safe. */
void cw_log_levels_clear(void);
/** Is any connector level set? Lock-free: the logging fast path asks it for every line. */
int cw_log_levels_any(void);
/** `connector`'s level, or `fallback` when it has none; *set_ms (when not NULL) receives when
 *  it was set (ms since the epoch). Thread-safe. */
cw_log_level_t cw_log_levels_get(const char *connector, cw_log_level_t fallback, int64_t *set_ms);
/** Calls fn for every connector level, in the order they were first set, under the table's
 *  lock (fn must not set levels). */
void cw_log_levels_foreach(void (*fn)(const char *connector, cw_log_level_t level, int64_t set_ms,
                                      void *opaque),
                           void *opaque);
#endif
