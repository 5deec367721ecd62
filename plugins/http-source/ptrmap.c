/* Record pointer -> (request, index): how an ack finds the request its record came from.
 * Open addressing with linear probing and backward-shift deletion; it holds one entry per
 * record in the worker, so it stays small (bounded by the in-flight limits). Task thread
 * only: poll fills it, ack empties it. */
#include <stdint.h>
#include <stdlib.h>

#include "hs.h"

typedef struct {
    const void *key; /* NULL: empty */
    hs_req_t *req;
    size_t idx;
} slot_t;

struct hs_ptrmap {
    slot_t *s;
    size_t cap, n; /* cap: a power of two */
};

static size_t hash(const void *p, size_t cap) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

struct hs_ptrmap *hs_ptrmap_new(void) {
    struct hs_ptrmap *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cap = 1024;
    m->s = calloc(m->cap, sizeof *m->s);
    if (!m->s) {
        free(m);
        return NULL;
    }
    return m;
}

static void insert(slot_t *s, size_t cap, const void *key, hs_req_t *r, size_t idx) {
    size_t i = hash(key, cap);
    while (s[i].key) i = (i + 1) & (cap - 1);
    s[i] = (slot_t){.key = key, .req = r, .idx = idx};
}

static int grow(struct hs_ptrmap *m) {
    size_t cap = m->cap * 2;
    slot_t *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->s[i].key) insert(s, cap, m->s[i].key, m->s[i].req, m->s[i].idx);
    free(m->s);
    m->s = s;
    m->cap = cap;
    return 0;
}

int hs_ptrmap_put(struct hs_ptrmap *m, const void *key, hs_req_t *r, size_t idx) {
    if ((m->n + 1) * 2 > m->cap && grow(m) != 0) return -1;
    insert(m->s, m->cap, key, r, idx);
    m->n++;
    return 0;
}

int hs_ptrmap_take(struct hs_ptrmap *m, const void *key, hs_req_t **r, size_t *idx) {
    size_t mask = m->cap - 1, i = hash(key, m->cap);
    while (m->s[i].key && m->s[i].key != key) i = (i + 1) & mask;
    if (!m->s[i].key) return 0;
    *r = m->s[i].req;
    *idx = m->s[i].idx;
    /* backward shift: move later entries of the run into the hole when that is allowed */
    size_t hole = i, j = i;
    while (1) {
        j = (j + 1) & mask;
        if (!m->s[j].key) break;
        size_t home = hash(m->s[j].key, m->cap);
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->s[hole] = m->s[j];
            hole = j;
        }
    }
    m->s[hole].key = NULL;
    m->n--;
    return 1;
}

void hs_ptrmap_free(struct hs_ptrmap *m) {
    if (!m) return;
    free(m->s);
    free(m);
}
