/* The clean transform's streaming path: the value's JSON text is tokenized with yajl into a
 * flat list of top-level fields (names and scalar values in one scratch buffer reused from
 * record to record), the steps of clean.c run on that list, and the output is written as
 * bytes. No jansson tree, and no allocation per record once the buffers have grown (but for
 * reals, which the host's encoder formats).
 *
 * clean.c stays the reference: this path gives up (returns 0) on whatever it does not model
 * exactly and on every failing value, and the tree path then does the work or reports the
 * error. What it models is chosen so that its output is byte for byte the tree path's: jansson
 * parses integers with strtoll and reals with strtod, the host's encoder writes them back
 * (integers as %lld, reals in the host's shortest form) and escapes strings its own way, so
 * this path does the same rather than copying input bytes through. Where yajl and jansson
 * disagree about what is JSON (\u escapes and surrogates, \v and \f as white space, UTF-8
 * rules, duplicate keys) it gives up before trusting yajl. tests/fuzz/fuzz_clean.c runs both
 * paths on every input and compares. */
#include "clean.h"
#include "clean_internal.h"
#include "parse.h"
#include "connect-worker/sdk.h"
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define SCRATCH_KEEP ((size_t)4 << 20)

typedef enum { FV_NONE, FV_NULL, FV_TRUE, FV_FALSE, FV_INT, FV_REAL, FV_STRING, FV_ARRAY } fv_t;

typedef struct field {
    size_t name, name_len;   /* offsets into the scratch text */
    int name_plain;          /* the name needs no escaping (an input name without escapes) */
    const char *out_name;    /* after renames: a config string, or NULL for the input name */
    size_t out_name_len;
    fv_t type;
    int live;                /* 0 once dropped */
    int64_t i;
    double d;
    size_t str, str_len;     /* FV_STRING: NUL-terminated text in the scratch */
    int plain;               /* FV_STRING: nothing to escape (its JSON is the text quoted) */
    size_t enc, enc_len;     /* the value's JSON once encoded (enc_len 0: not yet) */
} field_t;

typedef struct name {        /* a configured field name with its length */
    const char *s;
    size_t len;
} name_t;

typedef struct clean_fast {
    int usable;              /* 0: a configured name the tree path would refuse (see prepare) */
    name_t *null_all;        /* null.values */
    size_t nnull_all;
    int *order_dup;          /* order[i] appeared before: jansson set it once */
    char **order_key;        /* order[i] encoded as the host encodes it, with the colon */
    size_t *order_key_len;
    size_t *order_len;       /* strlen(order[i]) */
    long *order_idx;         /* per record: the field output as order[i], or -1 */
    size_t norder;
    char *a;                 /* scratch text: names, strings, encodings */
    size_t alen, acap;
    char *o;                 /* output */
    size_t olen, ocap;
    field_t *f;
    size_t nf, capf;
    int depth;
    int ascii;               /* the input has no byte >= 0x80: nothing to check for UTF-8 */
    int unescaped;           /* the input has no backslash: its strings need no escaping */
    yajl_handle h;
    size_t end;              /* bytes up to the top-level object's closing brace */
    void *spare[8];          /* blocks yajl freed, handed back on its next allocations */
    size_t nspare;
} clean_fast_t;

/* --- buffers ---------------------------------------------------------------------------- */

/* Appends n bytes and a NUL to the scratch; returns the offset or SIZE_MAX. */
static size_t a_add(clean_fast_t *f, const char *s, size_t n) {
    if (cw_sdk_grow(&f->a, &f->acap, f->alen + n + 1)) return SIZE_MAX;
    size_t off = f->alen;
    memcpy(f->a + off, s, n);
    f->a[off + n] = 0;
    f->alen += n + 1;
    return off;
}

static int o_put(clean_fast_t *f, const char *s, size_t n) {
    if (cw_sdk_grow(&f->o, &f->ocap, f->olen + n + 1)) return -1;
    memcpy(f->o + f->olen, s, n);
    f->olen += n;
    return 0;
}

