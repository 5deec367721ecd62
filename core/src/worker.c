/* The standalone worker: loading, validating, starting and stopping. */
#define _GNU_SOURCE
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "errors.h"
#include "rdkafka_log.h"
#include "kafka_msk_iam.h"
#include "log.h"
#include "validate.h"
#include "worker_offsets.h"
#include "worker_stop.h"

/* ------------------------------------------------------------------------------------------
 * librdkafka configuration
 * ---------------------------------------------------------------------------------------- */

/* Sets one property; an error message never repeats a secret value. */
static int conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, const char *origin,
                    const char *shown_key, char *errstr, size_t errstr_size) {
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) == RD_KAFKA_CONF_OK) return 0;
    if (cw_config_key_is_secret(NULL, key))
        snprintf(errstr, errstr_size, "%s: %s: not accepted by librdkafka (value hidden)", origin,
                 shown_key);
    else
        snprintf(errstr, errstr_size, "%s: %s: %s", origin, shown_key, err);
    return -1;
}

static int apply_prefixed(rd_kafka_conf_t *conf, const cw_props_t *p, const char *prefix,
                          char *errstr, size_t errstr_size) {
    size_t n = strlen(prefix);
    for (size_t i = 0; i < cw_props_count(p); i++) {
        const char *k = cw_props_key_at(p, i);
        if (strncmp(k, prefix, n) != 0 || !k[n]) continue;
        /* The Java client's MSK IAM lines: cw_msk_iam_settings reads them instead. */
        if (cw_msk_iam_java_key(k + n, cw_props_value_at(p, i))) continue;
        if (conf_set(conf, k + n, cw_props_value_at(p, i), cw_props_origin(p), k, errstr,
                     errstr_size))
            return -1;
    }
    return 0;
}

rd_kafka_conf_t *cw_worker_kafka_conf(const cw_worker_t *w, const cw_connector_t *c,
                                      const char *prefix, const char *client_id, char *errstr,
                                      size_t errstr_size) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char p[64];
    const char *bs = w->bootstrap ? w->bootstrap : cw_config_get(w->config, "bootstrap.servers");
    cw_kafka_log_setup(conf);
    if (conf_set(conf, "bootstrap.servers", bs, "worker", "bootstrap.servers", errstr,
                 errstr_size) ||
        (client_id &&
         conf_set(conf, "client.id", client_id, "worker", "client.id", errstr, errstr_size)))
        goto fail;
    if (strcmp(prefix, "consumer") == 0) {
        /* Kafka Connect's defaults for sink consumers; the user's consumer.* come after. */
        if (conf_set(conf, "auto.offset.reset", "earliest", "worker", "auto.offset.reset", errstr,
                     errstr_size) ||
            conf_set(conf, "topic.metadata.refresh.interval.ms", "10000", "worker",
                     "topic.metadata.refresh.interval.ms", errstr, errstr_size))
            goto fail;
    }
    snprintf(p, sizeof p, "%s.", prefix);
    if (apply_prefixed(conf, w->props, p, errstr, errstr_size)) goto fail;
    snprintf(p, sizeof p, "%s.override.", prefix);
    if (c && apply_prefixed(conf, c->props, p, errstr, errstr_size)) goto fail;
    char wp[64];
    cw_msk_iam_t msk;
    snprintf(wp, sizeof wp, "%s.", prefix);
    int msk_rc =
        cw_msk_iam_settings(w->props, wp, c ? c->props : NULL, p, bs, &msk, errstr, errstr_size);
    if (msk_rc < 0 || (msk_rc > 0 && cw_msk_iam_conf(conf, &msk, errstr, errstr_size))) goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* ------------------------------------------------------------------------------------------
 * Loading and validation
 * ---------------------------------------------------------------------------------------- */

static void warn_unknown(const char *origin, cw_errlist_t *unknown) {
    for (size_t i = 0; i < unknown->count; i++)
        cw_log_warn("%s: %s: unknown key (passed through unused)", origin, unknown->items[i]);
}

