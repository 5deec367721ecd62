/* Transforms that change the shape of the key or value: ExtractField (pull one field out),
 * HoistField (wrap in an object), Flatten (nested objects into dotted top-level fields) and
 * ValueToKey (key built from value fields). */
#include "tf.h"
#include <stdlib.h>
#include <string.h>

/* --- ExtractField ----------------------------------------------------------------------- */

typedef struct extract {
    tf_which_t which;
    tf_path_t path;
} extract_t;

static void extract_close(void *state) {
    extract_t *s = state;
    if (!s) return;
    tf_path_free(&s->path);
    free(s);
}

static void extract_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    extract_t *s = state;
    const char *f = tf_host->config_get(c, "field");
    if (!f || !*f)
        tf_host->validation_error(v, "field", "the field to extract is required");
    else
        tf_path_parse_v(v, "field", f, tf_syntax_v2(c, v), &s->path);
}
TF_KV_CHECKED(extract_configure, extract_parse, extract_t, extract_close)
TF_KV_CONFIGURE(extract_configure)

static int extract_apply(void *state, cw_record_t *r, char *e, size_t n) {
    extract_t *s = state;
    json_t *v = tf_get(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    if (json_is_null(v)) return CW_OK;
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "ExtractField: the %s is a JSON %s, not an object",
                      tf_which_name(s->which), tf_type_name(v));
    /* Kafka's SingleFieldPath.valueFrom: a missing or null step gives null, a step that
     * holds something other than an object fails the record. */
    json_t *f = v;
    for (size_t i = 0; f && i < s->path.n; i++) {
        if (!json_is_object(f)) {
            if (json_is_null(f)) break;
            return tf_err(e, n, CW_ERR_RECORD,
                          "ExtractField: only objects support nested field access: step '%s' of "
                          "field '%s' is a JSON %s",
                          s->path.seg[i - 1], s->path.text, tf_type_name(f));
        }
        f = json_object_get(f, s->path.seg[i]);
    }
    /* Take the reference before the old root is released by tf_set. */
    tf_set(r, s->which, f ? json_incref(f) : json_null());
    return CW_OK;
}

static const cw_config_def_t extract_defs[] = {
    {"field", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "Field to extract; the record's key/value becomes its value.", NULL, 0, 0},
    {"field.syntax.version", CW_CFG_STRING, "V1", 0,
     "V1: the field name as written; V2: a dotted path into nested objects.", "V1,V2", 0, 0},
    TF_REPLACE_NULL_DEF,
    CW_CONFIG_END};

TF_KV_PLUGINS(extract_field, "ExtractField", extract_defs, extract_configure,
              extract_configure_validate, extract_apply, extract_close,
              "Replaces the object with one of its fields")

/* --- HoistField ------------------------------------------------------------------------- */

typedef struct hoist {
    tf_which_t which;
    char *field;
} hoist_t;

static void hoist_close(void *state) {
    hoist_t *s = state;
    if (s) free(s->field);
    free(s);
}

static void hoist_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    hoist_t *s = state;
    const char *f = tf_host->config_get(c, "field");
    if (!f || !*f)
        tf_host->validation_error(v, "field", "the field name to hoist into is required");
    else
        s->field = strdup(f);
}
TF_KV_CHECKED(hoist_configure, hoist_parse, hoist_t, hoist_close)
TF_KV_CONFIGURE(hoist_configure)