/* --- yajl's memory ---------------------------------------------------------------------- */

/* yajl has no reset: a handle per value costs it the same few allocations every record.
 * They are kept here and handed back (each block carries its capacity in a header that
 * keeps malloc's alignment). */
typedef union block { size_t cap; max_align_t align; } block_t;

static void *pool_malloc(void *ctx, size_t size) {
    clean_fast_t *f = ctx;
    for (size_t i = 0; i < f->nspare; i++) {
        block_t *b = f->spare[i];
        if (b->cap >= size) {
            f->spare[i] = f->spare[--f->nspare];
            return b + 1;
        }
    }
    block_t *b = malloc(sizeof *b + size);
    if (!b) return NULL;
    b->cap = size;
    return b + 1;
}

static void pool_free(void *ctx, void *p) {
    clean_fast_t *f = ctx;
    if (!p) return;
    block_t *b = (block_t *)p - 1;
    if (f->nspare < sizeof f->spare / sizeof f->spare[0]) f->spare[f->nspare++] = b;
    else free(b);
}

static void *pool_realloc(void *ctx, void *p, size_t size) {
    if (!p) return pool_malloc(ctx, size);
    block_t *b = (block_t *)p - 1;
    if (b->cap >= size) return p;
    void *n = pool_malloc(ctx, size);
    if (!n) return NULL;
    memcpy(n, p, b->cap);
    pool_free(ctx, p);
    return n;
}

/* --- what jansson accepts ---------------------------------------------------------------- */

/* UTF-8 as jansson checks it (the SDK's check); yajl's own check is laxer, so it is switched
 * off and this one runs instead. */
static int text_ok(const unsigned char *s, size_t n) { return cw_sdk_utf8_valid(s, n, NULL); }

/* --- tokenizing: yajl callbacks build the field list ------------------------------------- */

static field_t *value_slot(clean_fast_t *f) {
    /* Only values of top-level keys are modelled; yajl's grammar guarantees a key came first. */
    if (f->depth != 1 || !f->nf || f->f[f->nf - 1].type != FV_NONE) return NULL;
    return &f->f[f->nf - 1];
}

static int cb_null(void *ctx) {
    field_t *v = value_slot(ctx);
    if (!v) return 0;
    v->type = FV_NULL;
    return 1;
}

static int cb_boolean(void *ctx, int b) {
    field_t *v = value_slot(ctx);
    if (!v) return 0;
    v->type = b ? FV_TRUE : FV_FALSE;
    return 1;
}

/* jansson's number rules: no '.', 'e' or 'E' is an integer (strtoll, beyond int64 is an
 * error), anything else a real (strtod, overflow is an error). */
static int cb_number(void *ctx, const char *s, size_t l) {
    field_t *v = value_slot(ctx);
    char buf[64];
    if (!v || l >= sizeof buf) return 0;
    memcpy(buf, s, l);
    buf[l] = 0;
    errno = 0;
    if (!memchr(s, '.', l) && !memchr(s, 'e', l) && !memchr(s, 'E', l)) {
        long long x = strtoll(buf, NULL, 10);
        if (errno == ERANGE) return 0;
        v->type = FV_INT;
        v->i = x;
    } else {
        double d = strtod(buf, NULL);
        if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE) return 0;
        v->type = FV_REAL;
        v->d = d;
    }
    return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t l) {
    clean_fast_t *f = ctx;
    field_t *v = value_slot(f);
    if (!v || (!f->ascii && !text_ok(s, l))) return 0;
    size_t off = a_add(f, (const char *)s, l);
    if (off == SIZE_MAX) return 0;
    v = &f->f[f->nf - 1];
    v->type = FV_STRING;
    v->str = off;
    v->str_len = l;
    /* Without escapes in the input a string holds no quote, backslash or control byte. */
    v->plain = f->unescaped;
    return 1;
}

