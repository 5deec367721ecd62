/* The overwrite protection's knowledge of what a bucket held when this task took a partition,
 * one listing per key stem instead of one HEAD per object.
 *
 * Every object key ends in "<topic><delim><partition><delim><start offset><ext>"; its stem is
 * the key up to the offset (the directory, topic and partition: the same for every object of
 * a partition in one directory). The first key of a stem that is checked lists the stem from
 * just below that key (start-after = the key without its last byte: `lo`). From then on a key
 * that sorts after lo (and not after `hi`, the last key of a truncated page) is in the bucket
 * iff it was listed: only listed keys need a HEAD (for their origin), the others no request
 * at all. A key at or below lo was not covered: HEAD, as before. A key past hi lists the next
 * stretch. Only byte order is assumed, never that offsets sort.
 *
 * What the listing cannot see is an object another writer puts after it: where the store
 * honours If-None-Match, the conditional PUT still catches it (see settle_conflict in
 * s3_client_curl.c). Objects this task writes itself are never checked again in the same
 * assignment (a partition's records are taken once per assignment); a new assignment (open)
 * forgets the listings and lists again, and then sees them. */
#include "s3_task_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stems remembered per partition: a time-based or field partitioner opens a new directory
 * (stem) now and then; the least recently used listing goes (and is listed again if needed). */
#define STEMS_MAX 8

typedef struct stem_listing {
    char *stem;
    char *lo;           /* the listing covers keys > lo ... */
    char *hi;           /* ... and <= hi; NULL: to the end of the stem */
    s3_key_page_t page; /* the keys it found there, sorted */
    struct stem_listing *next;
} stem_listing_t;

static void listing_free(stem_listing_t *l) {
    free(l->stem);
    free(l->lo);
    free(l->hi);
    s3_key_page_free(&l->page);
    free(l);
}

void s3t_listings_free(tp_state_t *tp) {
    while (tp->listings) {
        stem_listing_t *l = tp->listings;
        tp->listings = l->next;
        listing_free(l);
    }
    tp->nlistings = 0;
}

/* The listing of the stem key[0..stem_len), moved to the front (most recently used first);
 * made when `create`, dropping the last one when there are STEMS_MAX. NULL: none, or no
 * memory. */
static stem_listing_t *listing_find(tp_state_t *tp, const char *key, size_t stem_len, int create) {
    stem_listing_t **last = &tp->listings;
    for (stem_listing_t **pp = &tp->listings; *pp; pp = &(*pp)->next) {
        stem_listing_t *l = *pp;
        if (strlen(l->stem) == stem_len && !memcmp(l->stem, key, stem_len)) {
            *pp = l->next;
            l->next = tp->listings;
            tp->listings = l;
            return l;
        }
        last = pp;
    }
    if (!create) return NULL;
    if (tp->nlistings >= STEMS_MAX && *last) {
        stem_listing_t *old = *last;
        *last = old->next;
        listing_free(old);
        tp->nlistings--;
    }
    stem_listing_t *l = calloc(1, sizeof *l);
    if (!l || !(l->stem = strndup(key, stem_len))) {
        free(l);
        return NULL;
    }
    l->next = tp->listings;
    tp->listings = l;
    tp->nlistings++;
    return l;
}

/* One LIST of the stem from just below key into l (replacing what it covered). */
static s3_outcome_t list_from(s3_task_t *t, s3_client_t *c, stem_listing_t *l, const char *key,
                              s3_result_t *res) {
    char *lo = strndup(key, strlen(key) - 1);
    if (!lo) {
        snprintf(res->code, sizeof res->code, "OutOfMemory");
        return S3_TRANSIENT;
    }
    s3_key_page_t page = {0};
    s3_outcome_t oc = c->ops->list(c, l->stem, lo, &page, res);
    s3_metrics_retries(&t->metrics, res->retries);
    char *hi = oc == S3_DONE && page.truncated ? strdup(page.n ? page.keys[page.n - 1] : lo) : NULL;
    if (oc != S3_DONE || (page.truncated && !hi)) {
        if (oc == S3_DONE) {
            snprintf(res->code, sizeof res->code, "OutOfMemory");
            oc = S3_TRANSIENT;
        }
        free(lo);
        s3_key_page_free(&page);
        return oc;
    }
    t->h->log(t->ctx, CW_LOG_DEBUG, "listed s3://%s/%s* after %s: %zu key(s)%s", t->s.bucket,
              l->stem, lo, page.n, page.truncated ? " (more follow)" : "");
    free(l->lo);
    free(l->hi);
    s3_key_page_free(&l->page);
    l->lo = lo;
    l->hi = hi;
    l->page = page;
    return S3_DONE;
}

/* A refused LIST: one warning, then HEADs for the rest of the task. */
static void list_denied(s3_task_t *t, const s3_result_t *res) {
    if (atomic_exchange(&t->list_denied, 1)) return;
    t->h->log(t->ctx, CW_LOG_WARN,
              "listing bucket %s was refused (HTTP %d %s): the credentials lack s3:ListBucket "
              "on it (or the store does not take the listing's signature); the overwrite "
              "protection checks every object with a HEAD instead (one request more per "
              "object)",
              t->s.bucket, res->http_status, res->code);
}

s3_outcome_t s3t_listing_check(s3_task_t *t, tp_state_t *tp, s3_client_t *c, const char *key,
                               size_t stem_len, int *maybe, s3_result_t *res) {
    *maybe = 1;
    size_t kl = strlen(key);
    if (!tp || !c->ops->list || !stem_len || kl <= stem_len + 1 || atomic_load(&t->list_denied))
        return S3_DONE;
    stem_listing_t *l = listing_find(tp, key, stem_len, 1);
    if (!l) return S3_DONE; /* no memory for it: a HEAD is always right */
    if (l->lo && strcmp(key, l->lo) <= 0) return S3_DONE; /* below what was listed */
    if (!l->lo || (l->hi && strcmp(key, l->hi) > 0)) {
        s3_outcome_t oc = list_from(t, c, l, key, res);
        /* A refusal. Any 403 will do: with bad keys the HEADs fail in turn, naming why; a
         * store may also sign bucket requests its own way (s3rver's SigV2 takes "/bucket"
         * where libs3 signs "/bucket/"). */
        if (oc == S3_PERMANENT && (res->http_status == 403 || !strcmp(res->code, "AccessDenied"))) {
            list_denied(t, res);
            return S3_DONE;
        }
        if (oc != S3_DONE) return oc;
    }
    *maybe = s3_key_page_has(&l->page, key);
    return S3_DONE;
}
