/* The herder's operations (herder.h): create, reconfigure, pause, resume, stop, restart,
 * delete. Each holds op_lock for its whole length (tasks may take a while to stop) and
 * state_lock only to change what queries read. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "herder_internal.h"
#include "distributed/dist.h"
#include "log.h"
#include "worker_offsets.h"

static int fail(char *errstr, size_t errstr_size, int code, const char *fmt, ...) CW_PRINTF(4, 5);
static int fail(char *errstr, size_t errstr_size, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (errstr && errstr_size) vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
    return code;
}

/* Takes op_lock and finds the connector; NULL (lock released, *code set) when the herder does
 * not run or the connector is unknown. */
static cw_hconn_t *enter(cw_herder_t *h, const char *name, int *code, char *errstr,
                         size_t errstr_size) {
    if (!atomic_load(&h->running)) {
        *code = fail(errstr, errstr_size, 503, "the worker is starting or stopping");
        return NULL;
    }
    pthread_mutex_lock(&h->op_lock);
    cw_hconn_t *hc = cw_herder_find(h, name);
    if (!hc) {
        pthread_mutex_unlock(&h->op_lock);
        *code = fail(errstr, errstr_size, 404, "Connector %s not found", name ? name : "");
    }
    return hc;
}

static int leave(cw_herder_t *h, int code, int save) {
    if (code == 0 && save) cw_herder_store_save(h);
    pthread_mutex_unlock(&h->op_lock);
    return code;
}

/* The connector of a submitted map, built and validated (nothing started). */
static cw_connector_t *build(cw_herder_t *h, const char *name, const json_t *submitted, int *code,
                             char *errstr, size_t errstr_size) {
    char origin[300], err[2048];
    snprintf(origin, sizeof origin, "connector %s", name);
    cw_props_t *p = cw_herder_props_from_json(submitted, origin);
    cw_errlist_t errs = {0};
    cw_connector_t *c = NULL;
    if (cw_props_resolve(p, err, sizeof err)) {
        cw_errlist_add(&errs, "%s", err);
        cw_props_free(p);
    } else {
        c = cw_connector_new(h->w, name, p, origin, &errs);
    }
    if (!c) {
        cw_herder_errors_text(&errs, errstr, errstr_size);
        *code = 400;
    }
    cw_errlist_free(&errs);
    cw_worker_t *w = h->w;
    if (c && c->plugin->kind == CW_PLUGIN_SOURCE && !w->offsets) {
        /* The first source connector of this run opens the offset store. */
        w->offsets = cw_worker_offsets_open(w, err, sizeof err);
        if (!w->offsets) {
            *code = fail(errstr, errstr_size, 500, "%s", err);
            cw_connector_free(c);
            c = NULL;
        }
    }
    return c;
}

static void attach(cw_hconn_t *hc, cw_connector_t *c) {
    hc->c = c;
    c->owner = hc;
    snprintf(hc->type, sizeof hc->type, "%s",
             c->plugin->kind == CW_PLUGIN_SOURCE ? "source" : "sink");
    cw_restart_policy_read(c->config, &hc->policy);
}

/* task_configs, unless STOPPED; a failure makes the connector FAILED with the reason. */
static void prepare(cw_herder_t *h, cw_hconn_t *hc) {
    char err[1024];
    if (hc->target == CW_TARGET_STOPPED || !hc->c) return;
    int rc = cw_connector_prepare_tasks(hc->c, err, sizeof err);
    cw_worker_metrics_startup(h->w->wm, 0, rc == 0);
    if (rc == 0) return;
    cw_log(hc->name, -1, CW_LOG_ERROR, "%s", err);
    pthread_mutex_lock(&h->state_lock);
    free(hc->trace);
    hc->trace = strdup(err);
    pthread_mutex_unlock(&h->state_lock);
}

void cw_herder_start_tasks(cw_herder_t *h, cw_hconn_t *hc) {
    (void)h;
    if (!hc->c || !hc->c->ntasks) return;
    for (int i = 0; i < hc->c->ntasks; i++)
        cw_connector_start_task(hc->c, i, hc->target == CW_TARGET_PAUSED);
    cw_log(hc->name, -1, CW_LOG_INFO, "started %d task(s)%s", hc->c->ntasks,
           hc->target == CW_TARGET_PAUSED ? " (paused)" : "");
}

