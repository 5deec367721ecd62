/* rds-source metrics (rds_metrics.c): rows, query latency, connection errors. */
#ifndef RDS_METRICS_H
#define RDS_METRICS_H
#include "connect-worker/plugin.h"

/** The task's series; all NULL (every update a no-op) when the host keeps no metrics. The
 *  handles are the worker's, valid until the task's stop returns. */
typedef struct rds_metrics {
    const cw_host_t *h;
    cw_metric_t *rows, *query_seconds, *conn_errors;
} rds_metrics_t;

/** Registers the task's metrics; a refusal is logged and the task goes on without it. */
void rds_metrics_register(rds_metrics_t *m, const cw_host_t *h, cw_ctx_t *ctx);
/** Seconds on a monotonic clock, for rds_metrics_query's `started`. */
double rds_metrics_now(void);
/** One row handed to the worker. */
void rds_metrics_row(const rds_metrics_t *m);
/** A query sent at `started` has its result ready. */
void rds_metrics_query(const rds_metrics_t *m, double started);
/** A connection lost, or a reconnection that failed. */
void rds_metrics_conn_error(const rds_metrics_t *m);
#endif