/* Logs the effective keys of a file with every secret masked. */
static void log_props(const cw_props_t *p, const cw_config_def_t *defs) {
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

/* Every librdkafka property must be accepted by librdkafka: the worker's consumer./producer.
 * keys (c NULL) or one connector's *.override. keys, each checked on its own so that one bad
 * worker key is reported once, not once per connector. */
static int overrides_sasl(const cw_props_t *p, const char *prefix) {
    static const char *const keys[] = {"sasl.mechanism", "sasl.jaas.config", "security.protocol"};
    char k[96];
    for (size_t i = 0; i < 3; i++) {
        snprintf(k, sizeof k, "%s%s", prefix, keys[i]);
        if (cw_props_get(p, k)) return 1;
    }
    return 0;
}

void cw_worker_check_kafka_props(const cw_worker_t *w, const cw_props_t *conn, cw_errlist_t *errs) {
    static const char *const prefixes[] = {"producer.", "consumer.", "producer.override.",
                                           "consumer.override."};
    for (size_t i = conn ? 2 : 0; i < (conn ? 4u : 2u); i++) {
        char err[1024];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (apply_prefixed(conf, conn ? conn : w->props, prefixes[i], err, sizeof err))
            cw_errlist_add(errs, "%s", err);
        rd_kafka_conf_destroy(conf);
    }
    /* MSK IAM: the lines make sense, and the credentials source they would use. */
    const char *bs = w->bootstrap ? w->bootstrap : cw_config_get(w->config, "bootstrap.servers");
    for (size_t i = 0; i < 2; i++) {
        const char *kind = i ? "consumer" : "producer";
        char wp[32], op[48], what[300];
        snprintf(wp, sizeof wp, "%s.", kind);
        snprintf(op, sizeof op, "%s.override.", kind);
        if (conn && !overrides_sasl(conn, op)) continue; /* the worker's check covers it */
        const char *name = conn ? cw_props_get(conn, "name") : "worker";
        snprintf(what, sizeof what, "%s %s clients", name ? name : cw_props_origin(conn), kind);
        cw_msk_iam_check(w->props, wp, conn, op, bs, what, errs);
    }
}

cw_worker_t *cw_worker_new(const char *worker_file, const cw_worker_options_t *opts,
                           cw_errlist_t *errs) {
    cw_worker_t *w = calloc(1, sizeof *w);
    char err[2048];
    w->batch_mode = opts->batch_mode;
    w->metrics_file = opts->metrics_file;
    w->metrics = cw_metrics_new();
    if (!w->metrics) abort();
    w->props = cw_props_new();
    if (cw_props_load_file(w->props, worker_file, err, sizeof err) ||
        cw_props_resolve(w->props, err, sizeof err)) {
        cw_errlist_add(errs, "%s", err);
    } else {
        cw_errlist_t unknown = {0};
        cw_config_validate(w->props, cw_worker_defs, "", worker_file, errs, &unknown);
        warn_unknown(worker_file, &unknown);
        cw_errlist_free(&unknown);
    }
    w->config = cw_config_new(w->props, cw_worker_defs);
    cw_log_level_t level;
    if (!opts->log_level_forced &&
        cw_log_level_parse(cw_config_get(w->config, "log.level"), &level) == 0)
        cw_log_set_level(level);
    log_props(w->props, cw_worker_defs);
    w->flush_interval_ms = cw_config_get_int(w->config, "offset.flush.interval.ms", 0);
    w->flush_timeout_ms = cw_config_get_int(w->config, "offset.flush.timeout.ms", 0);
    w->shutdown_timeout_ms = cw_config_get_int(w->config, "task.shutdown.graceful.timeout.ms", 0);
    cw_converter_kind_parse(cw_config_get(w->config, "key.converter"), &w->key_conv.kind);
    cw_converter_kind_parse(cw_config_get(w->config, "value.converter"), &w->value_conv.kind);
    w->key_conv.schemas_enable = cw_config_get_bool(w->config, "key.converter.schemas.enable", 0);
    w->value_conv.schemas_enable =
        cw_config_get_bool(w->config, "value.converter.schemas.enable", 0);
    const char *const *topics = cw_config_get_list(w->config, "embedded.kafka.topics", NULL);
    for (size_t i = 0; topics && topics[i]; i++) {
        const char *colon = strrchr(topics[i], ':');
        if (!colon || colon == topics[i] || atoi(colon + 1) < 1)
            cw_errlist_add(errs, "%s: embedded.kafka.topics: '%s' is not name:partitions",
                           worker_file, topics[i]);
    }
    cw_worker_check_kafka_props(w, NULL, errs);
    cw_worker_storage_validate(w, worker_file, errs);

    w->registry = cw_registry_new(cw_host());
    if (cw_registry_load_bundled(w->registry, err, sizeof err) < 0)
        cw_log_warn("bundled plugins: %s", err);
    const char *const *paths = cw_config_get_list(w->config, "plugin.path", NULL);
    for (size_t i = 0; paths && paths[i]; i++)
        if (cw_registry_load_dir(w->registry, paths[i], err, sizeof err) < 0)
            cw_errlist_add(errs, "%s: plugin.path: %s", worker_file, err);
    for (size_t i = 0; i < opts->nplugin_paths; i++)
        if (cw_registry_load_dir(w->registry, opts->plugin_paths[i], err, sizeof err) < 0)
            cw_errlist_add(errs, "--plugin-path: %s", err);
    return w;
}

static void connector_converter(const cw_worker_t *w, const cw_config_t *cfg, const char *which,
                                const cw_converter_t *worker_conv, cw_converter_t *out) {
    char key[64];
    snprintf(key, sizeof key, "%s.converter", which);
    const char *cls = cw_config_get(cfg, key);
    (void)w;
    if (!cls) {
        *out = *worker_conv;
        return;
    }
    cw_converter_kind_parse(cls, &out->kind);
    /* Kafka configures an overriding converter from the connector's keys only. */
    snprintf(key, sizeof key, "%s.converter.schemas.enable", which);
    out->schemas_enable = cw_config_get_bool(cfg, key, 0);
}

static void connector_free(cw_connector_t *c) {
    if (!c) return;
    for (int i = 0; i < c->ntasks; i++) {
        /* The task's context ends here: the series its plugins registered go with it. */
        cw_metrics_release(c->worker->metrics, &c->tasks[i].env.ctx);
        cw_config_free(c->tasks[i].config);
        cw_props_free(c->tasks[i].props);
    }
    free(c->tasks);
    cw_config_free(c->config);
    free(c->defs);
    cw_props_free(c->props);
    free(c->name);
    free(c);
}

size_t cw_worker_add_connectors(cw_worker_t *w, const char *const *files, size_t n,
                                cw_errlist_t *errs) {
    size_t before = errs->count;
    char err[2048];
    for (size_t f = 0; f < n; f++) {
        const char *file = files[f];
        cw_props_t *p = cw_props_new();
        if (cw_props_load_file(p, file, err, sizeof err) || cw_props_resolve(p, err, sizeof err)) {
            cw_errlist_add(errs, "%s", err);
            cw_props_free(p);
            continue;
        }
        cw_connector_t *c = calloc(1, sizeof *c);
        c->worker = w;
        c->props = p;
        const char *name = cw_props_get(p, "name");
        c->name = cw_connector_name_copy(name ? name : file);
        const char *plugin_file = NULL;
        c->plugin = cw_connector_plugin(w->registry, p, file, NULL, &plugin_file);
        c->defs = cw_connector_defs_merge(c->plugin ? c->plugin->config : NULL);
        cw_errlist_t unknown = {0};
        cw_connector_validate(w, p, file, errs, &unknown);
        warn_unknown(file, &unknown);
        cw_errlist_free(&unknown);
        log_props(p, c->defs);
        for (size_t i = 0; name && i < w->nconnectors; i++)
            if (strcmp(w->connectors[i]->name, name) == 0)
                cw_errlist_add(errs, "%s: name: connector '%s' is defined twice", file, name);
        c->config = cw_config_new(p, c->defs);
        if (c->plugin && c->plugin->kind == CW_PLUGIN_SOURCE) {
            const char *dlq = cw_props_get(p, "errors.deadletterqueue.topic.name");
            if (dlq && *dlq)
                cw_log_warn("%s: errors.deadletterqueue.topic.name: dead letter queues are for "
                            "sink connectors (as in Kafka Connect); failing source records are "
                            "logged and skipped with errors.tolerance=all",
                            file);
        }
        connector_converter(w, c->config, "key", &w->key_conv, &c->key_conv);
        connector_converter(w, c->config, "value", &w->value_conv, &c->value_conv);
        if (c->plugin)
            cw_log_info("connector %s: %s plugin %s %s from %s", c->name,
                        cw_plugin_kind_name(c->plugin->kind), c->plugin->name,
                        c->plugin->version ? c->plugin->version : "",
                        plugin_file ? plugin_file : "?");
        w->connectors = realloc(w->connectors, (w->nconnectors + 1) * sizeof *w->connectors);
        w->connectors[w->nconnectors++] = c;
    }
    return errs->count - before;
}

/* ------------------------------------------------------------------------------------------
 * Running
 * ---------------------------------------------------------------------------------------- */

static int start_embedded_kafka(cw_worker_t *w) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    cw_kafka_log_setup(conf);
    /* This handle only hosts the mock cluster and has no brokers of its own: at its default
     * level librdkafka warns "No bootstrap.servers configured", which misleads users. Errors
     * (level 3) still reach the log. */
    if (rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        cw_log_error("embedded Kafka: %s", err);
        return -1;
    }
    w->mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!w->mock_rk) {
        cw_log_error("embedded Kafka: %s", err);
        return -1;
    }
    int brokers = (int)cw_config_get_int(w->config, "embedded.kafka.brokers", 0);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(w->mock_rk, brokers);
    if (!mc) {
        cw_log_error("embedded Kafka: librdkafka could not start its mock cluster");
        return -1;
    }
    w->mock = mc;
    const char *const *topics = cw_config_get_list(w->config, "embedded.kafka.topics", NULL);
    for (size_t i = 0; topics && topics[i]; i++) {
        char *name = strdup(topics[i]);
        char *colon = strrchr(name, ':');
        *colon = '\0';
        if (rd_kafka_mock_topic_create(mc, name, atoi(colon + 1), brokers < 3 ? brokers : 3))
            cw_log_warn("embedded Kafka: cannot create topic %s", name);
        free(name);
    }
    w->bootstrap = strdup(rd_kafka_mock_cluster_bootstraps(mc));
    cw_log_info("embedded Kafka (librdkafka mock cluster) listening on %s - for trying things "
                "only: keeps about 5 MiB per partition",
                w->bootstrap);
    return 0;
}

