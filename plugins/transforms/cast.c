/* Cast$Key / $Value: casts the whole key/value or some of its fields to int8 ... int64,
 * float32, float64, boolean or string (rules in cast_spec.c). */
#include "tf.h"
#include "cast_spec.h"
#include <stdlib.h>
#include <string.h>

typedef struct cast {
    tf_which_t which;
    cast_spec_t spec;
    tf_path_t *paths; /* one per field item */
} cast_t;

static void cast_close(void *state) {
    cast_t *s = state;
    if (!s) return;
    for (size_t i = 0; s->paths && i < s->spec.n; i++) tf_path_free(&s->paths[i]);
    free(s->paths);
    cast_spec_free(&s->spec);
    free(s);
}

static void cast_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    cast_t *s = state;
    size_t cnt = 0;
    char why[512];
    const char *const *items = tf_host->config_get_list(c, "spec", &cnt);
    if (cast_spec_parse(items, items ? cnt : 0, &s->spec, why, sizeof why)) {
        tf_host->validation_error(v, "spec", "%s", why);
        return;
    }
    s->paths = calloc(s->spec.n, sizeof(*s->paths));
    if (!s->paths) {
        tf_host->validation_error(v, "spec", "out of memory");
        return;
    }
    int v2 = tf_syntax_v2(c, v);
    for (size_t i = 0; i < s->spec.n; i++)
        if (s->spec.items[i].field)
            tf_path_parse_v(v, "spec", s->spec.items[i].field, v2, &s->paths[i]);
}
TF_KV_CHECKED(cast_configure, cast_parse, cast_t, cast_close)
TF_KV_CONFIGURE(cast_configure)

static int cast_apply(void *state, cw_record_t *r, char *e, size_t n) {
    cast_t *s = state;
    char why[256];
    json_t *v = tf_get_mut(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    if (json_is_null(v)) return CW_OK;
    if (!s->spec.items[0].field) {
        json_t *out = cast_value(v, s->spec.items[0].type, why, sizeof(why));
        if (!out) return tf_err(e, n, CW_ERR_RECORD, "Cast: %s: %s", tf_which_name(s->which), why);
        tf_set(r, s->which, out);
        return CW_OK;
    }
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "Cast: the %s is a JSON %s, not an object",
                      tf_which_name(s->which), tf_type_name(v));
    for (size_t i = 0; i < s->spec.n; i++) {
        json_t *parent = tf_path_parent(v, &s->paths[i]);
        json_t *old = parent ? json_object_get(parent, tf_path_leaf(&s->paths[i])) : NULL;
        if (!old) continue;
        json_t *out = cast_value(old, s->spec.items[i].type, why, sizeof(why));
        if (!out) return tf_err(e, n, CW_ERR_RECORD, "Cast: field '%s': %s", s->paths[i].text, why);
        json_object_set_new(parent, tf_path_leaf(&s->paths[i]), out);
    }
    return CW_OK;
}

static const cw_config_def_t cast_defs[] = {
    {"spec", CW_CFG_LIST, NULL, CW_CFG_F_REQUIRED,
     "field:type pairs, or one type for the whole key/value; types int8, int16, int32, int64, "
     "float32, float64, boolean, string.",
     NULL, 0, 0},
    {"field.syntax.version", CW_CFG_STRING, "V1", 0,
     "V1: field names as written; V2: dotted paths into nested objects.", "V1,V2", 0, 0},
    TF_REPLACE_NULL_DEF,
    CW_CONFIG_END};

TF_KV_PLUGINS(cast, "Cast", cast_defs, cast_configure, cast_configure_validate, cast_apply,
              cast_close, "Casts fields or the whole key/value to another primitive type")
