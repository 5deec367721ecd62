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

/* --- yajl's memory ---------------------------------------------------------------------- */

/* yajl has no reset: a handle per value costs it the same few allocations every record.
 * They are kept here and handed back (each block carries its capacity in a header that
 * keeps malloc's alignment). */
typedef union block {
    size_t cap;
    max_align_t align;
} block_t;

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
    if (f->nspare < sizeof f->spare / sizeof f->spare[0])
        f->spare[f->nspare++] = b;
    else
        free(b);
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
int text_ok(const unsigned char *s, size_t n) { return cw_sdk_utf8_valid(s, n, NULL); }

/* --- tokenizing: yajl callbacks build the field list ------------------------------------- */

/* Whether yajl handed out text inside the input (it does for every token of a value parsed in
 * one piece, but for strings with escapes, which it decodes into its own buffer): such text
 * stays where it is for the whole record and is not copied. */
static int in_input(const clean_fast_t *f, const void *s, size_t l) {
    size_t at = (uintptr_t)s - (uintptr_t)f->in; /* huge when s is before the input */
    return at <= f->in_len && l <= f->in_len - at;
}

/* Text from yajl: where it is when that is the input, else copied into the scratch. */
static int keep_text(clean_fast_t *f, const unsigned char *s, size_t l, text_t *t) {
    if (in_input(f, s, l)) {
        *t = (text_t){.p = (const char *)s, .len = l};
        return 0;
    }
    size_t off = a_add(f, (const char *)s, l);
    if (off == SIZE_MAX) return -1;
    *t = (text_t){.off = off, .len = l};
    return 0;
}

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
 * error), anything else a real (strtod, overflow is an error). The token is read where it is
 * in the input: inside an object a number is always followed by another byte of the value,
 * which ends the conversion, and the conversion must end exactly at the token's end.
 * An integer token (JSON's grammar: no leading zeros, no '+') is what the host writes for
 * its value but for "-0", so up to 18 digits (always within int64) it is kept as text. */
static int cb_number(void *ctx, const char *s, size_t l) {
    clean_fast_t *f = ctx;
    field_t *v = value_slot(f);
    if (!v || !l || !in_input(f, s, l) || l == f->in_len - (size_t)(s - f->in)) return 0;
    int real = 0;
    for (size_t i = 0; i < l; i++) real |= s[i] == '.' || s[i] == 'e' || s[i] == 'E';
    v->type = real ? FV_REAL : FV_INT;
    if (!real && l - (s[0] == '-') <= 18 && !(l == 2 && s[0] == '-' && s[1] == '0')) {
        v->tok = 1;
        v->str = (text_t){.p = s, .len = l};
        return 1;
    }
    v->tok = 0;
    char *end;
    errno = 0;
    if (!real) {
        long long x = strtoll(s, &end, 10);
        if (errno == ERANGE || end != s + l) return 0;
        v->i = x;
    } else {
        double d = strtod(s, &end);
        if (((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE) || end != s + l) return 0;
        v->d = d;
    }
    return 1;
}

static int in_names(const name_t *names, size_t n, const unsigned char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (names[i].len == len && same_bytes(names[i].s, s, len)) return 1;
    return 0;
}

/* The first step, null-out, as each string is read (it looks at nothing but the string and
 * its field's name). null_lens: a bit per length (mod 64) of the null.values, so that most
 * strings are passed over with one test. Only recipe names have null.values of their own. */
static int null_out(const clean_fast_t *f, int id, const unsigned char *s, size_t l) {
    const rname_t *r = id >= 0 ? &f->names[id] : NULL;
    return (f->null_empty && !l) ||
           (((f->null_lens >> (l & 63)) & 1) && in_names(f->null_all, f->nnull_all, s, l)) ||
           (r && r->nnulls && in_names(r->nulls, r->nnulls, s, l));
}

static int cb_string(void *ctx, const unsigned char *s, size_t l) {
    clean_fast_t *f = ctx;
    field_t *v = value_slot(f);
    if (!v || (!f->ascii && !text_ok(s, l))) return 0;
    if (null_out(f, v->id, s, l)) {
        v->type = FV_NULL;
        return 1;
    }
    if (keep_text(f, s, l, &v->str)) return 0;
    v->type = FV_STRING;
    /* Without escapes in the input a string holds no quote, backslash or control byte. */
    v->plain = f->unescaped;
    return 1;
}

static int cb_start_map(void *ctx) {
    clean_fast_t *f = ctx;
    /* A nested object: the tree path looks into it. A second value after the object (yajl
     * reads on, as the handle allows several): not JSON. */
    return !f->end && ++f->depth == 1;
}

static int cb_end_map(void *ctx) {
    clean_fast_t *f = ctx;
    if (--f->depth == 0) f->end = yajl_get_bytes_consumed(f->h);
    return 1;
}

static int cb_array(void *ctx) {
    (void)ctx;
    return 0; /* arrays (nested or top-level): the tree path */
}

/* Duplicates: jansson keeps one, in its own way, so they go to the tree path. A recipe name
 * seen twice has its slot taken; for other names a bit per (length, last byte) says which
 * may repeat one seen before, and only those are compared. */
static int duplicate(clean_fast_t *f, int id, const unsigned char *s, size_t l) {
    if (id >= 0) return f->slot[id] >= 0;
    uint64_t bit = (uint64_t)1 << ((l * 7 + (l ? s[l - 1] : 0)) & 63);
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

static int cb_key(void *ctx, const unsigned char *s, size_t l) {
    clean_fast_t *f = ctx;
    if (f->depth != 1 || (!f->ascii && !text_ok(s, l))) return 0;
    int id = name_lookup(f, (const char *)s, l);
    text_t name;
    if (duplicate(f, id, s, l) || (f->nf == f->capf && fields_grow(f)) || keep_text(f, s, l, &name))
        return 0;
    if (id >= 0) f->slot[id] = (int)f->nf;
    /* What a field's value sets (type, text, number) is set by its callback; the rest here. */
    field_t *k = &f->f[f->nf++];
    k->name = name;
    k->id = id;
    k->name_plain = f->unescaped;
    k->type = FV_NONE;
    k->live = 1;
    k->enc_len = 0;
    return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_key,
    .yajl_end_map = cb_end_map,
    .yajl_start_array = cb_array,
    .yajl_end_array = cb_array,
};

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

/* yajl has no reset, but a handle that allows several values in a row reads the next value
 * where the last one ended: one handle serves value after value, as long as each ended
 * cleanly (the object's closing brace the last byte, nothing refused). Anything else, and
 * the handle is freed and the next value gets a new one. */
static int parse(clean_fast_t *f, const char *in, size_t len) {
    if (!f->h) {
        yajl_alloc_funcs mem = {pool_malloc, pool_realloc, pool_free, f};
        if (!(f->h = yajl_alloc(&callbacks, &mem, f))) return -1;
        yajl_config(f->h, yajl_dont_validate_strings, 1);
        yajl_config(f->h, yajl_allow_multiple_values, 1);
    }
    int ok = yajl_parse(f->h, (const unsigned char *)in, len) == yajl_status_ok;
    if (!ok || f->end != len) {
        yajl_free(f->h);
        f->h = NULL;
    }
    /* Scalars and arrays at the top cancel the parse (their callbacks refuse them): what
     * parsed is an object when its closing brace came. No yajl_complete_parse: it adds
     * nothing once the object is closed. yajl misses trailing garbage that is an unfinished
     * token ({...}"), so only white space may follow the object. */
    if (!ok || f->depth != 0 || !f->end) return -1;
    for (size_t i = f->end; i < len; i++)
        if (in[i] != ' ' && in[i] != '\t' && in[i] != '\n' && in[i] != '\r') return -1;
    return 0;
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
    f->depth = 0;
    f->end = 0;
    f->in = in;
    f->in_len = len;
    memset(f->slot, 0xff, f->nnames * sizeof *f->slot); /* -1: no field has the name yet */
    if (parse(f, in, len)) return 0; /* and null-out, as the strings come (cb_string) */
    if (step_text(c, f) || step_numbers(f) || step_timestamps(f) || step_build(c, f) || finish(f))
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
    if (f->h) yajl_free(f->h); /* into the spares, freed below */
    for (size_t i = 0; i < f->nspare; i++) free(f->spare[i]);
    names_free(f);
    free(f->null_all);
    free(f->a);
    free(f->o);
    free(f->f);
    free(f);
}