static int hoist_apply(void *state, cw_record_t *r, char *e, size_t n) {
    hoist_t *s = state;
    json_t *v = tf_get(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    json_t *out = json_object();
    json_object_set(out, s->field, v);
    tf_set(r, s->which, out);
    return CW_OK;
}

static const cw_config_def_t hoist_defs[] = {{"field", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
                                              "Name of the single field of the new object.", NULL,
                                              0, 0},
                                             CW_CONFIG_END};

TF_KV_PLUGINS(hoist_field, "HoistField", hoist_defs, hoist_configure, hoist_configure_validate,
              hoist_apply, hoist_close, "Wraps the key/value in an object with one field")

/* --- Flatten ---------------------------------------------------------------------------- */

typedef struct flatten {
    tf_which_t which;
    char *delim;
} flatten_t;

static void flatten_close(void *state) {
    flatten_t *s = state;
    if (s) free(s->delim);
    free(s);
}

static int flatten_configure(cw_ctx_t *ctx, const cw_config_t *c, void **state, char *e, size_t n,
                             tf_which_t which) {
    (void)ctx;
    const char *d = tf_host->config_get(c, "delimiter");
    flatten_t *s = calloc(1, sizeof(*s));
    if (!s || !(s->delim = strdup(d))) {
        free(s);
        return tf_err(e, n, CW_ERR_FATAL, "out of memory");
    }
    s->which = which;
    *state = s;
    return CW_OK;
}
TF_KV_CONFIGURE(flatten_configure)

/* Recursion depth is bounded by the JSON parser's nesting limit. */
static int flatten_into(json_t *out, const char *prefix, json_t *obj, const char *delim) {
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        size_t len = strlen(prefix) + strlen(delim) + strlen(k) + 1;
        char *name = malloc(len);
        if (!name) return -1;
        if (*prefix)
            snprintf(name, len, "%s%s%s", prefix, delim, k);
        else
            snprintf(name, len, "%s", k);
        int rc = 0;
        if (json_is_object(v))
            rc = flatten_into(out, name, v, delim);
        else
            json_object_set(out, name, v);
        free(name);
        if (rc) return rc;
    }
    return 0;
}

static int flatten_apply(void *state, cw_record_t *r, char *e, size_t n) {
    flatten_t *s = state;
    json_t *v = tf_get(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    if (json_is_null(v)) return CW_OK;
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "Flatten: the %s is a JSON %s, not an object",
                      tf_which_name(s->which), tf_type_name(v));
    json_t *out = json_object();
    if (flatten_into(out, "", v, s->delim)) {
        json_decref(out);
        return tf_err(e, n, CW_ERR_FATAL, "Flatten: out of memory");
    }
    tf_set(r, s->which, out);
    return CW_OK;
}

static const cw_config_def_t flatten_defs[] = {
    {"delimiter", CW_CFG_STRING, ".", 0, "Joins the names of nested fields.", NULL, 0, 0},
    CW_CONFIG_END};

TF_KV_PLUGINS(flatten, "Flatten", flatten_defs, flatten_configure, NULL, flatten_apply,
              flatten_close, "Flattens nested objects into top-level fields")

/* --- ValueToKey ------------------------------------------------------------------------- */

typedef struct v2k {
    char **fields;
} v2k_t;

static void v2k_close(void *state) {
    v2k_t *s = state;
    if (s) tf_list_free(s->fields);
    free(s);
}

static void v2k_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    v2k_t *s = state;
    size_t cnt = 0;
    s->fields = tf_list_dup(c, "fields", &cnt);
    if (!cnt) tf_host->validation_error(v, "fields", "at least one value field is required");
}
TF_CHECKED(v2k_configure, v2k_parse, v2k_t, v2k_close)

static int v2k_apply(void *state, cw_record_t *r, char *e, size_t n) {
    v2k_t *s = state;
    json_t *v = tf_get(r, TF_VALUE, e, n);
    if (!v) return CW_ERR_RECORD;
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "ValueToKey: the value is a JSON %s, not an object",
                      tf_type_name(v));
    json_t *key = json_object();
    for (size_t i = 0; s->fields[i]; i++) {
        json_t *f = json_object_get(v, s->fields[i]);
        json_object_set(key, s->fields[i], f ? f : json_null());
    }
    tf_set(r, TF_KEY, key);
    return CW_OK;
}

static const cw_config_def_t v2k_defs[] = {{"fields", CW_CFG_LIST, NULL, CW_CFG_F_REQUIRED,
                                            "Value fields copied into the new key object.", NULL, 0,
                                            0},
                                           TF_REPLACE_NULL_DEF,
                                           CW_CONFIG_END};

TF_PLUGIN(value_to_key, "ValueToKey", v2k_defs, v2k_configure, v2k_configure_validate, v2k_apply,
          v2k_close, "Replaces the key with an object of value fields")
