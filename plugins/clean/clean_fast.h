/* The clean transform's streaming path (clean_fast.c): the field list, the recipe's names and
 * the functions its parts share. Internal to the plugin. */
#ifndef CLEAN_FAST_H
#define CLEAN_FAST_H
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
#include "clean_fast_json.h"

typedef enum { FV_NONE, FV_NULL, FV_TRUE, FV_FALSE, FV_INT, FV_REAL, FV_STRING, FV_ARRAY } fv_t;

/* Text is held either where it stays put for the whole record (the reader's buffer, a
 * configured string: `p` is set) or in the scratch, which may move as it grows (`p` NULL,
 * `off` into it, NUL-terminated there). Text in the reader's buffer is not NUL-terminated. */
typedef struct text {
    const char *p;
    size_t off, len;
} text_t;

typedef struct field {
    text_t name;
    int id;         /* the name's index among the recipe's names (rname_t), or -1 */
    int name_plain; /* the name needs no escaping (an input name without escapes) */
    fv_t type;
    int live;  /* 0 once dropped */
    int plain; /* FV_STRING: nothing to escape (its JSON is the text quoted) */
    int64_t i;
    double d;
    text_t str;          /* FV_STRING */
    size_t enc, enc_len; /* the value's JSON in the scratch once encoded (enc_len 0: not yet) */
} field_t;

typedef struct name { /* a configured string with its length */
    const char *s;
    size_t len;
} name_t;

/* A field name the recipe mentions (any step's field, a new field, a rename's either side,
 * an order entry). Each input key is looked up once; the steps then find their fields by
 * index instead of comparing names. */
typedef struct rname {
    const char *s;
    size_t len;
    char *key; /* the name as the host encodes it, with the colon: "name":, in a buffer of at
                  least KEY_COPY bytes (finish copies short keys with one fixed-size copy) */
    size_t key_len;
    int ren;       /* the index of the name it is renamed to (the last rename of it), or -1 */
    name_t *nulls; /* null.values.<name> */
    size_t nnulls;
} rname_t;

#define KEY_COPY 32

typedef struct ids { /* a list of the recipe's fields as indexes into the names */
    int *v;
    size_t n;
} ids_t;

typedef struct clean_fast {
    int usable;       /* 0: a configured name the tree path would refuse (see prepare) */
    name_t *null_all; /* null.values */
    size_t nnull_all;
    uint64_t null_lens; /* a bit per null.values length, mod 64 (null_out) */
    int null_empty;     /* null.empty */
    rname_t *names;     /* the recipe's names, and a hash table of their indexes (-1 empty) */
    size_t nnames;
    int *htab;
    size_t hmask;    /* the table's size less one (a power of two, at least 16) */
    unsigned hshift; /* 32 - log2(size) */
    ids_t strip, extract, human, integers, numbers, timestamps, drop, order;
    ids_t concat_to, array_to; /* concat.fields.<new>, array.<new>: <new> */
    ids_t *concat_from, *array_from;
    int *slot;     /* per record, by name index: the field that has that name, or -1 */
    int *out_slot; /* per record, by name index: the field output under that name, or -1 */
    char *a;       /* scratch text: names, strings, encodings */
    size_t alen, acap;
    char *o; /* output */
    size_t olen, ocap;
    field_t *f;
    size_t nf, capf;
    uint64_t keybits; /* per record: bits of the names outside the recipe (cf_on_key) */
    int unescaped;    /* the input has no backslash: its strings need no escaping */
    cf_json_t *json;  /* the reader, kept from value to value */
    int json_big;     /* the last value was large: the reader is made anew before the next */
} clean_fast_t;

/* Shared by clean_fast.c (buffers, tokenizing, entry points), clean_fast_names.c (the
 * recipe's names), clean_fast_steps.c and clean_fast_out.c; hidden in the plugin like every
 * symbol that is not its entry point. */
size_t a_add(clean_fast_t *f, const char *s, size_t n);
static inline const char *text_at(const clean_fast_t *f, const text_t *t) {
    return t->p ? t->p : f->a + t->off;
}
/* The field with the recipe's name `id` (live), or NULL. */
static inline field_t *field_by_id(clean_fast_t *f, int id) {
    int j = f->slot[id];
    return j >= 0 && f->f[j].live ? &f->f[j] : NULL;
}
/* memcmp(a, b, l) == 0 without a call for the lengths names and placeholders mostly have
 * (4 to 16 bytes: two loads a side, overlapping in the middle). */
static inline int same_bytes(const void *a, const void *b, size_t l) {
    const unsigned char *x = a, *y = b;
    if (l >= 8 && l <= 16) {
        uint64_t x0, x1, y0, y1;
        memcpy(&x0, x, 8);
        memcpy(&y0, y, 8);
        memcpy(&x1, x + l - 8, 8);
        memcpy(&y1, y + l - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (l >= 4 && l < 8) {
        uint32_t x0, x1, y0, y1;
        memcpy(&x0, x, 4);
        memcpy(&y0, y, 4);
        memcpy(&x1, x + l - 4, 4);
        memcpy(&y1, y + l - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    return memcmp(a, b, l) == 0;
}
/* The recipe name's hash-table slot for s: four bytes of the name and its length, mixed by a
 * multiply (Fibonacci hashing: the top bits are the index). l > 0. */
static inline size_t name_hash(const clean_fast_t *f, const char *s, size_t l) {
    const unsigned char *u = (const unsigned char *)s;
    uint32_t h = (uint32_t)l << 24 ^ (uint32_t)u[0] << 16 ^ (uint32_t)u[l / 2] << 8 ^ u[l - 1];
    h ^= (uint32_t)u[l / 4] << 20;
    return (h * UINT32_C(0x9E3779B1)) >> f->hshift;
}
/* The index of the recipe name s, or -1 (inline: once per input key). */
static inline int name_lookup(const clean_fast_t *f, const char *s, size_t l) {
    if (!l) return -1; /* recipe names are never empty */
    for (size_t h = name_hash(f, s, l);; h = (h + 1) & f->hmask) {
        int id = f->htab[h];
        /* The table is at most a quarter full: there is an empty slot. */
        if (id < 0 || (f->names[id].len == l && same_bytes(f->names[id].s, s, l))) return id;
    }
}
/* UTF-8 as jansson checks it (the SDK's check): for text the steps cut or join. */
static inline int text_ok(const unsigned char *s, size_t n) {
    return cw_sdk_utf8_valid(s, n, NULL);
}
int fields_grow(clean_fast_t *f);
int names_prepare(const clean_t *c, clean_fast_t *f);
void names_free(clean_fast_t *f);
int step_text(const clean_t *c, clean_fast_t *f);
int step_numbers(clean_fast_t *f);
int step_timestamps(clean_fast_t *f);
int step_build(const clean_t *c, clean_fast_t *f);
int put_escaped(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
int encode_value(clean_fast_t *f, field_t *v);
int finish(clean_fast_t *f);
#endif
