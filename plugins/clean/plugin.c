/* The clean transform's plugin glue: module entry, key table and record access. */
#include "clean.h"
#include <stddef.h>
#include <stdio.h>

static int has_json_text;  /* the host hands out JSON text (set once by module init) */

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
    if (json_is_null(v)) return CW_OK;  /* tombstones pass */
    if (!json_is_object(v)) {
        snprintf(e, n, "clean: the value is a JSON %s, not an object",
                 json_is_array(v) ? "array" : json_is_string(v) ? "string" : json_is_number(v) ? "number" : "boolean");
        return CW_ERR_RECORD;
    }
    json_t *out;
    int rc = clean_apply_json(state, v, &out, e, n);
    if (rc == CW_OK && out) clean_host->record_set_value_json(r, out);
    return rc;
}

static void clean_close(void *state) { clean_free(state); }

static const cw_transform_ops_t ops = {clean_configure, clean_apply, clean_close};
static const char *const aliases[] = {"Clean", "io.connectworker.transforms.Clean", NULL};
static const cw_plugin_t plugin = {CW_PLUGIN_TRANSFORM, "clean", aliases, "0.1.0",
    "Declarative cleaning of flat JSON objects: placeholders to null, number and timestamp parsing, concat, arrays, renames, field order",
    clean_defs, NULL, NULL, &ops, NULL};
static const cw_plugin_t *const plugins[] = {&plugin, NULL};

static int module_init(const cw_host_t *host, char *e, size_t n) {
    /* record_value_json_text was appended later: an older worker gets the tree path only. */
    if (host->struct_size < offsetof(cw_host_t, record_value_json_text)) {
        snprintf(e, n, "the worker's host table is older than this module");
        return CW_ERR_FATAL;
    }
    clean_host = host;
    has_json_text = host->struct_size >= offsetof(cw_host_t, record_value_json_text) +
                                             sizeof host->record_value_json_text &&
                    host->record_value_json_text;
    return CW_OK;
}

static const cw_module_t module = {CW_ABI_VERSION, sizeof(cw_module_t), "clean", plugins,
                                   module_init, NULL};
CW_MODULE_ENTRY(module)
