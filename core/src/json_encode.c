/*
 * Compact JSON encoder over jansson values.
 *
 * Why not json_dumps: jansson writes every real with 17 significant digits, so -89.9787 comes
 * out as -89.978700000000003. Records that pass through a transform would then change their
 * numbers' text, and objects written to S3 would not match the input. This encoder writes each
 * real in the shortest form that strtod reads back to the same double, and otherwise produces
 * what json_dumps(JSON_COMPACT) would (keys in insertion order, RFC 8259 string escapes).
 */
#include "json_encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} sbuf_t;

static void put(sbuf_t *b, const char *s, size_t n) {
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) cap *= 2;
        char *nb = realloc(b->buf, cap);
        if (!nb) {
            b->failed = 1;
            return;
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void put_str(sbuf_t *b, const char *s) { put(b, s, strlen(s)); }

void cw_json_format_real(double d, char *buf, size_t size) {
    static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(buf, size, formats[i], d);
        if (strtod(buf, NULL) == d) break;
    }
    /* A real must stay a real when read back: 1.0 would otherwise print as "1". */
    if (!strpbrk(buf, ".eEn")) {
        size_t n = strlen(buf);
        if (n + 3 <= size) memcpy(buf + n, ".0", 3);
    }
}

static void put_string(sbuf_t *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
                u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
                esc = u;
            }
        }
        if (esc) {
            put(b, s + i - run, run);
            run = 0;
            put_str(b, esc);
        } else {
            run++;
        }
    }
    put(b, s + n - run, run);
    put(b, "\"", 1);
}

static void encode(sbuf_t *b, const json_t *v, int depth) {
    char num[64];
    if (depth > 2048) {
        b->failed = 1;
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        int first = 1;
        put(b, "{", 1);
        /* jansson keeps insertion order; json_object_foreach needs a non-const object. */
        json_object_foreach((json_t *)v, key, item) {
            if (!first) put(b, ",", 1);
            first = 0;
            put_string(b, key, strlen(key));
            put(b, ":", 1);
            encode(b, item, depth + 1);
        }
        put(b, "}", 1);
        break;
    }
    case JSON_ARRAY:
        put(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) put(b, ",", 1);
            encode(b, json_array_get(v, i), depth + 1);
        }
        put(b, "]", 1);
        break;
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put_str(b, num);
        break;
    case JSON_REAL:
        cw_json_format_real(json_real_value(v), num, sizeof num);
        put_str(b, num);
        break;
    case JSON_TRUE: put_str(b, "true"); break;
    case JSON_FALSE: put_str(b, "false"); break;
    case JSON_NULL: put_str(b, "null"); break;
    }
}

char *cw_json_encode(const json_t *value, size_t *len) {
    sbuf_t b = {0};
    if (value)
        encode(&b, value, 0);
    else
        put_str(&b, "null");
    if (b.failed) {
        free(b.buf);
        return NULL;
    }
    if (len) *len = b.len;
    return b.buf;
}