static int cb_start_map(void *ctx) {
    clean_fast_t *f = ctx;
    return ++f->depth == 1;  /* a nested object: the tree path looks into it */
}

static int cb_end_map(void *ctx) {
    clean_fast_t *f = ctx;
    if (--f->depth == 0) f->end = yajl_get_bytes_consumed(f->h);
    return 1;
}

static int cb_array(void *ctx) {
    (void)ctx;
    return 0;  /* arrays (nested or top-level): the tree path */
}

static int cb_key(void *ctx, const unsigned char *s, size_t l) {
    clean_fast_t *f = ctx;
    if (f->depth != 1 || (!f->ascii && !text_ok(s, l))) return 0;
    for (size_t i = 0; i < f->nf; i++)  /* duplicates: jansson keeps one, in its own way */
        if (f->f[i].name_len == l && (!l || f->a[f->f[i].name] == (char)s[0]) &&
            memcmp(f->a + f->f[i].name, s, l) == 0)
            return 0;
    if (f->nf == f->capf) {
        size_t cap = f->capf ? f->capf * 2 : 32;
        field_t *nf = realloc(f->f, cap * sizeof *nf);
        if (!nf) return 0;
        f->f = nf;
        f->capf = cap;
    }
    size_t off = a_add(f, (const char *)s, l);
    if (off == SIZE_MAX) return 0;
    field_t *k = &f->f[f->nf++];
    memset(k, 0, sizeof *k);
    k->name = off;
    k->name_len = l;
    k->name_plain = f->unescaped;
    k->live = 1;
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_key, cb_end_map, cb_array, cb_array};

/* --- the steps, on the field list ------------------------------------------------------- */

static field_t *find(clean_fast_t *f, const char *name) {
    size_t l = strlen(name);
    for (size_t i = 0; i < f->nf; i++)
        if (f->f[i].live && f->f[i].name_len == l && memcmp(f->a + f->f[i].name, name, l) == 0)
            return &f->f[i];
    return NULL;
}

/* jansson's json_object_set: an existing field keeps its place, a new one goes last. */
static field_t *set_field(clean_fast_t *f, const char *name) {
    field_t *v = find(f, name);
    if (v) {
        v->enc_len = 0;
        return v;
    }
    if (f->nf == f->capf) {
        size_t cap = f->capf ? f->capf * 2 : 32;
        field_t *nf = realloc(f->f, cap * sizeof *nf);
        if (!nf) return NULL;
        f->f = nf;
        f->capf = cap;
    }
    size_t off = a_add(f, name, strlen(name));
    if (off == SIZE_MAX) return NULL;
    v = &f->f[f->nf++];
    memset(v, 0, sizeof *v);
    v->name = off;
    v->name_len = strlen(name);
    v->live = 1;
    return v;
}

static const char *str_of(const clean_fast_t *f, const field_t *v) { return f->a + v->str; }

/* A new string value for v from bytes that may lie in the scratch itself. */
static int set_string(clean_fast_t *f, field_t *v, size_t from, size_t len) {
    if (cw_sdk_grow(&f->a, &f->acap, f->alen + len + 1)) return -1;
    memmove(f->a + f->alen, f->a + from, len);
    f->a[f->alen + len] = 0;
    if (!f->ascii && !text_ok((const unsigned char *)f->a + f->alen, len)) return -1;  /* json_stringn */
    v->type = FV_STRING;
    v->str = f->alen;
    v->str_len = len;
    v->enc_len = 0;
    f->alen += len + 1;
    return 0;
}

static int in_names(const name_t *names, size_t n, const char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (names[i].len == len && memcmp(names[i].s, s, len) == 0) return 1;
    return 0;
}

static int in_list(char *const *list, const char *s) {
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}

static char **field_list(const kvs_t *k, const char *field) {
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->items[i].field, field) == 0) return k->items[i].list;
    return NULL;
}

