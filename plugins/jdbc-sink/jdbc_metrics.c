/* jdbc-sink metrics: rows written, batches (transactions) committed, their latency,
 * retries and bad records. */
#include "jdbc_sink.h"

void jdbc_metrics_open(jdbc_task_t *t) { (void)t; }
void jdbc_metrics_batch(jdbc_task_t *t, size_t rows, double seconds) {
    (void)t; (void)rows; (void)seconds;
}
void jdbc_metrics_retry(jdbc_task_t *t) { (void)t; }
void jdbc_metrics_bad(jdbc_task_t *t) { (void)t; }
void jdbc_metrics_close(jdbc_task_t *t) { (void)t; }