/* Stops and joins every task and frees them. When one does not stop in time, the connector
 * goes to the zombies (joined later) and, with keep, is built again without tasks. Returns
 * how many did not stop. */
static int stop_tasks(cw_herder_t *h, cw_hconn_t *hc, int keep) {
    cw_connector_t *c = hc->c;
    if (!c || !c->ntasks) return 0;
    int64_t deadline = cw_now_ms() + h->w->shutdown_timeout_ms;
    pthread_mutex_lock(&h->state_lock);
    for (int i = 0; i < c->ntasks; i++)
        cw_connector_stop_task(&c->tasks[i], CW_TASK_STOP_GRACEFUL, deadline);
    pthread_mutex_unlock(&h->state_lock);
    int left = 0;
    for (int i = 0; i < c->ntasks; i++)
        left += cw_connector_join_task(&c->tasks[i], deadline, 1) != 0;
    pthread_mutex_lock(&h->state_lock);
    if (left) {
        c->owner = NULL;
        cw_connector_t **z = realloc(h->zombies, (h->nzombies + 1) * sizeof *z);
        if (!z) abort();
        h->zombies = z;
        h->zombies[h->nzombies++] = c;
        hc->c = NULL;
    } else {
        cw_connector_free_tasks(c);
    }
    pthread_mutex_unlock(&h->state_lock);
    if (left && keep) {
        int code;
        char err[CW_HERDER_ERRSTR_SIZE];
        cw_connector_t *c2 = build(h, hc->name, hc->submitted, &code, err, sizeof err);
        pthread_mutex_lock(&h->state_lock);
        if (c2) attach(hc, c2);
        pthread_mutex_unlock(&h->state_lock);
    }
    return left;
}

static void add_locked(cw_herder_t *h, cw_hconn_t *hc) {
    pthread_mutex_lock(&h->state_lock);
    cw_hconn_t **n = realloc(h->conns, (h->nconns + 1) * sizeof *n);
    if (!n) abort();
    h->conns = n;
    h->conns[h->nconns++] = hc;
    pthread_mutex_unlock(&h->state_lock);
}

static cw_hconn_t *hconn_new(const char *name, json_t *submitted, cw_target_state_t target) {
    cw_hconn_t *hc = calloc(1, sizeof *hc);
    if (!hc) abort();
    hc->name = strdup(name);
    hc->submitted = submitted;
    hc->target = target;
    hc->topics = json_object();
    snprintf(hc->type, sizeof hc->type, "unknown");
    return hc;
}

int cw_herder_create_locked(cw_herder_t *h, const char *name, json_t *submitted,
                            cw_target_state_t target, int from_file, int start, char *errstr,
                            size_t errstr_size) {
    int code = 0;
    cw_connector_t *c = build(h, name, submitted, &code, errstr, errstr_size);
    if (!c) {
        json_decref(submitted);
        return code;
    }
    cw_hconn_t *hc = hconn_new(name, submitted, target);
    hc->from_file = from_file;
    attach(hc, c);
    prepare(h, hc);
    add_locked(h, hc);
    if (start) cw_herder_start_tasks(h, hc);
    return 0;
}

void cw_herder_add_failed(cw_herder_t *h, const char *name, const json_t *config,
                          cw_target_state_t target, const char *trace) {
    cw_log(name, -1, CW_LOG_ERROR, "stored configuration cannot be used: %s", trace);
    cw_hconn_t *hc = hconn_new(name, json_deep_copy(config), target);
    hc->trace = strdup(trace);
    add_locked(h, hc);
}