static void step_nulls(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; i < f->nf; i++) {
        field_t *v = &f->f[i];
        if (v->type != FV_STRING) continue;
        const char *s = str_of(f, v);
        if ((c->null_empty && !v->str_len) || in_names(f->null_all, f->nnull_all, s, v->str_len) ||
            (c->null_field.n && in_list(field_list(&c->null_field, f->a + v->name), s)))
            v->type = FV_NULL;
    }
}

static int step_text(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; i < c->strip.n; i++) {
        const kv_t *kv = &c->strip.items[i];
        field_t *v = find(f, kv->field);
        if (!v || v->type == FV_NULL) continue;
        if (v->type != FV_STRING) return -1;
        size_t plen = strlen(kv->text);
        if (v->str_len >= plen && memcmp(str_of(f, v), kv->text, plen) == 0 &&
            set_string(f, v, v->str + plen, v->str_len - plen))
            return -1;
    }
    for (size_t i = 0; i < c->extract.n; i++) {
        const kv_t *kv = &c->extract.items[i];
        field_t *v = find(f, kv->field);
        if (!v || v->type == FV_NULL) continue;
        size_t off, len;
        if (v->type != FV_STRING || !clean_extract(kv, str_of(f, v), &off, &len) ||
            set_string(f, v, v->str + off, len))
            return -1;
    }
    return 0;
}

static int whole(double d, int64_t *out) {
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return 0;
    if (d != (double)(int64_t)d) return 0;
    *out = (int64_t)d;
    return 1;
}

static void set_int(field_t *v, int64_t x) {
    v->type = FV_INT;
    v->i = x;
    v->enc_len = 0;
}

/* human.numbers and integers: the same shape, with their own string parser. */
static int to_integers(clean_fast_t *f, char *const *fields, int (*parse)(const char *, int64_t *)) {
    for (size_t i = 0; fields && fields[i]; i++) {
        field_t *v = find(f, fields[i]);
        int64_t x;
        if (!v || v->type == FV_NULL || v->type == FV_INT) continue;
        if (v->type == FV_REAL) {
            if (!whole(v->d, &x)) return -1;
        } else if (v->type != FV_STRING || parse(str_of(f, v), &x)) {
            return -1;
        }
        set_int(v, x);
    }
    return 0;
}

static int step_numbers(const clean_t *c, clean_fast_t *f) {
    if (to_integers(f, c->human, clean_human_number) || to_integers(f, c->integers, clean_integer))
        return -1;
    for (size_t i = 0; c->numbers && c->numbers[i]; i++) {
        field_t *v = find(f, c->numbers[i]);
        int is_int;
        int64_t x;
        double d;
        if (!v || v->type == FV_NULL || v->type == FV_INT || v->type == FV_REAL) continue;
        if (v->type != FV_STRING || clean_number(str_of(f, v), &is_int, &x, &d)) return -1;
        if (is_int) {
            set_int(v, x);
        } else {
            v->type = FV_REAL;
            v->d = d;
            v->enc_len = 0;
        }
    }
    return 0;
}

static int step_timestamps(const clean_t *c, clean_fast_t *f) {
    char buf[48];
    for (size_t i = 0; c->timestamps && c->timestamps[i]; i++) {
        field_t *v = find(f, c->timestamps[i]);
        if (!v || v->type == FV_NULL) continue;
        if (v->type != FV_STRING || clean_timestamp(str_of(f, v), buf, sizeof buf)) return -1;
        size_t off = a_add(f, buf, strlen(buf));
        if (off == SIZE_MAX) return -1;
        v->str = off;
        v->str_len = strlen(buf);
        v->plain = 1;
        v->enc_len = 0;
    }
    return 0;
}

/* A concat part's text into buf (scalars other than strings) or NULL for null/missing. */
static int part_text(const clean_fast_t *f, const field_t *v, char *buf, size_t n,
                     const char **t, size_t *tl) {
    *t = NULL;
    *tl = 0;
    if (!v || v->type == FV_NULL) return 0;
    switch (v->type) {
    case FV_STRING: *t = str_of(f, v); *tl = v->str_len; return 0;
    case FV_INT: snprintf(buf, n, "%lld", (long long)v->i); break;
    case FV_REAL: clean_real_text(v->d, buf, n); break;
    case FV_TRUE: snprintf(buf, n, "true"); break;
    case FV_FALSE: snprintf(buf, n, "false"); break;
    default: return -1;
    }
    *t = buf;
    *tl = strlen(buf);
    return 0;
}

