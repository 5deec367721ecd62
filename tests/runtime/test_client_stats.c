/* The task metrics fed by librdkafka's statistics (runtime/client_stats.c): records lag per
 * assigned partition as Kafka computes it (high watermark, or last stable offset under
 * read_committed, minus the position), byte totals and connections, and the series of a
 * partition that is no longer assigned going away. Also the windowed statistics behind
 * Kafka's *-avg / *-max attributes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "metrics.h"
#include "runtime/client_stats.h"
#include "runtime/task_metrics.h"

static const char *report1 =
    "{\"name\":\"c#consumer-1\",\"rx_bytes\":4096,\"tx_bytes\":100,"
    "\"brokers\":{"
    "\"127.0.0.1:9092/1\":{\"source\":\"learned\",\"state\":\"UP\"},"
    "\"127.0.0.1:9092/bootstrap\":{\"source\":\"configured\",\"state\":\"INIT\"},"
    "\"GroupCoordinator\":{\"source\":\"logical\",\"state\":\"UP\"}},"
    "\"topics\":{\"t.one\":{\"partitions\":{"
    "\"0\":{\"partition\":0,\"desired\":true,\"app_offset\":40,\"committed_offset\":30,"
    "\"hi_offset\":100,\"ls_offset\":90},"
    "\"1\":{\"partition\":1,\"desired\":true,\"app_offset\":-1001,\"committed_offset\":7,"
    "\"hi_offset\":7,\"ls_offset\":7},"
    "\"2\":{\"partition\":2,\"desired\":false,\"app_offset\":1,\"hi_offset\":9},"
    "\"-1\":{\"partition\":-1,\"desired\":false}}}}}";

/* Partition 1 is gone (revoked), partition 0 moved on; the bytes counter never goes back. */
static const char *report2 = "{\"rx_bytes\":1000,\"brokers\":{},"
                             "\"topics\":{\"t.one\":{\"partitions\":{"
                             "\"0\":{\"partition\":0,\"desired\":true,\"app_offset\":100,\"hi_"
                             "offset\":100,\"ls_offset\":100}}}}}";

static void test_reports(int read_committed) {
    cw_metrics_t *m = cw_metrics_new();
    cw_task_metrics_t *tm = cw_task_metrics_new(m, "conn", 3, 0);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[256], v[32];
    size_t vs = sizeof v;
    if (read_committed)
        CHECK(rd_kafka_conf_set(conf, "isolation.level", "read_committed", err, sizeof err) ==
              RD_KAFKA_CONF_OK);
    else
        CHECK(rd_kafka_conf_set(conf, "isolation.level", "read_uncommitted", err, sizeof err) ==
              RD_KAFKA_CONF_OK);
    cw_client_stats_t *cs = cw_client_stats_new(tm, "connector-consumer-conn-3", 1, conf);
    CHECK(cs != NULL);
    /* statistics.interval.ms was 0: the worker's default is set. */
    CHECK(rd_kafka_conf_get(conf, "statistics.interval.ms", v, &vs) == RD_KAFKA_CONF_OK);
    CHECK_STR(v, CW_CLIENT_STATS_INTERVAL_MS);
    CHECK(cw_client_stats_json(cs, report1, strlen(report1)) == 0);
    char *text = cw_metrics_render(m, NULL);
    const char *l = "{connector=\"conn\",task=\"3\",clientid=\"connector-consumer-conn-3\"";
    char want[512];
    snprintf(want, sizeof want,
             "kafka_consumer_fetch_manager_records_lag%s,topic=\"t.one\","
             "partition=\"0\"} %d\n",
             l, read_committed ? 50 : 60);
    CHECK_CONTAINS(text, want);
    snprintf(want, sizeof want,
             "kafka_consumer_fetch_manager_records_lag%s,topic=\"t.one\","
             "partition=\"1\"} 0\n",
             l); /* no position yet: the committed offset */
    CHECK_CONTAINS(text, want);
    CHECK(!strstr(text, "partition=\"2\"") && !strstr(text, "partition=\"-1\""));
    snprintf(want, sizeof want, "kafka_consumer_incoming_byte_total%s} 4096\n", l);
    CHECK_CONTAINS(text, want);
    snprintf(want, sizeof want, "kafka_consumer_connection_count%s} 1\n", l);
    CHECK_CONTAINS(text, want);
    free(text);

    CHECK(cw_client_stats_json(cs, report2, strlen(report2)) == 0);
    CHECK(cw_client_stats_json(cs, "not json", 8) == 0); /* ignored */
    text = cw_metrics_render(m, NULL);
    snprintf(want, sizeof want,
             "kafka_consumer_fetch_manager_records_lag%s,topic=\"t.one\","
             "partition=\"0\"} 0\n",
             l);
    CHECK_CONTAINS(text, want);
    CHECK(!strstr(text, "partition=\"1\""));
    snprintf(want, sizeof want, "kafka_consumer_incoming_byte_total%s} 4096\n", l);
    CHECK_CONTAINS(text, want);
    snprintf(want, sizeof want, "kafka_consumer_connection_count%s} 0\n", l);
    CHECK_CONTAINS(text, want);
    free(text);

    /* The series belong to the task's metrics: freeing the table keeps them, freeing the
     * task's metrics releases them. */
    cw_client_stats_free(cs);
    text = cw_metrics_render(m, NULL);
    CHECK_CONTAINS(text, "kafka_consumer_fetch_manager_records_lag{");
    free(text);
    cw_task_metrics_free(tm);
    text = cw_metrics_render(m, NULL);
    CHECK_STR(text, "");
    free(text);
    rd_kafka_conf_destroy(conf);
    cw_metrics_free(m);
}

