/*
 * Internal topics with the admin API (see internal_topics.h). Metadata comes from a request
 * for all topics, which never auto-creates one; CreateTopics and DescribeConfigs go through
 * one admin handle and a private result queue.
 */
#include "storage/internal_topics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int cw_internal_topic_check(const cw_internal_topic_t *t, const cw_topic_facts_t *f, char *warning,
                            size_t warning_size, char *errstr, size_t errstr_size) {
    *warning = '\0';
    if (t->single_partition && f->partitions > 1) {
        /* KafkaConfigBackingStore: the order of config records is only defined in one partition. */
        snprintf(errstr, errstr_size,
                 "%s: topic '%s' has %d partitions; the config topic must have exactly one "
                 "(Kafka Connect's rule: records are only ordered within a partition). Use "
                 "another topic or recreate it with one partition",
                 t->key, t->name, f->partitions);
        return -1;
    }
    if (!f->cleanup_policy)
        snprintf(warning, warning_size,
                 "%s: cannot check that topic '%s' has cleanup.policy=compact (the brokers do "
                 "not answer DescribeConfigs, or the principal may not describe topic configs)",
                 t->key, t->name);
    else if (strcmp(f->cleanup_policy, "compact") != 0)
        snprintf(warning, warning_size,
                 "%s: topic '%s' has cleanup.policy=%s; it should be compact, or Kafka deletes "
                 "old records and the worker loses what they hold. Kafka Connect refuses such a "
                 "topic; connect-worker goes on",
                 t->key, t->name, f->cleanup_policy);
    return 0;
}

/* Exists? How many partitions? From a metadata request for all topics. *controller_ok says
 * whether the controller the cluster names is one of its brokers: admin requests go to it,
 * and librdkafka would wait for an unknown one until the timeout (librdkafka's mock cluster
 * names broker 0, which it does not have). */
static int describe_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms,
                               cw_topic_facts_t *f, int *controller_ok, char *errstr,
                               size_t errstr_size) {
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    if (err) {
        snprintf(errstr, errstr_size, "cannot get the cluster's topics: %s", rd_kafka_err2str(err));
        return -1;
    }
    int32_t controller = rd_kafka_controllerid(rk, timeout_ms);
    *controller_ok = 0;
    for (int i = 0; i < md->broker_cnt; i++)
        if (md->brokers[i].id == controller) *controller_ok = 1;
    f->exists = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 && !md->topics[i].err) {
            f->exists = 1;
            f->partitions = md->topics[i].partition_cnt;
        }
    rd_kafka_metadata_destroy(md);
    return 0;
}

/* Waits for the result of the one request sent to `q`, then drops the queue: each request
 * has its own, so that a result arriving after its wait cannot be taken for the next one's. */
static rd_kafka_event_t *wait_result(rd_kafka_queue_t *q, int timeout_ms) {
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms);
    rd_kafka_queue_destroy(q);
    return ev;
}

static rd_kafka_AdminOptions_t *options(rd_kafka_t *rk, rd_kafka_admin_op_t op, int timeout_ms) {
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    char err[256];
    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, err, sizeof err);
    return o;
}

