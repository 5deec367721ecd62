/* The metrics registry: counters, gauges and histograms that plugins register through
 * cw_host_t.metric_* (labelled with their connector and task), rendered in the Prometheus
 * text exposition format (version 0.0.4) for --metrics-file and the REST server.
 *
 * Threads: registration, release and rendering take the registry's lock; updates
 * (cw_metric_add/set/observe) take none: each is one atomic operation (a compare-and-swap
 * loop for a double) on the series, so the hot path never waits. */
#ifndef CW_METRICS_H
#define CW_METRICS_H
#include <stddef.h>
#include "connect-worker/plugin.h"

typedef struct cw_metrics cw_metrics_t;

/** A new, empty registry. NULL when out of memory. */
cw_metrics_t *cw_metrics_new(void);
/** Frees the registry and every series left in it. Nothing may use it any more. */
void cw_metrics_free(cw_metrics_t *m);

/** Checks `name` against Prometheus' rules ([a-zA-Z_][a-zA-Z0-9_]*, no leading "__", no
 *  ':'). Returns 0, or -1 with errstr quoting the name and the first bad character. */
int cw_metrics_name_check(const char *name, char *errstr, size_t errstr_size);

/** Registers the series of `def` labelled connector/task, owned by `owner` (the task's
 *  cw_ctx_t), or returns the one `owner` registered before under that name (kind and
 *  buckets must match). NULL with errstr naming the metric when the definition breaks a
 *  rule (name, kind, help, buckets, suffix conventions: see plugin.h), clashes with an
 *  earlier registration, or on out of memory. Thread-safe. */
cw_metric_t *cw_metrics_register(cw_metrics_t *m, const void *owner, const char *connector,
                                 int task, const cw_metric_def_t *def, char *errstr,
                                 size_t errstr_size);

/** Frees every series `owner` registered (their handles become invalid) and the families
 *  left without series. Thread-safe against register and render; the owner's updates must
 *  have stopped. */
void cw_metrics_release(cw_metrics_t *m, const void *owner);

/** Updates (see cw_host_t.metric_add/set/observe): lock-free, any thread, NULL is a no-op,
 *  an update that does not fit the kind is ignored. */
void cw_metric_add(cw_metric_t *s, double delta);
void cw_metric_set(cw_metric_t *s, double value);
void cw_metric_observe(cw_metric_t *s, double value);

/** Every family (in registration order) with its series, in the Prometheus text format.
 *  Returns a malloc'd NUL-terminated string (*len its length when len is not NULL), NULL
 *  when out of memory. Thread-safe, also while updates run: each sample is read atomically,
 *  and a histogram's +Inf bucket and _count are the sum of the bucket counts as read, so
 *  they always agree. */
char *cw_metrics_render(cw_metrics_t *m, size_t *len);

/** Writes cw_metrics_render to `path` (replacing it). Returns 0, or -1 with errstr naming
 *  the file. */
int cw_metrics_write_file(cw_metrics_t *m, const char *path, char *errstr, size_t errstr_size);
#endif
