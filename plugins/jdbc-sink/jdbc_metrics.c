/* jdbc-sink metrics, through the host's registry (cw_host_t.metric_*): rows written,
 * batches (committed transactions) and their latency, retries and bad records. Updated on
 * the task thread only. */
#include <stdlib.h>
#include "jdbc_sink.h"

struct jdbc_metrics {
    cw_metric_t *rows, *batches, *seconds, *retries, *bad;
};

/* A put's transaction takes milliseconds; a retried or row-by-row one seconds. */
static const double batch_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                      0.25,  0.5,    1,     2.5,  5,     10};

static const cw_metric_def_t defs[] = {
    {CW_METRIC_DEF_HEADER, .kind = CW_METRIC_COUNTER, .name = "jdbc_sink_rows_written_total",
     .help = "Rows committed to the database (inserted, upserted, updated or deleted)."},
    {CW_METRIC_DEF_HEADER, .kind = CW_METRIC_COUNTER, .name = "jdbc_sink_batches_total",
     .help = "Transactions committed, one per put that had rows to write."},
    {CW_METRIC_DEF_HEADER, .kind = CW_METRIC_HISTOGRAM, .name = "jdbc_sink_batch_seconds",
     .help = "Time to write and commit one transaction.", .buckets = batch_bounds,
     .nbuckets = sizeof batch_bounds / sizeof batch_bounds[0]},
    {CW_METRIC_DEF_HEADER, .kind = CW_METRIC_COUNTER, .name = "jdbc_sink_retries_total",
     .help = "Writes retried after a transient database error."},
    {CW_METRIC_DEF_HEADER, .kind = CW_METRIC_COUNTER, .name = "jdbc_sink_bad_records_total",
     .help = "Records the sink or the database refused, handed to errors.tolerance."},
};

void jdbc_metrics_open(jdbc_task_t *t) {
    if (!CW_HOST_HAS(t->h, metric_register) || !CW_HOST_HAS(t->h, metric_observe)) return;
    struct jdbc_metrics *m = calloc(1, sizeof *m);
    if (!m) return;
    cw_metric_t **slots[] = {&m->rows, &m->batches, &m->seconds, &m->retries, &m->bad};
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        char err[256];
        *slots[i] = t->h->metric_register(t->ctx, &defs[i], err, sizeof err);
        if (!*slots[i]) t->h->log(t->ctx, CW_LOG_WARN, "going on without this metric: %s", err);
    }
    t->metrics = m;
}

void jdbc_metrics_batch(jdbc_task_t *t, size_t rows, double seconds) {
    if (!t->metrics || rows == 0) return;
    t->h->metric_add(t->metrics->rows, (double)rows);
    t->h->metric_add(t->metrics->batches, 1);
    t->h->metric_observe(t->metrics->seconds, seconds);
}

void jdbc_metrics_retry(jdbc_task_t *t) {
    if (t->metrics) t->h->metric_add(t->metrics->retries, 1);
}

void jdbc_metrics_bad(jdbc_task_t *t) {
    if (t->metrics) t->h->metric_add(t->metrics->bad, 1);
}

void jdbc_metrics_close(jdbc_task_t *t) {
    free(t->metrics); /* the handles are the worker's */
    t->metrics = NULL;
}
