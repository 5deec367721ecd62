/* S3 client on libs3 (Debian's 2.0: Signature V2, no multipart, no session tokens) for
 * stores that still accept V2. Objects always go up as one PUT. */
#include "s3_client.h"
#include "connect-worker/sdk_buf.h"
#include <libs3.h>
#include <pthread.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct libs3_client {
    s3_client_t base;
    s3_client_options_t o;
    char *host, *bucket, *access, *secret;
    S3BucketContext ctx;
} libs3_client_t;

typedef struct call {
    S3Status status;
    s3_origin_t *origin; /* head: receives the kafka-* user metadata */
    char code[64], detail[256];
    const char *data; /* put */
    size_t len, pos;
    cw_sdk_buf_t out;    /* get */
    s3_key_page_t *page; /* list */
} call_t;

static S3Status on_props(const S3ResponseProperties *p, void *cd) {
    call_t *c = cd;
    for (int i = 0; c->origin && i < p->metaDataCount; i++)
        for (size_t f = 0; f < S3_ORIGIN_NFIELDS; f++)
            if (!strcasecmp(p->metaData[i].name, s3_origin_fields[f].name))
                snprintf((char *)c->origin + s3_origin_fields[f].off, s3_origin_fields[f].size,
                         "%s", p->metaData[i].value);
    return S3StatusOK;
}

static void on_complete(S3Status status, const S3ErrorDetails *e, void *cd) {
    call_t *c = cd;
    c->status = status;
    const char *name = S3_get_status_name(status);
    if (!strncmp(name, "Error", 5) && name[5]) name += 5;
    snprintf(c->code, sizeof c->code, "%s", name);
    if (e && e->message) snprintf(c->detail, sizeof c->detail, "%s", e->message);
}

static int on_put_data(int size, char *buf, void *cd) {
    call_t *c = cd;
    size_t n = c->len - c->pos;
    if (n > (size_t)size) n = (size_t)size;
    memcpy(buf, c->data + c->pos, n);
    c->pos += n;
    return (int)n;
}

static S3Status on_get_data(int size, const char *buf, void *cd) {
    call_t *c = cd;
    return cw_sdk_buf_append(&c->out, buf, (size_t)size) == 0 ? S3StatusOK : S3StatusOutOfMemory;
}

static s3_outcome_t outcome(const call_t *c, s3_result_t *res) {
    res->http_status = c->status == S3StatusOK ? 200 : 0;
    snprintf(res->code, sizeof res->code, "%s", c->status == S3StatusOK ? "" : c->code);
    snprintf(res->detail, sizeof res->detail, "%s", c->detail);
    if (c->status == S3StatusOK) return S3_DONE;
    if (S3_status_is_retryable(c->status) || c->status == S3StatusErrorSlowDown ||
        c->status == S3StatusErrorInternalError || c->status == S3StatusHttpErrorUnknown)
        return S3_TRANSIENT;
    return S3_PERMANENT;
}

static s3_outcome_t l_put(s3_client_t *base, const char *key, const void *data, size_t len,
                          const char *ct, const s3_origin_t *meta, int inm, s3_result_t *res) {
    libs3_client_t *c = (libs3_client_t *)base;
    (void)inm; /* libs3 2.0 cannot send If-None-Match; replays overwrite with equal bytes */
    S3PutProperties props;
    memset(&props, 0, sizeof props);
    props.contentType = ct;
    props.expires = -1;
    S3NameValue md[S3_ORIGIN_NFIELDS];
    for (size_t f = 0; meta && f < S3_ORIGIN_NFIELDS; f++) {
        const char *v = (const char *)meta + s3_origin_fields[f].off;
        if (*v) md[props.metaDataCount++] = (S3NameValue){s3_origin_fields[f].name, v};
    }
    props.metaData = md;
    S3PutObjectHandler h = {{on_props, on_complete}, on_put_data};
    for (int attempt = 0;; attempt++) {
        call_t call = {.data = data, .len = len};
        S3_put_object(&c->ctx, key, len, &props, NULL, &h, &call);
        s3_outcome_t oc = outcome(&call, res);
        res->retries = attempt;
        if (oc != S3_TRANSIENT || attempt >= c->o.max_retries || s3_backoff_sleep(&c->o, attempt))
            return oc;
    }
}

static s3_outcome_t l_get(s3_client_t *base, const char *key, char **data, size_t *len,
                          s3_result_t *res) {
    libs3_client_t *c = (libs3_client_t *)base;
    S3GetObjectHandler h = {{on_props, on_complete}, on_get_data};
    call_t call = {0};
    S3_get_object(&c->ctx, key, NULL, 0, 0, NULL, &h, &call);
    s3_outcome_t oc = outcome(&call, res);
    if (oc == S3_DONE) {
        *data = cw_sdk_buf_detach(&call.out, len);
    } else {
        cw_sdk_buf_free(&call.out);
        *data = NULL;
        *len = 0;
    }
    return oc;
}

