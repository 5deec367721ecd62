/* Signature V4 checks.
 * 1. libcurl's CURLOPT_AWS_SIGV4, as our client configures it, reproduces AWS's published
 *    test-suite signatures (get-vanilla, post-vanilla, post-vanilla-query): the request goes
 *    to a local listener that captures the Authorization header; the date is fixed with an
 *    X-Amz-Date header.
 * 2. An independent SigV4 computation (OpenSSL HMAC, written from the spec and itself checked
 *    against the get-vanilla vector) recomputes the signature of every request our S3 client
 *    sends (PUT with a session token, multipart create/part/complete/abort) from the bytes
 *    captured on the wire, and checks x-amz-content-sha256 against the body.
 * 3. Two clients sharing a credentials provider sign with the refreshed credentials (key,
 *    secret and token) once it fetched new ones, fetch again when S3 answers ExpiredToken,
 *    and fail transiently without sending anything when they expired and cannot be fetched. */
#define _GNU_SOURCE /* strcasestr */
#include "s3_client.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "s3_check.h"

/* ---- a one-request-per-connection HTTP listener that records what it got ---- */
typedef struct captured {
    char head[8192];
    char *body;
    size_t body_len;
} captured_t;

static int listen_fd, port;
static captured_t last;
static const char *reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* Scripted replies (used in order, then `reply`) and a log of request lines + If-None-Match. */
static const char *script[8];
static int nscript, used_script;
static char reqlog[1024];

static void *serve(void *arg) {
    (void)arg;
    for (;;) {
        int c = accept(listen_fd, NULL, NULL);
        if (c < 0) return NULL;
        char buf[1 << 16];
        size_t len = 0;
        char *end = NULL;
        while (!end && len < sizeof buf - 1) {
            ssize_t n = read(c, buf + len, sizeof buf - 1 - len);
            if (n <= 0) break;
            len += (size_t)n;
            buf[len] = 0;
            end = strstr(buf, "\r\n\r\n");
        }
        if (!end) {
            close(c);
            continue;
        }
        size_t hl = (size_t)(end - buf) + 4, cl = 0;
        const char *p = strcasestr(buf, "\r\nContent-Length:");
        if (p && p < end) cl = strtoul(p + 17, NULL, 10);
        char *body = malloc(cl + 1);
        size_t have = len - hl < cl ? len - hl : cl;
        memcpy(body, buf + hl, have);
        while (have < cl) {
            ssize_t n = read(c, body + have, cl - have);
            if (n <= 0) break;
            have += (size_t)n;
        }
        pthread_mutex_lock(&mu);
        free(last.body);
        snprintf(last.head, sizeof last.head, "%.*s", (int)hl, buf);
        last.body = body;
        last.body_len = have;
        const char *r = used_script < nscript ? script[used_script++] : reply;
        char method[16] = "";
        sscanf(buf, "%15s", method);
        int inm = strcasestr(last.head, "\r\nIf-None-Match:") != NULL;
        size_t l = strlen(reqlog);
        snprintf(reqlog + l, sizeof reqlog - l, "%s%s ", method, inm ? "(inm)" : "");
        pthread_mutex_unlock(&mu);
        if (write(c, r, strlen(r)) < 0) {}
        close(c);
    }
}

static void start_listener(void) {
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(listen_fd, (struct sockaddr *)&a, sizeof a);
    listen(listen_fd, 8);
    socklen_t al = sizeof a;
    getsockname(listen_fd, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin_port);
    pthread_t th;
    pthread_create(&th, NULL, serve, NULL);
    pthread_detach(th);
}

/* Value of header `name` in the captured head (case-insensitive), copied to out. */
static int header(const char *head, const char *name, char *out, size_t out_size) {
    size_t nl = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
        const char *s = l + 2;
        if (!strncasecmp(s, name, nl) && s[nl] == ':') {
            s += nl + 1;
            while (*s == ' ') s++;
            const char *e = strstr(s, "\r\n");
            snprintf(out, out_size, "%.*s", (int)(e - s), s);
            return 1;
        }
    }
    return 0;
}

