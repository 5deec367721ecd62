/* The cw_host_t table: the only way plugins reach the worker. */
#include "host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "errors.h"
#include "json_encode.h"
#include "log.h"
#include "metrics.h"
#include "offsets_file.h"
#include "record.h"
#include "validate.h"

static void host_log(cw_ctx_t *ctx, cw_log_level_t level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    cw_vlog(ctx ? ctx->connector : NULL, ctx ? ctx->task : -1, level, fmt, ap);
    va_end(ap);
}

/* The value itself: CW_STOP_GRACEFUL or CW_STOP_ABORT (plugin.h), 0 while running. */
static int host_stopping(cw_ctx_t *ctx) { return ctx && ctx->stop ? atomic_load(ctx->stop) : 0; }

static const char *host_connector_name(cw_ctx_t *ctx) { return ctx ? ctx->connector : ""; }
static int host_task_id(cw_ctx_t *ctx) { return ctx ? ctx->task : -1; }

static void host_task_config_set(cw_task_split_t *split, int task, const char *key,
                                 const char *value) {
    if (!split || task < 0 || task >= split->max_tasks || !key) return;
    if (!split->tasks[task]) split->tasks[task] = cw_props_new();
    cw_props_set(split->tasks[task], key, value ? value : "");
}

static int host_report_bad_record(cw_ctx_t *ctx, cw_record_t *r, const char *reason) {
    if (!ctx || !ctx->errors || !r) return CW_ERR_FATAL;
    char err[1024];
    return cw_errors_report(ctx->errors, r, CW_STAGE_TASK_PUT, NULL,
                            reason ? reason : "reported by the sink", err, sizeof err);
}

void cw_batch_init(struct cw_batch *b, const cw_converter_t *key_conv,
                   const cw_converter_t *value_conv) {
    memset(b, 0, sizeof *b);
    b->key_conv = key_conv;
    b->value_conv = value_conv;
}

/* The spare records never outnumber the largest batch: they are that batch's records, so
 * keeping them does not raise the peak memory of a poll. */
void cw_batch_release(struct cw_batch *b, size_t i) {
    cw_record_t *r = b->recs[i];
    if (!r) return;
    b->recs[i] = NULL;
    if (b->nspare == b->capspare) {
        size_t cap = b->capspare ? b->capspare * 2 : 64;
        cw_record_t **sp = realloc(b->spare, cap * sizeof *sp);
        if (sp) {
            b->spare = sp;
            b->capspare = cap;
        }
    }
    if (b->nspare < b->capspare && cw_record_recycle(r))
        b->spare[b->nspare++] = r;
    else
        cw_record_free(r);
}

void cw_batch_clear(struct cw_batch *b) {
    for (size_t i = 0; i < b->n; i++) cw_batch_release(b, i);
    b->n = 0;
}

void cw_batch_destroy(struct cw_batch *b) {
    cw_batch_clear(b);
    for (size_t i = 0; i < b->nspare; i++) cw_record_free(b->spare[i]);
    free(b->spare);
    free(b->recs);
    b->recs = NULL;
    b->spare = NULL;
    b->cap = b->nspare = b->capspare = 0;
}

static cw_record_t *host_source_record_new(cw_batch_t *batch, const char *topic, int32_t partition,
                                           const char *source_partition,
                                           const char *source_offset) {
    if (!batch || !topic) return NULL;
    if (batch->n == batch->cap) {
        batch->cap = batch->cap ? batch->cap * 2 : 64;
        batch->recs = realloc(batch->recs, batch->cap * sizeof *batch->recs);
        if (!batch->recs) abort();
    }
    cw_record_t *r = batch->nspare ? batch->spare[--batch->nspare] : NULL;
    if (r && cw_record_reuse_source(r, topic, partition, source_partition, source_offset,
                                    batch->key_conv, batch->value_conv) != 0) {
        cw_record_free(r); /* a longer topic than its room */
        r = NULL;
    }
    if (!r)
        r = cw_record_new_source(topic, partition, source_partition, source_offset, batch->key_conv,
                                 batch->value_conv);
    batch->recs[batch->n++] = r;
    return r;
}

static char *host_offset_get(cw_ctx_t *ctx, const char *source_partition) {
    if (!ctx || !ctx->offsets || !source_partition) return NULL;
    char *offset = cw_offsets_get(ctx->offsets, ctx->connector, source_partition);
    /* A task that starts over must say so: a lost or reset offsets file otherwise re-reads
     * everything in silence (issue 18). */
    if (!offset)
        cw_log(ctx->connector, ctx->task, CW_LOG_INFO,
               "no stored offset for %s: reading from the start", source_partition);
    return offset;
}

