#define _GNU_SOURCE /* asprintf */
/*
 * Kafka Connect's internal-topic formats (see connect_formats.h). Values are built as jansson
 * objects in the field order of Kafka's schemas and written by cw_json_encode, which is
 * compact like Jackson and writes integers as integers; read back with jansson.
 */
#include "storage/connect_formats.h"

#include <errno.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_encode.h"

/* ------------------------------------------------------------------------------------------
 * Shared helpers
 * ---------------------------------------------------------------------------------------- */

/* Encodes and releases `v` (built by json_pack; NULL on allocation failure). */
static char *encode_new(json_t *v, size_t *len) {
    if (!v) return NULL;
    char *s = cw_json_encode(v, len);
    json_decref(v);
    return s;
}

/* The value as a JSON object, or NULL with errstr. JsonConverter reads empty bytes as null. */
static json_t *load_object(const void *value, size_t len, const char *what, char *errstr,
                           size_t errstr_size) {
    if (!value || !len) {
        snprintf(errstr, errstr_size, "%s: the value is null", what);
        return NULL;
    }
    json_error_t err;
    json_t *v = json_loadb(value, len, JSON_DECODE_ANY, &err);
    if (!v) {
        snprintf(errstr, errstr_size, "%s: not JSON: %s (column %d)", what, err.text, err.column);
        return NULL;
    }
    if (!json_is_object(v)) {
        snprintf(errstr, errstr_size, "%s: expected a JSON object, not %.40s", what,
                 (const char *)value);
        json_decref(v);
        return NULL;
    }
    return v;
}

/* An int field that Java reads through intValue(): an integer within int's range. */
static int int_field(json_t *o, const char *field, const char *what, int *out, char *errstr,
                     size_t errstr_size) {
    json_t *f = json_object_get(o, field);
    if (!json_is_integer(f) || json_integer_value(f) < INT_MIN || json_integer_value(f) > INT_MAX) {
        snprintf(errstr, errstr_size, "%s: '%s' must be an integer", what, field);
        return -1;
    }
    *out = (int)json_integer_value(f);
    return 0;
}

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) abort();
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int starts_with(const char *s, size_t len, const char *prefix) {
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* A non-negative int written in decimal digits only; -1 when it is not one. */
static int parse_task_number(const char *s, size_t n) {
    if (!n || n > 10) return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v > INT_MAX ? -1 : (int)v;
}

/* "<name>-<n>" after a prefix: the name may hold '-'; the number follows the last one. */
static int split_task(const char *s, size_t len, char **name, int *task) {
    const char *dash = NULL;
    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == '-') {
            dash = s + i - 1;
            break;
        }
    if (!dash || dash == s) return -1;
    int t = parse_task_number(dash + 1, (size_t)(s + len - dash - 1));
    if (t < 0) return -1;
    *name = dup_n(s, (size_t)(dash - s));
    *task = t;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Config topic
 * ---------------------------------------------------------------------------------------- */

static const struct {
    cw_cf_config_kind_t kind;
    const char *prefix;
} config_prefixes[] = {
    /* KafkaConfigBackingStore's ConsumeCallback tries them in this order. */
    {CW_CF_CONFIG_TARGET_STATE, "target-state-"},
    {CW_CF_CONFIG_CONNECTOR, "connector-"},
    {CW_CF_CONFIG_TASK, "task-"},
    {CW_CF_CONFIG_COMMIT, "commit-"},
    {CW_CF_CONFIG_RESTART, "restart-connector-"},
    {CW_CF_CONFIG_TASK_COUNT, "tasks-fencing-"},
    {CW_CF_CONFIG_LOGGER, "logger-cluster-"},
};

int cw_cf_config_key_parse(const char *key, size_t len, cw_cf_config_key_t *out) {
    *out = (cw_cf_config_key_t){.kind = CW_CF_CONFIG_UNKNOWN, .task = -1};
    if (!key) return -1;
    /* Matches no prefix, so testing it first changes nothing. */
    if (len == 11 && memcmp(key, "session-key", 11) == 0) {
        out->kind = CW_CF_CONFIG_SESSION_KEY;
        return 0;
    }
    for (size_t i = 0; i < sizeof config_prefixes / sizeof *config_prefixes; i++) {
        if (!starts_with(key, len, config_prefixes[i].prefix)) continue;
        size_t n = strlen(config_prefixes[i].prefix);
        if (config_prefixes[i].kind == CW_CF_CONFIG_TASK) {
            if (split_task(key + n, len - n, &out->name, &out->task)) return -1;
        } else {
            out->name = dup_n(key + n, len - n);
        }
        out->kind = config_prefixes[i].kind;
        return 0;
    }
    return -1;
}

void cw_cf_config_key_clear(cw_cf_config_key_t *k) {
    free(k->name);
    *k = (cw_cf_config_key_t){.kind = CW_CF_CONFIG_UNKNOWN, .task = -1};
}

char *cw_cf_config_key(cw_cf_config_kind_t kind, const char *name, int task) {
    char *out = NULL;
    int rc = -1;
    if (kind == CW_CF_CONFIG_SESSION_KEY) return strdup("session-key");
    if (kind == CW_CF_CONFIG_TASK) return asprintf(&out, "task-%s-%d", name, task) < 0 ? NULL : out;
    for (size_t i = 0; i < sizeof config_prefixes / sizeof *config_prefixes; i++)
        if (config_prefixes[i].kind == kind)
            rc = asprintf(&out, "%s%s", config_prefixes[i].prefix, name);
    return rc < 0 ? NULL : out;
}

char *cw_cf_properties_encode(const cw_props_t *p, size_t *len) {
    json_t *props = json_object();
    for (size_t i = 0; props && i < cw_props_count(p); i++)
        json_object_set_new(props, cw_props_key_at(p, i), json_string(cw_props_value_at(p, i)));
    return encode_new(props ? json_pack("{s:o}", "properties", props) : NULL, len);
}

cw_props_t *cw_cf_properties_decode(const void *value, size_t len, char *errstr,
                                    size_t errstr_size) {
    json_t *o = load_object(value, len, "configuration", errstr, errstr_size);
    if (!o) return NULL;
    json_t *props = json_object_get(o, "properties");
    if (!json_is_object(props)) {
        snprintf(errstr, errstr_size, "configuration: 'properties' must be an object");
        json_decref(o);
        return NULL;
    }
    cw_props_t *p = cw_props_new();
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v) {
        if (json_is_null(v)) continue;
        if (!json_is_string(v)) {
            snprintf(errstr, errstr_size, "configuration: property '%s' is not a string", k);
            cw_props_free(p);
            json_decref(o);
            return NULL;
        }
        cw_props_set(p, k, json_string_value(v));
    }
    json_decref(o);
    return p;
}