/* ---- independent SigV4 (from the AWS documentation) ---- */
static void hex(const unsigned char *d, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static void hmac(const void *key, size_t kl, const char *msg, unsigned char out[32]) {
    unsigned int ol = 32;
    HMAC(EVP_sha256(), key, (int)kl, (const unsigned char *)msg, strlen(msg), out, &ol);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* signature of a request given its pieces. headers: "name:value\n" lines, lowercase names,
 * sorted; signed: "a;b;c". */
static void sigv4(const char *secret, const char *date, const char *region, const char *service,
                  const char *method, const char *path, const char *query,
                  const char *canon_headers, const char *signed_headers, const char *payload_hash,
                  char out[65]) {
    /* canonical query: parameters sorted, "k" becomes "k=" */
    char qbuf[2048] = "", *parts[64];
    int np = 0;
    char *qcopy = strdup(query ? query : "");
    char *save = NULL;
    for (char *t = strtok_r(qcopy, "&", &save); t && np < 64; t = strtok_r(NULL, "&", &save)) {
        parts[np] = malloc(strlen(t) + 2);
        sprintf(parts[np], "%s%s", t, strchr(t, '=') ? "" : "=");
        np++;
    }
    qsort(parts, (size_t)np, sizeof *parts, cmp_str);
    for (int i = 0; i < np; i++) {
        strcat(qbuf, i ? "&" : "");
        strcat(qbuf, parts[i]);
        free(parts[i]);
    }
    free(qcopy);
    size_t cl = strlen(method) + strlen(path) + strlen(qbuf) + strlen(canon_headers) +
                strlen(signed_headers) + 200;
    char *creq = malloc(cl);
    snprintf(creq, cl, "%s\n%s\n%s\n%s\n%s\n%s", method, path, qbuf, canon_headers, signed_headers,
             payload_hash);
    unsigned char md[32];
    char creq_hash[65];
    SHA256((unsigned char *)creq, strlen(creq), md);
    hex(md, 32, creq_hash);
    free(creq);
    char day[9];
    snprintf(day, sizeof day, "%.8s", date);
    char sts[512];
    snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", date, day, region,
             service, creq_hash);
    char k0[256];
    snprintf(k0, sizeof k0, "AWS4%s", secret);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac(k0, strlen(k0), day, k1);
    hmac(k1, 32, region, k2);
    hmac(k2, 32, service, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, sts, sig);
    hex(sig, 32, out);
}

/* Recomputes the signature of the captured request and compares with its Authorization. */
static void verify_captured(const char *secret, const char *what) {
    pthread_mutex_lock(&mu);
    captured_t c = last;
    last.body = NULL;
    pthread_mutex_unlock(&mu);
    char method[16], target[2048], auth[1024], date[32], sha[80];
    CHECK(sscanf(c.head, "%15s %2047s", method, target) == 2, "%s: request line", what);
    CHECK(header(c.head, "Authorization", auth, sizeof auth), "%s: no Authorization", what);
    CHECK(header(c.head, "X-Amz-Date", date, sizeof date), "%s: no X-Amz-Date", what);
    CHECK(header(c.head, "x-amz-content-sha256", sha, sizeof sha), "%s: no x-amz-content-sha256",
          what);
    unsigned char md[32];
    char body_hash[65];
    SHA256((unsigned char *)(c.body ? c.body : ""), c.body_len, md);
    hex(md, 32, body_hash);
    CHECK(!strcmp(sha, body_hash), "%s: x-amz-content-sha256 %s but body hashes to %s", what, sha,
          body_hash);
    char *sh = strstr(auth, "SignedHeaders="), *sg = strstr(auth, "Signature=");
    CHECK(sh && sg, "%s: auth %s", what, auth);
    if (!sh || !sg) {
        free(c.body);
        return;
    }
    char signed_h[512];
    snprintf(signed_h, sizeof signed_h, "%.*s", (int)strcspn(sh + 14, ","), sh + 14);
    CHECK(strstr(signed_h, "x-amz-content-sha256") && strstr(signed_h, "host"),
          "%s: signed headers %s", what, signed_h);
    char canon[4096] = "", copy[512];
    snprintf(copy, sizeof copy, "%s", signed_h);
    char *save = NULL;
    for (char *n = strtok_r(copy, ";", &save); n; n = strtok_r(NULL, ";", &save)) {
        char v[1024];
        CHECK(header(c.head, n, v, sizeof v), "%s: signed header %s missing", what, n);
        strcat(canon, n);
        strcat(canon, ":");
        strcat(canon, v);
        strcat(canon, "\n");
    }
    char *q = strchr(target, '?');
    if (q) *q++ = 0;
    char region[64] = "";
    const char *cr = strstr(auth, "Credential=");
    if (cr) {
        const char *r0 = strchr(cr, '/');
        r0 = r0 ? strchr(r0 + 1, '/') : NULL;
        if (r0) snprintf(region, sizeof region, "%.*s", (int)strcspn(r0 + 1, "/"), r0 + 1);
    }
    char want[65];
    sigv4(secret, date, region, "s3", method, target, q, canon, signed_h, sha, want);
    CHECK(!strncmp(sg + 10, want, 64), "%s: signature %.64s, independent computation %s", what,
          sg + 10, want);
    free(c.body);
}

/* ---- 1: AWS test-suite vectors through libcurl ---- */
static const char *VEC_KEY = "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static const char *VEC_PREFIX =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=";

static void vector(const char *name, const char *method, const char *path_query, const char *sig) {
    CURL *h = curl_easy_init();
    char url[256], connect_to[128], want[512], got[1024] = "";
    snprintf(url, sizeof url, "http://example.amazonaws.com%s", path_query);
    snprintf(connect_to, sizeof connect_to, "example.amazonaws.com:80:127.0.0.1:%d", port);
    struct curl_slist *ct = curl_slist_append(NULL, connect_to);
    struct curl_slist *hd = curl_slist_append(NULL, "X-Amz-Date: 20150830T123600Z");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, ct);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:service");
    curl_easy_setopt(h, CURLOPT_USERPWD, VEC_KEY);
    if (!strcmp(method, "POST")) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "POST");
    }
    CURLcode rc = curl_easy_perform(h);
    CHECK(rc == CURLE_OK, "%s: %s", name, curl_easy_strerror(rc));
    pthread_mutex_lock(&mu);
    header(last.head, "Authorization", got, sizeof got);
    pthread_mutex_unlock(&mu);
    snprintf(want, sizeof want, "%s%s", VEC_PREFIX, sig);
    CHECK(!strcmp(got, want), "%s:\n  got  %s\n  want %s", name, got, want);
    /* The independent computation must agree with the published vector too. */
    char mine[65];
    char qcopy[128] = "";
    const char *q = strchr(path_query, '?');
    if (q) snprintf(qcopy, sizeof qcopy, "%s", q + 1);
    sigv4("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830T123600Z", "us-east-1", "service",
          method, "/", qcopy, "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
          "host;x-amz-date", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          mine);
    CHECK(!strcmp(mine, sig), "%s: independent signer gives %s", name, mine);
    curl_slist_free_all(ct);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
}

