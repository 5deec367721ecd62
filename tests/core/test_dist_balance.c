/* Distributed mode's pure pieces: the leases partition 0 view (leader epochs fence older
 * leaders' slot tables; slot owners from member records) and the leader's balance, with
 * cases after Kafka's IncrementalCooperativeAssignorTest (a worker joins, a worker leaves
 * for good, connectors added and removed without moving the others, one move at a time in
 * two steps). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "distributed/balance.h"
#include "distributed/lease_view.h"

static void apply(cw_lease_view_t *v, const char *key, const char *value, int64_t off) {
    cw_lease_view_apply(v, key, strlen(key), value, strlen(value), off);
}

static void test_fencing(void) {
    cw_lease_view_t v;
    cw_lease_view_init(&v);
    apply(&v, "leader", "{\"worker_id\":\"a:1\",\"url\":\"http://a:1\",\"nonce\":\"n1\"}", 0);
    CHECK(v.epoch == 0);
    apply(&v, "slots", "{\"epoch\":0,\"seq\":1,\"units\":{\"c\":3}}", 1);
    CHECK(json_integer_value(json_object_get(cw_lease_view_units(&v), "c")) == 3);
    /* A new leader at offset 2: the old one's later table is ignored (fenced). */
    apply(&v, "leader", "{\"worker_id\":\"b:1\",\"url\":\"http://b:1\",\"nonce\":\"n2\"}", 2);
    CHECK(v.epoch == 2);
    CHECK_STR(v.leader_url, "http://b:1");
    apply(&v, "slots", "{\"epoch\":0,\"seq\":2,\"units\":{\"c\":5}}", 3);
    CHECK(v.ignored == 1);
    CHECK(json_integer_value(json_object_get(cw_lease_view_units(&v), "c")) == 3);
    int64_t e, s;
    cw_lease_view_table_id(&v, &e, &s);
    CHECK(e == 0 && s == 1); /* the last accepted table stays until the new leader writes */
    apply(&v, "slots", "{\"epoch\":2,\"seq\":3,\"units\":{\"c\":3,\"d\":4}}", 4);
    CHECK(json_integer_value(json_object_get(cw_lease_view_units(&v), "d")) == 4);
    CHECK(cw_lease_view_apply(&v, "other", 5, "{}", 2, 5) == -1);
    cw_lease_view_clear(&v);
}

static void test_owners(void) {
    cw_lease_view_t v;
    cw_lease_view_init(&v);
    apply(&v, "member-a", "{\"worker_id\":\"a\",\"slots\":[0,1,2,3]}", 0);
    apply(&v, "member-b", "{\"worker_id\":\"b\",\"slots\":[2,3]}", 1); /* b took 2, 3 */
    apply(&v, "member-c", "{\"worker_id\":\"c\",\"slots\":[]}", 2);
    int owner[5];
    json_t *workers;
    cw_lease_view_owners(&v, 5, owner, &workers);
    CHECK(json_array_size(workers) == 2); /* c holds nothing: not live */
    CHECK_STR(json_string_value(json_array_get(workers, 0)), "a");
    CHECK(owner[0] == 0 && owner[1] == 0 && owner[2] == 1 && owner[3] == 1 && owner[4] == -1);
    json_decref(workers);
    /* b dies, a takes everything back: b is gone. */
    apply(&v, "member-a", "{\"worker_id\":\"a\",\"slots\":[0,1,2,3,4]}", 3);
    cw_lease_view_owners(&v, 5, owner, &workers);
    CHECK(json_array_size(workers) == 1);
    CHECK(owner[2] == 0 && owner[4] == 0);
    json_decref(workers);
    cw_lease_view_clear(&v);
}

/* ------------------------------------------------------------------------------------------
 * Balance
 * ---------------------------------------------------------------------------------------- */

typedef struct sim {
    json_t *units, *bound, *moving, *workers;
    int nslots, owner[64];
    long long seq;
} sim_t;

