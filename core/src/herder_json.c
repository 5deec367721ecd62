/* The herder's queries and Kafka's REST entities (the classes of rest/entities): ConnectorInfo,
 * ConnectorStateInfo, TaskInfo, ActiveTopicsInfo; submitted maps to and from props. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herder_internal.h"
#include "distributed/dist.h"

static int qfail(char *errstr, size_t errstr_size, int code, const char *fmt, ...) CW_PRINTF(4, 5);
static int qfail(char *errstr, size_t errstr_size, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (errstr && errstr_size) vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
    return code;
}

json_t *cw_hconn_info(const cw_hconn_t *hc) {
    json_t *tasks = json_array();
    for (int i = 0; hc->c && !hc->trace && hc->target != CW_TARGET_STOPPED && i < hc->c->ntasks;
         i++)
        json_array_append_new(tasks, json_pack("{s:s, s:i}", "connector", hc->name, "task", i));
    return json_pack("{s:s, s:O, s:o, s:s}", "name", hc->name, "config", hc->submitted, "tasks",
                     tasks, "type", hc->type);
}

json_t *cw_htask_status(const cw_herder_t *h, const cw_hconn_t *hc, const cw_task_t *t) {
    const char *state = cw_htask_state(hc, t);
    json_t *o =
        json_pack("{s:i, s:s, s:s}", "id", t->env.id, "state", state, "worker_id", h->worker_id);
    if (strcmp(state, "FAILED") == 0) json_object_set_new(o, "trace", json_string(t->env.error));
    if (hc->policy.enabled) json_object_set_new(o, "restarts", json_integer(t->restarts));
    return o;
}

json_t *cw_hconn_status(const cw_herder_t *h, const cw_hconn_t *hc) {
    const char *state = cw_hconn_state(hc);
    json_t *conn = json_pack("{s:s, s:s}", "state", state, "worker_id", h->worker_id);
    if (strcmp(state, "FAILED") == 0 && hc->trace)
        json_object_set_new(conn, "trace", json_string(hc->trace));
    json_t *tasks = json_array();
    for (int i = 0; hc->c && i < hc->c->ntasks; i++)
        json_array_append_new(tasks, cw_htask_status(h, hc, &hc->c->tasks[i]));
    return json_pack("{s:s, s:o, s:o, s:s}", "name", hc->name, "connector", conn, "tasks", tasks,
                     "type", hc->type);
}

json_t *cw_hconn_task_configs(const cw_hconn_t *hc) {
    json_t *out = json_array();
    for (int i = 0; hc->c && !hc->trace && hc->target != CW_TARGET_STOPPED && i < hc->c->ntasks;
         i++) {
        json_t *cfg = json_deep_copy(hc->submitted);
        const cw_props_t *own = hc->c->tasks[i].own;
        for (size_t k = 0; own && k < cw_props_count(own); k++)
            json_object_set_new(cfg, cw_props_key_at(own, k),
                                json_string(cw_props_value_at(own, k)));
        json_array_append_new(out, json_pack("{s:{s:s, s:i}, s:o}", "id", "connector", hc->name,
                                             "task", i, "config", cfg));
    }
    return out;
}

/* A config value as Kafka's Map<String, String> takes it. */
static json_t *value_text(const json_t *v) {
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_STRING: return json_string(json_string_value(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: snprintf(buf, sizeof buf, "%.17g", json_real_value(v)); break;
    case JSON_TRUE: return json_string("true");
    case JSON_FALSE: return json_string("false");
    default: return NULL;
    }
    return json_string(buf);
}

json_t *cw_herder_config_from_json(const char *name, const json_t *config, char *errstr,
                                   size_t errstr_size) {
    if (!json_is_object(config)) {
        qfail(errstr, errstr_size, 400, "the connector configuration must be a JSON object");
        return NULL;
    }
    if (!name || !*name) {
        qfail(errstr, errstr_size, 400, "Connector name is required");
        return NULL;
    }
    for (const char *p = name; *p; p++)
        if (iscntrl((unsigned char)*p)) {
            qfail(errstr, errstr_size, 400, "Connector name contains a control character");
            return NULL;
        }
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)config, k, v) {
        json_t *s = value_text(v);
        if (!s) {
            json_decref(out);
            qfail(errstr, errstr_size, 400, "%s: the value must be a string, number or boolean", k);
            return NULL;
        }
        json_object_set_new(out, k, s);
    }
    const char *included = json_string_value(json_object_get(out, "name"));
    if (included && strcmp(included, name) != 0) {
        qfail(errstr, errstr_size, 400,
              "Connector name configuration (%s) doesn't match connector name in the URL (%s)",
              included, name);
        json_decref(out);
        return NULL;
    }
    if (!included) json_object_set_new(out, "name", json_string(name));
    return out;
}

cw_props_t *cw_herder_props_from_json(const json_t *submitted, const char *origin) {
    cw_props_t *p = cw_props_new();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)submitted, k, v) cw_props_set(p, k, json_string_value(v));
    cw_props_set_origin(p, origin);
    return p;
}

json_t *cw_herder_json_from_props(const cw_props_t *p) {
    json_t *o = json_object();
    for (size_t i = 0; i < cw_props_count(p); i++)
        json_object_set_new(o, cw_props_key_at(p, i), json_string(cw_props_value_at(p, i)));
    return o;
}