/* ---- 3: refresh, on a fake clock and a fake fetcher ---- */
static int64_t fake_now_ms;
static int64_t fake_clock(void) { return fake_now_ms; }
static int refetches, refetch_fails;
static const char *const FRESH_SECRET[] = {"old/secret", "new/secret", "third/secret"};

static int fake_refetch(s3_creds_kind_t kind, s3_credentials_t *out, char *why, size_t n) {
    (void)kind;
    if (refetch_fails || refetches >= 2) {
        snprintf(why, n, "connection refused at http://fake");
        return S3_SRC_FAILED;
    }
    refetches++;
    char id[32], tok[32];
    snprintf(id, sizeof id, "AKID%d", refetches + 1);
    snprintf(tok, sizeof tok, "TOKEN%d", refetches + 1);
    out->access_key = strdup(id);
    out->secret_key = strdup(FRESH_SECRET[refetches]);
    out->session_token = strdup(tok);
    out->expires_ms = fake_now_ms + 3600000;
    return S3_SRC_OK;
}

/* PUTs through c; the captured request must carry `key` and `token` and be signed with
 * `secret`. */
static void put_signed_with(s3_client_t *c, const char *key, const char *secret, const char *token,
                            const char *what) {
    s3_result_t res;
    CHECK(c->ops->put(c, "obj", "x", 1, NULL, NULL, 0, &res) == S3_DONE, "%s: put %s %s", what,
          res.code, res.detail);
    char tok[64] = "", auth[512] = "";
    pthread_mutex_lock(&mu);
    header(last.head, "x-amz-security-token", tok, sizeof tok);
    header(last.head, "Authorization", auth, sizeof auth);
    pthread_mutex_unlock(&mu);
    CHECK(!strcmp(tok, token), "%s: token '%s', want %s", what, tok, token);
    char cred[64];
    snprintf(cred, sizeof cred, "Credential=%s/", key);
    CHECK(strstr(auth, cred) != NULL, "%s: %s lacks %s", what, auth, cred);
    verify_captured(secret, what);
}