/* cleanup.policy of an existing topic, malloc'd; NULL when the cluster does not say. */
static char *describe_cleanup_policy(rd_kafka_t *rk, const char *topic, int timeout_ms) {
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
    rd_kafka_DescribeConfigs(rk, &res, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_ConfigResource_destroy(res);
    rd_kafka_event_t *ev = wait_result(q, timeout_ms + 1000);
    const rd_kafka_DescribeConfigs_result_t *r =
        ev ? rd_kafka_event_DescribeConfigs_result(ev) : NULL;
    char *policy = NULL;
    size_t nres = 0;
    const rd_kafka_ConfigResource_t **rs =
        r && !rd_kafka_event_error(ev) ? rd_kafka_DescribeConfigs_result_resources(r, &nres) : NULL;
    for (size_t i = 0; i < nres && !rd_kafka_ConfigResource_error(rs[i]); i++) {
        size_t nc = 0;
        const rd_kafka_ConfigEntry_t **ce = rd_kafka_ConfigResource_configs(rs[i], &nc);
        for (size_t k = 0; k < nc; k++)
            if (strcmp(rd_kafka_ConfigEntry_name(ce[k]), "cleanup.policy") == 0 &&
                rd_kafka_ConfigEntry_value(ce[k]))
                policy = strdup(rd_kafka_ConfigEntry_value(ce[k]));
    }
    if (!policy && ev)
        cw_log_debug("topic %s: DescribeConfigs: %s", topic,
                     rd_kafka_event_error(ev) ? rd_kafka_event_error_string(ev)
                                              : "no cleanup.policy");
    if (ev) rd_kafka_event_destroy(ev);
    return policy;
}

/* Errors that mean "this cluster or principal cannot create topics": Kafka Connect then
 * assumes the topic exists or will be auto-created (TopicAdmin.createOrFindTopics). */
static int cannot_create(rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ||
           err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION ||
           err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
           err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED;
}

/* CreateTopics for one compacted topic. Returns 0 (created, or someone else did), 1 (the
 * cluster cannot create it: logged) or -1 with errstr. */
static int create_topic(rd_kafka_t *rk, const cw_internal_topic_t *t, int timeout_ms, char *errstr,
                        size_t errstr_size) {
    char err[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(
        t->name, t->single_partition ? 1 : t->partitions, t->replication_factor, err, sizeof err);
    if (!nt) {
        snprintf(errstr, errstr_size, "%s: cannot create topic '%s': %s", t->key, t->name, err);
        return -1;
    }
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_event_t *ev = wait_result(q, timeout_ms + 1000);
    rd_kafka_resp_err_t e = ev ? rd_kafka_event_error(ev) : RD_KAFKA_RESP_ERR__TIMED_OUT;
    const char *why = ev && e ? rd_kafka_event_error_string(ev) : rd_kafka_err2str(e);
    const rd_kafka_CreateTopics_result_t *r =
        ev && !e ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    size_t cnt = 0;
    const rd_kafka_topic_result_t **tr = r ? rd_kafka_CreateTopics_result_topics(r, &cnt) : NULL;
    if (cnt == 1 && (e = rd_kafka_topic_result_error(tr[0])))
        why = rd_kafka_topic_result_error_string(tr[0]) ? rd_kafka_topic_result_error_string(tr[0])
                                                        : rd_kafka_err2str(e);
    int rc = 0;
    if (!e || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        if (!e)
            cw_log_info("%s: created topic '%s' (cleanup.policy=compact, %d partition(s), "
                        "replication factor %d; -1 = the broker's default)",
                        t->key, t->name, t->single_partition ? 1 : t->partitions,
                        t->replication_factor);
    } else if (cannot_create(e)) {
        cw_log_warn("%s: cannot create topic '%s' (%s); assuming it exists or is auto-created. "
                    "Create it with cleanup.policy=compact",
                    t->key, t->name, why);
        rc = 1;
    } else {
        snprintf(errstr, errstr_size, "%s: cannot create topic '%s': %s", t->key, t->name, why);
        rc = -1;
    }
    if (ev) rd_kafka_event_destroy(ev);
    return rc;
}

/* One topic: create when missing, otherwise (or when it appeared meanwhile) check it. */
static int ensure_one(rd_kafka_t *rk, const cw_internal_topic_t *t, int timeout_ms, char *errstr,
                      size_t errstr_size) {
    cw_topic_facts_t f = {0};
    char err[512], warning[600];
    int controller_ok = 0;
    if (describe_partitions(rk, t->name, timeout_ms, &f, &controller_ok, err, sizeof err)) {
        snprintf(errstr, errstr_size, "%s: topic '%s': %s", t->key, t->name, err);
        return -1;
    }
    if (!f.exists && !controller_ok) {
        cw_log_warn("%s: cannot create topic '%s' (the cluster names no controller among its "
                    "brokers); assuming it is auto-created. Create it with "
                    "cleanup.policy=compact",
                    t->key, t->name);
        return 0;
    }
    if (!f.exists) {
        int rc = create_topic(rk, t, timeout_ms, errstr, errstr_size);
        if (rc) return rc < 0 ? -1 : 0;
        if (describe_partitions(rk, t->name, timeout_ms, &f, &controller_ok, err, sizeof err) ||
            !f.exists)
            return 0; /* created by us, as asked; Metadata may lag behind */
    }
    char *policy = controller_ok ? describe_cleanup_policy(rk, t->name, timeout_ms) : NULL;
    f.cleanup_policy = policy;
    int rc = cw_internal_topic_check(t, &f, warning, sizeof warning, errstr, errstr_size);
    if (!rc && *warning) cw_log_warn("%s", warning);
    free(policy);
    return rc;
}

int cw_internal_topics_ensure(rd_kafka_conf_t *admin_conf, const cw_internal_topic_t *topics,
                              size_t n, int timeout_ms, char *errstr, size_t errstr_size) {
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, admin_conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(admin_conf);
        snprintf(errstr, errstr_size, "internal topics: cannot create an admin client: %s", err);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++)
        if (topics[i].name) rc = ensure_one(rk, &topics[i], timeout_ms, errstr, errstr_size);
    rd_kafka_destroy(rk);
    return rc;
}

void cw_internal_topic_from_config(const cw_config_t *config, const char *prefix,
                                   cw_internal_topic_t *t) {
    char k[64];
    int config_topic = strcmp(prefix, "config.storage.") == 0;
    snprintf(k, sizeof k, "%stopic", prefix);
    const char *name = cw_config_get(config, k);
    *t = (cw_internal_topic_t){
        .name = name && *name ? name : NULL, .single_partition = config_topic, .partitions = 1};
    static const char *const keys[] = {"config.storage.topic", "offset.storage.topic",
                                       "status.storage.topic"};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(keys[i], k) == 0) t->key = keys[i];
    if (!config_topic) {
        snprintf(k, sizeof k, "%spartitions", prefix);
        t->partitions = (int)cw_config_get_int(config, k, 0);
    }
    snprintf(k, sizeof k, "%sreplication.factor", prefix);
    t->replication_factor = (int)cw_config_get_int(config, k, 0);
}

void cw_internal_topics_validate(const cw_config_t *config, const char *origin,
                                 cw_errlist_t *errs) {
    static const char *const keys[] = {"offset.storage.partitions", "status.storage.partitions",
                                       "config.storage.replication.factor",
                                       "offset.storage.replication.factor",
                                       "status.storage.replication.factor"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (cw_config_get_int(config, keys[i], 0) == 0 && !cw_errlist_has_key(errs, keys[i], 0))
            cw_errlist_add_key(errs, keys[i],
                               "%s: %s: must be positive, or -1 for the broker's default", origin,
                               keys[i]);
}
