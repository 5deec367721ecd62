/*
 * Distributed mode's life cycle: settings, the internal topics, the watchdog, the loop
 * (read the topics, lead, apply the units, publish) and the shutdown. See dist.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "distributed/dist_internal.h"
#include "herder_internal.h"
#include "log.h"
#include "rest/rest.h"
#include "storage/internal_topics.h"
#include "storage/offsets_kafka.h"
#include "worker_offsets.h"
#include "worker_stop.h"

int64_t cw_dist_now(void) { return cw_now_ms(); }

/* A watchdog thread refreshes alive_ms every 100 ms. When it finds that much more than that
 * passed (the process was stopped: SIGSTOP, a frozen VM), the lease may be gone: it fences
 * at once, before any task thread gets to commit. Offset flushes also refuse when alive_ms
 * itself is stale (a task thread that runs before the watchdog after the resume). */
static void *watchdog(void *arg) {
    cw_dist_t *d = arg;
    int64_t prev = cw_dist_now();
    while (!atomic_load(&d->quit)) {
        struct timespec ts = {0, 100 * 1000000};
        nanosleep(&ts, NULL);
        int64_t now = cw_dist_now();
        if (now - prev > d->session_ms - d->heartbeat_ms && !atomic_load(&d->fenced)) {
            atomic_store(&d->fenced, 1);
            cw_log_warn("distributed: this process did not run for %lld ms (stopped?): its "
                        "lease may be lost; stopping its units without committing",
                        (long long)(now - prev));
        }
        atomic_store(&d->alive_ms, now);
        prev = now;
    }
    return NULL;
}

int cw_dist_fenced(void *opaque) {
    cw_dist_t *d = opaque;
    if (atomic_load(&d->fenced)) return 1;
    return cw_dist_now() - atomic_load(&d->alive_ms) > d->session_ms - d->heartbeat_ms;
}

/* Records of the three topics, applied under the lock (REST threads read the states). */
static void on_config(void *opaque, const void *key, size_t key_len, const void *value,
                      size_t value_len, int32_t partition, int64_t offset) {
    cw_dist_t *d = opaque;
    char err[512];
    cw_config_change_t ch = {0};
    pthread_mutex_lock(&d->lock);
    if (cw_config_state_apply(d->cfg, key, key_len, value, value_len, offset, &ch, err, sizeof err))
        cw_log_warn("config.storage.topic partition %d offset %lld: ignored: %s", (int)partition,
                    (long long)offset, err);
    else if (ch.kind == CW_CF_CONFIG_RESTART && ch.connector)
        json_array_append_new(d->restarts,
                              json_pack("[s,b,b]", ch.connector, ch.include_tasks, ch.only_failed));
    pthread_mutex_unlock(&d->lock);
    cw_config_change_clear(&ch);
}

static void on_status(void *opaque, const void *key, size_t key_len, const void *value,
                      size_t value_len, int32_t partition, int64_t offset) {
    cw_dist_t *d = opaque;
    char err[512];
    pthread_mutex_lock(&d->lock);
    if (cw_status_state_apply(d->st, key, key_len, value, value_len, err, sizeof err))
        cw_log_debug("status.storage.topic partition %d offset %lld: ignored: %s", (int)partition,
                     (long long)offset, err);
    pthread_mutex_unlock(&d->lock);
}

static void on_lease(void *opaque, const void *key, size_t key_len, const void *value,
                     size_t value_len, int32_t partition, int64_t offset) {
    cw_dist_t *d = opaque;
    if (partition != 0) return;
    pthread_mutex_lock(&d->lock);
    cw_lease_view_apply(&d->view, key, key_len, value, value_len, offset);
    pthread_mutex_unlock(&d->lock);
}

