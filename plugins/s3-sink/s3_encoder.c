/* Turning records into object bytes: the line of each record (JsonFormat / ByteArrayFormat)
 * and the streaming compressors (gzip via zlib, zstd). */
#define _GNU_SOURCE /* memmem, tm_gmtoff */
#include "s3_sink.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

static int append_json(const cw_host_t *h, const json_t *v, s3_bytes_t *line, char *errstr,
                       size_t errstr_size)
{
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

/* Whether JSON converter bytes can go into the object as they are. The converter is often
 * set in the worker config, which the plugin does not see; so bytes that could be a
 * schemas.enable envelope ({"schema":..,"payload":..}), or that cannot be JSON at all (a
 * StringConverter text), or that span lines go through the runtime's converter instead. */
static int passthrough_safe(const char *d, size_t len)
{
    if (!len || memchr(d, '\n', len) || memchr(d, '\r', len))
        return 0;
    size_t i = 0;
    while (i < len && (d[i] == ' ' || d[i] == '\t'))
        i++;
    if (i == len)
        return 0;
    char c = d[i];
    if (c == '{') {
        i++;
        while (i < len && (d[i] == ' ' || d[i] == '\t'))
            i++;
        if ((len - i >= 8 && !memcmp(d + i, "\"schema\"", 8)) ||
            (len - i >= 9 && !memcmp(d + i, "\"payload\"", 9)))
            return 0;
        return 1;
    }
    return c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' ||
           c == 'n';
}

int s3_encode_value(const cw_host_t *h, const s3_settings_t *s, cw_record_t *r, int key,
                    s3_bytes_t *line, char *errstr, size_t errstr_size)
{
    size_t len = 0;
    const char *data = key ? h->record_key(r, &len) : h->record_value(r, &len);
    const char *eol = s->format == S3_FMT_JSON ? "\n" : s->bytearray_separator;
    size_t eol_len = s->format == S3_FMT_JSON ? 1 : s->separator_len;
    if (!data) {
        if (!key && s->on_null == S3_NULL_IGNORE)
            return CW_DROP;
        if (!key && s->on_null == S3_NULL_FAIL) {
            snprintf(errstr, errstr_size, "null value (behavior.on.null.values=fail)");
            return CW_ERR_RECORD;
        }
        if (s->format == S3_FMT_JSON && cw_sdk_buf_append(line, "null", 4))
            return CW_ERR_FATAL;
        return cw_sdk_buf_append(line, eol, eol_len) ? CW_ERR_FATAL : CW_OK;
    }
    if (s->format == S3_FMT_BYTEARRAY)
        return (cw_sdk_buf_append(line, data, len) || cw_sdk_buf_append(line, eol, eol_len))
                   ? CW_ERR_FATAL : CW_OK;

    s3_value_kind_t kind = key ? s->key_kind : s->value_kind;
    int rc = CW_OK;
    if (kind == S3_VAL_JSON && passthrough_safe(data, len)) {
        /* The common case: JSON bytes nobody changed go into the object untouched. */
        rc = cw_sdk_buf_append(line, data, len) ? CW_ERR_FATAL : CW_OK;
    } else if (kind == S3_VAL_STRING) {
        json_t *str = json_stringn(data, len);
        if (!str) {
            snprintf(errstr, errstr_size, "%s is not valid UTF-8", key ? "key" : "value");
            return CW_ERR_RECORD;
        }
        rc = append_json(h, str, line, errstr, errstr_size);
        json_decref(str);
    } else {
        /* Multi-line JSON, an envelope, converter text, or base64 of raw bytes: as the
         * runtime's converter reads it, re-encoded compactly. */
        char perr[200];
        json_t *v = key ? h->record_key_json(r, perr, sizeof perr)
                        : h->record_value_json(r, perr, sizeof perr);
        if (!v) {
            snprintf(errstr, errstr_size, "%s is not JSON: %s", key ? "key" : "value", perr);
            return CW_ERR_RECORD;
        }
        rc = append_json(h, v, line, errstr, errstr_size);
    }
    if (rc != CW_OK)
        return rc;
    return cw_sdk_buf_append(line, "\n", 1) ? CW_ERR_FATAL : CW_OK;
}

int s3_encode_headers(const cw_host_t *h, cw_record_t *r, s3_bytes_t *line)
{
    json_t *obj = json_object();
    size_t n = h->record_header_count(r);
    for (size_t i = 0; i < n; i++) {
        const char *name;
        const void *v;
        size_t len;
        if (h->record_header_get(r, i, &name, &v, &len) != 0)
            continue;
        json_t *jv = v ? json_stringn(v, len) : NULL;
        json_object_set_new(obj, name, jv ? jv : json_null());
    }
    size_t el = 0;
    char *enc = h->json_encode(obj, &el);
    json_decref(obj);
    if (!enc)
        return -1;
    int rc = cw_sdk_buf_append(line, enc, el) || cw_sdk_buf_append(line, "\n", 1);
    h->free(enc);
    return rc ? -1 : 0;
}

struct s3_compressor {
    s3_compression_t kind;
    z_stream z;
    ZSTD_CCtx *zc;
};

s3_compressor_t *s3_compressor_new(s3_compression_t kind, int level)
{
    s3_compressor_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
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

static int gz_run(s3_compressor_t *c, const void *p, size_t n, s3_bytes_t *out, int flush)
{
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
        if (zr == Z_STREAM_ERROR)
            return -1;
    } while (c->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return 0;
}

static int zstd_run(s3_compressor_t *c, const void *p, size_t n, s3_bytes_t *out,
                    ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {p, n, 0};
    size_t left;
    do {
        if (out->cap - out->len < 16384 &&
            cw_sdk_grow(&out->data, &out->cap, out->len + 65536 + ZSTD_CStreamOutSize()))
            return -1;
        ZSTD_outBuffer ob = {out->data + out->len, out->cap - out->len, 0};
        left = ZSTD_compressStream2(c->zc, &ob, &in, mode);
        if (ZSTD_isError(left))
            return -1;
        out->len += ob.pos;
    } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
    return 0;
}

int s3_compressor_write(s3_compressor_t *c, const void *p, size_t n, s3_bytes_t *out)
{
    if (c->kind == S3_COMP_GZIP)
        return gz_run(c, p, n, out, Z_NO_FLUSH);
    if (c->kind == S3_COMP_ZSTD)
        return zstd_run(c, p, n, out, ZSTD_e_continue);
    return cw_sdk_buf_append(out, p, n);
}

int s3_compressor_finish(s3_compressor_t *c, s3_bytes_t *out)
{
    if (c->kind == S3_COMP_GZIP)
        return gz_run(c, NULL, 0, out, Z_FINISH);
    if (c->kind == S3_COMP_ZSTD)
        return zstd_run(c, NULL, 0, out, ZSTD_e_end);
    return 0;
}

void s3_compressor_free(s3_compressor_t *c)
{
    if (!c)
        return;
    if (c->kind == S3_COMP_GZIP)
        deflateEnd(&c->z);
    if (c->zc)
        ZSTD_freeCCtx(c->zc);
    free(c);
}
