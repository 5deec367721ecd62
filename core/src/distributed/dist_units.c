/*
 * This worker's units: the connectors and tasks bound (by the leader's slot table) to slots
 * it holds. The loop thread compares what should run with what runs and starts or stops the
 * difference; statuses go to the status topic with this worker's id. A task whose committed
 * configuration changed (a new commit-<name> record) is stopped and started again with the
 * new one, on the same worker: a unit never runs twice.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "distributed/dist_internal.h"
#include "log.h"
#include "storage/offsets_kafka.h"
#include "worker_stop.h"

void cw_dist_put_status(cw_dist_t *d, const char *connector, int task, const char *state,
                        const char *trace) {
    char *key = cw_cf_status_key(connector, task), err[512];
    pthread_mutex_lock(&d->lock);
    /* Kafka's generation orders a task's statuses; the table's offset in the leases topic
     * grows with every placement, across leaders. */
    int32_t gen = (int32_t)(d->view.table_offset > 0 ? d->view.table_offset : 0);
    pthread_mutex_unlock(&d->lock);
    cw_cf_status_t st = {.state = (char *)state,
                         .trace = (char *)trace,
                         .worker_id = d->worker_id,
                         .generation = gen};
    size_t len = 0;
    char *val = state ? cw_cf_status_encode(&st, &len) : NULL;
    if (key && cw_klog_send(d->st_log, key, strlen(key), val, len, err, sizeof err))
        cw_log_warn("distributed: %s", err);
    free(key);
    free(val);
}

static void flush_status(cw_dist_t *d) {
    char err[512];
    if (cw_klog_flush(d->st_log, 5000, err, sizeof err))
        cw_log_warn("distributed: status.storage.%s", err);
}

static cw_dconn_t *find(cw_dist_t *d, const char *name) {
    for (size_t i = 0; i < d->nconns; i++)
        if (strcmp(d->conns[i]->name, name) == 0) return d->conns[i];
    return NULL;
}

static void dconn_free(cw_dconn_t *dc) {
    cw_connector_free(dc->c);
    for (int i = 0; i < dc->ncfgs; i++) {
        cw_props_free(dc->cfgs[i]);
        free(dc->written[i]);
    }
    free(dc->cfgs);
    free(dc->written);
    free(dc->name);
    free(dc);
}

static void dconn_remove(cw_dist_t *d, cw_dconn_t *dc) {
    for (size_t i = 0; i < d->nconns; i++)
        if (d->conns[i] == dc) d->conns[i] = d->conns[--d->nconns];
    dconn_free(dc);
}

/* The slot a unit is bound to, -1 when none (under the lock). */
static int unit_slot(cw_dist_t *d, const char *name, int task) {
    char unit[600];
    if (task < 0)
        snprintf(unit, sizeof unit, "%s", name);
    else
        snprintf(unit, sizeof unit, "%s/%d", name, task);
    json_t *s = json_object_get(cw_lease_view_units(&d->view), unit);
    return json_is_integer(s) ? (int)json_integer_value(s) : -1;
}

/* Stops the flagged tasks of dc together (signal all, then join each). abort: no commit,
 * no status. status: write UNASSIGNED for each. */
static void stop_tasks(cw_dist_t *d, cw_dconn_t *dc, const unsigned char *which, int abort,
                       int status) {
    cw_connector_t *c = dc->c;
    int64_t deadline = cw_now_ms() + d->w->shutdown_timeout_ms;
    for (int i = 0; i < c->ntasks; i++)
        if (which[i] && c->tasks[i].started)
            cw_connector_stop_task(&c->tasks[i], abort ? CW_TASK_STOP_ABORT : CW_TASK_STOP_GRACEFUL,
                                   deadline);
    for (int i = 0; i < c->ntasks; i++) {
        cw_task_t *t = &c->tasks[i];
        if (!which[i] || !t->started) continue;
        if (cw_connector_join_task(t, deadline, 1)) {
            cw_connector_stop_task(t, CW_TASK_STOP_ABORT, cw_now_ms());
            while (cw_connector_join_task(t, cw_now_ms() + 1000, 0)) {}
        }
        cw_connector_reset_task(c, i);
        cw_log(dc->name, i, CW_LOG_INFO, "distributed: stopped%s", abort ? " (not committed)" : "");
        if (status && !abort) cw_dist_put_status(d, dc->name, i, "UNASSIGNED", NULL);
        free(dc->written[i]);
        dc->written[i] = strdup("");
    }
}

static int running_count(const cw_dconn_t *dc) {
    int n = 0;
    for (int i = 0; dc->c && i < dc->c->ntasks; i++) n += dc->c->tasks[i].started;
    return n;
}

