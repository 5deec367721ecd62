/* MaskField$Key / $Value: replaces fields with the empty value of their type (0, "", false,
 * [], {}) or with `replacement` (for strings as given; for numbers parsed as a number). */
#include "tf.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct mask {
    tf_which_t which;
    tf_path_t *paths;
    size_t n;
    char *replacement;
} mask_t;

static void mask_close(void *state) {
    mask_t *s = state;
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) tf_path_free(&s->paths[i]);
    free(s->paths);
    free(s->replacement);
    free(s);
}

static void mask_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    mask_t *s = state;
    size_t cnt = 0;
    char **fields = tf_list_dup(c, "fields", &cnt);
    if (!cnt) tf_host->validation_error(v, "fields", "at least one field to mask is required");
    s->paths = cnt ? calloc(cnt, sizeof(*s->paths)) : NULL;
    int v2 = tf_syntax_v2(c, v);
    for (size_t i = 0; s->paths && i < cnt; i++) {
        tf_path_parse_v(v, "fields", fields[i], v2, &s->paths[i]);
        s->n++;
    }
    tf_list_free(fields);
    const char *rep = tf_host->config_get(c, "replacement");
    /* Kafka's NonEmptyString validator: set means non-empty; unset masks with the empty
     * value of the field's type. */
    if (rep && !*rep)
        tf_host->validation_error(
            v, "replacement",
            "String must be non-empty (unset it to mask with the field type's empty value)");
    else if (rep)
        s->replacement = strdup(rep);
}
TF_KV_CHECKED(mask_configure, mask_parse, mask_t, mask_close)
TF_KV_CONFIGURE(mask_configure)

static json_t *masked(const mask_t *s, const json_t *old, const char *field, char *e, size_t n) {
    if (!s->replacement) {
        switch (json_typeof(old)) {
        case JSON_STRING: return json_string("");
        case JSON_INTEGER: return json_integer(0);
        case JSON_REAL: return json_real(0);
        case JSON_TRUE:
        case JSON_FALSE: return json_false();
        case JSON_ARRAY: return json_array();
        case JSON_OBJECT: return json_object();
        default: return json_null();
        }
    }
    if (json_is_string(old)) return json_string(s->replacement);
    if (json_is_number(old)) {
        char *end;
        errno = 0;
        /* JsonConverter reads a JSON integer as a Long, which Kafka masks with
         * Long.parseLong(replacement): "1.5" fails an integer field. */
        if (json_is_integer(old)) {
            long long ll = strtoll(s->replacement, &end, 10);
            if (!*end && !errno) return json_integer(ll);
        } else {
            double d = strtod(s->replacement, &end);
            if (!*end && !errno) return json_real(d);
        }
        tf_err(e, n, CW_ERR_RECORD,
               "MaskField: replacement '%s' is not %s for the numeric field '%s'", s->replacement,
               json_is_integer(old) ? "an integer (the field holds one)" : "a number", field);
        return NULL;
    }
    if (json_is_null(old)) return json_null();
    tf_err(e, n, CW_ERR_RECORD,
           "MaskField: field '%s' is a JSON %s, which a replacement cannot mask", field,
           tf_type_name(old));
    return NULL;
}

static int mask_apply(void *state, cw_record_t *r, char *e, size_t n) {
    mask_t *s = state;
    json_t *v = tf_get_mut(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    if (json_is_null(v)) return CW_OK;
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "MaskField: the %s is a JSON %s, not an object",
                      tf_which_name(s->which), tf_type_name(v));
    for (size_t i = 0; i < s->n; i++) {
        json_t *parent = tf_path_parent(v, &s->paths[i]);
        json_t *old = parent ? json_object_get(parent, tf_path_leaf(&s->paths[i])) : NULL;
        if (!old) continue; /* Kafka masks only fields that are present */
        json_t *m = masked(s, old, s->paths[i].text, e, n);
        if (!m) return CW_ERR_RECORD;
        json_object_set_new(parent, tf_path_leaf(&s->paths[i]), m);
    }
    return CW_OK;
}

static const cw_config_def_t mask_defs[] = {
    {"fields", CW_CFG_LIST, NULL, CW_CFG_F_REQUIRED, "Fields to mask.", NULL, 0, 0},
    {"replacement", CW_CFG_STRING, NULL, 0,
     "Replacement value (strings and numbers), non-empty; unset: the type's empty value.", NULL, 0,
     0},
    {"field.syntax.version", CW_CFG_STRING, "V1", 0,
     "V1: field names as written; V2: dotted paths into nested objects.", "V1,V2", 0, 0},
    TF_REPLACE_NULL_DEF,
    CW_CONFIG_END};

TF_KV_PLUGINS(mask_field, "MaskField", mask_defs, mask_configure, mask_configure_validate,
              mask_apply, mask_close, "Masks fields with an empty or given value")
