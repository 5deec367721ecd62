/* One connector and its tasks: build, split, start, join, free (see connector.h). */
#define _GNU_SOURCE
#include "connector.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "herder_internal.h"
#include "log.h"
#include "validate.h"
#include "worker_stop.h"

void cw_connector_warn_unknown(const char *origin, const cw_errlist_t *unknown) {
    for (size_t i = 0; i < unknown->count; i++)
        cw_log_warn("%s: %s: unknown key (passed through unused)", origin, unknown->items[i]);
}

void cw_connector_log_props(const cw_props_t *p, const cw_config_def_t *defs) {
    for (size_t i = 0; i < cw_props_count(p); i++) {
        const char *k = cw_props_key_at(p, i);
        int secret = cw_config_key_is_secret(defs, k);
        /* librdkafka's own secrets behind consumer./producer. prefixes */
        const char *dot = strchr(k, '.');
        if (!secret && dot) secret = cw_config_key_is_secret(NULL, dot + 1);
        cw_log_debug("%s: %s = %s", cw_props_origin(p), k,
                     secret ? "[hidden]" : cw_props_value_at(p, i));
    }
}

static void connector_converter(const cw_config_t *cfg, const char *which,
                                const cw_converter_t *worker_conv, cw_converter_t *out) {
    char key[64];
    snprintf(key, sizeof key, "%s.converter", which);
    const char *cls = cw_config_get(cfg, key);
    if (!cls) {
        *out = *worker_conv;
        return;
    }
    cw_converter_kind_parse(cls, &out->kind);
    /* Kafka configures an overriding converter from the connector's keys only. */
    snprintf(key, sizeof key, "%s.converter.schemas.enable", which);
    out->schemas_enable = cw_config_get_bool(cfg, key, 0);
}

cw_connector_t *cw_connector_new(cw_worker_t *w, const char *name, cw_props_t *p,
                                 const char *origin, cw_errlist_t *errs) {
    size_t before = errs->count;
    cw_converter_inherit(w->props, p);
    const char *plugin_file = NULL;
    const cw_plugin_t *plugin = cw_connector_plugin(w->registry, p, origin, NULL, &plugin_file);
    cw_errlist_t unknown = {0};
    cw_connector_validate(w, p, origin, errs, &unknown);
    cw_connector_warn_unknown(origin, &unknown);
    cw_errlist_free(&unknown);
    cw_connector_t *c = errs->count == before ? calloc(1, sizeof *c) : NULL;
    if (!c) {
        if (errs->count == before) cw_errlist_add(errs, "%s: out of memory", origin);
        cw_props_free(p);
        return NULL;
    }
    c->worker = w;
    c->props = p;
    c->name = strdup(name);
    c->plugin = plugin;
    c->defs = cw_connector_defs_merge(plugin ? plugin->config : NULL);
    cw_connector_log_props(p, c->defs);
    c->config = cw_config_new(p, c->defs);
    if (plugin->kind == CW_PLUGIN_SOURCE) {
        const char *dlq = cw_props_get(p, "errors.deadletterqueue.topic.name");
        if (dlq && *dlq)
            cw_log_warn("%s: errors.deadletterqueue.topic.name: dead letter queues are for "
                        "sink connectors (as in Kafka Connect); failing source records are "
                        "logged and skipped with errors.tolerance=all",
                        origin);
    }
    connector_converter(c->config, "key", &w->key_conv, &c->key_conv);
    connector_converter(c->config, "value", &w->value_conv, &c->value_conv);
    cw_log_info("connector %s: %s plugin %s %s from %s", c->name, cw_plugin_kind_name(plugin->kind),
                plugin->name, plugin->version ? plugin->version : "",
                plugin_file ? plugin_file : "?");
    return c;
}