void cw_dist_stop_units(cw_dist_t *d, const unsigned char *slots, int abort) {
    for (size_t k = 0; k < d->nconns; k++) {
        cw_dconn_t *dc = d->conns[k];
        unsigned char *which = calloc((size_t)dc->ncfgs + 1, 1);
        pthread_mutex_lock(&d->lock);
        for (int i = 0; i < dc->ncfgs; i++) {
            int s = unit_slot(d, dc->name, i);
            which[i] = !slots || (s >= 0 && slots[s]);
        }
        pthread_mutex_unlock(&d->lock);
        stop_tasks(d, dc, which, abort, 1);
        free(which);
    }
    for (size_t k = 0; k < d->nconns;)
        if (running_count(d->conns[k]) == 0)
            dconn_remove(d, d->conns[k]);
        else
            k++;
    /* Connector units of those slots: UNASSIGNED, as Kafka writes when it revokes them. */
    const char *name;
    json_t *v, *tmp;
    json_object_foreach_safe(d->conn_written, tmp, name, v) {
        pthread_mutex_lock(&d->lock);
        int s = unit_slot(d, name, -1);
        pthread_mutex_unlock(&d->lock);
        if (slots && !(s >= 0 && slots[s])) continue;
        if (!abort) cw_dist_put_status(d, name, -1, "UNASSIGNED", NULL);
        json_object_del(d->conn_written, name);
    }
    if (!abort) flush_status(d);
}

void cw_dist_units_free(cw_dist_t *d) {
    for (size_t i = 0; i < d->nconns; i++) dconn_free(d->conns[i]);
    free(d->conns);
    d->conns = NULL;
    d->nconns = 0;
}

/* ------------------------------------------------------------------------------------------
 * What should run here (taken under the lock), then acting on it (without)
 * ---------------------------------------------------------------------------------------- */

typedef struct plan {
    char *name;
    cw_cf_target_state_t target;
    cw_props_t *config; /* unresolved */
    int n;
    cw_props_t **cfgs; /* committed task configs (copies) */
    unsigned char *want;
    int conn_here;
} plan_t;

static void plan_free(plan_t *p) {
    for (int i = 0; i < p->n; i++) cw_props_free(p->cfgs[i]);
    free(p->cfgs);
    free(p->want);
    cw_props_free(p->config);
    free(p->name);
}

static int can_run(cw_dist_t *d, int slot, int64_t now) {
    return slot >= 0 && slot < d->nslots && d->owned[slot] && now >= d->not_before[slot];
}

static plan_t *make_plans(cw_dist_t *d, size_t *np) {
    int64_t now = cw_now_ms();
    int fenced = atomic_load(&d->fenced);
    pthread_mutex_lock(&d->lock);
    size_t n = cw_config_state_connector_count(d->cfg), k = 0;
    plan_t *plans = calloc(n + 1, sizeof *plans);
    for (size_t i = 0; i < n; i++) {
        const char *name = cw_config_state_connector_at(d->cfg, i);
        const cw_props_t *cfg = cw_config_state_connector_config(d->cfg, name);
        if (!cfg) continue;
        plan_t *p = &plans[k++];
        p->name = strdup(name);
        p->target = cw_config_state_target(d->cfg, name);
        p->config = cw_props_copy(cfg);
        p->n = cw_config_state_task_count(d->cfg, name);
        p->cfgs = calloc((size_t)p->n + 1, sizeof *p->cfgs);
        p->want = calloc((size_t)p->n + 1, 1);
        for (int t = 0; t < p->n; t++) {
            p->cfgs[t] = cw_props_copy(cw_config_state_task_config(d->cfg, name, t));
            p->want[t] = !fenced && p->target != CW_CF_TARGET_STOPPED &&
                         can_run(d, unit_slot(d, name, t), now);
        }
        p->conn_here = !fenced && can_run(d, unit_slot(d, name, -1), now);
    }
    pthread_mutex_unlock(&d->lock);
    *np = k;
    return plans;
}

static int same_configs(const cw_dconn_t *dc, const plan_t *p) {
    if (dc->ncfgs != p->n) return 0;
    for (int i = 0; i < p->n; i++) {
        const cw_props_t *a = dc->cfgs[i], *b = p->cfgs[i];
        if (cw_props_count(a) != cw_props_count(b)) return 0;
        for (size_t k = 0; k < cw_props_count(a); k++) {
            const char *v = cw_props_get(b, cw_props_key_at(a, k));
            if (!v || strcmp(v, cw_props_value_at(a, k)) != 0) return 0;
        }
    }
    return 1;
}

/* Builds the connector with every committed task (none started). NULL: logged, status
 * FAILED written for the connector when it is ours. */