static void test_refresh(const char *endpoint) {
    char errbuf[256];
    fake_now_ms = 1800000000000LL;
    s3_credentials_t init = {.access_key = strdup("AKID1"),
                             .secret_key = strdup("old/secret"),
                             .session_token = strdup("TOKEN1"),
                             .expires_ms = fake_now_ms + 3600000,
                             .kind = S3_CREDS_INSTANCE};
    snprintf(init.source, sizeof init.source, "instance metadata (role r)");
    s3_creds_provider_t *p = s3_creds_provider_new(&init);
    s3_creds_provider_set_hooks(p, fake_clock, fake_refetch);
    s3_client_options_t o = {.endpoint = endpoint,
                             .bucket = "bkt",
                             .region = "eu-west-1",
                             .path_style = 1,
                             .provider = p,
                             .max_retries = 1,
                             .backoff_ms = 1};
    s3_client_t *a = s3_client_curl_new(&o, errbuf, sizeof errbuf);
    s3_client_t *b = s3_client_curl_new(&o, errbuf, sizeof errbuf);
    CHECK(a && b, "clients: %s", errbuf);
    if (!a || !b) return;
    put_signed_with(a, "AKID1", "old/secret", "TOKEN1", "before the refresh");
    fake_now_ms += 3600000 - 60000; /* one minute left: refresh */
    put_signed_with(b, "AKID2", "new/secret", "TOKEN2", "client b, refreshed");
    put_signed_with(a, "AKID2", "new/secret", "TOKEN2", "client a, after b's refresh");
    CHECK(refetches == 1, "fetched %d times", refetches);

    /* S3 calls the token expired (clock skew, revoked early): fetched again and retried. */
    fake_now_ms += 2000;
    static const char expired[] =
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 40\r\n"
        "Connection: close\r\n\r\n<Error><Code>ExpiredToken</Code></Error>";
    pthread_mutex_lock(&mu);
    script[0] = expired, nscript = 1, used_script = 0, reqlog[0] = 0;
    pthread_mutex_unlock(&mu);
    put_signed_with(a, "AKID3", "third/secret", "TOKEN3", "after ExpiredToken");
    CHECK(refetches == 2 && !strcmp(reqlog, "PUT PUT "), "fetches %d, requests %s", refetches,
          reqlog);
    nscript = 0;

    /* Expired and not fetchable: transient, and nothing goes out. */
    fake_now_ms += 2 * 3600000;
    reqlog[0] = 0;
    s3_result_t res;
    CHECK(b->ops->put(b, "obj", "x", 1, NULL, NULL, 0, &res) == S3_TRANSIENT,
          "expired: not transient");
    CHECK(!strcmp(res.code, "CredentialsUnavailable") && strstr(res.detail, "expired") &&
              strstr(res.detail, "instance metadata (role r)"),
          "expired: %s %s", res.code, res.detail);
    CHECK(!strstr(res.detail, "secret") && !strstr(res.detail, "TOKEN"), "secret in %s",
          res.detail);
    CHECK(reqlog[0] == 0, "requests sent with expired credentials: %s", reqlog);
    a->ops->destroy(a);
    b->ops->destroy(b);
    s3_creds_provider_free(p);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    start_listener();
    vector("get-vanilla", "GET", "/",
           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    vector("post-vanilla", "POST", "/",
           "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    vector("post-vanilla-query", "POST", "/?Param1=value1",
           "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11");

    /* ---- 2: our client's requests ---- */
    char endpoint[64], errbuf[256];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    s3_credentials_t creds = {
        .access_key = "AKIDTEST", .secret_key = "s3cr3t/Key+x", .session_token = "SESSIONTOKEN123"};
    s3_client_options_t o = {.endpoint = endpoint,
                             .bucket = "bkt",
                             .region = "eu-west-1",
                             .path_style = 1,
                             .creds = &creds,
                             .max_retries = 0,
                             .backoff_ms = 1};
    s3_client_t *c = s3_client_curl_new(&o, errbuf, sizeof errbuf);
    CHECK(c != NULL, "client: %s", errbuf);
    s3_result_t res;
    const char *body = "{\"a\":1}\n{\"a\":2}\n";
    CHECK(c->ops->put(c, "topics/t/partition=0/t+0+0000000000.json", body, strlen(body),
                      "application/json", NULL, 1, &res) == S3_DONE,
          "put: %s", res.code);
    char tok[128] = "", inm[16] = "";
    pthread_mutex_lock(&mu);
    header(last.head, "x-amz-security-token", tok, sizeof tok);
    header(last.head, "If-None-Match", inm, sizeof inm);
    CHECK(!strncmp(last.head, "PUT /bkt/topics/t/partition%3D0/t%2B0%2B0000000000.json ", 56),
          "request line: %.80s", last.head);
    pthread_mutex_unlock(&mu);
    CHECK(!strcmp(tok, "SESSIONTOKEN123"), "session token header: '%s'", tok);
    CHECK(!strcmp(inm, "*"), "If-None-Match: '%s'", inm);
    verify_captured(creds.secret_key, "PUT");

    char *etag = NULL;
    c->ops->mpu_part(c, "k/a+b", "upl.ID-1", 3, body, strlen(body), &etag, &res);
    free(etag);
    verify_captured(creds.secret_key, "UploadPart");
    char *etags[] = {"\"e1\"", "\"e2\""};
    c->ops->mpu_complete(c, "k/a+b", "upl.ID-1", etags, 2, 0, NULL, &res);
    verify_captured(creds.secret_key, "CompleteMultipartUpload");
    c->ops->mpu_abort(c, "k/a+b", "upl.ID-1", &res);
    verify_captured(creds.secret_key, "AbortMultipartUpload");
    /* A listing's query (prefix and start-after escaped, '/' and '+' too) signs right. */
    s3_key_page_t page = {0};
    c->ops->list(c, "topics/t/partition=0/t+0+", "topics/t/partition=0/t+0+0000000005.jso", &page,
                 &res);
    s3_key_page_free(&page);
    verify_captured(creds.secret_key, "ListObjectsV2");
    pthread_mutex_lock(&mu);
    CHECK(!strncmp(
              last.head,
              "GET "
              "/bkt/"
              "?list-type=2&max-keys=100&prefix=topics%2Ft%2Fpartition%3D0%2Ft%2B0%2B&start-after="
              "topics%2Ft%2Fpartition%3D0%2Ft%2B0%2B0000000005.jso ",
              144),
          "list request line: %.150s", last.head);
    pthread_mutex_unlock(&mu);
    char *upload = NULL;
    c->ops->mpu_create(c, "k/a+b", "application/json", NULL, &upload,
                       &res); /* no UploadId: fails */
    free(upload);
    verify_captured(creds.secret_key, "CreateMultipartUpload");
    c->ops->destroy(c);

    /* A conditional PUT that finds the key taken (412): same bytes -> done after a HEAD;
     * other bytes (an earlier uncommitted attempt) -> overwritten unconditionally. */
    {
        char etag_same[] = "ETag: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"";
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int ml = 0;
        EVP_Digest(body, strlen(body), md, &ml, EVP_md5(), NULL);
        for (unsigned i = 0; i < 16; i++) sprintf(etag_same + 7 + 2 * i, "%02x", md[i]);
        etag_same[39] = '"';
        static char head_same[256];
        snprintf(head_same, sizeof head_same,
                 "HTTP/1.1 200 OK\r\n%s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                 etag_same);
        const char *r412 =
            "HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        const char *head_other = "HTTP/1.1 200 OK\r\nETag: \"0123456789abcdef0123456789abcdef\"\r\n"
                                 "Content-Length: 0\r\nConnection: close\r\n\r\n";
        c = s3_client_curl_new(&o, errbuf, sizeof errbuf);
        pthread_mutex_lock(&mu);
        script[0] = r412, script[1] = head_same, nscript = 2, used_script = 0, reqlog[0] = 0;
        pthread_mutex_unlock(&mu);
        CHECK(c->ops->put(c, "k", body, strlen(body), NULL, NULL, 1, &res) == S3_DONE, "put");
        CHECK(!strcmp(res.code, "AlreadyWritten"), "code %s", res.code);
        CHECK(!strcmp(reqlog, "PUT(inm) HEAD "), "requests: %s", reqlog);
        pthread_mutex_lock(&mu);
        script[0] = r412, script[1] = head_other, nscript = 2, used_script = 0, reqlog[0] = 0;
        pthread_mutex_unlock(&mu);
        CHECK(c->ops->put(c, "k", body, strlen(body), NULL, NULL, 1, &res) == S3_DONE, "put");
        CHECK(!strcmp(res.code, "Replaced"), "code %s", res.code);
        CHECK(!strcmp(reqlog, "PUT(inm) HEAD PUT "), "requests: %s", reqlog);
        pthread_mutex_lock(&mu);
        script[0] = r412, nscript = 1, used_script = 0, reqlog[0] = 0;
        pthread_mutex_unlock(&mu);
        CHECK(c->ops->mpu_complete(c, "k", "u1", etags, 2, 1, NULL, &res) == S3_DONE, "complete");
        CHECK(!strcmp(res.code, "Replaced") && !strcmp(reqlog, "POST(inm) POST "),
              "complete: %s %s", res.code, reqlog);
        /* The object in the way is of another origin than the write's: left alone, its
         * origin reported (the sink refuses or renames). */
        const char *head_foreign =
            "HTTP/1.1 200 OK\r\nETag: \"0123456789abcdef0123456789abcdef\"\r\n"
            "x-amz-meta-kafka-cluster-id: other-cluster\r\nx-amz-meta-kafka-topic: t\r\n"
            "x-amz-meta-kafka-partition: 0\r\nx-amz-meta-kafka-offsets: 0-9\r\n"
            "x-amz-meta-kafka-first-record: 17:ab\r\nContent-Length: 0\r\nConnection: "
            "close\r\n\r\n";
        s3_origin_t mine = {.cluster = "my-cluster",
                            .topic = "t",
                            .partition = "0",
                            .offsets = "0-9",
                            .first = "17:ab"};
        pthread_mutex_lock(&mu);
        script[0] = r412, script[1] = head_foreign, nscript = 2, used_script = 0, reqlog[0] = 0;
        pthread_mutex_unlock(&mu);
        CHECK(c->ops->put(c, "k", body, strlen(body), NULL, &mine, 1, &res) == S3_DONE, "put");
        CHECK(!strcmp(res.code, "OriginConflict") && !strcmp(res.theirs.cluster, "other-cluster"),
              "code %s, theirs %s", res.code, res.theirs.cluster);
        CHECK(!strcmp(reqlog, "PUT(inm) HEAD "), "requests: %s", reqlog);
        pthread_mutex_lock(&mu);
        script[0] = r412, script[1] = head_foreign, nscript = 2, used_script = 0, reqlog[0] = 0;
        pthread_mutex_unlock(&mu);
        CHECK(c->ops->mpu_complete(c, "k", "u1", etags, 2, 1, &mine, &res) == S3_DONE, "complete");
        CHECK(!strcmp(res.code, "OriginConflict") && !strcmp(reqlog, "POST(inm) HEAD "),
              "complete: %s %s", res.code, reqlog);
        /* The same origin (a replay): replaced as before. */
        snprintf(mine.cluster, sizeof mine.cluster, "other-cluster");
        pthread_mutex_lock(&mu);
        script[0] = r412, script[1] = head_foreign, nscript = 2, used_script = 0, reqlog[0] = 0;
        pthread_mutex_unlock(&mu);
        CHECK(c->ops->put(c, "k", body, strlen(body), NULL, &mine, 1, &res) == S3_DONE, "put");
        CHECK(!strcmp(res.code, "Replaced") && !strcmp(reqlog, "PUT(inm) HEAD PUT "),
              "same origin: %s %s", res.code, reqlog);
        nscript = 0;
        c->ops->destroy(c);
        free(last.body);
        last.body = NULL;
    }

    /* A tampered signature must not verify: the checker can fail. */
    int before = failures;
    s3_client_options_t o2 = o;
    s3_credentials_t wrong = creds;
    wrong.secret_key = "other";
    o2.creds = &wrong;
    c = s3_client_curl_new(&o2, errbuf, sizeof errbuf);
    c->ops->put(c, "x", "y", 1, NULL, NULL, 0, &res);
    c->ops->destroy(c);
    verify_captured(creds.secret_key, "wrong key (expected mismatch)");
    CHECK(failures == before + 1, "a request signed with another key was not detected");
    failures = before;

    test_refresh(endpoint);
    curl_global_cleanup();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("SigV4 checks passed\n");
    return 0;
}
