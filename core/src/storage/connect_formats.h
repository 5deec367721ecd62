/*
 * Kafka Connect's internal-topic formats: the keys and values a Java worker writes to
 * config.storage.topic, status.storage.topic and offset.storage.topic, so that connect-worker
 * and Kafka Connect (or MSK Connect) can share the three topics.
 *
 * Every value is JSON as Kafka Connect's internal JsonConverter writes it: schemas.enable=false
 * (no {"schema":...,"payload":...} envelope; Worker.java and ConnectDistributed.java configure
 * it so since Kafka 3.0 removed internal.value.converter), compact, struct fields in the order
 * of their schema (KafkaConfigBackingStore's *_V0/_V1 schemas, KafkaStatusBackingStore's
 * STATUS_SCHEMA_V0). Keys of the config and status topics are plain strings; offset keys are
 * JSON too. A null value (tombstone) deletes.
 *
 * Pure functions: no Kafka, no global state; every function is thread-safe. Encoders return a
 * malloc'd NUL-terminated string (free()) and set *len when len is not NULL; they return NULL
 * only on allocation failure or (offsets) on text that is not JSON. Decoders return 0, or -1
 * with errstr saying what is wrong with the value (callers add topic, partition and offset),
 * and leave nothing to free on -1.
 */
#ifndef CW_STORAGE_CONNECT_FORMATS_H
#define CW_STORAGE_CONNECT_FORMATS_H
#include <stddef.h>
#include <stdint.h>

#include "props.h"

/* ------------------------------------------------------------------------------------------
 * Config topic (KafkaConfigBackingStore)
 * ---------------------------------------------------------------------------------------- */

typedef enum cw_cf_config_kind {
    CW_CF_CONFIG_UNKNOWN = 0,  /* Kafka logs "Discarding config update record with invalid key" */
    CW_CF_CONFIG_CONNECTOR,    /* connector-<name>: {"properties":{...}}; null deletes */
    CW_CF_CONFIG_TASK,         /* task-<name>-<n>: {"properties":{...}}; applied at commit */
    CW_CF_CONFIG_COMMIT,       /* commit-<name>: {"tasks":N} */
    CW_CF_CONFIG_TARGET_STATE, /* target-state-<name>: {"state":..,"state.v2":..} */
    CW_CF_CONFIG_RESTART,      /* restart-connector-<name>: {"include-tasks":b,"only-failed":b} */
    CW_CF_CONFIG_TASK_COUNT,   /* tasks-fencing-<name>: {"task-count":N} (exactly-once sources) */
    CW_CF_CONFIG_SESSION_KEY,  /* session-key: {"key":b64,"algorithm":..,"creation-timestamp":N} */
    CW_CF_CONFIG_LOGGER,       /* logger-cluster-<namespace>: {"level":..} */
} cw_cf_config_kind_t;

/** A parsed config-topic key. `name` is malloc'd (connector name, or the logger namespace;
 *  NULL for session-key); `task` is set for CW_CF_CONFIG_TASK, else -1. */
typedef struct cw_cf_config_key {
    cw_cf_config_kind_t kind;
    char *name;
    int task;
} cw_cf_config_key_t;

/** Parses a config-topic key as Kafka does (prefixes tried in KafkaConfigBackingStore's order;
 *  task keys split at the last '-', the number must be a non-negative int). Returns 0, or -1
 *  with kind CW_CF_CONFIG_UNKNOWN for a key Kafka would discard. Free with
 *  cw_cf_config_key_clear. */
int cw_cf_config_key_parse(const char *key, size_t len, cw_cf_config_key_t *out);
void cw_cf_config_key_clear(cw_cf_config_key_t *k);
/** Builds the key of `kind` for `name` (and `task` for CW_CF_CONFIG_TASK). NULL for
 *  CW_CF_CONFIG_UNKNOWN. */
char *cw_cf_config_key(cw_cf_config_kind_t kind, const char *name, int task);

/** {"properties":{...}}: a connector's or a task's configuration, keys in `p`'s order. */
char *cw_cf_properties_encode(const cw_props_t *p, size_t *len);
/** The properties of a connector or task record. Kafka's map allows null values; such keys
 *  are left out (cw_props_t has no null). Returns a new cw_props_t or NULL with errstr. */
cw_props_t *cw_cf_properties_decode(const void *value, size_t len, char *errstr,
                                    size_t errstr_size);

/** {"tasks":N}: the task configs written before it take effect (task count N). */
char *cw_cf_commit_encode(int tasks, size_t *len);
int cw_cf_commit_decode(const void *value, size_t len, int *tasks, char *errstr,
                        size_t errstr_size);

typedef enum cw_cf_target_state {
    CW_CF_TARGET_STARTED = 0,
    CW_CF_TARGET_PAUSED,
    CW_CF_TARGET_STOPPED,
} cw_cf_target_state_t;

/** {"state":S,"state.v2":S2}: STOPPED is written as "state":"PAUSED" for workers older than
 *  KIP-875, with "state.v2":"STOPPED". */
char *cw_cf_target_state_encode(cw_cf_target_state_t state, size_t *len);
/** Reads "state.v2" when it is a string, else "state" (Kafka's order). */
int cw_cf_target_state_decode(const void *value, size_t len, cw_cf_target_state_t *state,
                              char *errstr, size_t errstr_size);