static cw_dconn_t *build(cw_dist_t *d, const plan_t *p) {
    char origin[300], err[2048];
    snprintf(origin, sizeof origin, "connector %s", p->name);
    cw_props_t *conn = cw_props_copy(p->config);
    cw_props_set_origin(conn, origin);
    cw_errlist_t errs = {0};
    cw_connector_t *c = NULL;
    if (cw_props_resolve(conn, err, sizeof err)) {
        cw_errlist_add(&errs, "%s", err);
        cw_props_free(conn);
    } else {
        c = cw_connector_new(d->w, p->name, conn, origin, &errs);
    }
    cw_props_t **tp = calloc((size_t)p->n + 1, sizeof *tp);
    for (int i = 0; c && i < p->n; i++) {
        tp[i] = cw_props_copy(p->cfgs[i]);
        cw_props_set_origin(tp[i], origin);
        if (cw_props_resolve(tp[i], err, sizeof err)) cw_errlist_add(&errs, "%s", err);
    }
    if (!c || errs.count) {
        cw_log(p->name, -1, CW_LOG_ERROR, "distributed: cannot run its tasks: %s",
               errs.count ? errs.items[0] : "invalid configuration");
        for (int i = 0; i < p->n; i++) cw_props_free(tp[i]);
        free(tp);
        cw_connector_free(c);
        cw_errlist_free(&errs);
        return NULL;
    }
    cw_errlist_free(&errs);
    cw_connector_set_tasks(c, p->n, tp);
    free(tp);
    cw_dconn_t *dc = calloc(1, sizeof *dc);
    dc->name = strdup(p->name);
    dc->c = c;
    dc->ncfgs = p->n;
    dc->cfgs = calloc((size_t)p->n + 1, sizeof *dc->cfgs);
    dc->written = calloc((size_t)p->n + 1, sizeof *dc->written);
    for (int i = 0; i < p->n; i++) {
        dc->cfgs[i] = cw_props_copy(p->cfgs[i]);
        dc->written[i] = strdup("");
    }
    d->conns = realloc(d->conns, (d->nconns + 1) * sizeof *d->conns);
    d->conns[d->nconns++] = dc;
    return dc;
}

/* The status this worker reports for task i (NULL: not running here). */
static const char *task_state(const cw_task_t *t, const char **trace) {
    *trace = NULL;
    if (!t->started) return NULL;
    if (atomic_load(&t->env.state) == CW_TASK_FAILED) {
        *trace = t->env.error;
        return "FAILED";
    }
    return atomic_load(&t->env.pause) ? "PAUSED" : "RUNNING";
}

static void report(cw_dist_t *d, cw_dconn_t *dc, int i) {
    const char *trace, *st = task_state(&dc->c->tasks[i], &trace);
    if (!st || strcmp(st, dc->written[i]) == 0) return;
    cw_dist_put_status(d, dc->name, i, st, trace);
    free(dc->written[i]);
    dc->written[i] = strdup(st);
}

static void apply_plan(cw_dist_t *d, const plan_t *p, int *refreshed) {
    cw_dconn_t *dc = find(d, p->name);
    int any = 0;
    for (int i = 0; i < p->n; i++) any |= p->want[i];
    if (dc && !same_configs(dc, p)) { /* a new commit: restart with the new configs */
        unsigned char *all = calloc((size_t)dc->ncfgs + 1, 1);
        memset(all, 1, (size_t)dc->ncfgs);
        stop_tasks(d, dc, all, 0, 0);
        free(all);
        dconn_remove(d, dc);
        dc = NULL;
    }
    if (!dc && any) dc = build(d, p);
    if (!dc) return;
    unsigned char *stop = calloc((size_t)p->n + 1, 1);
    int nstop = 0;
    for (int i = 0; i < p->n; i++) nstop += stop[i] = !p->want[i] && dc->c->tasks[i].started;
    if (nstop) stop_tasks(d, dc, stop, 0, 1);
    free(stop);
    for (int i = 0; i < p->n; i++) {
        cw_task_t *t = &dc->c->tasks[i];
        int paused = p->target == CW_CF_TARGET_PAUSED;
        if (p->want[i] && !t->started && paused) {
            /* As Kafka's WorkerTask: a task assigned while PAUSED does not start until
             * resumed; it shows PAUSED on this worker. */
            if (strcmp(dc->written[i], "PAUSED") != 0) {
                cw_dist_put_status(d, p->name, i, "PAUSED", NULL);
                free(dc->written[i]);
                dc->written[i] = strdup("PAUSED");
            }
            continue;
        }
        if (p->want[i] && !t->started) {
            char err[1024];
            if (!*refreshed && cw_offsets_kafka_refresh(d->w->offsets, 5000, err, sizeof err)) {
                cw_log_warn("distributed: %s: tasks start later", err);
                return;
            }
            *refreshed = 1;
            cw_connector_start_task(dc->c, i, paused);
            cw_log(p->name, i, CW_LOG_INFO, "distributed: started");
        } else if (t->started) {
            atomic_store(&t->env.pause, paused);
        }
        if (t->started) report(d, dc, i);
    }
    if (running_count(dc) == 0 && !any) dconn_remove(d, dc);
}

