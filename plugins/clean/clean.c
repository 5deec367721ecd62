/* The clean transform: declarative cleaning of a flat JSON object, configured in properties.
 * Steps run in a fixed order (see README.md): null-out, strip.prefix / extract, number
 * parsing, timestamps, concat / array, drop, renames, order. Every value a step cannot parse
 * fails the record with a message naming the field and the value. */
#include "clean.h"
#include "clean_internal.h"
#include "parse.h"
#include "connect-worker/sdk_json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cw_host_t *clean_host;

/* --- configuration ---------------------------------------------------------------------- */

static void strv_free(char **v) {
    for (size_t i = 0; v && v[i]; i++) free(v[i]);
    free(v);
}

static void kvs_free(kvs_t *k) {
    for (size_t i = 0; i < k->n; i++) {
        free(k->items[i].field);
        free(k->items[i].text);
        strv_free(k->items[i].list);
        cw_sdk_regex_destroy(k->items[i].re);
    }
    free(k->items);
}

void clean_free(clean_t *c) {
    if (!c) return;
    strv_free(c->null_all);
    kvs_free(&c->null_field); kvs_free(&c->strip); kvs_free(&c->extract);
    kvs_free(&c->concat); kvs_free(&c->array);
    strv_free(c->human); strv_free(c->integers); strv_free(c->numbers);
    strv_free(c->timestamps); strv_free(c->drop); strv_free(c->order);
    strv_free(c->ren_from); strv_free(c->ren_to);
    clean_fast_free(c->fast);
    free(c);
}

static char **list_dup(const cw_config_t *cfg, const char *key) {
    size_t cnt = 0;
    const char *const *items = clean_host->config_get_list(cfg, key, &cnt);
    if (!items) return NULL;
    char **out = calloc(cnt + 1, sizeof(*out));
    size_t k = 0;
    for (size_t i = 0; out && i < cnt; i++)
        if (items[i] && items[i][0]) out[k++] = strdup(items[i]);
    return out;
}

/* A list of literal strings is written as a JSON array, because placeholders may contain
 * commas ('N,o, ,T,a,g,s'), which a comma-separated list would split. */
static char **json_strings(const char *key, const char *text, char *e, size_t n) {
    json_error_t jerr;
    json_t *a = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!a || !json_is_array(a)) {
        json_decref(a);
        snprintf(e, n, "%s: expected a JSON array of strings such as [\"N/A\",\"unknown\"]", key);
        return NULL;
    }
    char **out = calloc(json_array_size(a) + 1, sizeof(*out));
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            snprintf(e, n, "%s: item %zu of the array is not a string", key, i + 1);
            strv_free(out);
            json_decref(a);
            return NULL;
        }
        out[i] = strdup(json_string_value(v));
    }
    json_decref(a);
    return out;
}

typedef struct collect {
    const cw_config_t *cfg;
    const char *prefix;
    kvs_t *into;
    int kind;   /* 0 text, 1 json strings, 2 list, 3 regex */
    char *e;
    size_t n;
    int failed;
} collect_t;

static int collect_one(const char *key, const char *value, void *opaque) {
    collect_t *c = opaque;
    const char *field = key + strlen(c->prefix);
    if (!*field) {
        snprintf(c->e, c->n, "%s: the key needs a field name after '%s'", key, c->prefix);
        c->failed = 1;
        return 1;
    }
    kv_t *items = realloc(c->into->items, (c->into->n + 1) * sizeof(*items));
    if (!items) { c->failed = 1; snprintf(c->e, c->n, "out of memory"); return 1; }
    c->into->items = items;
    kv_t *kv = &items[c->into->n];
    memset(kv, 0, sizeof(*kv));
    kv->field = strdup(field);
    c->into->n++;
    switch (c->kind) {
    case 0: kv->text = strdup(value); break;
    case 1: if (!(kv->list = json_strings(key, value, c->e, c->n))) c->failed = 1; break;
    case 2: kv->list = list_dup(c->cfg, key);
            if (!kv->list || !kv->list[0]) {
                snprintf(c->e, c->n, "%s: at least one field is required", key);
                c->failed = 1;
            }
            break;
    case 3: {
        char why[400];
        if (!(kv->re = cw_sdk_regex_new(value, 0, why, sizeof(why)))) {
            snprintf(c->e, c->n, "%s: %s", key, why);
            c->failed = 1;
        }
        break;
    }
    }
    return c->failed;
}

