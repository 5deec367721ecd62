/*
 * The herder.h backend of distributed mode: queries answer from this worker's view of the
 * config and status topics; writes (on the leader: REST forwards them there) go to the config
 * topic and return once the worker has read them back (worker.sync.timeout.ms).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "distributed/dist_internal.h"
#include "herder_internal.h"
#include "log.h"
#include "storage/offsets_kafka.h"
#include "validate.h"

cw_dist_t *cw_dist_of(cw_worker_t *w) { return w ? w->dist : NULL; }

static int fail(char *errstr, size_t n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *errstr, size_t n, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, n, fmt, ap);
    va_end(ap);
    return code;
}

static int not_found(const char *name, char *errstr, size_t n) {
    return fail(errstr, n, 404, "Connector %s not found", name);
}

char *cw_dist_leader_url(cw_dist_t *d) {
    if (atomic_load(&d->leader)) return strdup("");
    char *url = NULL;
    int *owner = calloc((size_t)d->nslots, sizeof *owner);
    json_t *workers = NULL;
    pthread_mutex_lock(&d->lock);
    cw_lease_view_owners(&d->view, d->nslots, owner, &workers);
    const char *holder =
        owner[0] >= 0 ? json_string_value(json_array_get(workers, owner[0])) : NULL;
    /* The last leader record is trusted while its writer still holds slot 0. */
    if (d->view.leader_url && *d->view.leader_url && holder && d->view.leader_id &&
        strcmp(holder, d->view.leader_id) == 0 && strcmp(holder, d->worker_id) != 0)
        url = strdup(d->view.leader_url);
    pthread_mutex_unlock(&d->lock);
    json_decref(workers);
    free(owner);
    return url;
}

static int strcmp_ptr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The connector's type from its plugin ("source", "sink", "unknown"). */
static const char *type_of(cw_dist_t *d, const cw_props_t *cfg) {
    const cw_plugin_t *p = cw_connector_plugin(d->w->registry, cfg, "", NULL, NULL);
    if (!p) return "unknown";
    return p->kind == CW_PLUGIN_SOURCE ? "source" : p->kind == CW_PLUGIN_SINK ? "sink" : "unknown";
}

/* Under the lock: ConnectorInfo. */
static json_t *info_locked(cw_dist_t *d, const char *name, const cw_props_t *cfg) {
    json_t *tasks = json_array();
    int n = cw_config_state_task_count(d->cfg, name);
    if (cw_config_state_target(d->cfg, name) == CW_CF_TARGET_STOPPED) n = 0;
    for (int i = 0; i < n; i++)
        json_array_append_new(tasks, json_pack("{s:s, s:i}", "connector", name, "task", i));
    return json_pack("{s:s, s:o, s:o, s:s}", "name", name, "config", cw_herder_json_from_props(cfg),
                     "tasks", tasks, "type", type_of(d, cfg));
}

static json_t *state_json(const cw_cf_status_t *st, int id) {
    json_t *j = id >= 0 ? json_pack("{s:i}", "id", id) : json_object();
    json_object_set_new(j, "state", json_string(st && st->state ? st->state : "UNASSIGNED"));
    json_object_set_new(j, "worker_id",
                        st && st->worker_id ? json_string(st->worker_id) : json_null());
    if (st && st->trace && st->state && strcmp(st->state, "FAILED") == 0)
        json_object_set_new(j, "trace", json_string(st->trace));
    return j;
}

static json_t *status_locked(cw_dist_t *d, const char *name, const cw_props_t *cfg) {
    json_t *tasks = json_array();
    int n = cw_config_state_task_count(d->cfg, name);
    if (cw_config_state_target(d->cfg, name) == CW_CF_TARGET_STOPPED) n = 0;
    for (int i = 0; i < n; i++)
        json_array_append_new(tasks, state_json(cw_status_state_task(d->st, name, i), i));
    return json_pack("{s:s, s:o, s:o, s:s}", "name", name, "connector",
                     state_json(cw_status_state_connector(d->st, name), -1), "tasks", tasks, "type",
                     type_of(d, cfg));
}