void cw_herder_errors_text(const cw_errlist_t *errs, char *errstr, size_t errstr_size) {
    size_t off = (size_t)snprintf(errstr, errstr_size,
                                  "Connector configuration is invalid and contains the following "
                                  "%zu error(s):",
                                  errs->count);
    for (size_t i = 0; i < errs->count && off < errstr_size; i++)
        off += (size_t)snprintf(errstr + off, errstr_size - off, "\n%s", errs->items[i]);
    if (off < errstr_size)
        snprintf(errstr + off, errstr_size - off,
                 "\nYou can also find the above list of errors at the endpoint "
                 "`/connector-plugins/{connectorType}/config/validate`");
}

/* ------------------------------------------------------------------------------------------
 * Queries: state_lock only, so they never wait for a task to stop.
 * ---------------------------------------------------------------------------------------- */

typedef json_t *(*entity_fn)(const cw_herder_t *h, const cw_hconn_t *hc, int arg);

static int query(cw_herder_t *h, const char *name, entity_fn fn, int arg, json_t **out,
                 char *errstr, size_t errstr_size) {
    if (!atomic_load(&h->running))
        return qfail(errstr, errstr_size, 503, "the worker is starting or stopping");
    pthread_mutex_lock(&h->state_lock);
    cw_hconn_t *hc = cw_herder_find(h, name);
    json_t *v = hc ? fn(h, hc, arg) : NULL;
    pthread_mutex_unlock(&h->state_lock);
    if (!hc) return qfail(errstr, errstr_size, 404, "Connector %s not found", name ? name : "");
    if (!v) return qfail(errstr, errstr_size, 404, "Task %s-%d not found", name, arg);
    *out = v;
    return 0;
}

static json_t *e_info(const cw_herder_t *h, const cw_hconn_t *hc, int arg) {
    (void)h, (void)arg;
    return cw_hconn_info(hc);
}
static json_t *e_config(const cw_herder_t *h, const cw_hconn_t *hc, int arg) {
    (void)h, (void)arg;
    return json_deep_copy(hc->submitted);
}
static json_t *e_status(const cw_herder_t *h, const cw_hconn_t *hc, int arg) {
    (void)arg;
    return cw_hconn_status(h, hc);
}
static json_t *e_task_status(const cw_herder_t *h, const cw_hconn_t *hc, int task) {
    if (!hc->c || task < 0 || task >= hc->c->ntasks) return NULL;
    return cw_htask_status(h, hc, &hc->c->tasks[task]);
}
static json_t *e_task_configs(const cw_herder_t *h, const cw_hconn_t *hc, int arg) {
    (void)h, (void)arg;
    return cw_hconn_task_configs(hc);
}
static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
static json_t *e_topics(const cw_herder_t *h, const cw_hconn_t *hc, int arg) {
    (void)h, (void)arg;
    size_t n = json_object_size(hc->topics), i = 0;
    const char **names = calloc(n + 1, sizeof *names);
    const char *k;
    json_t *v;
    json_object_foreach(hc->topics, k, v) names[i++] = k;
    qsort(names, n, sizeof *names, cmp_str);
    json_t *arr = json_array();
    for (i = 0; i < n; i++) json_array_append_new(arr, json_string(names[i]));
    free(names);
    return json_pack("{s:{s:o}}", hc->name, "topics", arr);
}
static json_t *e_topics_reset(const cw_herder_t *h, const cw_hconn_t *hc, int arg) {
    (void)h, (void)arg;
    json_object_clear(hc->topics);
    return json_null();
}

int cw_herder_connector_info(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                             size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_info(d_, name, out, errstr, errstr_size);
    return query(h, name, e_info, 0, out, errstr, errstr_size);
}
int cw_herder_connector_config(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                               size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_config(d_, name, out, errstr, errstr_size);
    return query(h, name, e_config, 0, out, errstr, errstr_size);
}
int cw_herder_status(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                     size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_status(d_, name, -1, out, errstr, errstr_size);
    return query(h, name, e_status, 0, out, errstr, errstr_size);
}
int cw_herder_task_status(cw_herder_t *h, const char *name, int task, json_t **out, char *errstr,
                          size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_status(d_, name, task, out, errstr, errstr_size);
    return query(h, name, e_task_status, task, out, errstr, errstr_size);
}
int cw_herder_task_configs(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                           size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_task_configs(d_, name, out, errstr, errstr_size);
    return query(h, name, e_task_configs, 0, out, errstr, errstr_size);
}
int cw_herder_topics(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                     size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_unsupported(errstr, errstr_size);
    return query(h, name, e_topics, 0, out, errstr, errstr_size);
}
int cw_herder_topics_reset(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_unsupported(errstr, errstr_size);
    json_t *v = NULL;
    int rc = query(h, name, e_topics_reset, 0, &v, errstr, errstr_size);
    json_decref(v);
    return rc;
}

int cw_herder_connectors(cw_herder_t *h, int expand, json_t **out) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_connectors(d_, expand, out);
    pthread_mutex_lock(&h->state_lock);
    const char **names = calloc(h->nconns + 1, sizeof *names);
    for (size_t i = 0; i < h->nconns; i++) names[i] = h->conns[i]->name;
    qsort(names, h->nconns, sizeof *names, cmp_str);
    json_t *o = expand ? json_object() : json_array();
    for (size_t i = 0; i < h->nconns; i++) {
        if (!expand) {
            json_array_append_new(o, json_string(names[i]));
            continue;
        }
        cw_hconn_t *hc = cw_herder_find(h, names[i]);
        json_t *e = json_object();
        if (expand & CW_HERDER_EXPAND_STATUS)
            json_object_set_new(e, "status", cw_hconn_status(h, hc));
        if (expand & CW_HERDER_EXPAND_INFO) json_object_set_new(e, "info", cw_hconn_info(hc));
        json_object_set_new(o, names[i], e);
    }
    free(names);
    pthread_mutex_unlock(&h->state_lock);
    *out = o;
    return 0;
}
