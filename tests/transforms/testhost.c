/* See testhost.h. */
#define _GNU_SOURCE
#include "testhost.h"
#include "json_encode.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- configuration ---------------------------------------------------------------------- */

struct cw_config {
    char **keys, **vals;
    size_t n;
    const cw_config_def_t *defs;
    char ***lists;  /* split lists, cached per key index (n + defaults) */
    char **list_keys;
    size_t nlists;
};

cw_config_t *th_config_new(const cw_config_def_t *defs) {
    cw_config_t *c = calloc(1, sizeof(*c));
    c->defs = defs;
    return c;
}

void th_config_set(cw_config_t *c, const char *key, const char *value) {
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->keys[i], key) == 0) { free(c->vals[i]); c->vals[i] = strdup(value); return; }
    c->keys = realloc(c->keys, (c->n + 1) * sizeof(char *));
    c->vals = realloc(c->vals, (c->n + 1) * sizeof(char *));
    c->keys[c->n] = strdup(key);
    c->vals[c->n++] = strdup(value);
}

void th_config_free(cw_config_t *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) { free(c->keys[i]); free(c->vals[i]); }
    for (size_t i = 0; i < c->nlists; i++) {
        for (size_t j = 0; c->lists[i][j]; j++) free(c->lists[i][j]);
        free(c->lists[i]);
        free(c->list_keys[i]);
    }
    free(c->keys); free(c->vals); free(c->lists); free(c->list_keys);
    free(c);
}

static const char *cfg_get(const cw_config_t *c, const char *key) {
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->keys[i], key) == 0) return c->vals[i];
    for (const cw_config_def_t *d = c->defs; d && d->name; d++)
        if (!(d->flags & CW_CFG_F_PREFIX) && strcmp(d->name, key) == 0) return d->default_value;
    return NULL;
}

static int64_t cfg_int(const cw_config_t *c, const char *key, int64_t fb) {
    const char *v = cfg_get(c, key);
    return v ? strtoll(v, NULL, 10) : fb;
}
static double cfg_double(const cw_config_t *c, const char *key, double fb) {
    const char *v = cfg_get(c, key);
    return v ? strtod(v, NULL) : fb;
}
static int cfg_bool(const cw_config_t *c, const char *key, int fb) {
    const char *v = cfg_get(c, key);
    return v ? strcasecmp(v, "true") == 0 : fb;
}

static const char *const *cfg_list(const cw_config_t *cc, const char *key, size_t *count) {
    cw_config_t *c = (cw_config_t *)cc;  /* the cache is an implementation detail */
    const char *v = cfg_get(c, key);
    if (count) *count = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < c->nlists; i++)
        if (strcmp(c->list_keys[i], key) == 0) {
            size_t k = 0;
            while (c->lists[i][k]) k++;
            if (count) *count = k;
            return (const char *const *)c->lists[i];
        }
    char **items = calloc(strlen(v) + 2, sizeof(char *));
    size_t k = 0;
    if (*v) {
        const char *p = v;
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            while (len && (*p == ' ' || *p == '\t')) { p++; len--; }
            while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
            items[k++] = strndup(p, len);
            if (!comma) break;
            p = comma + 1;
        }
    }
    c->lists = realloc(c->lists, (c->nlists + 1) * sizeof(*c->lists));
    c->list_keys = realloc(c->list_keys, (c->nlists + 1) * sizeof(char *));
    c->lists[c->nlists] = items;
    c->list_keys[c->nlists++] = strdup(key);
    if (count) *count = k;
    return (const char *const *)items;
}

static int cfg_foreach(const cw_config_t *c, const char *prefix,
                       int (*fn)(const char *, const char *, void *), void *opaque) {
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < c->n; i++)
        if (strncmp(c->keys[i], prefix, pl) == 0) {
            int rc = fn(c->keys[i], c->vals[i], opaque);
            if (rc) return rc;
        }
    return 0;
}

/* --- JSON encoding: the runtime's own encoder (core/src/json_encode.c), so the test host
 * writes exactly the bytes the worker writes. ----------------------------------------- */

static char *json_encode_shortest(const struct json_t *v, size_t *len) {
    return cw_json_encode(v, len);
}

