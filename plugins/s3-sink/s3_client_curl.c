/* S3 client on libcurl: Signature V4 by CURLOPT_AWS_SIGV4, one CURL handle per task so the
 * connection is reused, retries with exponential backoff and jitter. Before every attempt it
 * asks the task's credentials provider whether the credentials changed (a refresh of
 * temporary ones) and rebuilds its auth from them. */
#define _GNU_SOURCE /* memmem, tm_gmtoff */
#include "s3_client.h"
#include "connect-worker/sdk_buf.h"
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct curl_client {
    s3_client_t base;
    CURL *curl;
    s3_client_options_t o;
    char *endpoint, *bucket, *region, *sse, *kms, *acl;
    char *ssec_key, *ssec_md5; /* SSE-C: the key and its MD5, base64 (secrets) */
    s3_creds_provider_t *provider;
    int own_provider; /* made here from fixed credentials */
    uint64_t gen;     /* generation of the credentials userpwd and token_header hold */
    char *userpwd;
    char *token_header;
    char sigv4[128];
} curl_client_t;

typedef cw_sdk_buf_t buf_t;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    /* A short count makes curl fail the transfer (CURLE_WRITE_ERROR): out of memory. */
    return cw_sdk_buf_append(ud, p, size * n) == 0 ? size * n : 0;
}

typedef struct head_capture {
    char etag[128];
    s3_origin_t *origin; /* HEAD: receives the x-amz-meta-kafka-* headers, or NULL */
} head_capture_t;

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    head_capture_t *h = ud;
    size_t len = size * n;
    if (len > 5 && !strncasecmp(p, "ETag:", 5)) {
        const char *v = p + 5;
        while (*v == ' ') v++;
        size_t vl = (size_t)(p + len - v);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n')) vl--;
        if (vl >= sizeof h->etag) vl = sizeof h->etag - 1;
        memcpy(h->etag, v, vl);
        h->etag[vl] = 0;
    }
    if (h->origin) s3_origin_capture(h->origin, p, len);
    return len;
}

/* CURLOPT_XFERINFOFUNCTION: a non-zero return cuts the transfer off (CURLE_ABORTED_BY_CALLBACK). */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const s3_client_options_t *o = ud;
    return o->should_abort(o->stop_opaque);
}

static void sha256_hex(const void *data, size_t len, char out[65]) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static char *make_url(curl_client_t *c, const char *key, const char *query) {
    char *ek = s3_uri_encode_key(key ? key : "");
    if (!ek) return NULL;
    size_t n =
        strlen(c->endpoint) + strlen(c->bucket) + strlen(ek) + (query ? strlen(query) : 0) + 16;
    char *url = malloc(n);
    if (!url) {
        free(ek);
        return NULL;
    }
    if (c->o.path_style) {
        snprintf(url, n, "%s/%s/%s%s%s", c->endpoint, c->bucket, ek, query ? "?" : "",
                 query ? query : "");
    } else {
        /* Virtual-host style: the bucket becomes the first label of the host. */
        const char *sep = strstr(c->endpoint, "://");
        size_t scheme = sep ? (size_t)(sep - c->endpoint) + 3 : 0;
        snprintf(url, n, "%.*s%s.%s/%s%s%s", (int)scheme, c->endpoint, c->bucket,
                 c->endpoint + scheme, ek, query ? "?" : "", query ? query : "");
    }
    free(ek);
    return url;
}

typedef struct request {
    const char *method;
    const char *key;
    const char *query;
    const void *body;
    size_t body_len;
    const char *content_type;
    int if_none_match;
    int with_sse; /* 1: creates an object (encryption, ACL); 2: an UploadPart or a read of the object (SSE-C only) */
    const s3_origin_t *meta; /* creates an object: its user metadata, or NULL */
    const char *range;       /* GET: a Range header value, or NULL */
} request_t;

