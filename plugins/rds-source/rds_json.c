#include "rds_json.h"
#include "rds_confluent.h"
#include <stdlib.h>
#include <string.h>

#define BINARY_CHARSET 63

static int is_binary(const MYSQL_FIELD *f) {
    return f->charsetnr == BINARY_CHARSET && !(f->flags & (ENUM_FLAG | SET_FLAG));
}

/* BIT(n) arrives as n/8 big-endian bytes in the text protocol. */
static int put_bit(cw_sdk_buf_t *b, const char *v, unsigned long len) {
    unsigned long long x = 0;
    if (len > 8) return rds_buf_json_base64(b, (const unsigned char *)v, len);
    for (unsigned long i = 0; i < len; i++) x = (x << 8) | (unsigned char)v[i];
    return cw_sdk_buf_printf(b, "%llu", x);
}

/* The declared precision of a DECIMAL column: the display length less the point and the
 * sign. */
static unsigned long decimal_precision(const MYSQL_FIELD *f) {
    unsigned long p = f->length;
    if (f->decimals > 0 && p > 0) p--;
    if (!(f->flags & UNSIGNED_FLAG) && p > 0) p--;
    return p;
}

static int put_decimal(cw_sdk_buf_t *b, const MYSQL_FIELD *f, const char *v, unsigned long len,
                       rds_numeric_t mode) {
    if (!rds_json_number_ok(v, len)) return cw_sdk_buf_json_string(b, v, len, 0, NULL);
    if (mode == RDS_NUM_BEST_FIT_EAGER_DOUBLE) return cw_sdk_buf_append(b, v, len);
    /* Decided per column, so a column's values keep one JSON type: a double holds 15
     * significant digits exactly; integers (scale 0) up to 18 digits fit int64 in every
     * JSON reader that keeps integers (jansson, Java, Python). */
    unsigned long p = decimal_precision(f);
    int exact = f->decimals == 0 ? p <= 18 : p <= 15;
    if (exact) return cw_sdk_buf_append(b, v, len);
    return cw_sdk_buf_json_string(b, v, len, 0, NULL);
}

static int put_datetime(cw_sdk_buf_t *b, const char *v, unsigned long len, rds_dtformat_t fmt) {
    if (fmt == RDS_DT_ISO8601 && len >= 19 && v[10] == ' ') {
        char tmp[64];
        if (len < sizeof tmp) {
            memcpy(tmp, v, len);
            tmp[10] = 'T';
            return cw_sdk_buf_json_string(b, tmp, len, 0, NULL);
        }
    }
    return cw_sdk_buf_json_string(b, v, len, 0, NULL);
}

static int put_value(cw_sdk_buf_t *b, const MYSQL_FIELD *f, const char *v, unsigned long len,
                     const rds_json_opts_t *o, size_t *replaced) {
    if (!v) return cw_sdk_buf_append(b, "null", 4);
    switch (f->type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
        /* exact digits, UNSIGNED BIGINT beyond int64 included */
        if (rds_json_number_ok(v, len)) return cw_sdk_buf_append(b, v, len);
        return cw_sdk_buf_json_string(b, v, len, 0, replaced);
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
        /* the server prints the shortest form that reads back (-89.9787) */
        if (rds_json_number_ok(v, len)) return cw_sdk_buf_append(b, v, len);
        return cw_sdk_buf_json_string(b, v, len, 0, replaced);
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
        if (o->decfmt != RDS_DEC_OURS)
            return rds_put_decimal_confluent(b, v, len, decimal_precision(f), f->decimals,
                                             o->numeric, o->decfmt);
        return put_decimal(b, f, v, len, o->numeric);
    case MYSQL_TYPE_BIT: return put_bit(b, v, len);
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP2:
    case MYSQL_TYPE_DATETIME2:
        if (o->tsgran != RDS_TSG_STRING)
            return rds_put_timestamp(b, v, len, o->tsgran, o->tz_offset_s);
        return put_datetime(b, v, len, o->dtformat);
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
        if (o->dtformat == RDS_DT_CONNECT) return rds_put_date(b, v, len);
        return cw_sdk_buf_json_string(b, v, len, 0, replaced);
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TIME2:
        if (o->dtformat == RDS_DT_CONNECT) return rds_put_time(b, v, len);
        return cw_sdk_buf_json_string(b, v, len, 0, replaced);
    case MYSQL_TYPE_GEOMETRY: return rds_buf_json_base64(b, (const unsigned char *)v, len);
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
        if (is_binary(f)) return rds_buf_json_base64(b, (const unsigned char *)v, len);
        return cw_sdk_buf_json_string(b, v, len, 0, replaced);
    default:
        /* DATE, TIME, ENUM, SET, JSON and anything newer: their text */
        return cw_sdk_buf_json_string(b, v, len, 0, replaced);
    }
}