static void sim_units(sim_t *s, const char *conn, int tasks) {
    json_array_append_new(s->units, json_string(conn));
    for (int i = 0; i < tasks; i++) json_array_append_new(s->units, json_sprintf("%s/%d", conn, i));
}

/* Slots dealt round robin over n workers named w0.. (as cooperative-sticky would balance). */
static void sim_workers(sim_t *s, int n) {
    json_decref(s->workers);
    s->workers = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(s->workers, json_sprintf("w%d", i));
    for (int k = 0; k < s->nslots; k++) s->owner[k] = k % n;
}

/* One leader turn; every move is released (the old owner acked) when `ack`. */
static int sim_turn(sim_t *s, int ack) {
    json_t *rel = json_object();
    const char *u;
    json_t *v;
    if (ack) json_object_foreach(s->moving, u, v) json_object_set_new(rel, u, json_true());
    cw_balance_in_t in = {.units = s->units,
                          .bound = s->bound,
                          .moving = s->moving,
                          .released = rel,
                          .nslots = s->nslots,
                          .owner = s->owner,
                          .workers = s->workers,
                          .epoch = 0,
                          .next_seq = ++s->seq};
    json_t *b, *m;
    int changes = cw_balance(&in, &b, &m);
    json_decref(rel);
    json_decref(s->bound);
    json_decref(s->moving);
    s->bound = b;
    s->moving = m;
    return changes;
}

static void sim_settle(sim_t *s) {
    for (int i = 0; i < 100 && sim_turn(s, 1); i++) {}
}

static int spread(sim_t *s) {
    int load[16], n = (int)json_array_size(s->workers), lo = 1 << 30, hi = 0;
    cw_balance_loads(s->bound, s->owner, s->nslots, n, load);
    for (int i = 0; i < n; i++) {
        if (load[i] < lo) lo = load[i];
        if (load[i] > hi) hi = load[i];
    }
    return hi - lo;
}

/* Every unit bound once, to a distinct slot. */
static int all_bound_once(sim_t *s) {
    int used[64] = {0};
    size_t i;
    json_t *u;
    json_array_foreach(s->units, i, u) {
        json_t *sl = json_object_get(s->bound, json_string_value(u));
        if (!json_is_integer(sl) || used[json_integer_value(sl)]++) return 0;
    }
    return json_object_size(s->bound) == json_array_size(s->units);
}

static sim_t sim_new(int nslots) {
    sim_t s = {
        .units = json_array(), .bound = json_object(), .moving = json_object(), .nslots = nslots};
    return s;
}

static void sim_free(sim_t *s) {
    json_decref(s->units);
    json_decref(s->bound);
    json_decref(s->moving);
    json_decref(s->workers);
}

static void test_placement(void) {
    /* Issue 13's placement: 3 workers, a source with 6 tasks and a sink with 4: 4 units each. */
    sim_t s = sim_new(16);
    sim_workers(&s, 3);
    sim_units(&s, "src", 6);
    sim_units(&s, "snk", 4);
    sim_settle(&s);
    CHECK(all_bound_once(&s));
    CHECK(spread(&s) == 0);
    sim_free(&s);
}

static void test_worker_joins(void) {
    /* testTaskAssignmentWhenWorkerJoins: two workers run 2 connectors x 4 tasks; a third
     * joins and gets slots (some of them bound): the leader evens the load out. */
    sim_t s = sim_new(12);
    sim_workers(&s, 2);
    sim_units(&s, "c1", 4);
    sim_units(&s, "c2", 4);
    sim_settle(&s);
    CHECK(spread(&s) <= 1);
    json_t *before = json_deep_copy(s.bound);
    sim_workers(&s, 3); /* slots re-dealt: units follow their slots */
    sim_settle(&s);
    CHECK(all_bound_once(&s));
    CHECK(spread(&s) <= 1);
    /* Units that did not need to move kept their slots. */
    int kept = 0;
    const char *u;
    json_t *v;
    json_object_foreach(before, u, v) kept += json_equal(v, json_object_get(s.bound, u));
    CHECK(kept >= 8);
    json_decref(before);
    sim_free(&s);
}