static int encode_value(clean_fast_t *f, field_t *v);

static int step_build(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; i < c->concat.n; i++) {
        const kv_t *kv = &c->concat.items[i];
        size_t sl = strlen(kv->text), total = 0, parts = 0;
        char buf[64];
        const char *t;
        size_t tl;
        /* Two passes: the length first, so that the parts (which live in the scratch) do not
         * move while they are copied. */
        for (size_t j = 0; kv->list[j]; j++) {
            if (part_text(f, find(f, kv->list[j]), buf, sizeof buf, &t, &tl)) return -1;
            if (t) total += (parts++ ? sl : 0) + tl;
        }
        if (cw_sdk_grow(&f->a, &f->acap, f->alen + total + 1)) return -1;
        size_t start = f->alen, used = 0;
        parts = 0;
        for (size_t j = 0; kv->list[j]; j++) {
            part_text(f, find(f, kv->list[j]), buf, sizeof buf, &t, &tl);
            if (!t) continue;
            if (parts++) { memcpy(f->a + start + used, kv->text, sl); used += sl; }
            memcpy(f->a + start + used, t, tl);
            used += tl;
        }
        f->a[start + used] = 0;
        f->alen += used + 1;
        if (parts && !text_ok((const unsigned char *)f->a + start, used)) return -1;
        field_t *v = set_field(f, kv->field);
        if (!v) return -1;
        if (parts) {
            v->type = FV_STRING;
            v->str = start;
            v->str_len = used;
            v->plain = 0;  /* the separator may need escaping */
        } else {
            v->type = FV_NULL;
        }
    }
    for (size_t i = 0; i < c->array.n; i++) {
        const kv_t *kv = &c->array.items[i];
        size_t total = 2;
        for (size_t j = 0; kv->list[j]; j++) {
            field_t *v = find(f, kv->list[j]);
            if (v && encode_value(f, v)) return -1;
            total += (j ? 1 : 0) + (v ? v->enc_len : 4);
        }
        /* Room first: the elements' encodings live in the same buffer. */
        if (cw_sdk_grow(&f->a, &f->acap, f->alen + total + 1)) return -1;
        size_t start = f->alen;
        char *w = f->a + start;
        *w++ = '[';
        for (size_t j = 0; kv->list[j]; j++) {
            field_t *v = find(f, kv->list[j]);
            if (j) *w++ = ',';
            memcpy(w, v ? f->a + v->enc : "null", v ? v->enc_len : 4);
            w += v ? v->enc_len : 4;
        }
        *w++ = ']';
        *w = 0;
        f->alen += total + 1;
        field_t *v = set_field(f, kv->field);
        if (!v) return -1;
        v->type = FV_ARRAY;
        v->enc = start;
        v->enc_len = total;
    }
    return 0;
}

/* --- output: the host encoder's rules ----------------------------------------------------- */

/* A JSON string as the host encoder writes it: both use the SDK's escaper (valid UTF-8 in,
 * so nothing is replaced). */
static int put_escaped(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
    if (cw_sdk_grow(buf, cap, *len + CW_SDK_JSON_ESCAPE_BOUND(n) + 1)) return -1;
    *len += cw_sdk_json_escape_to(*buf + *len, s, n, 0, NULL);
    return 0;
}

/* The value's JSON into the scratch (cached): the host's json_encode decides how reals look,
 * so this asks it rather than guessing its format. */
