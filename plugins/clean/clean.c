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
    kvs_free(&c->null_field);
    kvs_free(&c->strip);
    kvs_free(&c->extract);
    kvs_free(&c->concat);
    kvs_free(&c->array);
    strv_free(c->human);
    strv_free(c->integers);
    strv_free(c->numbers);
    strv_free(c->timestamps);
    strv_free(c->drop);
    strv_free(c->order);
    strv_free(c->ren_from);
    strv_free(c->ren_to);
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
 * commas ('N,o, ,T,a,g,s'), which a comma-separated list would split. Problems go to v under
 * `key`; NULL then. */
static char **json_strings(const char *key, const char *text, cw_validation_t *v) {
    json_error_t jerr;
    json_t *a = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!a || !json_is_array(a)) {
        json_decref(a);
        clean_host->validation_error(v, key,
                                     "expected a JSON array of strings such as "
                                     "[\"N/A\",\"unknown\"]");
        return NULL;
    }
    char **out = calloc(json_array_size(a) + 1, sizeof(*out));
    size_t i;
    json_t *item;
    json_array_foreach(a, i, item) {
        if (!json_is_string(item)) {
            clean_host->validation_error(v, key, "item %zu of the array is not a string", i + 1);
            strv_free(out);
            json_decref(a);
            return NULL;
        }
        if (out) out[i] = strdup(json_string_value(item));
    }
    json_decref(a);
    return out;
}

typedef struct collect {
    const cw_config_t *cfg;
    const char *prefix;
    kvs_t *into;
    int kind; /* 0 text, 1 json strings, 2 list, 3 regex */
    cw_validation_t *v;
} collect_t;

static int collect_one(const char *key, const char *value, void *opaque) {
    collect_t *c = opaque;
    const char *field = key + strlen(c->prefix);
    if (!*field) {
        clean_host->validation_error(c->v, key, "the key needs a field name after '%s'", c->prefix);
        return 0;
    }
    kv_t *items = realloc(c->into->items, (c->into->n + 1) * sizeof(*items));
    if (!items) {
        clean_host->validation_error(c->v, key, "out of memory");
        return 1;
    }
    c->into->items = items;
    kv_t *kv = &items[c->into->n];
    memset(kv, 0, sizeof(*kv));
    kv->field = strdup(field);
    c->into->n++;
    switch (c->kind) {
    case 0: kv->text = strdup(value); break;
    case 1: kv->list = json_strings(key, value, c->v); break;
    case 2:
        kv->list = list_dup(c->cfg, key);
        if (!kv->list || !kv->list[0])
            clean_host->validation_error(c->v, key, "at least one field is required");
        break;
    case 3: {
        char why[400];
        if (!(kv->re = cw_sdk_regex_new(value, 0, why, sizeof(why))))
            clean_host->validation_error(c->v, key, "%s", why);
        break;
    }
    }
    return 0;
}

static void collect(const cw_config_t *cfg, const char *prefix, int kind, kvs_t *into,
                    cw_validation_t *v) {
    collect_t c = {cfg, prefix, into, kind, v};
    clean_host->config_foreach(cfg, prefix, collect_one, &c);
}

/* concat.fields.<new> with its separator; a separator without its field list is most likely
 * a typo in the field name. */
static void concat_parse(const cw_config_t *cfg, cw_validation_t *v, clean_t *c) {
    char key[512];
    for (size_t i = 0; i < c->concat.n; i++) {
        snprintf(key, sizeof(key), "concat.separator.%s", c->concat.items[i].field);
        c->concat.items[i].text = strdup(clean_host->config_get(cfg, key));
    }
    kvs_t seps = {0};
    collect(cfg, "concat.separator.", 0, &seps, v);
    for (size_t i = 0; i < seps.n; i++) {
        int found = 0;
        for (size_t j = 0; j < c->concat.n; j++)
            if (strcmp(seps.items[i].field, c->concat.items[j].field) == 0) found = 1;
        if (!found) {
            snprintf(key, sizeof(key), "concat.separator.%s", seps.items[i].field);
            clean_host->validation_error(v, key, "there is no concat.fields.%s",
                                         seps.items[i].field);
        }
    }
    kvs_free(&seps);
}

static void renames_parse(const cw_config_t *cfg, cw_validation_t *v, clean_t *c) {
    char **ren = list_dup(cfg, "renames");
    size_t cnt = 0;
    while (ren && ren[cnt]) cnt++;
    c->ren_from = calloc(cnt + 1, sizeof(char *));
    c->ren_to = calloc(cnt + 1, sizeof(char *));
    for (size_t i = 0; c->ren_from && c->ren_to && i < cnt; i++) {
        const char *colon = strchr(ren[i], ':');
        if (!colon || colon == ren[i] || !colon[1] || strchr(colon + 1, ':')) {
            clean_host->validation_error(v, "renames", "'%s' is not of the form old:new", ren[i]);
            continue;
        }
        c->ren_from[c->nren] = strndup(ren[i], (size_t)(colon - ren[i]));
        c->ren_to[c->nren++] = strdup(colon + 1);
    }
    strv_free(ren);
}

