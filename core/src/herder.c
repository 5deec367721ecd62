/* The herder's life cycle: creation, start (command-line and stored connectors), the worker
 * loop's turn (automatic restarts), stop; lookups and the task callbacks. The REST-facing
 * operations are in herder_ops.c, the JSON entities in herder_json.c. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connector.h"
#include "herder_internal.h"
#include "log.h"
#include "worker_stop.h"

int cw_target_state_parse(const char *s, cw_target_state_t *out) {
    static const char *const names[] = {"RUNNING", "PAUSED", "STOPPED"};
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (cw_target_state_t)i;
            return 0;
        }
    return -1;
}

cw_herder_t *cw_worker_herder(cw_worker_t *w) { return w->herder; }

int cw_herder_running(const cw_herder_t *h) { return atomic_load(&h->running); }

void cw_herder_set_worker_id(cw_herder_t *h, const char *worker_id) {
    pthread_mutex_lock(&h->state_lock);
    free(h->worker_id);
    h->worker_id = strdup(worker_id ? worker_id : "");
    pthread_mutex_unlock(&h->state_lock);
}

void cw_herder_set_keep_running(cw_herder_t *h, int keep) { atomic_store(&h->keep_running, keep); }

cw_herder_t *cw_herder_new(cw_worker_t *w) {
    cw_herder_t *h = calloc(1, sizeof *h);
    if (!h) abort();
    h->w = w;
    pthread_mutex_init(&h->op_lock, NULL);
    pthread_mutex_init(&h->state_lock, NULL);
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    h->worker_id = strdup(host);
    const char *store = w->config ? cw_config_get(w->config, "config.storage.file.filename") : NULL;
    if (store && *store) h->store_path = strdup(store);
    return h;
}

void cw_hconn_free(cw_hconn_t *hc) {
    if (!hc) return;
    cw_connector_free(hc->c);
    json_decref(hc->submitted);
    json_decref(hc->topics);
    free(hc->trace);
    free(hc->name);
    free(hc);
}

void cw_herder_free(cw_herder_t *h) {
    if (!h) return;
    for (size_t i = 0; i < h->nconns; i++) cw_hconn_free(h->conns[i]);
    free(h->conns);
    for (size_t i = 0; i < h->nzombies; i++) cw_connector_free(h->zombies[i]);
    free(h->zombies);
    for (size_t i = 0; i < h->nfiles; i++) cw_props_free(h->files[i]);
    free(h->files);
    pthread_mutex_destroy(&h->op_lock);
    pthread_mutex_destroy(&h->state_lock);
    free(h->worker_id);
    free(h->store_path);
    free(h);
}

void cw_herder_add_file(cw_herder_t *h, cw_props_t *raw) {
    cw_props_t **n = realloc(h->files, (h->nfiles + 1) * sizeof *n);
    if (!n) abort();
    h->files = n;
    h->files[h->nfiles++] = raw;
}

int cw_herder_has_file(const cw_herder_t *h, const char *name) {
    for (size_t i = 0; i < h->nfiles; i++) {
        const char *n = cw_props_get(h->files[i], "name");
        if (n && strcmp(n, name) == 0) return 1;
    }
    return 0;
}

cw_hconn_t *cw_herder_find(cw_herder_t *h, const char *name) {
    for (size_t i = 0; name && i < h->nconns; i++)
        if (strcmp(h->conns[i]->name, name) == 0) return h->conns[i];
    return NULL;
}

const char *cw_hconn_state(const cw_hconn_t *hc) {
    if (hc->restarting) return "RESTARTING";
    if (!hc->c || hc->trace) return "FAILED";
    switch (hc->target) {
    case CW_TARGET_PAUSED: return "PAUSED";
    case CW_TARGET_STOPPED: return "STOPPED";
    default: return "RUNNING";
    }
}

const char *cw_htask_state(const cw_hconn_t *hc, const cw_task_t *t) {
    (void)hc;
    if (t->restarting) return "RESTARTING";
    switch (atomic_load(&t->env.state)) {
    case CW_TASK_FAILED: return "FAILED";
    case CW_TASK_DONE: return "UNASSIGNED"; /* batch mode: caught up and stopped */
    default: break;
    }
    if (!t->started) return "UNASSIGNED";
    return atomic_load(&t->env.paused) ? "PAUSED" : "RUNNING";
}

int cw_herder_sinks_caught_up(void *opaque) {
    cw_herder_t *h = ((cw_task_t *)opaque)->conn->worker->herder;
    int done = 1;
    pthread_mutex_lock(&h->state_lock);
    for (size_t i = 0; done && i < h->nconns; i++) {
        cw_connector_t *c = h->conns[i]->c;
        if (!c || c->plugin->kind != CW_PLUGIN_SINK) continue;
        for (int k = 0; k < c->ntasks; k++)
            if (atomic_load(&c->tasks[k].env.state) == CW_TASK_RUNNING &&
                !atomic_load(&c->tasks[k].env.waiting))
                done = 0;
    }
    pthread_mutex_unlock(&h->state_lock);
    return done;
}