static int collect(const cw_config_t *cfg, const char *prefix, int kind, kvs_t *into, char *e, size_t n) {
    collect_t c = {cfg, prefix, into, kind, e, n, 0};
    clean_host->config_foreach(cfg, prefix, collect_one, &c);
    return c.failed ? -1 : 0;
}

static const char *separator_of(const clean_t *c, const cw_config_t *cfg, const char *field) {
    (void)c;
    char key[512];
    snprintf(key, sizeof(key), "concat.separator.%s", field);
    const char *v = clean_host->config_get(cfg, key);
    return v ? v : " ";
}

int clean_configure_state(const cw_config_t *cfg, clean_t **out, char *e, size_t n) {
    clean_t *c = calloc(1, sizeof(*c));
    if (!c) { snprintf(e, n, "out of memory"); return CW_ERR_FATAL; }
    const char *nv = clean_host->config_get(cfg, "null.values");
    if (nv && *nv && !(c->null_all = json_strings("null.values", nv, e, n))) goto bad;
    c->null_empty = clean_host->config_get_bool(cfg, "null.empty", 0);
    if (collect(cfg, "null.values.", 1, &c->null_field, e, n) ||
        collect(cfg, "strip.prefix.", 0, &c->strip, e, n) ||
        collect(cfg, "extract.", 3, &c->extract, e, n) ||
        collect(cfg, "concat.fields.", 2, &c->concat, e, n) ||
        collect(cfg, "array.", 2, &c->array, e, n))
        goto bad;
    for (size_t i = 0; i < c->concat.n; i++)
        c->concat.items[i].text = strdup(separator_of(c, cfg, c->concat.items[i].field));
    /* A separator without its field list is most likely a typo in the field name. */
    kvs_t seps = {0};
    if (collect(cfg, "concat.separator.", 0, &seps, e, n)) { kvs_free(&seps); goto bad; }
    for (size_t i = 0; i < seps.n; i++) {
        int found = 0;
        for (size_t j = 0; j < c->concat.n; j++)
            if (strcmp(seps.items[i].field, c->concat.items[j].field) == 0) found = 1;
        if (!found) {
            snprintf(e, n, "concat.separator.%s: there is no concat.fields.%s", seps.items[i].field,
                     seps.items[i].field);
            kvs_free(&seps);
            goto bad;
        }
    }
    kvs_free(&seps);
    c->human = list_dup(cfg, "human.numbers");
    c->integers = list_dup(cfg, "integers");
    c->numbers = list_dup(cfg, "numbers");
    c->timestamps = list_dup(cfg, "timestamps");
    c->drop = list_dup(cfg, "drop");
    c->order = list_dup(cfg, "order");
    char **ren = list_dup(cfg, "renames");
    size_t cnt = 0;
    while (ren && ren[cnt]) cnt++;
    c->ren_from = calloc(cnt + 1, sizeof(char *));
    c->ren_to = calloc(cnt + 1, sizeof(char *));
    for (size_t i = 0; i < cnt; i++) {
        const char *colon = strchr(ren[i], ':');
        if (!colon || colon == ren[i] || !colon[1] || strchr(colon + 1, ':')) {
            snprintf(e, n, "renames: '%s' is not of the form old:new", ren[i]);
            strv_free(ren);
            goto bad;
        }
        c->ren_from[c->nren] = strndup(ren[i], (size_t)(colon - ren[i]));
        c->ren_to[c->nren++] = strdup(colon + 1);
    }
    strv_free(ren);
    if (clean_fast_prepare(c, e, n)) goto bad;
    *out = c;
    return CW_OK;
bad:
    clean_free(c);
    return CW_ERR_CONFIG;
}

/* --- applying --------------------------------------------------------------------------- */

static int bad_value(const char *field, const json_t *v, const char *verb, const char *rest,
                     char *e, size_t n) {
    char d[160];
    cw_sdk_json_describe(v, d, sizeof(d));
    snprintf(e, n, "clean: field '%s': cannot %s %s%s%s", field, verb, d, *rest ? " " : "", rest);
    return CW_ERR_RECORD;
}

static int in_list(char *const *list, const char *s) {
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}

/* The text of a string value, or NULL when it is not a string or holds a NUL character
 * (the worker parses with JSON_ALLOW_NUL; "10\u0000k" must not be read as "10"). */
static const char *text_of(const json_t *v) {
    if (!json_is_string(v)) return NULL;
    const char *s = json_string_value(v);
    return strlen(s) == json_string_length(v) ? s : NULL;
}

