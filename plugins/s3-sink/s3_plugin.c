/* The plugin descriptor: connector.class s3-sink and the Confluent class names. */
#include "s3_sink.h"

static int on_init(const cw_host_t *host, char *errstr, size_t errstr_size) {
    (void)errstr;
    (void)errstr_size;
    s3_host = host;
    return CW_OK;
}

static int sink_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                      size_t errstr_size) {
    return s3_task_start(s3_host, ctx, config, (s3_task_t **)state, errstr, errstr_size);
}

static int sink_open(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                     size_t errstr_size) {
    (void)errstr;
    (void)errstr_size;
    return s3_task_open(state, tps, n);
}

static int sink_close(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                      size_t errstr_size) {
    (void)errstr;
    (void)errstr_size;
    return s3_task_close(state, tps, n);
}

static int sink_put(void *state, cw_record_t *const *records, size_t n, char *errstr,
                    size_t errstr_size) {
    return s3_task_put(state, records, n, errstr, errstr_size);
}

static int sink_flush(void *state, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                      size_t errstr_size) {
    return s3_task_flush(state, tps, n, final, errstr, errstr_size);
}

static void sink_stop(void *state) { s3_task_stop(state); }

static const cw_sink_ops_t sink_ops = {
    CW_SINK_OPS_HEADER, .start = sink_start, .open = sink_open, .close = sink_close,
    .put = sink_put,    .flush = sink_flush, .stop = sink_stop,
};

static const char *const aliases[] = {"io.confluent.connect.s3.S3SinkConnector", "S3SinkConnector",
                                      NULL};

static const cw_plugin_t s3_sink_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SINK,
    .name = "s3-sink",
    .aliases = aliases,
    .version = "0.1.0",
    .description = "Writes Kafka topics to S3 as Confluent-layout JSON or byte objects, exactly "
                   "once",
    .config = s3_sink_config_defs,
    .validate = s3_settings_validate,
    .sink = &sink_ops,
};

static const cw_plugin_t *const plugins[] = {&s3_sink_plugin, NULL};

static const cw_module_t s3_module = {
    CW_MODULE_HEADER,
    .name = "s3-sink",
    .plugins = plugins,
    .init = on_init,
};

CW_MODULE_ENTRY(s3_module)