void cw_herder_topic_used(void *opaque, const char *topic) {
    cw_task_t *t = opaque;
    cw_herder_t *h = t->conn->worker->herder;
    pthread_mutex_lock(&h->state_lock);
    cw_hconn_t *hc = t->conn->owner;
    if (hc) json_object_set_new(hc->topics, topic, json_true());
    pthread_mutex_unlock(&h->state_lock);
}

/* The connectors of the command line, then those of the store (a name both have: the
 * command line wins). All are built first and then started, sources first, so that batch
 * mode counts every source before a sink looks. */
int cw_herder_start(cw_herder_t *h) {
    char err[CW_HERDER_ERRSTR_SIZE];
    int rc = 0;
    pthread_mutex_lock(&h->op_lock);
    for (size_t i = 0; i < h->nfiles && rc == 0; i++) {
        json_t *sub = cw_herder_json_from_props(h->files[i]);
        const char *name = cw_props_get(h->files[i], "name");
        if (cw_herder_create_locked(h, name, sub, CW_TARGET_RUNNING, 1, 0, err, sizeof err)) {
            cw_log_error("%s: %s", cw_props_origin(h->files[i]), err);
            rc = -1;
        } else if (cw_herder_find(h, name)->trace) {
            rc = -1; /* task_configs failed: as before the herder, the worker does not start */
        }
    }
    json_t *stored = NULL;
    if (rc == 0 && cw_herder_store_load(h, &stored, err, sizeof err) < 0) {
        cw_log_error("%s", err);
        rc = -1;
    }
    size_t k;
    json_t *e;
    json_array_foreach(stored, k, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        cw_target_state_t st = CW_TARGET_RUNNING;
        cw_target_state_parse(json_string_value(json_object_get(e, "state")), &st);
        if (cw_herder_find(h, name)) {
            cw_log_warn("connector %s: defined by a command-line file and in %s: the file wins",
                        name, h->store_path);
            continue;
        }
        json_t *sub = json_incref(json_object_get(e, "config"));
        if (cw_herder_create_locked(h, name, sub, st, 0, 0, err, sizeof err))
            cw_herder_add_failed(h, name, json_object_get(e, "config"), st, err);
    }
    json_decref(stored);
    if (rc == 0) {
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < h->nconns; i++) {
                cw_hconn_t *hc = h->conns[i];
                if (hc->c && (hc->c->plugin->kind == CW_PLUGIN_SOURCE) == (pass == 0))
                    cw_herder_start_tasks(h, hc);
            }
        atomic_store(&h->running, 1);
    }
    pthread_mutex_unlock(&h->op_lock);
    return rc;
}

/* Zombies: connectors whose tasks did not stop in time when deleted or reconfigured. */
static void reap_zombies(cw_herder_t *h) {
    for (size_t i = 0; i < h->nzombies;) {
        cw_connector_t *c = h->zombies[i];
        int left = 0;
        for (int k = 0; k < c->ntasks; k++)
            if (c->tasks[k].started && pthread_tryjoin_np(c->tasks[k].thread, NULL) == 0)
                c->tasks[k].started = 0;
            else
                left += c->tasks[k].started;
        if (left) {
            i++;
            continue;
        }
        pthread_mutex_lock(&h->state_lock);
        cw_connector_free(c);
        pthread_mutex_unlock(&h->state_lock);
        h->zombies[i] = h->zombies[--h->nzombies];
    }
}

/* One task's turn: counts as alive when running or due to restart. */
static int tick_task(cw_herder_t *h, cw_hconn_t *hc, int i, int64_t now) {
    cw_task_t *t = &hc->c->tasks[i];
    const cw_restart_policy_t *p = &hc->policy;
    int state = atomic_load(&t->env.state);
    if (state == CW_TASK_RUNNING) {
        if (t->restarts && p->healthy_ms >= 0 && now - t->started_ms >= p->healthy_ms) {
            cw_log(hc->name, i, CW_LOG_INFO, "healthy for %lld ms: restart count reset",
                   (long long)p->healthy_ms);
            t->restarts = 0;
            t->backoff_ms = 0;
        }
        return t->started;
    }
    if (state != CW_TASK_FAILED || !p->enabled || hc->target == CW_TARGET_STOPPED ||
        t->restart_due_ms < 0)
        return 0;
    if (t->restart_due_ms == 0) {
        if (p->max_restarts >= 0 && t->restarts >= p->max_restarts) {
            cw_log(hc->name, i, CW_LOG_ERROR,
                   "stays FAILED: errors.restart.max.restarts (%lld) reached",
                   (long long)p->max_restarts);
            t->restart_due_ms = -1;
            return 0;
        }
        if (!t->backoff_ms) t->backoff_ms = p->initial_backoff_ms;
        t->restart_due_ms = now + t->backoff_ms;
        cw_log(hc->name, i, CW_LOG_WARN, "restarting in %lld ms (errors.restart.policy)",
               (long long)t->backoff_ms);
        return 1;
    }
    if (now < t->restart_due_ms) return 1;
    if (cw_herder_restart_task_locked(h, hc, i, 1, NULL, 0) == 0) {
        t->restarts++;
        t->backoff_ms =
            t->backoff_ms * 2 > p->max_backoff_ms ? p->max_backoff_ms : t->backoff_ms * 2;
        cw_log(hc->name, i, CW_LOG_INFO, "restarted automatically (%d since healthy)", t->restarts);
    }
    return 1;
}