char *cw_cf_commit_encode(int tasks, size_t *len) {
    return encode_new(json_pack("{s:i}", "tasks", tasks), len);
}

int cw_cf_commit_decode(const void *value, size_t len, int *tasks, char *errstr,
                        size_t errstr_size) {
    json_t *o = load_object(value, len, "task commit", errstr, errstr_size);
    int rc = o ? int_field(o, "tasks", "task commit", tasks, errstr, errstr_size) : -1;
    json_decref(o);
    return rc;
}

static const char *const target_names[] = {"STARTED", "PAUSED", "STOPPED"};

const char *cw_cf_target_state_name(cw_cf_target_state_t state) {
    return (unsigned)state < 3 ? target_names[state] : "STARTED";
}

char *cw_cf_target_state_encode(cw_cf_target_state_t state, size_t *len) {
    /* Workers older than KIP-875 know no STOPPED: they read "state" and pause. */
    const char *v1 = state == CW_CF_TARGET_STOPPED ? "PAUSED" : cw_cf_target_state_name(state);
    return encode_new(
        json_pack("{s:s,s:s}", "state", v1, "state.v2", cw_cf_target_state_name(state)), len);
}

int cw_cf_target_state_decode(const void *value, size_t len, cw_cf_target_state_t *state,
                              char *errstr, size_t errstr_size) {
    json_t *o = load_object(value, len, "target state", errstr, errstr_size);
    if (!o) return -1;
    json_t *s = json_object_get(o, "state.v2");
    if (!json_is_string(s)) s = json_object_get(o, "state");
    int rc = -1;
    for (int i = 0; json_is_string(s) && i < 3; i++)
        if (strcmp(json_string_value(s), target_names[i]) == 0) {
            *state = (cw_cf_target_state_t)i;
            rc = 0;
        }
    if (rc) snprintf(errstr, errstr_size, "target state: no valid 'state.v2' or 'state'");
    json_decref(o);
    return rc;
}

char *cw_cf_restart_encode(int include_tasks, int only_failed, size_t *len) {
    return encode_new(
        json_pack("{s:b,s:b}", "include-tasks", include_tasks, "only-failed", only_failed), len);
}

int cw_cf_restart_decode(const void *value, size_t len, int *include_tasks, int *only_failed,
                         char *errstr, size_t errstr_size) {
    json_t *o = load_object(value, len, "restart request", errstr, errstr_size);
    if (!o) return -1;
    *include_tasks = json_is_true(json_object_get(o, "include-tasks"));
    *only_failed = json_is_true(json_object_get(o, "only-failed"));
    json_decref(o);
    return 0;
}