/* --- records ---------------------------------------------------------------------------- */

typedef struct part {   /* the key or the value */
    char *bytes;        /* NULL: null */
    size_t len;
    json_t *json;       /* parsed (or set) form, NULL until needed */
    int dirty;          /* json changed: bytes must be re-encoded */
} part_t;

typedef struct header { char *name; char *value; size_t len; } header_t;

struct cw_record {
    char *topic;
    int32_t partition;
    int64_t offset, ts;
    part_t key, value;
    header_t *h;
    size_t nh;
};

cw_record_t *th_record_new(const char *topic, int32_t partition, int64_t offset, int64_t ts) {
    cw_record_t *r = calloc(1, sizeof(*r));
    r->topic = strdup(topic);
    r->partition = partition;
    r->offset = offset;
    r->ts = ts;
    return r;
}

static void part_clear(part_t *p) {
    free(p->bytes);
    json_decref(p->json);
    memset(p, 0, sizeof(*p));
}

void th_record_free(cw_record_t *r) {
    if (!r) return;
    free(r->topic);
    part_clear(&r->key);
    part_clear(&r->value);
    for (size_t i = 0; i < r->nh; i++) { free(r->h[i].name); free(r->h[i].value); }
    free(r->h);
    free(r);
}

static const void *part_bytes(part_t *p, size_t *len) {
    if (p->dirty) {
        free(p->bytes);
        p->bytes = NULL;
        p->len = 0;
        if (p->json && !json_is_null(p->json)) p->bytes = json_encode_shortest(p->json, &p->len);
        p->dirty = 0;
    }
    *len = p->len;
    return p->bytes;
}

static json_t *part_json(part_t *p, char *e, size_t n) {
    if (p->json) return p->json;
    if (!p->bytes) return p->json = json_null();
    json_error_t err;
    p->json = json_loadb(p->bytes, p->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!p->json) snprintf(e, n, "invalid JSON at byte %d: %s", err.position, err.text);
    return p->json;
}

static void part_set_bytes(part_t *p, const void *data, size_t len) {
    part_clear(p);
    if (data) {
        p->bytes = malloc(len + 1);
        memcpy(p->bytes, data, len);
        p->bytes[len] = 0;
        p->len = len;
    }
}

static void part_set_json(part_t *p, json_t *v) {
    part_clear(p);
    p->json = v ? v : json_null();
    p->dirty = 1;
}

static const char *r_topic(const cw_record_t *r) { return r->topic; }
static int32_t r_partition(const cw_record_t *r) { return r->partition; }
static int64_t r_offset(const cw_record_t *r) { return r->offset; }
static int64_t r_timestamp(const cw_record_t *r) { return r->ts; }
static const void *r_key(cw_record_t *r, size_t *len) { return part_bytes(&r->key, len); }
static const void *r_value(cw_record_t *r, size_t *len) { return part_bytes(&r->value, len); }
const void *th_record_value(cw_record_t *r, size_t *len) { return part_bytes(&r->value, len); }
/* CW_TESTHOST_TREE_ONLY=1 withholds the JSON text, so that transforms with a streaming fast
 * path take their tree path: the tests run both and compare. */
