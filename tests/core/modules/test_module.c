/* One source file, built into several test modules by compile definitions: a good module
 * exporting two plugins, and modules that are broken in one specific way each. */
#include <stddef.h>
#include <string.h>

#include "connect-worker/plugin.h"

#ifdef CW_TEST_MISSING_DEP
int cwtestdep_value(void); /* from libcwtestdep.so, which is not on the load path */
#endif

static const cw_host_t *host;

static int test_init(const cw_host_t *h, char *errstr, size_t errstr_size) {
#ifdef CW_TEST_INIT_FAILS
    (void)h;
    strncpy(errstr, "cannot reach license server at 127.0.0.1:1", errstr_size - 1);
    errstr[errstr_size - 1] = '\0';
    return CW_ERR_FATAL;
#else
    (void)errstr;
    (void)errstr_size;
#ifdef CW_TEST_MISSING_DEP
    if (cwtestdep_value() != 42) return CW_ERR_FATAL;
#endif
    host = h;
    if (host && host->log) host->log(NULL, CW_LOG_INFO, "init %s", CW_TEST_PLUGIN_NAME);
    return CW_OK;
#endif
}

static void test_fini(void) {
    if (host && host->log) host->log(NULL, CW_LOG_INFO, "fini %s", CW_TEST_PLUGIN_NAME);
}

static int src_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                     size_t errstr_size) {
    (void)ctx, (void)config, (void)errstr, (void)errstr_size;
    *state = NULL;
    return CW_OK;
}
static int src_poll(void *state, cw_batch_t *batch, int timeout_ms, char *errstr,
                    size_t errstr_size) {
    (void)state, (void)batch, (void)timeout_ms, (void)errstr, (void)errstr_size;
    return CW_IDLE;
}
static void src_stop(void *state) { (void)state; }

static const cw_source_ops_t source_ops = {
    CW_SOURCE_OPS_HEADER,
    .start = src_start,
    .poll = src_poll,
    .stop = src_stop,
};

static int tr_configure(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                        size_t errstr_size) {
    (void)ctx, (void)config, (void)errstr, (void)errstr_size;
    *state = NULL;
    return CW_OK;
}
static int tr_apply(void *state, cw_record_t *record, char *errstr, size_t errstr_size) {
    (void)state, (void)record, (void)errstr, (void)errstr_size;
    return CW_OK;
}
#ifdef CW_TEST_UNRESOLVED
/* Defined nowhere: with lazy binding the module would load and kill the worker on the first
 * record. */
void cw_test_function_nobody_defines(void);
static void tr_close(void *state) {
    (void)state;
    cw_test_function_nobody_defines();
}
#else
static void tr_close(void *state) { (void)state; }
#endif

#ifndef CW_TEST_OPS_SIZE
#define CW_TEST_OPS_SIZE sizeof(cw_transform_ops_t)
#endif
static const cw_transform_ops_t transform_ops = {
    .struct_size = CW_TEST_OPS_SIZE,
    .configure = tr_configure,
    .apply = tr_apply,
    .close = tr_close,
};

static const char *const source_aliases[] = {"com.example.connect." CW_TEST_PLUGIN_NAME "Connector",
                                             CW_TEST_PLUGIN_NAME "-alias", NULL};

static const cw_config_def_t source_config[] = {
    {"file", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED, "A file.", NULL, 0, 0},
    CW_CONFIG_END,
};

#ifndef CW_TEST_PLUGIN_SIZE
#define CW_TEST_PLUGIN_SIZE sizeof(cw_plugin_t)
#endif
static const cw_plugin_t source_plugin = {
    .struct_size = CW_TEST_PLUGIN_SIZE,
    .kind = CW_PLUGIN_SOURCE,
    .name = CW_TEST_PLUGIN_NAME,
    .aliases = source_aliases,
    .version = "1.0",
    .description = "A test source.",
    .config = source_config,
    .source = &source_ops,
};

static const cw_plugin_t transform_plugin = {
    CW_PLUGIN_HEADER, .kind = CW_PLUGIN_TRANSFORM,        .name = CW_TEST_PLUGIN_NAME "-transform",
    .version = "1.0", .description = "A test transform.", .transform = &transform_ops,
};

static const cw_plugin_t *const plugins[] = {&source_plugin, &transform_plugin, NULL};

#ifndef CW_TEST_ABI
#define CW_TEST_ABI CW_ABI_VERSION
#endif
#ifndef CW_TEST_STRUCT_SIZE
#define CW_TEST_STRUCT_SIZE sizeof(cw_module_t)
#endif

#ifndef CW_TEST_HOST_SIZE
#define CW_TEST_HOST_SIZE sizeof(cw_host_t)
#endif

/* Written out instead of CW_MODULE_HEADER: some of these modules are broken on purpose. */
static const cw_module_t module = {
    .abi_version = CW_TEST_ABI,
    .struct_size = CW_TEST_STRUCT_SIZE,
    .host_size = CW_TEST_HOST_SIZE,
    .name = "test-" CW_TEST_PLUGIN_NAME,
    .plugins = plugins,
    .init = test_init,
    .fini = test_fini,
};

#ifndef CW_TEST_NO_SYMBOL
CW_MODULE_ENTRY(module)
#else
/* Exports something, but not the entry point. */
CW_EXPORT const cw_module_t *not_the_entry(void);
CW_EXPORT const cw_module_t *not_the_entry(void) { return &module; }
#endif
