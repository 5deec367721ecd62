/*
 * The state of a config.storage.topic, rebuilt from its records in order as Kafka Connect's
 * KafkaConfigBackingStore does (its ClusterConfigState): connector configurations, target
 * states, task configurations that take effect only at their connector's commit record,
 * connectors left inconsistent (a commit whose task configs are not all there, e.g. after
 * compaction), the session key. A distributed herder feeds it what a cw_klog reads and asks it
 * what to run.
 *
 * Not thread-safe: one thread applies records and queries (the herder's). Strings returned
 * are owned by the state and valid until the next cw_config_state_apply or _free.
 */
#ifndef CW_STORAGE_CONFIG_STATE_H
#define CW_STORAGE_CONFIG_STATE_H
#include <stddef.h>
#include <stdint.h>

#include "props.h"
#include "storage/connect_formats.h"

typedef struct cw_config_state cw_config_state_t;

/** What one record changed, for the herder to act on (Kafka's ConfigUpdateListener). */
typedef struct cw_config_change {
    cw_cf_config_kind_t kind;       /* the record's kind; CW_CF_CONFIG_UNKNOWN: nothing changed */
    char *connector;                /* malloc'd; NULL for the session key */
    int removed;                    /* a connector config or target state tombstone */
    int include_tasks, only_failed; /* a restart request */
} cw_config_change_t;
void cw_config_change_clear(cw_config_change_t *c);

cw_config_state_t *cw_config_state_new(void);
void cw_config_state_free(cw_config_state_t *s);

/** Applies the record at `offset` (value NULL or empty: a tombstone). Returns 0 with *change
 *  filled (clear it), or -1 with errstr for a record Kafka would log and ignore (unknown
 *  key, a value not in the format); the state is then unchanged except its offset. */
int cw_config_state_apply(cw_config_state_t *s, const void *key, size_t key_len, const void *value,
                          size_t value_len, int64_t offset, cw_config_change_t *change,
                          char *errstr, size_t errstr_size);

/** The offset after the last record applied (ClusterConfigState.offset()), -1 before any. */
int64_t cw_config_state_offset(const cw_config_state_t *s);

/** Connectors with a configuration, in the order they first appeared. */
size_t cw_config_state_connector_count(const cw_config_state_t *s);
const char *cw_config_state_connector_at(const cw_config_state_t *s, size_t i);
/** The connector's configuration, or NULL when it has none. */
const cw_props_t *cw_config_state_connector_config(const cw_config_state_t *s, const char *name);
/** STARTED when the connector has no target-state record. */
cw_cf_target_state_t cw_config_state_target(const cw_config_state_t *s, const char *name);
/** The committed task count: tasks 0..n-1 have configs; 0 when inconsistent or none committed
 *  (ClusterConfigState.tasks() is empty then). */
int cw_config_state_task_count(const cw_config_state_t *s, const char *name);
/** Task `task`'s committed configuration, or NULL. */
const cw_props_t *cw_config_state_task_config(const cw_config_state_t *s, const char *name,
                                              int task);
/** 1 when the connector's last commit did not find all its task configs. */
int cw_config_state_inconsistent(const cw_config_state_t *s, const char *name);
/** The task count of the connector's last tasks-fencing record, or -1. */
int cw_config_state_task_count_record(const cw_config_state_t *s, const char *name);
/** The last session key, or NULL. */
const cw_cf_session_key_t *cw_config_state_session_key(const cw_config_state_t *s);
#endif
