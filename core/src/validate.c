/* Validation (see validate.h): problems of a plugin's validate callback, and the whole check
 * of one connector configuration. */
#include "validate.h"
#include "topic_match.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chain.h"
#include "errors.h"
#include "host.h"
#include "worker.h"

struct cw_validation {
    cw_errlist_t *errs; /* where problems go: a caller's list, or &own */
    cw_errlist_t own;   /* validation_begin: the collection itself */
    const char *origin; /* the file; NULL for validation_begin ("key: message" items) */
    const char *prefix; /* "transforms.<alias>." or "" */
    size_t since;       /* row problems of this configuration start here */
};

void cw_validation_error(cw_validation_t *v, const char *key, const char *fmt, ...) {
    if (!v || !fmt) return;
    if (!key) key = "";
    size_t kn = strlen(v->prefix) + strlen(key) + 1;
    char *full = malloc(kn);
    if (!full) abort();
    snprintf(full, kn, "%s%s", v->prefix, key);
    /* A value that does not parse was reported by its row; the plugin, reading the getter's
     * fallback instead, would only add a confusing second message for the same key. */
    if (!cw_errlist_has_key(v->errs, full, v->since)) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (v->origin)
            cw_errlist_add_key(v->errs, full, "%s: %s: %s", v->origin, full, msg);
        else
            cw_errlist_add_key(v->errs, full, "%s: %s", full, msg);
    }
    free(full);
}

cw_validation_t *cw_validation_begin(void) {
    cw_validation_t *v = calloc(1, sizeof *v);
    if (!v) abort();
    v->errs = &v->own;
    v->prefix = "";
    return v;
}

int cw_validation_end(cw_validation_t *v, char *errstr, size_t errstr_size) {
    if (!v) return 0;
    int n = (int)v->own.count;
    size_t o = 0;
    if (errstr && errstr_size) errstr[0] = '\0';
    for (size_t i = 0; errstr && i < v->own.count && o + 1 < errstr_size; i++) {
        int w = snprintf(errstr + o, errstr_size - o, "%s%s", i ? "; " : "", v->own.items[i]);
        if (w < 0) break;
        o += (size_t)w;
    }
    cw_errlist_free(&v->own);
    free(v);
    return n;
}

size_t cw_plugin_validate(const cw_plugin_t *p, const char *connector, const cw_config_t *config,
                          const char *origin, const char *prefix, size_t since,
                          cw_errlist_t *errs) {
    if (!p || !p->validate) return 0;
    size_t before = errs->count;
    cw_ctx_t ctx = {.connector = connector ? connector : "", .task = -1};
    cw_validation_t v = {.errs = errs,
                         .origin = origin ? origin : "<config>",
                         .prefix = prefix ? prefix : "",
                         .since = since};
    p->validate(&ctx, config, &v);
    return errs->count - before;
}

cw_config_def_t *cw_connector_defs_merge(const cw_config_def_t *plugin) {
    size_t n = 0, np = 0, nc = 0, ne = 0;
    while (plugin && plugin[np].name) np++;
    while (cw_connector_defs[nc].name) nc++;
    while (cw_errors_defs[ne].name) ne++;
    cw_config_def_t *d = calloc(np + nc + ne + 1, sizeof *d);
    if (!d) abort();
    /* The plugin's table first: its defaults win for a key both declare. */
    for (size_t i = 0; i < np; i++) d[n++] = plugin[i];
    for (size_t i = 0; i < nc; i++) d[n++] = cw_connector_defs[i];
    for (size_t i = 0; i < ne; i++) d[n++] = cw_errors_defs[i];
    return d;
}

const cw_plugin_t *cw_connector_plugin(const cw_registry_t *reg, const cw_props_t *props,
                                       const char *origin, cw_errlist_t *errs, const char **file) {
    const char *cls = cw_props_get(props, "connector.class");
    if (!cls) return NULL; /* the row of connector.class says it is required */
    const cw_plugin_t *p = cw_registry_find(reg, cls, 0, file);
    if (!p) {
        if (errs)
            cw_errlist_add_key(errs, "connector.class",
                               "%s: connector.class: no plugin called '%s' is loaded (see "
                               "--list-plugins; plugin.path and --plugin-path add more)",
                               origin, cls);
        return NULL;
    }
    if (p->kind != CW_PLUGIN_SOURCE && p->kind != CW_PLUGIN_SINK) {
        if (errs)
            cw_errlist_add_key(errs, "connector.class",
                               "%s: connector.class: '%s' is a %s plugin, not a connector", origin,
                               cls, cw_plugin_kind_name(p->kind));
        return NULL;
    }
    return p;
}

/* A source's offsets go to the worker's offset.storage.file.filename: its directory must
 * exist, or every flush fails (logged and retried) and no offset is ever stored. Said once
 * per list, however many source connectors there are. */
