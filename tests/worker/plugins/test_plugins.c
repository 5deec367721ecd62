#define _GNU_SOURCE
/* Test-only plugins for tests/worker:
 *  - test-secret (transform): declares a secret key with a default, to check that neither
 *    --describe nor the logs print it; passes records through.
 *  - test-backpressure (sink): appends values to `file`.<task id>, but answers the first
 *    `retriable.puts` non-empty puts with CW_ERR_RETRIABLE (back-pressure); logs each refusal.
 *  - test-fail-on (transform): CW_ERR_RECORD for a value containing `fail.on`.
 *  - test-drop (transform): drops every record it is applied to (CW_DROP).
 *  - test-topic-is (predicate): matches records whose topic is `topic`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect-worker/plugin.h"

static const cw_host_t *host;

static int init(const cw_host_t *h, char *errstr, size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    host = h;
    return CW_OK;
}

/* --- test-secret --------------------------------------------------------------------------- */

static const cw_config_def_t secret_defs[] = {
    {"api.password", CW_CFG_STRING, "DefaultSecretValue42", CW_CFG_F_SECRET,
     "A secret with a default; never shown.", NULL, 0, 0},
    {"label", CW_CFG_STRING, "plain", 0, "Not a secret.", NULL, 0, 0},
    CW_CONFIG_END};

static int pass_configure(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                          size_t errstr_size) {
    (void)ctx, (void)config, (void)errstr, (void)errstr_size;
    *state = NULL;
    return CW_OK;
}
static int pass_apply(void *state, cw_record_t *r, char *errstr, size_t errstr_size) {
    (void)state, (void)r, (void)errstr, (void)errstr_size;
    return CW_OK;
}
static void pass_close(void *state) { (void)state; }
static const cw_transform_ops_t secret_ops = {
    CW_TRANSFORM_OPS_HEADER,
    .configure = pass_configure,
    .apply = pass_apply,
    .close = pass_close,
};
static const cw_plugin_t secret_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_TRANSFORM,
    .name = "test-secret",
    .version = "0.1",
    .description = "Test transform with a secret key.",
    .config = secret_defs,
    .transform = &secret_ops,
};

/* --- test-fail-on -------------------------------------------------------------------------- */

static const cw_config_def_t fail_defs[] = {{"fail.on", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
                                             "Substring that makes a record fail.", NULL, 0, 0},
                                            CW_CONFIG_END};

static int fail_configure(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                          size_t errstr_size) {
    (void)ctx, (void)errstr, (void)errstr_size;
    *state = strdup(host->config_get(config, "fail.on"));
    return CW_OK;
}
static int fail_apply(void *state, cw_record_t *r, char *errstr, size_t errstr_size) {
    size_t len;
    const char *v = host->record_value(r, &len);
    if (v && memmem(v, len, state, strlen(state))) {
        snprintf(errstr, errstr_size, "value contains '%s'", (const char *)state);
        return CW_ERR_RECORD;
    }
    return CW_OK;
}
static void fail_close(void *state) { free(state); }
static const cw_transform_ops_t fail_ops = {
    CW_TRANSFORM_OPS_HEADER,
    .configure = fail_configure,
    .apply = fail_apply,
    .close = fail_close,
};
static const cw_plugin_t fail_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_TRANSFORM,
    .name = "test-fail-on",
    .version = "0.1",
    .description = "Test transform failing on a substring.",
    .config = fail_defs,
    .transform = &fail_ops,
};

/* --- test-backpressure --------------------------------------------------------------------- */

typedef struct {
    cw_ctx_t *ctx;
    FILE *f;
    long refuse;
} bp_t;

static const cw_config_def_t bp_defs[] = {
    {"file", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED, "Output file.", NULL, 0, 0},
    {"retriable.puts", CW_CFG_INT, "3", 0, "Non-empty puts refused first.", NULL, 0, 1000},
    CW_CONFIG_END};

