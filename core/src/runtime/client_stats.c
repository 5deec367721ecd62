/* The metrics of a task's Kafka clients, from librdkafka's statistics (see client_stats.h). */
#include "runtime/client_stats.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define DEF(k, n, h)                                                                               \
    { CW_METRIC_DEF_HEADER, .kind = CW_METRIC_##k, .name = n, .help = h }

static const cw_metric_def_t lag_def =
    DEF(GAUGE, "kafka_consumer_fetch_manager_records_lag",
        "Records the consumer is behind in the partition: high watermark (last stable offset "
        "under read_committed) minus the consumer's position.");
static const cw_metric_def_t bytes_defs[2] = {
    DEF(COUNTER, "kafka_producer_outgoing_byte_total", "Bytes the producer sent to the brokers."),
    DEF(COUNTER, "kafka_consumer_incoming_byte_total",
        "Bytes the consumer received from the brokers."),
};
static const cw_metric_def_t conn_defs[2] = {
    DEF(GAUGE, "kafka_producer_connection_count",
        "Broker connections of the producer that are up."),
    DEF(GAUGE, "kafka_consumer_connection_count",
        "Broker connections of the consumer that are up."),
};

typedef struct {
    char *topic;
    int32_t partition;
    cw_metric_t *lag;
    int seen; /* in the current report */
} lag_t;

struct cw_client_stats {
    cw_task_metrics_t *tm;
    char *client_id;
    int consumer, read_committed, final;
    cw_metric_t *bytes, *conns;
    lag_t *lags;
    size_t nlags, caplags;
};

cw_client_stats_t *cw_client_stats_new(cw_task_metrics_t *tm, const char *client_id, int consumer,
                                       rd_kafka_conf_t *conf) {
    if (!tm) return NULL;
    cw_client_stats_t *cs = calloc(1, sizeof *cs);
    if (!cs || !(cs->client_id = strdup(client_id))) {
        free(cs);
        return NULL;
    }
    cs->tm = tm;
    cs->consumer = consumer;
    char v[64], err[512];
    size_t vs = sizeof v;
    if (rd_kafka_conf_get(conf, "statistics.interval.ms", v, &vs) == RD_KAFKA_CONF_OK &&
        strcmp(v, "0") == 0)
        rd_kafka_conf_set(conf, "statistics.interval.ms", CW_CLIENT_STATS_INTERVAL_MS, err,
                          sizeof err);
    vs = sizeof v;
    cs->read_committed = consumer &&
                         rd_kafka_conf_get(conf, "isolation.level", v, &vs) == RD_KAFKA_CONF_OK &&
                         strcmp(v, "read_committed") == 0;
    const cw_metric_label_t l[] = {{"clientid", client_id}};
    cs->bytes = cw_task_metrics_register(tm, &bytes_defs[consumer != 0], l, 1, err, sizeof err);
    cs->conns = cw_task_metrics_register(tm, &conn_defs[consumer != 0], l, 1, err, sizeof err);
    return cs;
}

void cw_client_stats_free(cw_client_stats_t *cs) {
    if (!cs) return;
    for (size_t i = 0; i < cs->nlags; i++) free(cs->lags[i].topic);
    free(cs->lags);
    free(cs->client_id);
    free(cs);
}

/* The lag entry of topic/partition, found or added (its series registered). NULL when out
 * of memory or refused. */
static lag_t *lag_get(cw_client_stats_t *cs, const char *topic, int32_t partition) {
    for (size_t i = 0; i < cs->nlags; i++)
        if (cs->lags[i].partition == partition && strcmp(cs->lags[i].topic, topic) == 0)
            return &cs->lags[i];
    if (cs->nlags == cs->caplags) {
        size_t cap = cs->caplags ? cs->caplags * 2 : 16;
        lag_t *n = realloc(cs->lags, cap * sizeof *n);
        if (!n) return NULL;
        cs->lags = n;
        cs->caplags = cap;
    }
    char num[16], err[512];
    snprintf(num, sizeof num, "%d", (int)partition);
    const cw_metric_label_t l[] = {
        {"clientid", cs->client_id}, {"topic", topic}, {"partition", num}};
    lag_t *e = &cs->lags[cs->nlags];
    e->lag = cw_task_metrics_register(cs->tm, &lag_def, l, 3, err, sizeof err);
    e->topic = e->lag ? strdup(topic) : NULL;
    if (!e->topic) {
        cw_task_metrics_unregister(cs->tm, e->lag);
        return NULL;
    }
    e->partition = partition;
    e->seen = 0;
    cs->nlags++;
    return e;
}

/* Partitions no longer assigned lose their series (the new owner reports them). */
static void lag_sweep(cw_client_stats_t *cs) {
    size_t kept = 0;
    for (size_t i = 0; i < cs->nlags; i++) {
        if (cs->lags[i].seen) {
            cs->lags[i].seen = 0;
            cs->lags[kept++] = cs->lags[i];
            continue;
        }
        cw_task_metrics_unregister(cs->tm, cs->lags[i].lag);
        free(cs->lags[i].topic);
    }
    cs->nlags = kept;
}

static int64_t jint(const json_t *o, const char *key) {
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* One partition of the report: its lag when it is assigned and both ends are known. */
static void lag_partition(cw_client_stats_t *cs, const char *topic, const json_t *p) {
    int64_t partition = jint(p, "partition");
    if (partition < 0 || !json_is_true(json_object_get(p, "desired"))) return;
    int64_t pos = jint(p, "app_offset");
    if (pos < 0) pos = jint(p, "committed_offset");
    int64_t end = jint(p, cs->read_committed ? "ls_offset" : "hi_offset");
    lag_t *e = lag_get(cs, topic, (int32_t)partition);
    if (!e) return;
    e->seen = 1;
    if (pos >= 0 && end >= 0) cw_metric_set(e->lag, end > pos ? (double)(end - pos) : 0);
}

static void report_lags(cw_client_stats_t *cs, json_t *root) {
    const char *topic;
    json_t *t;
    json_object_foreach(json_object_get(root, "topics"), topic, t) {
        const char *id;
        json_t *p;
        json_object_foreach(json_object_get(t, "partitions"), id, p) lag_partition(cs, topic, p);
    }
    lag_sweep(cs);
}

/* Brokers whose connection is up: the bootstrap and coordinator entries librdkafka keeps
 * besides the real brokers are not connections of their own. */
static int connections_up(json_t *root) {
    const char *name;
    json_t *b;
    int up = 0;
    json_object_foreach(json_object_get(root, "brokers"), name, b) {
        const char *src = json_string_value(json_object_get(b, "source"));
        const char *state = json_string_value(json_object_get(b, "state"));
        if (src && (strcmp(src, "logical") == 0 || strcmp(src, "internal") == 0)) continue;
        up += state && strcmp(state, "UP") == 0;
    }
    return up;
}

int cw_client_stats_json(cw_client_stats_t *cs, const char *json, size_t len) {
    if (!cs || cs->final) return 0;
    json_t *root = json_loadb(json, len, 0, NULL);
    if (!root) return 0;
    int64_t bytes = jint(root, cs->consumer ? "rx_bytes" : "tx_bytes");
    if (bytes >= 0) cw_metric_set_total(cs->bytes, (double)bytes);
    cw_metric_set(cs->conns, connections_up(root));
    if (cs->consumer) report_lags(cs, root);
    json_decref(root);
    return 0;
}

void cw_client_stats_final(cw_client_stats_t *cs, rd_kafka_t *rk) {
    if (!cs || !cs->consumer || cs->final) return;
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(rk, &a) == RD_KAFKA_RESP_ERR_NO_ERROR && a) {
        rd_kafka_position(rk, a);
        for (int i = 0; i < a->cnt; i++) {
            const rd_kafka_topic_partition_t *p = &a->elems[i];
            int64_t lo, hi;
            if (p->offset < 0 ||
                rd_kafka_get_watermark_offsets(rk, p->topic, p->partition, &lo, &hi) || hi < 0)
                continue;
            lag_t *e = lag_get(cs, p->topic, p->partition);
            if (e) cw_metric_set(e->lag, hi > p->offset ? (double)(hi - p->offset) : 0);
        }
        rd_kafka_topic_partition_list_destroy(a);
    }
    cs->final = 1;
}