/* One attempt. Returns the HTTP status (0 on transport failure) and fills res and out. */
static int perform_once(curl_client_t *c, const request_t *rq, buf_t *out, head_capture_t *hc,
                        s3_result_t *res) {
    CURL *h = c->curl;
    curl_easy_reset(h);
    char *url = make_url(c, rq->key, rq->query);
    if (!url) {
        snprintf(res->code, sizeof res->code, "OutOfMemory");
        return 0;
    }
    char hash[65], line[400];
    sha256_hex(rq->body ? rq->body : "", rq->body_len, hash);
    struct curl_slist *hdr = NULL;
    snprintf(line, sizeof line, "x-amz-content-sha256: %s", hash);
    hdr = curl_slist_append(hdr, line);
    snprintf(line, sizeof line, "Content-Type: %s",
             rq->content_type ? rq->content_type : "application/octet-stream");
    hdr = curl_slist_append(hdr, line);
    /* No "Expect:" override: libcurl 7.88 would sign the empty header it never sends. */
    if (rq->if_none_match) hdr = curl_slist_append(hdr, "If-None-Match: *");
    if (rq->range) {
        snprintf(line, sizeof line, "Range: %s", rq->range);
        hdr = curl_slist_append(hdr, line);
    }
    if (c->token_header) hdr = curl_slist_append(hdr, c->token_header);
    for (size_t i = 0; rq->meta && i < S3_ORIGIN_NFIELDS; i++) {
        const char *v = (const char *)rq->meta + s3_origin_fields[i].off;
        if (!*v) continue;
        snprintf(line, sizeof line, "x-amz-meta-%s: %s", s3_origin_fields[i].name, v);
        hdr = curl_slist_append(hdr, line);
    }
    if (rq->with_sse == 1 && c->acl) {
        snprintf(line, sizeof line, "x-amz-acl: %s", c->acl);
        hdr = curl_slist_append(hdr, line);
    }
    if (rq->with_sse && c->ssec_key) { /* SSE-C goes with every write of the object */
        hdr = curl_slist_append(hdr, "x-amz-server-side-encryption-customer-algorithm: AES256");
        snprintf(line, sizeof line, "x-amz-server-side-encryption-customer-key: %s", c->ssec_key);
        hdr = curl_slist_append(hdr, line);
        snprintf(line, sizeof line, "x-amz-server-side-encryption-customer-key-MD5: %s",
                 c->ssec_md5);
        hdr = curl_slist_append(hdr, line);
        memset(line, 0, sizeof line);
    }
    if (rq->with_sse == 1 && c->sse) {
        snprintf(line, sizeof line, "x-amz-server-side-encryption: %s", c->sse);
        hdr = curl_slist_append(hdr, line);
        if (c->kms) {
            snprintf(line, sizeof line, "x-amz-server-side-encryption-aws-kms-key-id: %s", c->kms);
            hdr = curl_slist_append(hdr, line);
        }
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
    curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    /* No total timeout (big parts are slow on slow links); give up on a stalled transfer. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, hc);
    if (c->o.should_abort) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &c->o);
    }
    if (!strcmp(rq->method, "GET")) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (!strcmp(rq->method, "HEAD")) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        /* The body goes as POSTFIELDS so that libcurl hashes exactly what it sends. */
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
    }
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    free(url);
    res->http_status = (int)status;
    res->code[0] = res->detail[0] = 0;
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        snprintf(res->code, sizeof res->code, "Abandoned");
        snprintf(res->detail, sizeof res->detail, "cut off: the task is stopping");
    } else if (rc != CURLE_OK) {
        snprintf(res->code, sizeof res->code, "Connection");
        snprintf(res->detail, sizeof res->detail, "%s", curl_easy_strerror(rc));
    } else if (status >= 300) {
        if (!s3_xml_tag(out->data, out->len, "Code", res->code, sizeof res->code))
            snprintf(res->code, sizeof res->code, "HTTP%ld", status);
        s3_xml_tag(out->data, out->len, "Message", res->detail, sizeof res->detail);
    }
    return (int)status;
}

