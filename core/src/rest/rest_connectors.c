/* /connectors...: Kafka's ConnectorsResource over the herder (herder.h). Each handler reads
 * the path and body, calls one herder function and answers with the status Kafka's resource
 * answers with; the herder's error codes are HTTP statuses already. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest_internal.h"
#include "herder.h"

#define ERRSZ CW_HERDER_ERRSTR_SIZE

static cw_herder_t *herder(const cw_rest_req_t *q) { return cw_worker_herder(q->rest->worker); }

/* The answer of a herder call: `ok` with *out (or no body when out is NULL), else the error. */
static void answer(cw_rest_resp_t *r, int rc, int ok, json_t *out, const char *err) {
    if (rc != CW_HERDER_OK) {
        cw_rest_error(r, rc, "%s", err);
        return;
    }
    r->status = ok;
    if (out) cw_rest_json(r, ok, out);
}

/* {t} of /tasks/{t}/...: Jersey answers a path that does not parse as an Integer with 404. */
static int task_id(const cw_rest_req_t *q, cw_rest_resp_t *r, int *task) {
    char *end;
    errno = 0;
    long t = strtol(q->args[1], &end, 10);
    if (errno || *end || end == q->args[1] || t < 0 || t > 1000000) {
        cw_rest_error(r, 404, "HTTP 404 Not Found");
        return -1;
    }
    *task = (int)t;
    return 0;
}

static enum MHD_Result expand_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value) {
    int *expand = cls;
    (void)kind;
    if (key && strcmp(key, "expand") == 0 && value) {
        if (strcmp(value, "status") == 0) *expand |= CW_HERDER_EXPAND_STATUS;
        if (strcmp(value, "info") == 0) *expand |= CW_HERDER_EXPAND_INFO;
    }
    return MHD_YES;
}

static void h_list(cw_rest_req_t *q, cw_rest_resp_t *r) {
    int expand = 0;
    MHD_get_connection_values(q->conn, MHD_GET_ARGUMENT_KIND, expand_arg, &expand);
    /* ?expand=unknown still answers the object form, as Kafka does. */
    if (!expand && cw_rest_query(q, "expand")) expand = 4;
    json_t *out = NULL;
    int rc = cw_herder_connectors(herder(q), expand & 3, &out);
    if (rc == CW_HERDER_OK && expand == 4) { /* names only: {name: {}} */
        json_t *obj = json_object();
        size_t i;
        json_t *v;
        json_array_foreach(out, i, v) json_object_set_new(obj, json_string_value(v), json_object());
        json_decref(out);
        out = obj;
    }
    answer(r, rc, 200, out, "the herder is not running");
}

/* Location of a created connector, as Kafka's UriBuilder.path(name) gives it. */
static void set_location(cw_rest_resp_t *r, const char *name) {
    free(r->location);
    r->location = NULL;
    size_t n = strlen(name);
    char *loc = malloc(12 + 3 * n + 1), *o = loc;
    if (!loc) return;
    o += sprintf(o, "/connectors/");
    for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("-._~", *s))
            *o++ = (char)*s;
        else
            o += sprintf(o, "%%%02X", *s);
    }
    *o = '\0';
    r->location = loc;
}

static void h_create(cw_rest_req_t *q, cw_rest_resp_t *r) {
    json_t *body = cw_rest_body(q, r, JSON_OBJECT);
    if (!body) return;
    json_t *jname = json_object_get(body, "name"), *config = json_object_get(body, "config");
    json_t *jstate = json_object_get(body, "initial_state");
    cw_target_state_t state = CW_TARGET_RUNNING;
    char err[ERRSZ];
    if (jname && !json_is_string(jname)) {
        cw_rest_error(r, 400, "Connector name must be a string");
    } else if (!json_is_object(config)) {
        cw_rest_error(r, 400, "Connector configuration 'config' must be a JSON object");
    } else if (jstate && !json_is_null(jstate) &&
               (!json_is_string(jstate) ||
                cw_target_state_parse(json_string_value(jstate), &state))) {
        cw_rest_error(r, 400, "initial_state must be one of RUNNING, PAUSED, STOPPED");
    } else {
        json_t *out = NULL;
        const char *name = jname ? json_string_value(jname) : "";
        int rc = cw_herder_create(herder(q), name, config, state, &out, err, sizeof err);
        answer(r, rc, 201, out, err);
        if (rc == CW_HERDER_OK) set_location(r, json_string_value(json_object_get(out, "name")));
    }
    json_decref(body);
}

static void h_info(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_connector_info(herder(q), q->args[0], &out, err, sizeof err);
    answer(r, rc, 200, out, err);
}

static void h_delete(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    answer(r, cw_herder_delete(herder(q), q->args[0], err, sizeof err), 204, NULL, err);
}

static void h_config_get(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_connector_config(herder(q), q->args[0], &out, err, sizeof err);
    answer(r, rc, 200, out, err);
}