static int encode_value(clean_fast_t *f, field_t *v) {
    if (v->enc_len) return 0;
    char buf[32];
    const char *t = NULL;
    size_t tl = 0;
    switch (v->type) {
    case FV_NULL: t = "null"; tl = 4; break;
    case FV_TRUE: t = "true"; tl = 4; break;
    case FV_FALSE: t = "false"; tl = 5; break;
    case FV_INT: tl = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)v->i); t = buf; break;
    case FV_REAL: {
        json_t *j = json_real(v->d);
        char *s = j ? clean_host->json_encode(j, &tl) : NULL;
        json_decref(j);
        if (!s) return -1;
        size_t off = a_add(f, s, tl);
        clean_host->free(s);
        if (off == SIZE_MAX) return -1;
        v->enc = off;
        v->enc_len = tl;
        return 0;
    }
    case FV_STRING: {
        if (v->plain) {
            if (cw_sdk_grow(&f->a, &f->acap, f->alen + v->str_len + 3)) return -1;
            char *w = f->a + f->alen;
            w[0] = '"';
            memcpy(w + 1, f->a + v->str, v->str_len);
            w[v->str_len + 1] = '"';
            w[v->str_len + 2] = 0;
            v->enc = f->alen;
            v->enc_len = v->str_len + 2;
            f->alen += v->str_len + 3;
            return 0;
        }
        /* Room first: the text lives in the same buffer. */
        if (cw_sdk_grow(&f->a, &f->acap, f->alen + v->str_len * 6 + 4)) return -1;
        size_t start = f->alen, len = f->alen;
        char *src_copy = f->a + v->str;
        if (put_escaped(&f->a, &len, &f->acap, src_copy, v->str_len)) return -1;
        f->a[len] = 0;
        v->enc = start;
        v->enc_len = len - start;
        f->alen = len + 1;
        return 0;
    }
    default: return -1;  /* FV_ARRAY is encoded when built; FV_NONE cannot be output */
    }
    size_t off = a_add(f, t, tl);
    if (off == SIZE_MAX) return -1;
    v->enc = off;
    v->enc_len = tl;
    return 0;
}

static int put_field(clean_fast_t *f, size_t i, field_t *v, int first) {
    if ((!first && o_put(f, ",", 1)) || o_put(f, f->order_key[i], f->order_key_len[i])) return -1;
    if (!v) return o_put(f, "null", 4);
    if (encode_value(f, v)) return -1;
    return o_put(f, f->a + v->enc, v->enc_len);
}

static int put_name(clean_fast_t *f, const char *nm, size_t l, int plain) {
    if (!plain) return put_escaped(&f->o, &f->olen, &f->ocap, nm, l);
    if (cw_sdk_grow(&f->o, &f->ocap, f->olen + l + 3)) return -1;
    f->o[f->olen] = '"';
    memcpy(f->o + f->olen + 1, nm, l);
    f->o[f->olen + l + 1] = '"';
    f->olen += l + 2;
    return 0;
}

static const char *out_name(const clean_fast_t *f, const field_t *v, size_t *len) {
    if (v->out_name) {
        *len = v->out_name_len;
        return v->out_name;
    }
    *len = v->name_len;
    return f->a + v->name;
}

