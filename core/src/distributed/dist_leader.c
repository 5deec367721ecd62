/*
 * The leader (the holder of slot 0): claims the leadership with a record in partition 0 of
 * the leases topic (its offset is the epoch that fences older leaders), runs the connectors'
 * task_configs and writes task configs plus commit-<name> to the config topic when they
 * changed, and keeps the slot table (balance.h) up to date.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connector.h"
#include "distributed/balance.h"
#include "distributed/dist_internal.h"
#include "herder_internal.h"
#include "log.h"

static void claim(cw_dist_t *d) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(d->nonce, sizeof d->nonce, "%d-%lld-%ld", (int)getpid(), (long long)ts.tv_sec,
             ts.tv_nsec);
    char *v = cw_lease_leader_value(d->worker_id, d->url, d->nonce);
    if (!v || cw_dist_lease_send(d, "leader", v)) d->nonce[0] = '\0';
    d->claimed_ms = cw_dist_now();
    free(v);
}

/* Is this worker the leader now? Claims slot 0's leadership when it holds it. */
static int lead(cw_dist_t *d) {
    pthread_mutex_lock(&d->lock);
    int owns0 = d->owned[0] && !atomic_load(&d->fenced);
    int mine = d->nonce[0] && d->view.nonce && strcmp(d->view.nonce, d->nonce) == 0;
    int64_t epoch = d->view.epoch;
    json_t *s = json_object_get(d->view.table, "seq");
    int64_t seq = json_is_integer(s) ? json_integer_value(s) : 0;
    pthread_mutex_unlock(&d->lock);
    if (!owns0 || (atomic_load(&d->leader) && !mine)) {
        if (atomic_load(&d->leader)) cw_log_info("distributed: no longer the leader");
        atomic_store(&d->leader, 0);
        d->nonce[0] = '\0';
        return 0;
    }
    if (atomic_load(&d->leader)) return 1;
    if (mine) {
        d->my_epoch = epoch;
        d->seq = seq;
        d->table_pending = 0;
        json_object_clear(d->generated);
        atomic_store(&d->leader, 1);
        cw_log_info("distributed: this worker leads (epoch %lld)", (long long)epoch);
        return 1;
    }
    if (!d->nonce[0] || cw_dist_now() - d->claimed_ms > 2000) claim(d);
    return 0;
}

/* A task's configuration as written to the topic: the connector's keys as submitted, then
 * the task's own keys, with a value that merely repeats a resolved secret written back as
 * its placeholder (as Kafka's reverse transformation does). */
static cw_props_t *task_record(const cw_props_t *submitted, const cw_props_t *resolved,
                               const cw_props_t *own) {
    cw_props_t *p = cw_props_copy(submitted);
    for (size_t k = 0; k < cw_props_count(own); k++) {
        const char *key = cw_props_key_at(own, k), *v = cw_props_value_at(own, k);
        const char *r = cw_props_get(resolved, key), *sub = cw_props_get(submitted, key);
        cw_props_set(p, key, r && sub && strcmp(r, v) == 0 ? sub : v);
    }
    return p;
}

static int props_equal(const cw_props_t *a, const cw_props_t *b) {
    if (!a || !b || cw_props_count(a) != cw_props_count(b)) return 0;
    for (size_t k = 0; k < cw_props_count(a); k++) {
        const char *v = cw_props_get(b, cw_props_key_at(a, k));
        if (!v || strcmp(v, cw_props_value_at(a, k)) != 0) return 0;
    }
    return 1;
}

/* Runs task_configs for `name`; writes the task configs and the commit when they differ
 * from the committed ones. 0, or -1 with errstr. */