/** "STARTED", "PAUSED", "STOPPED". */
const char *cw_cf_target_state_name(cw_cf_target_state_t state);

/** {"include-tasks":b,"only-failed":b}. Decoding takes a missing or non-boolean field as
 *  false, as Kafka does (with a warning there); it fails only on a value that is not an
 *  object. */
char *cw_cf_restart_encode(int include_tasks, int only_failed, size_t *len);
int cw_cf_restart_decode(const void *value, size_t len, int *include_tasks, int *only_failed,
                         char *errstr, size_t errstr_size);

/** {"task-count":N}. */
char *cw_cf_task_count_encode(int task_count, size_t *len);
int cw_cf_task_count_decode(const void *value, size_t len, int *task_count, char *errstr,
                            size_t errstr_size);

/** The REST session key the leader distributes. `key` is base64 (Java's Base64 encoder);
 *  both strings malloc'd by decode, freed by cw_cf_session_key_clear. */
typedef struct cw_cf_session_key {
    char *key;
    char *algorithm; /* e.g. HmacSHA256 */
    int64_t creation_timestamp_ms;
} cw_cf_session_key_t;
char *cw_cf_session_key_encode(const cw_cf_session_key_t *k, size_t *len);
int cw_cf_session_key_decode(const void *value, size_t len, cw_cf_session_key_t *out, char *errstr,
                             size_t errstr_size);
void cw_cf_session_key_clear(cw_cf_session_key_t *k);

/* ------------------------------------------------------------------------------------------
 * Status topic (KafkaStatusBackingStore)
 * ---------------------------------------------------------------------------------------- */

typedef enum cw_cf_status_kind {
    CW_CF_STATUS_UNKNOWN = 0,
    CW_CF_STATUS_CONNECTOR, /* status-connector-<name> */
    CW_CF_STATUS_TASK,      /* status-task-<name>-<n> */
    CW_CF_STATUS_TOPIC,     /* status-topic-<topic>:connector-<name> (KIP-558 active topics) */
} cw_cf_status_kind_t;

/** A parsed status-topic key: `name` (connector) and, for topic keys, `topic` malloc'd;
 *  `task` set for task keys, else -1. */
typedef struct cw_cf_status_key {
    cw_cf_status_kind_t kind;
    char *name;
    char *topic;
    int task;
} cw_cf_status_key_t;
int cw_cf_status_key_parse(const char *key, size_t len, cw_cf_status_key_t *out);
void cw_cf_status_key_clear(cw_cf_status_key_t *k);
/** status-connector-<name> (task < 0) or status-task-<name>-<task>. */
char *cw_cf_status_key(const char *name, int task);

/** A connector's or task's status. `state` is one of UNASSIGNED, RUNNING, PAUSED, FAILED,
 *  DESTROYED, RESTARTING, STOPPED; `trace` may be NULL (written as null). Decode mallocs
 *  the strings; cw_cf_status_clear frees them. A DESTROYED status is written by Kafka as a
 *  tombstone, not as a value. */
typedef struct cw_cf_status {
    char *state;
    char *trace;
    char *worker_id;
    int32_t generation;
} cw_cf_status_t;
char *cw_cf_status_encode(const cw_cf_status_t *s, size_t *len);
int cw_cf_status_decode(const void *value, size_t len, cw_cf_status_t *out, char *errstr,
                        size_t errstr_size);
void cw_cf_status_clear(cw_cf_status_t *s);

/* ------------------------------------------------------------------------------------------
 * Offsets topic (OffsetStorageWriter, OffsetUtils)
 * ---------------------------------------------------------------------------------------- */

/** ["<connector>",<partition>]: `partition_json` (JSON object text) is written compactly in
 *  its own key order. NULL when partition_json is not a JSON object. */
char *cw_cf_offset_key_encode(const char *connector, const char *partition_json, size_t *len);
/** Splits an offset key as OffsetUtils.processPartitionKey checks it: a 2-element list of a
 *  string and an object. *partition_json is compact JSON in the record's key order. Both
 *  malloc'd. A null partition (which Kafka skips silently) is an error here too. */
int cw_cf_offset_key_decode(const void *key, size_t len, char **connector, char **partition_json,
                            char *errstr, size_t errstr_size);
/** An offset value: a JSON object (compact in *offset_json, malloc'd), or NULL for a tombstone
 *  (value NULL or empty, as JsonConverter reads both as null). Anything else is an error. */
int cw_cf_offset_value_decode(const void *value, size_t len, char **offset_json, char *errstr,
                              size_t errstr_size);

/* ------------------------------------------------------------------------------------------
 * Java's key partitioning
 * ---------------------------------------------------------------------------------------- */

/** The partition the Java producer's default partitioner (BuiltInPartitioner.partitionForKey:
 *  toPositive(murmur2(key)) % partitions) picks for a non-null key: librdkafka's
 *  murmur2 partitioner, the same hash `partitioner=murmur2_random` uses. */
int32_t cw_cf_java_partition(const void *key, size_t len, int32_t partitions);
#endif
