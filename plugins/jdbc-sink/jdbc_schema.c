/* What the converter view says about a value, and the Kafka Connect schema of a value in
 * JsonConverter's envelope: column types beyond what JSON types tell (Confluent's dialects
 * map Connect types the same way: int8/16/32 -> INT, int64 -> BIGINT, Timestamp -> DATETIME /
 * TIMESTAMP, Date -> DATE, float32/64 -> DOUBLE, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jdbc_sink.h"

#define DECIMAL_NAME "org.apache.kafka.connect.data.Decimal"

/* The Connect type of one schema field. */
static jdbc_type_t connect_type(const json_t *f) {
    const char *type = json_string_value(json_object_get(f, "type"));
    const char *name = json_string_value(json_object_get(f, "name"));
    if (!type) return JDBC_T_NONE;
    if (name && strcmp(name, DECIMAL_NAME) == 0) return JDBC_T_DECIMAL;
    if (name && strcmp(name, "org.apache.kafka.connect.data.Timestamp") == 0)
        return JDBC_T_TIMESTAMP;
    if (name && strcmp(name, "org.apache.kafka.connect.data.Date") == 0) return JDBC_T_DATE;
    if (strcmp(type, "int8") == 0 || strcmp(type, "int16") == 0 || strcmp(type, "int32") == 0)
        return JDBC_T_INT32;
    if (strcmp(type, "int64") == 0) return JDBC_T_INT64;
    if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0 || strcmp(type, "float32") == 0 ||
        strcmp(type, "float64") == 0)
        return JDBC_T_DOUBLE;
    if (strcmp(type, "boolean") == 0) return JDBC_T_BOOL;
    if (strcmp(type, "string") == 0) return JDBC_T_STRING;
    if (strcmp(type, "struct") == 0 || strcmp(type, "array") == 0 || strcmp(type, "map") == 0)
        return JDBC_T_JSON;
    if (strcmp(type, "bytes") == 0) return JDBC_T_BYTES;
    return JDBC_T_STRING;
}

/* A Decimal's scale: the schema's "scale" parameter (a string in JsonConverter's schemas,
 * as Connect's parameters are; a number accepted too). */
static int decimal_scale(const json_t *field, int *scale) {
    const json_t *p = json_object_get(json_object_get(field, "parameters"), "scale");
    char *end = NULL;
    long v = json_is_integer(p)  ? (long)json_integer_value(p)
             : json_is_string(p) ? strtol(json_string_value(p), &end, 10)
                                 : -1000;
    if ((end && (*end || end == json_string_value(p))) || v < -100 || v > 100) return -1;
    *scale = (int)v;
    return 0;
}

/* Replaces a bytes or Decimal value of column c by its decoded form (hex digits; the
 * decimal text), kept in row->decoded. 0, or -1 with errstr naming the field. */
static int decode_value(jdbc_row_t *row, size_t c, const json_t *field, char *errstr, size_t n) {
    char why[160] = "";
    json_t *d = NULL;
    int scale = 0;
    if (json_is_null(row->vals[c])) return 0;
    if (row->types[c] == JDBC_T_BYTES)
        d = jdbc_decode_bytes(row->vals[c], why, sizeof why);
    else if (decimal_scale(field, &scale) != 0)
        snprintf(why, sizeof why, "is a Decimal whose schema has no valid scale parameter");
    else
        d = jdbc_decode_decimal(row->vals[c], scale, why, sizeof why);
    if (!d || (!row->decoded && !(row->decoded = json_array())) ||
        json_array_append_new(row->decoded, d) != 0) {
        if (!why[0]) snprintf(why, sizeof why, "out of memory");
        snprintf(errstr, n, "field '%s' %s", row->names[c], why);
        return -1;
    }
    row->vals[c] = d;
    return 0;
}

int jdbc_schema_apply(jdbc_task_t *t, jdbc_row_t *row, char *errstr, size_t n) {
    cw_data_format_t f = CW_DATA_FORMAT_INIT;
    if (!CW_HOST_HAS(t->h, record_value_format) ||
        t->h->record_value_format(row->rec, &f) != CW_OK || f.form != CW_BYTES_JSON_ENVELOPE)
        return 0;
    size_t len = 0;
    const void *bytes = t->h->record_value(row->rec, &len);
    json_t *env = bytes ? json_loadb(bytes, len, 0, NULL) : NULL;
    json_t *fields = json_object_get(json_object_get(env, "schema"), "fields");
    size_t i;
    json_t *field;
    int rc = 0;
    json_array_foreach(fields, i, field) {
        const char *name = json_string_value(json_object_get(field, "field"));
        for (size_t c = 0; rc == 0 && name && c < row->n; c++)
            if (strcmp(row->names[c], name) == 0) {
                jdbc_type_t ct = connect_type(field);
                if (ct != JDBC_T_NONE) row->types[c] = ct;
                if (ct == JDBC_T_BYTES || ct == JDBC_T_DECIMAL)
                    rc = decode_value(row, c, field, errstr, n);
            }
    }
    json_decref(env);
    return rc;
}

json_t *jdbc_value_object(jdbc_task_t *t, cw_record_t *r, json_t **owned, char *errstr, size_t n) {
    *owned = NULL;
    json_t *v = t->h->record_value_json(r, errstr, n);
    cw_data_format_t f = CW_DATA_FORMAT_INIT;
    /* StringConverter: the value is a string; a JSON object in it is the row */
    if (v && json_is_string(v) && CW_HOST_HAS(t->h, record_value_format) &&
        t->h->record_value_format(r, &f) == CW_OK && f.form == CW_BYTES_TEXT) {
        json_error_t je;
        *owned = json_loadb(json_string_value(v), json_string_length(v), 0, &je);
        if (!*owned) {
            snprintf(errstr, n,
                     "the value (StringConverter text) is not JSON: %s at "
                     "character %d",
                     je.text, je.position);
            return NULL;
        }
        return *owned;
    }
    return v;
}