static int generate(cw_dist_t *d, const char *name, const cw_props_t *submitted, char *errstr,
                    size_t n) {
    char origin[300];
    snprintf(origin, sizeof origin, "connector %s", name);
    cw_props_t *res = cw_props_copy(submitted);
    cw_props_set_origin(res, origin);
    if (cw_props_resolve(res, errstr, n)) {
        cw_props_free(res);
        return -1;
    }
    cw_errlist_t errs = {0};
    cw_connector_t *c = cw_connector_new(d->w, name, cw_props_copy(res), origin, &errs);
    if (!c || cw_connector_prepare_tasks(c, errstr, n)) {
        if (!c) snprintf(errstr, n, "%s", errs.count ? errs.items[0] : "invalid configuration");
        cw_errlist_free(&errs);
        cw_connector_free(c);
        cw_props_free(res);
        return -1;
    }
    cw_errlist_free(&errs);
    int same;
    pthread_mutex_lock(&d->lock);
    same = cw_config_state_task_count(d->cfg, name) == c->ntasks;
    cw_props_t **recs = calloc((size_t)c->ntasks + 1, sizeof *recs);
    for (int i = 0; i < c->ntasks; i++) {
        recs[i] = task_record(submitted, res, c->tasks[i].own);
        same = same && props_equal(recs[i], cw_config_state_task_config(d->cfg, name, i));
    }
    pthread_mutex_unlock(&d->lock);
    int rc = 0; /* -2: Kafka did not take the records (tried again next turn) */
    for (int i = 0; !same && i < c->ntasks && rc == 0; i++) {
        char *k = cw_cf_config_key(CW_CF_CONFIG_TASK, name, i);
        size_t len;
        char *v = cw_cf_properties_encode(recs[i], &len);
        rc = cw_klog_send(d->cfg_log, k, strlen(k), v, len, errstr, n) ? -2 : 0;
        free(k);
        free(v);
    }
    if (!same && rc == 0) {
        char *k = cw_cf_config_key(CW_CF_CONFIG_COMMIT, name, -1);
        size_t len;
        char *v = cw_cf_commit_encode(c->ntasks, &len);
        rc = cw_klog_send(d->cfg_log, k, strlen(k), v, len, errstr, n) ||
                     cw_klog_flush(d->cfg_log, d->session_ms, errstr, n)
                 ? -2
                 : 0;
        free(k);
        free(v);
        if (rc == 0)
            cw_log(name, -1, CW_LOG_INFO, "distributed: %d task config(s) committed", c->ntasks);
    }
    for (int i = 0; i < c->ntasks; i++) cw_props_free(recs[i]);
    free(recs);
    cw_connector_free(c);
    cw_props_free(res);
    return rc;
}

static void task_configs_turn(cw_dist_t *d) {
    json_t *todo = json_object(); /* name -> config text */
    pthread_mutex_lock(&d->lock);
    size_t n = cw_config_state_connector_count(d->cfg);
    json_t *live = json_object();
    for (size_t i = 0; i < n; i++) {
        const char *name = cw_config_state_connector_at(d->cfg, i);
        const cw_props_t *p = cw_config_state_connector_config(d->cfg, name);
        if (!p) continue;
        json_object_set_new(live, name, json_true());
        if (cw_config_state_target(d->cfg, name) == CW_CF_TARGET_STOPPED) continue;
        size_t len;
        char *text = cw_cf_properties_encode(p, &len);
        const char *g = json_string_value(json_object_get(d->generated, name));
        if (text && (!g || strcmp(g, text) != 0))
            json_object_set_new(todo, name, json_string(text));
        free(text);
    }
    pthread_mutex_unlock(&d->lock);
    const char *name;
    json_t *v, *tmp;
    json_object_foreach_safe(d->generated, tmp, name, v) if (!json_object_get(live, name))
        json_object_del(d->generated, name);
    json_decref(live);
    json_object_foreach(todo, name, v) {
        char err[2048];
        cw_props_t *p = cw_cf_properties_decode(json_string_value(v), strlen(json_string_value(v)),
                                                err, sizeof err);
        int rc = p ? generate(d, name, p, err, sizeof err) : -1;
        if (rc == -1) {
            cw_log(name, -1, CW_LOG_ERROR, "distributed: task configs: %s", err);
            cw_dist_put_status(d, name, -1, "FAILED", err);
        } else if (rc == -2) {
            cw_log(name, -1, CW_LOG_WARN, "distributed: task configs not written: %s", err);
        }
        cw_props_free(p);
        if (rc != -2) json_object_set(d->generated, name, v);
    }
    json_decref(todo);
}