static char **field_list(const kvs_t *k, const char *field) {
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->items[i].field, field) == 0) return k->items[i].list;
    return NULL;
}

static void step_nulls(const clean_t *c, json_t *obj) {
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        const char *s = text_of(v);
        if (!s) continue;
        if ((c->null_empty && !*s) || in_list(c->null_all, s) || in_list(field_list(&c->null_field, k), s))
            json_object_set_new(obj, k, json_null());
    }
}

static int step_text(const clean_t *c, json_t *obj, char *e, size_t n) {
    for (size_t i = 0; i < c->strip.n; i++) {
        const kv_t *kv = &c->strip.items[i];
        json_t *v = json_object_get(obj, kv->field);
        if (!v || json_is_null(v)) continue;
        if (!json_is_string(v)) return bad_value(kv->field, v, "strip a prefix from", "(not a string)", e, n);
        size_t plen = strlen(kv->text);
        if (json_string_length(v) >= plen && memcmp(json_string_value(v), kv->text, plen) == 0)
            json_object_set_new(obj, kv->field, json_stringn(json_string_value(v) + plen,
                                                             json_string_length(v) - plen));
    }
    for (size_t i = 0; i < c->extract.n; i++) {
        const kv_t *kv = &c->extract.items[i];
        json_t *v = json_object_get(obj, kv->field);
        if (!v || json_is_null(v)) continue;
        const char *s = text_of(v);
        size_t off, len;
        if (!s || !clean_extract(kv, s, &off, &len))
            return bad_value(kv->field, v, "match the extract regex against", "", e, n);
        json_object_set_new(obj, kv->field, json_stringn(s + off, len));
    }
    return CW_OK;
}

int clean_extract(const kv_t *kv, const char *s, size_t *off, size_t *len) {
    cw_sdk_span_t m[2];
    /* Up to the first NUL, as both paths hold their text as C strings. */
    if (cw_sdk_regex_match(kv->re, s, strlen(s), m, 2, NULL, 0) != 1) return 0;
    int g = cw_sdk_regex_groups(kv->re) >= 1 && m[1].start >= 0 ? 1 : 0;
    *off = (size_t)m[g].start;
    *len = (size_t)(m[g].end - m[g].start);
    return 1;
}

/* A real that is a whole number within int64 (checked before the cast: casting an
 * out-of-range double is undefined). */
static int whole(double d, int64_t *out) {
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return 0;
    if (d != (double)(int64_t)d) return 0;
    *out = (int64_t)d;
    return 1;
}

static int step_numbers(const clean_t *c, json_t *obj, char *e, size_t n) {
    for (size_t i = 0; c->human && c->human[i]; i++) {
        json_t *v = json_object_get(obj, c->human[i]);
        int64_t x;
        if (!v || json_is_null(v) || json_is_integer(v)) continue;
        if (json_is_real(v)) {
            if (!whole(json_real_value(v), &x))
                return bad_value(c->human[i], v, "convert", "to an integer (not a whole number within int64)", e, n);
            json_object_set_new(obj, c->human[i], json_integer(x));
            continue;
        }
        if (!text_of(v) || clean_human_number(text_of(v), &x))
            return bad_value(c->human[i], v, "parse", "as a human-written number (like 892, 10k, 1.5k, 3M)", e, n);
        json_object_set_new(obj, c->human[i], json_integer(x));
    }
    for (size_t i = 0; c->integers && c->integers[i]; i++) {
        json_t *v = json_object_get(obj, c->integers[i]);
        int64_t x;
        if (!v || json_is_null(v) || json_is_integer(v)) continue;
        if (json_is_real(v)) {
            if (!whole(json_real_value(v), &x))
                return bad_value(c->integers[i], v, "convert", "to an integer (not a whole number within int64)", e, n);
            json_object_set_new(obj, c->integers[i], json_integer(x));
            continue;
        }
        if (!text_of(v) || clean_integer(text_of(v), &x))
            return bad_value(c->integers[i], v, "parse", "as an integer", e, n);
        json_object_set_new(obj, c->integers[i], json_integer(x));
    }
    for (size_t i = 0; c->numbers && c->numbers[i]; i++) {
        json_t *v = json_object_get(obj, c->numbers[i]);
        int is_int;
        int64_t x;
        double d;
        if (!v || json_is_null(v) || json_is_number(v)) continue;
        if (!text_of(v) || clean_number(text_of(v), &is_int, &x, &d))
            return bad_value(c->numbers[i], v, "parse", "as a number", e, n);
        json_object_set_new(obj, c->numbers[i], is_int ? json_integer(x) : json_real(d));
    }
    return CW_OK;
}

