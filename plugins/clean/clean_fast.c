/* The clean transform's streaming path: the value's JSON text is read with simdjson
 * (clean_fast_json.cc) into a flat list of top-level fields (names and strings pointed at in
 * the reader's buffer, numbers as values), the steps of clean.c run on that list, and the
 * output is written as bytes. No jansson tree, and no allocation per record once the buffers
 * have grown (but for reals, which the host's encoder formats).
 *
 * clean.c stays the reference: this path gives up (returns 0) on whatever it does not model
 * exactly and on every failing value, and the tree path then does the work or reports the
 * error. What it models is chosen so that its output is byte for byte the tree path's: jansson
 * parses integers with strtoll and reals with strtod, the host's encoder writes them back
 * (integers as %lld, reals in the host's shortest form) and escapes strings its own way, so
 * this path does the same rather than copying input bytes through. Where simdjson and jansson
 * could disagree about what is JSON (\u escapes and surrogates, UTF-8 rules, duplicate keys,
 * integers beyond int64, the sign of a zero) it gives up before trusting simdjson.
 * tests/fuzz/fuzz_clean.c runs both paths on every input and compares. */
#include "clean_fast.h"

#define SCRATCH_KEEP ((size_t)4 << 20)

/* --- buffers ---------------------------------------------------------------------------- */

/* Appends n bytes and a NUL to the scratch; returns the offset or SIZE_MAX. */
size_t a_add(clean_fast_t *f, const char *s, size_t n) {
    if (cw_sdk_grow(&f->a, &f->acap, f->alen + n + 1)) return SIZE_MAX;
    size_t off = f->alen;
    memcpy(f->a + off, s, n);
    f->a[off + n] = 0;
    f->alen += n + 1;
    return off;
}

/* --- tokenizing: the reader's callbacks build the field list ---------------------------- */

/* The value of the field whose key came last (the reader hands out members in order). */
static field_t *value_slot(clean_fast_t *f) {
    if (!f->nf || f->f[f->nf - 1].type != FV_NONE) return NULL;
    return &f->f[f->nf - 1];
}

int cf_on_null(void *ctx) {
    field_t *v = value_slot(ctx);
    if (!v) return 0;
    v->type = FV_NULL;
    return 1;
}

int cf_on_bool(void *ctx, int b) {
    field_t *v = value_slot(ctx);
    if (!v) return 0;
    v->type = b ? FV_TRUE : FV_FALSE;
    return 1;
}

/* jansson's number rules: a token without '.', 'e' or 'E' is an integer (strtoll; beyond
 * int64 an error), anything else a real (strtod; overflow an error). simdjson draws the same
 * line and leaves integers beyond int64 out (cf_json_fields refuses them); its reals are
 * rounded correctly, as strtod's are. Zero and subnormal reals are left to the tree path:
 * there strtod's underflow and sign of zero are what counts, and they are rare. */
int cf_on_int(void *ctx, int64_t i) {
    field_t *v = value_slot(ctx);
    if (!v) return 0;
    v->type = FV_INT;
    v->i = i;
    return 1;
}

int cf_on_real(void *ctx, double d) {
    field_t *v = value_slot(ctx);
    if (!v || !isnormal(d)) return 0;
    v->type = FV_REAL;
    v->d = d;
    return 1;
}

static int in_names(const name_t *names, size_t n, const char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (names[i].len == len && same_bytes(names[i].s, s, len)) return 1;
    return 0;
}

/* The first step, null-out, as each string is read (it looks at nothing but the string and
 * its field's name). null_lens: a bit per length (mod 64) of the null.values, so that most
 * strings are passed over with one test. Only recipe names have null.values of their own. */
static int null_out(const clean_fast_t *f, int id, const char *s, size_t l) {
    const rname_t *r = id >= 0 ? &f->names[id] : NULL;
    return (f->null_empty && !l) ||
           (((f->null_lens >> (l & 63)) & 1) && in_names(f->null_all, f->nnull_all, s, l)) ||
           (r && r->nnulls && in_names(r->nulls, r->nnulls, s, l));
}

/* Strings stay in the reader's buffer for the whole record: pointed at, never copied. */
int cf_on_string(void *ctx, const char *s, size_t l) {
    clean_fast_t *f = ctx;
    field_t *v = value_slot(f);
    if (!v) return 0;
    if (null_out(f, v->id, s, l)) {
        v->type = FV_NULL;
        return 1;
    }
    v->str = (text_t){.p = s, .len = l};
    v->type = FV_STRING;
    /* Without escapes in the input a string holds no quote, backslash or control byte. */
    v->plain = f->unescaped;
    return 1;
}

/* Duplicates: jansson keeps one, in its own way, so they go to the tree path. A recipe name
 * seen twice has its slot taken; for other names a bit per (length, last byte) says which
 * may repeat one seen before, and only those are compared. */