/* Kafka's windowed Avg and Max: NaN before the first observation. */
static void test_wstat(void) {
    cw_wstat_t w;
    memset(&w, 0, sizeof w);
    CHECK(isnan(cw_wstat_avg(&w)) && isnan(cw_wstat_max(&w)));
    cw_wstat_record(&w, 2);
    cw_wstat_record(&w, 10);
    cw_wstat_record(&w, 3);
    CHECK(cw_wstat_avg(&w) == 5 && cw_wstat_max(&w) == 10);
}

/* The task's metrics with their Kafka names, and the error counters of KIP-298. */
static void test_task_metrics(void) {
    cw_metrics_t *m = cw_metrics_new();
    cw_task_metrics_t *tm = cw_task_metrics_new(m, "s", 0, 0);
    cw_task_metrics_read(tm, 7);
    cw_task_metrics_put(tm, 5, 2.5);
    cw_task_metrics_put(tm, 1, 0.5);
    cw_task_metrics_commit(tm, 1, 4);
    cw_task_metrics_commit(tm, 0, 2);
    cw_task_metrics_error(tm, CW_TASK_ERROR_FAILED);
    cw_task_metrics_error(tm, CW_TASK_ERROR_SKIPPED);
    cw_task_metrics_error(tm, CW_TASK_ERROR_DLQ_SENT);
    cw_task_metrics_polled(NULL, 1, 1); /* NULL: no metrics */
    char *text = cw_metrics_render(m, NULL);
    const char *want[] = {
        "kafka_connect_sink_task_sink_record_read_total{connector=\"s\",task=\"0\"} 7\n",
        "kafka_connect_sink_task_sink_record_send_total{connector=\"s\",task=\"0\"} 6\n",
        "kafka_connect_connector_task_batch_size_avg{connector=\"s\",task=\"0\"} 3\n",
        "kafka_connect_connector_task_batch_size_max{connector=\"s\",task=\"0\"} 5\n",
        "kafka_connect_sink_task_put_batch_max_time_ms{connector=\"s\",task=\"0\"} 2.5\n",
        "kafka_connect_connector_task_offset_commit_avg_time_ms{connector=\"s\",task=\"0\"} 3\n",
        "kafka_connect_connector_task_offset_commit_success_percentage{connector=\"s\",task=\"0\"} "
        "0.5\n",
        "kafka_connect_sink_task_offset_commit_seq_no{connector=\"s\",task=\"0\"} 2\n",
        "kafka_connect_sink_task_offset_commit_completion_total{connector=\"s\",task=\"0\"} 1\n",
        "kafka_connect_task_error_total_record_errors{connector=\"s\",task=\"0\"} 1\n",
        "kafka_connect_task_error_total_records_skipped{connector=\"s\",task=\"0\"} 1\n",
        "kafka_connect_task_error_deadletterqueue_produce_requests{connector=\"s\",task=\"0\"} 1\n",
        "kafka_connect_task_error_deadletterqueue_produce_failures{connector=\"s\",task=\"0\"} 0\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) CHECK_CONTAINS(text, want[i]);
    CHECK(!strstr(text, "source_task")); /* a sink task has no source metrics */
    free(text);
    cw_task_metrics_free(tm);
    cw_metrics_free(m);
}

int main(void) {
    test_reports(0);
    test_reports(1);
    test_wstat();
    test_task_metrics();
    CHECK_DONE();
}
