/* The clean transform's plugin glue: module entry, key table and record access. */
#include "clean.h"
#include <stdio.h>

const cw_config_def_t clean_defs[] = {
    {"null.values", CW_CFG_STRING, NULL, 0, "JSON array of placeholder strings that become null in every field.", NULL, 0, 0},
    {"null.values.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX, "null.values.<field>: JSON array of placeholder strings that become null in that field.", NULL, 0, 0},
    {"null.empty", CW_CFG_BOOL, "false", 0, "Empty strings become null.", NULL, 0, 0},
    {"strip.prefix.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX, "strip.prefix.<field>: text removed from the start of the field when present.", NULL, 0, 0},
    {"extract.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX, "extract.<field>: POSIX extended regex; the field becomes group 1 (or the whole match); no match fails the record.", NULL, 0, 0},
    {"human.numbers", CW_CFG_LIST, NULL, 0, "Fields holding human-written counts (892, 10k, 1.5k, 3M) that become integers.", NULL, 0, 0},
    {"integers", CW_CFG_LIST, NULL, 0, "Fields that become integers (from digit strings or whole numbers).", NULL, 0, 0},
    {"numbers", CW_CFG_LIST, NULL, 0, "Fields that become numbers (from decimal strings).", NULL, 0, 0},
    {"timestamps", CW_CFG_LIST, NULL, 0, "Fields holding timestamps that become ISO-8601 UTC (YYYY-MM-DDTHH:MM:SSZ).", NULL, 0, 0},
    {"concat.fields.", CW_CFG_LIST, NULL, CW_CFG_F_PREFIX, "concat.fields.<new>: fields joined into the new string field (nulls skipped).", NULL, 0, 0},
    {"concat.separator.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX, "concat.separator.<new>: separator for concat.fields.<new> (default one space).", NULL, 0, 0},
    {"array.", CW_CFG_LIST, NULL, CW_CFG_F_PREFIX, "array.<new>: fields collected into the new array field.", NULL, 0, 0},
    {"drop", CW_CFG_LIST, NULL, 0, "Fields removed.", NULL, 0, 0},
    {"renames", CW_CFG_LIST, NULL, 0, "Renames, each old:new.", NULL, 0, 0},
    {"order", CW_CFG_LIST, NULL, 0, "The output has exactly these fields in this order (missing ones as null).", NULL, 0, 0},
    {NULL, 0, NULL, 0, NULL, NULL, 0, 0}};

static int clean_configure(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *e,
                           size_t n) {
    (void)ctx;
    clean_t *c;
    int rc = clean_configure_state(config, &c, e, n);
    if (rc == CW_OK) *state = c;
    return rc;
}

static int clean_apply(void *state, cw_record_t *r, char *e, size_t n) {
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
    if (host->struct_size < sizeof(cw_host_t)) {
        snprintf(e, n, "the worker's host table is older than this module");
        return CW_ERR_FATAL;
    }
    clean_host = host;
    return CW_OK;
}

static const cw_module_t module = {CW_ABI_VERSION, sizeof(cw_module_t), "clean", plugins,
                                   module_init, NULL};
CW_MODULE_ENTRY(module)