char *cw_cf_task_count_encode(int task_count, size_t *len) {
    return encode_new(json_pack("{s:i}", "task-count", task_count), len);
}

int cw_cf_task_count_decode(const void *value, size_t len, int *task_count, char *errstr,
                            size_t errstr_size) {
    json_t *o = load_object(value, len, "task count", errstr, errstr_size);
    int rc = o ? int_field(o, "task-count", "task count", task_count, errstr, errstr_size) : -1;
    json_decref(o);
    return rc;
}

char *cw_cf_session_key_encode(const cw_cf_session_key_t *k, size_t *len) {
    return encode_new(json_pack("{s:s,s:s,s:I}", "key", k->key, "algorithm", k->algorithm,
                                "creation-timestamp", (json_int_t)k->creation_timestamp_ms),
                      len);
}

int cw_cf_session_key_decode(const void *value, size_t len, cw_cf_session_key_t *out, char *errstr,
                             size_t errstr_size) {
    *out = (cw_cf_session_key_t){0};
    json_t *o = load_object(value, len, "session key", errstr, errstr_size);
    if (!o) return -1;
    json_t *k = json_object_get(o, "key"), *a = json_object_get(o, "algorithm"),
           *t = json_object_get(o, "creation-timestamp");
    int rc = -1;
    if (!json_is_string(k) || !json_is_string(a) || !json_is_integer(t)) {
        snprintf(errstr, errstr_size,
                 "session key: needs string 'key' and 'algorithm' and an "
                 "integer 'creation-timestamp'");
    } else {
        out->key = strdup(json_string_value(k));
        out->algorithm = strdup(json_string_value(a));
        out->creation_timestamp_ms = json_integer_value(t);
        rc = 0;
    }
    json_decref(o);
    return rc;
}

void cw_cf_session_key_clear(cw_cf_session_key_t *k) {
    free(k->key);
    free(k->algorithm);
    *k = (cw_cf_session_key_t){0};
}

/* ------------------------------------------------------------------------------------------
 * Status topic
 * ---------------------------------------------------------------------------------------- */

int cw_cf_status_key_parse(const char *key, size_t len, cw_cf_status_key_t *out) {
    *out = (cw_cf_status_key_t){.kind = CW_CF_STATUS_UNKNOWN, .task = -1};
    static const char conn[] = "status-connector-", task[] = "status-task-",
                      topic[] = "status-topic-", sep[] = ":connector-";
    if (!key) return -1;
    if (starts_with(key, len, conn)) {
        if (len == sizeof conn - 1) return -1; /* Kafka: "invalid connector status key" */
        out->name = dup_n(key + sizeof conn - 1, len - (sizeof conn - 1));
        out->kind = CW_CF_STATUS_CONNECTOR;
        return 0;
    }
    if (starts_with(key, len, task)) {
        size_t n = sizeof task - 1;
        if (split_task(key + n, len - n, &out->name, &out->task)) return -1;
        out->kind = CW_CF_STATUS_TASK;
        return 0;
    }
    if (starts_with(key, len, topic)) {
        const char *t = key + sizeof topic - 1, *end = key + len;
        const char *colon = memchr(t, ':', (size_t)(end - t));
        if (!colon || colon == t || !starts_with(colon, (size_t)(end - colon), sep) ||
            colon + sizeof sep - 1 == end)
            return -1;
        out->topic = dup_n(t, (size_t)(colon - t));
        out->name = dup_n(colon + sizeof sep - 1, (size_t)(end - colon - (sizeof sep - 1)));
        out->kind = CW_CF_STATUS_TOPIC;
        return 0;
    }
    return -1;
}

void cw_cf_status_key_clear(cw_cf_status_key_t *k) {
    free(k->name);
    free(k->topic);
    *k = (cw_cf_status_key_t){.kind = CW_CF_STATUS_UNKNOWN, .task = -1};
}

char *cw_cf_status_key(const char *name, int task) {
    char *out = NULL;
    int rc = task < 0 ? asprintf(&out, "status-connector-%s", name)
                      : asprintf(&out, "status-task-%s-%d", name, task);
    return rc < 0 ? NULL : out;
}

char *cw_cf_status_encode(const cw_cf_status_t *s, size_t *len) {
    /* STATUS_SCHEMA_V0's order; an absent trace is written as null, as JsonConverter does for
     * an optional field. */
    return encode_new(json_pack("{s:s,s:s?,s:s,s:i}", "state", s->state, "trace", s->trace,
                                "worker_id", s->worker_id ? s->worker_id : "", "generation",
                                (int)s->generation),
                      len);
}