static void test_worker_leaves(void) {
    /* testTaskAssignmentWhenWorkerLeavesPermanently: w2's slots go to w0 (all of them: the
     * worst case for cooperative-sticky), its units with them; the leader evens out. */
    sim_t s = sim_new(15);
    sim_workers(&s, 3);
    sim_units(&s, "c1", 4);
    sim_units(&s, "c2", 4);
    sim_settle(&s);
    for (int k = 0; k < s.nslots; k++)
        if (s.owner[k] == 2) s.owner[k] = 0;
    json_array_remove(s.workers, 2);
    CHECK(spread(&s) >= 2);
    sim_settle(&s);
    CHECK(all_bound_once(&s));
    CHECK(spread(&s) <= 1);
    sim_free(&s);
}

static void test_moves_two_steps(void) {
    sim_t s = sim_new(8);
    sim_workers(&s, 2);
    for (int k = 0; k < 8; k++) s.owner[k] = 0; /* w1 has no slot yet */
    sim_units(&s, "c", 3);
    sim_settle(&s);
    CHECK(all_bound_once(&s));
    for (int k = 4; k < 8; k++) s.owner[k] = 1; /* w1 gets free slots: loads 4 and 0 */
    CHECK(sim_turn(&s, 0) > 0);
    CHECK(json_object_size(s.moving) == 1); /* one unit leaves w0: unbound first */
    const char *u = NULL;
    json_t *v = NULL;
    json_object_foreach(s.moving, u, v) break;
    CHECK(u != NULL && v != NULL);
    char unit[64];
    snprintf(unit, sizeof unit, "%s", u);
    CHECK(json_object_get(s.bound, unit) == NULL);
    CHECK_STR(json_string_value(json_object_get(v, "from")), "w0");
    CHECK(sim_turn(&s, 0) == 0); /* not acked: nothing moves, it runs nowhere */
    CHECK(json_object_get(s.bound, unit) == NULL);
    sim_turn(&s, 1); /* acked: bound on w1 */
    json_t *sl = json_object_get(s.bound, unit);
    CHECK(json_is_integer(sl) && s.owner[json_integer_value(sl)] == 1);
    sim_settle(&s);
    CHECK(spread(&s) <= 1);
    sim_free(&s);
}

static void test_add_remove_keeps_others(void) {
    sim_t s = sim_new(16);
    sim_workers(&s, 3);
    sim_units(&s, "a", 2);
    sim_units(&s, "b", 2);
    sim_settle(&s);
    json_t *before = json_deep_copy(s.bound);
    sim_units(&s, "c", 3); /* added */
    sim_settle(&s);
    const char *u;
    json_t *v;
    json_object_foreach(before, u, v) CHECK(json_equal(v, json_object_get(s.bound, u)));
    CHECK(spread(&s) <= 1);
    /* b removed: the others keep their slots */
    json_t *keep = json_array();
    size_t i;
    json_array_foreach(s.units, i, v) if (json_string_value(v)[0] != 'b')
        json_array_append(keep, v);
    json_decref(s.units);
    s.units = keep;
    json_decref(before);
    before = json_deep_copy(s.bound);
    sim_turn(&s, 1);
    CHECK(json_object_get(s.bound, "b") == NULL && json_object_get(s.bound, "b/1") == NULL);
    json_object_foreach(s.bound, u, v) CHECK(json_equal(v, json_object_get(before, u)));
    json_decref(before);
    sim_free(&s);
}

static void test_no_free_slot(void) {
    sim_t s = sim_new(2);
    sim_workers(&s, 1);
    sim_units(&s, "c", 2); /* 3 units, 2 slots */
    sim_settle(&s);
    CHECK(json_object_size(s.bound) == 2);
    CHECK(json_object_get(s.bound, "c/1") == NULL); /* waits for a slot */
    sim_free(&s);
}

int main(void) {
    test_fencing();
    test_owners();
    test_placement();
    test_worker_joins();
    test_worker_leaves();
    test_moves_two_steps();
    test_add_remove_keeps_others();
    test_no_free_slot();
    return check_failures ? 1 : 0;
}
