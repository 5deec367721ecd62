/* Validated configurations: validation against plugin key tables, the cw_config_t object
 * with defaults and typed getters, and the error list used to report every problem at once. */
#include "config.h"
#include "log.h"

#include "connect-worker/sdk_redact.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) abort(); /* out of memory: nothing sensible left to do */
    return q;
}

static char *xstrndup(const char *s, size_t n) {
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ------------------------------------------------------------------------------------------
 * Error list
 * ---------------------------------------------------------------------------------------- */

void cw_errlist_vadd_key(cw_errlist_t *e, const char *key, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *msg = xrealloc(NULL, (size_t)n + 1);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    /* Errors are printed and (REST) returned: credentials inside URLs are hidden first. */
    cw_sdk_buf_t clean = {0};
    int hidden = cw_sdk_redact_credentials(msg, strlen(msg), &clean);
    if (hidden != 0) {
        free(msg);
        if (hidden < 0) abort(); /* out of memory, as xrealloc */
        msg = cw_sdk_buf_detach(&clean, NULL);
    }
    if (e->count == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 8;
        e->items = xrealloc(e->items, e->cap * sizeof *e->items);
        e->keys = xrealloc(e->keys, e->cap * sizeof *e->keys);
    }
    e->keys[e->count] = key ? xstrndup(key, strlen(key)) : NULL;
    e->items[e->count++] = msg;
}

void cw_errlist_add_key(cw_errlist_t *e, const char *key, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    cw_errlist_vadd_key(e, key, fmt, ap);
    va_end(ap);
}

void cw_errlist_add(cw_errlist_t *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    cw_errlist_vadd_key(e, NULL, fmt, ap);
    va_end(ap);
}

int cw_errlist_has_key(const cw_errlist_t *e, const char *key, size_t since) {
    for (size_t i = since; i < e->count; i++)
        if (e->keys[i] && strcmp(e->keys[i], key) == 0) return 1;
    return 0;
}

void cw_errlist_free(cw_errlist_t *e) {
    if (!e) return;
    for (size_t i = 0; i < e->count; i++) {
        free(e->items[i]);
        free(e->keys[i]);
    }
    free(e->items);
    free(e->keys);
    e->items = e->keys = NULL;
    e->count = e->cap = 0;
}

/* ------------------------------------------------------------------------------------------
 * Key tables
 * ---------------------------------------------------------------------------------------- */

const cw_config_def_t *cw_config_def_find(const cw_config_def_t *defs, const char *key) {
    if (!defs || !key) return NULL;
    for (const cw_config_def_t *d = defs; d->name; d++)
        if (!(d->flags & CW_CFG_F_PREFIX) && strcmp(d->name, key) == 0) return d;
    /* Exact names win over prefixes; among prefixes the longest one is the most specific. */
    const cw_config_def_t *best = NULL;
    for (const cw_config_def_t *d = defs; d->name; d++)
        if ((d->flags & CW_CFG_F_PREFIX) && strncmp(d->name, key, strlen(d->name)) == 0 &&
            (!best || strlen(d->name) > strlen(best->name)))
            best = d;
    return best;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cw_config_key_is_secret(const cw_config_def_t *defs, const char *key) {
    const cw_config_def_t *d = cw_config_def_find(defs, key);
    if (d && (d->flags & CW_CFG_F_SECRET)) return 1;
    if (!key) return 0;
    /* Names that are secrets in Kafka, Confluent and AWS configurations even when no table
     * declares them (unknown keys are passed through and would otherwise be printed). */
    char lower[512];
    size_t n = strlen(key);
    if (n >= sizeof lower) n = sizeof lower - 1;
    for (size_t i = 0; i < n; i++) lower[i] = (char)tolower((unsigned char)key[i]);
    lower[n] = '\0';
    static const char *const contains[] = {"password",
                                           "passwd",
                                           "secret",
                                           "sasl.jaas.config",
                                           "ssl.keystore.key",
                                           "private.key",
                                           "privatekey",
                                           "credentials",
                                           "api.key",
                                           "apikey",
                                           "basic.auth.user.info",
                                           NULL};
    for (const char *const *c = contains; *c; c++)
        if (strstr(lower, *c)) return 1;
    return ends_with(lower, "token");
}

/* ------------------------------------------------------------------------------------------
 * Value parsing shared by validation and the getters
 * ---------------------------------------------------------------------------------------- */

/* Trimmed copy of s. */
static char *trimmed(const char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return xstrndup(s, n);
}

static int parse_int(const char *text, int64_t *out) {
    char *t = trimmed(text), *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    int ok = *t && !*end && errno == 0;
    free(t);
    if (ok) *out = (int64_t)v;
    return ok ? 0 : -1;
}

static int parse_double(const char *text, double *out) {
    char *t = trimmed(text), *end;
    errno = 0;
    double v = strtod(t, &end);
    int ok = *t && !*end && errno == 0 && isfinite(v);
    free(t);
    if (ok) *out = v;
    return ok ? 0 : -1;
}

static int parse_bool(const char *text, int *out) {
    char *t = trimmed(text);
    int rc = 0;
    if (strcasecmp(t, "true") == 0)
        *out = 1;
    else if (strcasecmp(t, "false") == 0)
        *out = 0;
    else
        rc = -1;
    free(t);
    return rc;
}

/* Splits a LIST value on commas, trimming items and skipping empty ones. Returns a
 * NULL-terminated array (one allocation for pointers and text); *count gets the size. */
static char **split_list(const char *value, size_t *count) {
    size_t commas = 0, len = strlen(value);
    for (const char *s = value; *s; s++) commas += *s == ',';
    size_t slots = commas + 2;
    char **arr = xrealloc(NULL, slots * sizeof(char *) + len + 1);
    char *text = (char *)(arr + slots);
    memcpy(text, value, len + 1);
    size_t n = 0;
    char *item = text;
    for (;;) {
        char *comma = strchr(item, ',');
        if (comma) *comma = '\0';
        while (isspace((unsigned char)*item)) item++;
        size_t il = strlen(item);
        while (il && isspace((unsigned char)item[il - 1])) item[--il] = '\0';
        if (il) arr[n++] = item;
        if (!comma) break;
        item = comma + 1;
    }
    arr[n] = NULL;
    if (count) *count = n;
    return arr;
}

static int is_allowed(const char *allowed, const char *value) {
    size_t n;
    char **items = split_list(allowed, &n);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) found = strcasecmp(items[i], value) == 0;
    free(items);
    return found;
}

/* ------------------------------------------------------------------------------------------
 * Validation
 * ---------------------------------------------------------------------------------------- */

typedef struct vctx {
    const char *origin, *prefix;
    cw_errlist_t *errs;
    size_t added;
} vctx_t;

#define VERR(v, key, fmt, ...) verr((v), (key), fmt, __VA_ARGS__)

static void verr(vctx_t *v, const char *key, const char *fmt, ...) CW_PRINTF(3, 4);
static void verr(vctx_t *v, const char *key, const char *fmt, ...) {
    size_t kn = strlen(v->prefix) + strlen(key) + 1;
    char *full = xrealloc(NULL, kn);
    snprintf(full, kn, "%s%s", v->prefix, key);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cw_errlist_add_key(v->errs, full, "%s: %s: %s", v->origin, full, msg);
    free(full);
    v->added++;
}

static void check_bounds(vctx_t *v, const cw_config_def_t *d, const char *key, double x,
                         const char *shown) {
    if (!(d->min < d->max)) return;
    if (x < d->min || x > d->max)
        VERR(v, key, "value %s is out of range [%.15g, %.15g]", shown, d->min, d->max);
}

static void check_value(vctx_t *v, const cw_config_def_t *d, const char *key, const char *value,
                        int secret) {
    /* A secret's value is never shown, even when it is wrong. */
    size_t shown_len = strlen(value) + 3;
    char *shown = xrealloc(NULL, shown_len < 16 ? 16 : shown_len);
    if (secret)
        strcpy(shown, "[hidden]");
    else
        snprintf(shown, shown_len, "'%s'", value);

    switch (d->type) {
    case CW_CFG_INT: {
        int64_t x;
        if (parse_int(value, &x) < 0)
            VERR(v, key, "value %s is not a 64-bit integer", shown);
        else
            check_bounds(v, d, key, (double)x, shown);
        break;
    }
    case CW_CFG_DOUBLE: {
        double x;
        if (parse_double(value, &x) < 0)
            VERR(v, key, "value %s is not a number", shown);
        else
            check_bounds(v, d, key, x, shown);
        break;
    }
    case CW_CFG_BOOL: {
        int b;
        if (parse_bool(value, &b) < 0)
            VERR(v, key, "value %s is not a boolean (true or false)", shown);
        break;
    }
    case CW_CFG_LIST:
        if (d->allowed) {
            size_t n;
            char **items = split_list(value, &n);
            for (size_t i = 0; i < n; i++) {
                if (is_allowed(d->allowed, items[i])) continue;
                if (secret)
                    VERR(v, key, "a list item is not one of %s", d->allowed);
                else
                    VERR(v, key, "item '%s' is not one of %s", items[i], d->allowed);
            }
            free(items);
        }
        break;
    case CW_CFG_STRING:
        if (d->allowed) {
            char *t = trimmed(value);
            if (!is_allowed(d->allowed, t))
                VERR(v, key, "value %s is not one of %s", shown, d->allowed);
            free(t);
        }
        break;
    }
    free(shown);
}

static int is_blank(const char *s) {
    while (isspace((unsigned char)*s)) s++;
    return *s == '\0';
}

size_t cw_config_validate(const cw_props_t *props, const cw_config_def_t *defs, const char *prefix,
                          const char *origin, cw_errlist_t *errs, cw_errlist_t *unknown) {
    vctx_t v = {origin && *origin ? origin : "<config>", prefix ? prefix : "", errs, 0};

    for (const cw_config_def_t *d = defs; d && d->name; d++) {
        if (d->flags & CW_CFG_F_PREFIX) continue; /* checked per key below */
        const char *value = cw_props_get(props, d->name);
        if (!value) {
            if (d->flags & CW_CFG_F_REQUIRED) VERR(&v, d->name, "%s", "required key is missing");
            continue;
        }
        /* An empty value of a STRING or LIST is a value; for the rest it means nothing. */
        if (is_blank(value) && (d->flags & CW_CFG_F_REQUIRED)) {
            VERR(&v, d->name, "%s", "required key is empty");
            continue;
        }
        if (is_blank(value) && d->type != CW_CFG_STRING && d->type != CW_CFG_LIST &&
            !d->default_value)
            continue; /* blank optional number without default: reads as unset */
        check_value(&v, d, d->name, value, cw_config_key_is_secret(defs, d->name));
    }

    for (size_t i = 0; i < cw_props_count(props); i++) {
        const char *key = cw_props_key_at(props, i);
        const cw_config_def_t *d = cw_config_def_find(defs, key);
        if (!d) {
            if (unknown) cw_errlist_add(unknown, "%s%s", v.prefix, key);
            continue;
        }
        if (d->flags & CW_CFG_F_PREFIX)
            check_value(&v, d, key, cw_props_value_at(props, i),
                        cw_config_key_is_secret(defs, key));
    }
    return v.added;
}

/* ------------------------------------------------------------------------------------------
 * The config object
 * ---------------------------------------------------------------------------------------- */

typedef struct list_cache {
    char *key;
    char **items;
    size_t count;
} list_cache_t;

struct cw_config {
    cw_props_t *props;
    const cw_config_def_t *defs;
    /* get_list results live as long as the config; tasks of one connector may share it. */
    pthread_mutex_t lock;
    list_cache_t *lists;
    size_t nlists, caplists;
    char **undeclared; /* keys read without a row, already logged */
    size_t nundeclared;
};

cw_config_t *cw_config_new(const cw_props_t *props, const cw_config_def_t *defs) {
    cw_config_t *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->props = props ? cw_props_copy(props) : cw_props_new();
    c->defs = defs;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void cw_config_free(cw_config_t *c) {
    if (!c) return;
    for (size_t i = 0; i < c->nlists; i++) {
        free(c->lists[i].key);
        free(c->lists[i].items);
    }
    free(c->lists);
    for (size_t i = 0; i < c->nundeclared; i++) free(c->undeclared[i]);
    free(c->undeclared);
    pthread_mutex_destroy(&c->lock);
    cw_props_free(c->props);
    free(c);
}

const cw_props_t *cw_config_props(const cw_config_t *c) { return c->props; }

/* A read of a key that no row declares: the table is the one home of defaults and allowed
 * values, so this is a plugin bug. Said once per key and config, at error level. */
static void undeclared_read(const cw_config_t *cc, const char *key) {
    cw_config_t *c = (cw_config_t *)cc; /* the log-once set is invisible to readers */
    pthread_mutex_lock(&c->lock);
    int seen = 0;
    for (size_t i = 0; i < c->nundeclared && !seen; i++) seen = strcmp(c->undeclared[i], key) == 0;
    if (!seen) {
        c->undeclared = xrealloc(c->undeclared, (c->nundeclared + 1) * sizeof *c->undeclared);
        c->undeclared[c->nundeclared++] = xstrndup(key, strlen(key));
    }
    pthread_mutex_unlock(&c->lock);
    if (!seen)
        cw_log_error("configuration key '%s' is read but not declared in the key table (a "
                     "plugin bug: declare it with its default)",
                     key);
}

const char *cw_config_get(const cw_config_t *c, const char *key) {
    if (!c || !key) return NULL;
    const char *v = cw_props_get(c->props, key);
    if (v) return v;
    const cw_config_def_t *d = cw_config_def_find(c->defs, key);
    if (!d && c->defs) undeclared_read(c, key);
    return d ? d->default_value : NULL;
}

int64_t cw_config_get_int(const cw_config_t *c, const char *key, int64_t fallback) {
    const char *v = cw_config_get(c, key);
    int64_t x;
    return v && parse_int(v, &x) == 0 ? x : fallback;
}

double cw_config_get_double(const cw_config_t *c, const char *key, double fallback) {
    const char *v = cw_config_get(c, key);
    double x;
    return v && parse_double(v, &x) == 0 ? x : fallback;
}

int cw_config_get_bool(const cw_config_t *c, const char *key, int fallback) {
    const char *v = cw_config_get(c, key);
    int x;
    return v && parse_bool(v, &x) == 0 ? x : fallback;
}

const char *const *cw_config_get_list(const cw_config_t *c, const char *key, size_t *count) {
    if (count) *count = 0;
    const char *v = cw_config_get(c, key);
    if (!v) return NULL;
    cw_config_t *mc = (cw_config_t *)c; /* the cache is invisible to readers */
    pthread_mutex_lock(&mc->lock);
    list_cache_t *hit = NULL;
    for (size_t i = 0; i < mc->nlists && !hit; i++)
        if (strcmp(mc->lists[i].key, key) == 0) hit = &mc->lists[i];
    if (!hit) {
        if (mc->nlists == mc->caplists) {
            mc->caplists = mc->caplists ? mc->caplists * 2 : 8;
            mc->lists = xrealloc(mc->lists, mc->caplists * sizeof *mc->lists);
        }
        hit = &mc->lists[mc->nlists++];
        hit->key = xstrndup(key, strlen(key));
        hit->items = split_list(v, &hit->count);
    }
    const char *const *items = (const char *const *)hit->items;
    if (count) *count = hit->count;
    pthread_mutex_unlock(&mc->lock);
    return items;
}

int cw_config_foreach(const cw_config_t *c, const char *prefix,
                      int (*fn)(const char *key, const char *value, void *opaque), void *opaque) {
    size_t n = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < cw_props_count(c->props); i++) {
        const char *key = cw_props_key_at(c->props, i);
        if (n && strncmp(key, prefix, n) != 0) continue;
        int rc = fn(key, cw_props_value_at(c->props, i), opaque);
        if (rc) return rc;
    }
    return 0;
}