static const void *r_value_json_text(cw_record_t *r, size_t *len) {
    static int tree_only = -1;
    if (tree_only < 0) tree_only = getenv("CW_TESTHOST_TREE_ONLY") && *getenv("CW_TESTHOST_TREE_ONLY") == '1';
    *len = 0;
    if (tree_only || r->value.dirty || !r->value.bytes) return NULL;
    *len = r->value.len;
    return r->value.bytes;
}
static json_t *r_key_json(cw_record_t *r, char *e, size_t n) { return part_json(&r->key, e, n); }
static json_t *r_value_json(cw_record_t *r, char *e, size_t n) { return part_json(&r->value, e, n); }
static json_t *r_key_json_mut(cw_record_t *r, char *e, size_t n) {
    json_t *j = part_json(&r->key, e, n);
    if (j) r->key.dirty = 1;
    return j;
}
static json_t *r_value_json_mut(cw_record_t *r, char *e, size_t n) {
    json_t *j = part_json(&r->value, e, n);
    if (j) r->value.dirty = 1;
    return j;
}
static size_t r_hcount(const cw_record_t *r) { return r->nh; }
static int r_hget(const cw_record_t *r, size_t i, const char **name, const void **value, size_t *len) {
    if (i >= r->nh) return -1;
    *name = r->h[i].name;
    *value = r->h[i].value;
    *len = r->h[i].len;
    return 0;
}
static int r_hfind(const cw_record_t *r, const char *name, const void **value, size_t *len) {
    for (size_t i = r->nh; i-- > 0;)
        if (strcmp(r->h[i].name, name) == 0) { *value = r->h[i].value; *len = r->h[i].len; return 1; }
    return 0;
}
static void r_set_topic(cw_record_t *r, const char *t) { free(r->topic); r->topic = strdup(t); }
static void r_set_partition(cw_record_t *r, int32_t p) { r->partition = p; }
static void r_set_timestamp(cw_record_t *r, int64_t ts) { r->ts = ts; }
static void r_set_key(cw_record_t *r, const void *d, size_t len) { part_set_bytes(&r->key, d, len); }
static void r_set_value(cw_record_t *r, const void *d, size_t len) { part_set_bytes(&r->value, d, len); }
static void r_set_key_json(cw_record_t *r, json_t *v) { part_set_json(&r->key, v); }
static void r_set_value_json(cw_record_t *r, json_t *v) { part_set_json(&r->value, v); }
static void r_hadd(cw_record_t *r, const char *name, const void *value, size_t len) {
    r->h = realloc(r->h, (r->nh + 1) * sizeof(*r->h));
    r->h[r->nh].name = strdup(name);
    r->h[r->nh].value = NULL;
    if (value) {
        r->h[r->nh].value = malloc(len + 1);
        memcpy(r->h[r->nh].value, value, len);
        r->h[r->nh].value[len] = 0;
    }
    r->h[r->nh++].len = len;
}
static size_t r_hremove(cw_record_t *r, const char *name) {
    size_t k = 0, removed = 0;
    for (size_t i = 0; i < r->nh; i++) {
        if (strcmp(r->h[i].name, name) == 0) { free(r->h[i].name); free(r->h[i].value); removed++; }
        else r->h[k++] = r->h[i];
    }
    r->nh = k;
    return removed;
}

static void h_log(cw_ctx_t *ctx, cw_log_level_t level, const char *fmt, ...) {
    (void)ctx;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "testhost[%d]: ", (int)level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
static int h_stopping(cw_ctx_t *ctx) { (void)ctx; return 0; }
static const char *h_name(cw_ctx_t *ctx) { (void)ctx; return "test"; }
static int h_task(cw_ctx_t *ctx) { (void)ctx; return 0; }

static const cw_host_t host = {
    .abi_version = CW_ABI_VERSION,
    .struct_size = sizeof(cw_host_t),
    .log = h_log, .stopping = h_stopping, .connector_name = h_name, .task_id = h_task,
    .config_get = cfg_get, .config_get_int = cfg_int, .config_get_double = cfg_double,
    .config_get_bool = cfg_bool, .config_get_list = cfg_list, .config_foreach = cfg_foreach,
    .record_topic = r_topic, .record_partition = r_partition, .record_offset = r_offset,
    .record_timestamp = r_timestamp, .record_key = r_key, .record_value = r_value,
    .record_key_json = r_key_json, .record_value_json = r_value_json,
    .record_key_json_mut = r_key_json_mut, .record_value_json_mut = r_value_json_mut,
    .record_header_count = r_hcount, .record_header_get = r_hget, .record_header_find = r_hfind,
    .record_set_topic = r_set_topic, .record_set_partition = r_set_partition,
    .record_set_timestamp = r_set_timestamp, .record_set_key = r_set_key,
    .record_set_value = r_set_value, .record_set_key_json = r_set_key_json,
    .record_set_value_json = r_set_value_json, .record_header_add = r_hadd,
    .record_header_remove = r_hremove,
    .json_encode = json_encode_shortest, .free = free,
    .record_value_json_text = r_value_json_text,
};

const cw_host_t *th_host(void) { return &host; }
