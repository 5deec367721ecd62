/* Test-only plugin for tests/rest: test-rest-count (transform) counts the records it sees in a
 * counter registered through the ABI 2 metrics (test_rest_records_total), so that GET /metrics
 * and a Prometheus server scraping it have a series whose value the test can predict. */
#include "connect-worker/plugin.h"

static const cw_host_t *host;

static int init(const cw_host_t *h, char *errstr, size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    host = h;
    return CW_OK;
}

static const cw_metric_def_t records_def = {
    CW_METRIC_DEF_HEADER,
    .kind = CW_METRIC_COUNTER,
    .name = "test_rest_records_total",
    .help = "Records the test-rest-count transform saw.",
};

static int count_configure(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                           size_t errstr_size) {
    (void)config;
    *state = host->metric_register(ctx, &records_def, errstr, errstr_size);
    return *state ? CW_OK : CW_ERR_CONFIG;
}
static int count_apply(void *state, cw_record_t *r, char *errstr, size_t errstr_size) {
    (void)r, (void)errstr, (void)errstr_size;
    host->metric_add(state, 1);
    return CW_OK;
}
static void count_close(void *state) { (void)state; }

static const cw_transform_ops_t count_ops = {
    CW_TRANSFORM_OPS_HEADER,
    .configure = count_configure,
    .apply = count_apply,
    .close = count_close,
};
static const cw_config_def_t no_defs[] = {CW_CONFIG_END};
static const cw_plugin_t count_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_TRANSFORM,
    .name = "test-rest-count",
    .version = "0.1",
    .description = "Counts records in a metric (tests/rest).",
    .config = no_defs,
    .transform = &count_ops,
};

static const cw_plugin_t *const plugins[] = {&count_plugin, NULL};
static const cw_module_t module = {
    CW_MODULE_HEADER,
    .name = "rest-test-plugins",
    .plugins = plugins,
    .init = init,
};
CW_MODULE_ENTRY(module)
