/*
 * What a worker knows from partition 0 of the leases topic (<group.id>-leases), the only
 * partition anybody writes to. Three kinds of records, keys as strings, values JSON:
 *
 *   "leader"           {"worker_id","url","nonce"}: a worker that got slot 0 claims the
 *                      leadership. The record's offset is the leader's EPOCH.
 *   "slots"            {"epoch","seq","leader","units":{unit:slot},"moving":{unit:{"from","seq"}}}:
 *                      the slot table, which slot each unit (a connector "c" or a task "c/3") is
 *                      bound to. Written only by the leader, with its epoch and a sequence
 *                      number; a table whose epoch is not the epoch of the last "leader" record
 *                      is ignored (an older leader that has not noticed it lost slot 0: the
 *                      order of partition 0 is the fencing token).
 *   "member-<id>"      {"worker_id","url","slots":[...],"applied":[epoch,seq]}: the slots a
 *                      worker holds and the last table it has acted on (every unit no longer
 *                      bound to its slots is stopped). Published after every change.
 *
 * Pure: no Kafka. Not thread-safe (one owner, under the distributed herder's lock).
 */
#ifndef CW_DIST_LEASE_VIEW_H
#define CW_DIST_LEASE_VIEW_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cw_lease_view {
    int64_t epoch;    /* offset of the last "leader" record; -1 before any */
    char *leader_id;  /* of that record, or NULL */
    char *leader_url; /* idem */
    char *nonce;      /* idem */
    json_t *table;    /* the last accepted "slots" value (never NULL: {} before any) */
    int64_t table_offset;
    json_t *members; /* worker_id -> member value plus "offset" */
    int64_t ignored; /* tables ignored as fenced (for tests and logs) */
} cw_lease_view_t;

void cw_lease_view_init(cw_lease_view_t *v);
void cw_lease_view_clear(cw_lease_view_t *v);

/** Applies one record of partition 0 at `offset`. Returns 1 when it changed the leader or the
 *  table, 0 otherwise, -1 for a record that is not ours (ignored). */
int cw_lease_view_apply(cw_lease_view_t *v, const void *key, size_t key_len, const void *value,
                        size_t value_len, int64_t offset);

/** The units of the accepted table ({} when none). Borrowed. */
json_t *cw_lease_view_units(const cw_lease_view_t *v);
json_t *cw_lease_view_moving(const cw_lease_view_t *v);
/** (epoch, seq) of the accepted table; -1/-1 when none. */
void cw_lease_view_table_id(const cw_lease_view_t *v, int64_t *epoch, int64_t *seq);

/** The owner of every slot from the member records (the latest record claiming a slot wins),
 *  as indexes into *workers (a new array of the live workers' ids, sorted; a worker is live
 *  when its latest record wins at least one slot). owner[s] is -1 for a slot nobody claims.
 *  `owner` has nslots entries. */
void cw_lease_view_owners(const cw_lease_view_t *v, int nslots, int *owner, json_t **workers);

/* Record builders (malloc'd JSON text). */
char *cw_lease_leader_value(const char *worker_id, const char *url, const char *nonce);
char *cw_lease_member_value(const char *worker_id, const char *url, const int *slots, int nslots,
                            int64_t applied_epoch, int64_t applied_seq);
#endif