static int step_timestamps(const clean_t *c, json_t *obj, char *e, size_t n) {
    char buf[48];
    for (size_t i = 0; c->timestamps && c->timestamps[i]; i++) {
        json_t *v = json_object_get(obj, c->timestamps[i]);
        if (!v || json_is_null(v)) continue;
        if (!text_of(v) || clean_timestamp(text_of(v), buf, sizeof(buf)))
            return bad_value(c->timestamps[i], v, "parse", "as a timestamp (YYYY-MM-DD HH:MM:SS or ISO-8601)", e, n);
        json_object_set_new(obj, c->timestamps[i], json_string(buf));
    }
    return CW_OK;
}

void clean_real_text(double d, char *buf, size_t n) {
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, d);
        if (strtod(buf, NULL) == d) break;
    }
}

/* Text of a scalar for concatenation; NULL for null/missing (skipped, as concat_ws does). */
static int scalar_text(const json_t *v, char *buf, size_t n, const char **out) {
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (json_is_string(v)) { *out = json_string_value(v); return 0; }
    if (json_is_integer(v)) snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v)) clean_real_text(json_real_value(v), buf, n);
    else if (json_is_boolean(v)) snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
    else return -1;
    *out = buf;
    return 0;
}

static int step_build(const clean_t *c, json_t *obj, char *e, size_t n) {
    for (size_t i = 0; i < c->concat.n; i++) {
        const kv_t *kv = &c->concat.items[i];
        size_t cap = 1, used = 0, parts = 0;
        char *acc = NULL;
        for (size_t j = 0; kv->list[j]; j++) {
            json_t *v = json_object_get(obj, kv->list[j]);
            char buf[64];
            const char *t;
            if (scalar_text(v, buf, sizeof(buf), &t)) {
                free(acc);
                return bad_value(kv->list[j], v, "concatenate", "into a string", e, n);
            }
            if (!t) continue;
            size_t tl = json_is_string(v) ? json_string_length(v) : strlen(t);
            size_t sl = parts++ ? strlen(kv->text) : 0;
            char *na = realloc(acc, cap + used + sl + tl);
            if (!na) { free(acc); snprintf(e, n, "clean: out of memory"); return CW_ERR_FATAL; }
            acc = na;
            memcpy(acc + used, kv->text, sl);
            memcpy(acc + used + sl, t, tl);
            used += sl + tl;
            acc[used] = 0;
        }
        json_object_set_new(obj, kv->field, parts ? json_stringn(acc ? acc : "", used) : json_null());
        free(acc);
    }
    for (size_t i = 0; i < c->array.n; i++) {
        const kv_t *kv = &c->array.items[i];
        json_t *a = json_array();
        for (size_t j = 0; kv->list[j]; j++) {
            json_t *v = json_object_get(obj, kv->list[j]);
            json_array_append(a, v ? v : json_null());
        }
        json_object_set_new(obj, kv->field, a);
    }
    return CW_OK;
}

int clean_apply_json(const clean_t *c, json_t *obj, json_t **out, char *e, size_t n) {
    int rc;
    *out = NULL;
    step_nulls(c, obj);
    if ((rc = step_text(c, obj, e, n)) || (rc = step_numbers(c, obj, e, n)) ||
        (rc = step_timestamps(c, obj, e, n)) || (rc = step_build(c, obj, e, n)))
        return rc;
    for (size_t i = 0; c->drop && c->drop[i]; i++) json_object_del(obj, c->drop[i]);
    if (c->nren) {
        /* Renames keep each field's position. */
        json_t *r = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(obj, k, v) {
            const char *name = k;
            for (size_t i = 0; i < c->nren; i++)
                if (strcmp(c->ren_from[i], k) == 0) name = c->ren_to[i];
            if (json_object_get(r, name)) {
                /* Two fields would end up with one name: one of them would be lost. */
                snprintf(e, n, "clean: renames: field '%s' would become '%s', which the record already has", k, name);
                json_decref(r);
                return CW_ERR_RECORD;
            }
            json_object_set(r, name, v);
        }
        *out = r;
        obj = r;
    }
    if (c->order && c->order[0]) {
        json_t *o = json_object();
        for (size_t i = 0; c->order[i]; i++) {
            json_t *v = json_object_get(obj, c->order[i]);
            json_object_set(o, c->order[i], v ? v : json_null());
        }
        json_decref(*out);
        *out = o;
    }
    return CW_OK;
}