/* The one checker of the recipe, shared by validate and configure. */
static void clean_parse(const cw_config_t *cfg, cw_validation_t *v, clean_t *c) {
    const char *nv = clean_host->config_get(cfg, "null.values");
    if (nv && *nv) c->null_all = json_strings("null.values", nv, v);
    c->null_empty = clean_host->config_get_bool(cfg, "null.empty", 0);
    collect(cfg, "null.values.", 1, &c->null_field, v);
    collect(cfg, "strip.prefix.", 0, &c->strip, v);
    collect(cfg, "extract.", 3, &c->extract, v);
    collect(cfg, "concat.fields.", 2, &c->concat, v);
    collect(cfg, "array.", 2, &c->array, v);
    concat_parse(cfg, v, c);
    c->human = list_dup(cfg, "human.numbers");
    c->integers = list_dup(cfg, "integers");
    c->numbers = list_dup(cfg, "numbers");
    c->timestamps = list_dup(cfg, "timestamps");
    c->drop = list_dup(cfg, "drop");
    c->order = list_dup(cfg, "order");
    renames_parse(cfg, v, c);
}

void clean_validate(cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v) {
    (void)ctx;
    clean_t *c = calloc(1, sizeof(*c));
    if (!c) {
        clean_host->validation_error(v, "", "out of memory");
        return;
    }
    clean_parse(cfg, v, c);
    clean_free(c);
}

int clean_configure_state(const cw_config_t *cfg, clean_t **out, char *e, size_t n) {
    clean_t *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(e, n, "out of memory");
        return CW_ERR_FATAL;
    }
    cw_validation_t *v = clean_host->validation_begin();
    clean_parse(cfg, v, c);
    if (clean_host->validation_end(v, e, n) || clean_fast_prepare(c, e, n)) {
        clean_free(c);
        return CW_ERR_CONFIG;
    }
    *out = c;
    return CW_OK;
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
        if ((c->null_empty && !*s) || in_list(c->null_all, s) ||
            in_list(field_list(&c->null_field, k), s))
            json_object_set_new(obj, k, json_null());
    }
}

static int step_text(const clean_t *c, json_t *obj, char *e, size_t n) {
    for (size_t i = 0; i < c->strip.n; i++) {
        const kv_t *kv = &c->strip.items[i];
        json_t *v = json_object_get(obj, kv->field);
        if (!v || json_is_null(v)) continue;
        if (!json_is_string(v))
            return bad_value(kv->field, v, "strip a prefix from", "(not a string)", e, n);
        size_t plen = strlen(kv->text);
        if (json_string_length(v) >= plen && memcmp(json_string_value(v), kv->text, plen) == 0)
            json_object_set_new(
                obj, kv->field,
                json_stringn(json_string_value(v) + plen, json_string_length(v) - plen));
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
                return bad_value(c->human[i], v, "convert",
                                 "to an integer (not a whole number within int64)", e, n);
            json_object_set_new(obj, c->human[i], json_integer(x));
            continue;
        }
        if (!text_of(v) || clean_human_number(text_of(v), &x))
            return bad_value(c->human[i], v, "parse",
                             "as a human-written number (like 892, 10k, 1.5k, 3M)", e, n);
        json_object_set_new(obj, c->human[i], json_integer(x));
    }
    for (size_t i = 0; c->integers && c->integers[i]; i++) {
        json_t *v = json_object_get(obj, c->integers[i]);
        int64_t x;
        if (!v || json_is_null(v) || json_is_integer(v)) continue;
        if (json_is_real(v)) {
            if (!whole(json_real_value(v), &x))
                return bad_value(c->integers[i], v, "convert",
                                 "to an integer (not a whole number within int64)", e, n);
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
            return bad_value(c->timestamps[i], v, "parse",
                             "as a timestamp (YYYY-MM-DD HH:MM:SS or ISO-8601)", e, n);
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
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return 0;
    }
    if (json_is_integer(v))
        snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        clean_real_text(json_real_value(v), buf, n);
    else if (json_is_boolean(v))
        snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
    else
        return -1;
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
            if (!na) {
                free(acc);
                snprintf(e, n, "clean: out of memory");
                return CW_ERR_FATAL;
            }
            acc = na;
            memcpy(acc + used, kv->text, sl);
            memcpy(acc + used + sl, t, tl);
            used += sl + tl;
            acc[used] = 0;
        }
        json_object_set_new(obj, kv->field,
                            parts ? json_stringn(acc ? acc : "", used) : json_null());
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
                snprintf(
                    e, n,
                    "clean: renames: field '%s' would become '%s', which the record already has", k,
                    name);
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
