/* The Amazon MSK IAM SASL token, as AWS's aws-msk-iam-sasl-signer libraries (Go, Python, JS)
 * build it for non-Java clients: a presigned GET of kafka-cluster:Connect on
 * https://kafka.<region>.amazonaws.com/, valid 900 s, with a User-Agent parameter added after
 * signing, encoded in base64url without padding. The URL's layout follows the Python signer
 * (botocore): the brokers parse the query, so order does not matter to them, only to a
 * byte-for-byte comparison. */
#include "connect-worker/sdk_aws.h"
#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* base64url without padding (RFC 4648 section 5), through OpenSSL's base64. */
static char *base64url(const char *s) {
    size_t n = strlen(s);
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (!out) return NULL;
    int len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    while (len > 0 && out[len - 1] == '=') out[--len] = 0;
    for (char *p = out; *p; p++) *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return out;
}

int cw_sdk_aws_msk_token(const cw_sdk_aws_creds_t *c, const char *region, int64_t now_ms,
                         const char *user_agent, char **token, int64_t *expires_ms, char *errstr,
                         size_t errstr_size) {
    *token = NULL;
    if (!cw_sdk_aws_region_valid(region)) {
        snprintf(errstr, errstr_size, "'%.40s' is no AWS region name", region ? region : "");
        return -1;
    }
    char host[96];
    snprintf(host, sizeof host, "kafka.%s.amazonaws.com", region);
    const cw_sdk_aws_presign_t p = {
        .method = "GET",
        .host = host,
        .path = "/",
        .query = "Action=kafka-cluster%3AConnect",
        .service = "kafka-cluster",
        .region = region,
        .time_s = now_ms / 1000,
        .expires_s = CW_SDK_AWS_MSK_TOKEN_EXPIRES_S,
    };
    char *url = cw_sdk_aws_presign_url(&p, c, errstr, errstr_size);
    if (!url) return -1;
    char *ua = curl_easy_escape(NULL, user_agent ? user_agent : "connect-worker", 0);
    size_t n = strlen(url) + (ua ? strlen(ua) : 0) + 16;
    char *full = ua ? malloc(n) : NULL;
    if (full) {
        snprintf(full, n, "%s&User-Agent=%s", url, ua);
        *token = base64url(full);
        memset(full, 0, strlen(full));
    }
    memset(url, 0, strlen(url));
    free(url);
    free(full);
    curl_free(ua);
    if (!*token) {
        snprintf(errstr, errstr_size, "out of memory building an MSK IAM token");
        return -1;
    }
    *expires_ms = p.time_s * 1000 + CW_SDK_AWS_MSK_TOKEN_EXPIRES_S * 1000LL;
    return 0;
}

/* The region of one host name: the label after "kafka." or "kafka-serverless." when
 * ".amazonaws.com" (or ".amazonaws.com.cn") follows it. */
static int host_region(const char *h, size_t hl, char *region, size_t region_size) {
    static const char *const svc[] = {".kafka.", ".kafka-serverless."};
    for (size_t i = 0; i < 2; i++) {
        size_t sl = strlen(svc[i]);
        for (size_t at = 0; at + sl <= hl; at++) {
            if (strncasecmp(h + at, svc[i], sl)) continue;
            const char *r = h + at + sl, *dot = memchr(r, '.', hl - (size_t)(r - h));
            if (!dot || (size_t)(dot - r) >= region_size) continue;
            size_t rest = hl - (size_t)(dot - h);
            if ((rest == 14 && !strncasecmp(dot, ".amazonaws.com", 14)) ||
                (rest == 17 && !strncasecmp(dot, ".amazonaws.com.cn", 17))) {
                snprintf(region, region_size, "%.*s", (int)(dot - r), r);
                for (char *p = region; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
                return cw_sdk_aws_region_valid(region) ? 0 : -1;
            }
        }
    }
    return -1;
}

int cw_sdk_aws_msk_region(const char *brokers, char *region, size_t region_size) {
    for (const char *p = brokers ? brokers : ""; *p;) {
        p += strspn(p, " ,\t");
        size_t len = strcspn(p, " ,\t");
        const char *h = p, *end = p + len;
        const char *scheme = strstr(h, "://");
        if (scheme && scheme < end) h = scheme + 3;
        const char *colon = memchr(h, ':', (size_t)(end - h));
        if (len && host_region(h, (size_t)((colon ? colon : end) - h), region, region_size) == 0)
            return 0;
        p = end;
    }
    return -1;
}
