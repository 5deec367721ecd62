/*
 * The metrics of a task's Kafka clients, from librdkafka's statistics (statistics.interval.ms,
 * JSON; see librdkafka's STATISTICS.md), under the names Strimzi's JMX exporter rules give the
 * Java clients' metrics:
 *   kafka_consumer_fetch_manager_records_lag{clientid,topic,partition}: per assigned partition,
 *     the high watermark (last stable offset under read_committed) minus the consumer's
 *     position, as Kafka's records-lag;
 *   kafka_consumer_incoming_byte_total / kafka_producer_outgoing_byte_total{clientid};
 *   kafka_consumer_connection_count / kafka_producer_connection_count{clientid}.
 * Every sample also carries the task's labels connector and task. The series belong to the
 * task's metrics (cw_task_metrics_free releases them), so the last values outlive the client.
 *
 * Threads: librdkafka calls the statistics callback from the thread that polls the client
 * (the task thread, or the source's committer under its poll lock): one at a time, so the
 * table below needs no lock; the registry's updates are lock-free.
 */
#ifndef CW_RUNTIME_CLIENT_STATS_H
#define CW_RUNTIME_CLIENT_STATS_H
#include <librdkafka/rdkafka.h>

#include "runtime/task_metrics.h"

/** statistics.interval.ms the worker sets when the user's configuration leaves it at 0. */
#define CW_CLIENT_STATS_INTERVAL_MS "5000"

typedef struct cw_client_stats cw_client_stats_t;

/** For the client `client_id` of the task whose metrics are `tm` (NULL: returns NULL, and
 *  every function below is a no-op). Sets statistics.interval.ms on conf when it is 0 (the
 *  caller installs the callback, which has the client's opaque, and calls
 *  cw_client_stats_json from it). */
cw_client_stats_t *cw_client_stats_new(cw_task_metrics_t *tm, const char *client_id, int consumer,
                                       rd_kafka_conf_t *conf);
/** One statistics report. Returns 0 (librdkafka frees the JSON). */
int cw_client_stats_json(cw_client_stats_t *cs, const char *json, size_t len);
/** Consumers, before closing: the lag of every assigned partition now, from the consumer's
 *  position and its cached watermarks (no request); later reports are ignored, so that the
 *  last values stay (closing revokes the partitions). */
void cw_client_stats_final(cw_client_stats_t *cs, rd_kafka_t *rk);
/** Frees the table; the series stay with the task's metrics. */
void cw_client_stats_free(cw_client_stats_t *cs);
#endif
