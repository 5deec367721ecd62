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

#include "connect-worker/sdk_buf.h"
#include "connect-worker/sdk_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    cw_sdk_buf_t out;
    int failed;
} sbuf_t;

static void put(sbuf_t *b, const char *s, size_t n) {
    if (!b->failed && cw_sdk_buf_append(&b->out, s, n) != 0) b->failed = 1;
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

/* jansson's strings are valid UTF-8, so the SDK's escaper replaces nothing here. */
static void put_string(sbuf_t *b, const char *s, size_t n) {
    if (!b->failed && cw_sdk_buf_json_string(&b->out, s, n, 0, NULL) != 0) b->failed = 1;
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
    case JSON_STRING: put_string(b, json_string_value(v), json_string_length(v)); break;
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
        cw_sdk_buf_free(&b.out);
        return NULL;
    }
    return cw_sdk_buf_detach(&b.out, len);
}
