/* Turning records into object bytes: the line of each record (JsonFormat / ByteArrayFormat)
 * and the streaming compressors (gzip via zlib, zstd). */
#define _GNU_SOURCE /* memmem, tm_gmtoff */
#include "s3_sink.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

static int append_json(const cw_host_t *h, const json_t *v, s3_bytes_t *line, char *errstr,
                       size_t errstr_size) {
    size_t n = 0;
    char *enc = h->json_encode(v, &n);
    if (!enc) {
        snprintf(errstr, errstr_size, "could not encode the value as JSON");
        return CW_ERR_RECORD;
    }
    int rc = cw_sdk_buf_append(line, enc, n);
    h->free(enc);
    return rc ? CW_ERR_FATAL : CW_OK;
}

/* How the worker's converter handed the key / value over (the converter may be set in the
 * worker file only, which the plugin does not see): a cw_bytes_form_t, or -1 when the host
 * has no converter view (then the JSON view decides, which is right for every converter). */
static int bytes_form(const cw_host_t *h, cw_record_t *r, int key) {
    cw_data_format_t f = CW_DATA_FORMAT_INIT;
    int rc = key ? (CW_HOST_HAS(h, record_key_format) ? h->record_key_format(r, &f) : -1)
                 : (CW_HOST_HAS(h, record_value_format) ? h->record_value_format(r, &f) : -1);
    return rc == CW_OK ? (int)f.form : -1;
}

/* JSON text that can go into the object as it is: one line (pretty-printed JSON is
 * re-encoded), starting like JSON. The bytes are not parsed: a cheap guard against text
 * consumed with the wrong converter, which the JSON view then reports. */
static int one_line_json(const char *d, size_t len) {
    if (!len || memchr(d, '\n', len) || memchr(d, '\r', len)) return 0;
    size_t i = 0;
    while (i < len && (d[i] == ' ' || d[i] == '\t')) i++;
    return i < len && strchr("{[\"-0123456789tfn", d[i]) != NULL;
}

/* behavior.on.null.values for a null value: CW_DROP, CW_ERR_RECORD, or S3_TOMBSTONE (write:
 * only its key goes out, as Confluent's TombstoneSupportedPartitioner does). */
static int null_value(const s3_settings_t *s, char *errstr, size_t errstr_size) {
    if (s->on_null == S3_NULL_IGNORE) return CW_DROP;
    if (s->on_null == S3_NULL_FAIL) {
        snprintf(errstr, errstr_size, "null value (behavior.on.null.values=fail)");
        return CW_ERR_RECORD;
    }
    return S3_TOMBSTONE;
}

/* JsonFormat, as Confluent's JsonRecordWriterProvider writes the Connect value: JSON text of
 * the value goes into the object untouched when it is one line; everything else (a schemas
 * envelope: its payload; StringConverter text: a JSON string; ByteArrayConverter bytes:
 * their base64 string, as Jackson writes a byte[]; pretty-printed JSON) is the converter's
 * view of the value, encoded compactly. */
static int encode_json(const cw_host_t *h, const s3_settings_t *s, cw_record_t *r, int key,
                       const char *data, size_t len, s3_line_t *out, s3_bytes_t *scratch,
                       char *errstr, size_t errstr_size) {
    if (bytes_form(h, r, key) == (int)CW_BYTES_JSON && one_line_json(data, len) &&
        !(len == 4 && !memcmp(data, "null", 4))) {
        *out = (s3_line_t){.p = {data, "\n"}, .n = {len, 1}}; /* the bytes as consumed */
        return CW_OK;
    }
    char perr[200];
    json_t *v =
        key ? h->record_key_json(r, perr, sizeof perr) : h->record_value_json(r, perr, sizeof perr);
    if (!v) {
        snprintf(errstr, errstr_size, "%s is not JSON: %s", key ? "key" : "value", perr);
        return CW_ERR_RECORD;
    }
    int rc;
    /* JsonConverter reads `null`, and an envelope's null payload, as a null value. */
    if (json_is_null(v) && !key && (rc = null_value(s, errstr, errstr_size)) != CW_OK) return rc;
    size_t at = scratch->len;
    if ((rc = append_json(h, v, scratch, errstr, errstr_size)) != CW_OK) return rc;
    if (cw_sdk_buf_append(scratch, "\n", 1)) return CW_ERR_FATAL;
    *out = (s3_line_t){.p = {scratch->data + at}, .n = {scratch->len - at}};
    return CW_OK;
}

