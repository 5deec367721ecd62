/* Kafka's ConfigInfos for one connector configuration: every row of the connector (its own,
 * the common keys, errors.*) with its definition and value, and every problem that
 * cw_connector_validate found, under the key it names. Secrets show as "[hidden]". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "rest_internal.h"
#include "validate.h"
#include "worker.h"

/* The messages of cw_connector_validate read "config: <key>: <message>"; Kafka's errors are
 * the message alone. Returns the key (malloc'd) or NULL, and where the message starts. */
static char *split_error(const cw_errlist_t *errs, size_t i, const char **msg) {
    const char *item = errs->items[i], *key = errs->keys[i];
    *msg = item;
    if (strncmp(item, "config: ", 8) == 0) item += 8;
    if (key) {
        size_t n = strlen(key);
        if (strncmp(item, key, n) == 0 && strncmp(item + n, ": ", 2) == 0) item += n + 2;
        *msg = item;
        return strdup(key);
    }
    /* No key recorded: "config: <key>: message" when the middle part looks like a key. */
    const char *colon = strstr(item, ": ");
    if (!colon || memchr(item, ' ', (size_t)(colon - item))) return NULL;
    *msg = colon + 2;
    return strndup(item, (size_t)(colon - item));
}

typedef struct {
    json_t *configs, *groups;
    const cw_props_t *raw;
    const cw_config_def_t *defs;
    cw_errlist_t *errs;
    char **keys; /* per error: its key or NULL */
    const char **msgs;
    int *used;
    int count;
} infos_t;

static json_t *value_info(infos_t *c, const char *name, const char *dflt, const char *allowed) {
    const char *v = cw_props_get(c->raw, name);
    if (!v) v = dflt;
    if (v && cw_config_key_is_secret(c->defs, name)) v = "[hidden]";
    json_t *rec = json_array(), *errors = json_array();
    while (allowed && *allowed) {
        size_t n = strcspn(allowed, ",");
        json_array_append_new(rec, json_stringn(allowed, n));
        allowed += n + (allowed[n] == ',');
    }
    for (size_t i = 0; i < c->errs->count; i++) {
        if (c->used[i] || !c->keys[i] || strcmp(c->keys[i], name) != 0) continue;
        json_array_append_new(errors, json_string(c->msgs[i]));
        c->used[i] = 1;
        c->count++;
    }
    return json_pack("{s:s,s:s?,s:o,s:o,s:b}", "name", name, "value", v, "recommended_values", rec,
                     "errors", errors, "visible", 1);
}

static void add_group(infos_t *c, const char *g) {
    size_t i;
    json_t *v;
    json_array_foreach(c->groups, i, v) if (strcmp(json_string_value(v), g) == 0) return;
    json_array_append_new(c->groups, json_string(g));
}

const char *cw_rest_row_group(const cw_config_def_t *d, const cw_plugin_t *p) {
    if (p && p->config && cw_config_def_find(p->config, d->name)) return p->name;
    if (cw_config_def_find(cw_errors_defs, d->name)) return "Error Handling";
    if (strncmp(d->name, "transforms", 10) == 0) return "Transforms";
    if (strncmp(d->name, "predicates", 10) == 0) return "Predicates";
    return "Common";
}

json_t *cw_rest_key_info(const cw_config_def_t *d, const char *name, const char *group, int order,
                         int secret) {
    static const char *const types[] = {"STRING", "LONG", "DOUBLE", "BOOLEAN", "LIST"};
    int required = (d->flags & CW_CFG_F_REQUIRED) != 0;
    return json_pack("{s:s,s:s,s:b,s:s?,s:s,s:s,s:s,s:i,s:s,s:s,s:[]}", "name", name, "type",
                     secret ? "PASSWORD" : types[d->type], "required", required, "default_value",
                     d->default_value && secret ? "[hidden]" : d->default_value, "importance",
                     required ? "HIGH" : "MEDIUM", "documentation", d->doc ? d->doc : "", "group",
                     group, "order", order, "width", "NONE", "display_name", name, "dependents");
}