static void check_offsets_file(const struct cw_worker *w, cw_errlist_t *errs) {
    static const char key[] = "offset.storage.file.filename";
    const char *path = cw_config_get(w->config, key);
    if (!path || cw_errlist_has_key(errs, key, 0)) return;
    char *copy = strdup(path);
    if (!copy) abort();
    const char *dir = dirname(copy);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        cw_errlist_add_key(errs, key,
                           "%s: %s: directory '%s' does not exist (source "
                           "connectors store their offsets there)",
                           cw_props_origin(w->props), key, dir);
    else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        cw_errlist_add_key(errs, key,
                           "%s: %s: '%s' is a directory; name a file in it (e.g. "
                           "%s/connect.offsets)",
                           cw_props_origin(w->props), key, path, path);
    free(copy);
}

/* Kafka Connect refuses an empty name and one with ISO control characters (ConnectorConfig's
 * NonEmptyStringWithoutControlChars) and, in its REST API, a '/' (the name is a URL path
 * segment). Kafka sets no length; this worker bounds it at CW_CONNECTOR_NAME_MAX bytes: the
 * name becomes part of the consumer group, the client ids, every log line and the offsets
 * file. The message never repeats a long or odd name. */
static void check_name(const cw_props_t *props, const char *origin, cw_errlist_t *errs) {
    const char *name = cw_props_get(props, "name");
    if (!name || cw_errlist_has_key(errs, "name", 0)) return;
    size_t len = strlen(name);
    const char *why = NULL;
    char buf[160];
    if (len == 0) {
        why = "must not be empty";
    } else if (len > CW_CONNECTOR_NAME_MAX) {
        snprintf(buf, sizeof buf, "is %zu bytes long; at most %d are allowed", len,
                 CW_CONNECTOR_NAME_MAX);
        why = buf;
    } else if (strchr(name, '/')) {
        why = "must not contain '/' (as in Kafka Connect: the name is part of REST paths)";
    } else {
        for (const unsigned char *c = (const unsigned char *)name; *c; c++)
            if (*c < 0x20 || *c == 0x7f || (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)) {
                snprintf(buf, sizeof buf, "contains a control character (byte 0x%02x at %zu)", *c,
                         (size_t)(c - (const unsigned char *)name));
                why = buf;
                break;
            }
    }
    if (why) cw_errlist_add_key(errs, "name", "%s: name: the connector name %s", origin, why);
}

char *cw_connector_name_copy(const char *name) {
    size_t len = strlen(name);
    if (len <= CW_CONNECTOR_NAME_MAX) return strdup(name);
    char *copy = malloc(CW_CONNECTOR_NAME_MAX + 4);
    if (copy) snprintf(copy, CW_CONNECTOR_NAME_MAX + 4, "%.*s...", CW_CONNECTOR_NAME_MAX, name);
    return copy;
}

size_t cw_connector_validate(const struct cw_worker *w, const cw_props_t *props, const char *origin,
                             cw_errlist_t *errs, cw_errlist_t *unknown) {
    size_t before = errs->count;
    const cw_plugin_t *p = cw_connector_plugin(w->registry, props, origin, errs, NULL);
    cw_config_def_t *defs = cw_connector_defs_merge(p ? p->config : NULL);
    cw_config_validate(props, defs, "", origin, errs, unknown);
    check_name(props, origin, errs);
    const char *offsets_topic = cw_config_get(w->config, "offset.storage.topic");
    if (p && p->kind == CW_PLUGIN_SOURCE && !(offsets_topic && *offsets_topic))
        check_offsets_file(w, errs);
    if (p && p->kind == CW_PLUGIN_SINK) {
        const char *topics = cw_props_get(props, "topics");
        const char *regex = cw_props_get(props, "topics.regex");
        int has_t = topics && *topics, has_r = regex && *regex;
        if (has_t == has_r)
            cw_errlist_add_key(errs, "topics",
                               "%s: topics: a sink connector needs exactly one "
                               "of topics and topics.regex",
                               origin);
        char why[600];
        cw_topic_match_t *m = has_r ? cw_topic_match_new(regex, why, sizeof why) : NULL;
        if (has_r && !m) cw_errlist_add_key(errs, "topics.regex", "%s: %s", origin, why);
        cw_topic_match_destroy(m);
    }
    const char *name = cw_props_get(props, "name");
    cw_chain_validate(props, w->registry, name, origin, errs, unknown);
    cw_worker_check_kafka_props(w, props, errs);
    if (p) {
        cw_config_t *config = cw_config_new(props, defs);
        cw_plugin_validate(p, name, config, origin, "", before, errs);
        cw_config_free(config);
    }
    free(defs);
    return errs->count - before;
}
