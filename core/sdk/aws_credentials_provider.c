/* The credentials every client of a task shares. Temporary credentials (container, instance
 * metadata) are fetched again before they expire: one caller fetches, outside the lock, while
 * the others go on with the current ones as long as those are valid, or wait for the fetch
 * when they are not. A failed fetch is tried again at most once per CW_SDK_AWS_CREDS_RETRY_MS; while
 * the old credentials are still valid it only costs a warning. */
#include "connect-worker/sdk_aws.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cw_sdk_aws_creds_provider {
    pthread_mutex_t mu;
    pthread_cond_t fetched; /* a fetch ended */
    cw_sdk_aws_creds_t cur;
    uint64_t gen; /* bumped whenever cur changes */
    int stale;    /* the service rejected cur as expired: fetch before using it */
    int fetching;
    int64_t last_try_ms; /* start of the last fetch (the first one: creation) */
    int refreshes;
    char last_err[400];
    char source[160];
    cw_sdk_aws_creds_kind_t kind;
    int64_t (*now_ms)(void);
    cw_sdk_aws_creds_fetch_fn fetch;
    cw_sdk_aws_creds_fetch_ctx_fn fetch_ctx; /* the caller's source (AssumeRole); else fetch */
    void *ctx;
    void (*ctx_free)(void *ctx);
    cw_sdk_aws_creds_log_fn log;
    void *log_opaque;
};

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fmt_time(int64_t ms, char *out, size_t out_size) {
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

cw_sdk_aws_creds_provider_t *cw_sdk_aws_creds_provider_new(cw_sdk_aws_creds_t *initial) {
    cw_sdk_aws_creds_provider_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->fetched, NULL);
    p->cur = *initial;
    memset(initial, 0, sizeof *initial);
    p->gen = 1;
    p->kind = p->cur.kind;
    snprintf(p->source, sizeof p->source, "%s", p->cur.source);
    p->now_ms = wall_ms;
    p->fetch = cw_sdk_aws_creds_refetch;
    p->last_try_ms = wall_ms(); /* they were just fetched */
    return p;
}

void cw_sdk_aws_creds_provider_set_log(cw_sdk_aws_creds_provider_t *p, cw_sdk_aws_creds_log_fn log,
                                       void *opaque) {
    p->log = log;
    p->log_opaque = opaque;
}

void cw_sdk_aws_creds_provider_set_hooks(cw_sdk_aws_creds_provider_t *p, int64_t (*now_ms)(void),
                                         cw_sdk_aws_creds_fetch_fn fetch) {
    p->now_ms = now_ms ? now_ms : wall_ms;
    p->fetch = fetch ? fetch : cw_sdk_aws_creds_refetch;
    p->last_try_ms = p->now_ms();
}

void cw_sdk_aws_creds_provider_set_fetcher(cw_sdk_aws_creds_provider_t *p,
                                           cw_sdk_aws_creds_fetch_ctx_fn fetch, void *ctx,
                                           void (*ctx_free)(void *ctx)) {
    p->fetch_ctx = fetch;
    p->ctx = ctx;
    p->ctx_free = ctx_free;
}

static void say(cw_sdk_aws_creds_provider_t *p, int level, const char *msg) {
    if (p->log) p->log(p->log_opaque, level, msg);
}