int cw_herder_create(cw_herder_t *h, const char *name, const json_t *config,
                     cw_target_state_t initial_state, json_t **out, char *errstr,
                     size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_put(d_, name, config, 1, initial_state, NULL, out, errstr, errstr_size);
    json_t *sub = cw_herder_config_from_json(name, config, errstr, errstr_size);
    if (!sub) return 400;
    if (!atomic_load(&h->running)) {
        json_decref(sub);
        return fail(errstr, errstr_size, 503, "the worker is starting or stopping");
    }
    const char *n = json_string_value(json_object_get(sub, "name"));
    pthread_mutex_lock(&h->op_lock);
    if (cw_herder_find(h, n)) {
        fail(errstr, errstr_size, 409, "Connector %s already exists", n);
        json_decref(sub);
        return leave(h, 409, 0);
    }
    char *copy = strdup(n);
    int code = cw_herder_create_locked(h, copy, sub, initial_state, 0, 1, errstr, errstr_size);
    if (code == 0) {
        cw_log(copy, -1, CW_LOG_INFO, "created (%s)",
               initial_state == CW_TARGET_RUNNING  ? "RUNNING"
               : initial_state == CW_TARGET_PAUSED ? "PAUSED"
                                                   : "STOPPED");
        pthread_mutex_lock(&h->state_lock);
        *out = cw_hconn_info(cw_herder_find(h, copy));
        pthread_mutex_unlock(&h->state_lock);
    }
    free(copy);
    return leave(h, code, 1);
}

/* A new configuration for an existing connector: validated first (the old one keeps running
 * when it is invalid), then the tasks stop and start again with it. submitted is taken. */
static int reconfigure(cw_herder_t *h, cw_hconn_t *hc, json_t *submitted, char *errstr,
                       size_t errstr_size) {
    int code = 0;
    cw_connector_t *c2 = build(h, hc->name, submitted, &code, errstr, errstr_size);
    if (!c2) {
        json_decref(submitted);
        return code;
    }
    stop_tasks(h, hc, 0);
    pthread_mutex_lock(&h->state_lock);
    cw_connector_t *old = hc->c;
    json_decref(hc->submitted);
    hc->submitted = submitted;
    free(hc->trace);
    hc->trace = NULL;
    hc->from_file = 0;
    attach(hc, c2);
    pthread_mutex_unlock(&h->state_lock);
    cw_connector_free(old);
    prepare(h, hc);
    cw_herder_start_tasks(h, hc);
    cw_log(hc->name, -1, CW_LOG_INFO, "reconfigured");
    return 0;
}

static void info_out(cw_herder_t *h, cw_hconn_t *hc, json_t **out) {
    pthread_mutex_lock(&h->state_lock);
    *out = cw_hconn_info(hc);
    pthread_mutex_unlock(&h->state_lock);
}

int cw_herder_put_config(cw_herder_t *h, const char *name, const json_t *config, int *created,
                         json_t **out, char *errstr, size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_)
        return cw_dist_put(d_, name, config, 0, CW_TARGET_RUNNING, created, out, errstr,
                           errstr_size);
    json_t *sub = cw_herder_config_from_json(name, config, errstr, errstr_size);
    if (!sub) return 400;
    if (!atomic_load(&h->running)) {
        json_decref(sub);
        return fail(errstr, errstr_size, 503, "the worker is starting or stopping");
    }
    pthread_mutex_lock(&h->op_lock);
    cw_hconn_t *hc = cw_herder_find(h, name);
    int code;
    *created = !hc;
    if (!hc) {
        code = cw_herder_create_locked(h, name, sub, CW_TARGET_RUNNING, 0, 1, errstr, errstr_size);
        hc = code ? NULL : cw_herder_find(h, name);
    } else {
        code = reconfigure(h, hc, sub, errstr, errstr_size);
    }
    if (code == 0) info_out(h, hc, out);
    return leave(h, code, 1);
}

