/* GET / (ServerInfo), GET /health (WorkerStatus), GET /metrics (Prometheus text) and the
 * logger endpoints (LoggingResource). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "herder.h"
#include "log.h"
#include "log_levels.h"
#include "metrics.h"
#include "runtime/task.h"
#include "rest_internal.h"
#include "worker.h"

/* The Kafka Connect REST API level this worker implements: kcctl and other clients gate
 * features on it (3.9 has KIP-875 offsets, KIP-980 initial_state, KIP-1017 GET /health). */
#define CW_REST_API_VERSION "3.9.0"
#ifndef CW_GIT_COMMIT
#define CW_GIT_COMMIT "unknown"
#endif

/* Asks the Kafka cluster for its id once (a producer handle for at most 5 s); NULL when it
 * does not answer. Never holds the lock while waiting. */
static char *fetch_cluster_id(cw_rest_t *rest) {
    pthread_mutex_lock(&rest->lock);
    char *id = rest->cluster_id ? strdup(rest->cluster_id) : NULL;
    /* Kafka did not answer lately: do not hold a server thread 5 s on every GET /. */
    int recent_miss = rest->cluster_id_miss_ms && cw_now_ms() - rest->cluster_id_miss_ms < 30000;
    pthread_mutex_unlock(&rest->lock);
    if (id || recent_miss) return id;
    char err[512];
    rd_kafka_conf_t *conf = cw_worker_kafka_conf(rest->worker, NULL, "producer",
                                                 "connect-worker-rest", err, sizeof err);
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err) : NULL;
    if (!rk) {
        if (conf) rd_kafka_conf_destroy(conf);
        cw_log_warn("REST GET /: no Kafka client for the cluster id: %s", err);
        return NULL;
    }
    char *got = rd_kafka_clusterid(rk, 5000);
    if (got) id = strdup(got);
    if (got) rd_kafka_mem_free(rk, got);
    rd_kafka_destroy(rk);
    pthread_mutex_lock(&rest->lock);
    if (id && !rest->cluster_id) rest->cluster_id = strdup(id);
    rest->cluster_id_miss_ms = id ? 0 : cw_now_ms();
    pthread_mutex_unlock(&rest->lock);
    return id;
}

void cw_rest_h_root(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char *id = fetch_cluster_id(q->rest);
    cw_rest_json(r, 200,
                 json_pack("{s:s,s:s,s:s?}", "version", CW_REST_API_VERSION, "commit",
                           CW_GIT_COMMIT, "kafka_cluster_id", id));
    free(id);
}

void cw_rest_h_health(cw_rest_req_t *q, cw_rest_resp_t *r) {
    /* Kafka's WorkerStatus: "starting" (503) until the herder takes requests. */
    if (!cw_herder_running(cw_worker_herder(q->rest->worker))) {
        cw_rest_json(r, 503,
                     json_pack("{s:s,s:s}", "status", "starting", "message",
                               "Worker is still starting up."));
        return;
    }
    cw_rest_json(r, 200,
                 json_pack("{s:s,s:s}", "status", "healthy", "message",
                           "Worker has completed startup and is ready to handle requests."));
}