/* Caller holds the lock; returns with it held. One fetch, outside the lock. */
static void refresh_locked(cw_sdk_aws_creds_provider_t *p, int64_t now) {
    p->fetching = 1;
    p->last_try_ms = now;
    p->refreshes++;
    pthread_mutex_unlock(&p->mu);
    cw_sdk_aws_creds_t fresh = {0};
    char why[400] = "", msg[800], when[32];
    int rc = p->fetch_ctx ? p->fetch_ctx(p->ctx, &fresh, why, sizeof why)
                          : p->fetch(p->kind, &fresh, why, sizeof why);
    pthread_mutex_lock(&p->mu);
    p->fetching = 0;
    if (rc == CW_SDK_AWS_SRC_OK) {
        cw_sdk_aws_creds_clear(&p->cur);
        p->cur = fresh;
        p->gen++;
        p->stale = 0;
        p->last_err[0] = 0;
        fmt_time(p->cur.expires_ms, when, sizeof when);
        snprintf(msg, sizeof msg, "refreshed AWS credentials from %s%s%s", p->source,
                 p->cur.expires_ms ? "; they expire at " : "", p->cur.expires_ms ? when : "");
        say(p, CW_SDK_AWS_CREDS_LOG_INFO, msg);
    } else {
        cw_sdk_aws_creds_clear(&fresh);
        snprintf(p->last_err, sizeof p->last_err, "%s", why);
        fmt_time(p->cur.expires_ms, when, sizeof when);
        int valid = !p->stale && p->now_ms() < p->cur.expires_ms;
        snprintf(msg, sizeof msg, "could not refresh AWS credentials from %s: %s; %s %s", p->source,
                 why, valid ? "keeping the current ones, valid until" : "they expired at", when);
        say(p, CW_SDK_AWS_CREDS_LOG_WARN, msg);
    }
    pthread_cond_broadcast(&p->fetched);
}

int cw_sdk_aws_creds_provider_get(cw_sdk_aws_creds_provider_t *p, uint64_t *gen,
                                  cw_sdk_aws_creds_t *out, char *errstr, size_t errstr_size) {
    pthread_mutex_lock(&p->mu);
    int valid = 1;
    for (;;) {
        int64_t now = p->now_ms();
        int due = p->stale || (p->cur.expires_ms &&
                               now >= p->cur.expires_ms - CW_SDK_AWS_CREDS_REFRESH_BEFORE_MS);
        valid = !p->stale && (!p->cur.expires_ms || now < p->cur.expires_ms);
        if (!due || p->kind == CW_SDK_AWS_CREDS_FIXED) break;
        if (!p->fetching && now - p->last_try_ms >= CW_SDK_AWS_CREDS_RETRY_MS) {
            refresh_locked(p, now);
            /* Judge the outcome once more, but never fetch twice in one call. */
            now = p->now_ms();
            valid = !p->stale && (!p->cur.expires_ms || now < p->cur.expires_ms);
            break;
        }
        if (valid || !p->fetching) break;
        pthread_cond_wait(&p->fetched, &p->mu);
    }
    int rc = 0;
    if (!valid) {
        char when[32];
        fmt_time(p->cur.expires_ms, when, sizeof when);
        snprintf(errstr, errstr_size,
                 "AWS credentials from %s %s %s and could not be refreshed: %s", p->source,
                 p->stale ? "were rejected as expired by the service; valid until" : "expired at",
                 when, p->last_err[0] ? p->last_err : "a refresh was tried less than a second ago");
        rc = -1;
    } else if (*gen != p->gen) {
        rc = cw_sdk_aws_creds_copy(out, &p->cur) == 0 ? 1 : -1;
        if (rc == 1)
            *gen = p->gen;
        else
            snprintf(errstr, errstr_size, "out of memory copying AWS credentials");
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int cw_sdk_aws_creds_provider_invalidate(cw_sdk_aws_creds_provider_t *p, uint64_t gen) {
    if (p->kind == CW_SDK_AWS_CREDS_FIXED) return 0;
    pthread_mutex_lock(&p->mu);
    if (gen == p->gen) p->stale = 1;
    pthread_mutex_unlock(&p->mu);
    return 1;
}

cw_sdk_aws_creds_kind_t cw_sdk_aws_creds_provider_kind(const cw_sdk_aws_creds_provider_t *p) {
    return p->kind;
}

const char *cw_sdk_aws_creds_provider_source(const cw_sdk_aws_creds_provider_t *p) {
    return p->source;
}

int cw_sdk_aws_creds_provider_refreshes(cw_sdk_aws_creds_provider_t *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->refreshes;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void cw_sdk_aws_creds_provider_free(cw_sdk_aws_creds_provider_t *p) {
    if (!p) return;
    cw_sdk_aws_creds_clear(&p->cur);
    if (p->ctx_free) p->ctx_free(p->ctx);
    pthread_cond_destroy(&p->fetched);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