static rd_kafka_conf_t *task_kafka_conf(void *opaque, const char *prefix, const char *client_id,
                                        char *errstr, size_t errstr_size) {
    const cw_task_t *t = opaque;
    return cw_worker_kafka_conf(t->conn->worker, t->conn, prefix, client_id, errstr, errstr_size);
}

static int sinks_caught_up(void *opaque);

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
    e->sinks_caught_up = sinks_caught_up;
    e->sources_running = &w->sources_running;
    e->opaque = t;
    e->ctx.connector = c->name;
    e->ctx.task = i;
    e->ctx.stop = &e->stop;
    e->ctx.offsets = c->plugin->kind == CW_PLUGIN_SOURCE ? w->offsets : NULL;
    e->ctx.metrics = w->metrics;
}

/* Connector-level work split (task_configs) and the task structs. */
static int prepare_tasks(cw_worker_t *w, cw_connector_t *c) {
    int max = (int)cw_config_get_int(c->config, "tasks.max", 0);
    const cw_task_configs_fn split_fn = c->plugin->kind == CW_PLUGIN_SOURCE
                                            ? c->plugin->source->task_configs
                                            : c->plugin->sink->task_configs;
    struct cw_task_split split = {.max_tasks = max,
                                  .tasks = calloc((size_t)max, sizeof(cw_props_t *))};
    if (!split.tasks) {
        cw_log(c->name, -1, CW_LOG_ERROR, "out of memory preparing %d task(s)", max);
        return -1;
    }
    int n;
    if (split_fn) {
        cw_ctx_t ctx = {.connector = c->name, .task = -1, .offsets = w->offsets};
        char err[1024] = "";
        n = split_fn(&ctx, c->config, max, &split, err, sizeof err);
        if (n < 1 || n > max) {
            cw_log(c->name, -1, CW_LOG_ERROR, "task_configs failed: %s",
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
    if (!c->tasks) cw_log(c->name, -1, CW_LOG_ERROR, "out of memory preparing %d task(s)", n);
    for (int i = 0; i < c->ntasks; i++) {
        cw_task_t *t = &c->tasks[i];
        t->conn = c;
        t->props = cw_props_copy(c->props);
        for (size_t k = 0; split.tasks[i] && k < cw_props_count(split.tasks[i]); k++)
            cw_props_set(t->props, cw_props_key_at(split.tasks[i], k),
                         cw_props_value_at(split.tasks[i], k));
        t->config = cw_config_new(t->props, c->defs);
        task_env_init(w, c, t, i);
    }
    for (int i = 0; i < max; i++) cw_props_free(split.tasks[i]);
    free(split.tasks);
    return c->tasks ? 0 : -1;
}

/* Batch mode: is every sink task of the worker caught up (waiting) or no longer running? */
static int sinks_caught_up(void *opaque) {
    const cw_worker_t *w = ((cw_task_t *)opaque)->conn->worker;
    for (size_t i = 0; i < w->nconnectors; i++) {
        cw_connector_t *c = w->connectors[i];
        if (c->plugin->kind != CW_PLUGIN_SINK) continue;
        for (int k = 0; k < c->ntasks; k++)
            if (atomic_load(&c->tasks[k].env.state) == CW_TASK_RUNNING &&
                !atomic_load(&c->tasks[k].env.waiting))
                return 0;
    }
    return 1;
}

/* how: CW_TASK_STOP_GRACEFUL or CW_TASK_STOP_ABORT (see worker_stop.c). */
static void stop_all(cw_worker_t *w, int how) {
    for (size_t i = 0; i < w->nconnectors; i++)
        for (int k = 0; k < w->connectors[i]->ntasks; k++)
            atomic_store(&w->connectors[i]->tasks[k].env.stop, how);
}

/* Joins every started task before `deadline_ms` (monotonic); returns how many are left. A
 * second stop signal meanwhile aborts (cw_worker_stop_signalled). */
static int join_all(cw_worker_t *w, int64_t deadline_ms, const sigset_t *signals) {
    int left = 0;
    for (size_t i = 0; i < w->nconnectors; i++)
        for (int k = 0; k < w->connectors[i]->ntasks; k++) {
            cw_task_t *t = &w->connectors[i]->tasks[k];
            if (!t->started) continue;
            int64_t wait = deadline_ms - cw_now_ms();
            if (wait > 200) wait = 200; /* in slices: a second signal is seen at once */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            if (wait < 0) wait = 0;
            ts.tv_sec += wait / 1000;
            ts.tv_nsec += (wait % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            if (pthread_timedjoin_np(t->thread, NULL, &ts) == 0) {
                t->started = 0;
            } else if (cw_now_ms() < deadline_ms) {
                if (!w->aborting && cw_worker_stop_signalled(signals)) {
                    w->aborting = 1;
                    stop_all(w, CW_TASK_STOP_ABORT);
                    deadline_ms = cw_worker_abort_deadline(deadline_ms);
                }
                k--; /* the same task again */
            } else {
                cw_worker_log_not_stopped(t, w->shutdown_timeout_ms);
                left++;
            }
        }
    return left;
}

/* The main thread sleeps in sigtimedwait; a task thread that ends wakes it with this
 * thread-directed signal (blocked everywhere, so it never interrupts anything), so that a
 * batch run exits as soon as its last task is done instead of at the next poll tick. */
#define CW_WAKE_SIGNAL SIGUSR1

static void *task_thread(void *arg) {
    cw_task_t *t = arg;
    cw_worker_t *w = t->conn->worker;
    if (t->conn->plugin->kind == CW_PLUGIN_SOURCE)
        cw_source_task_run(&t->env);
    else
        cw_sink_task_run(&t->env);
    pthread_kill(w->main_thread, CW_WAKE_SIGNAL);
    return NULL;
}

/* One thread per task. A thread that cannot be created fails its task. */
static void start_tasks(cw_worker_t *w) {
    int sources = 0;
    for (size_t i = 0; i < w->nconnectors; i++)
        if (w->connectors[i]->plugin->kind == CW_PLUGIN_SOURCE) sources += w->connectors[i]->ntasks;
    atomic_store(&w->sources_running, sources);
    for (size_t i = 0; i < w->nconnectors; i++) {
        cw_connector_t *c = w->connectors[i];
        for (int k = 0; k < c->ntasks; k++) {
            cw_task_t *t = &c->tasks[k];
            if (pthread_create(&t->thread, NULL, task_thread, t) != 0) {
                cw_task_fail(&t->env, "cannot create a thread: %s", strerror(errno));
                if (c->plugin->kind == CW_PLUGIN_SOURCE) atomic_fetch_sub(&w->sources_running, 1);
                continue;
            }
            t->started = 1;
        }
        cw_log(c->name, -1, CW_LOG_INFO, "started %d task(s)", c->ntasks);
    }
}

/* Logs every failed task again (the first lines may be far up); returns how many. */
static int count_failed(cw_worker_t *w) {
    int failed = 0;
    for (size_t i = 0; i < w->nconnectors; i++)
        for (int k = 0; k < w->connectors[i]->ntasks; k++) {
            cw_task_t *t = &w->connectors[i]->tasks[k];
            if (atomic_load(&t->env.state) == CW_TASK_FAILED) {
                cw_log(t->conn->name, t->env.id, CW_LOG_ERROR, "task had failed: %s", t->env.error);
                failed++;
            }
        }
    return failed;
}

int cw_worker_run(cw_worker_t *w) {
    char err[1024];
    int has_source = 0;
    for (size_t i = 0; i < w->nconnectors; i++)
        has_source |= w->connectors[i]->plugin->kind == CW_PLUGIN_SOURCE;
    /* Signals are taken by this thread only (sigtimedwait); tasks and librdkafka's threads
     * inherit the mask. Blocked first, so that a signal during start-up is not fatal. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP); /* treated like SIGTERM, as the JVM does */
    sigaddset(&set, CW_WAKE_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    w->main_thread = pthread_self();
    signal(SIGPIPE, SIG_IGN);
    if (cw_config_get_bool(w->config, "embedded.kafka.enable", 0) && start_embedded_kafka(w))
        return CW_EXIT_STARTUP;
    if (has_source) {
        w->offsets = cw_worker_offsets_open(w, err, sizeof err);
        if (!w->offsets) {
            cw_log_error("%s", err);
            return CW_EXIT_STARTUP;
        }
    }
    for (size_t i = 0; i < w->nconnectors; i++)
        if (prepare_tasks(w, w->connectors[i])) return CW_EXIT_STARTUP;

    start_tasks(w);

    int signalled = 0;
    while (1) {
        struct timespec ts = {0, 200 * 1000000};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
            cw_log_info("received %s: stopping tasks (flush and commit; a second signal "
                        "aborts the flush)",
                        cw_signal_name(sig));
            signalled = 1;
            break;
        }
        int running = 0;
        for (size_t i = 0; i < w->nconnectors; i++)
            for (int k = 0; k < w->connectors[i]->ntasks; k++)
                running += atomic_load(&w->connectors[i]->tasks[k].env.state) == CW_TASK_RUNNING;
        if (!running) break;
    }
    (void)signalled;
    stop_all(w, CW_TASK_STOP_GRACEFUL);
    int left = join_all(w, cw_now_ms() + w->shutdown_timeout_ms, &set);
    /* After the tasks stopped and before their contexts end: the final counts. */
    if (w->metrics_file && cw_metrics_write_file(w->metrics, w->metrics_file, err, sizeof err))
        cw_log_error("%s", err);
    if (left) {
        cw_log_error("%d task(s) did not stop %s; exiting anyway", left,
                     w->aborting ? "after the abort" : "in time");
        return CW_EXIT_SHUTDOWN;
    }
    int failed = count_failed(w);
    cw_log_info("worker stopped%s", failed ? " (some tasks failed)" : "");
    return failed ? CW_EXIT_TASK_FAILED : CW_EXIT_OK;
}

void cw_worker_free(cw_worker_t *w) {
    if (!w) return;
    for (size_t i = 0; i < w->nconnectors; i++) connector_free(w->connectors[i]);
    free(w->connectors);
    cw_registry_free(w->registry);
    cw_metrics_free(w->metrics);
    cw_offsets_free(w->offsets);
    if (w->mock) rd_kafka_mock_cluster_destroy(w->mock);
    if (w->mock_rk) rd_kafka_destroy(w->mock_rk);
    free(w->bootstrap);
    cw_config_free(w->config);
    cw_props_free(w->props);
    free(w);
}
