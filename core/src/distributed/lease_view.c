/* Partition 0 of the leases topic as a worker sees it (see lease_view.h). */
#include "distributed/lease_view.h"

#include <stdlib.h>
#include <string.h>

void cw_lease_view_init(cw_lease_view_t *v) {
    memset(v, 0, sizeof *v);
    v->epoch = -1;
    v->table_offset = -1;
    v->table = json_object();
    v->members = json_object();
}

void cw_lease_view_clear(cw_lease_view_t *v) {
    free(v->leader_id);
    free(v->leader_url);
    free(v->nonce);
    json_decref(v->table);
    json_decref(v->members);
    memset(v, 0, sizeof *v);
}

static void set_str(char **dst, const char *s) {
    free(*dst);
    *dst = s ? strdup(s) : NULL;
}

int cw_lease_view_apply(cw_lease_view_t *v, const void *key, size_t key_len, const void *value,
                        size_t value_len, int64_t offset) {
    if (!key || !value) return -1;
    json_t *j = json_loadb(value, value_len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return -1;
    }
    int rc = 0;
    if (key_len == 6 && memcmp(key, "leader", 6) == 0) {
        v->epoch = offset;
        set_str(&v->leader_id, json_string_value(json_object_get(j, "worker_id")));
        set_str(&v->leader_url, json_string_value(json_object_get(j, "url")));
        set_str(&v->nonce, json_string_value(json_object_get(j, "nonce")));
        rc = 1;
    } else if (key_len == 5 && memcmp(key, "slots", 5) == 0) {
        json_t *e = json_object_get(j, "epoch");
        if (json_is_integer(e) && json_integer_value(e) == v->epoch && v->epoch >= 0) {
            json_decref(v->table);
            v->table = json_incref(j);
            v->table_offset = offset;
            rc = 1;
        } else {
            v->ignored++; /* fenced: written by a leader that is not the current one */
        }
    } else if (key_len > 7 && memcmp(key, "member-", 7) == 0) {
        const char *id = json_string_value(json_object_get(j, "worker_id"));
        if (id) {
            json_object_set_new(j, "offset", json_integer(offset));
            json_object_set(v->members, id, j);
        } else {
            rc = -1;
        }
    } else {
        rc = -1;
    }
    json_decref(j);
    return rc;
}

json_t *cw_lease_view_units(const cw_lease_view_t *v) {
    json_t *u = json_object_get(v->table, "units");
    return json_is_object(u) ? u : NULL;
}

json_t *cw_lease_view_moving(const cw_lease_view_t *v) {
    json_t *u = json_object_get(v->table, "moving");
    return json_is_object(u) ? u : NULL;
}

void cw_lease_view_table_id(const cw_lease_view_t *v, int64_t *epoch, int64_t *seq) {
    json_t *e = json_object_get(v->table, "epoch"), *s = json_object_get(v->table, "seq");
    *epoch = json_is_integer(e) ? json_integer_value(e) : -1;
    *seq = json_is_integer(s) ? json_integer_value(s) : -1;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void cw_lease_view_owners(const cw_lease_view_t *v, int nslots, int *owner, json_t **workers) {
    /* Per slot: the member whose latest record claiming it has the highest offset. */
    const char **by = calloc((size_t)nslots + 1, sizeof *by);
    int64_t *at = calloc((size_t)nslots + 1, sizeof *at);
    if (!by || !at) abort();
    for (int s = 0; s < nslots; s++) at[s] = -1;
    const char *id;
    json_t *m;
    json_object_foreach(v->members, id, m) {
        int64_t off = json_integer_value(json_object_get(m, "offset"));
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(m, "slots"), i, s) {
            json_int_t k = json_integer_value(s);
            if (k >= 0 && k < nslots && off > at[k]) {
                at[k] = off;
                by[k] = id;
            }
        }
    }
    const char **ids = calloc((size_t)nslots + 1, sizeof *ids);
    size_t n = 0;
    for (int s = 0; s < nslots; s++) {
        if (!by[s]) continue;
        size_t k = 0;
        while (k < n && strcmp(ids[k], by[s]) != 0) k++;
        if (k == n) ids[n++] = by[s];
    }
    qsort(ids, n, sizeof *ids, cmp_str);
    *workers = json_array();
    for (size_t k = 0; k < n; k++) json_array_append_new(*workers, json_string(ids[k]));
    for (int s = 0; s < nslots; s++) {
        owner[s] = -1;
        for (size_t k = 0; by[s] && k < n; k++)
            if (strcmp(ids[k], by[s]) == 0) owner[s] = (int)k;
    }
    free(ids);
    free(by);
    free(at);
}

static char *dump(json_t *j) {
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;
}

char *cw_lease_leader_value(const char *worker_id, const char *url, const char *nonce) {
    return dump(json_pack("{s:s, s:s, s:s}", "worker_id", worker_id, "url", url ? url : "", "nonce",
                          nonce));
}

char *cw_lease_member_value(const char *worker_id, const char *url, const int *slots, int nslots,
                            int64_t applied_epoch, int64_t applied_seq) {
    json_t *arr = json_array();
    for (int i = 0; i < nslots; i++) json_array_append_new(arr, json_integer(slots[i]));
    return dump(json_pack("{s:s, s:s, s:o, s:[I,I]}", "worker_id", worker_id, "url", url ? url : "",
                          "slots", arr, "applied", (json_int_t)applied_epoch,
                          (json_int_t)applied_seq));
}