int cw_dist_connectors(cw_dist_t *d, int expand, json_t **out) {
    json_t *names = json_array(), *obj = json_object();
    pthread_mutex_lock(&d->lock);
    size_t n = cw_config_state_connector_count(d->cfg);
    for (size_t i = 0; i < n; i++) {
        const char *name = cw_config_state_connector_at(d->cfg, i);
        const cw_props_t *cfg = cw_config_state_connector_config(d->cfg, name);
        if (!cfg) continue;
        json_array_append_new(names, json_string(name));
        if (!expand) continue;
        json_t *e = json_object();
        if (expand & CW_HERDER_EXPAND_STATUS)
            json_object_set_new(e, "status", status_locked(d, name, cfg));
        if (expand & CW_HERDER_EXPAND_INFO)
            json_object_set_new(e, "info", info_locked(d, name, cfg));
        json_object_set_new(obj, name, e);
    }
    pthread_mutex_unlock(&d->lock);
    if (expand) {
        json_decref(names);
        *out = obj;
    } else {
        json_decref(obj);
        /* sorted, as the standalone herder answers */
        size_t k = json_array_size(names);
        const char **v = calloc(k + 1, sizeof *v);
        for (size_t i = 0; i < k; i++) v[i] = json_string_value(json_array_get(names, i));
        qsort(v, k, sizeof *v, strcmp_ptr);
        json_t *sorted = json_array();
        for (size_t i = 0; i < k; i++) json_array_append_new(sorted, json_string(v[i]));
        free(v);
        json_decref(names);
        *out = sorted;
    }
    return 0;
}