int cw_herder_patch_config(cw_herder_t *h, const char *name, const json_t *patch, json_t **out,
                           char *errstr, size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_patch(d_, name, patch, out, errstr, errstr_size);
    if (!json_is_object(patch))
        return fail(errstr, errstr_size, 400, "the configuration patch must be a JSON object");
    int code;
    cw_hconn_t *hc = enter(h, name, &code, errstr, errstr_size);
    if (!hc) return code;
    json_t *merged = json_deep_copy(hc->submitted);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v) {
        if (json_is_null(v))
            json_object_del(merged, k);
        else
            json_object_set(merged, k, v);
    }
    json_t *sub = cw_herder_config_from_json(name, merged, errstr, errstr_size);
    json_decref(merged);
    if (!sub) return leave(h, 400, 0);
    code = reconfigure(h, hc, sub, errstr, errstr_size);
    if (code == 0) info_out(h, hc, out);
    return leave(h, code, 1);
}

int cw_herder_delete(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_delete(d_, name, errstr, errstr_size);
    int code;
    cw_hconn_t *hc = enter(h, name, &code, errstr, errstr_size);
    if (!hc) return code;
    stop_tasks(h, hc, 0);
    pthread_mutex_lock(&h->state_lock);
    for (size_t i = 0; i < h->nconns; i++)
        if (h->conns[i] == hc) h->conns[i] = h->conns[--h->nconns];
    pthread_mutex_unlock(&h->state_lock);
    cw_log(hc->name, -1, CW_LOG_INFO, "deleted");
    cw_hconn_free(hc);
    return leave(h, 0, 1);
}

/* Pause and resume: a STOPPED connector gets its tasks back (started paused or not). */
static int set_target(cw_herder_t *h, const char *name, cw_target_state_t target, char *errstr,
                      size_t errstr_size) {
    int code;
    cw_hconn_t *hc = enter(h, name, &code, errstr, errstr_size);
    if (!hc) return code;
    cw_target_state_t was = hc->target;
    pthread_mutex_lock(&h->state_lock);
    hc->target = target;
    for (int i = 0; hc->c && i < hc->c->ntasks; i++)
        atomic_store(&hc->c->tasks[i].env.pause, target == CW_TARGET_PAUSED);
    pthread_mutex_unlock(&h->state_lock);
    if (was == CW_TARGET_STOPPED && hc->c && !hc->trace) {
        prepare(h, hc);
        cw_herder_start_tasks(h, hc);
    }
    if (was != target)
        cw_log(hc->name, -1, CW_LOG_INFO, "%s", target == CW_TARGET_PAUSED ? "paused" : "resumed");
    return leave(h, 0, was != target);
}

int cw_herder_pause(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_target(d_, name, CW_TARGET_PAUSED, errstr, errstr_size);
    return set_target(h, name, CW_TARGET_PAUSED, errstr, errstr_size);
}

int cw_herder_resume(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_target(d_, name, CW_TARGET_RUNNING, errstr, errstr_size);
    return set_target(h, name, CW_TARGET_RUNNING, errstr, errstr_size);
}

int cw_herder_stop(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_target(d_, name, CW_TARGET_STOPPED, errstr, errstr_size);
    int code;
    cw_hconn_t *hc = enter(h, name, &code, errstr, errstr_size);
    if (!hc) return code;
    cw_target_state_t was = hc->target;
    pthread_mutex_lock(&h->state_lock);
    hc->target = CW_TARGET_STOPPED;
    pthread_mutex_unlock(&h->state_lock);
    stop_tasks(h, hc, 1);
    if (was != CW_TARGET_STOPPED) cw_log(hc->name, -1, CW_LOG_INFO, "stopped (tasks released)");
    return leave(h, 0, was != CW_TARGET_STOPPED);
}

int cw_herder_restart_task_locked(cw_herder_t *h, cw_hconn_t *hc, int i, int automatic,
                                  char *errstr, size_t errstr_size) {
    cw_connector_t *c = hc->c;
    cw_task_t *t = &c->tasks[i];
    pthread_mutex_lock(&h->state_lock);
    t->restarting = 1;
    int64_t deadline = cw_now_ms() + h->w->shutdown_timeout_ms;
    cw_connector_stop_task(t, CW_TASK_STOP_GRACEFUL, deadline);
    pthread_mutex_unlock(&h->state_lock);
    if (cw_connector_join_task(t, deadline, 1) != 0) {
        pthread_mutex_lock(&h->state_lock);
        t->restarting = 0;
        pthread_mutex_unlock(&h->state_lock);
        return fail(errstr, errstr_size, 500,
                    "task %s-%d did not stop within task.shutdown.graceful.timeout.ms", hc->name,
                    i);
    }
    pthread_mutex_lock(&h->state_lock);
    cw_connector_reset_task(c, i);
    t->restart_due_ms = 0;
    if (!automatic) {
        t->restarts = 0;
        t->backoff_ms = 0;
    }
    t->restarting = 0;
    pthread_mutex_unlock(&h->state_lock);
    cw_connector_start_task(c, i, hc->target == CW_TARGET_PAUSED);
    return 0;
}

