/* GET /connector-plugins, GET /connector-plugins/{p}/config and
 * PUT /connector-plugins/{p}/config/validate (Kafka's ConnectorPluginsResource, with the
 * PluginInfo, ConfigKeyInfo and ConfigInfos entities). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "rest_internal.h"
#include "validate.h"
#include "version.h"
#include "worker.h"

/* Kafka's PluginInfo.class: the Java class name the plugin answers to (its first alias with a
 * dot, e.g. io.confluent.connect.s3.S3SinkConnector), else its own name. */
static const char *plugin_class(const cw_plugin_t *p) {
    for (const char *const *a = p->aliases; a && *a; a++)
        if (strchr(*a, '.')) return *a;
    return p->name;
}

static const char *plugin_type(cw_plugin_kind_t k) {
    switch (k) {
    case CW_PLUGIN_SINK: return "sink";
    case CW_PLUGIN_SOURCE: return "source";
    case CW_PLUGIN_TRANSFORM: return "transformation";
    case CW_PLUGIN_PREDICATE: return "predicate";
    }
    return "unknown";
}

typedef struct {
    json_t *list;
    cw_plugin_kind_t kind;
} list_ctx_t;

static void add_plugin(const cw_plugin_t *p, const char *file, void *opaque) {
    list_ctx_t *c = opaque;
    (void)file;
    if (p->kind != c->kind) return;
    json_array_append_new(c->list, json_pack("{s:s,s:s,s:s}", "class", plugin_class(p), "type",
                                             plugin_type(p->kind), "version",
                                             p->version ? p->version : cw_version()));
}

void cw_rest_h_plugins(cw_rest_req_t *q, cw_rest_resp_t *r) {
    /* Kafka's order: sinks, sources, transformations, predicates, converters. */
    static const cw_plugin_kind_t order[] = {CW_PLUGIN_SINK, CW_PLUGIN_SOURCE, CW_PLUGIN_TRANSFORM,
                                             CW_PLUGIN_PREDICATE};
    int only = cw_rest_query_bool(q, "connectorsOnly", 1);
    list_ctx_t c = {.list = json_array()};
    for (size_t i = 0; i < (only ? 2u : 4u); i++) {
        c.kind = order[i];
        cw_registry_foreach(q->rest->worker->registry, add_plugin, &c);
    }
    static const char *const converters[] = {
        "org.apache.kafka.connect.json.JsonConverter",
        "org.apache.kafka.connect.storage.StringConverter",
        "org.apache.kafka.connect.converters.ByteArrayConverter"};
    for (size_t i = 0; !only && i < 3; i++) /* built into the worker */
        json_array_append_new(c.list, json_pack("{s:s,s:s,s:s}", "class", converters[i], "type",
                                                "converter", "version", cw_version()));
    cw_rest_json(r, 200, c.list);
}

/* The rows of a connector plugin (its own first, then the framework's; a name once). */
static int row_shadowed(const cw_config_def_t *defs, const cw_config_def_t *d) {
    for (const cw_config_def_t *e = defs; e < d; e++)
        if (strcmp(e->name, d->name) == 0) return 1;
    return 0;
}

void cw_rest_h_plugin_config(cw_rest_req_t *q, cw_rest_resp_t *r) {
    const cw_plugin_t *p = cw_registry_find(q->rest->worker->registry, q->args[0], 0, NULL);
    if (!p) {
        cw_rest_error(r, 404, "Unknown plugin %s.", q->args[0]);
        return;
    }
    int connector = p->kind == CW_PLUGIN_SOURCE || p->kind == CW_PLUGIN_SINK;
    cw_config_def_t *defs = connector ? cw_connector_defs_merge(p->config) : NULL;
    const cw_config_def_t *rows = connector ? defs : p->config;
    json_t *list = json_array();
    int order = 0;
    for (const cw_config_def_t *d = rows; d && d->name; d++) {
        if (row_shadowed(rows, d)) continue;
        json_array_append_new(list, cw_rest_key_info(d, d->name, cw_rest_row_group(d, p), ++order,
                                                     cw_config_key_is_secret(rows, d->name)));
    }
    free(defs);
    cw_rest_json(r, 200, list);
}

/* --- validate ----------------------------------------------------------------------------- */

cw_props_t *cw_rest_props_from_json(json_t *obj, const char *origin, cw_rest_resp_t *r) {
    cw_props_t *p = cw_props_new();
    cw_props_set_origin(p, origin);
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        char num[64];
        const char *text = NULL;
        if (json_is_string(v))
            text = json_string_value(v);
        else if (json_is_integer(v))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), text = num;
        else if (json_is_real(v))
            snprintf(num, sizeof num, "%.17g", json_real_value(v)), text = num;
        else if (json_is_boolean(v))
            text = json_is_true(v) ? "true" : "false";
        else if (json_is_null(v))
            continue;
        if (!text) {
            cw_rest_error(r, 400, "Config value of %s must be a string, not an object or array", k);
            cw_props_free(p);
            return NULL;
        }
        cw_props_set(p, k, text);
    }
    return p;
}

void cw_rest_h_plugin_validate(cw_rest_req_t *q, cw_rest_resp_t *r) {
    json_t *body = cw_rest_body(q, r, JSON_OBJECT);
    if (!body) return;
    cw_props_t *raw = cw_rest_props_from_json(body, "config", r);
    json_decref(body);
    if (!raw) return;
    const char *cls = cw_props_get(raw, "connector.class");
    const cw_registry_t *reg = q->rest->worker->registry;
    const cw_plugin_t *want = cw_registry_find(reg, q->args[0], 0, NULL);
    const cw_plugin_t *have = cls ? cw_registry_find(reg, cls, 0, NULL) : NULL;
    if (cls && want != have && strcmp(cls, q->args[0]) != 0)
        cw_rest_error(r, 400, "Included connector type %s does not match request type %s", cls,
                      q->args[0]);
    else if (!cls)
        cw_rest_error(r, 400, "Connector config contains no connector type");
    else if (!have || (have->kind != CW_PLUGIN_SOURCE && have->kind != CW_PLUGIN_SINK))
        cw_rest_error(r, 400,
                      "Failed to find any class that implements Connector and which name "
                      "matches %s",
                      cls);
    else
        cw_rest_json(r, 200, cw_rest_config_infos(q->rest->worker, raw));
    cw_props_free(raw);
}
