/* The leader's binding of units to slots (see balance.h). */
#include "distributed/balance.h"

#include <stdlib.h>
#include <string.h>

void cw_balance_loads(json_t *bound, const int *owner, int nslots, int nworkers, int *load) {
    memset(load, 0, sizeof *load * (size_t)(nworkers > 0 ? nworkers : 1));
    const char *u;
    json_t *s;
    json_object_foreach(bound, u, s) {
        json_int_t k = json_integer_value(s);
        if (k >= 0 && k < nslots && owner[k] >= 0 && owner[k] < nworkers) load[owner[k]]++;
    }
}

/* The least-loaded worker with a free slot, and that slot (lowest number); -1 when none. */
static int pick_slot(const cw_balance_in_t *in, const unsigned char *used, const int *load,
                     int nworkers) {
    int best = -1, slot = -1;
    for (int w = 0; w < nworkers; w++) {
        if (best >= 0 && load[w] >= load[best]) continue;
        for (int s = 0; s < in->nslots; s++)
            if (in->owner[s] == w && !used[s]) {
                best = w;
                slot = s;
                break;
            }
    }
    return slot;
}

int cw_balance(const cw_balance_in_t *in, json_t **bound_out, json_t **moving_out) {
    int nworkers = (int)json_array_size(in->workers);
    json_t *bound = json_object(), *moving = json_object();
    unsigned char *used = calloc((size_t)in->nslots + 1, 1);
    int *load = calloc((size_t)nworkers + 1, sizeof *load);
    if (!used || !load) abort();
    int changes = 0;
    size_t i;
    json_t *uv;
    /* 1. Keep the bindings of units that still exist. */
    json_array_foreach(in->units, i, uv) {
        const char *u = json_string_value(uv);
        json_t *s = json_object_get(in->bound, u);
        if (json_is_integer(s) && json_integer_value(s) >= 0 &&
            json_integer_value(s) < in->nslots) {
            json_object_set(bound, u, s);
            used[json_integer_value(s)] = 1;
        }
    }
    changes += json_object_size(bound) != json_object_size(in->bound);
    /* Moves under way stay until released. */
    json_array_foreach(in->units, i, uv) {
        const char *u = json_string_value(uv);
        json_t *mv = json_object_get(in->moving, u);
        if (mv && !json_object_get(bound, u) && !json_is_true(json_object_get(in->released, u)))
            json_object_set(moving, u, mv);
    }
    changes += json_object_size(moving) != json_object_size(in->moving);
    cw_balance_loads(bound, in->owner, in->nslots, nworkers, load);
    /* 2. Bind new (and released) units to the least-loaded worker's free slots. */
    json_array_foreach(in->units, i, uv) {
        const char *u = json_string_value(uv);
        if (json_object_get(bound, u) || json_object_get(moving, u)) continue;
        int s = pick_slot(in, used, load, nworkers);
        if (s < 0) break; /* no free slot: the unit waits */
        json_object_set_new(bound, u, json_integer(s));
        used[s] = 1;
        load[in->owner[s]]++;
        changes++;
    }
    /* 3. One move at a time from the most- to the least-loaded worker. */
    if (json_object_size(moving) == 0 && nworkers > 1) {
        /* To the least-loaded worker that has a free slot (else the unit would come back). */
        int hi = 0, lo = -1;
        for (int w = 0; w < nworkers; w++) {
            if (load[w] > load[hi]) hi = w;
            int free_slot = 0;
            for (int s = 0; s < in->nslots && !free_slot; s++)
                free_slot = in->owner[s] == w && !used[s];
            if (free_slot && (lo < 0 || load[w] < load[lo])) lo = w;
        }
        if (lo >= 0 && load[hi] - load[lo] > 1) {
            const char *victim = NULL;
            json_array_foreach(in->units, i, uv) { /* the last unit of the loaded worker */
                json_t *s = json_object_get(bound, json_string_value(uv));
                if (s && in->owner[json_integer_value(s)] == hi) victim = json_string_value(uv);
            }
            if (victim) {
                json_object_set_new(
                    moving, victim,
                    json_pack("{s:O, s:I, s:I}", "from", json_array_get(in->workers, (size_t)hi),
                              "epoch", (json_int_t)in->epoch, "seq", (json_int_t)in->next_seq));
                json_object_del(bound, victim);
                changes++;
            }
        }
    }
    free(used);
    free(load);
    *bound_out = bound;
    *moving_out = moving;
    return changes;
}