void cw_rest_h_metrics(cw_rest_req_t *q, cw_rest_resp_t *r) {
    size_t len = 0;
    char *text = cw_metrics_render(q->rest->worker->metrics, &len);
    if (!text) {
        cw_rest_error(r, 500, "out of memory rendering the metrics");
        return;
    }
    r->status = 200;
    r->text = text;
    r->text_len = len;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* --- loggers: "root" (log.level) and one per connector (log_levels.h) ------------------- */

static const char *level_name(cw_log_level_t l) {
    switch (l) {
    case CW_LOG_ERROR: return "ERROR";
    case CW_LOG_WARN: return "WARN";
    case CW_LOG_INFO: return "INFO";
    case CW_LOG_DEBUG: return "DEBUG";
    case CW_LOG_TRACE: return "TRACE";
    }
    return "INFO";
}

/* Kafka's LoggerLevel: {"level":..., "last_modified": ms since the epoch or null}. */
static json_t *logger_level(cw_log_level_t level, int64_t ms) {
    return json_pack("{s:s,s:o}", "level", level_name(level), "last_modified",
                     ms ? json_integer(ms) : json_null());
}

static int64_t root_set_ms(cw_rest_t *rest) {
    pthread_mutex_lock(&rest->lock);
    int64_t ms = rest->level_set_ms;
    pthread_mutex_unlock(&rest->lock);
    return ms;
}

static void add_connector_logger(const char *name, cw_log_level_t level, int64_t ms, void *opaque) {
    if (strcmp(name, "root") != 0) json_object_set_new(opaque, name, logger_level(level, ms));
}

void cw_rest_h_loggers(cw_rest_req_t *q, cw_rest_resp_t *r) {
    json_t *all =
        json_pack("{s:o}", "root", logger_level(cw_log_get_level(), root_set_ms(q->rest)));
    if (all) cw_log_levels_foreach(add_connector_logger, all);
    cw_rest_json(r, 200, all);
}

/* A connector's logger exists once its level was set, or while the connector exists (then it
 * reports the effective level, root's, as Kafka does for a logger with no level of its own). */
void cw_rest_h_logger_get(cw_rest_req_t *q, cw_rest_resp_t *r) {
    const char *name = q->args[0];
    if (strcmp(name, "root") == 0) {
        cw_rest_json(r, 200, logger_level(cw_log_get_level(), root_set_ms(q->rest)));
        return;
    }
    int64_t ms = 0;
    cw_log_level_t level = cw_log_levels_get(name, cw_log_get_level(), &ms);
    char err[CW_HERDER_ERRSTR_SIZE];
    json_t *cfg = NULL;
    if (!ms && cw_herder_connector_config(cw_worker_herder(q->rest->worker), name, &cfg, err,
                                          sizeof err) != CW_HERDER_OK) {
        cw_rest_error(r, 404, "Logger %s not found.", name);
        return;
    }
    json_decref(cfg);
    cw_rest_json(r, 200, logger_level(level, ms));
}

static void add_name(const char *name, cw_log_level_t level, int64_t ms, void *opaque) {
    (void)level, (void)ms;
    json_array_append_new(opaque, json_string(name));
}

/* PUT root: log.level, and (as a Kafka ancestor) every connector logger falls back to it.
 * PUT <connector>: that connector's lines only. Answers the loggers it changed. */
void cw_rest_h_logger_put(cw_rest_req_t *q, cw_rest_resp_t *r) {
    json_t *body = cw_rest_body(q, r, JSON_OBJECT);
    if (!body) return;
    const char *text = json_string_value(json_object_get(body, "level"));
    const char *name = q->args[0];
    cw_log_level_t level;
    if (!text)
        cw_rest_error(r, 400, "Desired 'level' parameter was not specified in request.");
    else if (cw_log_level_parse(text, &level))
        cw_rest_error(r, 404, "invalid log level '%s'.", text); /* sic: Kafka answers 404 */
    json_decref(body);
    if (r->json) return;
    json_t *changed = json_pack("[s]", name);
    if (strcmp(name, "root") == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        pthread_mutex_lock(&q->rest->lock);
        q->rest->level_set_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        pthread_mutex_unlock(&q->rest->lock);
        if (changed) cw_log_levels_foreach(add_name, changed);
        cw_log_levels_clear();
        cw_log_set_level(level);
    } else if (cw_log_levels_set(name, level)) {
        json_decref(changed);
        cw_rest_error(r, 400, "Logger %s: no room for another connector level (at most %d)", name,
                      CW_LOG_LEVELS_MAX);
        return;
    }
    cw_log(NULL, -1, CW_LOG_INFO, "REST: log level of %s set to %s", name, level_name(level));
    const char *scope = cw_rest_query(q, "scope");
    if (scope && strcasecmp(scope, "cluster") == 0) { /* one worker is the whole cluster */
        json_decref(changed);
        r->status = 204;
        return;
    }
    cw_rest_json(r, 200, changed);
}
