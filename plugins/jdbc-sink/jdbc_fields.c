/* A record value's top-level fields as (name, value) pairs, the way jdbc_row.c reads them.
 *
 * The fast way (the pipeline's case, schemaless JSON bytes as consumed): yajl tokenizes the
 * text (host->record_value_json_text) into the pairs directly, with no jansson tree of the
 * whole value and no hash table; jansson parsing was two thirds of the sink's instructions
 * (callgrind, bench-jdbc's rows). It models only what it can give exactly as jansson would:
 * a flat object of strings, numbers, booleans and nulls without duplicate names or \u
 * escapes; anything else (nested values, invalid JSON, integers out of range) gives up and
 * the caller parses the value with the host's jansson tree, which also words the errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#include "jdbc_sink.h"

static int grow(jdbc_fields_t *f) {
    if (f->n < f->cap) return 0;
    size_t cap = f->cap ? 2 * f->cap : 16;
    const char **names = realloc(f->names, cap * sizeof *names);
    if (names) f->names = names;
    json_t **vals = names ? realloc(f->vals, cap * sizeof *vals) : NULL;
    if (!vals) return -1;
    f->vals = vals;
    f->cap = cap;
    return 0;
}

void jdbc_fields_clear(jdbc_fields_t *f) {
    if (f->owned)
        for (size_t i = 0; i < f->n; i++) json_decref(f->vals[i]);
    free(f->names);
    free(f->vals);
    free(f->text);
    memset(f, 0, sizeof *f);
}

int jdbc_fields_from_object(jdbc_fields_t *f, json_t *obj) {
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        if (grow(f)) return -1;
        f->names[f->n] = k;
        f->vals[f->n++] = v;
    }
    return 0;
}

json_t *jdbc_fields_get(const jdbc_fields_t *f, const char *name) {
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->names[i], name) == 0) return f->vals[i];
    return NULL;
}

/* --- the yajl path ------------------------------------------------------------------------ */

typedef struct parse {
    jdbc_fields_t *f;
    int depth;
    size_t *name_off; /* offsets of the names in f->text (it moves while it grows) */
    size_t tlen, tcap;
} parse_t;

static int add_value(parse_t *p, json_t *v) {
    if (!v || p->depth != 1 || grow(p->f)) {
        json_decref(v);
        return 0;
    }
    p->f->vals[p->f->n++] = v; /* its name was added by on_key */
    return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t len) {
    parse_t *p = ctx;
    jdbc_fields_t *f = p->f;
    if (p->depth != 1 || memchr(s, 0, len) || grow(f)) return 0;
    /* jansson keeps the last of duplicate names (and the first one's place): not modelled */
    for (size_t i = 0; i < f->n; i++)
        if (strlen(f->text + p->name_off[i]) == len && !memcmp(f->text + p->name_off[i], s, len))
            return 0;
    if (cw_sdk_grow(&f->text, &p->tcap, p->tlen + len + 1)) return 0;
    size_t *offs = realloc(p->name_off, f->cap * sizeof *offs);
    if (!offs) return 0;
    p->name_off = offs;
    memcpy(f->text + p->tlen, s, len);
    f->text[p->tlen + len] = 0;
    p->name_off[f->n] = p->tlen;
    p->tlen += len + 1;
    return 1;
}

static int on_null(void *ctx) { return add_value(ctx, json_null()); }
static int on_bool(void *ctx, int b) { return add_value(ctx, json_boolean(b)); }
static int on_string(void *ctx, const unsigned char *s, size_t len) {
    return add_value(ctx, json_stringn_nocheck((const char *)s, len)); /* yajl checked UTF-8 */
}

/* Numbers as jansson reads them: an integer (strtoll) unless there is a '.', 'e' or 'E',
 * else a real (strtod); out of range is jansson's error, so not modelled. */
static int on_number(void *ctx, const char *s, size_t len) {
    char buf[64];
    if (len >= sizeof buf) return 0;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end;
    errno = 0;
    if (!strpbrk(buf, ".eE")) {
        long long x = strtoll(buf, &end, 10);
        return errno == 0 && *end == 0 ? add_value(ctx, json_integer(x)) : 0;
    }
    double d = strtod(buf, &end);
    return errno == 0 && *end == 0 ? add_value(ctx, json_real(d)) : 0;
}

static int on_start_map(void *ctx) { return ++((parse_t *)ctx)->depth == 1; }
static int on_end_map(void *ctx) {
    parse_t *p = ctx;
    p->depth--;
    return 1;
}
static int on_start_array(void *ctx) {
    (void)ctx;
    return 0;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
};

int jdbc_fields_parse(jdbc_fields_t *f, const char *text, size_t len) {
    /* jansson's \u rules differ from yajl's (a \\u that is not an escape only costs the
     * fast path) */
    for (const char *p = text, *end = text + len;
         p < end && (p = memchr(p, '\\', (size_t)(end - p))); p += 2)
        if (p + 1 < end && p[1] == 'u') return 0;
    parse_t p = {.f = f};
    f->owned = 1;
    yajl_handle y = yajl_alloc(&callbacks, NULL, &p);
    int ok = y && yajl_parse(y, (const unsigned char *)text, len) == yajl_status_ok &&
             yajl_complete_parse(y) == yajl_status_ok && p.depth == 0 &&
             (f->n > 0 || memchr(text, '{', len));
    if (y) yajl_free(y);
    if (ok && f->n)
        for (size_t i = 0; i < f->n; i++) f->names[i] = f->text + p.name_off[i];
    free(p.name_off);
    if (!ok) jdbc_fields_clear(f);
    return ok;
}
