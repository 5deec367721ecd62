/* The clean transform's plugin glue: module entry, key table and record access. */
#include "clean.h"
#include <stddef.h>
#include <stdio.h>

static int has_json_text; /* the host hands out JSON text (set once by module init) */

static int clean_configure(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *e,
                           size_t n) {
    (void)ctx;
    clean_t *c;
    int rc = clean_configure_state(config, &c, e, n);
    if (rc == CW_OK) *state = c;
    return rc;
}

static int clean_apply(void *state, cw_record_t *r, char *e, size_t n) {
    /* The streaming path when the host hands out the value's JSON text; it leaves anything
     * it does not model, and every failure, to the tree path below. */
    size_t len;
    const char *text, *bytes;
    if (has_json_text && (text = clean_host->record_value_json_text(r, &len)) &&
        clean_apply_text(state, text, len, &bytes, &len)) {
        clean_host->record_set_value(r, bytes, len);
        return CW_OK;
    }
    char why[512];
    json_t *v = clean_host->record_value_json_mut(r, why, sizeof(why));
    if (!v) {
        snprintf(e, n, "clean: the value is not valid JSON: %s", why);
        return CW_ERR_RECORD;
    }
    if (json_is_null(v)) return CW_OK; /* tombstones pass */
    if (!json_is_object(v)) {
        snprintf(e, n, "clean: the value is a JSON %s, not an object",
                 json_is_array(v)    ? "array"
                 : json_is_string(v) ? "string"
                 : json_is_number(v) ? "number"
                                     : "boolean");
        return CW_ERR_RECORD;
    }
    json_t *out;
    int rc = clean_apply_json(state, v, &out, e, n);
    if (rc == CW_OK && out) clean_host->record_set_value_json(r, out);
    return rc;
}

static void clean_close(void *state) { clean_free(state); }

static const cw_transform_ops_t ops = {
    CW_TRANSFORM_OPS_HEADER,
    .configure = clean_configure,
    .apply = clean_apply,
    .close = clean_close,
};
static const char *const aliases[] = {"Clean", "io.connectworker.transforms.Clean", NULL};
static const cw_plugin_t plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_TRANSFORM,
    .name = "clean",
    .aliases = aliases,
    .version = "0.1.0",
    .description = "Declarative cleaning of flat JSON objects: placeholders to null, number and "
                   "timestamp parsing, concat, arrays, renames, field order",
    .config = clean_defs,
    .validate = clean_validate,
    .transform = &ops,
};
static const cw_plugin_t *const plugins[] = {&plugin, NULL};

static int module_init(const cw_host_t *host, char *e, size_t n) {
    (void)e;
    (void)n;
    clean_host = host;
    /* A host may withhold the JSON text (the chain tester's tree-only mode): then every
     * record takes the tree path. */
    has_json_text = CW_HOST_HAS(host, record_value_json_text);
    return CW_OK;
}

static const cw_module_t module = {
    CW_MODULE_HEADER,
    .name = "clean",
    .plugins = plugins,
    .init = module_init,
};
CW_MODULE_ENTRY(module)