static void task_free(cw_connector_t *c, cw_task_t *t) {
    /* The task's context ends here: the series its plugins registered go with it. */
    cw_metrics_release(c->worker->metrics, &t->env.ctx);
    cw_task_metrics_free(t->env.tm);
    t->env.tm = NULL;
    cw_config_free(t->config);
    cw_props_free(t->props);
    cw_props_free(t->own);
}

void cw_connector_free_tasks(cw_connector_t *c) {
    for (int i = 0; i < c->ntasks; i++) task_free(c, &c->tasks[i]);
    free(c->tasks);
    c->tasks = NULL;
    c->ntasks = 0;
}

void cw_connector_free(cw_connector_t *c) {
    if (!c) return;
    cw_connector_free_tasks(c);
    cw_config_free(c->config);
    free(c->defs);
    cw_props_free(c->props);
    free(c->name);
    free(c);
}

static rd_kafka_conf_t *task_kafka_conf(void *opaque, const char *prefix, const char *client_id,
                                        char *errstr, size_t errstr_size) {
    const cw_task_t *t = opaque;
    return cw_worker_kafka_conf(t->conn->worker, t->conn, prefix, client_id, errstr, errstr_size);
}

/* What task `i` of `c` needs from the worker (runtime/task.h). */
static void task_env_init(cw_worker_t *w, cw_connector_t *c, cw_task_t *t, int i) {
    cw_task_env_t *e = &t->env;
    e->connector = c->name;
    e->id = i;
    e->plugin = c->plugin;
    e->config = t->config;
    e->conn_props = c->props;
    e->registry = w->registry;
    e->key_conv = &c->key_conv;
    e->value_conv = &c->value_conv;
    e->offsets = w->offsets;
    e->batch_mode = w->batch_mode;
    e->flush_interval_ms = w->flush_interval_ms;
    e->flush_timeout_ms = w->flush_timeout_ms;
    e->shutdown_timeout_ms = w->shutdown_timeout_ms;
    e->kafka_conf = task_kafka_conf;
    e->sinks_caught_up = cw_herder_sinks_caught_up;
    e->sources_running = &w->sources_running;
    e->topic_used = cw_herder_topic_used;
    e->opaque = t;
    e->ctx.connector = c->name;
    e->ctx.task = i;
    e->ctx.stop = &e->stop;
    e->ctx.offsets = c->plugin->kind == CW_PLUGIN_SOURCE ? w->offsets : NULL;
    e->ctx.metrics = w->metrics;
}

int cw_connector_prepare_tasks(cw_connector_t *c, char *errstr, size_t errstr_size) {
    cw_worker_t *w = c->worker;
    int max = (int)cw_config_get_int(c->config, "tasks.max", 0);
    const cw_task_configs_fn split_fn = c->plugin->kind == CW_PLUGIN_SOURCE
                                            ? c->plugin->source->task_configs
                                            : c->plugin->sink->task_configs;
    struct cw_task_split split = {.max_tasks = max,
                                  .tasks = calloc((size_t)max, sizeof(cw_props_t *))};
    if (!split.tasks) {
        snprintf(errstr, errstr_size, "out of memory preparing %d task(s)", max);
        return -1;
    }
    int n;
    if (split_fn) {
        cw_ctx_t ctx = {.connector = c->name, .task = -1, .offsets = w->offsets};
        char err[1024] = "";
        n = split_fn(&ctx, c->config, max, &split, err, sizeof err);
        if (n < 1 || n > max) {
            snprintf(errstr, errstr_size, "task_configs failed: %s",
                     *err ? err : "invalid number of tasks");
            for (int i = 0; i < max; i++) cw_props_free(split.tasks[i]);
            free(split.tasks);
            return -1;
        }
    } else {
        n = c->plugin->kind == CW_PLUGIN_SOURCE ? 1 : max;
    }
    c->tasks = calloc((size_t)n, sizeof *c->tasks);
    c->ntasks = c->tasks ? n : 0;
    if (!c->tasks) snprintf(errstr, errstr_size, "out of memory preparing %d task(s)", n);
    for (int i = 0; i < c->ntasks; i++) {
        cw_task_t *t = &c->tasks[i];
        t->conn = c;
        t->props = cw_props_copy(c->props);
        t->own = split.tasks[i] ? split.tasks[i] : cw_props_new();
        split.tasks[i] = NULL;
        for (size_t k = 0; k < cw_props_count(t->own); k++)
            cw_props_set(t->props, cw_props_key_at(t->own, k), cw_props_value_at(t->own, k));
        t->config = cw_config_new(t->props, c->defs);
        task_env_init(w, c, t, i);
    }
    for (int i = 0; i < max; i++) cw_props_free(split.tasks[i]);
    free(split.tasks);
    return c->tasks ? 0 : -1;
}