static int bp_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                    size_t errstr_size) {
    bp_t *b = calloc(1, sizeof *b);
    b->ctx = ctx;
    b->refuse = (long)host->config_get_int(config, "retriable.puts", 3);
    char path[4096];
    snprintf(path, sizeof path, "%s.%d", host->config_get(config, "file"), host->task_id(ctx));
    b->f = fopen(path, "a");
    if (!b->f) {
        snprintf(errstr, errstr_size, "cannot open file");
        free(b);
        return CW_ERR_FATAL;
    }
    *state = b;
    return CW_OK;
}
static int bp_put(void *state, cw_record_t *const *records, size_t n, char *errstr,
                  size_t errstr_size) {
    bp_t *b = state;
    if (n && b->refuse > 0) {
        b->refuse--;
        host->log(b->ctx, CW_LOG_INFO, "test-backpressure: refusing a put of %zu record(s)", n);
        snprintf(errstr, errstr_size, "busy");
        return CW_ERR_RETRIABLE;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *v = host->record_value(records[i], &len);
        fprintf(b->f, "%.*s\n", (int)len, v ? v : "");
    }
    return CW_OK;
}
static int bp_flush(void *state, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                    size_t errstr_size) {
    bp_t *b = state;
    (void)tps, (void)n, (void) final, (void)errstr, (void)errstr_size;
    fflush(b->f);
    fsync(fileno(b->f));
    return CW_OK; /* everything put is durable: offsets stay as handed in */
}
static void bp_stop(void *state) {
    bp_t *b = state;
    if (!b) return;
    fclose(b->f);
    free(b);
}
static const cw_sink_ops_t bp_ops = {
    CW_SINK_OPS_HEADER, .start = bp_start, .put = bp_put, .flush = bp_flush, .stop = bp_stop,
};
static const cw_plugin_t bp_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SINK,
    .name = "test-backpressure",
    .version = "0.1",
    .description = "Test sink refusing its first puts.",
    .config = bp_defs,
    .sink = &bp_ops,
};

/* --- test-drop / test-topic-is ------------------------------------------------------------ */

static int drop_apply(void *state, cw_record_t *r, char *errstr, size_t errstr_size) {
    (void)state, (void)r, (void)errstr, (void)errstr_size;
    return CW_DROP;
}
static const cw_transform_ops_t drop_ops = {
    CW_TRANSFORM_OPS_HEADER,
    .configure = pass_configure,
    .apply = drop_apply,
    .close = pass_close,
};
static const cw_plugin_t drop_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_TRANSFORM,
    .name = "test-drop",
    .version = "0.1",
    .description = "Test transform dropping records.",
    .transform = &drop_ops,
};

static const cw_config_def_t topic_defs[] = {
    {"topic", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED, "Topic to match.", NULL, 0, 0},
    CW_CONFIG_END};
static int topic_configure(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                           size_t errstr_size) {
    (void)ctx, (void)errstr, (void)errstr_size;
    *state = strdup(host->config_get(config, "topic"));
    return CW_OK;
}
static int topic_test(void *state, const cw_record_t *r) {
    return strcmp(host->record_topic(r), state) == 0;
}
static const cw_predicate_ops_t topic_ops = {
    CW_PREDICATE_OPS_HEADER,
    .configure = topic_configure,
    .test = topic_test,
    .close = fail_close,
};
static const cw_plugin_t topic_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_PREDICATE,
    .name = "test-topic-is",
    .version = "0.1",
    .description = "Test predicate on the topic name.",
    .config = topic_defs,
    .predicate = &topic_ops,
};

static const cw_plugin_t *const plugins[] = {&secret_plugin, &fail_plugin,  &bp_plugin,
                                             &drop_plugin,   &topic_plugin, NULL};
static const cw_module_t module = {
    CW_MODULE_HEADER,
    .name = "worker-test-plugins",
    .plugins = plugins,
    .init = init,
};
CW_MODULE_ENTRY(module)