int cw_dist_read_all(cw_dist_t *d) {
    char err[1024];
    int bad = 0;
    int64_t t0 = cw_dist_now();
    if (cw_klog_read_to_end(d->cfg_log, on_config, d, CW_DIST_READ_MS, err, sizeof err)) {
        cw_log_debug("distributed: %s", err);
        bad = 1;
    } else {
        atomic_store(&d->cfg_ok_ms, cw_dist_now());
    }
    int64_t t1 = cw_dist_now();
    if (cw_klog_read_to_end(d->st_log, on_status, d, CW_DIST_READ_MS, err, sizeof err)) {
        cw_log_debug("distributed: %s", err);
        bad = 1;
    }
    int64_t t2 = cw_dist_now();
    if (cw_klog_read_to_end(d->lease_log, on_lease, d, CW_DIST_READ_MS, err, sizeof err)) {
        cw_log_debug("distributed: %s", err);
        bad = 1;
    }
    int64_t t3 = cw_dist_now();
    if (t3 - t0 > 300)
        cw_log_debug("distributed: reading took %lld + %lld + %lld ms", (long long)(t1 - t0),
                     (long long)(t2 - t1), (long long)(t3 - t2));
    return bad ? -1 : 0;
}

int cw_dist_lease_send(cw_dist_t *d, const char *key, const char *value) {
    char err[1024];
    if (cw_klog_send_to(d->lease_log, 0, key, strlen(key), value, strlen(value), err, sizeof err) ||
        cw_klog_flush(d->lease_log, d->session_ms, err, sizeof err)) {
        cw_log_warn("distributed: leases topic: %s", err);
        return -1;
    }
    return 0;
}

void cw_dist_publish_member(cw_dist_t *d) {
    int *slots = calloc((size_t)d->nslots + 1, sizeof *slots), n = 0;
    pthread_mutex_lock(&d->lock);
    for (int s = 0; s < d->nslots; s++)
        if (d->owned[s]) slots[n++] = s;
    pthread_mutex_unlock(&d->lock);
    char *v =
        cw_lease_member_value(d->worker_id, d->url, slots, n, d->applied_epoch, d->applied_seq);
    char key[512];
    snprintf(key, sizeof key, "member-%s", d->worker_id);
    if (v && cw_dist_lease_send(d, key, v) == 0) {
        cw_log_debug("distributed: member record: %s", v);
        d->member_dirty = 0;
    }
    free(v);
    free(slots);
}

/* ------------------------------------------------------------------------------------------
 * Set-up
 * ---------------------------------------------------------------------------------------- */

static char *dup_or(const char *s, const char *dflt) { return strdup(s && *s ? s : dflt); }

static cw_dist_t *dist_new(cw_worker_t *w) {
    cw_dist_t *d = calloc(1, sizeof *d);
    if (!d) abort();
    const cw_config_t *c = w->config;
    d->w = w;
    d->group_id = dup_or(cw_config_get(c, "group.id"), "connect-cluster");
    char leases[512];
    snprintf(leases, sizeof leases, "%s-leases", d->group_id);
    d->leases_topic = dup_or(cw_config_get(c, "cw.leases.topic"), leases);
    d->nslots = (int)cw_config_get_int(c, "cw.leases.partitions", 0);
    d->session_ms = (int)cw_config_get_int(c, "session.timeout.ms", 0);
    d->heartbeat_ms = (int)cw_config_get_int(c, "heartbeat.interval.ms", 0);
    d->rebalance_ms = (int)cw_config_get_int(c, "rebalance.timeout.ms", 0);
    d->delay_ms = cw_config_get_int(c, "scheduled.rebalance.max.delay.ms", 0);
    pthread_mutex_init(&d->lock, NULL);
    d->cfg = cw_config_state_new();
    d->st = cw_status_state_new();
    cw_lease_view_init(&d->view);
    d->owned = calloc((size_t)d->nslots, 1);
    d->not_before = calloc((size_t)d->nslots, sizeof *d->not_before);
    d->generated = json_object();
    d->restarts = json_array();
    d->conn_written = json_object();
    d->my_epoch = d->seq = d->applied_epoch = d->applied_seq = -1;
    d->member_dirty = 1;
    atomic_store(&d->alive_ms, cw_dist_now());
    atomic_store(&d->cfg_ok_ms, cw_dist_now());
    return d;
}