/* ByteArrayFormat with JsonConverter's envelope: Confluent writes the bytes of a payload
 * whose schema is "bytes" (base64 in the JSON), and a null payload is a null value. Returns
 * 1 with *out (malloc'd) for bytes, 2 for a null payload, 0 for anything else. */
static int envelope_bytes(const char *data, size_t len, unsigned char **out, size_t *out_len) {
    json_t *env = json_loadb(data, len, 0, NULL);
    json_t *payload = json_object_get(env, "payload");
    const char *type = json_string_value(json_object_get(json_object_get(env, "schema"), "type"));
    int rc = json_is_null(payload) ? 2 : 0;
    if (type && !strcmp(type, "bytes") && json_is_string(payload)) {
        size_t n = json_string_length(payload);
        const char *b64 = json_string_value(payload);
        *out = n % 4 == 0 ? malloc(n / 4 * 3 + 1) : NULL;
        int got = *out ? EVP_DecodeBlock(*out, (const unsigned char *)b64, (int)n) : -1;
        if (got < 0) {
            free(*out);
            *out = NULL;
        } else {
            /* EVP_DecodeBlock counts the padding as zero bytes. */
            got -= (n >= 1 && b64[n - 1] == '=') + (n >= 2 && b64[n - 2] == '=');
            *out_len = (size_t)got;
            rc = 1;
        }
    }
    json_decref(env);
    return rc;
}

/* ByteArrayFormat: the record's bytes. Confluent writes only ByteArrayConverter values (and
 * an envelope's "bytes" payload) and fails every other record; we write the bytes as
 * consumed (or as a transform left them) instead: text, JSON, an envelope. */
static int encode_bytes(const cw_host_t *h, const s3_settings_t *s, cw_record_t *r, int key,
                        const char *data, size_t len, s3_line_t *out, s3_bytes_t *scratch,
                        char *errstr, size_t errstr_size) {
    *out = (s3_line_t){.p = {data, s->bytearray_separator}, .n = {len, s->separator_len}};
    if (bytes_form(h, r, key) != (int)CW_BYTES_JSON_ENVELOPE) return CW_OK;
    unsigned char *decoded = NULL;
    size_t dlen = 0;
    int got = envelope_bytes(data, len, &decoded, &dlen);
    if (got == 1) {
        size_t at = scratch->len;
        int rc = cw_sdk_buf_append(scratch, decoded, dlen);
        free(decoded);
        if (rc) return CW_ERR_FATAL;
        out->p[0] = scratch->data + at;
        out->n[0] = dlen;
    } else if (got == 2) {
        int rc = key ? CW_OK : null_value(s, errstr, errstr_size);
        if (rc != CW_OK) return rc;
        out->n[0] = 0;
    }
    return CW_OK;
}

int s3_encode_line(const cw_host_t *h, const s3_settings_t *s, cw_record_t *r, int key,
                   s3_line_t *out, s3_bytes_t *scratch, char *errstr, size_t errstr_size) {
    size_t len = 0;
    const char *data = key ? h->record_key(r, &len) : h->record_value(r, &len);
    s3_format_t fmt = key ? s->key_format : s->format;
    if (!data) {
        int rc = key ? CW_OK : null_value(s, errstr, errstr_size);
        if (rc != CW_OK) return rc;
        if (fmt == S3_FMT_JSON)
            *out = (s3_line_t){.p = {"null\n"}, .n = {5}};
        else
            *out = (s3_line_t){.p = {s->bytearray_separator}, .n = {s->separator_len}};
        return CW_OK;
    }
    if (fmt == S3_FMT_BYTEARRAY)
        return encode_bytes(h, s, r, key, data, len, out, scratch, errstr, errstr_size);
    return encode_json(h, s, r, key, data, len, out, scratch, errstr, errstr_size);
}

int s3_encode_value(const cw_host_t *h, const s3_settings_t *s, cw_record_t *r, int key,
                    s3_bytes_t *line, char *errstr, size_t errstr_size) {
    s3_bytes_t scratch = {0};
    s3_line_t l = {0};
    int rc = s3_encode_line(h, s, r, key, &l, &scratch, errstr, errstr_size);
    if (rc == CW_OK &&
        (cw_sdk_buf_append(line, l.p[0], l.n[0]) || cw_sdk_buf_append(line, l.p[1], l.n[1])))
        rc = CW_ERR_FATAL;
    cw_sdk_buf_free(&scratch);
    return rc;
}

