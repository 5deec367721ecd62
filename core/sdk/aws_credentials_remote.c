/* Temporary credentials from the platform, over HTTP with libcurl: the container endpoint
 * (ECS task roles, EKS Pod Identity) and EC2 instance metadata (IMDSv2). Both answer with the
 * same JSON. Short timeouts: a worker off AWS must start without a long stall. Answers and
 * tokens are zeroed after use; messages name URLs and HTTP statuses, never a secret. */
#include "connect-worker/sdk_aws.h"
#include "connect-worker/sdk_time.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMDS_DEFAULT "http://169.254.169.254"
#define ECS_HOST "http://169.254.170.2"
#define MAX_ANSWER (64 * 1024)

typedef cw_sdk_aws_creds_answer_t answer_t;

void cw_sdk_aws_creds_answer_free(answer_t *a) {
    if (a->data) memset(a->data, 0, a->cap);
    free(a->data);
    memset(a, 0, sizeof *a);
}

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
    answer_t *a = ud;
    size_t add = size * n;
    if (a->len + add + 1 > MAX_ANSWER) return 0;
    if (!a->data) {
        /* One buffer of the largest size: growing by copies would leave credential bytes
         * behind in freed memory. */
        a->data = malloc(MAX_ANSWER);
        if (!a->data) return 0;
        a->cap = MAX_ANSWER;
    }
    memcpy(a->data + a->len, p, add);
    a->len += add;
    a->data[a->len] = 0;
    return add;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

long cw_sdk_aws_creds_http(const char *method, const char *url, const char *header,
                           const char *body, int proxied, long connect_ms, long total_ms,
                           const char *shown, answer_t *out, char *why, size_t why_size) {
    return cw_sdk_aws_http_signed(method, url, header, body, proxied, connect_ms, total_ms, shown,
                                  NULL, NULL, out, why, why_size);
}

long cw_sdk_aws_http_signed(const char *method, const char *url, const char *header,
                            const char *body, int proxied, long connect_ms, long total_ms,
                            const char *shown, const cw_sdk_aws_creds_t *sign, const char *sigv4,
                            answer_t *out, char *why, size_t why_size) {
    pthread_once(&curl_once, curl_init);
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(why, why_size, "cannot initialise libcurl");
        return 0;
    }
    struct curl_slist *hdr = header ? curl_slist_append(NULL, header) : NULL;
    char tokhdr[4200] = "";
    if (sign && sign->session_token && strlen(sign->session_token) < 4096) {
        snprintf(tokhdr, sizeof tokhdr, "X-Amz-Security-Token: %s", sign->session_token);
        hdr = curl_slist_append(hdr, tokhdr);
        memset(tokhdr, 0, sizeof tokhdr);
    }
    if (sign) { /* libcurl signs the request (SigV4, header form) with these keys */
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
        curl_easy_setopt(h, CURLOPT_USERNAME, sign->access_key);
        curl_easy_setopt(h, CURLOPT_PASSWORD, sign->secret_key);
    }
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body || !strcmp(method, "PUT")) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* Metadata endpoints are never proxied; STS may be, but not on this host itself. */
    curl_easy_setopt(h, CURLOPT_NOPROXY, proxied ? "localhost,127.0.0.1,::1" : "*");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(why, why_size, "%s at %s", cerr[0] ? cerr : curl_easy_strerror(rc), shown);
    curl_easy_cleanup(h);
    for (struct curl_slist *l = hdr; l; l = l->next) /* headers may carry a token */
        memset(l->data, 0, strlen(l->data));
    curl_slist_free_all(hdr);
    return status;
}

int64_t cw_sdk_aws_iso8601_ms(const char *s) {
    cw_sdk_iso8601_t t;
    const int flags = CW_SDK_ISO8601_REQUIRE_TIME | CW_SDK_ISO8601_REQUIRE_OFFSET;
    if (!s || cw_sdk_iso8601_parse(s, strlen(s), flags, &t, NULL, 0) != 0) return -1;
    return cw_sdk_iso8601_ms(&t);
}

