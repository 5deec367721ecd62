/* host->kafka_metadata: Kafka's metadata through a source task's producer, as JSON text for
 * plugins that answer questions about topics (http-source's GET /topics). */
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>

#include "host.h"
#include "json_encode.h"

static json_t *int_array(const int32_t *v, int n) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *topic_json(const rd_kafka_metadata_topic_t *t) {
    json_t *parts = json_array();
    for (int p = 0; p < t->partition_cnt; p++) {
        const rd_kafka_metadata_partition_t *mp = &t->partitions[p];
        json_array_append_new(parts, json_pack("{s:i,s:i,s:o,s:o}", "partition", (int)mp->id,
                                               "leader", (int)mp->leader, "replicas",
                                               int_array(mp->replicas, mp->replica_cnt), "isr",
                                               int_array(mp->isrs, mp->isr_cnt)));
    }
    return json_pack("{s:s,s:o,s:o}", "name", t->topic, "error",
                     t->err ? json_string(rd_kafka_err2name(t->err)) : json_null(), "partitions",
                     parts);
}

static json_t *metadata_json(const struct rd_kafka_metadata *md) {
    json_t *brokers = json_array(), *topics = json_array();
    for (int b = 0; b < md->broker_cnt; b++)
        json_array_append_new(brokers,
                              json_pack("{s:i,s:s,s:i}", "id", (int)md->brokers[b].id, "host",
                                        md->brokers[b].host, "port", md->brokers[b].port));
    for (int t = 0; t < md->topic_cnt; t++)
        json_array_append_new(topics, topic_json(&md->topics[t]));
    return json_pack("{s:o,s:o}", "brokers", brokers, "topics", topics);
}

char *cw_host_kafka_metadata(cw_ctx_t *ctx, const char *topic, int timeout_ms, char *errstr,
                             size_t errstr_size) {
    rd_kafka_t *rk = ctx ? ctx->kafka : NULL;
    if (!rk) {
        snprintf(errstr, errstr_size, "no Kafka client here: only a running source task has one");
        return NULL;
    }
    rd_kafka_topic_t *rkt = topic ? rd_kafka_topic_new(rk, topic, NULL) : NULL;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, topic ? 0 : 1, rkt, &md, timeout_ms);
    if (rkt) rd_kafka_topic_destroy(rkt);
    if (err) {
        snprintf(errstr, errstr_size, "metadata request%s%s failed: %s", topic ? " for topic " : "",
                 topic ? topic : "", rd_kafka_err2str(err));
        return NULL;
    }
    json_t *j = metadata_json(md);
    rd_kafka_metadata_destroy(md);
    char *out = j ? cw_json_encode(j, NULL) : NULL;
    json_decref(j);
    if (!out) snprintf(errstr, errstr_size, "out of memory");
    return out;
}
