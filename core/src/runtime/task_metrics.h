/*
 * Kafka Connect's task metrics (ConnectMetricsRegistry: connector-task-metrics,
 * source-task-metrics, sink-task-metrics, task-error-metrics), named as Strimzi's JMX exporter
 * rules write them (kafka_connect_<group>_<attribute>, '-' as '_'), labelled connector and
 * task. The full table is in core/README.md.
 *
 * Totals are counters; Kafka's windowed averages and maxima (batch-size-avg/max,
 * put-batch-avg-time-ms, ...) are kept as Kafka keeps them, over two samples of 30 s
 * (metrics.sample.window.ms, metrics.num.samples), and read when the registry is rendered. Kafka's
 * per-second *-rate attributes are left out: rate() over the totals is Prometheus' way.
 *
 * Threads: every update is a few atomic operations (no lock, no allocation), from any thread;
 * a NULL cw_task_metrics_t is accepted everywhere (no metrics).
 */
#ifndef CW_RUNTIME_TASK_METRICS_H
#define CW_RUNTIME_TASK_METRICS_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

/** A windowed statistic: average and maximum over the last two 30 s samples. */
typedef struct cw_wsample {
    _Atomic int64_t epoch;  /* which 30 s window the sample holds */
    _Atomic uint64_t count; /* observations */
    _Atomic uint64_t sum;   /* double bits */
    _Atomic uint64_t max;   /* double bits */
} cw_wsample_t;
typedef struct cw_wstat {
    cw_wsample_t s[2];
} cw_wstat_t;

void cw_wstat_record(cw_wstat_t *w, double value);
/** NaN when nothing was recorded in the last two windows (as Kafka's Avg and Max). */
double cw_wstat_avg(const void *w);
double cw_wstat_max(const void *w);

/** Why a record failed (task-error-metrics). */
typedef enum cw_task_error {
    CW_TASK_ERROR_FAILED,   /* a record failed, tolerated or not */
    CW_TASK_ERROR_SKIPPED,  /* tolerated: skipped */
    CW_TASK_ERROR_LOGGED,   /* errors.log.enable wrote it to the log */
    CW_TASK_ERROR_DLQ_SENT, /* handed to the dead letter queue's producer */
    CW_TASK_ERROR_DLQ_FAILED,
    CW_TASK_ERROR_RETRY /* a retriable failure of start, poll or put */
} cw_task_error_t;

typedef struct cw_task_metrics cw_task_metrics_t;

/** Registers the task's metrics (owner: the returned object). `source`: source or sink task.
 *  NULL when m is NULL or out of memory; registration problems are logged. */
cw_task_metrics_t *cw_task_metrics_new(cw_metrics_t *m, const char *connector, int task,
                                       int source);
/** Releases the task's series and frees it. The task's thread must have ended. */
void cw_task_metrics_free(cw_task_metrics_t *tm);
/** A series of the task's (released with it), labelled connector, task and `extra`: for the
 *  statistics of its Kafka clients. NULL with errstr (see cw_metrics_register_labels). */
cw_metric_t *cw_task_metrics_register(cw_task_metrics_t *tm, const cw_metric_def_t *def,
                                      const cw_metric_label_t *extra, size_t nextra, char *errstr,
                                      size_t errstr_size);
/** Frees one series of cw_task_metrics_register. */
void cw_task_metrics_unregister(cw_task_metrics_t *tm, cw_metric_t *s);

/* Source tasks. */
/** A poll returned `n` records after `ms` milliseconds (source-record-poll-total, batch-size,
 *  poll-batch time). */
void cw_task_metrics_polled(cw_task_metrics_t *tm, size_t n, double ms);
/** `n` records were handed to the producer, after transformations (source-record-write). */
void cw_task_metrics_written(cw_task_metrics_t *tm, size_t n);
/** Records produced and not yet acknowledged (source-record-active-count). */
void cw_task_metrics_active(cw_task_metrics_t *tm, size_t n);

/* Sink tasks. */
/** `n` records were read from Kafka (sink-record-read-total), before transformations. */
void cw_task_metrics_read(cw_task_metrics_t *tm, size_t n);
/** put took `n` records (after transformations) in `ms` milliseconds. */
void cw_task_metrics_put(cw_task_metrics_t *tm, size_t n, double ms);
void cw_task_metrics_partitions(cw_task_metrics_t *tm, size_t n);

/* Both. */
/** An offset commit (sink: flush + commit; source: offsets written to the store) took `ms`
 *  milliseconds and succeeded or not. */
void cw_task_metrics_commit(cw_task_metrics_t *tm, int ok, double ms);
void cw_task_metrics_error(cw_task_metrics_t *tm, cw_task_error_t what);
#endif
