/* The clean transform's streaming path (see clean_fast.c): the field names the recipe
 * mentions, each given an index at configure time. Each input key is looked up once, in a
 * small hash table (name_lookup, clean_fast.h); from then on the steps, renames and order
 * find their fields by index, and every name the output may carry is encoded once, here. */
#include "clean_fast.h"

/* The index of `s` among the names, added when new (before the table is built). */
static int name_add(clean_fast_t *f, size_t *cap, const char *s) {
    size_t l = strlen(s);
    for (size_t i = 0; i < f->nnames; i++)
        if (f->names[i].len == l && memcmp(f->names[i].s, s, l) == 0) return (int)i;
    if (f->nnames == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        rname_t *nn = realloc(f->names, ncap * sizeof *nn);
        if (!nn) return -1;
        f->names = nn;
        *cap = ncap;
    }
    f->names[f->nnames] = (rname_t){.s = s, .len = l, .ren = -1};
    return (int)f->nnames++;
}

/* A list's names as indexes; with `once`, a name listed twice is kept once (order: jansson
 * sets a key once, in its first place). The other lists keep repeats: the steps run as often
 * as the tree path runs them. */
static int ids_of(clean_fast_t *f, size_t *cap, char *const *list, ids_t *out, int once) {
    size_t n = 0;
    while (list && list[n]) n++;
    if (!(out->v = calloc(n + 1, sizeof *out->v))) return -1;
    for (size_t i = 0; i < n; i++) {
        int id = name_add(f, cap, list[i]);
        if (id < 0) return -1;
        int seen = 0;
        for (size_t j = 0; once && j < out->n; j++) seen |= out->v[j] == id;
        if (!seen) out->v[out->n++] = id;
    }
    return 0;
}

static int ids_of_kvs(clean_fast_t *f, size_t *cap, const kvs_t *k, ids_t *out) {
    if (!(out->v = calloc(k->n + 1, sizeof *out->v))) return -1;
    for (size_t i = 0; i < k->n; i++)
        if ((out->v[out->n++] = name_add(f, cap, k->items[i].field)) < 0) return -1;
    return 0;
}

/* concat and array: the new fields, and their source lists (kept as they are: a source may
 * be listed twice). */
static int ids_of_sources(clean_fast_t *f, size_t *cap, const kvs_t *k, ids_t *to, ids_t **from) {
    if (ids_of_kvs(f, cap, k, to) || !(*from = calloc(k->n + 1, sizeof **from))) return -1;
    for (size_t i = 0; i < k->n; i++) {
        ids_t *s = &(*from)[i];
        size_t n = 0;
        while (k->items[i].list && k->items[i].list[n]) n++;
        if (!(s->v = calloc(n + 1, sizeof *s->v))) return -1;
        for (size_t j = 0; j < n; j++)
            if ((s->v[s->n++] = name_add(f, cap, k->items[i].list[j])) < 0) return -1;
    }
    return 0;
}

/* Per name: its encoded key, its rename, its own null.values. */
static int names_detail(const clean_t *c, clean_fast_t *f, size_t *cap) {
    for (size_t r = 0; r < c->nren; r++) {
        int from = name_add(f, cap, c->ren_from[r]), to = name_add(f, cap, c->ren_to[r]);
        if (from < 0 || to < 0) return -1;
        f->names[from].ren = to; /* the last rename of a name wins, as on the tree path */
    }
    for (size_t i = 0; i < c->null_field.n; i++) {
        const kv_t *kv = &c->null_field.items[i];
        int id = name_add(f, cap, kv->field);
        if (id < 0) return -1;
        rname_t *r = &f->names[id];
        if (r->nulls) continue; /* the first list of a field is the one the tree path uses */
        size_t n = 0;
        while (kv->list && kv->list[n]) n++;
        if (!(r->nulls = calloc(n + 1, sizeof *r->nulls))) return -1;
        for (size_t j = 0; j < n; j++) r->nulls[j] = (name_t){kv->list[j], strlen(kv->list[j])};
        r->nnulls = n;
    }
    for (size_t i = 0; i < f->nnames; i++) {
        rname_t *r = &f->names[i];
        size_t len = 0, kcap = 0;
        if (put_escaped(&r->key, &len, &kcap, r->s, r->len) ||
            cw_sdk_grow(&r->key, &kcap, len + 1 > KEY_COPY ? len + 1 : KEY_COPY))
            return -1;
        memset(r->key + len, 0, kcap - len);
        r->key[len++] = ':';
        r->key_len = len;
    }
    return 0;
}

static int names_table(clean_fast_t *f) {
    unsigned bits = 4;
    while (((size_t)1 << bits) < f->nnames * 4) bits++;
    f->hshift = 32 - bits;
    size_t size = (size_t)1 << bits;
    f->hmask = size - 1;
    if (!(f->htab = malloc(size * sizeof *f->htab)) ||
        !(f->slot = malloc((f->nnames + 1) * sizeof *f->slot)) ||
        !(f->out_slot = malloc((f->nnames + 1) * sizeof *f->out_slot)))
        return -1;
    for (size_t i = 0; i < size; i++) f->htab[i] = -1;
    for (size_t i = 0; i < f->nnames; i++) {
        size_t h = name_hash(f, f->names[i].s, f->names[i].len);
        while (f->htab[h] >= 0) h = (h + 1) & (size - 1);
        f->htab[h] = (int)i;
    }
    return 0;
}

int names_prepare(const clean_t *c, clean_fast_t *f) {
    size_t cap = 0;
    if (ids_of_kvs(f, &cap, &c->strip, &f->strip) ||
        ids_of_kvs(f, &cap, &c->extract, &f->extract) || ids_of(f, &cap, c->human, &f->human, 0) ||
        ids_of(f, &cap, c->integers, &f->integers, 0) ||
        ids_of(f, &cap, c->numbers, &f->numbers, 0) ||
        ids_of(f, &cap, c->timestamps, &f->timestamps, 0) ||
        ids_of_sources(f, &cap, &c->concat, &f->concat_to, &f->concat_from) ||
        ids_of_sources(f, &cap, &c->array, &f->array_to, &f->array_from) ||
        ids_of(f, &cap, c->drop, &f->drop, 0) || ids_of(f, &cap, c->order, &f->order, 1) ||
        names_detail(c, f, &cap) || names_table(f))
        return -1;
    return 0;
}

static void sources_free(ids_t *from, size_t n) {
    for (size_t i = 0; from && i < n; i++) free(from[i].v);
    free(from);
}

void names_free(clean_fast_t *f) {
    for (size_t i = 0; i < f->nnames; i++) {
        free(f->names[i].key);
        free(f->names[i].nulls);
    }
    free(f->names);
    free(f->htab);
    free(f->slot);
    free(f->out_slot);
    ids_t *lists[] = {&f->strip,      &f->extract, &f->human, &f->integers,  &f->numbers,
                      &f->timestamps, &f->drop,    &f->order, &f->concat_to, &f->array_to};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) free(lists[i]->v);
    sources_free(f->concat_from, f->concat_to.n);
    sources_free(f->array_from, f->array_to.n);
}
