/*
 * Which slot each unit is bound to: the leader's pure decision, as Kafka Connect's
 * IncrementalCooperativeAssignor decides which worker runs each connector and task. Units
 * never move between slots while they run; slots move between workers (the consumer group's
 * cooperative-sticky assignor). The leader only:
 *   - drops the bindings of units that no longer exist;
 *   - binds each new unit to a free slot (one with no unit) of the least-loaded worker, load
 *     being the number of units bound to the slots it holds;
 *   - when loads differ by more than one, moves ONE unit from the most- to the least-loaded
 *     worker, in two steps so that it never runs twice: the unit is first unbound (listed in
 *     "moving" with the worker it left), and bound again only once that worker has applied
 *     the table (stopped it) or is gone.
 * Pure and deterministic: no Kafka, no clock.
 */
#ifndef CW_DIST_BALANCE_H
#define CW_DIST_BALANCE_H
#include <jansson.h>

typedef struct cw_balance_in {
    json_t *units;      /* wanted units, array of strings, in a stable order */
    json_t *bound;      /* current table: unit -> slot (integer) */
    json_t *moving;     /* unit -> {"from": worker_id, "epoch": e, "seq": n} */
    json_t *released;   /* unit -> true: its move may complete (the old owner stopped it) */
    int nslots;         /* slots 0..nslots-1 */
    const int *owner;   /* slot -> index in workers, -1 none */
    json_t *workers;    /* live worker ids */
    long long epoch;    /* the leader's epoch and the sequence number the new table will */
    long long next_seq; /* carry: a move records both (the old owner acks with "applied") */
} cw_balance_in_t;

/** Computes the next table: *bound and *moving are new objects. Returns the number of
 *  changes (0: the table stays as it is). */
int cw_balance(const cw_balance_in_t *in, json_t **bound, json_t **moving);

/** The number of units bound to the slots of each worker (array of nworkers ints). */
void cw_balance_loads(json_t *bound, const int *owner, int nslots, int nworkers, int *load);
#endif
