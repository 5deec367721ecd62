/* Signature V4 in the query string (presigned URLs), from AWS's "Authenticating requests:
 * using query parameters" and as botocore's SigV4QueryAuth lays the URL out. libcurl signs
 * requests it sends (CURLOPT_AWS_SIGV4) but cannot presign a URL for someone else to send,
 * which is what an MSK IAM token is; OpenSSL does the hashing. */
#include "connect-worker/sdk_aws.h"
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct pair {
    const char *s; /* "key=value", both URI-encoded */
    size_t klen;
} pair_t;

static int pair_cmp(const void *a, const void *b) {
    const pair_t *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->s, y->s, n);
    if (c || x->klen != y->klen) return c ? c : (x->klen < y->klen ? -1 : 1);
    return strcmp(x->s + x->klen, y->s + y->klen); /* same key: by value */
}

static void hex(const unsigned char *md, unsigned n, char *out) {
    for (unsigned i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void sha256_hex(const char *s, char out[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    hex(md, n, out);
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32]) {
    unsigned n = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &n);
}

/* The canonical query string: the pairs of `query`, sorted by key then value. */
static char *canonical_query(const char *query) {
    size_t n = 1, len = strlen(query);
    for (const char *p = query; *p; p++) n += *p == '&';
    pair_t *pairs = calloc(n, sizeof *pairs);
    char *copy = strdup(query), *out = malloc(len + 1);
    if (!pairs || !copy || !out) {
        free(pairs);
        free(copy);
        free(out);
        return NULL;
    }
    size_t k = 0;
    for (char *save = NULL, *t = strtok_r(copy, "&", &save); t; t = strtok_r(NULL, "&", &save)) {
        const char *eq = strchr(t, '=');
        pairs[k++] = (pair_t){.s = t, .klen = eq ? (size_t)(eq - t) : strlen(t)};
    }
    qsort(pairs, k, sizeof *pairs, pair_cmp);
    out[0] = 0;
    for (size_t i = 0; i < k; i++) {
        if (i) strcat(out, "&");
        strcat(out, pairs[i].s);
        if (!strchr(pairs[i].s, '=')) strcat(out, "="); /* a key without a value signs as "key=" */
    }
    free(pairs);
    memset(copy, 0, len);
    free(copy);
    return out;
}

/* The signature of string_to_sign with the derived key of secret, date, region, service. */
static void signature(const char *secret, const char *date, const char *region, const char *service,
                      const char *string_to_sign, char out[65]) {
    char k0[256];
    unsigned char k[32], k2[32]; /* HMAC's output never overwrites its own key */
    snprintf(k0, sizeof k0, "AWS4%s", secret);
    hmac(k0, strlen(k0), date, k);
    hmac(k, 32, region, k2);
    hmac(k2, 32, service, k);
    hmac(k, 32, "aws4_request", k2);
    hmac(k2, 32, string_to_sign, k);
    hex(k, 32, out);
    memset(k0, 0, sizeof k0);
    memset(k2, 0, sizeof k2);
}

/* The query before the signature: the caller's, then the auth parameters in botocore's order. */
static char *auth_query(const cw_sdk_aws_presign_t *p, const cw_sdk_aws_creds_t *c,
                        const char *stamp) {
    char *ak = curl_easy_escape(NULL, c->access_key, 0);
    char *tok = c->session_token ? curl_easy_escape(NULL, c->session_token, 0) : NULL;
    char *out = NULL;
    if (ak && (tok || !c->session_token)) {
        size_t n = strlen(ak) + (tok ? strlen(tok) : 0) + (p->query ? strlen(p->query) : 0) +
                   strlen(p->region) + strlen(p->service) + 300;
        out = malloc(n);
        if (out)
            snprintf(out, n,
                     "%s%sX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%s%%2F%.8s%%2F%s%%2F%s"
                     "%%2Faws4_request&X-Amz-Date=%s&X-Amz-Expires=%d&X-Amz-SignedHeaders=host"
                     "%s%s",
                     p->query ? p->query : "", p->query && *p->query ? "&" : "", ak, stamp,
                     p->region, p->service, stamp, p->expires_s,
                     tok ? "&X-Amz-Security-Token=" : "", tok ? tok : "");
    }
    curl_free(ak);
    if (tok) {
        memset(tok, 0, strlen(tok));
        curl_free(tok);
    }
    return out;
}

char *cw_sdk_aws_presign_url(const cw_sdk_aws_presign_t *p, const cw_sdk_aws_creds_t *c,
                             char *errstr, size_t errstr_size) {
    if (!c || !c->access_key || !c->secret_key || !*c->access_key || !*c->secret_key) {
        snprintf(errstr, errstr_size, "presigning needs an access key and a secret key");
        return NULL;
    }
    char stamp[20], empty_hash[65], creq_hash[65], sig[65];
    time_t t = (time_t)p->time_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    sha256_hex("", empty_hash);
    char *query = auth_query(p, c, stamp);
    char *canon = query ? canonical_query(query) : NULL;
    size_t n = (canon ? strlen(canon) : 0) + strlen(p->host) + strlen(p->path) +
               (p->payload_hash ? strlen(p->payload_hash) : 0) + 200;
    char *creq = canon ? malloc(n) : NULL, *sts = malloc(400), *url = NULL;
    if (creq && sts) {
        snprintf(creq, n, "%s\n%s\n%s\nhost:%s\n\nhost\n%s", p->method, p->path, canon, p->host,
                 p->payload_hash ? p->payload_hash : empty_hash);
        sha256_hex(creq, creq_hash);
        snprintf(sts, 400, "AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s", stamp, stamp,
                 p->region, p->service, creq_hash);
        char date[9];
        snprintf(date, sizeof date, "%.8s", stamp);
        signature(c->secret_key, date, p->region, p->service, sts, sig);
        size_t un = strlen(query) + strlen(p->host) + strlen(p->path) + 120;
        url = malloc(un);
        if (url)
            snprintf(url, un, "https://%s%s?%s&X-Amz-Signature=%s", p->host, p->path, query, sig);
    }
    if (!url) snprintf(errstr, errstr_size, "out of memory presigning a request");
    /* The canonical request and query hold the session token. */
    if (query) memset(query, 0, strlen(query));
    if (canon) memset(canon, 0, strlen(canon));
    if (creq) memset(creq, 0, strlen(creq));
    free(query);
    free(canon);
    free(creq);
    free(sts);
    return url;
}
