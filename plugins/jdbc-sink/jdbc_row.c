/* Records to rows: which columns a record gives, by pk.mode (Confluent's FieldsMetadata). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jdbc_sink.h"

static const char *const kafka_pk[] = {"__connect_topic", "__connect_partition",
                                       "__connect_offset"};

jdbc_type_t jdbc_json_type(const json_t *v) {
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_TRUE:
    case JSON_FALSE: return JDBC_T_BOOL;
    case JSON_INTEGER: return JDBC_T_INT64;
    case JSON_REAL: return JDBC_T_DOUBLE;
    case JSON_STRING: return JDBC_T_STRING;
    case JSON_OBJECT:
    case JSON_ARRAY: return JDBC_T_JSON;
    default: return JDBC_T_NONE;
    }
}

void jdbc_row_clear(jdbc_row_t *row) {
    free(row->names); /* the block of names, vals and types */
    json_decref(row->own);
    json_decref(row->parsed);
    json_decref(row->decoded);
    jdbc_fields_clear(&row->fields);
    free(row->own_names);
    free(row->bad);
    memset(row, 0, sizeof *row);
}

static int has(const char *const *list, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0) return 1;
    return 0;
}

static int add(jdbc_row_t *row, size_t cap, const char *name, json_t *v) {
    if (row->n >= cap) return -1;
    for (size_t i = 0; i < row->n; i++)
        if (strcmp(row->names[i], name) == 0) return 0;
    row->names[row->n] = name;
    row->vals[row->n] = v;
    row->types[row->n] = jdbc_json_type(v);
    row->n++;
    return 0;
}

/* The key columns of pk.mode=record_key. */
static int key_columns(jdbc_task_t *t, cw_record_t *r, jdbc_row_t *row, size_t cap, char *errstr,
                       size_t n) {
    const jdbc_settings_t *s = &t->s;
    json_t *key = t->h->record_key_json(r, errstr, n);
    if (!key) return CW_ERR_RECORD;
    if (json_is_null(key)) {
        snprintf(errstr, n, "the record has no key, and pk.mode=record_key needs one");
        return CW_ERR_RECORD;
    }
    if (!json_is_object(key)) {
        if (s->n_pk_fields != 1) {
            snprintf(errstr, n,
                     "pk.fields must name exactly one column when the record key "
                     "is a primitive (pk.mode=record_key), it names %zu",
                     s->n_pk_fields);
            return CW_ERR_FATAL;
        }
        return add(row, cap, s->pk_fields[0], key) == 0 ? CW_OK : CW_ERR_FATAL;
    }
    if (s->pk_fields) {
        for (size_t i = 0; i < s->n_pk_fields; i++) {
            json_t *v = json_object_get(key, s->pk_fields[i]);
            if (!v || json_is_null(v)) {
                snprintf(errstr, n, "key field '%s' (pk.fields) is missing or null",
                         s->pk_fields[i]);
                return CW_ERR_RECORD;
            }
            add(row, cap, s->pk_fields[i], v);
        }
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(key, k, v) add(row, cap, k, v);
    }
    return CW_OK;
}

static int kafka_columns(jdbc_task_t *t, cw_record_t *r, jdbc_row_t *row, size_t cap) {
    const char *const *names = t->s.pk_fields ? t->s.pk_fields : kafka_pk;
    row->own = json_array();
    json_array_append_new(row->own, json_string(t->h->record_topic(r)));
    json_array_append_new(row->own, json_integer(t->h->record_partition(r)));
    json_array_append_new(row->own, json_integer(t->h->record_offset(r)));
    if (json_array_size(row->own) != 3) return CW_ERR_FATAL;
    for (size_t i = 0; i < 3; i++) add(row, cap, names[i], json_array_get(row->own, i));
    row->types[1] = JDBC_T_INT32;
    return CW_OK;
}

/* pk.mode=record_value: pk.fields, or every field of the value. */
static int value_key_columns(jdbc_task_t *t, const jdbc_fields_t *value, jdbc_row_t *row,
                             size_t cap, char *errstr, size_t n) {
    if (!t->s.pk_fields) {
        for (size_t i = 0; i < value->n; i++) add(row, cap, value->names[i], value->vals[i]);
        return CW_OK;
    }
    for (size_t i = 0; i < t->s.n_pk_fields; i++) {
        json_t *v = jdbc_fields_get(value, t->s.pk_fields[i]);
        if (!v || json_is_null(v)) {
            snprintf(errstr, n, "value field '%s' (pk.fields) is missing or null",
                     t->s.pk_fields[i]);
            return CW_ERR_RECORD;
        }
        add(row, cap, t->s.pk_fields[i], v);
    }
    return CW_OK;
}

