/* Finds the records of a produce body (REST Proxy v2's {"records":[...]}, the Kinesis-style
 * PutRecord / PutRecords bodies) with yajl's event parser, without building a JSON tree:
 * each key and value is located as its span of the body (yajl reports the bytes consumed
 * at every event), so that the record gets the value's bytes exactly as the client sent
 * them (-89.9787 stays -89.9787, 1.50 stays 1.50) and nothing is allocated per value.
 * yajl checks the whole body is one JSON text; the shape (records an array of objects, a
 * partition an integer) is checked here. Runs on the HTTP threads; no shared state. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "hs.h"
#include "scan.h"

/* The fields of a record this scanner keeps; others are skipped (REST Proxy ignores them). */
enum { F_NONE = -1, F_KEY = 0, F_VALUE = 1, F_PARTITION = 2 };

typedef struct scan {
    yajl_handle h;
    const char *body;
    size_t len;
    int api;
    int depth;     /* containers open around the current event */
    int rec_depth; /* depth inside the record object being read; 0: none */
    int arr_depth; /* depth inside the records array; 0: not in it */
    int arr_prio;  /* the last root key's priority as the records array's name; 0: not it */
    int field;     /* the field the next value belongs to (F_*), at rec_depth */
    int field_prio;
    size_t vstart;   /* where that value starts */
    int vdepth;      /* depth of the container value being spanned; 0: none */
    size_t root_end; /* where the root container ended; 0: not yet (or a scalar root) */
    hs_scan_t *out;
} scan_t;

/* Where the value after a key starts: past white space and the colon. */
static size_t value_start(const scan_t *s) {
    size_t p = yajl_get_bytes_consumed(s->h);
    while (p < s->len && (s->body[p] == ' ' || s->body[p] == '\t' || s->body[p] == '\n' ||
                          s->body[p] == '\r' || s->body[p] == ':'))
        p++;
    return p;
}

/* The value of s->field ended at the current position: its span, unless one under a better
 * name is there already (the last one under the same name wins, as in a tree). */
static void value_end(scan_t *s, int type) {
    hs_scan_t *o = s->out;
    int field = s->field;
    s->field = F_NONE;
    if (o->n == 0 || o->n > o->cap) return;
    hs_scan_rec_t *r = &o->recs[o->n - 1];
    hs_span_t *f = field == F_KEY ? &r->key : field == F_VALUE ? &r->value : &r->partition;
    if (f->prio > s->field_prio) return;
    *f = (hs_span_t){.off = s->vstart,
                     .len = yajl_get_bytes_consumed(s->h) - s->vstart,
                     .type = type,
                     .prio = s->field_prio};
}

/* A new record object: an element of the records array, or the Kinesis PutRecord body. */
static void record_begin(scan_t *s) {
    hs_scan_t *o = s->out;
    o->n++;
    if (o->n > o->cap) return; /* too many: counted, not kept (42208) */
    if (o->n > o->alloc) {
        size_t a = o->alloc ? o->alloc * 2 : 128;
        if (a > o->cap) a = o->cap;
        hs_scan_rec_t *r = realloc(o->recs, a * sizeof *r);
        if (!r) {
            o->oom = 1;
            return;
        }
        o->recs = r;
        o->alloc = a;
    }
    memset(&o->recs[o->n - 1], 0, sizeof o->recs[0]);
}

/* Any value starting (before depth changes): an element of the records array is counted
 * (and must be an object); a field of the current record starts its span. */
static void value_begin(scan_t *s, int is_object, int is_container) {
    hs_scan_t *o = s->out;
    if (s->depth == 0) o->root_object = is_object;
    if (s->arr_depth && s->depth == s->arr_depth) {
        if (!is_object && o->bad_elem == SIZE_MAX) o->bad_elem = o->elems;
        o->elems++;
        if (is_object) record_begin(s);
    }
    if (is_container && s->field != F_NONE && s->depth == s->rec_depth && !s->vdepth)
        s->vdepth = s->depth + 1;
}

static int on_scalar(scan_t *s, int type) {
    value_begin(s, 0, 0);
    if (s->field != F_NONE && s->depth == s->rec_depth && !s->vdepth) value_end(s, type);
    return 1;
}

static int cb_null(void *c) { return on_scalar(c, HS_JSON_NULL); }
static int cb_bool(void *c, int b) {
    (void)b;
    return on_scalar(c, HS_JSON_OTHER);
}
static int cb_number(void *c, const char *n, size_t l) {
    (void)n;
    (void)l;
    return on_scalar(c, HS_JSON_NUMBER);
}
static int cb_string(void *c, const unsigned char *t, size_t l) {
    (void)t;
    (void)l;
    return on_scalar(c, HS_JSON_STRING);
}

#define IS(lit) (l == sizeof lit - 1 && memcmp(k, lit, l) == 0)

/* The priority of a root key as the name of the records array (0: not it). The API Gateway
 * template of the seed's Kinesis PUTs spells some names in lower case; the documented
 * spelling wins over it. */
static int array_prio(const scan_t *s, const unsigned char *k, size_t l) {
    if (s->api == HS_API_KINESIS_ONE) return 0;
    if (IS("records")) return 1;
    return s->api == HS_API_KINESIS_MANY && IS("Records") ? 2 : 0;
}