static char *host_json_encode(const struct json_t *value, size_t *len) {
    return cw_json_encode(value, len);
}

static void host_free(void *p) { free(p); }

static cw_metric_t *host_metric_register(cw_ctx_t *ctx, const cw_metric_def_t *def, char *errstr,
                                         size_t errstr_size) {
    if (!ctx || !ctx->metrics || ctx->task < 0) {
        snprintf(errstr, errstr_size, "metric '%s': %s", def && def->name ? def->name : "",
                 !ctx || ctx->task >= 0 ? "this worker keeps no metrics"
                                        : "metrics belong to a task: register them in start "
                                          "or configure, not at connector level");
        return NULL;
    }
    return cw_metrics_register(ctx->metrics, ctx, ctx->connector, ctx->task, def, errstr,
                               errstr_size);
}

/* Through a sink task's consumer or a source task's producer. */
static char *host_kafka_cluster_id(cw_ctx_t *ctx, int timeout_ms) {
    rd_kafka_t *rk = !ctx ? NULL : ctx->kafka_consumer ? ctx->kafka_consumer : ctx->kafka;
    if (!rk) return NULL;
    char *id = rd_kafka_clusterid(rk, timeout_ms < 0 ? 0 : timeout_ms);
    if (!id) return NULL;
    char *copy = strdup(id); /* the plugin frees it with host->free */
    rd_kafka_mem_free(rk, id);
    return copy;
}

/* The same monotonic clock as cw_now_ms (runtime/task.c), which the deadline is set on. */
static int64_t host_stop_time_left_ms(cw_ctx_t *ctx) {
    if (!ctx || !ctx->stop || !atomic_load(ctx->stop)) return -1;
    int64_t deadline = atomic_load(&ctx->stop_deadline);
    if (!deadline) return -1;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t left = deadline - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    return left > 0 ? left : 0;
}

static const cw_host_t host_table = {
    .abi_version = CW_ABI_VERSION,
    .struct_size = sizeof(cw_host_t),
    .log = host_log,
    .stopping = host_stopping,
    .connector_name = host_connector_name,
    .task_id = host_task_id,
    .config_get = cw_config_get,
    .config_get_int = cw_config_get_int,
    .config_get_double = cw_config_get_double,
    .config_get_bool = cw_config_get_bool,
    .config_get_list = cw_config_get_list,
    .config_foreach = cw_config_foreach,
    .task_config_set = host_task_config_set,
    .validation_error = cw_validation_error,
    .validation_begin = cw_validation_begin,
    .validation_end = cw_validation_end,
    .record_topic = cw_record_topic,
    .record_partition = cw_record_partition,
    .record_offset = cw_record_offset,
    .record_original_topic = cw_record_original_topic,
    .record_original_partition = cw_record_original_partition,
    .record_original_offset = cw_record_original_offset,
    .record_timestamp = cw_record_timestamp,
    .record_key = cw_record_key,
    .record_value = cw_record_value,
    .record_key_json = cw_record_key_json,
    .record_value_json = cw_record_value_json,
    .record_key_json_mut = cw_record_key_json_mut,
    .record_value_json_mut = cw_record_value_json_mut,
    .record_header_count = cw_record_header_count,
    .record_header_get = cw_record_header_get,
    .record_header_find = cw_record_header_find,
    .record_set_topic = cw_record_set_topic,
    .record_set_partition = cw_record_set_partition,
    .record_set_timestamp = cw_record_set_timestamp,
    .record_set_key = cw_record_set_key,
    .record_set_value = cw_record_set_value,
    .record_set_key_json = cw_record_set_key_json,
    .record_set_value_json = cw_record_set_value_json,
    .record_header_add = cw_record_header_add,
    .record_header_remove = cw_record_header_remove,
    .report_bad_record = host_report_bad_record,
    .source_record_new = host_source_record_new,
    .offset_get = host_offset_get,
    .json_encode = host_json_encode,
    .free = host_free,
    .record_value_json_text = cw_record_value_json_text,
    .record_key_format = cw_record_key_format,
    .record_value_format = cw_record_value_format,
    .metric_register = host_metric_register,
    .metric_add = cw_metric_add,
    .metric_set = cw_metric_set,
    .metric_observe = cw_metric_observe,
    .kafka_metadata = cw_host_kafka_metadata,
    .kafka_cluster_id = host_kafka_cluster_id,
    .stop_time_left_ms = host_stop_time_left_ms,
    .record_set_value_json_text = cw_record_set_value_json_text,
};

const cw_host_t *cw_host(void) { return &host_table; }