static int duplicate(clean_fast_t *f, int id, const char *s, size_t l) {
    if (id >= 0) return f->slot[id] >= 0;
    uint64_t bit = (uint64_t)1 << ((l * 7 + (l ? (unsigned char)s[l - 1] : 0)) & 63);
    if (f->keybits & bit) {
        for (size_t i = 0; i < f->nf; i++) {
            const field_t *o = &f->f[i];
            if (o->id < 0 && o->name.len == l && memcmp(text_at(f, &o->name), s, l) == 0) return 1;
        }
    }
    f->keybits |= bit;
    return 0;
}

int fields_grow(clean_fast_t *f) {
    size_t cap = f->capf ? f->capf * 2 : 32;
    field_t *nf = realloc(f->f, cap * sizeof *nf);
    if (!nf) return -1;
    f->f = nf;
    f->capf = cap;
    return 0;
}

int cf_on_key(void *ctx, const char *s, size_t l) {
    clean_fast_t *f = ctx;
    int id = name_lookup(f, s, l);
    if (duplicate(f, id, s, l) || (f->nf == f->capf && fields_grow(f))) return 0;
    if (id >= 0) f->slot[id] = (int)f->nf;
    /* What a field's value sets (type, text, number) is set by its callback; the rest here. */
    field_t *k = &f->f[f->nf++];
    k->name = (text_t){.p = s, .len = l};
    k->id = id;
    k->name_plain = f->unescaped;
    k->type = FV_NONE;
    k->live = 1;
    k->enc_len = 0;
    return 1;
}

/* --- entry points ------------------------------------------------------------------------ */

/* One look at the input before the reader: \u escapes (surrogates, \u0000: jansson's rules
 * are not simdjson's) send the value to the tree path; no backslash spares the escaping.
 * simdjson refuses what yajl took for white space (\v, \f) as jansson does, and anything
 * after the object. UTF-8: simdjson checks the whole value against the same definition as
 * jansson and the SDK (well-formed UTF-8: no overlong forms, no surrogates, nothing above
 * U+10FFFF), so no second check runs here. */
static int prescan(clean_fast_t *f, const char *in, size_t len) {
    f->unescaped = 1;
    for (const char *p = in, *end = in + len; (p = memchr(p, '\\', (size_t)(end - p)));) {
        f->unescaped = 0;
        if (p + 1 < end && p[1] == 'u') return -1;
        p += 2;
        if (p >= end) break;
    }
    return 0;
}

/* The reader keeps its buffers from value to value; after a huge value it is made anew, so
 * that one value does not keep its memory for the life of the task. */
static int parse(clean_fast_t *f, const char *in, size_t len) {
    if (f->json && f->json_big) {
        cf_json_free(f->json);
        f->json = NULL;
    }
    if (!f->json && !(f->json = cf_json_new())) return -1;
    f->json_big = len > SCRATCH_KEEP / 4;
    return cf_json_fields(f->json, in, len, f); /* and null-out, as strings come */
}

int clean_apply_text(clean_t *c, const char *in, size_t len, const char **out, size_t *out_len) {
    clean_fast_t *f = c->fast;
    if (!f || !f->usable || !in || prescan(f, in, len)) return 0;
    /* The buffers keep the size of the largest value so far; one huge value should not keep
     * its memory for the life of the task. */
    if (f->acap > SCRATCH_KEEP) {
        free(f->a);
        f->a = NULL;
        f->acap = 0;
    }
    if (f->ocap > SCRATCH_KEEP) {
        free(f->o);
        f->o = NULL;
        f->ocap = 0;
    }
    f->alen = 0;
    f->nf = 0;
    f->keybits = 0;
    memset(f->slot, 0xff, f->nnames * sizeof *f->slot); /* -1: no field has the name yet */
    if (parse(f, in, len)) return 0;
    if (step_text(c, f) || step_numbers(f) || step_timestamps(f) || step_build(c, f) || finish(f))
        return 0;
    *out = f->o;
    *out_len = f->olen;
    return 1;
}

/* A name the tree path could not use as a key (jansson refuses keys that are not UTF-8):
 * output names the tree path would silently skip are left to it. */
static int name_ok(const char *s) { return cw_sdk_utf8_valid(s, strlen(s), NULL); }

int clean_fast_prepare(clean_t *c, char *e, size_t n) {
    clean_fast_t *f = calloc(1, sizeof *f);
    size_t nnull = 0;
    while (c->null_all && c->null_all[nnull]) nnull++;
    if (!f || !(f->null_all = calloc(nnull + 1, sizeof *f->null_all)) || names_prepare(c, f)) {
        clean_fast_free(f);
        snprintf(e, n, "clean: out of memory");
        return -1;
    }
    f->usable = 1;
    for (size_t i = 0; i < nnull; i++) {
        f->null_all[i].s = c->null_all[i];
        f->null_all[i].len = strlen(c->null_all[i]);
        f->null_lens |= (uint64_t)1 << (f->null_all[i].len & 63);
    }
    f->nnull_all = nnull;
    f->null_empty = c->null_empty;
    for (size_t i = 0; c->order && c->order[i]; i++)
        if (!name_ok(c->order[i])) f->usable = 0;
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
    cf_json_free(f->json);
    names_free(f);
    free(f->null_all);
    free(f->a);
    free(f->o);
    free(f->f);
    free(f);
}