static int finish(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; c->drop && c->drop[i]; i++) {
        field_t *v = find(f, c->drop[i]);
        if (v) v->live = 0;
    }
    if (c->nren) {
        /* Renames keep each field's position; two fields with one name fail the record.
         * Input names are unique, so a collision involves a renamed field. */
        size_t renamed = 0;
        for (size_t i = 0; i < f->nf; i++) {
            field_t *v = &f->f[i];
            if (!v->live) continue;
            for (size_t r = 0; r < c->nren; r++)
                if (strcmp(c->ren_from[r], f->a + v->name) == 0) {
                    v->out_name = c->ren_to[r];
                    v->out_name_len = strlen(c->ren_to[r]);
                }
            renamed += v->out_name != NULL;
        }
        for (size_t i = 0; renamed && i < f->nf; i++) {
            const field_t *v = &f->f[i];
            if (!v->live || !v->out_name) continue;
            renamed--;
            for (size_t j = 0; j < f->nf; j++) {
                size_t l2;
                const char *n2 = j != i && f->f[j].live ? out_name(f, &f->f[j], &l2) : NULL;
                if (n2 && l2 == v->out_name_len && memcmp(n2, v->out_name, l2) == 0) return -1;
            }
        }
    }
    f->olen = 0;
    if (o_put(f, "{", 1)) return -1;
    int first = 1;
    if (f->norder) {
        /* Each live field's output name is looked up among the order names once; output
         * names are unique here (renames checked it), so a name matches one field at most.
         * All lookups come before any output, which may move the names in the scratch. */
        for (size_t i = 0; i < f->norder; i++) f->order_idx[i] = -1;
        for (size_t j = 0; j < f->nf; j++) {
            if (!f->f[j].live) continue;
            size_t l;
            const char *nm = out_name(f, &f->f[j], &l);
            for (size_t i = 0; i < f->norder; i++)
                if (f->order_len[i] == l && !f->order_dup[i] && memcmp(nm, c->order[i], l) == 0) {
                    f->order_idx[i] = (long)j;
                    break;
                }
        }
        for (size_t i = 0; i < f->norder; i++) {
            if (f->order_dup[i]) continue;
            if (put_field(f, i, f->order_idx[i] >= 0 ? &f->f[f->order_idx[i]] : NULL, first))
                return -1;
            first = 0;
        }
    } else {
        for (size_t i = 0; i < f->nf; i++) {
            field_t *v = &f->f[i];
            if (!v->live) continue;
            size_t l;
            const char *nm = out_name(f, v, &l);
            /* The name is written before encode_value may move the scratch it points into. */
            if (!first && o_put(f, ",", 1)) return -1;
            if (put_name(f, nm, l, !v->out_name && v->name_plain) || o_put(f, ":", 1) ||
                encode_value(f, v) || o_put(f, f->a + v->enc, v->enc_len))
                return -1;
            first = 0;
        }
    }
    return o_put(f, "}", 1);
}

/* --- entry points ------------------------------------------------------------------------ */

/* One look at the input before yajl: bytes where yajl and jansson disagree (\u escapes:
 * surrogates, \u0000; \v and \f, which yajl takes as white space) send the value to the
 * tree path; no byte >= 0x80 spares the UTF-8 checks; no backslash spares the escaping. */
static int prescan(clean_fast_t *f, const char *in, size_t len) {
    if (memchr(in, '\v', len) || memchr(in, '\f', len)) return -1;
    f->unescaped = 1;
    for (const char *p = in, *end = in + len; (p = memchr(p, '\\', (size_t)(end - p)));) {
        f->unescaped = 0;
        if (p + 1 < end && p[1] == 'u') return -1;
        p += 2;
        if (p >= end) break;
    }
    uint64_t high = 0, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, in + i, 8);
        high |= w;
    }
    for (; i < len; i++) high |= (unsigned char)in[i];
    f->ascii = !(high & UINT64_C(0x8080808080808080));
    return 0;
}

int clean_apply_text(clean_t *c, const char *in, size_t len, const char **out, size_t *out_len) {
    clean_fast_t *f = c->fast;
    if (!f || !f->usable || !in || prescan(f, in, len)) return 0;
    /* The buffers keep the size of the largest value so far; one huge value should not keep
     * its memory for the life of the task. */
    if (f->acap > SCRATCH_KEEP) { free(f->a); f->a = NULL; f->acap = 0; }
    if (f->ocap > SCRATCH_KEEP) { free(f->o); f->o = NULL; f->ocap = 0; }
    f->alen = 0;
    f->nf = 0;
    f->depth = 0;
    f->end = 0;
    yajl_alloc_funcs mem = {pool_malloc, pool_realloc, pool_free, f};
    yajl_handle h = f->h = yajl_alloc(&callbacks, &mem, f);
    if (!h) return 0;
    yajl_config(h, yajl_dont_validate_strings, 1);
    int ok = yajl_parse(h, (const unsigned char *)in, len) == yajl_status_ok &&
             yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    f->h = NULL;
    /* Scalars and arrays at the top cancel the parse (their callbacks refuse them): what
     * parsed is an object. yajl misses trailing garbage that is an unfinished token
     * ({...}"), so only white space may follow the object. */
    if (!ok || f->depth != 0 || !f->end) return 0;
    for (size_t i = f->end; i < len; i++)
        if (in[i] != ' ' && in[i] != '\t' && in[i] != '\n' && in[i] != '\r') return 0;
    step_nulls(c, f);
    if (step_text(c, f) || step_numbers(c, f) || step_timestamps(c, f) || step_build(c, f) ||
        finish(c, f))
        return 0;
    *out = f->o;
    *out_len = f->olen;
    return 1;
}