/* One allocation for the three arrays (names owns it). */
static int alloc_row(jdbc_row_t *row, size_t cap) {
    char *block = malloc(cap * (sizeof *row->names + sizeof *row->vals + sizeof *row->types));
    if (!block) return -1;
    row->names = (const char **)block;
    row->vals = (json_t **)(block + cap * sizeof *row->names);
    row->types = (jdbc_type_t *)(block + cap * (sizeof *row->names + sizeof *row->vals));
    return 0;
}

/* The value's fields into row->fields: yajl's flat path when the value is schemaless JSON
 * text, else the host's jansson tree. CW_OK, or CW_ERR_RECORD / CW_ERR_FATAL with errstr. */
static int value_fields(jdbc_task_t *t, cw_record_t *r, jdbc_row_t *row, char *errstr, size_t n) {
    size_t len = 0;
    const void *text =
        CW_HOST_HAS(t->h, record_value_json_text) ? t->h->record_value_json_text(r, &len) : NULL;
    if (text && jdbc_fields_parse(&row->fields, text, len)) return CW_OK;
    json_t *value = jdbc_value_object(t, r, &row->parsed, errstr, n);
    if (!value) return CW_ERR_RECORD;
    if (!json_is_object(value)) {
        snprintf(errstr, n, "the value is a JSON %s, not an object of fields",
                 json_is_array(value)    ? "array"
                 : json_is_string(value) ? "string"
                 : json_is_null(value)   ? "null"
                                         : "scalar");
        return CW_ERR_RECORD;
    }
    if (jdbc_fields_from_object(&row->fields, value) != 0) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    return CW_OK;
}

int jdbc_row_build(jdbc_task_t *t, cw_record_t *r, jdbc_row_t *row, char *errstr, size_t n) {
    const jdbc_settings_t *s = &t->s;
    memset(row, 0, sizeof *row);
    row->rec = r;
    size_t vlen = 0;
    int tombstone = t->h->record_value(r, &vlen) == NULL;
    if (tombstone && !s->delete_enabled) {
        snprintf(errstr, n,
                 "the record has a null value (a tombstone) and delete.enabled is "
                 "false");
        return CW_ERR_RECORD;
    }
    int rc = tombstone ? CW_OK : value_fields(t, r, row, errstr, n);
    if (rc != CW_OK) return rc;
    const jdbc_fields_t *value = &row->fields;
    size_t cap = 3 + value->n;
    json_t *key = s->pk_mode == JDBC_PK_RECORD_KEY ? t->h->record_key_json(r, errstr, n) : NULL;
    if (json_is_object(key))
        cap += json_object_size(key);
    else if (key)
        cap += 1;
    if (alloc_row(row, cap) != 0) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    if (s->pk_mode == JDBC_PK_KAFKA)
        rc = kafka_columns(t, r, row, cap);
    else if (s->pk_mode == JDBC_PK_RECORD_KEY)
        rc = key_columns(t, r, row, cap, errstr, n);
    else if (s->pk_mode == JDBC_PK_RECORD_VALUE)
        rc = value_key_columns(t, value, row, cap, errstr, n);
    if (rc != CW_OK) return rc;
    row->nkeys = row->n;
    if (tombstone) {
        row->op = JDBC_OP_DELETE;
        return CW_OK;
    }
    for (size_t i = 0; i < value->n; i++) {
        if (s->whitelist && !has(s->whitelist, s->n_whitelist, value->names[i])) continue;
        add(row, cap, value->names[i], value->vals[i]);
    }
    if (row->n == 0) {
        snprintf(errstr, n, "the record gives no column to write (empty value%s)",
                 s->whitelist ? " or none of fields.whitelist" : "");
        return CW_ERR_RECORD;
    }
    return jdbc_schema_apply(t, row, errstr, n) == 0 ? CW_OK : CW_ERR_RECORD;
}