static void add_rows(infos_t *c, const cw_plugin_t *p) {
    int order = 0;
    for (const cw_config_def_t *d = c->defs; d->name; d++) {
        if (cw_config_def_find(c->defs, d->name) != d) continue; /* shadowed by the plugin */
        const char *g = cw_rest_row_group(d, p);
        add_group(c, g);
        if (!(d->flags & CW_CFG_F_PREFIX)) {
            int secret = cw_config_key_is_secret(c->defs, d->name);
            json_array_append_new(
                c->configs, json_pack("{s:o,s:o}", "definition",
                                      cw_rest_key_info(d, d->name, g, ++order, secret), "value",
                                      value_info(c, d->name, d->default_value, d->allowed)));
            continue;
        }
        /* A prefix row (transforms., producer.override. ...): one entry per key it declares. */
        size_t n = strlen(d->name);
        for (size_t i = 0; i < cw_props_count(c->raw); i++) {
            const char *k = cw_props_key_at(c->raw, i);
            if (strncmp(k, d->name, n) != 0 || cw_config_def_find(c->defs, k) != d) continue;
            int secret = cw_config_key_is_secret(c->defs, k);
            json_array_append_new(c->configs,
                                  json_pack("{s:o,s:o}", "definition",
                                            cw_rest_key_info(d, k, g, ++order, secret), "value",
                                            value_info(c, k, NULL, d->allowed)));
        }
    }
}

/* Problems no row took: under their key with no definition (as Kafka reports keys its
 * ConfigDef lacks), or, with no key, under connector.class's neighbour "name". */
static void add_orphans(infos_t *c) {
    for (size_t i = 0; i < c->errs->count; i++) {
        if (c->used[i]) continue;
        const char *key = c->keys[i] ? c->keys[i] : "name";
        json_t *v = value_info(c, key, NULL, NULL);
        if (!c->keys[i]) { /* value_info took only the keyed ones */
            json_array_append_new(json_object_get(v, "errors"), json_string(c->msgs[i]));
            c->used[i] = 1;
            c->count++;
        }
        json_array_append_new(c->configs, json_pack("{s:n,s:o}", "definition", "value", v));
    }
}

json_t *cw_rest_config_infos(struct cw_worker *w, const cw_props_t *raw) {
    cw_errlist_t errs = {0};
    cw_props_t *resolved = cw_props_copy(raw);
    char err[1024];
    if (cw_props_resolve(resolved, err, sizeof err))
        cw_errlist_add(&errs, "%s", err);
    else
        cw_connector_validate(w, resolved, "config", &errs, NULL);
    cw_props_free(resolved);
    const cw_plugin_t *p = cw_connector_plugin(w->registry, raw, "config", NULL, NULL);
    cw_config_def_t *defs = cw_connector_defs_merge(p ? p->config : NULL);
    infos_t c = {.configs = json_array(),
                 .groups = json_array(),
                 .raw = raw,
                 .defs = defs,
                 .errs = &errs,
                 .keys = calloc(errs.count + 1, sizeof(char *)),
                 .msgs = calloc(errs.count + 1, sizeof(char *)),
                 .used = calloc(errs.count + 1, sizeof(int))};
    if (!c.keys || !c.msgs || !c.used) abort();
    for (size_t i = 0; i < errs.count; i++) c.keys[i] = split_error(&errs, i, &c.msgs[i]);
    add_rows(&c, p);
    add_orphans(&c);
    json_t *out = json_pack("{s:s,s:i,s:o,s:o}", "name", cw_props_get(raw, "connector.class"),
                            "error_count", c.count, "groups", c.groups, "configs", c.configs);
    for (size_t i = 0; i < errs.count; i++) free(c.keys[i]);
    free(c.keys);
    free(c.msgs);
    free(c.used);
    free(defs);
    cw_errlist_free(&errs);
    return out;
}
