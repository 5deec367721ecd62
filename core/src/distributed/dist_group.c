/*
 * The lease group: a consumer in group.id, cooperative-sticky, subscribed to the leases
 * topic, every assigned partition paused (it never fetches). Holding partition i is holding
 * slot i. librdkafka calls the rebalance callback from cw_dist_group_poll (the loop thread):
 *   - assigned slots are taken at once; the units of a slot whose previous holder did not hand
 *     it on (its member record still claims it: it died) wait scheduled.rebalance.max.delay.ms;
 *   - revoked slots (a cooperative hand-off) have their units stopped, committed and marked
 *     UNASSIGNED, and the member record published, BEFORE the callback returns, so the next
 *     holder starts them only afterwards;
 *   - a lost assignment (session timeout: a zombie, or Kafka unreachable) stops the units
 *     without committing (the offset store is fenced meanwhile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distributed/dist_internal.h"
#include "log.h"

static int conf_set(rd_kafka_conf_t *c, const char *k, const char *v, char *errstr, size_t n) {
    char err[512];
    if (rd_kafka_conf_set(c, k, v, err, sizeof err) == RD_KAFKA_CONF_OK) return 0;
    snprintf(errstr, n, "lease group: %s=%s: %s", k, v, err);
    return -1;
}

static void set_slots(cw_dist_t *d, const rd_kafka_topic_partition_list_t *parts, int held) {
    pthread_mutex_lock(&d->lock);
    for (int i = 0; i < parts->cnt; i++) {
        int32_t s = parts->elems[i].partition;
        if (s >= 0 && s < d->nslots) d->owned[s] = (unsigned char)held;
    }
    pthread_mutex_unlock(&d->lock);
    d->member_dirty = 1;
}

/* Gained slots: the units of one that its last holder did not release wait the delay. */
static void on_assign(cw_dist_t *d, rd_kafka_topic_partition_list_t *parts) {
    cw_dist_read_all(d); /* the previous holders' member records, written before revoking */
    int *owner = calloc((size_t)d->nslots, sizeof *owner);
    json_t *workers = NULL;
    pthread_mutex_lock(&d->lock);
    cw_lease_view_owners(&d->view, d->nslots, owner, &workers);
    int64_t now = cw_dist_now();
    int delayed = 0;
    for (int i = 0; i < parts->cnt; i++) {
        int32_t s = parts->elems[i].partition;
        if (s < 0 || s >= d->nslots) continue;
        const char *prev =
            owner[s] >= 0 ? json_string_value(json_array_get(workers, owner[s])) : NULL;
        d->not_before[s] = prev && strcmp(prev, d->worker_id) != 0 ? now + d->delay_ms : 0;
        delayed += d->not_before[s] != 0;
    }
    pthread_mutex_unlock(&d->lock);
    if (delayed && d->delay_ms)
        cw_log_info("distributed: %d slot(s) taken over from a worker that left without "
                    "handing them on: their units start in %lld ms "
                    "(scheduled.rebalance.max.delay.ms)",
                    delayed, (long long)d->delay_ms);
    json_decref(workers);
    free(owner);
    rd_kafka_error_t *e = rd_kafka_incremental_assign(d->group, parts);
    if (e) {
        cw_log_error("distributed: lease group: assign: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    rd_kafka_pause_partitions(d->group, parts);
    set_slots(d, parts, 1);
    if (atomic_load(&d->fenced)) {
        cw_log_info("distributed: lease group joined again: units may run");
        atomic_store(&d->fenced, 0);
        d->fenced_since_ms = 0;
    }
    cw_dist_publish_member(d);
}

static int slots_has_zero(const rd_kafka_topic_partition_list_t *parts) {
    for (int i = 0; i < parts->cnt; i++)
        if (parts->elems[i].partition == 0) return 1;
    return 0;
}

static void on_revoke(cw_dist_t *d, rd_kafka_topic_partition_list_t *parts) {
    int lost = rd_kafka_assignment_lost(d->group);
    unsigned char *slots = calloc((size_t)d->nslots, 1);
    for (int i = 0; i < parts->cnt; i++)
        if (parts->elems[i].partition >= 0 && parts->elems[i].partition < d->nslots)
            slots[parts->elems[i].partition] = 1;
    if (lost) {
        cw_log_warn("distributed: lease group: assignment lost (session timed out): stopping "
                    "the units of %d slot(s) without committing",
                    parts->cnt);
        atomic_store(&d->fenced, 1);
        if (!d->fenced_since_ms) d->fenced_since_ms = cw_dist_now();
    }
    cw_dist_stop_units(d, slots, lost);
    free(slots);
    set_slots(d, parts, 0);
    if (slots_has_zero(parts)) {
        atomic_store(&d->leader, 0);
        d->nonce[0] = '\0';
    }
    if (!lost) cw_dist_publish_member(d); /* before the hand-off completes */
    rd_kafka_error_t *e = rd_kafka_incremental_unassign(d->group, parts);
    if (e) {
        cw_log_warn("distributed: lease group: unassign: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
    (void)rk;
    cw_dist_t *d = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        on_assign(d, parts);
    else
        on_revoke(d, parts);
}

int cw_dist_group_open(cw_dist_t *d, char *errstr, size_t n) {
    rd_kafka_conf_t *c =
        cw_worker_kafka_conf(d->w, NULL, "consumer", "connect-worker-leases", errstr, n);
    if (!c) return -1;
    char session[32], heartbeat[32], poll[32];
    snprintf(session, sizeof session, "%d", d->session_ms);
    snprintf(heartbeat, sizeof heartbeat, "%d", d->heartbeat_ms);
    snprintf(poll, sizeof poll, "%d", d->rebalance_ms);
    if (conf_set(c, "group.id", d->group_id, errstr, n) ||
        conf_set(c, "partition.assignment.strategy", "cooperative-sticky", errstr, n) ||
        conf_set(c, "session.timeout.ms", session, errstr, n) ||
        conf_set(c, "heartbeat.interval.ms", heartbeat, errstr, n) ||
        conf_set(c, "max.poll.interval.ms", poll, errstr, n) ||
        conf_set(c, "enable.auto.commit", "false", errstr, n) ||
        conf_set(c, "auto.offset.reset", "latest", errstr, n)) {
        rd_kafka_conf_destroy(c);
        return -1;
    }
    rd_kafka_conf_set_rebalance_cb(c, on_rebalance);
    rd_kafka_conf_set_opaque(c, d);
    char err[512];
    d->group = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
    if (!d->group) {
        rd_kafka_conf_destroy(c);
        snprintf(errstr, n, "lease group: %s", err);
        return -1;
    }
    rd_kafka_poll_set_consumer(d->group);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, d->leases_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(d->group, t);
    rd_kafka_topic_partition_list_destroy(t);
    if (e) {
        snprintf(errstr, n, "lease group: subscribe to %s: %s", d->leases_topic,
                 rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

void cw_dist_group_poll(cw_dist_t *d) {
    /* Nothing is fetched (every partition is paused): this serves rebalances and errors. */
    for (int i = 0; i < 10; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(d->group, 0);
        if (!m) break;
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            cw_log_debug("distributed: lease group: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
    }
}

void cw_dist_group_readopt(cw_dist_t *d) {
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(d->group, &parts) == 0 && parts) set_slots(d, parts, 1);
    if (parts) rd_kafka_topic_partition_list_destroy(parts);
    atomic_store(&d->fenced, 0);
    d->fenced_since_ms = 0;
}

void cw_dist_group_close(cw_dist_t *d) {
    if (!d->group) return;
    rd_kafka_consumer_close(d->group); /* revokes (the units are stopped already) */
    rd_kafka_destroy(d->group);
    d->group = NULL;
}