static int field_of(const scan_t *s, const unsigned char *k, size_t l, int *prio) {
    *prio = 1;
    if (s->api == HS_API_REST)
        return IS("value") ? F_VALUE : IS("key") ? F_KEY : IS("partition") ? F_PARTITION : F_NONE;
    *prio = l && (k[0] == 'D' || k[0] == 'P') ? 2 : 1;
    return IS("Data") || IS("data")                    ? F_VALUE
           : IS("PartitionKey") || IS("partition-key") ? F_KEY
                                                       : F_NONE;
}
#undef IS

static int cb_key(void *c, const unsigned char *k, size_t l) {
    scan_t *s = c;
    hs_scan_t *o = s->out;
    if (s->rec_depth && s->depth == s->rec_depth) {
        s->field = field_of(s, k, l, &s->field_prio);
        if (s->field != F_NONE) s->vstart = value_start(s);
    } else if (s->depth == 1) {
        s->arr_prio = array_prio(s, k, l);
        if (s->arr_prio && s->arr_prio >= o->arr_best) {
            /* a later (or better named) records array replaces an earlier one */
            o->arr_best = s->arr_prio;
            o->n = o->elems = 0;
            o->saw_records = 0;
            o->bad_elem = SIZE_MAX;
        } else {
            s->arr_prio = 0;
        }
    }
    return 1;
}

static int cb_start_map(void *c) {
    scan_t *s = c;
    value_begin(s, 1, 1);
    int element = s->arr_depth && s->depth == s->arr_depth;
    s->depth++;
    if (element) s->rec_depth = s->depth;
    if (s->api == HS_API_KINESIS_ONE && s->depth == 1) {
        record_begin(s);
        s->rec_depth = 1;
    }
    return 1;
}

static int cb_start_array(void *c) {
    scan_t *s = c;
    value_begin(s, 0, 1);
    s->depth++;
    if (s->depth == 2 && s->arr_prio) {
        s->arr_depth = 2;
        s->out->saw_records = 1;
    }
    return 1;
}

static int end_container(scan_t *s) {
    if (s->depth == s->rec_depth) s->rec_depth = 0;
    if (s->depth == s->arr_depth) s->arr_depth = 0;
    s->depth--;
    if (s->depth == 0) s->root_end = yajl_get_bytes_consumed(s->h);
    if (s->depth == 1) s->arr_prio = 0;
    if (s->vdepth && s->depth + 1 == s->vdepth) {
        s->vdepth = 0;
        value_end(s, HS_JSON_OTHER);
    }
    return 1;
}

static int cb_end_map(void *c) { return end_container(c); }
static int cb_end_array(void *c) { return end_container(c); }

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_bool,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_key,
    .yajl_end_map = cb_end_map,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end_array,
};

/* yajl's message for a body that is not JSON, with the byte where it stopped. */
static void syntax_error(scan_t *s, const char *body, size_t len, size_t at) {
    unsigned char *e = yajl_get_error(s->h, 0, (const unsigned char *)body, len);
    size_t n = e ? strlen((char *)e) : 0;
    while (n && (e[n - 1] == '\n' || e[n - 1] == ' ')) e[--n] = '\0';
    s->out->status = 400;
    snprintf(s->out->why, sizeof s->out->why, "Unexpected JSON at byte %zu: %s", at,
             e ? (const char *)e : "invalid JSON");
    if (e) yajl_free_error(s->h, e);
}

int hs_scan_body(hs_scan_t *out, int api, const char *body, size_t len, size_t max_records) {
    memset(out, 0, sizeof *out);
    out->cap = max_records;
    out->bad_elem = SIZE_MAX;
    /* yajl takes \v and \f for white space; JSON has them nowhere outside escapes */
    const char *vf = memchr(body, '\v', len);
    if (!vf) vf = memchr(body, '\f', len);
    if (vf) {
        snprintf(out->why, sizeof out->why, "Unexpected JSON at byte %zu: a control character",
                 (size_t)(vf - body));
        return out->status = 400;
    }
    scan_t s = {.body = body, .len = len, .api = api, .field = F_NONE, .out = out};
    s.h = yajl_alloc(&callbacks, NULL, &s);
    if (!s.h) return out->status = 500;
    yajl_status st = yajl_parse(s.h, (const unsigned char *)body, len);
    size_t at = yajl_get_bytes_consumed(s.h);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(s.h);
        at = len; /* the body ended too early */
    }
    if (st != yajl_status_ok) {
        syntax_error(&s, body, len, at);
    } else if (s.root_end) {
        /* yajl misses trailing garbage that is an unfinished token: only white space may
         * follow the body's value */
        for (size_t i = s.root_end; i < len; i++)
            if (body[i] != ' ' && body[i] != '\t' && body[i] != '\n' && body[i] != '\r') {
                out->status = 400;
                snprintf(out->why, sizeof out->why,
                         "Unexpected JSON at byte %zu: trailing data after the body", i);
                break;
            }
    }
    yajl_free(s.h);
    if (!out->status && out->oom) out->status = 500;
    if (out->status == 500) snprintf(out->why, sizeof out->why, "out of memory");
    return out->status;
}

void hs_scan_free(hs_scan_t *out) {
    free(out->recs);
    out->recs = NULL;
    out->n = out->alloc = 0;
}