static void dist_free(cw_dist_t *d) {
    cw_dist_units_free(d);
    cw_klog_destroy(d->cfg_log);
    cw_klog_destroy(d->st_log);
    cw_klog_destroy(d->lease_log);
    cw_config_state_free(d->cfg);
    cw_status_state_free(d->st);
    cw_lease_view_clear(&d->view);
    json_decref(d->generated);
    json_decref(d->restarts);
    json_decref(d->conn_written);
    pthread_mutex_destroy(&d->lock);
    free(d->owned);
    free(d->not_before);
    free(d->group_id);
    free(d->leases_topic);
    free(d->worker_id);
    free(d->url);
    free(d->last_leader);
    free(d->last_assignment);
    free(d);
}

/* The four topics exist (created when missing), then one log on each. */
static int open_topics(cw_dist_t *d, char *errstr, size_t n) {
    cw_worker_t *w = d->w;
    cw_internal_topic_t t[4];
    cw_internal_topic_from_config(w->config, "config.storage.", &t[0]);
    cw_internal_topic_from_config(w->config, "status.storage.", &t[1]);
    cw_internal_topic_from_config(w->config, "offset.storage.", &t[2]);
    t[3] = (cw_internal_topic_t){
        .key = "cw.leases.topic",
        .name = d->leases_topic,
        .partitions = d->nslots,
        .replication_factor = (int)cw_config_get_int(w->config, "cw.leases.replication.factor", 0),
    };
    for (int i = 0; w->mock && i < 4; i++)
        rd_kafka_mock_topic_create(w->mock, t[i].name, t[i].partitions > 0 ? t[i].partitions : 1,
                                   1);
    rd_kafka_conf_t *admin = cw_worker_admin_conf(w, errstr, n);
    if (!admin || cw_internal_topics_ensure(admin, t, 4, 15000, errstr, n)) return -1;
    const char *names[3] = {t[0].name, t[1].name, d->leases_topic};
    cw_klog_t **logs[3] = {&d->cfg_log, &d->st_log, &d->lease_log};
    for (int i = 0; i < 3; i++) {
        rd_kafka_conf_t *p =
            cw_worker_kafka_conf(w, NULL, "producer", "connect-worker-dist", errstr, n);
        rd_kafka_conf_t *c =
            cw_worker_kafka_conf(w, NULL, "consumer", "connect-worker-dist", errstr, n);
        if (!p || !c) {
            if (p) rd_kafka_conf_destroy(p);
            if (c) rd_kafka_conf_destroy(c);
            return -1;
        }
        /* Each read asks for the end offsets; a broker answers a connection's requests in
         * order, so a long-polling fetch (500 ms by default) would delay every read. */
        rd_kafka_conf_set(c, "fetch.wait.max.ms", "10", NULL, 0);
        if (!(*logs[i] = cw_klog_new(names[i], p, c, errstr, n))) return -1;
    }
    return 0;
}

/* The worker_id and URL the REST server advertises (Kafka's). */
static void adopt_rest(cw_dist_t *d) {
    const char *url = d->w->rest ? cw_rest_url(d->w->rest) : NULL;
    d->url = strdup(url ? url : "");
    size_t len = strlen(d->url);
    if (len && d->url[len - 1] == '/') d->url[len - 1] = '\0';
    const char *hp = strstr(d->url, "://");
    d->worker_id = strdup(hp ? hp + 3 : d->url);
    if (!*d->worker_id) {
        free(d->worker_id);
        d->worker_id = strdup(d->w->herder->worker_id);
    }
}

/* ------------------------------------------------------------------------------------------
 * The loop
 * ---------------------------------------------------------------------------------------- */

static void log_leader(cw_dist_t *d) {
    pthread_mutex_lock(&d->lock);
    const char *id = d->view.leader_id;
    if (id && (!d->last_leader || strcmp(id, d->last_leader) != 0)) {
        free(d->last_leader);
        d->last_leader = strdup(id);
        cw_log_info("distributed: leader is %s", id);
    }
    pthread_mutex_unlock(&d->lock);
}