/* Released moves: the worker a unit left has acted on the table that unbound it, or is
 * gone. */
static json_t *released_moves(cw_dist_t *d, json_t *moving, json_t *workers) {
    json_t *rel = json_object();
    const char *u;
    json_t *mv;
    json_object_foreach(moving, u, mv) {
        const char *from = json_string_value(json_object_get(mv, "from"));
        int live = 0;
        size_t i;
        json_t *w;
        json_array_foreach(workers, i, w) live |= from && strcmp(json_string_value(w), from) == 0;
        json_t *ap = json_object_get(json_object_get(d->view.members, from ? from : ""), "applied");
        json_int_t ae = json_integer_value(json_array_get(ap, 0)),
                   as = json_integer_value(json_array_get(ap, 1));
        json_int_t me = json_integer_value(json_object_get(mv, "epoch")),
                   ms = json_integer_value(json_object_get(mv, "seq"));
        if (!live || ae > me || (ae == me && as >= ms)) json_object_set_new(rel, u, json_true());
    }
    return rel;
}

static void table_turn(cw_dist_t *d) {
    pthread_mutex_lock(&d->lock);
    int64_t te, ts;
    cw_lease_view_table_id(&d->view, &te, &ts);
    if (d->table_pending && !(te == d->my_epoch && ts >= d->seq)) {
        pthread_mutex_unlock(&d->lock); /* our last table is not read back yet */
        return;
    }
    d->table_pending = 0;
    json_t *units = json_array();
    size_t n = cw_config_state_connector_count(d->cfg);
    for (size_t i = 0; i < n; i++) {
        const char *name = cw_config_state_connector_at(d->cfg, i);
        if (!cw_config_state_connector_config(d->cfg, name)) continue;
        json_array_append_new(units, json_string(name));
        if (cw_config_state_target(d->cfg, name) == CW_CF_TARGET_STOPPED) continue;
        int tasks = cw_config_state_task_count(d->cfg, name);
        for (int t = 0; t < tasks; t++)
            json_array_append_new(units, json_sprintf("%s/%d", name, t));
    }
    int *owner = calloc((size_t)d->nslots, sizeof *owner);
    json_t *workers = NULL;
    cw_lease_view_owners(&d->view, d->nslots, owner, &workers);
    json_t *cur = cw_lease_view_units(&d->view), *mov = cw_lease_view_moving(&d->view);
    json_t *empty = json_object();
    json_t *rel = released_moves(d, mov ? mov : empty, workers);
    cw_balance_in_t in = {.units = units,
                          .bound = cur ? cur : empty,
                          .moving = mov ? mov : empty,
                          .released = rel,
                          .nslots = d->nslots,
                          .owner = owner,
                          .workers = workers,
                          .epoch = d->my_epoch,
                          .next_seq = d->seq + 1};
    json_t *bound = NULL, *moving = NULL;
    int changes = cw_balance(&in, &bound, &moving);
    pthread_mutex_unlock(&d->lock);
    if (changes) {
        json_t *t = json_pack("{s:I, s:I, s:s, s:O, s:O}", "epoch", (json_int_t)d->my_epoch, "seq",
                              (json_int_t)(d->seq + 1), "leader", d->worker_id, "units", bound,
                              "moving", moving);
        char *v = json_dumps(t, JSON_COMPACT);
        if (v && cw_dist_lease_send(d, "slots", v) == 0) {
            cw_log_debug("distributed: slot table %lld written: %s", (long long)(d->seq + 1), v);
            d->seq++;
            d->table_pending = 1;
        }
        free(v);
        json_decref(t);
    }
    json_decref(bound);
    json_decref(moving);
    json_decref(rel);
    json_decref(empty);
    json_decref(units);
    json_decref(workers);
    free(owner);
}

void cw_dist_leader_turn(cw_dist_t *d) {
    if (!lead(d)) return;
    task_configs_turn(d);
    table_turn(d);
}
