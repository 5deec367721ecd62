/* PUT /connector-plugins/{p}/config/validate: a configuration checked as cw_connector_validate
 * does (the plugin's validate hook included), answered in Kafka's ConfigInfos shape: one
 * entry per key of the connector's table (plugin rows, the common connector keys, errors.*)
 * and per key a problem names, each with its errors. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "herder_internal.h"
#include "validate.h"

static const char *type_name(const cw_config_def_t *d) {
    if (d->flags & CW_CFG_F_SECRET) return "PASSWORD";
    switch (d->type) {
    case CW_CFG_INT: return "INT";
    case CW_CFG_DOUBLE: return "DOUBLE";
    case CW_CFG_BOOL: return "BOOLEAN";
    case CW_CFG_LIST: return "LIST";
    default: return "STRING";
    }
}

static const char *group_of(const char *key, const cw_plugin_t *p) {
    if (cw_config_def_find(cw_errors_defs, key)) return "Error Handling";
    if (strncmp(key, "transforms", 10) == 0) return "Transforms";
    if (strncmp(key, "predicates", 10) == 0) return "Predicates";
    if (cw_config_def_find(p->config, key)) return p->name;
    return "Common";
}

static json_t *definition(const cw_config_def_t *d, const char *key, const cw_plugin_t *p,
                          int order) {
    json_t *def = d && d->default_value
                      ? json_string((d->flags & CW_CFG_F_SECRET) ? "[hidden]" : d->default_value)
                      : json_null();
    return json_pack("{s:s, s:s, s:b, s:o, s:s, s:s, s:s, s:s, s:s, s:[], s:i}", "name", key,
                     "type", d ? type_name(d) : "STRING", "required",
                     d && (d->flags & CW_CFG_F_REQUIRED), "default_value", def, "importance",
                     d && (d->flags & CW_CFG_F_REQUIRED) ? "HIGH" : "MEDIUM", "documentation",
                     d && d->doc ? d->doc : "", "group", group_of(key, p), "width", "NONE",
                     "display_name", key, "dependents", "order", order);
}

static json_t *value(const char *key, const json_t *config, int secret, const cw_errlist_t *errs) {
    const json_t *v = json_object_get(config, key);
    json_t *errors = json_array();
    char prefix[600];
    snprintf(prefix, sizeof prefix, "validate: %s: ", key);
    for (size_t i = 0; i < errs->count; i++) {
        if (!errs->keys[i] || strcmp(errs->keys[i], key) != 0) continue;
        /* The key is the entry's: its errors are the bare messages, as Kafka's. */
        const char *m = errs->items[i];
        if (strncmp(m, prefix, strlen(prefix)) == 0) m += strlen(prefix);
        json_array_append_new(errors, json_string(m));
    }
    json_t *shown = !v ? json_null() : json_string(secret ? "[hidden]" : json_string_value(v));
    return json_pack("{s:s, s:o, s:[], s:o, s:b}", "name", key, "value", shown,
                     "recommended_values", "errors", errors, "visible", 1);
}

static void add_entry(json_t *configs, json_t *seen, const cw_config_def_t *d, const char *key,
                      const cw_plugin_t *p, const json_t *config, const cw_errlist_t *errs) {
    if (json_object_get(seen, key)) return;
    json_object_set_new(seen, key, json_true());
    int secret = d ? (d->flags & CW_CFG_F_SECRET) != 0 : cw_config_key_is_secret(NULL, key);
    json_array_append_new(configs, json_pack("{s:o, s:o}", "definition",
                                             definition(d, key, p, (int)json_array_size(configs)),
                                             "value", value(key, config, secret, errs)));
}

static int vfail(char *errstr, size_t errstr_size, int code, const char *fmt, ...) CW_PRINTF(4, 5);
static int vfail(char *errstr, size_t errstr_size, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
    return code;
}

int cw_herder_validate(cw_herder_t *h, const char *plugin, const json_t *config, json_t **out,
                       char *errstr, size_t errstr_size) {
    const cw_registry_t *reg = h->w->registry;
    const cw_plugin_t *p = cw_registry_find(reg, plugin, 0, NULL);
    if (!p || (p->kind != CW_PLUGIN_SOURCE && p->kind != CW_PLUGIN_SINK))
        return vfail(errstr, errstr_size, 400,
                     "Failed to find any class that implements Connector and which name matches "
                     "%s",
                     plugin);
    if (!json_is_object(config))
        return vfail(errstr, errstr_size, 400, "the configuration must be a JSON object");
    const char *cls = json_string_value(json_object_get(config, "connector.class"));
    cw_props_t *props = cw_props_new();
    cw_props_set_origin(props, "validate");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)config, k, v) {
        if (!json_is_string(v)) {
            cw_props_free(props);
            return vfail(errstr, errstr_size, 400, "%s: the value must be a string", k);
        }
        cw_props_set(props, k, json_string_value(v));
    }
    if (cls && cw_registry_find(reg, cls, 0, NULL) != p) {
        cw_props_free(props);
        return vfail(errstr, errstr_size, 400,
                     "Included connector type %s does not match request type %s", cls, plugin);
    }
    if (!cls) cw_props_set(props, "connector.class", plugin);
    cw_errlist_t errs = {0};
    char err[2048];
    if (cw_props_resolve(props, err, sizeof err))
        cw_errlist_add(&errs, "%s", err);
    else
        cw_connector_validate(h->w, props, "validate", &errs, NULL);
    cw_props_free(props);
    cw_config_def_t *defs = cw_connector_defs_merge(p->config);
    json_t *configs = json_array(), *seen = json_object();
    for (const cw_config_def_t *d = defs; d->name; d++)
        if (!(d->flags & CW_CFG_F_PREFIX)) add_entry(configs, seen, d, d->name, p, config, &errs);
    json_object_foreach((json_t *)config, k, v)
        add_entry(configs, seen, cw_config_def_find(defs, k), k, p, config, &errs);
    for (size_t i = 0; i < errs.count; i++)
        if (errs.keys[i])
            add_entry(configs, seen, cw_config_def_find(defs, errs.keys[i]), errs.keys[i], p,
                      config, &errs);
    /* Problems that name no key are counted on connector.class, as Kafka reports a plugin's
     * failure there. */
    json_t *groups = json_array(), *gseen = json_object();
    size_t i;
    json_array_foreach(configs, i, v) {
        const char *g =
            json_string_value(json_object_get(json_object_get(v, "definition"), "group"));
        if (!json_object_get(gseen, g)) json_array_append_new(groups, json_string(g));
        json_object_set_new(gseen, g, json_true());
        if (strcmp(json_string_value(json_object_get(json_object_get(v, "definition"), "name")),
                   "connector.class") != 0)
            continue;
        json_t *e = json_object_get(json_object_get(v, "value"), "errors");
        for (size_t k2 = 0; k2 < errs.count; k2++)
            if (!errs.keys[k2]) json_array_append_new(e, json_string(errs.items[k2]));
    }
    *out = json_pack("{s:s, s:i, s:o, s:o}", "name", cls ? cls : plugin, "error_count",
                     (int)errs.count, "groups", groups, "configs", configs);
    json_decref(seen);
    json_decref(gseen);
    free(defs);
    cw_errlist_free(&errs);
    return 0;
}
