/* The clean transform's streaming path (clean_fast.c): the field list and the functions
 * its parts share. Internal to the plugin. */
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
#include <yajl/yajl_parse.h>

typedef enum { FV_NONE, FV_NULL, FV_TRUE, FV_FALSE, FV_INT, FV_REAL, FV_STRING, FV_ARRAY } fv_t;

typedef struct field {
    size_t name, name_len; /* offsets into the scratch text */
    int name_plain;        /* the name needs no escaping (an input name without escapes) */
    const char *out_name;  /* after renames: a config string, or NULL for the input name */
    size_t out_name_len;
    fv_t type;
    int live; /* 0 once dropped */
    int64_t i;
    double d;
    size_t str, str_len; /* FV_STRING: NUL-terminated text in the scratch */
    int plain;           /* FV_STRING: nothing to escape (its JSON is the text quoted) */
    size_t enc, enc_len; /* the value's JSON once encoded (enc_len 0: not yet) */
} field_t;

typedef struct name { /* a configured field name with its length */
    const char *s;
    size_t len;
} name_t;

typedef struct clean_fast {
    int usable;       /* 0: a configured name the tree path would refuse (see prepare) */
    name_t *null_all; /* null.values */
    size_t nnull_all;
    uint64_t null_lens; /* a bit per null.values length, mod 64 (step_nulls) */
    int *order_dup;     /* order[i] appeared before: jansson set it once */
    char **order_key;   /* order[i] encoded as the host encodes it, with the colon */
    size_t *order_key_len;
    size_t *order_len; /* strlen(order[i]) */
    long *order_idx;   /* per record: the field output as order[i], or -1 */
    size_t norder;
    char *a; /* scratch text: names, strings, encodings */
    size_t alen, acap;
    char *o; /* output */
    size_t olen, ocap;
    field_t *f;
    size_t nf, capf;
    uint64_t keybits; /* per record: the bits of the names seen (cb_key's duplicate check) */
    int depth;
    int ascii;     /* the input has no byte >= 0x80: nothing to check for UTF-8 */
    int unescaped; /* the input has no backslash: its strings need no escaping */
    yajl_handle h;
    size_t end;     /* bytes up to the top-level object's closing brace */
    void *spare[8]; /* blocks yajl freed, handed back on its next allocations */
    size_t nspare;
} clean_fast_t;

/* Shared by clean_fast.c (buffers, tokenizing, entry points), clean_fast_steps.c and
 * clean_fast_out.c; hidden in the plugin like every symbol that is not its entry point. */
size_t a_add(clean_fast_t *f, const char *s, size_t n);
/* Appends n bytes to the output (inline: about thirty calls a record). */
static inline int o_put(clean_fast_t *f, const char *s, size_t n) {
    if (f->olen + n + 1 > f->ocap && cw_sdk_grow(&f->o, &f->ocap, f->olen + n + 1)) return -1;
    memcpy(f->o + f->olen, s, n);
    f->olen += n;
    return 0;
}
int text_ok(const unsigned char *s, size_t n);
field_t *find(clean_fast_t *f, const char *name);
void step_nulls(const clean_t *c, clean_fast_t *f);
int step_text(const clean_t *c, clean_fast_t *f);
int step_numbers(const clean_t *c, clean_fast_t *f);
int step_timestamps(const clean_t *c, clean_fast_t *f);
int step_build(const clean_t *c, clean_fast_t *f);
int put_escaped(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
int encode_value(clean_fast_t *f, field_t *v);
int finish(const clean_t *c, clean_fast_t *f);
#endif