static int valid_status_state(const char *s) {
    static const char *const states[] = {"UNASSIGNED", "RUNNING",    "PAUSED", "FAILED",
                                         "DESTROYED",  "RESTARTING", "STOPPED"};
    for (size_t i = 0; i < sizeof states / sizeof *states; i++)
        if (strcmp(s, states[i]) == 0) return 1;
    return 0;
}

int cw_cf_status_decode(const void *value, size_t len, cw_cf_status_t *out, char *errstr,
                        size_t errstr_size) {
    *out = (cw_cf_status_t){0};
    json_t *o = load_object(value, len, "status", errstr, errstr_size);
    if (!o) return -1;
    json_t *st = json_object_get(o, "state"), *tr = json_object_get(o, "trace"),
           *w = json_object_get(o, "worker_id"), *g = json_object_get(o, "generation");
    int rc = -1;
    if (!json_is_string(st) || !valid_status_state(json_string_value(st)))
        snprintf(errstr, errstr_size, "status: 'state' is not a Kafka Connect state");
    else if (tr && !json_is_null(tr) && !json_is_string(tr))
        snprintf(errstr, errstr_size, "status: 'trace' must be a string or null");
    else if (!json_is_string(w))
        snprintf(errstr, errstr_size, "status: 'worker_id' must be a string");
    else if (!json_is_integer(g) || json_integer_value(g) < INT32_MIN ||
             json_integer_value(g) > INT32_MAX)
        snprintf(errstr, errstr_size, "status: 'generation' must be an integer");
    else {
        out->state = strdup(json_string_value(st));
        out->trace = json_is_string(tr) ? strdup(json_string_value(tr)) : NULL;
        out->worker_id = strdup(json_string_value(w));
        out->generation = (int32_t)json_integer_value(g);
        rc = 0;
    }
    json_decref(o);
    return rc;
}

void cw_cf_status_clear(cw_cf_status_t *s) {
    free(s->state);
    free(s->trace);
    free(s->worker_id);
    *s = (cw_cf_status_t){0};
}

/* ------------------------------------------------------------------------------------------
 * Offsets topic
 * ---------------------------------------------------------------------------------------- */

char *cw_cf_offset_key_encode(const char *connector, const char *partition_json, size_t *len) {
    json_t *p = json_loads(partition_json, 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        return NULL;
    }
    return encode_new(json_pack("[s,o]", connector, p), len);
}

int cw_cf_offset_key_decode(const void *key, size_t len, char **connector, char **partition_json,
                            char *errstr, size_t errstr_size) {
    *connector = *partition_json = NULL;
    json_error_t err;
    json_t *k = key && len ? json_loadb(key, len, JSON_DECODE_ANY, &err) : NULL;
    if (!k) {
        snprintf(errstr, errstr_size, "offset key: not JSON");
        return -1;
    }
    int rc = -1;
    if (!json_is_array(k) || json_array_size(k) != 2)
        snprintf(errstr, errstr_size, "offset key: expected [connector, partition]");
    else if (!json_is_string(json_array_get(k, 0)))
        snprintf(errstr, errstr_size, "offset key: the connector name is not a string");
    else if (!json_is_object(json_array_get(k, 1)))
        snprintf(errstr, errstr_size, "offset key: the source partition is not an object");
    else if (!(*partition_json = cw_json_encode(json_array_get(k, 1), NULL)))
        snprintf(errstr, errstr_size, "offset key: cannot encode the source partition");
    else {
        *connector = strdup(json_string_value(json_array_get(k, 0)));
        rc = 0;
    }
    json_decref(k);
    return rc;
}

int cw_cf_offset_value_decode(const void *value, size_t len, char **offset_json, char *errstr,
                              size_t errstr_size) {
    *offset_json = NULL;
    if (!value || !len) return 0; /* tombstone */
    json_t *o = load_object(value, len, "offset", errstr, errstr_size);
    if (!o) return -1;
    *offset_json = cw_json_encode(o, NULL);
    json_decref(o);
    if (!*offset_json) snprintf(errstr, errstr_size, "offset: cannot encode");
    return *offset_json ? 0 : -1;
}

int32_t cw_cf_java_partition(const void *key, size_t len, int32_t partitions) {
    /* The partitioner ignores its topic and opaque arguments. */
    return rd_kafka_msg_partitioner_murmur2(NULL, key, len, partitions, NULL, NULL);
}