/* Readable bytes kept after the keys' text and room kept after each key in the row's buffer. */
#define KEY_SLACK 16

int rds_row_keys_build(rds_row_keys_t *k, const MYSQL_FIELD *fields, unsigned nfields,
                       size_t *replaced) {
    cw_sdk_buf_reset(&k->text);
    size_t *end = realloc(k->end, (nfields ? nfields : 1) * sizeof *end);
    if (!end) return -1;
    k->end = end;
    k->n = 0;
    for (unsigned i = 0; i < nfields; i++) {
        if (cw_sdk_buf_append(&k->text, i ? "," : "{", 1) != 0 ||
            cw_sdk_buf_json_string(&k->text, fields[i].name, fields[i].name_length, 0, replaced) !=
                0 ||
            cw_sdk_buf_append(&k->text, ":", 1) != 0)
            return -1;
        k->end[i] = k->text.len;
    }
    /* KEY_SLACK readable (zero) bytes after the text: a short key is copied as KEY_SLACK bytes */
    if (cw_sdk_buf_reserve(&k->text, KEY_SLACK) != 0) return -1;
    memset(k->text.data + k->text.len, 0, KEY_SLACK);
    k->n = nfields;
    return 0;
}

void rds_row_keys_free(rds_row_keys_t *k) {
    cw_sdk_buf_free(&k->text);
    free(k->end);
    k->end = NULL;
    k->n = 0;
}

/* Is the column written as its server text escaped (is_text) or as its digits (is_int)?
 * These are the common kinds, written in place below; the rest goes through put_value. */
static int is_text(const MYSQL_FIELD *f) {
    switch (f->type) {
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR: return !is_binary(f);
    default: return 0;
    }
}
static int is_number(const MYSQL_FIELD *f) {
    switch (f->type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE: return 1;
    default: return 0;
    }
}

/* Values up to this size are escaped straight into the buffer after one reserve of their
 * worst case (6 bytes per input byte); longer ones go in pieces (cw_sdk_buf_json_string), so
 * a large TEXT never reserves 6 times its size. */
#define IN_PLACE_MAX 4096

/* One value in place when it is a common kind, else through put_value. */
static int put_field(cw_sdk_buf_t *b, const MYSQL_FIELD *f, const char *v, unsigned long len,
                     const rds_json_opts_t *o, size_t *replaced) {
    if (v && len <= IN_PLACE_MAX) {
        if (is_text(f)) {
            size_t need = CW_SDK_JSON_ESCAPE_BOUND((size_t)len) + 1;
            if (b->cap - b->len < need && cw_sdk_buf_reserve(b, need) != 0) return -1;
            b->len += cw_sdk_json_escape_to(b->data + b->len, v, len, 0, replaced);
            b->data[b->len] = '\0';
            return 0;
        }
        if (is_number(f) && rds_json_number_ok(v, len)) return cw_sdk_buf_append(b, v, len);
    }
    return put_value(b, f, v, len, o, replaced);
}

int rds_row_to_json(cw_sdk_buf_t *b, const rds_row_keys_t *keys, const MYSQL_FIELD *fields,
                    unsigned nfields, MYSQL_ROW row, const unsigned long *lengths,
                    const rds_json_opts_t *o, size_t *replaced) {
    if (nfields == 0) return cw_sdk_buf_append(b, "{}", 2);
    /* the keys are known: one reserve for them (and the closing brace) */
    if (cw_sdk_buf_reserve(b, keys->text.len + KEY_SLACK + 2) != 0) return -1;
    for (unsigned i = 0; i < nfields; i++) {
        size_t start = i ? keys->end[i - 1] : 0, klen = keys->end[i] - start;
        if (b->cap - b->len <= klen + KEY_SLACK && cw_sdk_buf_reserve(b, klen + KEY_SLACK) != 0)
            return -1;
        /* most keys are short: a copy of constant size is two moves, not a memcpy call (the
         * bytes after the key are overwritten by its value) */
        if (klen <= KEY_SLACK)
            memcpy(b->data + b->len, keys->text.data + start, KEY_SLACK);
        else
            memcpy(b->data + b->len, keys->text.data + start, klen);
        b->len += klen;
        if (put_field(b, &fields[i], row[i], lengths[i], o, replaced) != 0) return -1;
    }
    return cw_sdk_buf_append(b, "}", 1);
}
