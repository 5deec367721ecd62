/* The worker side of the plugin ABI: the cw_host_t table and the per-instance context. */
#ifndef CW_HOST_H
#define CW_HOST_H
#include <stdatomic.h>
#include "connect-worker/plugin.h"
#include "converter.h"
#include "props.h"

struct cw_errors;
struct cw_offsets;
struct cw_metrics;

/** What a plugin instance's cw_ctx_t points at. The transforms and predicates of a task's
 *  chain share the task's context (same connector, task and stop flag). */
struct cw_ctx {
    const char *connector;      /* borrowed from the connector, never NULL */
    int task;                   /* -1: connector level (task_configs) */
    atomic_int *stop;           /* the task's stop flag; NULL: never stopping */
    struct cw_errors *errors;   /* report_bad_record; NULL outside sink tasks */
    struct cw_offsets *offsets; /* offset_get; NULL outside source tasks */
    struct cw_metrics *metrics; /* metric_register; NULL: no metrics (connector level) */
    void *kafka; /* kafka_metadata: the source task's producer (rd_kafka_t); NULL elsewhere */
    void *kafka_consumer;          /* kafka_cluster_id: a sink task's consumer (rd_kafka_t); NULL
                             elsewhere; set and cleared on the task thread */
    _Atomic int64_t stop_deadline; /* cw_now_ms() by which a stopping task must have
                                      ended (stop_time_left_ms); 0: none */
};

/** host->kafka_metadata (host_kafka.c). */
char *cw_host_kafka_metadata(cw_ctx_t *ctx, const char *topic, int timeout_ms, char *errstr,
                             size_t errstr_size);

/** A source poll batch. */
struct cw_batch {
    cw_record_t **recs;
    size_t n, cap;
    /* Emptied records of the last poll, reused by the next one (no malloc a record, nor for
     * its value when the old buffer fits): at most one poll's worth, see cw_batch_clear. */
    cw_record_t **spare;
    size_t nspare, capspare;
    const cw_converter_t *key_conv, *value_conv;
};
void cw_batch_init(struct cw_batch *b, const cw_converter_t *key_conv,
                   const cw_converter_t *value_conv);
/** Empties the batch: the records still in it are kept for reuse by the next poll's
 *  source_record_new (the arrays are kept too), or freed if they cannot be reused. */
void cw_batch_clear(struct cw_batch *b);
/** Empties slot i of the batch now (its record kept for reuse, or freed): the source task
 *  releases each record as soon as it is produced, while it is still in the cache. */
void cw_batch_release(struct cw_batch *b, size_t i);
void cw_batch_destroy(struct cw_batch *b);

/** task_configs output: per-task extra keys. */
struct cw_task_split {
    int max_tasks;
    cw_props_t **tasks; /* max_tasks entries */
};

/** The one host table handed to every module. Static; never NULL. */
const cw_host_t *cw_host(void);
#endif