int s3_encode_headers(const cw_host_t *h, cw_record_t *r, s3_bytes_t *line) {
    /* Confluent's JSON shape: {"headers":[{"key":"h1","value":"a0"}, ...]}, in order. */
    json_t *list = json_array(), *obj = json_object();
    json_object_set_new(obj, "headers", list);
    size_t n = h->record_header_count(r);
    for (size_t i = 0; i < n; i++) {
        const char *name;
        const void *v;
        size_t len;
        if (h->record_header_get(r, i, &name, &v, &len) != 0) continue;
        json_t *jv = v ? json_stringn(v, len) : NULL;
        json_t *h1 = json_object();
        json_object_set_new(h1, "key", json_string(name));
        json_object_set_new(h1, "value", jv ? jv : json_null());
        json_array_append_new(list, h1);
    }
    size_t el = 0;
    char *enc = h->json_encode(obj, &el);
    json_decref(obj);
    if (!enc) return -1;
    int rc = cw_sdk_buf_append(line, enc, el) || cw_sdk_buf_append(line, "\n", 1);
    h->free(enc);
    return rc ? -1 : 0;
}

struct s3_compressor {
    s3_compression_t kind;
    z_stream z;
    ZSTD_CCtx *zc;
};

s3_compressor_t *s3_compressor_new(s3_compression_t kind, int level) {
    s3_compressor_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->kind = kind;
    if (kind == S3_COMP_GZIP) {
        /* windowBits 15 + 16: a gzip wrapper, what .gz readers (and Athena) expect. */
        if (deflateInit2(&c->z, level < 0 ? Z_DEFAULT_COMPRESSION : (level > 9 ? 9 : level),
                         Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(c);
            return NULL;
        }
    } else if (kind == S3_COMP_ZSTD) {
        c->zc = ZSTD_createCCtx();
        if (!c->zc) {
            free(c);
            return NULL;
        }
        ZSTD_CCtx_setParameter(c->zc, ZSTD_c_compressionLevel, level < 0 ? 3 : level);
    }
    return c;
}

static int gz_run(s3_compressor_t *c, const void *p, size_t n, s3_bytes_t *out, int flush) {
    c->z.next_in = (Bytef *)(uintptr_t)p;
    c->z.avail_in = (uInt)n;
    int zr;
    do {
        if (out->cap - out->len < 16384 && cw_sdk_grow(&out->data, &out->cap, out->len + 65536))
            return -1;
        c->z.next_out = (Bytef *)out->data + out->len;
        c->z.avail_out = (uInt)(out->cap - out->len);
        zr = deflate(&c->z, flush);
        out->len = out->cap - c->z.avail_out;
        if (zr == Z_STREAM_ERROR) return -1;
    } while (c->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return 0;
}

static int zstd_run(s3_compressor_t *c, const void *p, size_t n, s3_bytes_t *out,
                    ZSTD_EndDirective mode) {
    ZSTD_inBuffer in = {p, n, 0};
    size_t left;
    do {
        if (out->cap - out->len < 16384 &&
            cw_sdk_grow(&out->data, &out->cap, out->len + 65536 + ZSTD_CStreamOutSize()))
            return -1;
        ZSTD_outBuffer ob = {out->data + out->len, out->cap - out->len, 0};
        left = ZSTD_compressStream2(c->zc, &ob, &in, mode);
        if (ZSTD_isError(left)) return -1;
        out->len += ob.pos;
    } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
    return 0;
}

int s3_compressor_write(s3_compressor_t *c, const void *p, size_t n, s3_bytes_t *out) {
    if (c->kind == S3_COMP_GZIP) return gz_run(c, p, n, out, Z_NO_FLUSH);
    if (c->kind == S3_COMP_ZSTD) return zstd_run(c, p, n, out, ZSTD_e_continue);
    return cw_sdk_buf_append(out, p, n);
}

int s3_compressor_finish(s3_compressor_t *c, s3_bytes_t *out) {
    if (c->kind == S3_COMP_GZIP) return gz_run(c, NULL, 0, out, Z_FINISH);
    if (c->kind == S3_COMP_ZSTD) return zstd_run(c, NULL, 0, out, ZSTD_e_end);
    return 0;
}

void s3_compressor_free(s3_compressor_t *c) {
    if (!c) return;
    if (c->kind == S3_COMP_GZIP) deflateEnd(&c->z);
    if (c->zc) ZSTD_freeCCtx(c->zc);
    free(c);
}
