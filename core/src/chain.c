/* Transform chains, Kafka Connect style. */
#include "chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host.h"
#include "validate.h"

typedef struct {
    const cw_plugin_t *plugin;
    char *alias;
    cw_config_t *config;
    void *state;
    int configured;
} instance_t;

typedef struct {
    instance_t t;
    int pred; /* index into preds, -1 when none */
    int negate;
} step_t;

struct cw_chain {
    step_t *steps;
    size_t nsteps;
    instance_t *preds;
    size_t npreds;
};

/* The chain's own keys inside transforms.<alias>. and predicates.<alias>.: not the plugin's. */
static cw_props_t *plugin_keys(const cw_props_t *conn, const char *prefix) {
    cw_props_t *sub = cw_props_subset(conn, prefix);
    cw_props_unset(sub, "type");
    cw_props_unset(sub, "predicate");
    cw_props_unset(sub, "negate");
    cw_props_set_origin(sub, cw_props_origin(conn));
    return sub;
}

static int is_bool(const char *v) {
    return v && (strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0);
}

static char **split(const char *v, size_t *n) {
    *n = 0;
    if (!v) return NULL;
    size_t cap = 1;
    for (const char *p = v; *p; p++) cap += *p == ',';
    char **out = calloc(cap + 1, sizeof *out);
    const char *s = v;
    while (1) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        while (len && (*s == ' ' || *s == '\t')) s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
        if (len) out[(*n)++] = strndup(s, len);
        if (!e) break;
        s = e + 1;
    }
    return out;
}

static void free_list(char **l, size_t n) {
    for (size_t i = 0; i < n; i++) free(l[i]);
    free(l);
}

static int list_has(char **l, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i], s) == 0) return 1;
    return 0;
}

/* Checks one listed alias (`list` is "transforms" or "predicates"): it has a type, the type
 * names a loaded plugin of `kind`, and the alias's own keys fit that plugin's key table.
 * Leaves "<list>.<alias>." in prefix for the caller. */
static void validate_alias(const cw_props_t *conn, const cw_registry_t *reg, const char *connector,
                           const char *origin, const char *list, const char *alias,
                           cw_plugin_kind_t kind, char *prefix, size_t prefix_size,
                           cw_errlist_t *errs, cw_errlist_t *unknown) {
    const char *what = kind == CW_PLUGIN_PREDICATE ? "predicate" : "transform";
    char key[600];
    snprintf(prefix, prefix_size, "%s.%s.", list, alias);
    snprintf(key, sizeof key, "%stype", prefix);
    const char *type = cw_props_get(conn, key);
    const cw_plugin_t *p = type ? cw_registry_find(reg, type, kind, NULL) : NULL;
    if (!type) {
        cw_errlist_add(errs, "%s: %s: missing: %s '%s' is listed in %s but has no type", origin,
                       key, what, alias, list);
    } else if (!p) {
        cw_errlist_add(errs, "%s: %s: no %s plugin called '%s' is loaded (see --list-plugins)",
                       origin, key, what, type);
    } else {
        cw_props_t *sub = plugin_keys(conn, prefix);
        size_t since = errs->count;
        cw_config_validate(sub, p->config, prefix, origin, errs, unknown);
        cw_config_t *config = cw_config_new(sub, p->config);
        cw_plugin_validate(p, connector, config, origin, prefix, since, errs);
        cw_config_free(config);
        cw_props_free(sub);
    }
}

size_t cw_chain_validate(const cw_props_t *conn, const cw_registry_t *reg, const char *connector,
                         const char *origin, cw_errlist_t *errs, cw_errlist_t *unknown) {
    size_t before = errs->count, nt, np;
    char **ts = split(cw_props_get(conn, "transforms"), &nt);
    char **ps = split(cw_props_get(conn, "predicates"), &np);
    char prefix[512], key[600];
    for (size_t i = 0; i < np; i++)
        validate_alias(conn, reg, connector, origin, "predicates", ps[i], CW_PLUGIN_PREDICATE,
                       prefix, sizeof prefix, errs, unknown);
    for (size_t i = 0; i < nt; i++) {
        validate_alias(conn, reg, connector, origin, "transforms", ts[i], CW_PLUGIN_TRANSFORM,
                       prefix, sizeof prefix, errs, unknown);
        snprintf(key, sizeof key, "%spredicate", prefix);
        const char *pred = cw_props_get(conn, key);
        if (pred && *pred && !list_has(ps, np, pred))
            cw_errlist_add(errs, "%s: %s: predicate '%s' is not listed in predicates", origin, key,
                           pred);
        snprintf(key, sizeof key, "%snegate", prefix);
        const char *neg = cw_props_get(conn, key);
        if (neg && !is_bool(neg))
            cw_errlist_add(errs, "%s: %s: '%s' is not a boolean (true or false)", origin, key, neg);
    }
    /* transforms.<x>.* / predicates.<x>.* for an alias that is not listed is ignored by Kafka
     * Connect; say so, since it usually is a typo. */
    for (size_t i = 0; unknown && i < cw_props_count(conn); i++) {
        const char *k = cw_props_key_at(conn, i);
        int is_t = strncmp(k, "transforms.", 11) == 0, is_p = strncmp(k, "predicates.", 11) == 0;
        if (!is_t && !is_p) continue;
        const char *alias = k + 11, *dot = strchr(alias, '.');
        if (!dot) {
            cw_errlist_add(unknown, "%s", k);
            continue;
        }
        char *a = strndup(alias, (size_t)(dot - alias));
        if (!(is_t ? list_has(ts, nt, a) : list_has(ps, np, a)))
            cw_errlist_add(unknown, "%s (alias '%s' is not listed in %s)", k, a,
                           is_t ? "transforms" : "predicates");
        free(a);
    }
    free_list(ts, nt);
    free_list(ps, np);
    return errs->count - before;
}