static const char *json_str(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

int cw_sdk_aws_creds_parse_json(const char *body, size_t len, cw_sdk_aws_creds_t *out, char *why,
                                size_t why_size) {
    json_error_t jerr;
    json_t *o = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(o)) {
        /* Only the position: jansson's message quotes the input, which may hold a secret. */
        snprintf(why, why_size, "the answer is no JSON object (error at line %d column %d)",
                 o ? 1 : jerr.line, o ? 1 : jerr.column);
        json_decref(o);
        return -1;
    }
    const char *code = json_str(o, "Code"), *ak = json_str(o, "AccessKeyId"),
               *sk = json_str(o, "SecretAccessKey"), *tok = json_str(o, "Token"),
               *exp = json_str(o, "Expiration");
    int rc = -1;
    int64_t exp_ms = exp ? cw_sdk_aws_iso8601_ms(exp) : 0;
    if (code && strcmp(code, "Success"))
        snprintf(why, why_size, "the answer says Code %.60s", code);
    else if (!ak || !sk)
        snprintf(why, why_size, "the answer lacks AccessKeyId or SecretAccessKey");
    else if (exp_ms < 0)
        snprintf(why, why_size, "Expiration '%.40s' is no ISO-8601 time", exp);
    else
        rc = 0;
    if (rc == 0) {
        out->access_key = strdup(ak);
        out->secret_key = strdup(sk);
        out->session_token = tok ? strdup(tok) : NULL;
        out->expires_ms = exp_ms;
        if (!out->access_key || !out->secret_key || (tok && !out->session_token)) {
            cw_sdk_aws_creds_clear(out);
            snprintf(why, why_size, "out of memory");
            rc = -1;
        }
    }
    json_decref(o);
    return rc;
}

/* ---- container endpoint ---------------------------------------------------------------- */

