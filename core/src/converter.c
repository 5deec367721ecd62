/* Converters. Parsing happens only when something asks for JSON (see record.c); the bytes of a
 * record nobody looks inside are produced / handed to the sink unchanged. */
#include "converter.h"
#include "json_encode.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const cw_converter_names =
    "org.apache.kafka.connect.json.JsonConverter, org.apache.kafka.connect.storage."
    "StringConverter, org.apache.kafka.connect.converters.ByteArrayConverter, json, string, "
    "bytes";

int cw_converter_kind_parse(const char *name, cw_converter_kind_t *kind) {
    static const struct {
        const char *name;
        cw_converter_kind_t kind;
    } names[] = {
        {"org.apache.kafka.connect.json.JsonConverter", CW_CONVERTER_JSON},
        {"JsonConverter", CW_CONVERTER_JSON},
        {"json", CW_CONVERTER_JSON},
        {"org.apache.kafka.connect.storage.StringConverter", CW_CONVERTER_STRING},
        {"StringConverter", CW_CONVERTER_STRING},
        {"string", CW_CONVERTER_STRING},
        {"org.apache.kafka.connect.converters.ByteArrayConverter", CW_CONVERTER_BYTES},
        {"ByteArrayConverter", CW_CONVERTER_BYTES},
        {"bytes", CW_CONVERTER_BYTES},
    };
    if (!name) return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0) {
            *kind = names[i].kind;
            return 0;
        }
    return -1;
}

void cw_converter_inherit(const cw_props_t *worker, cw_props_t *connector) {
    static const char *const which[] = {"key", "value"};
    char conv[64], key[64];
    for (size_t i = 0; i < 2; i++) {
        snprintf(conv, sizeof conv, "%s.converter", which[i]);
        snprintf(key, sizeof key, "%s.converter.decimal.format", which[i]);
        const char *v = cw_props_get(worker, key);
        if (v && !cw_props_get(connector, conv) && !cw_props_get(connector, key))
            cw_props_set(connector, key, v);
    }
}

static json_t *base64_string(const void *data, size_t len) {
    size_t cap = 4 * ((len + 2) / 3) + 1;
    unsigned char *b64 = malloc(cap);
    if (!b64) return NULL;
    int n = len ? EVP_EncodeBlock(b64, data, (int)len) : 0;
    json_t *s = json_stringn((const char *)b64, (size_t)n);
    free(b64);
    return s;
}

static int base64_decode(const char *text, size_t n, char **out, size_t *len) {
    if (n % 4 != 0) return -1;
    unsigned char *buf = malloc(n / 4 * 3 + 1);
    if (!buf) return -1;
    int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n) : 0;
    if (got < 0) {
        free(buf);
        return -1;
    }
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    if (n >= 1 && text[n - 1] == '=') got--;
    if (n >= 2 && text[n - 2] == '=') got--;
    *out = (char *)buf;
    *len = (size_t)got;
    return 0;
}

json_t *cw_converter_to_json(const cw_converter_t *c, const void *data, size_t len, char *errstr,
                             size_t errstr_size) {
    if (!data) return json_null();
    switch (c->kind) {
    case CW_CONVERTER_STRING: {
        json_t *s = json_stringn(data, len);
        if (!s) snprintf(errstr, errstr_size, "value is not valid UTF-8 text");
        return s;
    }
    case CW_CONVERTER_BYTES: {
        json_t *s = base64_string(data, len);
        if (!s) snprintf(errstr, errstr_size, "out of memory");
        return s;
    }
    case CW_CONVERTER_JSON: break;
    }
    json_error_t err;
    json_t *v = json_loadb(data, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v) {
        snprintf(errstr, errstr_size, "invalid JSON at byte %d: %s", err.position, err.text);
        return NULL;
    }
    if (!c->schemas_enable) return v;
    /* Kafka's JsonConverter with schemas.enable insists on exactly schema and payload. */
    json_t *payload = json_object_get(v, "payload");
    if (!json_is_object(v) || !payload || !json_object_get(v, "schema") ||
        json_object_size(v) != 2) {
        json_decref(v);
        snprintf(errstr, errstr_size,
                 "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields "
                 "and may not contain additional fields (set schemas.enable=false for plain "
                 "JSON)");
        return NULL;
    }
    json_incref(payload);
    json_decref(v);
    return payload;
}

int cw_converter_from_json(const cw_converter_t *c, const json_t *value, int envelope, char **out,
                           size_t *len, char *errstr, size_t errstr_size) {
    *out = NULL;
    *len = 0;
    if (!value || json_is_null(value)) return 0;
    if (c->kind == CW_CONVERTER_STRING && json_is_string(value)) {
        size_t n = json_string_length(value);
        *out = malloc(n + 1);
        if (!*out) goto oom;
        memcpy(*out, json_string_value(value), n + 1);
        *len = n;
        return 0;
    }
    if (c->kind == CW_CONVERTER_BYTES) {
        if (!json_is_string(value) ||
            base64_decode(json_string_value(value), json_string_length(value), out, len)) {
            snprintf(errstr, errstr_size, "ByteArrayConverter needs base64 text, got a JSON %s",
                     json_is_string(value) ? "string that is not base64" : "non-string");
            return -1;
        }
        return 0;
    }
    if (c->kind == CW_CONVERTER_JSON && c->schemas_enable && envelope) {
        json_t *env = json_pack("{s:n,s:O}", "schema", "payload", value);
        if (!env) goto oom;
        *out = cw_json_encode(env, len);
        json_decref(env);
    } else {
        *out = cw_json_encode(value, len);
    }
    if (!*out) goto oom;
    return 0;
oom:
    snprintf(errstr, errstr_size, "out of memory encoding a value");
    return -1;
}
