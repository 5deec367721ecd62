/* What the REST server's files share: the server, one request, one response, the handlers. */
#ifndef CW_REST_INTERNAL_H
#define CW_REST_INTERNAL_H
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "rest.h"
#include "rest_auth.h"
#include "props.h"
#include "rest_config.h"

struct cw_rest {
    struct cw_worker *worker;
    cw_rest_config_t cfg;
    struct MHD_Daemon *daemons[CW_REST_MAX_LISTENERS];
    size_t ndaemons;
    cw_rest_auth_t *auth; /* NULL: no authentication */
    char *url;            /* advertised */
    int64_t started_ms;
    pthread_mutex_t lock;       /* guards what follows */
    char *cluster_id;           /* cached after the first GET / */
    int64_t cluster_id_miss_ms; /* when Kafka last did not tell it (0: never) */
    int64_t level_set_ms;       /* last PUT /admin/loggers/root; 0 = never */
};

#define CW_REST_MAX_ARGS 4

typedef struct cw_rest_req {
    cw_rest_t *rest;
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    const char *args[CW_REST_MAX_ARGS]; /* the path segments the route's '*' matched */
    const char *body;                   /* NUL-terminated; "" when none */
    size_t body_len;
} cw_rest_req_t;

typedef struct cw_rest_resp {
    int status;
    json_t *json; /* owned; serialised as application/json */
    char *text;   /* or owned text with content_type */
    size_t text_len;
    const char *content_type; /* static */
    char *location;           /* owned: the Location header of a 201, or NULL */
} cw_rest_resp_t;

typedef void (*cw_rest_handler_fn)(cw_rest_req_t *q, cw_rest_resp_t *r);

typedef struct cw_rest_route {
    const char *method;
    const char *pattern; /* segments separated by '/'; '*' matches one segment */
    cw_rest_handler_fn fn;
} cw_rest_route_t;

/** The /connectors routes (rest_connectors.c), ending with {NULL}. */
extern const cw_rest_route_t cw_rest_connector_routes[];

/** Kafka's ErrorMessage: {"error_code":status,"message":...}. */
void cw_rest_error(cw_rest_resp_t *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Takes `j` (a reference is stolen; NULL means out of memory: 500). */
void cw_rest_json(cw_rest_resp_t *r, int status, json_t *j);
/** The body as JSON of `type` (JSON_OBJECT or JSON_ARRAY; -1 any). NULL after setting 400
 *  (malformed or of another type) or 415 (not JSON content) in r. */
json_t *cw_rest_body(const cw_rest_req_t *q, cw_rest_resp_t *r, int type);
/** A query argument, or NULL. */
const char *cw_rest_query(const cw_rest_req_t *q, const char *name);
/** A boolean query argument as Jersey reads one ("true" ignoring case is true, anything else
 *  false), or `dflt` when absent. */
int cw_rest_query_bool(const cw_rest_req_t *q, const char *name, int dflt);

/** A connector configuration from a JSON object of strings (numbers and booleans are taken
 *  as their text, null as absent). NULL after a 400 in r. */
cw_props_t *cw_rest_props_from_json(json_t *obj, const char *origin, cw_rest_resp_t *r);
/** Kafka's ConfigKeyInfo of a row, under `name` (the row's, or a key a prefix row declares). */
json_t *cw_rest_key_info(const cw_config_def_t *d, const char *name, const char *group, int order,
                         int secret);
/** The group of a connector row: Common, Transforms, Predicates, Error Handling, or the
 *  plugin's name for its own rows. */
const char *cw_rest_row_group(const cw_config_def_t *d, const cw_plugin_t *p);

/** Routes a complete request to its handler (404 / 405 in Kafka's shape otherwise). */
void cw_rest_route(cw_rest_req_t *q, cw_rest_resp_t *r);

/* Handlers (rest_root.c, rest_plugins.c, rest_connectors.c). */
void cw_rest_h_root(cw_rest_req_t *q, cw_rest_resp_t *r);
void cw_rest_h_health(cw_rest_req_t *q, cw_rest_resp_t *r);
void cw_rest_h_metrics(cw_rest_req_t *q, cw_rest_resp_t *r);
void cw_rest_h_loggers(cw_rest_req_t *q, cw_rest_resp_t *r);
void cw_rest_h_logger_get(cw_rest_req_t *q, cw_rest_resp_t *r);
void cw_rest_h_logger_put(cw_rest_req_t *q, cw_rest_resp_t *r);
void cw_rest_h_plugins(cw_rest_req_t *q, cw_rest_resp_t *r);
void cw_rest_h_plugin_config(cw_rest_req_t *q, cw_rest_resp_t *r);
void cw_rest_h_plugin_validate(cw_rest_req_t *q, cw_rest_resp_t *r);
#endif