int cw_sdk_aws_creds_url_allowed(const char *url, const char *var, int link_local, char *why,
                                 size_t why_size) {
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int ok = 0;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (!strcasecmp(scheme, "https")) {
            ok = 1;
        } else if (!strcasecmp(scheme, "http")) {
            char bare[64];
            size_t hl = strlen(host);
            if (host[0] == '[' && hl > 2 && hl - 2 < sizeof bare)
                snprintf(bare, sizeof bare, "%.*s", (int)(hl - 2), host + 1);
            else
                snprintf(bare, sizeof bare, "%s", host);
            struct in_addr a4;
            struct in6_addr a6, eks6;
            inet_pton(AF_INET6, "fd00:ec2::23", &eks6);
            if (!strcasecmp(bare, "localhost") ||
                (link_local && (!strcmp(bare, "169.254.170.2") || !strcmp(bare, "169.254.170.23"))))
                ok = 1;
            else if (inet_pton(AF_INET, bare, &a4) == 1)
                ok = (ntohl(a4.s_addr) >> 24) == 127;
            else if (inet_pton(AF_INET6, bare, &a6) == 1)
                ok = IN6_IS_ADDR_LOOPBACK(&a6) || (link_local && !memcmp(&a6, &eks6, sizeof a6));
        }
        if (!ok)
            snprintf(why, why_size,
                     "%s must be https, or http to a loopback address%s; refusing %s://%.80s", var,
                     link_local ? " or the ECS/EKS credential address" : "", scheme, host);
    } else {
        snprintf(why, why_size, "%s is no URL", var);
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

/* "Authorization: <token>" from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS Pod Identity
 * rotates that file, so it is read on every fetch) or AWS_CONTAINER_AUTHORIZATION_TOKEN.
 * *header stays NULL without a token. -1 with why when the file cannot be read. */
static int container_auth_header(char **header, char *why, size_t why_size) {
    *header = NULL;
    const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *env = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    char tok[8192];
    size_t n = 0;
    if (file && *file) {
        FILE *f = fopen(file, "r");
        if (!f) {
            snprintf(why, why_size, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %.200s",
                     file);
            return -1;
        }
        n = fread(tok, 1, sizeof tok - 1, f);
        fclose(f);
    } else if (env && *env) {
        n = strlen(env);
        if (n >= sizeof tok) n = sizeof tok - 1;
        memcpy(tok, env, n);
    } else {
        return 0;
    }
    tok[n] = 0;
    while (n && isspace((unsigned char)tok[n - 1])) tok[--n] = 0;
    int rc = 0;
    if (strpbrk(tok, "\r\n")) {
        snprintf(why, why_size, "the container authorization token holds a line break");
        rc = -1;
    } else if (n) {
        size_t hl = n + 32;
        *header = malloc(hl);
        if (*header) snprintf(*header, hl, "Authorization: %s", tok);
    }
    memset(tok, 0, sizeof tok);
    return rc;
}

/* scheme://host[:port] of url, for messages (paths may carry task ids). */
static void url_base(const char *url, char *out, size_t out_size) {
    const char *s = strstr(url, "://");
    const char *e = s ? strchr(s + 3, '/') : NULL;
    snprintf(out, out_size, "%.*s", e ? (int)(e - url) : (int)strlen(url), url);
}

int cw_sdk_aws_creds_from_container(cw_sdk_aws_creds_t *out, char *why, size_t why_size) {
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *var = rel && *rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
                                  : "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    char url[2048];
    if (rel && *rel) {
        snprintf(url, sizeof url, "%s%s%s", ECS_HOST, rel[0] == '/' ? "" : "/", rel);
    } else if (full && *full) {
        if (!cw_sdk_aws_creds_url_allowed(full, "AWS_CONTAINER_CREDENTIALS_FULL_URI", 1, why,
                                          why_size))
            return CW_SDK_AWS_SRC_FAILED;
        snprintf(url, sizeof url, "%s", full);
    } else {
        snprintf(why, why_size, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are unset");
        return CW_SDK_AWS_SRC_SKIPPED;
    }
    char *auth = NULL;
    if (container_auth_header(&auth, why, why_size) != 0) return CW_SDK_AWS_SRC_FAILED;
    char shown[300], err[400] = "";
    url_base(url, shown, sizeof shown);
    answer_t a = {0};
    long st =
        cw_sdk_aws_creds_http("GET", url, auth, NULL, 0, 2000, 5000, shown, &a, err, sizeof err);
    if (auth) {
        memset(auth, 0, strlen(auth));
        free(auth);
    }
    int rc = CW_SDK_AWS_SRC_FAILED;
    if (st == 0)
        snprintf(why, why_size, "%s (%s)", err, var);
    else if (st != 200)
        snprintf(why, why_size, "HTTP %ld from %s (%s)%s", st, shown, var,
                 st == 401 || st == 403 ? ": the authorization token was refused" : "");
    else if (cw_sdk_aws_creds_parse_json(a.data, a.len, out, err, sizeof err) != 0)
        snprintf(why, why_size, "%s from %s", err, shown);
    else
        rc = CW_SDK_AWS_SRC_OK;
    cw_sdk_aws_creds_answer_free(&a);
    if (rc == CW_SDK_AWS_SRC_OK) {
        out->kind = CW_SDK_AWS_CREDS_CONTAINER;
        snprintf(out->source, sizeof out->source, "container credentials (%s)", var);
    }
    return rc;
}

/* ---- EC2 instance metadata (IMDSv2) ------------------------------------------------------ */

int cw_sdk_aws_creds_from_instance(cw_sdk_aws_creds_t *out, char *why, size_t why_size) {
    const char *off = getenv("AWS_EC2_METADATA_DISABLED");
    if (off && !strcasecmp(off, "true")) {
        snprintf(why, why_size, "disabled by AWS_EC2_METADATA_DISABLED=true");
        return CW_SDK_AWS_SRC_SKIPPED;
    }
    const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    char base[512], url[1024], hdr[256], err[400] = "";
    snprintf(base, sizeof base, "%s", ep && *ep ? ep : IMDS_DEFAULT);
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') base[--bl] = 0;
    /* 1 s to connect, 2 s in all: off EC2 nothing answers, and the worker should not wait. */
    const long conn_ms = 1000, total_ms = 2000;
    answer_t tok = {0}, role = {0}, cred = {0};
    int rc = CW_SDK_AWS_SRC_FAILED;
    snprintf(url, sizeof url, "%s/latest/api/token", base);
    long st = cw_sdk_aws_creds_http("PUT", url, "X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL,
                                    0, conn_ms, total_ms, base, &tok, err, sizeof err);
    if (st != 200 || !tok.len) {
        if (st)
            snprintf(why, why_size, "HTTP %ld for a session token (IMDSv2) at %s", st, base);
        else
            snprintf(why, why_size, "%s", err);
        goto done;
    }
    while (tok.len && isspace((unsigned char)tok.data[tok.len - 1])) tok.data[--tok.len] = 0;
    if (strpbrk(tok.data, "\r\n") || tok.len > 200) {
        snprintf(why, why_size, "a malformed session token from %s", base);
        goto done;
    }
    snprintf(hdr, sizeof hdr, "X-aws-ec2-metadata-token: %s", tok.data);
    snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/", base);
    st = cw_sdk_aws_creds_http("GET", url, hdr, NULL, 0, conn_ms, total_ms, base, &role, err,
                               sizeof err);
    if (st != 200) {
        if (st == 404)
            snprintf(why, why_size, "no IAM role is attached to this instance (HTTP 404 at %s)",
                     base);
        else if (st)
            snprintf(why, why_size, "HTTP %ld for the role name at %s", st, base);
        else
            snprintf(why, why_size, "%s", err);
        goto done;
    }
    size_t rl = role.data ? strcspn(role.data, "\r\n") : 0;
    if (!rl || rl > 128) {
        snprintf(why, why_size, "no role name in the answer of %s", base);
        goto done;
    }
    role.data[rl] = 0;
    for (size_t i = 0; i < rl; i++)
        if (!isalnum((unsigned char)role.data[i]) && !strchr("+=,.@_-", role.data[i])) {
            snprintf(why, why_size, "a malformed role name from %s", base);
            goto done;
        }
    snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/%s", base, role.data);
    st = cw_sdk_aws_creds_http("GET", url, hdr, NULL, 0, conn_ms, total_ms, base, &cred, err,
                               sizeof err);
    if (st != 200) {
        if (st)
            snprintf(why, why_size, "HTTP %ld for the credentials of role %s at %s", st, role.data,
                     base);
        else
            snprintf(why, why_size, "%s", err);
    } else if (cw_sdk_aws_creds_parse_json(cred.data, cred.len, out, err, sizeof err) != 0) {
        snprintf(why, why_size, "%s from %s", err, base);
    } else {
        rc = CW_SDK_AWS_SRC_OK;
        out->kind = CW_SDK_AWS_CREDS_INSTANCE;
        snprintf(out->source, sizeof out->source, "instance metadata (role %.40s)", role.data);
    }
done:
    memset(hdr, 0, sizeof hdr);
    cw_sdk_aws_creds_answer_free(&tok);
    cw_sdk_aws_creds_answer_free(&role);
    cw_sdk_aws_creds_answer_free(&cred);
    return rc;
}

int cw_sdk_aws_creds_refetch(cw_sdk_aws_creds_kind_t kind, cw_sdk_aws_creds_t *out, char *why,
                             size_t why_size) {
    switch (kind) {
    case CW_SDK_AWS_CREDS_CONTAINER: return cw_sdk_aws_creds_from_container(out, why, why_size);
    case CW_SDK_AWS_CREDS_INSTANCE: return cw_sdk_aws_creds_from_instance(out, why, why_size);
    case CW_SDK_AWS_CREDS_WEB_IDENTITY:
        return cw_sdk_aws_creds_from_web_identity(out, why, why_size);
    default:
        snprintf(why, why_size, "these credentials cannot be fetched again");
        return CW_SDK_AWS_SRC_FAILED;
    }
}
