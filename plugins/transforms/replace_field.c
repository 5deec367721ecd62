/* ReplaceField$Key / $Value: keep (include), drop (exclude) and rename top-level fields of
 * a schemaless object. The older names whitelist / blacklist are accepted as well. */
#include "tf.h"
#include <stdlib.h>
#include <string.h>

typedef struct rf {
    tf_which_t which;
    char **include, **exclude;
    char **from, **to; /* renames, parallel arrays */
    size_t nren;
} rf_t;

static void rf_close(void *state) {
    rf_t *s = state;
    if (!s) return;
    tf_list_free(s->include);
    tf_list_free(s->exclude);
    for (size_t i = 0; i < s->nren; i++) {
        free(s->from[i]);
        free(s->to[i]);
    }
    free(s->from);
    free(s->to);
    free(s);
}

static char **merged_list(const cw_config_t *c, const char *key, const char *legacy) {
    char **a = tf_list_dup(c, key, NULL);
    if (a && a[0]) return a;
    tf_list_free(a);
    return tf_list_dup(c, legacy, NULL);
}

static void rf_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    rf_t *s = state;
    s->include = merged_list(c, "include", "whitelist");
    s->exclude = merged_list(c, "exclude", "blacklist");
    size_t cnt = 0;
    const char *const *ren = tf_host->config_get_list(c, "renames", &cnt);
    s->from = calloc(cnt + 1, sizeof(char *));
    s->to = calloc(cnt + 1, sizeof(char *));
    if (!s->from || !s->to) {
        tf_host->validation_error(v, "renames", "out of memory");
        return;
    }
    for (size_t i = 0; ren && i < cnt; i++) {
        if (!ren[i][0]) continue;
        const char *colon = strchr(ren[i], ':');
        if (!colon || colon == ren[i] || !colon[1] || strchr(colon + 1, ':')) {
            tf_host->validation_error(v, "renames", "'%s' is not of the form old:new", ren[i]);
            continue;
        }
        s->from[s->nren] = strndup(ren[i], (size_t)(colon - ren[i]));
        s->to[s->nren] = strdup(colon + 1);
        s->nren++;
    }
}
TF_KV_CHECKED(rf_configure, rf_parse, rf_t, rf_close)
TF_KV_CONFIGURE(rf_configure)

static const char *renamed(const rf_t *s, const char *name) {
    for (size_t i = 0; i < s->nren; i++)
        if (strcmp(s->from[i], name) == 0) return s->to[i];
    return name;
}

static int rf_apply(void *state, cw_record_t *r, char *e, size_t n) {
    rf_t *s = state;
    json_t *v = tf_get(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    if (json_is_null(v)) return CW_OK; /* a tombstone passes, as in Kafka */
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "ReplaceField: the %s is a JSON %s, not an object",
                      tf_which_name(s->which), tf_type_name(v));
    /* Build a new object so that field order follows the input and renames keep position. */
    json_t *out = json_object();
    const char *k;
    json_t *fv;
    json_object_foreach(v, k, fv) {
        if (s->exclude && tf_list_has(s->exclude, k)) continue;
        if (s->include && s->include[0] && !tf_list_has(s->include, k)) continue;
        json_object_set(out, renamed(s, k), fv);
    }
    tf_set(r, s->which, out);
    return CW_OK;
}

static const cw_config_def_t rf_defs[] = {
    {"exclude", CW_CFG_LIST, "", 0, "Fields to remove.", NULL, 0, 0},
    {"include", CW_CFG_LIST, "", 0, "Fields to keep; when set, all others are removed.", NULL, 0,
     0},
    {"renames", CW_CFG_LIST, "", 0, "Field renames, each old:new.", NULL, 0, 0},
    {"blacklist", CW_CFG_LIST, NULL, 0, "Deprecated name of exclude.", NULL, 0, 0},
    {"whitelist", CW_CFG_LIST, NULL, 0, "Deprecated name of include.", NULL, 0, 0},
    TF_REPLACE_NULL_DEF,
    CW_CONFIG_END};

TF_KV_PLUGINS(replace_field, "ReplaceField", rf_defs, rf_configure, rf_configure_validate, rf_apply,
              rf_close, "Filters and renames fields")
