/* rds-source metrics, through the host's registry (cw_host_t.metric_*): rows handed to the
 * worker, how long queries take to start returning rows, and connections lost or refused.
 * Updated on the task thread only; a host without metrics leaves every handle NULL and every
 * update a no-op. */
#include "rds_metrics.h"

#include <time.h>

/* A query's time to its first row: milliseconds on an index, seconds on a full scan. */
static const double query_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                      0.25,  0.5,    1,     2.5,  5,     10,   30};

static const cw_metric_def_t defs[] = {
    {CW_METRIC_DEF_HEADER, .kind = CW_METRIC_COUNTER, .name = "rds_source_rows_total",
     .help = "Rows read from the database and handed to the worker as records."},
    {CW_METRIC_DEF_HEADER, .kind = CW_METRIC_HISTOGRAM, .name = "rds_source_query_duration_seconds",
     .help = "Time from sending a table's query to its result being ready to stream.",
     .buckets = query_bounds, .nbuckets = sizeof query_bounds / sizeof query_bounds[0]},
    {CW_METRIC_DEF_HEADER, .kind = CW_METRIC_COUNTER, .name = "rds_source_connection_errors_total",
     .help = "Connections lost while querying, and reconnections that failed."},
};

void rds_metrics_register(rds_metrics_t *m, const cw_host_t *h, cw_ctx_t *ctx) {
    *m = (rds_metrics_t){0};
    if (!CW_HOST_HAS(h, metric_register) || !CW_HOST_HAS(h, metric_observe)) return;
    m->h = h;
    cw_metric_t **slots[] = {&m->rows, &m->query_seconds, &m->conn_errors};
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        char err[256];
        *slots[i] = h->metric_register(ctx, &defs[i], err, sizeof err);
        if (!*slots[i]) h->log(ctx, CW_LOG_WARN, "going on without this metric: %s", err);
    }
}

double rds_metrics_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rds_metrics_row(const rds_metrics_t *m) {
    if (m->h) m->h->metric_add(m->rows, 1);
}

void rds_metrics_query(const rds_metrics_t *m, double started) {
    if (m->h) m->h->metric_observe(m->query_seconds, rds_metrics_now() - started);
}

void rds_metrics_conn_error(const rds_metrics_t *m) {
    if (m->h) m->h->metric_add(m->conn_errors, 1);
}
