/* The plugin descriptor: connector.class s3-sink and the Confluent class names. */
#include "s3_sink.h"
#include <stdio.h>

static const cw_host_t *g_host;

static int on_init(const cw_host_t *host, char *errstr, size_t errstr_size)
{
    if (host->abi_version != CW_ABI_VERSION || host->struct_size < sizeof(cw_host_t)) {
        snprintf(errstr, errstr_size, "s3-sink needs host ABI %d", CW_ABI_VERSION);
        return CW_ERR_FATAL;
    }
    g_host = host;
    return CW_OK;
}

static int sink_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                      size_t errstr_size)
{
    return s3_task_start(g_host, ctx, config, (s3_task_t **)state, errstr, errstr_size);
}

static int sink_open(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                     size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    return s3_task_open(state, tps, n);
}

static int sink_close(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                      size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    return s3_task_close(state, tps, n);
}

static int sink_put(void *state, cw_record_t *const *records, size_t n, char *errstr,
                    size_t errstr_size)
{
    return s3_task_put(state, records, n, errstr, errstr_size);
}

static int sink_flush(void *state, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                      size_t errstr_size)
{
    return s3_task_flush(state, tps, n, final, errstr, errstr_size);
}

static void sink_stop(void *state) { s3_task_stop(state); }

static const cw_sink_ops_t sink_ops = {
    NULL, sink_start, sink_open, sink_close, sink_put, sink_flush, sink_stop,
};

static const char *const aliases[] = {"io.confluent.connect.s3.S3SinkConnector", "S3SinkConnector",
                                      NULL};

static const cw_plugin_t s3_sink_plugin = {
    CW_PLUGIN_SINK, "s3-sink", aliases, "0.1.0",
    "Writes Kafka topics to S3 as Confluent-layout JSON or byte objects, exactly once",
    s3_sink_config_defs, NULL, &sink_ops, NULL, NULL,
};

static const cw_plugin_t *const plugins[] = {&s3_sink_plugin, NULL};

static const cw_module_t s3_module = {
    CW_ABI_VERSION, sizeof(cw_module_t), "s3-sink", plugins, on_init, NULL,
};

CW_MODULE_ENTRY(s3_module)
