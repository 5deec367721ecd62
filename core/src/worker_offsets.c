/*
 * Which offset store a worker uses. With offset.storage.topic, the clients are configured like
 * the source tasks' (producer.* for writing, consumer.* for reading at start) so that one set
 * of security settings serves all; the admin client takes producer.* and then admin.*.
 */
#include "worker_offsets.h"

#include <librdkafka/rdkafka_mock.h>
#include <string.h>

#include "log.h"
#include "storage/internal_topics.h"
#include "storage/offsets_kafka.h"

/* Reading the topic at start and the admin requests may wait this long for Kafka. */
#define CW_STORAGE_READ_TIMEOUT_MS 30000
#define CW_STORAGE_ADMIN_TIMEOUT_MS 15000

/* admin.<property> over the producer's configuration. */
static int apply_admin(const cw_worker_t *w, rd_kafka_conf_t *conf, char *errstr,
                       size_t errstr_size) {
    for (size_t i = 0; i < cw_props_count(w->props); i++) {
        const char *k = cw_props_key_at(w->props, i);
        char err[512];
        if (strncmp(k, "admin.", 6) != 0 || !k[6]) continue;
        if (rd_kafka_conf_set(conf, k + 6, cw_props_value_at(w->props, i), err, sizeof err) !=
            RD_KAFKA_CONF_OK) {
            if (cw_config_key_is_secret(NULL, k + 6))
                snprintf(errstr, errstr_size, "%s: %s: not accepted by librdkafka (value hidden)",
                         cw_props_origin(w->props), k);
            else
                snprintf(errstr, errstr_size, "%s: %s: %s", cw_props_origin(w->props), k, err);
            return -1;
        }
    }
    return 0;
}

rd_kafka_conf_t *cw_worker_admin_conf(const cw_worker_t *w, char *errstr, size_t errstr_size) {
    rd_kafka_conf_t *admin =
        cw_worker_kafka_conf(w, NULL, "producer", "connect-worker-admin", errstr, errstr_size);
    if (admin && apply_admin(w, admin, errstr, errstr_size)) {
        rd_kafka_conf_destroy(admin);
        return NULL;
    }
    return admin;
}

static cw_offsets_t *open_topic(const cw_worker_t *w, char *errstr, size_t errstr_size) {
    cw_internal_topic_t t;
    cw_internal_topic_from_config(w->config, "offset.storage.", &t);
    rd_kafka_conf_t *admin = cw_worker_admin_conf(w, errstr, errstr_size);
    if (!admin) return NULL;
    /* The embedded cluster has no CreateTopics: the worker creates the topic through the mock
     * API (an existing one is kept), and the checks below run as against any cluster. */
    if (w->mock)
        rd_kafka_mock_topic_create(w->mock, t.name, t.partitions > 0 ? t.partitions : 25, 1);
    if (cw_internal_topics_ensure(admin, &t, 1, CW_STORAGE_ADMIN_TIMEOUT_MS, errstr, errstr_size))
        return NULL;
    cw_offsets_kafka_conf_t kc = {
        .topic = t.name,
        .producer_conf = cw_worker_kafka_conf(w, NULL, "producer", "connect-worker-offsets", errstr,
                                              errstr_size),
        .consumer_conf = cw_worker_kafka_conf(w, NULL, "consumer", "connect-worker-offsets", errstr,
                                              errstr_size),
        .read_timeout_ms = CW_STORAGE_READ_TIMEOUT_MS,
        .flush_timeout_ms = (int)w->flush_timeout_ms,
        .keep_reader = w->distributed,
    };
    /* Distributed mode reads the topic again before each start: no long-polling fetch in
     * front of the end-offset requests (a broker answers a connection in order). */
    if (w->distributed && kc.consumer_conf)
        rd_kafka_conf_set(kc.consumer_conf, "fetch.wait.max.ms", "10", NULL, 0);
    if (!kc.producer_conf || !kc.consumer_conf) {
        if (kc.producer_conf) rd_kafka_conf_destroy(kc.producer_conf);
        if (kc.consumer_conf) rd_kafka_conf_destroy(kc.consumer_conf);
        return NULL;
    }
    return cw_offsets_open_kafka(&kc, errstr, errstr_size);
}

cw_offsets_t *cw_worker_offsets_open(const cw_worker_t *w, char *errstr, size_t errstr_size) {
    const char *topic = cw_config_get(w->config, "offset.storage.topic");
    if (topic && *topic) return open_topic(w, errstr, errstr_size);
    return cw_offsets_open(cw_config_get(w->config, "offset.storage.file.filename"), errstr,
                           errstr_size);
}

void cw_worker_storage_validate(const cw_worker_t *w, const char *origin, cw_errlist_t *errs) {
    cw_internal_topics_validate(w->config, origin, errs);
    char err[1024];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (apply_admin(w, conf, err, sizeof err)) cw_errlist_add(errs, "%s", err);
    rd_kafka_conf_destroy(conf);
}