int cw_connector_set_tasks(cw_connector_t *c, int n, cw_props_t **task_props) {
    c->tasks = calloc((size_t)(n > 0 ? n : 1), sizeof *c->tasks);
    if (!c->tasks) abort();
    c->ntasks = n;
    for (int i = 0; i < n; i++) {
        cw_task_t *t = &c->tasks[i];
        t->conn = c;
        t->props = task_props[i];
        t->own = cw_props_copy(task_props[i]);
        t->config = cw_config_new(t->props, c->defs);
        task_env_init(c->worker, c, t, i);
    }
    return 0;
}

void cw_connector_reset_task(cw_connector_t *c, int i) {
    cw_task_t *t = &c->tasks[i];
    cw_metrics_release(c->worker->metrics, &t->env.ctx);
    cw_task_metrics_free(t->env.tm); /* Kafka resets a task's metrics when it restarts */
    memset(&t->env, 0, sizeof t->env);
    task_env_init(c->worker, c, t, i);
    t->started = 0;
}

static void *task_thread(void *arg) {
    cw_task_t *t = arg;
    cw_worker_t *w = t->conn->worker;
    if (t->conn->plugin->kind == CW_PLUGIN_SOURCE)
        cw_source_task_run(&t->env);
    else
        cw_sink_task_run(&t->env);
    /* The worker's loop wakes at once (a batch run exits, the restart policy looks). */
    pthread_kill(w->main_thread, CW_WAKE_SIGNAL);
    return NULL;
}

int cw_connector_start_task(cw_connector_t *c, int i, int paused) {
    cw_task_t *t = &c->tasks[i];
    int source = c->plugin->kind == CW_PLUGIN_SOURCE;
    atomic_store(&t->env.pause, paused);
    if (source) atomic_fetch_add(&c->worker->sources_running, 1);
    t->started_ms = cw_now_ms();
    /* Whoever asks (a REST thread, the worker loop), the task thread blocks every signal:
     * SIGTERM and SIGINT are the worker loop's (sigtimedwait). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&t->thread, NULL, task_thread, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    cw_worker_metrics_startup(c->worker->wm, 1, rc == 0);
    if (rc != 0) {
        cw_task_fail(&t->env, "cannot create a thread: %s", strerror(rc));
        if (source) atomic_fetch_sub(&c->worker->sources_running, 1);
        return -1;
    }
    t->started = 1;
    return 0;
}

void cw_connector_stop_task(cw_task_t *t, int how, int64_t deadline_ms) {
    atomic_store(&t->env.ctx.stop_deadline, deadline_ms);
    atomic_store(&t->env.stop, how);
}

int cw_connector_join_task(cw_task_t *t, int64_t deadline_ms, int log) {
    if (!t->started) return 0;
    int64_t wait = deadline_ms - cw_now_ms();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (wait < 0) wait = 0;
    ts.tv_sec += wait / 1000;
    ts.tv_nsec += (wait % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    if (pthread_timedjoin_np(t->thread, NULL, &ts) != 0) {
        if (log) cw_worker_log_not_stopped(t, t->env.shutdown_timeout_ms);
        return -1;
    }
    t->started = 0;
    return 0;
}