int cw_herder_tick(cw_herder_t *h) {
    /* An operation under way (it may be waiting for tasks to stop): next turn. */
    if (pthread_mutex_trylock(&h->op_lock) != 0) return 1;
    int alive = 0;
    int64_t now = cw_now_ms();
    for (size_t i = 0; i < h->nconns; i++) {
        cw_hconn_t *hc = h->conns[i];
        for (int k = 0; hc->c && k < hc->c->ntasks; k++) alive += tick_task(h, hc, k, now);
    }
    reap_zombies(h);
    pthread_mutex_unlock(&h->op_lock);
    return alive;
}

/* how: CW_TASK_STOP_GRACEFUL or CW_TASK_STOP_ABORT (worker_stop.h); deadline: when the
 * worker stops waiting (cw_now_ms), for host->stop_time_left_ms. */
static void signal_all(cw_herder_t *h, int how, int64_t deadline) {
    pthread_mutex_lock(&h->state_lock);
    for (size_t i = 0; i < h->nconns; i++)
        for (int k = 0; h->conns[i]->c && k < h->conns[i]->c->ntasks; k++)
            cw_connector_stop_task(&h->conns[i]->c->tasks[k], how, deadline);
    for (size_t i = 0; i < h->nzombies; i++)
        for (int k = 0; k < h->zombies[i]->ntasks; k++)
            cw_connector_stop_task(&h->zombies[i]->tasks[k], how, deadline);
    pthread_mutex_unlock(&h->state_lock);
}

/* Joins one task before *deadline, in slices so that a second stop signal is seen at once:
 * it aborts every task and shortens the deadline. 0 when joined, 1 when left running. */
static int join_stopping(cw_herder_t *h, cw_task_t *t, int64_t *deadline, const sigset_t *sigs) {
    cw_worker_t *w = h->w;
    while (t->started) {
        int64_t slice = *deadline - cw_now_ms();
        if (slice > 200) slice = 200;
        if (cw_connector_join_task(t, cw_now_ms() + (slice > 0 ? slice : 0), 0) == 0) return 0;
        if (cw_now_ms() >= *deadline) {
            cw_worker_log_not_stopped(t, w->shutdown_timeout_ms);
            return 1;
        }
        if (!w->aborting && sigs && cw_worker_stop_signalled(sigs)) {
            w->aborting = 1;
            *deadline = cw_worker_abort_deadline(*deadline);
            signal_all(h, CW_TASK_STOP_ABORT, *deadline);
        }
    }
    return 0;
}

int cw_herder_stop_all(cw_herder_t *h, const sigset_t *signals) {
    atomic_store(&h->running, 0);
    pthread_mutex_lock(&h->op_lock);
    int64_t deadline = cw_now_ms() + h->w->shutdown_timeout_ms;
    signal_all(h, CW_TASK_STOP_GRACEFUL, deadline);
    int left = 0;
    for (size_t i = 0; i < h->nconns; i++)
        for (int k = 0; h->conns[i]->c && k < h->conns[i]->c->ntasks; k++)
            left += join_stopping(h, &h->conns[i]->c->tasks[k], &deadline, signals);
    for (size_t i = 0; i < h->nzombies; i++)
        for (int k = 0; k < h->zombies[i]->ntasks; k++)
            left += join_stopping(h, &h->zombies[i]->tasks[k], &deadline, signals);
    pthread_mutex_unlock(&h->op_lock);
    return left;
}

int cw_herder_count_failed(cw_herder_t *h) {
    int failed = 0;
    for (size_t i = 0; i < h->nconns; i++) {
        cw_connector_t *c = h->conns[i]->c;
        for (int k = 0; c && k < c->ntasks; k++) {
            cw_task_t *t = &c->tasks[k];
            if (atomic_load(&t->env.state) == CW_TASK_FAILED) {
                cw_log(c->name, t->env.id, CW_LOG_ERROR, "task had failed: %s", t->env.error);
                failed++;
            }
        }
    }
    return failed;
}

int cw_herder_foreach_state(cw_herder_t *h, cw_herder_state_fn fn, void *opaque) {
    int n = 0;
    pthread_mutex_lock(&h->state_lock);
    for (size_t i = 0; i < h->nconns; i++) {
        cw_hconn_t *hc = h->conns[i];
        fn(hc->name, hc->type, -1, cw_hconn_state(hc), 0, opaque);
        n++;
        for (int k = 0; hc->c && k < hc->c->ntasks; k++, n++)
            fn(hc->name, hc->type, k, cw_htask_state(hc, &hc->c->tasks[k]),
               hc->c->tasks[k].restarts, opaque);
    }
    pthread_mutex_unlock(&h->state_lock);
    return n;
}
