/* Confluent's partitioners and object naming: which directory a record goes to, and what the
 * object holding it is called. */
#define _GNU_SOURCE /* memmem, tm_gmtoff */
#include "s3_sink.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Looks a field up in a JSON object; dots walk into nested objects (a.b.c). */
static json_t *field_lookup(json_t *v, const char *path) {
    json_t *direct = json_is_object(v) ? json_object_get(v, path) : NULL;
    if (direct || !strchr(path, '.')) return direct;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
        v = json_is_object(v) ? json_object_get(v, tok) : NULL;
    return v;
}

int s3_record_time(const cw_host_t *h, const s3_settings_t *s, cw_record_t *r, int64_t now_ms,
                   int64_t *ts, char *errstr, size_t errstr_size) {
    switch (s->ts_extractor) {
    case S3_TS_WALLCLOCK: *ts = now_ms; return 0;
    case S3_TS_RECORD:
        *ts = h->record_timestamp(r);
        if (*ts == CW_TIMESTAMP_NONE) {
            snprintf(errstr, errstr_size, "record has no timestamp (timestamp.extractor=Record)");
            return -1;
        }
        return 0;
    case S3_TS_FIELD: {
        char perr[200];
        json_t *v = h->record_value_json(r, perr, sizeof perr);
        if (!v) {
            snprintf(errstr, errstr_size, "value is not JSON (timestamp.extractor=RecordField): %s",
                     perr);
            return -1;
        }
        json_t *f = field_lookup(v, s->ts_field);
        if (json_is_integer(f)) {
            *ts = json_integer_value(f);
            return 0;
        }
        if (json_is_real(f)) {
            *ts = (int64_t)json_real_value(f);
            return 0;
        }
        /* Confluent's RecordFieldTimestampExtractor reads a string as epoch ms first. */
        if (json_is_string(f) && json_string_length(f) > 0) {
            const char *str = json_string_value(f);
            char *end = NULL;
            errno = 0;
            long long ms = strtoll(str, &end, 10);
            if (!errno && end && !*end && (isdigit((unsigned char)*str) || *str == '-')) {
                *ts = ms;
                return 0;
            }
        }
        cw_sdk_iso8601_t t;
        if (json_is_string(f) && cw_sdk_iso8601_parse(json_string_value(f), json_string_length(f),
                                                      0, &t, NULL, 0) == 0) {
            *ts = cw_sdk_iso8601_ms(&t);
            return 0;
        }
        snprintf(errstr, errstr_size,
                 "timestamp.field '%s' is %s (need epoch milliseconds or an ISO-8601 string)",
                 s->ts_field,
                 !f                  ? "missing"
                 : json_is_string(f) ? "not an ISO-8601 string"
                                     : "not a number or string");
        return -1;
    }
    }
    return -1;
}

void s3_default_partition(int32_t partition, char *out, size_t out_size) {
    snprintf(out, out_size, "partition=%d", (int)partition);
}

char *s3_encode_partition(const cw_host_t *h, const s3_settings_t *s, cw_record_t *r, int64_t ts,
                          char *errstr, size_t errstr_size) {
    char tmp[512];
    if (s->partitioner == S3_PART_DEFAULT) {
        s3_default_partition(h->record_partition(r), tmp, sizeof tmp);
        return strdup(tmp);
    }
    if (s->partitioner == S3_PART_TIME) {
        int64_t off = s3_zone_offset(s->zone, ts);
        int64_t local = ts + off, d = s->partition_duration_ms;
        int64_t floored = (local >= 0 ? local / d : -((-local + d - 1) / d)) * d;
        if (s3_joda_format(s->path_format, floored, tmp, sizeof tmp, errstr, errstr_size) != 0)
            return NULL;
        return strdup(tmp);
    }
    char perr[200];
    json_t *v = h->record_value_json(r, perr, sizeof perr);
    if (!v || !json_is_object(v)) {
        snprintf(errstr, errstr_size, "FieldPartitioner needs a JSON object value%s%s",
                 v ? "" : ": ", v ? "" : perr);
        return NULL;
    }
    cw_sdk_buf_t out = {0};
    for (size_t i = 0; i < s->nfields; i++) {
        json_t *f = field_lookup(v, s->fields[i]);
        char *enc = NULL;
        const char *text;
        if (json_is_string(f)) {
            text = json_string_value(f);
        } else if (json_is_integer(f)) {
            snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(f));
            text = tmp;
        } else if (json_is_boolean(f)) {
            text = json_is_true(f) ? "true" : "false";
        } else if (json_is_real(f)) {
            enc = h->json_encode(f, NULL);
            text = enc ? enc : "";
        } else if (!f || json_is_null(f)) {
            text = "null"; /* Confluent: "<field>=" + null */
        } else {
            snprintf(errstr, errstr_size, "partition.field.name '%s' is %s in the value",
                     s->fields[i], "not a string, number, boolean or null");
            cw_sdk_buf_free(&out);
            return NULL;
        }
        if ((i && cw_sdk_buf_puts(&out, s->dir_delim)) || cw_sdk_buf_puts(&out, s->fields[i]) ||
            cw_sdk_buf_putc(&out, '=') || cw_sdk_buf_puts(&out, text)) {
            h->free(enc);
            cw_sdk_buf_free(&out);
            snprintf(errstr, errstr_size, "out of memory");
            return NULL;
        }
        h->free(enc);
    }
    char *path = cw_sdk_buf_detach(&out, NULL);
    if (!path) snprintf(errstr, errstr_size, "out of memory");
    return path;
}

void s3_extension(const s3_settings_t *s, const char *suffix, char *out, size_t out_size) {
    s3_format_t f = !suffix ? s->format : !strcmp(suffix, "keys") ? s->key_format : S3_FMT_JSON;
    const char *base = f == S3_FMT_BYTEARRAY ? s->bytearray_extension : ".json";
    const char *comp = s->compression == S3_COMP_GZIP   ? ".gz"
                       : s->compression == S3_COMP_ZSTD ? ".zst"
                                                        : "";
    snprintf(out, out_size, "%s%s", base, comp);
}

char *s3_object_key(const s3_settings_t *s, const char *topic, const char *encoded,
                    const char *otopic, int32_t opartition, int64_t start_offset,
                    const char *suffix) {
    char ext[64];
    s3_extension(s, suffix, ext, sizeof ext);
    size_t n = strlen(s->topics_dir) + strlen(topic) + strlen(otopic) + strlen(encoded) + 128 +
               strlen(ext) + (suffix ? strlen(suffix) : 0);
    char *key = malloc(n);
    if (!key) return NULL;
    snprintf(key, n, "%s%s%s%s%s%s%s%s%d%s%0*lld%s%s%s", s->topics_dir,
             *s->topics_dir ? s->dir_delim : "", topic, s->dir_delim, encoded, s->dir_delim, otopic,
             s->file_delim, (int)opartition, s->file_delim, s->zero_pad, (long long)start_offset,
             suffix ? "." : "", suffix ? suffix : "", ext);
    return key;
}

size_t s3_object_key_stem(const s3_settings_t *s, const char *key, int64_t start_offset,
                          const char *suffix) {
    char ext[64], tail[160];
    s3_extension(s, suffix, ext, sizeof ext);
    int n = snprintf(tail, sizeof tail, "%0*lld%s%s%s", s->zero_pad, (long long)start_offset,
                     suffix ? "." : "", suffix ? suffix : "", ext);
    size_t kl = strlen(key);
    if (n <= 0 || (size_t)n >= kl || strcmp(key + kl - (size_t)n, tail)) return 0;
    return kl - (size_t)n;
}
