/*
 * Kafka Connect's internal topics (config.storage.topic, offset.storage.topic,
 * status.storage.topic): created compacted when missing, checked when present, with the admin
 * API, as Kafka Connect's TopicAdmin and KafkaTopicBasedBackingStore do.
 */
#ifndef CW_STORAGE_INTERNAL_TOPICS_H
#define CW_STORAGE_INTERNAL_TOPICS_H
#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "config.h"

/** One internal topic as the worker file describes it. */
typedef struct cw_internal_topic {
    const char *key;        /* the worker key naming it, e.g. "offset.storage.topic" */
    const char *name;       /* the topic */
    int partitions;         /* for creation; -1: the broker's default */
    int replication_factor; /* for creation; -1: the broker's default */
    int single_partition;   /* the config topic: more than one partition is refused */
} cw_internal_topic_t;

/** What the cluster says about a topic. */
typedef struct cw_topic_facts {
    int exists;
    int partitions;
    const char *cleanup_policy; /* NULL: unknown (DescribeConfigs refused or unsupported) */
} cw_topic_facts_t;

/** The decision about an existing topic: 0 when it may be used (`warning` set to "" or to
 *  what should be logged), -1 when it must be refused (errstr says why, naming the key and
 *  topic). Kafka refuses a topic whose cleanup.policy is not exactly compact; issue 13 asks
 *  for a warning, which is what this does. */
int cw_internal_topic_check(const cw_internal_topic_t *t, const cw_topic_facts_t *f, char *warning,
                            size_t warning_size, char *errstr, size_t errstr_size);

/** Makes sure each topic is usable: created with cleanup.policy=compact when missing
 *  (CreateTopics; a topic that another worker created meanwhile is fine), checked with
 *  cw_internal_topic_check when present (partitions from Metadata, cleanup.policy from
 *  DescribeConfigs). When the cluster cannot create topics (the broker does not support
 *  CreateTopics, or the principal may not), this is logged and the topic is assumed to be
 *  auto-created, as Kafka Connect does. Takes ownership of `admin_conf`. Returns 0, or -1
 *  with errstr naming the worker key and topic. */
int cw_internal_topics_ensure(rd_kafka_conf_t *admin_conf, const cw_internal_topic_t *topics,
                              size_t n, int timeout_ms, char *errstr, size_t errstr_size);

/** Fills `t` from the worker keys <prefix>topic, <prefix>partitions (absent for the config
 *  topic: always 1) and <prefix>replication.factor; t->name is NULL when the topic key is not
 *  set. `prefix` is "config.storage.", "offset.storage." or "status.storage."; the strings
 *  stay owned by `config`. */
void cw_internal_topic_from_config(const cw_config_t *config, const char *prefix,
                                   cw_internal_topic_t *t);

/** --validate's checks of those keys: partitions and replication factor are positive or -1.
 *  One error per bad key, prefixed with `origin`. */
void cw_internal_topics_validate(const cw_config_t *config, const char *origin, cw_errlist_t *errs);
#endif