/* A name the tree path could not use as a key (jansson refuses keys that are not UTF-8):
 * output names the tree path would silently skip are left to it. */
static int name_ok(const char *s) { return text_ok((const unsigned char *)s, strlen(s)); }

int clean_fast_prepare(clean_t *c, char *e, size_t n) {
    clean_fast_t *f = calloc(1, sizeof *f);
    size_t norder = 0;
    while (c->order && c->order[norder]) norder++;
    size_t nnull = 0;
    while (c->null_all && c->null_all[nnull]) nnull++;
    if (f) {
        f->order_dup = calloc(norder + 1, sizeof *f->order_dup);
        f->order_key = calloc(norder + 1, sizeof *f->order_key);
        f->order_key_len = calloc(norder + 1, sizeof *f->order_key_len);
        f->order_len = calloc(norder + 1, sizeof *f->order_len);
        f->order_idx = calloc(norder + 1, sizeof *f->order_idx);
        f->null_all = calloc(nnull + 1, sizeof *f->null_all);
    }
    if (!f || !f->order_dup || !f->order_key || !f->order_key_len || !f->order_len ||
        !f->order_idx || !f->null_all) {
        clean_fast_free(f);
        snprintf(e, n, "clean: out of memory");
        return -1;
    }
    f->usable = 1;
    for (size_t i = 0; i < nnull; i++) {
        f->null_all[i].s = c->null_all[i];
        f->null_all[i].len = strlen(c->null_all[i]);
    }
    f->nnull_all = nnull;
    for (size_t i = 0; i < norder; i++) {
        if (!name_ok(c->order[i])) f->usable = 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->order[i], c->order[j]) == 0) f->order_dup[i] = 1;
        size_t len = 0, cap = 0;
        if (put_escaped(&f->order_key[i], &len, &cap, c->order[i], strlen(c->order[i])) ||
            cw_sdk_grow(&f->order_key[i], &cap, len + 1)) {
            clean_fast_free(f);
            snprintf(e, n, "clean: out of memory");
            return -1;
        }
        f->order_key[i][len++] = ':';
        f->order_key_len[i] = len;
        f->order_len[i] = strlen(c->order[i]);
    }
    f->norder = norder;
    for (size_t i = 0; i < c->nren; i++)
        if (!name_ok(c->ren_to[i])) f->usable = 0;
    for (size_t i = 0; i < c->concat.n; i++)
        if (!name_ok(c->concat.items[i].field)) f->usable = 0;
    for (size_t i = 0; i < c->array.n; i++)
        if (!name_ok(c->array.items[i].field)) f->usable = 0;
    c->fast = f;
    return 0;
}

void clean_fast_free(clean_fast_t *f) {
    if (!f) return;
    free(f->null_all);
    free(f->order_dup);
    for (size_t i = 0; f->order_key && f->order_key[i]; i++) free(f->order_key[i]);
    for (size_t i = 0; i < f->nspare; i++) free(f->spare[i]);
    free(f->order_key);
    free(f->order_key_len);
    free(f->order_len);
    free(f->order_idx);
    free(f->a);
    free(f->o);
    free(f->f);
    free(f);
}
