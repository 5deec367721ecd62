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

#include "connector.h"
#include "errors.h"
#include "herder_internal.h"
#include "rdkafka_log.h"
#include "kafka_msk_iam.h"
#include "log.h"
#include "rest/rest.h"
#include "distributed/dist.h"
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
        /* queued.max.messages.kbytes stays librdkafka's 64 MiB: once its prefetch passes that
         * bound, librdkafka 2.0 looks at the partitions again only on its broker thread's next
         * wake-up, up to 1 s later; a 16 MiB bound made a catching-up S3 sink wait ~1 s a run
         * in bench-s3 (pipeline 2.5-3.2 s against 1.8-1.9 s), for 70 MiB less peak RSS. */
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
    w->wm = cw_worker_metrics_new(w->metrics, NULL, NULL); /* the herder's states: below */
    w->props = cw_props_new();
    if (cw_props_load_file(w->props, worker_file, err, sizeof err) ||
        cw_props_resolve(w->props, err, sizeof err)) {
        cw_errlist_add(errs, "%s", err);
    } else {
        cw_errlist_t unknown = {0};
        cw_config_validate(w->props, cw_worker_defs, "", worker_file, errs, &unknown);
        cw_connector_warn_unknown(worker_file, &unknown);
        cw_errlist_free(&unknown);
    }
    w->config = cw_config_new(w->props, cw_worker_defs);
    cw_rest_validate(w, worker_file, errs);
    w->herder = cw_herder_new(w);
    cw_worker_metrics_set_source(w->wm, cw_worker_herder_states, w->herder);
    cw_log_level_t level;
    if (!opts->log_level_forced &&
        cw_log_level_parse(cw_config_get(w->config, "log.level"), &level) == 0)
        cw_log_set_level(level);
    cw_connector_log_props(w->props, cw_worker_defs);
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
    w->distributed = opts->distributed;
    if (w->distributed) cw_dist_validate(w, worker_file, errs);

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

size_t cw_worker_add_connectors(cw_worker_t *w, const char *const *files, size_t n,
                                cw_errlist_t *errs) {
    size_t before = errs->count;
    char err[2048];
    for (size_t f = 0; f < n; f++) {
        const char *file = files[f];
        cw_props_t *raw = cw_props_new();
        if (cw_props_load_file(raw, file, err, sizeof err)) {
            cw_errlist_add(errs, "%s", err);
            cw_props_free(raw);
            continue;
        }
        /* Checked now (--validate, exit code 3), created through the herder at start with
         * the keys as written (placeholders unresolved, as the REST API shows them). */
        cw_props_t *p = cw_props_copy(raw);
        cw_converter_inherit(w->props, p); /* as cw_connector_new will */
        if (cw_props_resolve(p, err, sizeof err)) {
            cw_errlist_add(errs, "%s", err);
        } else {
            cw_errlist_t unknown = {0};
            cw_connector_validate(w, p, file, errs, &unknown);
            cw_connector_warn_unknown(file, &unknown);
            cw_errlist_free(&unknown);
            const cw_plugin_t *plugin = cw_connector_plugin(w->registry, p, file, NULL, NULL);
            cw_config_def_t *defs = cw_connector_defs_merge(plugin ? plugin->config : NULL);
            cw_connector_log_props(p, defs);
            free(defs);
        }
        cw_props_free(p);
        const char *name = cw_props_get(raw, "name");
        if (name && cw_herder_has_file(w->herder, name))
            cw_errlist_add(errs, "%s: name: connector '%s' is defined twice", file, name);
        cw_herder_add_file(w->herder, raw);
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

int cw_worker_run(cw_worker_t *w) {
    char err[1024];
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
    if (w->distributed) return cw_dist_run(w, &set); /* distributed/dist.h */
    /* The command-line and stored connectors, created as the REST API creates them. */
    if (cw_herder_start(w->herder)) return CW_EXIT_STARTUP;

    /* REST: after the herder runs (it answers 503 before), stopped before the herder stops. */
    w->rest = cw_rest_start(w, err, sizeof err);
    if (!w->rest && *err) {
        cw_log_error("%s", err);
        cw_herder_stop_all(w->herder, &set);
        return CW_EXIT_STARTUP;
    }
    while (!atomic_load(&w->stop_requested)) {
        struct timespec ts = {0, 200 * 1000000};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
            cw_log_info("received %s: stopping tasks (flush and commit; a second signal "
                        "aborts the flush)",
                        cw_signal_name(sig));
            break;
        }
        /* Automatic restarts happen here; without keep-running (no REST API to create
         * connectors) the worker ends when nothing runs or is due to restart. */
        int alive = cw_herder_tick(w->herder);
        if (!alive && (w->batch_mode || !atomic_load(&w->herder->keep_running))) break;
    }
    cw_rest_stop(w->rest);
    w->rest = NULL;
    int left = cw_herder_stop_all(w->herder, &set);
    /* After the tasks stopped and before their contexts end: the final counts. */
    if (w->metrics_file && cw_metrics_write_file(w->metrics, w->metrics_file, err, sizeof err))
        cw_log_error("%s", err);
    if (left) {
        cw_log_error("%d task(s) did not stop %s; exiting anyway", left,
                     w->aborting ? "after the abort" : "in time");
        return CW_EXIT_SHUTDOWN;
    }
    int failed = cw_herder_count_failed(w->herder);
    cw_log_info("worker stopped%s", failed ? " (some tasks failed)" : "");
    return failed ? CW_EXIT_TASK_FAILED : CW_EXIT_OK;
}

void cw_worker_stop(cw_worker_t *w) {
    atomic_store(&w->stop_requested, 1);
    if (cw_herder_running(w->herder)) pthread_kill(w->main_thread, CW_WAKE_SIGNAL);
}

void cw_worker_free(cw_worker_t *w) {
    if (!w) return;
    cw_worker_metrics_free(w->wm); /* its collector reads the herder */
    cw_herder_free(w->herder);     /* before the plugins it uses are unloaded */
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