static void connector_status(cw_dist_t *d, const plan_t *p) {
    const char *st = p->target == CW_CF_TARGET_PAUSED    ? "PAUSED"
                     : p->target == CW_CF_TARGET_STOPPED ? "STOPPED"
                                                         : "RUNNING";
    json_t *cur = json_object_get(d->conn_written, p->name);
    if (!p->conn_here) {
        if (cur) json_object_del(d->conn_written, p->name);
        return;
    }
    if (cur && strcmp(json_string_value(cur), st) == 0) return;
    cw_dist_put_status(d, p->name, -1, st, NULL);
    json_object_set_new(d->conn_written, p->name, json_string(st));
}

/* restart-connector records: the tasks of it that run here (every one, or the FAILED ones)
 * are stopped and started again; the connector's status is written again. */
static void do_restarts(cw_dist_t *d) {
    pthread_mutex_lock(&d->lock);
    json_t *todo = d->restarts;
    d->restarts = json_array();
    pthread_mutex_unlock(&d->lock);
    size_t i;
    json_t *r;
    json_array_foreach(todo, i, r) {
        const char *name = json_string_value(json_array_get(r, 0));
        int tasks = json_is_true(json_array_get(r, 1)), failed = json_is_true(json_array_get(r, 2));
        json_object_del(d->conn_written, name);
        cw_dconn_t *dc = find(d, name);
        if (!tasks || !dc) continue;
        unsigned char *which = calloc((size_t)dc->ncfgs + 1, 1);
        for (int k = 0; k < dc->c->ntasks; k++)
            which[k] = dc->c->tasks[k].started &&
                       (!failed || atomic_load(&dc->c->tasks[k].env.state) == CW_TASK_FAILED);
        stop_tasks(d, dc, which, 0, 1); /* started again below, by the plan */
        free(which);
    }
    json_decref(todo);
}

static void log_assignment(cw_dist_t *d, const plan_t *plans, size_t n) {
    json_t *conns = json_array(), *tasks = json_array();
    for (size_t k = 0; k < n; k++) {
        if (plans[k].conn_here) json_array_append_new(conns, json_string(plans[k].name));
        cw_dconn_t *dc = find(d, plans[k].name);
        for (int i = 0; dc && i < dc->c->ntasks; i++)
            if (dc->c->tasks[i].started)
                json_array_append_new(tasks, json_sprintf("%s-%d", plans[k].name, i));
    }
    char *a = json_dumps(conns, JSON_COMPACT), *b = json_dumps(tasks, JSON_COMPACT), *line = NULL;
    if (asprintf(&line, "connectors %s tasks %s", a, b) > 0 &&
        (!d->last_assignment || strcmp(line, d->last_assignment) != 0)) {
        cw_log_info("distributed: assignment: %s", line);
        free(d->last_assignment);
        d->last_assignment = line;
        line = NULL;
    }
    free(line);
    free(a);
    free(b);
    json_decref(conns);
    json_decref(tasks);
}

void cw_dist_apply_units(cw_dist_t *d) {
    do_restarts(d);
    int64_t epoch, seq;
    pthread_mutex_lock(&d->lock);
    cw_lease_view_table_id(&d->view, &epoch, &seq);
    pthread_mutex_unlock(&d->lock);
    size_t n;
    plan_t *plans = make_plans(d, &n);
    /* Connectors deleted: their tasks stop (no status: the leader removed it). */
    for (size_t k = 0; k < d->nconns;) {
        int known = 0;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(plans[i].name, d->conns[k]->name) == 0;
        if (known) {
            k++;
            continue;
        }
        cw_dconn_t *dc = d->conns[k];
        unsigned char *all = calloc((size_t)dc->ncfgs + 1, 1);
        memset(all, 1, (size_t)dc->ncfgs);
        stop_tasks(d, dc, all, 0, 0);
        free(all);
        dconn_remove(d, dc);
    }
    int refreshed = 0;
    for (size_t k = 0; k < n; k++) {
        apply_plan(d, &plans[k], &refreshed);
        connector_status(d, &plans[k]);
    }
    log_assignment(d, plans, n);
    for (size_t k = 0; k < n; k++) plan_free(&plans[k]);
    free(plans);
    if (epoch != d->applied_epoch || seq != d->applied_seq) {
        d->applied_epoch = epoch;
        d->applied_seq = seq;
        d->member_dirty = 1;
    }
}
