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
    return ++f->depth == 1; /* a nested object: the tree path looks into it */
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

static int cb_key(void *ctx, const unsigned char *s, size_t l) {
    clean_fast_t *f = ctx;
    if (f->depth != 1 || (!f->ascii && !text_ok(s, l))) return 0;
    /* Duplicates: jansson keeps one, in its own way. A bit per (length, last byte) says
     * which names may repeat one seen before; only those are compared. */
    uint64_t bit = (uint64_t)1 << ((l * 7 + (l ? s[l - 1] : 0)) & 63);
    if (f->keybits & bit) {
        for (size_t i = 0; i < f->nf; i++)
            if (f->f[i].name_len == l && memcmp(f->a + f->f[i].name, s, l) == 0) return 0;
    }
    f->keybits |= bit;
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

static const yajl_callbacks callbacks = {cb_null,    cb_boolean, NULL,         NULL,
                                         cb_number,  cb_string,  cb_start_map, cb_key,
                                         cb_end_map, cb_array,   cb_array};

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
        f->null_lens |= (uint64_t)1 << (f->null_all[i].len & 63);
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
