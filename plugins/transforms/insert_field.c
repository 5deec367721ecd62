/* InsertField$Key / $Value: adds the record's topic, partition, offset, timestamp and a
 * static string to a schemaless object. A field name ending in '!' is required (the record
 * fails when the metadata is missing, e.g. the offset of a source record); '?' or no
 * suffix is optional (the field is then left out). */
#include "tf.h"
#include <stdlib.h>
#include <string.h>

typedef struct ins_field {
    char *name;
    int required;
} ins_field_t;

typedef struct ins {
    tf_which_t which;
    ins_field_t topic, partition, offset, timestamp, stat;
    char *static_value;
} ins_t;

static void ins_close(void *state) {
    ins_t *s = state;
    if (!s) return;
    free(s->topic.name);
    free(s->partition.name);
    free(s->offset.name);
    free(s->timestamp.name);
    free(s->stat.name);
    free(s->static_value);
    free(s);
}

static void read_field(const cw_config_t *c, const char *key, ins_field_t *f) {
    const char *v = tf_host->config_get(c, key);
    if (!v || !*v) return;
    size_t len = strlen(v);
    if (v[len - 1] == '!' || v[len - 1] == '?') {
        f->required = v[len - 1] == '!';
        len--;
    }
    if (len) f->name = strndup(v, len);
}

static void ins_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    ins_t *s = state;
    read_field(c, "topic.field", &s->topic);
    read_field(c, "partition.field", &s->partition);
    read_field(c, "offset.field", &s->offset);
    read_field(c, "timestamp.field", &s->timestamp);
    read_field(c, "static.field", &s->stat);
    const char *sv = tf_host->config_get(c, "static.value");
    if (s->stat.name && !sv)
        tf_host->validation_error(v, "static.value",
                                  "static.value must be set when "
                                  "static.field is set");
    if (sv) s->static_value = strdup(sv);
    if (!s->topic.name && !s->partition.name && !s->offset.name && !s->timestamp.name &&
        !s->stat.name)
        tf_host->validation_error(v, "topic.field",
                                  "InsertField needs at least one of "
                                  "topic.field, partition.field, offset.field, "
                                  "timestamp.field, static.field");
}
TF_KV_CHECKED(ins_configure, ins_parse, ins_t, ins_close)
TF_KV_CONFIGURE(ins_configure)

static int missing(const ins_field_t *f, const char *what, char *e, size_t n) {
    if (!f->required) return CW_OK;
    return tf_err(e, n, CW_ERR_RECORD,
                  "InsertField: %s.field '%s' is required but the record has no %s", what, f->name,
                  what);
}

static int ins_apply(void *state, cw_record_t *r, char *e, size_t n) {
    ins_t *s = state;
    json_t *v = tf_get_mut(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    if (json_is_null(v)) return CW_OK;
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "InsertField: the %s is a JSON %s, not an object",
                      tf_which_name(s->which), tf_type_name(v));
    if (s->topic.name) json_object_set_new(v, s->topic.name, json_string(tf_host->record_topic(r)));
    if (s->partition.name)
        json_object_set_new(v, s->partition.name, json_integer(tf_host->record_partition(r)));
    if (s->offset.name) {
        int64_t off = tf_host->record_offset(r);
        if (off < 0) {
            int rc = missing(&s->offset, "offset", e, n);
            if (rc) return rc;
        } else {
            json_object_set_new(v, s->offset.name, json_integer(off));
        }
    }
    if (s->timestamp.name) {
        int64_t ts = tf_host->record_timestamp(r);
        if (ts == CW_TIMESTAMP_NONE) {
            int rc = missing(&s->timestamp, "timestamp", e, n);
            if (rc) return rc;
        } else {
            json_object_set_new(v, s->timestamp.name, json_integer(ts));
        }
    }
    if (s->stat.name) json_object_set_new(v, s->stat.name, json_string(s->static_value));
    return CW_OK;
}

static const cw_config_def_t ins_defs[] = {
    {"topic.field", CW_CFG_STRING, NULL, 0,
     "Field for the topic name; suffix ! makes it required, ? optional.", NULL, 0, 0},
    {"partition.field", CW_CFG_STRING, NULL, 0, "Field for the partition number.", NULL, 0, 0},
    {"offset.field", CW_CFG_STRING, NULL, 0, "Field for the Kafka offset (sink records only).",
     NULL, 0, 0},
    {"timestamp.field", CW_CFG_STRING, NULL, 0,
     "Field for the record timestamp (milliseconds since the epoch).", NULL, 0, 0},
    {"static.field", CW_CFG_STRING, NULL, 0, "Field for the static value.", NULL, 0, 0},
    {"static.value", CW_CFG_STRING, NULL, 0, "The static string inserted in static.field.", NULL, 0,
     0},
    TF_REPLACE_NULL_DEF,
    CW_CONFIG_END};

TF_KV_PLUGINS(insert_field, "InsertField", ins_defs, ins_configure, ins_configure_validate,
              ins_apply, ins_close,
              "Inserts topic, partition, offset, timestamp or a static value as fields")
