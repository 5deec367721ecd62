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

/** One label of a series: name matches [a-zA-Z_][a-zA-Z0-9_]* (no leading "__", not "le",
 *  which histograms use); any value (escaped when rendered). Both are copied. */
typedef struct cw_metric_label {
    const char *name, *value;
} cw_metric_label_t;

/** Registers the series of `def` with `labels` (in the order given; nlabels 0: none), owned by
 *  `owner`, or returns the one `owner` registered before with the same labels. The same
 *  errors as cw_metrics_register, and a bad or repeated label name, except that a gauge may
 *  end in _count, _sum or _bucket (Kafka's task-count, partition-count...) as long as no
 *  histogram's samples carry the name. For the worker's own metrics; plugins go through
 *  cw_metrics_register and its stricter rules. Thread-safe. */
cw_metric_t *cw_metrics_register_labels(cw_metrics_t *m, const void *owner,
                                        const cw_metric_def_t *def, const cw_metric_label_t *labels,
                                        size_t nlabels, char *errstr, size_t errstr_size);

/** A counter or gauge whose value is read when rendered: fn(arg), called under the registry's
 *  lock (it must not call the registry, and must only read what it can read from any thread,
 *  e.g. atomics). `arg` must stay valid until the series is released. Thread-safe. */
typedef double (*cw_metric_read_fn)(const void *arg);
cw_metric_t *cw_metrics_register_read(cw_metrics_t *m, const void *owner,
                                      const cw_metric_def_t *def, const cw_metric_label_t *labels,
                                      size_t nlabels, cw_metric_read_fn fn, const void *arg,
                                      char *errstr, size_t errstr_size);

/** Frees one series (its handle becomes invalid; its updates must have stopped) and its family
 *  when no series is left. NULL is a no-op. Thread-safe. */
void cw_metrics_unregister(cw_metrics_t *m, cw_metric_t *s);

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
/** The current value of a counter or gauge (a histogram's sum); 0 for NULL. Lock-free. */
double cw_metric_value(const cw_metric_t *s);
/** Core only: a counter copied from a cumulative source (librdkafka's statistics): set to
 *  `value`, unless that is below the current value (a counter never goes down). Lock-free. */
void cw_metric_set_total(cw_metric_t *s, double value);

/* --- collectors ---------------------------------------------------------------------------
 * Values that follow from live state (tasks by state, process memory) are not updated as
 * they change: a collector computes them each time the registry is rendered. A collector
 * calls cw_metrics_collect for every sample it has; a series it no longer sets disappears
 * from the output (a deleted connector's counts go with it).
 *
 * Threads and locks: collectors run inside cw_metrics_render, one render at a time, before
 * the registry's own lock is taken (cw_metrics_collect takes it for each sample). A collector
 * may so take its own lock (the herder's state lock) even when the holder of that lock
 * registers or releases metrics meanwhile: the order is always render -> collector's lock ->
 * registry lock, never the other way. */
typedef struct cw_metrics_collect cw_metrics_collect_t;
typedef void (*cw_metrics_collector_fn)(cw_metrics_collect_t *c, void *opaque);

/** Adds a collector, called by every render from now on. Returns 0, -1 when out of memory. */
int cw_metrics_collector_add(cw_metrics_t *m, cw_metrics_collector_fn fn, void *opaque);
/** Removes the collector (fn, opaque) and its series. Waits for a render running it. */
void cw_metrics_collector_remove(cw_metrics_t *m, cw_metrics_collector_fn fn, void *opaque);

/** Inside a collector: sets the sample of counter or gauge `def` with `labels` to `value`
 *  (the series is created the first time). A definition or label the registry refuses is
 *  skipped (collectors use static definitions, checked by the unit tests). */
void cw_metrics_collect(cw_metrics_collect_t *c, const cw_metric_def_t *def,
                        const cw_metric_label_t *labels, size_t nlabels, double value);

/** Runs the collectors, then writes every family (in registration order) with its series,
 *  in the Prometheus text format.
 *  Returns a malloc'd NUL-terminated string (*len its length when len is not NULL), NULL
 *  when out of memory. Thread-safe, also while updates run: each sample is read atomically,
 *  and a histogram's +Inf bucket and _count are the sum of the bucket counts as read, so
 *  they always agree. */
char *cw_metrics_render(cw_metrics_t *m, size_t *len);

/** Writes cw_metrics_render to `path` (replacing it). Returns 0, or -1 with errstr naming
 *  the file. */
int cw_metrics_write_file(cw_metrics_t *m, const char *path, char *errstr, size_t errstr_size);
#endif