/* One connector's entity under the lock; 404 when it has no configuration. */
enum what { INFO, CONFIG, STATUS, TASKS };
static int query(cw_dist_t *d, const char *name, enum what what, int task, json_t **out,
                 char *errstr, size_t n) {
    pthread_mutex_lock(&d->lock);
    const cw_props_t *cfg = cw_config_state_connector_config(d->cfg, name);
    int rc = 0;
    if (!cfg) {
        rc = not_found(name, errstr, n);
    } else if (what == INFO) {
        *out = info_locked(d, name, cfg);
    } else if (what == CONFIG) {
        *out = cw_herder_json_from_props(cfg);
    } else if (what == STATUS && task < 0) {
        *out = status_locked(d, name, cfg);
    } else if (what == STATUS) {
        if (task >= cw_config_state_task_count(d->cfg, name))
            rc = fail(errstr, n, 404, "Task %s-%d not found", name, task);
        else
            *out = state_json(cw_status_state_task(d->st, name, task), task);
    } else {
        json_t *arr = json_array();
        int k = cw_config_state_task_count(d->cfg, name);
        for (int i = 0; i < k; i++)
            json_array_append_new(
                arr,
                json_pack("{s:{s:s, s:i}, s:o}", "id", "connector", name, "task", i, "config",
                          cw_herder_json_from_props(cw_config_state_task_config(d->cfg, name, i))));
        *out = arr;
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

int cw_dist_info(cw_dist_t *d, const char *name, json_t **out, char *errstr, size_t n) {
    return query(d, name, INFO, -1, out, errstr, n);
}
int cw_dist_config(cw_dist_t *d, const char *name, json_t **out, char *errstr, size_t n) {
    return query(d, name, CONFIG, -1, out, errstr, n);
}
int cw_dist_status(cw_dist_t *d, const char *name, int task, json_t **out, char *errstr, size_t n) {
    return query(d, name, STATUS, task, out, errstr, n);
}
int cw_dist_task_configs(cw_dist_t *d, const char *name, json_t **out, char *errstr, size_t n) {
    return query(d, name, TASKS, -1, out, errstr, n);
}

/* ------------------------------------------------------------------------------------------
 * Writes (the leader)
 * ---------------------------------------------------------------------------------------- */

/* Waits until this worker has read the config topic past what it wrote. */
static int sync_config(cw_dist_t *d, char *errstr, size_t n) {
    if (cw_klog_flush(d->cfg_log, d->session_ms, errstr, n)) return 500;
    int64_t end = cw_dist_now() + cw_config_get_int(d->w->config, "worker.sync.timeout.ms", 0);
    do {
        if (cw_dist_read_all(d) == 0) return 0;
    } while (cw_dist_now() < end);
    return fail(errstr, n, 500, "config.storage.topic not read back within worker.sync.timeout.ms");
}

static int send_config(cw_dist_t *d, cw_cf_config_kind_t kind, const char *name, const char *v,
                       size_t len, char *errstr, size_t n) {
    char *k = cw_cf_config_key(kind, name, -1);
    int rc = cw_klog_send(d->cfg_log, k, strlen(k), v, len, errstr, n) ? 500 : 0;
    free(k);
    return rc;
}

static int not_leader(cw_dist_t *d, char *errstr, size_t n) {
    if (atomic_load(&d->leader)) return 0;
    return fail(errstr, n, 409,
                "Cannot complete request momentarily due to no known leader URL, likely because "
                "a rebalance was underway.");
}

int cw_dist_unsupported(char *errstr, size_t n) {
    return fail(errstr, n, 501, "not supported in distributed mode by this version");
}

/* Validates `submitted` as cw_herder_create does: 400 with every problem. */
static int validate(cw_dist_t *d, const char *name, const json_t *submitted, char *errstr,
                    size_t n) {
    char origin[300], err[2048];
    snprintf(origin, sizeof origin, "connector %s", name);
    cw_props_t *p = cw_herder_props_from_json(submitted, origin);
    cw_errlist_t errs = {0};
    if (cw_props_resolve(p, err, sizeof err)) {
        cw_errlist_add(&errs, "%s", err);
        cw_props_free(p);
    } else {
        cw_connector_free(cw_connector_new(d->w, name, p, origin, &errs));
    }
    int rc = 0;
    if (errs.count) {
        cw_herder_errors_text(&errs, errstr, n);
        rc = 400;
    }
    cw_errlist_free(&errs);
    return rc;
}

int cw_dist_put(cw_dist_t *d, const char *name, const json_t *config, int create_only,
                int initial_state, int *created, json_t **out, char *errstr, size_t n) {
    int rc = not_leader(d, errstr, n);
    if (rc) return rc;
    json_t *sub = cw_herder_config_from_json(name, config, errstr, n);
    if (!sub) return 400;
    pthread_mutex_lock(&d->lock);
    int exists = cw_config_state_connector_config(d->cfg, name) != NULL;
    pthread_mutex_unlock(&d->lock);
    if (create_only && exists) {
        json_decref(sub);
        return fail(errstr, n, 409, "Connector %s already exists", name);
    }
    if (!(rc = validate(d, name, sub, errstr, n))) {
        cw_props_t *p = cw_herder_props_from_json(sub, name);
        size_t len;
        char *v = cw_cf_properties_encode(p, &len);
        cw_props_free(p);
        if (!exists && initial_state != CW_TARGET_RUNNING) { /* KIP-980: state first */
            size_t tl;
            char *t = cw_cf_target_state_encode(
                initial_state == CW_TARGET_PAUSED ? CW_CF_TARGET_PAUSED : CW_CF_TARGET_STOPPED,
                &tl);
            rc = send_config(d, CW_CF_CONFIG_TARGET_STATE, name, t, tl, errstr, n);
            free(t);
        }
        if (!rc) rc = send_config(d, CW_CF_CONFIG_CONNECTOR, name, v, len, errstr, n);
        free(v);
        if (!rc) rc = sync_config(d, errstr, n);
        if (!rc) rc = query(d, name, INFO, -1, out, errstr, n);
        if (created) *created = !exists;
    }
    json_decref(sub);
    return rc;
}

int cw_dist_patch(cw_dist_t *d, const char *name, const json_t *patch, json_t **out, char *errstr,
                  size_t n) {
    if (!json_is_object(patch))
        return fail(errstr, n, 400, "the configuration patch must be a JSON object");
    json_t *cur = NULL;
    int rc = query(d, name, CONFIG, -1, &cur, errstr, n);
    if (rc) return rc;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v) {
        if (json_is_null(v))
            json_object_del(cur, k);
        else
            json_object_set(cur, k, v);
    }
    rc = cw_dist_put(d, name, cur, 0, CW_TARGET_RUNNING, NULL, out, errstr, n);
    json_decref(cur);
    return rc;
}

int cw_dist_delete(cw_dist_t *d, const char *name, char *errstr, size_t n) {
    int rc = not_leader(d, errstr, n);
    if (rc) return rc;
    pthread_mutex_lock(&d->lock);
    int exists = cw_config_state_connector_config(d->cfg, name) != NULL;
    int tasks = cw_status_state_task_end(d->st, name);
    pthread_mutex_unlock(&d->lock);
    if (!exists) return not_found(name, errstr, n);
    rc = send_config(d, CW_CF_CONFIG_CONNECTOR, name, NULL, 0, errstr, n);
    if (!rc) rc = send_config(d, CW_CF_CONFIG_TARGET_STATE, name, NULL, 0, errstr, n);
    if (!rc) rc = sync_config(d, errstr, n);
    /* Kafka's DESTROYED: the statuses are removed. */
    for (int i = -1; !rc && i < tasks; i++) cw_dist_put_status(d, name, i, NULL, NULL);
    return rc;
}

int cw_dist_target(cw_dist_t *d, const char *name, int state, char *errstr, size_t n) {
    int rc = not_leader(d, errstr, n);
    if (rc) return rc;
    pthread_mutex_lock(&d->lock);
    int exists = cw_config_state_connector_config(d->cfg, name) != NULL;
    pthread_mutex_unlock(&d->lock);
    if (!exists) return not_found(name, errstr, n);
    size_t len;
    char *v = cw_cf_target_state_encode(state == CW_TARGET_PAUSED    ? CW_CF_TARGET_PAUSED
                                        : state == CW_TARGET_STOPPED ? CW_CF_TARGET_STOPPED
                                                                     : CW_CF_TARGET_STARTED,
                                        &len);
    rc = send_config(d, CW_CF_CONFIG_TARGET_STATE, name, v, len, errstr, n);
    free(v);
    return rc ? rc : sync_config(d, errstr, n);
}

int cw_dist_restart(cw_dist_t *d, const char *name, int include_tasks, int only_failed,
                    json_t **status, char *errstr, size_t n) {
    int rc = not_leader(d, errstr, n);
    if (rc) return rc;
    json_t *st = NULL;
    if ((rc = query(d, name, STATUS, -1, &st, errstr, n))) return rc;
    size_t len;
    char *v = cw_cf_restart_encode(include_tasks, only_failed, &len);
    rc = send_config(d, CW_CF_CONFIG_RESTART, name, v, len, errstr, n);
    free(v);
    if (!rc) rc = sync_config(d, errstr, n);
    if (!rc && (include_tasks || only_failed))
        *status = st;
    else
        json_decref(st);
    if (!rc && !(include_tasks || only_failed)) *status = NULL;
    return rc;
}

int cw_dist_offsets_get(cw_dist_t *d, const char *name, json_t **out, char *errstr, size_t n) {
    json_t *cfg = NULL;
    int rc = query(d, name, CONFIG, -1, &cfg, errstr, n);
    json_decref(cfg);
    if (rc) return rc;
    char err[1024];
    cw_offsets_kafka_refresh(d->w->offsets, 5000, err, sizeof err);
    char *list = cw_offsets_list(d->w->offsets, name);
    json_t *arr = list ? json_loads(list, 0, NULL) : NULL;
    free(list);
    if (!arr) return fail(errstr, n, 500, "source offsets cannot be listed");
    *out = json_pack("{s:o}", "offsets", arr);
    return 0;
}