static void free_secret(char **s) {
    if (*s) {
        memset(*s, 0, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

/* Makes userpwd and token_header follow the provider's current credentials. -1 with res
 * filled when there are none (expired and not refreshed: transient). */
static int use_current_creds(curl_client_t *c, s3_result_t *res) {
    s3_credentials_t fresh = {0};
    char err[sizeof res->detail];
    int rc = s3_creds_provider_get(c->provider, &c->gen, &fresh, err, sizeof err);
    if (rc < 0) {
        res->http_status = 0;
        snprintf(res->code, sizeof res->code, "CredentialsUnavailable");
        snprintf(res->detail, sizeof res->detail, "%s", err);
        return -1;
    }
    if (rc == 0) return 0;
    free_secret(&c->userpwd);
    free_secret(&c->token_header);
    size_t ul = strlen(fresh.access_key) + strlen(fresh.secret_key) + 2;
    c->userpwd = malloc(ul);
    if (c->userpwd) snprintf(c->userpwd, ul, "%s:%s", fresh.access_key, fresh.secret_key);
    if (fresh.session_token) {
        size_t tl = strlen(fresh.session_token) + 32;
        c->token_header = malloc(tl);
        if (c->token_header)
            snprintf(c->token_header, tl, "x-amz-security-token: %s", fresh.session_token);
    }
    int oom = !c->userpwd || (fresh.session_token && !c->token_header);
    s3_credentials_clear(&fresh);
    if (oom) {
        c->gen = 0; /* build them again next time */
        snprintf(res->code, sizeof res->code, "OutOfMemory");
        res->detail[0] = 0;
        return -1;
    }
    return 0;
}

/* S3's word for temporary credentials it no longer takes (clock skew, or revoked early). */
static int expired_code(const char *code) {
    return !strcmp(code, "ExpiredToken") || !strcmp(code, "TokenRefreshRequired");
}

/* Retries transient failures; a 412 on a conditional write is success (the object is there,
 * with the same content by construction). */
/* No new attempt after this long inside one call, so that the worker gets the task thread
 * back (and polls the consumer) well within librdkafka's max.poll.interval.ms. */
#define RETRY_BUDGET_MS 120000

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static s3_outcome_t perform(curl_client_t *c, const request_t *rq, buf_t *out, head_capture_t *hc,
                            s3_result_t *res) {
    int64_t started = mono_ms();
    for (int attempt = 0;; attempt++) {
        out->len = 0;
        if (out->data) out->data[0] = 0;
        s3_origin_t *keep = hc->origin;
        memset(hc, 0, sizeof *hc);
        hc->origin = keep;
        if (keep) memset(keep, 0, sizeof *keep);
        s3_outcome_t oc = S3_TRANSIENT;
        int st = use_current_creds(c, res) == 0 ? perform_once(c, rq, out, hc, res) : -1;
        res->retries = attempt;
        if (rq->if_none_match && st == 412)
            return S3_DONE; /* the caller looks at res->http_status */
        if (st >= 0) oc = s3_classify(st, res->code);
        /* Temporary credentials S3 calls expired are fetched again before the next try. */
        if (oc == S3_PERMANENT && expired_code(res->code) &&
            s3_creds_provider_invalidate(c->provider, c->gen))
            oc = S3_TRANSIENT;
        if (oc == S3_DONE) {
            /* CompleteMultipartUpload reports some errors inside a 200 answer. */
            if (out->data && memmem(out->data, out->len, "<Error>", 7)) {
                s3_xml_tag(out->data, out->len, "Code", res->code, sizeof res->code);
                oc = S3_TRANSIENT;
            } else {
                return S3_DONE;
            }
        }
        if (oc == S3_PERMANENT || attempt >= c->o.max_retries ||
            mono_ms() - started > RETRY_BUDGET_MS || !strcmp(res->code, "Abandoned"))
            return oc;
        if (s3_backoff_sleep(&c->o, attempt)) return S3_TRANSIENT;
    }
}

static void md5_etag(const void *data, size_t len, char out[40]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_md5(), NULL);
    out[0] = '"';
    for (unsigned int i = 0; i < n && i < 16; i++) snprintf(out + 1 + 2 * i, 3, "%02x", md[i]);
    snprintf(out + 33, 7, "\"");
}

/* A conditional write found the key taken (412): HEAD it for its origin (and ETag). An
 * object of another origin than `meta` is not this task's to replace: *conflict 1, its
 * origin in res->theirs and res->code "OriginConflict" (the sink refuses or renames). A
 * failed HEAD is returned (S3_DONE for a 404: the object went away meanwhile). */
static s3_outcome_t taken_by(curl_client_t *c, const char *key, const s3_origin_t *meta,
                             head_capture_t *hc, int *conflict, s3_result_t *res) {
    buf_t out = {0};
    s3_origin_t theirs = {0};
    *conflict = 0;
    memset(hc, 0, sizeof *hc);
    hc->origin = meta ? &theirs : NULL;
    /* with_sse 2: an SSE-C object is read only with its key. */
    request_t head = {"HEAD", key, NULL, NULL, 0, NULL, 0, 2, NULL, NULL};
    s3_outcome_t oc = perform(c, &head, &out, hc, res);
    free(out.data);
    hc->origin = NULL;
    if (oc == S3_PERMANENT && res->http_status == 404) return S3_DONE;
    if (oc != S3_DONE) return meta ? oc : S3_DONE;
    if (meta && !s3_origin_same(meta, &theirs)) {
        *conflict = 1;
        res->theirs = theirs;
        snprintf(res->code, sizeof res->code, "OriginConflict");
    }
    return S3_DONE;
}

/* A conditional PUT found the key taken (412). Another origin's object: left alone (see
 * taken_by). Same bytes (ETag = MD5 for a single-PUT object): nothing to do. Different bytes
 * of the same origin: the object is left by an earlier attempt whose offsets were never
 * committed (e.g. a stop's final flush cut it short, then a crash), and this task is about
 * to commit offsets that match *its* content: overwrite, or records would be lost.
 * res->code says "Replaced" then, for the sink's log. */
static s3_outcome_t settle_conflict(curl_client_t *c, const char *key, const void *data, size_t len,
                                    const char *ct, const s3_origin_t *meta, s3_result_t *res) {
    head_capture_t hc;
    int conflict;
    s3_outcome_t oc = taken_by(c, key, meta, &hc, &conflict, res);
    if (oc != S3_DONE || conflict) return oc;
    char want[40];
    md5_etag(data, len, want);
    if (!strcmp(hc.etag, want)) {
        snprintf(res->code, sizeof res->code, "AlreadyWritten");
        return S3_DONE;
    }
    request_t put = {"PUT", key, NULL, data, len, ct, 0, 1, meta, NULL};
    buf_t out = {0};
    oc = perform(c, &put, &out, &hc, res);
    free(out.data);
    if (oc == S3_DONE) snprintf(res->code, sizeof res->code, "Replaced");
    return oc;
}

static s3_outcome_t c_put(s3_client_t *base, const char *key, const void *data, size_t len,
                          const char *ct, const s3_origin_t *meta, int inm, s3_result_t *res) {
    curl_client_t *c = (curl_client_t *)base;
    buf_t out = {0};
    head_capture_t hc = {0};
    request_t rq = {"PUT", key, NULL, data, len, ct, inm, 1, meta, NULL};
    s3_outcome_t oc = perform(c, &rq, &out, &hc, res);
    free(out.data);
    if (oc == S3_DONE && res->http_status == 412)
        return settle_conflict(c, key, data, len, ct, meta, res);
    return oc;
}

static s3_outcome_t c_head(s3_client_t *base, const char *key, s3_origin_t *meta, int *found,
                           s3_result_t *res) {
    curl_client_t *c = (curl_client_t *)base;
    buf_t out = {0};
    head_capture_t hc = {.origin = meta};
    /* with_sse 2: an SSE-C object is read only with its key (S3 answers 400 otherwise). */
    request_t rq = {"HEAD", key, NULL, NULL, 0, NULL, 0, 2, NULL, NULL};
    s3_outcome_t oc = perform(c, &rq, &out, &hc, res);
    free(out.data);
    *found = oc == S3_DONE;
    if (oc == S3_PERMANENT && res->http_status == 404) {
        memset(meta, 0, sizeof *meta);
        return S3_DONE;
    }
    if (oc == S3_PERMANENT) {
        /* A HEAD answer has no body, so no S3 error code (SignatureDoesNotMatch,
         * AccessDenied...): a GET of one byte brings it for the message. */
        request_t get = {"GET", key, NULL, NULL, 0, NULL, 0, 2, NULL, "bytes=0-0"};
        s3_result_t why;
        out = (buf_t){0};
        if (perform(c, &get, &out, &hc, &why) != S3_DONE && why.http_status == res->http_status)
            *res = why;
        free(out.data);
        memset(meta, 0, sizeof *meta);
    }
    return oc;
}

static s3_outcome_t c_mpu_create(s3_client_t *base, const char *key, const char *ct,
                                 const s3_origin_t *meta, char **upload_id, s3_result_t *res) {
    curl_client_t *c = (curl_client_t *)base;
    buf_t out = {0};
    head_capture_t hc = {0};
    /* "uploads=" rather than "uploads": libcurl signs the query as written, and the
     * canonical form of a valueless parameter has the '='. */
    request_t rq = {"POST", key, "uploads=", NULL, 0, ct, 0, 1, meta, NULL};
    s3_outcome_t oc = perform(c, &rq, &out, &hc, res);
    char id[1024];
    *upload_id = NULL;
    if (oc == S3_DONE) {
        if (s3_xml_tag(out.data, out.len, "UploadId", id, sizeof id)) {
            *upload_id = strdup(id);
        } else {
            snprintf(res->code, sizeof res->code, "NoUploadId");
            oc = S3_TRANSIENT;
        }
    }
    free(out.data);
    return oc;
}

/* The query string of a multipart request: its upload id, and its part number if part > 0. */
static void upload_query(char *query, size_t size, int part, const char *upload_id) {
    char *eid = s3_uri_encode_key(upload_id);
    if (part > 0)
        snprintf(query, size, "partNumber=%d&uploadId=%s", part, eid ? eid : "");
    else
        snprintf(query, size, "uploadId=%s", eid ? eid : "");
    free(eid);
}

static s3_outcome_t c_mpu_part(s3_client_t *base, const char *key, const char *upload_id, int part,
                               const void *data, size_t len, char **etag, s3_result_t *res) {
    curl_client_t *c = (curl_client_t *)base;
    buf_t out = {0};
    head_capture_t hc = {0};
    char query[1200];
    upload_query(query, sizeof query, part, upload_id);
    request_t rq = {"PUT", key, query, data, len, NULL, 0, 2, NULL, NULL};
    s3_outcome_t oc = perform(c, &rq, &out, &hc, res);
    *etag = NULL;
    if (oc == S3_DONE) *etag = strdup(hc.etag);
    free(out.data);
    return oc;
}

static s3_outcome_t c_mpu_complete(s3_client_t *base, const char *key, const char *upload_id,
                                   char *const *etags, int nparts, int inm, const s3_origin_t *meta,
                                   s3_result_t *res) {
    curl_client_t *c = (curl_client_t *)base;
    size_t cap = 128 + (size_t)nparts * 200, n = 0;
    char *xml = malloc(cap);
    if (!xml) return S3_TRANSIENT;
    n += (size_t)snprintf(xml + n, cap - n, "<CompleteMultipartUpload>");
    for (int i = 0; i < nparts; i++)
        n += (size_t)snprintf(xml + n, cap - n,
                              "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i + 1,
                              etags[i]);
    n += (size_t)snprintf(xml + n, cap - n, "</CompleteMultipartUpload>");
    char query[1200];
    upload_query(query, sizeof query, 0, upload_id);
    buf_t out = {0};
    head_capture_t hc = {0};
    request_t rq = {"POST", key, query, xml, n, "application/xml", inm, 0, NULL, NULL};
    s3_outcome_t oc = perform(c, &rq, &out, &hc, res);
    int conflict = 0, taken = oc == S3_DONE && res->http_status == 412;
    if (taken && meta) oc = taken_by(c, key, meta, &hc, &conflict, res);
    if (oc == S3_DONE && taken && !conflict) {
        /* The key is taken by the same origin. A multipart ETag is no content hash, so
         * equality cannot be checked: complete unconditionally (see settle_conflict for why
         * overwriting is right). The upload stays open after a 412, so completing again
         * works. */
        rq.if_none_match = 0;
        oc = perform(c, &rq, &out, &hc, res);
        if (oc == S3_DONE) snprintf(res->code, sizeof res->code, "Replaced");
    }
    /* A retried complete can find the upload already completed by the first try. */
    if (oc == S3_PERMANENT && !strcmp(res->code, "NoSuchUpload")) oc = S3_DONE;
    free(out.data);
    free(xml);
    return oc;
}

static s3_outcome_t c_mpu_abort(s3_client_t *base, const char *key, const char *upload_id,
                                s3_result_t *res) {
    curl_client_t *c = (curl_client_t *)base;
    char query[1200];
    upload_query(query, sizeof query, 0, upload_id);
    buf_t out = {0};
    head_capture_t hc = {0};
    request_t rq = {"DELETE", key, query, NULL, 0, NULL, 0, 0, NULL, NULL};
    s3_outcome_t oc = perform(c, &rq, &out, &hc, res);
    free(out.data);
    return oc;
}

static s3_outcome_t c_get(s3_client_t *base, const char *key, char **data, size_t *len,
                          s3_result_t *res) {
    curl_client_t *c = (curl_client_t *)base;
    buf_t out = {0};
    head_capture_t hc = {0};
    request_t rq = {"GET", key, NULL, NULL, 0, NULL, 0, 0, NULL, NULL};
    s3_outcome_t oc = perform(c, &rq, &out, &hc, res);
    if (oc == S3_DONE) {
        *data = cw_sdk_buf_detach(&out, len);
    } else {
        cw_sdk_buf_free(&out);
        *data = NULL;
        *len = 0;
    }
    return oc;
}

/* A query value as SigV4 canonicalises it (everything but A-Z a-z 0-9 - . _ ~ escaped,
 * '/' included), which is what curl_easy_escape does. */
static char *query_value(CURL *h, const char *v) { return curl_easy_escape(h, v, 0); }

static s3_outcome_t c_list(s3_client_t *base, const char *prefix, const char *start_after,
                           s3_key_page_t *page, s3_result_t *res) {
    curl_client_t *c = (curl_client_t *)base;
    memset(page, 0, sizeof *page);
    char *ep = query_value(c->curl, prefix), *es = query_value(c->curl, start_after);
    size_t n = (ep ? strlen(ep) : 0) + (es ? strlen(es) : 0) + 64;
    char *query = ep && es ? malloc(n) : NULL;
    if (!query) {
        curl_free(ep);
        curl_free(es);
        snprintf(res->code, sizeof res->code, "OutOfMemory");
        return S3_TRANSIENT;
    }
    /* In canonical (sorted) order: libcurl signs the query as written. */
    snprintf(query, n, "list-type=2&max-keys=%d&prefix=%s&start-after=%s", S3_LIST_PAGE, ep, es);
    curl_free(ep);
    curl_free(es);
    buf_t out = {0};
    head_capture_t hc = {0};
    request_t rq = {"GET", NULL, query, NULL, 0, NULL, 0, 0, NULL, NULL};
    s3_outcome_t oc = perform(c, &rq, &out, &hc, res);
    free(query);
    if (oc == S3_DONE && s3_key_page_parse(out.data, out.len, page) != 0) {
        snprintf(res->code, sizeof res->code, "MalformedListing");
        snprintf(res->detail, sizeof res->detail, "the answer is no ListBucketResult");
        oc = S3_TRANSIENT;
    }
    free(out.data);
    return oc;
}

static void c_destroy(s3_client_t *base) {
    curl_client_t *c = (curl_client_t *)base;
    if (!c) return;
    curl_easy_cleanup(c->curl);
    free_secret(&c->userpwd);
    free_secret(&c->token_header);
    if (c->own_provider) s3_creds_provider_free(c->provider);
    free(c->endpoint);
    free(c->bucket);
    free(c->region);
    free(c->sse);
    free(c->acl);
    free_secret(&c->ssec_key);
    free_secret(&c->ssec_md5);
    free(c->kms);
    free(c);
}

static const s3_client_ops_t curl_ops = {
    .name = "curl",
    .put = c_put,
    .mpu_create = c_mpu_create,
    .mpu_part = c_mpu_part,
    .mpu_complete = c_mpu_complete,
    .mpu_abort = c_mpu_abort,
    .get = c_get,
    .destroy = c_destroy,
    .head = c_head,
    .list = c_list,
};

/* SSE-C: keeps the base64 key and the base64 MD5 of its 32 bytes, which S3 wants beside it.
 * 0, or -1 when the key does not decode to 32 bytes. */
static int ssec_setup(curl_client_t *c) {
    const char *b64 = c->o.sse_customer_key;
    unsigned char raw[64], md[EVP_MAX_MD_SIZE];
    size_t bl = strlen(b64);
    if (bl != 44) /* 32 bytes in base64, padded */
        return -1;
    int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)bl);
    unsigned int ml = 0;
    if (n != 33 || b64[43] != '=' || b64[42] == '=' ||
        !EVP_Digest(raw, 32, md, &ml, EVP_md5(), NULL)) {
        OPENSSL_cleanse(raw, sizeof raw);
        return -1;
    }
    OPENSSL_cleanse(raw, sizeof raw);
    char enc[32];
    EVP_EncodeBlock((unsigned char *)enc, md, (int)ml);
    c->ssec_key = strdup(b64);
    c->ssec_md5 = strdup(enc);
    return c->ssec_key && c->ssec_md5 ? 0 : -1;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

s3_client_t *s3_client_curl_new(const s3_client_options_t *o, char *errstr, size_t errstr_size) {
    pthread_once(&global_once, global_init);
    curl_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errstr, errstr_size, "out of memory creating the S3 client");
        return NULL;
    }
    c->base.ops = &curl_ops;
    c->o = *o;
    c->endpoint = strdup(o->endpoint);
    size_t el = strlen(c->endpoint);
    while (el && c->endpoint[el - 1] == '/') c->endpoint[--el] = 0;
    c->bucket = strdup(o->bucket);
    c->region = strdup(o->region);
    c->sse = o->sse_algorithm && *o->sse_algorithm ? strdup(o->sse_algorithm) : NULL;
    c->kms = o->sse_kms_key_id && *o->sse_kms_key_id ? strdup(o->sse_kms_key_id) : NULL;
    c->acl = o->acl_canned && *o->acl_canned ? strdup(o->acl_canned) : NULL;
    if (o->sse_customer_key && *o->sse_customer_key && ssec_setup(c) != 0) {
        snprintf(errstr, errstr_size, "s3.sse.customer.key is not the base64 of a 256-bit key");
        c_destroy(&c->base);
        return NULL;
    }
    c->curl = curl_easy_init();
    snprintf(c->sigv4, sizeof c->sigv4, "aws:amz:%s:s3", o->region);
    c->provider = o->provider;
    if (!c->provider && o->creds) {
        /* Fixed credentials: a provider of its own, so requests take one path. */
        s3_credentials_t copy;
        if (s3_credentials_copy(&copy, o->creds) == 0) {
            copy.kind = S3_CREDS_FIXED;
            c->provider = s3_creds_provider_new(&copy);
            c->own_provider = c->provider != NULL;
            s3_credentials_clear(&copy);
        }
    }
    c->o.endpoint = c->endpoint;
    c->o.bucket = c->bucket;
    c->o.region = c->region;
    c->o.creds = NULL; /* copied; the caller may free its copy */
    s3_result_t res;
    if (!c->provider || use_current_creds(c, &res) != 0) {
        snprintf(errstr, errstr_size, "no usable AWS credentials for the S3 client%s%s",
                 c->provider ? ": " : "", c->provider ? res.detail : "");
        c_destroy(&c->base);
        return NULL;
    }
    if (!c->curl || !c->userpwd || !c->endpoint || !c->bucket || !c->region) {
        snprintf(errstr, errstr_size, "could not initialise libcurl for the S3 client");
        c_destroy(&c->base);
        return NULL;
    }
    return &c->base;
}
