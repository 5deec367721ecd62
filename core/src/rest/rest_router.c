/* Routing and the small helpers every handler uses (see rest_internal.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest_internal.h"
#include "distributed/dist.h"

void cw_rest_error(cw_rest_resp_t *r, int status, const char *fmt, ...) {
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_decref(r->json);
    free(r->text);
    free(r->location);
    r->text = NULL;
    r->location = NULL;
    r->status = status;
    r->json = json_pack("{s:i,s:s}", "error_code", status, "message", msg);
    if (!r->json) { /* not UTF-8 (a file name, a plugin's message): keep it ASCII */
        for (char *c = msg; *c; c++)
            if ((unsigned char)*c >= 0x80) *c = '?';
        r->json = json_pack("{s:i,s:s}", "error_code", status, "message", msg);
    }
}

void cw_rest_json(cw_rest_resp_t *r, int status, json_t *j) {
    if (!j) {
        cw_rest_error(r, 500, "out of memory");
        return;
    }
    json_decref(r->json);
    r->status = status;
    r->json = j;
}

const char *cw_rest_query(const cw_rest_req_t *q, const char *name) {
    return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

int cw_rest_query_bool(const cw_rest_req_t *q, const char *name, int dflt) {
    const char *v = cw_rest_query(q, name);
    return v ? strcasecmp(v, "true") == 0 : dflt;
}

/* Kafka (Jersey) takes JSON only; a request without a Content-Type is read as JSON too, since
 * curl users forget it and the body says what it is. */
static int json_content(const cw_rest_req_t *q) {
    const char *t = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Content-Type");
    if (!t || !*t) return 1;
    size_t n = strcspn(t, ";");
    while (n && t[n - 1] == ' ') n--;
    return (n == 16 && strncasecmp(t, "application/json", 16) == 0) ||
           (n > 5 && strncasecmp(t + n - 5, "+json", 5) == 0) ||
           (n == 3 && strncmp(t, "*/*", 3) == 0);
}

json_t *cw_rest_body(const cw_rest_req_t *q, cw_rest_resp_t *r, int type) {
    if (!json_content(q)) {
        cw_rest_error(r, 415, "HTTP 415 Unsupported Media Type");
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        cw_rest_error(r, 400, "Request body is not valid JSON: %s (line %d, column %d)", err.text,
                      err.line, err.column);
        return NULL;
    }
    if (type >= 0 && json_typeof(j) != (json_type)type) {
        cw_rest_error(r, 400, "Request body must be a JSON %s",
                      type == JSON_OBJECT ? "object" : "array");
        json_decref(j);
        return NULL;
    }
    return j;
}

static const cw_rest_route_t root_routes[] = {
    {"GET", "", cw_rest_h_root},
    {"GET", "health", cw_rest_h_health},
    {"GET", "metrics", cw_rest_h_metrics},
    {"GET", "admin/loggers", cw_rest_h_loggers},
    {"GET", "admin/loggers/*", cw_rest_h_logger_get},
    {"PUT", "admin/loggers/*", cw_rest_h_logger_put},
    {"GET", "connector-plugins", cw_rest_h_plugins},
    {"GET", "connector-plugins/*/config", cw_rest_h_plugin_config},
    {"PUT", "connector-plugins/*/config/validate", cw_rest_h_plugin_validate},
    {NULL, NULL, NULL},
};

/* Does `path` (segments, empty ones skipped) match `pattern`? Captures the '*' segments. */
static int match(const char *pattern, char **segs, size_t nsegs, const char **args) {
    size_t i = 0, a = 0;
    const char *p = pattern;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (i == nsegs) return 0;
        if (n == 1 && *p == '*') {
            if (a < CW_REST_MAX_ARGS) args[a++] = segs[i];
        } else if (strlen(segs[i]) != n || strncmp(segs[i], p, n) != 0) {
            return 0;
        }
        i++;
        p += n;
        if (*p == '/') p++;
    }
    return i == nsegs;
}

void cw_rest_route(cw_rest_req_t *q, cw_rest_resp_t *r) {
    if (cw_dist_forward(q, r)) return; /* distributed mode: a write on a follower */
    char *copy = strdup(q->url);
    char *segs[16];
    size_t nsegs = 0;
    int too_deep = 0;
    for (char *save = NULL, *s = strtok_r(copy, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
        if (nsegs == sizeof segs / sizeof *segs) {
            too_deep = 1;
            break;
        }
        segs[nsegs++] = s;
    }
    int path_known = 0;
    const cw_rest_route_t *tables[] = {root_routes, cw_rest_connector_routes};
    for (size_t t = 0; !too_deep && t < 2; t++)
        for (const cw_rest_route_t *rt = tables[t]; rt->method; rt++) {
            const char *args[CW_REST_MAX_ARGS] = {0};
            if (!match(rt->pattern, segs, nsegs, args)) continue;
            path_known = 1;
            /* HEAD is GET without the body (libmicrohttpd drops it). */
            if (strcmp(rt->method, q->method) != 0 &&
                !(strcmp(q->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
                continue;
            memcpy(q->args, args, sizeof args);
            rt->fn(q, r);
            free(copy);
            return;
        }
    free(copy);
    if (path_known)
        cw_rest_error(r, 405, "HTTP 405 Method Not Allowed");
    else
        cw_rest_error(r, 404, "HTTP 404 Not Found");
}