static void h_config_put(cw_rest_req_t *q, cw_rest_resp_t *r) {
    json_t *body = cw_rest_body(q, r, JSON_OBJECT);
    if (!body) return;
    char err[ERRSZ];
    json_t *out = NULL;
    int created = 0;
    int rc = cw_herder_put_config(herder(q), q->args[0], body, &created, &out, err, sizeof err);
    answer(r, rc, created ? 201 : 200, out, err);
    if (rc == CW_HERDER_OK && created) set_location(r, q->args[0]);
    json_decref(body);
}

static void h_config_patch(cw_rest_req_t *q, cw_rest_resp_t *r) {
    json_t *body = cw_rest_body(q, r, JSON_OBJECT);
    if (!body) return;
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_patch_config(herder(q), q->args[0], body, &out, err, sizeof err);
    answer(r, rc, 200, out, err);
    json_decref(body);
}

static void h_status(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_status(herder(q), q->args[0], &out, err, sizeof err);
    answer(r, rc, 200, out, err);
}

static void h_tasks(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_task_configs(herder(q), q->args[0], &out, err, sizeof err);
    answer(r, rc, 200, out, err);
}

static void h_task_status(cw_rest_req_t *q, cw_rest_resp_t *r) {
    int task;
    if (task_id(q, r, &task)) return;
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_task_status(herder(q), q->args[0], task, &out, err, sizeof err);
    answer(r, rc, 200, out, err);
}

static void h_task_restart(cw_rest_req_t *q, cw_rest_resp_t *r) {
    int task;
    if (task_id(q, r, &task)) return;
    char err[ERRSZ];
    answer(r, cw_herder_restart_task(herder(q), q->args[0], task, err, sizeof err), 204, NULL, err);
}

static void h_restart(cw_rest_req_t *q, cw_rest_resp_t *r) {
    int tasks = cw_rest_query_bool(q, "includeTasks", 0);
    int failed = cw_rest_query_bool(q, "onlyFailed", 0);
    char err[ERRSZ];
    json_t *status = NULL;
    int rc =
        cw_herder_restart_connector(herder(q), q->args[0], tasks, failed, &status, err, sizeof err);
    answer(r, rc, status ? 202 : 204, status, err);
}

static void h_pause(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    answer(r, cw_herder_pause(herder(q), q->args[0], err, sizeof err), 202, NULL, err);
}

static void h_resume(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    answer(r, cw_herder_resume(herder(q), q->args[0], err, sizeof err), 202, NULL, err);
}

static void h_stop(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    answer(r, cw_herder_stop(herder(q), q->args[0], err, sizeof err), 204, NULL, err);
}

static void h_topics(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_topics(herder(q), q->args[0], &out, err, sizeof err);
    answer(r, rc, 200, out, err);
}

static void h_topics_reset(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    answer(r, cw_herder_topics_reset(herder(q), q->args[0], err, sizeof err), 202, NULL, err);
}

static void h_offsets_get(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_offsets_get(herder(q), q->args[0], &out, err, sizeof err);
    answer(r, rc, 200, out, err);
}

static void h_offsets_patch(cw_rest_req_t *q, cw_rest_resp_t *r) {
    json_t *body = cw_rest_body(q, r, JSON_OBJECT);
    if (!body) return;
    json_t *offsets = json_object_get(body, "offsets");
    if (!json_is_array(offsets) || json_array_size(offsets) == 0) {
        cw_rest_error(r, 400,
                      "Partitions / offsets need to be provided for an alter offsets request");
        json_decref(body);
        return;
    }
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_offsets_alter(herder(q), q->args[0], body, &out, err, sizeof err);
    answer(r, rc, 200, out, err);
    json_decref(body);
}

static void h_offsets_delete(cw_rest_req_t *q, cw_rest_resp_t *r) {
    char err[ERRSZ];
    json_t *out = NULL;
    int rc = cw_herder_offsets_reset(herder(q), q->args[0], &out, err, sizeof err);
    answer(r, rc, 200, out, err);
}

const cw_rest_route_t cw_rest_connector_routes[] = {
    {"GET", "connectors", h_list},
    {"POST", "connectors", h_create},
    {"GET", "connectors/*", h_info},
    {"DELETE", "connectors/*", h_delete},
    {"GET", "connectors/*/config", h_config_get},
    {"PUT", "connectors/*/config", h_config_put},
    {"PATCH", "connectors/*/config", h_config_patch},
    {"GET", "connectors/*/status", h_status},
    {"POST", "connectors/*/restart", h_restart},
    {"PUT", "connectors/*/pause", h_pause},
    {"PUT", "connectors/*/resume", h_resume},
    {"PUT", "connectors/*/stop", h_stop},
    {"GET", "connectors/*/tasks", h_tasks},
    {"GET", "connectors/*/tasks/*/status", h_task_status},
    {"POST", "connectors/*/tasks/*/restart", h_task_restart},
    {"GET", "connectors/*/topics", h_topics},
    {"PUT", "connectors/*/topics/reset", h_topics_reset},
    {"GET", "connectors/*/offsets", h_offsets_get},
    {"PATCH", "connectors/*/offsets", h_offsets_patch},
    {"DELETE", "connectors/*/offsets", h_offsets_delete},
    {NULL, NULL, NULL},
};