static s3_outcome_t l_head(s3_client_t *base, const char *key, s3_origin_t *meta, int *found,
                           s3_result_t *res) {
    libs3_client_t *c = (libs3_client_t *)base;
    S3ResponseHandler h = {on_props, on_complete};
    for (int attempt = 0;; attempt++) {
        memset(meta, 0, sizeof *meta);
        call_t call = {.origin = meta};
        S3_head_object(&c->ctx, key, NULL, &h, &call);
        s3_outcome_t oc = outcome(&call, res);
        res->retries = attempt;
        *found = oc == S3_DONE;
        if (call.status == S3StatusHttpErrorNotFound || call.status == S3StatusErrorNoSuchKey) {
            memset(meta, 0, sizeof *meta);
            return S3_DONE;
        }
        if (oc == S3_PERMANENT) {
            /* A HEAD answer has no body, so no S3 error code: a GET of one byte brings it. */
            S3GetObjectHandler gh = {{on_props, on_complete}, on_get_data};
            call_t why = {0};
            S3_get_object(&c->ctx, key, NULL, 0, 1, NULL, &gh, &why);
            cw_sdk_buf_free(&why.out);
            if (why.status != S3StatusOK) outcome(&why, res);
            return oc;
        }
        if (oc != S3_TRANSIENT || attempt >= c->o.max_retries || s3_backoff_sleep(&c->o, attempt))
            return oc;
    }
}

static S3Status on_list(int truncated, const char *next_marker, int count,
                        const S3ListBucketContent *contents, int nprefixes, const char **prefixes,
                        void *cd) {
    (void)next_marker;
    (void)nprefixes;
    (void)prefixes;
    call_t *c = cd;
    s3_key_page_t *p = c->page;
    p->truncated = truncated;
    for (int i = 0; i < count; i++)
        if (s3_key_page_add(p, contents[i].key) != 0) return S3StatusOutOfMemory;
    return S3StatusOK;
}

/* ListObjects (V1, which libs3 2.0 speaks): its marker is V2's start-after. */
static s3_outcome_t l_list(s3_client_t *base, const char *prefix, const char *start_after,
                           s3_key_page_t *page, s3_result_t *res) {
    libs3_client_t *c = (libs3_client_t *)base;
    S3ListBucketHandler h = {{on_props, on_complete}, on_list};
    for (int attempt = 0;; attempt++) {
        s3_key_page_free(page);
        call_t call = {.page = page};
        S3_list_bucket(&c->ctx, prefix, start_after, NULL, S3_LIST_PAGE, NULL, &h, &call);
        s3_outcome_t oc = outcome(&call, res);
        res->retries = attempt;
        if (call.status == S3StatusErrorAccessDenied || call.status == S3StatusHttpErrorForbidden ||
            call.status == S3StatusErrorSignatureDoesNotMatch)
            res->http_status = 403; /* the sink falls back to HEADs */
        if (oc == S3_DONE) s3_key_page_sort(page);
        if (oc != S3_TRANSIENT || attempt >= c->o.max_retries || s3_backoff_sleep(&c->o, attempt))
            return oc;
    }
}

static void l_destroy(s3_client_t *base) {
    libs3_client_t *c = (libs3_client_t *)base;
    if (!c) return;
    if (c->secret) memset(c->secret, 0, strlen(c->secret));
    free(c->secret);
    free(c->access);
    free(c->host);
    free(c->bucket);
    free(c);
}

static const s3_client_ops_t libs3_ops = {
    .name = "libs3",
    .put = l_put,
    .get = l_get,
    .destroy = l_destroy,
    .head = l_head,
    .list = l_list,
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static S3Status init_status;
static void global_init(void) { init_status = S3_initialize("connect-worker", S3_INIT_ALL, NULL); }

s3_client_t *s3_client_libs3_new(const s3_client_options_t *o, char *errstr, size_t errstr_size) {
    pthread_once(&once, global_init);
    if (init_status != S3StatusOK) {
        snprintf(errstr, errstr_size, "libs3 initialisation failed: %s",
                 S3_get_status_name(init_status));
        return NULL;
    }
    libs3_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    c->base.ops = &libs3_ops;
    c->o = *o;
    c->o.creds = NULL;
    int https = !strncmp(o->endpoint, "https://", 8);
    const char *host = strstr(o->endpoint, "://");
    host = host ? host + 3 : o->endpoint;
    c->host = strdup(host);
    size_t hl = strlen(c->host);
    while (hl && c->host[hl - 1] == '/') c->host[--hl] = 0;
    c->bucket = strdup(o->bucket);
    /* Taken once: the task refuses libs3 with temporary credentials, which need a token. */
    s3_credentials_t snap = {0};
    uint64_t gen = 0;
    const s3_credentials_t *cr = o->creds;
    if (o->provider) {
        if (s3_creds_provider_get(o->provider, &gen, &snap, errstr, errstr_size) != 1) {
            l_destroy(&c->base);
            return NULL;
        }
        cr = &snap;
    }
    c->access = strdup(cr->access_key);
    c->secret = strdup(cr->secret_key);
    s3_credentials_clear(&snap);
    c->ctx.hostName = c->host;
    c->ctx.bucketName = c->bucket;
    c->ctx.protocol = https ? S3ProtocolHTTPS : S3ProtocolHTTP;
    c->ctx.uriStyle = o->path_style ? S3UriStylePath : S3UriStyleVirtualHost;
    c->ctx.accessKeyId = c->access;
    c->ctx.secretAccessKey = c->secret;
    return &c->base;
}