static int instance_configure(instance_t *in, const cw_props_t *conn, const char *prefix,
                              cw_ctx_t *ctx, char *errstr, size_t errstr_size) {
    cw_props_t *sub = plugin_keys(conn, prefix);
    in->config = cw_config_new(sub, in->plugin->config);
    cw_props_free(sub);
    char err[1024] = "";
    int rc = in->plugin->kind == CW_PLUGIN_TRANSFORM
                 ? in->plugin->transform->configure(ctx, in->config, &in->state, err, sizeof err)
                 : in->plugin->predicate->configure(ctx, in->config, &in->state, err, sizeof err);
    if (rc != CW_OK) {
        snprintf(errstr, errstr_size, "%s%s: %s", prefix, in->plugin->name,
                 *err ? err : "configure failed");
        return -1;
    }
    in->configured = 1;
    return 0;
}

static void instance_close(instance_t *in) {
    if (in->configured) {
        if (in->plugin->kind == CW_PLUGIN_TRANSFORM) {
            if (in->plugin->transform->close) in->plugin->transform->close(in->state);
        } else if (in->plugin->predicate->close) {
            in->plugin->predicate->close(in->state);
        }
    }
    cw_config_free(in->config);
    free(in->alias);
}

cw_chain_t *cw_chain_new(const cw_props_t *conn, const cw_registry_t *reg, cw_ctx_t *ctx,
                         char *errstr, size_t errstr_size) {
    cw_chain_t *c = calloc(1, sizeof *c);
    size_t nt, np;
    char **ts = split(cw_props_get(conn, "transforms"), &nt);
    char **ps = split(cw_props_get(conn, "predicates"), &np);
    char prefix[512], key[600];
    c->preds = calloc(np + 1, sizeof *c->preds);
    c->steps = calloc(nt + 1, sizeof *c->steps);
    for (size_t i = 0; i < np; i++) {
        instance_t *in = &c->preds[c->npreds++];
        snprintf(prefix, sizeof prefix, "predicates.%s.", ps[i]);
        snprintf(key, sizeof key, "%stype", prefix);
        in->alias = strdup(ps[i]);
        in->plugin = cw_registry_find(reg, cw_props_get(conn, key), CW_PLUGIN_PREDICATE, NULL);
        if (!in->plugin) {
            snprintf(errstr, errstr_size, "%s: unknown predicate type", key);
            goto fail;
        }
        if (instance_configure(in, conn, prefix, ctx, errstr, errstr_size)) goto fail;
    }
    for (size_t i = 0; i < nt; i++) {
        step_t *s = &c->steps[c->nsteps++];
        snprintf(prefix, sizeof prefix, "transforms.%s.", ts[i]);
        snprintf(key, sizeof key, "%stype", prefix);
        s->t.alias = strdup(ts[i]);
        s->t.plugin = cw_registry_find(reg, cw_props_get(conn, key), CW_PLUGIN_TRANSFORM, NULL);
        s->pred = -1;
        if (!s->t.plugin) {
            snprintf(errstr, errstr_size, "%s: unknown transform type", key);
            goto fail;
        }
        snprintf(key, sizeof key, "%spredicate", prefix);
        const char *pred = cw_props_get(conn, key);
        for (size_t j = 0; pred && j < c->npreds; j++)
            if (strcmp(c->preds[j].alias, pred) == 0) s->pred = (int)j;
        snprintf(key, sizeof key, "%snegate", prefix);
        const char *neg = cw_props_get(conn, key);
        s->negate = neg && strcasecmp(neg, "true") == 0;
        if (instance_configure(&s->t, conn, prefix, ctx, errstr, errstr_size)) goto fail;
    }
    free_list(ts, nt);
    free_list(ps, np);
    return c;
fail:
    free_list(ts, nt);
    free_list(ps, np);
    cw_chain_free(c);
    return NULL;
}

void cw_chain_free(cw_chain_t *c) {
    if (!c) return;
    for (size_t i = 0; i < c->nsteps; i++) instance_close(&c->steps[i].t);
    for (size_t i = 0; i < c->npreds; i++) instance_close(&c->preds[i]);
    free(c->steps);
    free(c->preds);
    free(c);
}

size_t cw_chain_length(const cw_chain_t *c) { return c ? c->nsteps : 0; }

int cw_chain_apply(cw_chain_t *c, cw_record_t *r, const char **failed, char *errstr,
                   size_t errstr_size) {
    for (size_t i = 0; c && i < c->nsteps; i++) {
        step_t *s = &c->steps[i];
        if (s->pred >= 0) {
            instance_t *p = &c->preds[s->pred];
            int match = p->plugin->predicate->test(p->state, r) ? 1 : 0;
            if (match == s->negate) continue;
        }
        char err[1024] = "";
        int rc = s->t.plugin->transform->apply(s->t.state, r, err, sizeof err);
        if (rc == CW_OK) continue;
        if (rc == CW_DROP) return CW_DROP;
        if (failed) *failed = s->t.plugin->name;
        snprintf(errstr, errstr_size, "transform %s (%s): %s", s->t.alias, s->t.plugin->name,
                 *err ? err : "failed");
        return rc == CW_ERR_RECORD ? CW_ERR_RECORD : CW_ERR_FATAL;
    }
    return CW_OK;
}
