/* uppercase-field: an example transform built outside the connect-worker tree, against the
 * installed SDK only: connect-worker/plugin.h, the SDK library (connect-worker/sdk.h, linked
 * in through `pkg-config --libs connect-worker`) and jansson.
 *
 * With `field` unset the record value must be a string, and all of it is upper-cased; with
 * `field` set the value must be a JSON object, and that field is upper-cased when it is a
 * string (a missing field leaves the record alone). ASCII letters only: other bytes, e.g.
 * UTF-8 sequences, pass through unchanged. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <connect-worker/plugin.h>
#include <connect-worker/sdk.h>

static const cw_host_t *host;

typedef struct uppercase {
    char *field; /* NULL: the whole value */
} uppercase_t;

static int up_configure(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                        size_t errstr_size) {
    (void)ctx;
    uppercase_t *u = calloc(1, sizeof *u);
    if (!u) {
        snprintf(errstr, errstr_size, "uppercase-field: out of memory");
        return CW_ERR_FATAL;
    }
    const char *field = host->config_get(config, "field");
    if (field && *field && !(u->field = strdup(field))) {
        free(u);
        snprintf(errstr, errstr_size, "uppercase-field: out of memory");
        return CW_ERR_FATAL;
    }
    *state = u;
    return CW_OK;
}

/* Replaces the string `s` by its upper-cased copy, built in an SDK buffer. */
static int upcase_string(json_t *s) {
    cw_sdk_buf_t copy = {0};
    if (cw_sdk_buf_append(&copy, json_string_value(s), json_string_length(s)) != 0) return -1;
    for (size_t i = 0; i < copy.len; i++) copy.data[i] = (char)toupper((unsigned char)copy.data[i]);
    int rc = json_string_setn(s, copy.data, copy.len);
    cw_sdk_buf_free(&copy);
    return rc;
}

static int up_apply(void *state, cw_record_t *record, char *errstr, size_t errstr_size) {
    uppercase_t *u = state;
    json_t *value = host->record_value_json_mut(record, errstr, errstr_size);
    if (!value) return CW_ERR_RECORD;      /* errstr says why the value could not be read */
    if (json_is_null(value)) return CW_OK; /* tombstones stay tombstones */

    json_t *target = value;
    if (u->field) {
        if (!json_is_object(value)) {
            snprintf(errstr, errstr_size,
                     "uppercase-field: field '%s' needs an object value, got a %s", u->field,
                     json_is_string(value) ? "string" : "non-object value");
            return CW_ERR_RECORD;
        }
        target = json_object_get(value, u->field);
        if (!target) return CW_OK;
    }
    if (!json_is_string(target)) {
        snprintf(errstr, errstr_size, "uppercase-field: %s%s%s is not a string",
                 u->field ? "field '" : "the value", u->field ? u->field : "", u->field ? "'" : "");
        return CW_ERR_RECORD;
    }
    if (upcase_string(target) != 0) {
        snprintf(errstr, errstr_size, "uppercase-field: out of memory");
        return CW_ERR_FATAL;
    }
    return CW_OK;
}

static void up_close(void *state) {
    uppercase_t *u = state;
    if (!u) return;
    free(u->field);
    free(u);
}

static int up_init(const cw_host_t *h, char *errstr, size_t errstr_size) {
    /* The worker refuses a module built against a larger host table than its own, so every
     * member this file names is there; CW_HOST_HAS is how a plugin asks about a member a host
     * may leave unset. */
    if (!CW_HOST_HAS(h, record_value_json_mut)) {
        snprintf(errstr, errstr_size, "uppercase-field: this host cannot change values as JSON");
        return CW_ERR_FATAL;
    }
    host = h;
    return CW_OK;
}

static const cw_config_def_t up_config[] = {
    {"field", CW_CFG_STRING, NULL, 0,
     "The field of an object value to upper-case; unset: the value itself, which must be a "
     "string.",
     NULL, 0, 0},
    CW_CONFIG_END,
};

static const cw_transform_ops_t up_ops = {
    CW_TRANSFORM_OPS_HEADER,
    .configure = up_configure,
    .apply = up_apply,
    .close = up_close,
};

static const char *const up_aliases[] = {"com.example.connect.UppercaseField", NULL};

static const cw_plugin_t uppercase_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_TRANSFORM,
    .name = "uppercase-field",
    .aliases = up_aliases,
    .version = "0.1.0",
    .description = "Upper-cases a string value, or one string field of an object value "
                   "(ASCII letters).",
    .config = up_config,
    .transform = &up_ops,
};

static const cw_plugin_t *const plugins[] = {&uppercase_plugin, NULL};

static const cw_module_t module = {
    CW_MODULE_HEADER,
    .name = "uppercase-field",
    .plugins = plugins,
    .init = up_init,
};

CW_MODULE_ENTRY(module)
