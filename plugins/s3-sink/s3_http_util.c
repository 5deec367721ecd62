/* Helpers shared by both S3 clients: error classification, the little XML S3 answers with,
 * key encoding, and backoff. */
#define _GNU_SOURCE /* memmem, tm_gmtoff */
#include "s3_client.h"
#include <stddef.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <stdint.h>

s3_outcome_t s3_classify(int http_status, const char *code) {
    if (http_status >= 200 && http_status < 300) return S3_DONE;
    if (http_status == 0 || http_status >= 500) return S3_TRANSIENT;
    /* 4xx that heal by themselves: throttling and clock or request timing trouble. */
    if (http_status == 429 || http_status == 408) return S3_TRANSIENT;
    if (code && (!strcmp(code, "SlowDown") || !strcmp(code, "RequestTimeout") ||
                 !strcmp(code, "RequestTimeTooSkewed") || !strcmp(code, "Throttling") ||
                 !strcmp(code, "OperationAborted") || !strcmp(code, "InternalError")))
        return S3_TRANSIENT;
    return S3_PERMANENT;
}

int s3_xml_tag(const char *xml, size_t len, const char *tag, char *out, size_t out_size) {
    return cw_sdk_aws_xml_tag(xml, len, tag, out, out_size);
}

char *s3_uri_encode_key(const char *key) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(key);
    char *out = malloc(n * 3 + 1), *o = out;
    if (!out) return NULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        unsigned char ch = *p;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '/') {
            *o++ = (char)ch;
        } else {
            *o++ = '%';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    *o = 0;
    return out;
}

int s3_backoff_sleep(const s3_client_options_t *o, int attempt) {
    long base = o->backoff_ms > 0 ? o->backoff_ms : 200;
    long cap = base << (attempt > 10 ? 10 : attempt);
    if (cap > 20000) cap = 20000;
    /* Full jitter (AWS architecture blog): uniform in [cap/2, cap]. rand_r on a per-call seed
     * keeps tasks independent without global state. */
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&attempt ^ (unsigned)attempt;
    long wait = cap / 2 + (long)(rand_r(&seed) % (cap / 2 + 1));
    while (wait > 0) {
        if (o->should_stop && o->should_stop(o->stop_opaque)) return 1;
        long slice = wait > 50 ? 50 : wait;
        struct timespec ts = {0, slice * 1000000L};
        nanosleep(&ts, NULL);
        wait -= slice;
    }
    return 0;
}

int s3_ssec_key_ok(const char *b64) {
    unsigned char raw[64];
    size_t bl = strlen(b64);
    if (bl != 44 || b64[43] != '=' || b64[42] == '=') return 0;
    int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)bl);
    OPENSSL_cleanse(raw, sizeof raw);
    return n == 33;
}

#define FIELD(n, m)                                                                                \
    { n, offsetof(s3_origin_t, m), sizeof(((s3_origin_t *)0)->m) }
const s3_origin_field_t s3_origin_fields[S3_ORIGIN_NFIELDS] = {
    FIELD("kafka-cluster-id", cluster),  FIELD("kafka-topic", topic),
    FIELD("kafka-partition", partition), FIELD("kafka-offsets", offsets),
    FIELD("kafka-first-record", first),
};

void s3_origin_capture(s3_origin_t *o, const char *line, size_t len) {
    if (len <= 11 || strncasecmp(line, "x-amz-meta-", 11)) return;
    for (size_t i = 0; i < S3_ORIGIN_NFIELDS; i++) {
        size_t nl = strlen(s3_origin_fields[i].name);
        const char *p = line + 11;
        if (len <= 11 + nl || strncasecmp(p, s3_origin_fields[i].name, nl) || p[nl] != ':')
            continue;
        const char *v = p + nl + 1, *end = line + len;
        while (v < end && *v == ' ') v++;
        size_t vl = (size_t)(end - v);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' ')) vl--;
        if (vl >= s3_origin_fields[i].size) vl = s3_origin_fields[i].size - 1;
        char *dst = (char *)o + s3_origin_fields[i].off;
        memcpy(dst, v, vl);
        dst[vl] = 0;
    }
}