static void tick(cw_dist_t *d) {
    if (atomic_load(&d->fenced)) {
        if (!d->fenced_since_ms) {
            d->fenced_since_ms = cw_dist_now();
            cw_dist_stop_units(d, NULL, 1);
            pthread_mutex_lock(&d->lock);
            memset(d->owned, 0, (size_t)d->nslots);
            pthread_mutex_unlock(&d->lock);
            atomic_store(&d->leader, 0);
            d->nonce[0] = '\0';
            d->member_dirty = 1;
        } else if (cw_dist_now() - d->fenced_since_ms > 2 * (int64_t)d->session_ms &&
                   cw_dist_now() - atomic_load(&d->cfg_ok_ms) < d->session_ms) {
            /* No rebalance came: the group still counts this worker in; its slots again. */
            cw_log_info("distributed: no rebalance after the pause: resuming with the current "
                        "assignment");
            cw_dist_group_readopt(d);
        }
    }
    cw_dist_group_poll(d);
    cw_dist_read_all(d);
    int64_t stale = cw_dist_now() - atomic_load(&d->cfg_ok_ms);
    if (stale > d->session_ms && !atomic_load(&d->fenced)) {
        /* KAFKA-9849: a worker that cannot read the config topic gives its units up in time
         * (Kafka unreachable: the group will drop it too). */
        cw_log_warn("distributed: config.storage.topic not readable for %lld ms: stopping "
                    "every unit until Kafka answers again",
                    (long long)stale);
        atomic_store(&d->fenced, 1);
        return;
    }
    log_leader(d);
    cw_dist_leader_turn(d);
    cw_dist_apply_units(d);
    if (d->member_dirty) cw_dist_publish_member(d);
}

static int wait_signal(const sigset_t *signals, int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    int sig = sigtimedwait(signals, NULL, &ts);
    return sig == SIGINT || sig == SIGTERM || sig == SIGHUP ? sig : 0;
}

int cw_dist_run(cw_worker_t *w, const sigset_t *signals) {
    char err[2048];
    cw_dist_t *d = dist_new(w);
    w->dist = d;
    int rc = CW_EXIT_STARTUP;
    if (open_topics(d, err, sizeof err)) {
        cw_log_error("distributed: %s", err);
        goto out;
    }
    if (!(w->offsets = cw_worker_offsets_open(w, err, sizeof err))) {
        cw_log_error("distributed: %s", err);
        goto out;
    }
    cw_offsets_kafka_set_fence(w->offsets, cw_dist_fenced, d);
    cw_herder_set_keep_running(w->herder, 1);
    atomic_store(&w->herder->running, 1);
    w->rest = cw_rest_start(w, err, sizeof err);
    if (!w->rest && *err) {
        cw_log_error("%s", err);
        goto out;
    }
    adopt_rest(d);
    if (cw_dist_group_open(d, err, sizeof err)) {
        cw_log_error("distributed: %s", err);
        goto out;
    }
    pthread_create(&d->watchdog, NULL, watchdog, d);
    cw_log_info("distributed: worker %s joining group %s (%d slots on %s)", d->worker_id,
                d->group_id, d->nslots, d->leases_topic);
    int sig = 0;
    while (!atomic_load(&w->stop_requested) && !(sig = wait_signal(signals, 100))) {
        int64_t t0 = cw_dist_now();
        tick(d);
        cw_log_debug("distributed: turn took %lld ms", (long long)(cw_dist_now() - t0));
        if (cw_dist_now() - t0 > 2000)
            cw_log_info("distributed: one turn of the loop took %lld ms",
                        (long long)(cw_dist_now() - t0));
    }
    if (sig)
        cw_log_info("received %s: stopping units (flush and commit) and leaving the group",
                    cw_signal_name(sig));
    atomic_store(&w->herder->running, 0);
    /* The units first (committed, UNASSIGNED written), then the group: the slots are handed
     * on only when nothing of theirs runs here any more. */
    cw_dist_stop_units(d, NULL, 0);
    cw_dist_group_close(d);
    rc = CW_EXIT_OK;
out:
    cw_rest_stop(w->rest);
    w->rest = NULL;
    atomic_store(&w->herder->running, 0);
    if (d->watchdog) {
        atomic_store(&d->quit, 1);
        pthread_join(d->watchdog, NULL);
    }
    if (d->group) cw_dist_group_close(d);
    w->dist = NULL;
    dist_free(d);
    cw_log_info("worker stopped");
    return rc;
}
