/* The clean transform's configuration as its two apply paths (clean.c over a jansson tree,
 * clean_fast.c over the value's bytes) share it. Private to the plugin. */
#ifndef CLEAN_INTERNAL_H
#define CLEAN_INTERNAL_H
#include <stddef.h>
#include "clean.h"
#include "connect-worker/sdk_regex.h"

typedef struct kv { /* a per-field setting from a prefixed key */
    char *field;
    char *text;         /* strip.prefix value, concat separator */
    char **list;        /* null.values.<f>, concat.fields.<f>, array.<f> */
    cw_sdk_regex_t *re; /* extract.<f> (found anywhere in the value, as Matcher.find) */
} kv_t;

typedef struct kvs {
    kv_t *items;
    size_t n;
} kvs_t;

struct clean {
    char **null_all; /* null.values */
    int null_empty;
    kvs_t null_field, strip, extract, concat, array;
    char **human, **integers, **numbers, **timestamps, **drop, **order;
    char **ren_from, **ren_to;
    size_t nren;
    struct clean_fast *fast; /* the streaming path's prepared names and scratch buffers */
};

/** Text of a real for concat: the shortest %g form that reads back the same. */
void clean_real_text(double d, char *buf, size_t n);

/** Prepares the streaming path for a configured instance (clean_fast.c). Returns 0, or -1
 *  with errstr on allocation failure. */
int clean_fast_prepare(clean_t *c, char *errstr, size_t n);
void clean_fast_free(struct clean_fast *f);
/** extract.<f> on the text s: 1 with [*off, *off + *len) the regex's group 1 when it has one
 *  that took part in the match, else the whole match; 0 when nothing matches (or the match
 *  had to stop). Shared by both apply paths so they cannot drift apart. */
int clean_extract(const kv_t *kv, const char *s, size_t *off, size_t *len);

#endif