int cw_herder_restart_task(cw_herder_t *h, const char *name, int task, char *errstr,
                           size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_unsupported(errstr, errstr_size);
    int code;
    cw_hconn_t *hc = enter(h, name, &code, errstr, errstr_size);
    if (!hc) return code;
    if (!hc->c || task < 0 || task >= hc->c->ntasks)
        return leave(h, fail(errstr, errstr_size, 404, "Task %s-%d not found", name, task), 0);
    code = cw_herder_restart_task_locked(h, hc, task, 0, errstr, errstr_size);
    if (code == 0) cw_log(hc->name, task, CW_LOG_INFO, "restarted on request");
    return leave(h, code, 0);
}

/* The connector instance again: a FAILED one is built (from its submitted map) and split into
 * tasks anew; a healthy one has nothing to redo (this worker's connectors have no instance
 * beyond task_configs), its tasks are left alone. */
static void restart_instance(cw_herder_t *h, cw_hconn_t *hc) {
    if (hc->target == CW_TARGET_STOPPED || (hc->c && !hc->trace)) return;
    char err[CW_HERDER_ERRSTR_SIZE];
    int code;
    stop_tasks(h, hc, 0);
    cw_connector_t *c = hc->c ? NULL : build(h, hc->name, hc->submitted, &code, err, sizeof err);
    pthread_mutex_lock(&h->state_lock);
    if (c) attach(hc, c);
    if (hc->c) {
        free(hc->trace);
        hc->trace = NULL;
    } else {
        free(hc->trace);
        hc->trace = strdup(err);
    }
    pthread_mutex_unlock(&h->state_lock);
    prepare(h, hc);
    if (!hc->trace) cw_herder_start_tasks(h, hc);
}

int cw_herder_restart_connector(cw_herder_t *h, const char *name, int include_tasks,
                                int only_failed, json_t **status, char *errstr,
                                size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_)
        return cw_dist_restart(d_, name, include_tasks, only_failed, status, errstr, errstr_size);
    int code;
    cw_hconn_t *hc = enter(h, name, &code, errstr, errstr_size);
    if (!hc) return code;
    *status = NULL;
    if (!include_tasks && !only_failed) {
        restart_instance(h, hc);
        return leave(h, 0, 0);
    }
    /* KIP-745: the plan, shown as RESTARTING in the status answered, then carried out. */
    int conn_failed = !hc->c || hc->trace;
    int active = hc->target != CW_TARGET_STOPPED;
    int n = hc->c && !hc->trace ? hc->c->ntasks : 0;
    pthread_mutex_lock(&h->state_lock);
    hc->restarting = active && (!only_failed || conn_failed);
    for (int i = 0; include_tasks && active && i < n; i++)
        hc->c->tasks[i].restarting =
            !only_failed || atomic_load(&hc->c->tasks[i].env.state) == CW_TASK_FAILED;
    *status = cw_hconn_status(h, hc);
    pthread_mutex_unlock(&h->state_lock);
    if (hc->restarting) restart_instance(h, hc);
    for (int i = 0; i < n && hc->c && i < hc->c->ntasks; i++)
        if (hc->c->tasks[i].restarting) cw_herder_restart_task_locked(h, hc, i, 0, NULL, 0);
    pthread_mutex_lock(&h->state_lock);
    hc->restarting = 0;
    pthread_mutex_unlock(&h->state_lock);
    return leave(h, 0, 0);
}
