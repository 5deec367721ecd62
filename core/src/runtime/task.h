/*
 * The task runtime: one thread per task runs a source (poll -> transforms -> producer) or a
 * sink (consumer -> transforms -> put/flush). The worker fills a cw_task_env_t per task and
 * starts a thread on cw_source_task_run or cw_sink_task_run; the task code knows nothing else
 * of the worker, so the worker only starts and stops tasks.
 */
#ifndef CW_RUNTIME_TASK_H
#define CW_RUNTIME_TASK_H
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>

#include "config.h"
#include "converter.h"
#include "host.h"
#include "offsets_file.h"
#include "props.h"
#include "registry.h"
#include "runtime/task_metrics.h"

enum cw_task_state { CW_TASK_RUNNING = 0, CW_TASK_DONE, CW_TASK_FAILED };

/** The timeout_ms every source poll gets (documented in plugin.h): how long the worker is
 *  ready to wait before it notices a stop. Offsets do not depend on it (see source_inflight.h). */
#define CW_SOURCE_POLL_TIMEOUT_MS 1000

typedef struct cw_task_env cw_task_env_t;

/** What a task needs from the worker. The worker owns it and fills the first block before the
 *  thread starts; the task only reads it. The second block is shared between both threads. */
struct cw_task_env {
    const char *connector;         /* connector name (borrowed from the worker) */
    int id;                        /* task number, 0-based */
    const cw_plugin_t *plugin;     /* a source or sink plugin */
    const cw_config_t *config;     /* connector keys + this task's keys from task_configs */
    const cw_props_t *conn_props;  /* connector keys, for the transform chain */
    const cw_registry_t *registry; /* transforms and predicates of the chain */
    const cw_converter_t *key_conv, *value_conv;
    cw_offsets_t *offsets;       /* source tasks: the offset store */
    int batch_mode;              /* --exit-when-caught-up */
    int64_t flush_interval_ms;   /* offset.flush.interval.ms */
    int64_t flush_timeout_ms;    /* offset.flush.timeout.ms */
    int64_t shutdown_timeout_ms; /* task.shutdown.graceful.timeout.ms */
    /** librdkafka configuration of one client of this task ("producer" or "consumer"):
     *  bootstrap, the worker's and the connector's keys. NULL with errstr on a bad key. */
    rd_kafka_conf_t *(*kafka_conf)(void *opaque, const char *prefix, const char *client_id,
                                   char *errstr, size_t errstr_size);
    /** Batch mode: is every sink task of the worker caught up or no longer running? */
    int (*sinks_caught_up)(void *opaque);
    atomic_int *sources_running; /* batch mode: source tasks of the worker still running */
    void *opaque;                /* the worker's handle for the two callbacks */

    cw_ctx_t ctx;       /* the plugin's context; ctx.stop points at `stop` */
    atomic_int stop;    /* set by the worker: stop now */
    atomic_int state;   /* enum cw_task_state, written by the task */
    atomic_int waiting; /* batch mode: a caught-up sink task waits for others */
    char error[1024];   /* why the task failed; written before state */
    /** What the task thread is doing now (a static string, e.g. "the plugin's flush"), for
     *  the worker's "did not stop" message. Written by the task, read by the worker. */
    _Atomic(const char *) doing;
    /** Kafka Connect's task metrics (runtime/task_metrics.h), registered in ctx.metrics by the
     *  task thread when it starts (when NULL then). They outlive the thread, so that the last
     *  values can still be rendered: whoever owns the env frees them with
     *  cw_task_metrics_free after the thread ended, before a restart of the task. */
    cw_task_metrics_t *tm;

    /* Run-time control (herder.h). pause is set by the worker: a sink pauses its consumer, a
     * source stops calling poll; both keep serving their clients and committing. The task
     * answers with paused (and counts its paused rounds, which tests wait on). */
    atomic_int pause;
    atomic_int paused;
    atomic_long paused_rounds;
    /** Called on the task's thread with each topic it starts producing to (source) or is
     *  assigned partitions of (sink); NULL: not tracked. opaque as above. */
    void (*topic_used)(void *opaque, const char *topic);
};

/** env.stop values: a graceful stop (first SIGTERM, end of a batch run), and an abort (a
 *  second signal): stop waiting, commit only what is durable already. They are what the
 *  plugin's host->stopping returns (CW_STOP_GRACEFUL, CW_STOP_ABORT in plugin.h). */
#define CW_TASK_STOP_GRACEFUL CW_STOP_GRACEFUL
#define CW_TASK_STOP_ABORT CW_STOP_ABORT

/** Records what the task thread does now (see env.doing); `what` must be a static string. */
static inline void cw_task_doing(cw_task_env_t *t, const char *what) {
    atomic_store(&t->doing, what);
}

/** Non-zero when the worker asked the task to abort (second signal). */
static inline int cw_task_aborting(const cw_task_env_t *t) {
    return atomic_load(&t->stop) == CW_TASK_STOP_ABORT;
}

/** Task thread bodies. `env` outlives the thread. */
void *cw_source_task_run(void *env);
void *cw_sink_task_run(void *env);

/** Milliseconds, microseconds on a monotonic clock. */
int64_t cw_now_ms(void);
int64_t cw_now_us(void);

/** Marks the task failed with a message, logged. The first failure's message is kept: a later
 *  one (e.g. a flush after a fatal put) is only logged. */
void cw_task_fail(cw_task_env_t *t, const char *fmt, ...) CW_PRINTF(2, 3);
int cw_task_failed(const cw_task_env_t *t);
int cw_task_stopping(const cw_task_env_t *t);

/** Called while a task waits, with slices of at most 100 ms: a source serves delivery reports
 *  there. NULL: just sleep. */
typedef void (*cw_task_serve_fn)(void *opaque, int ms);

/** Waits `ms` or until the task is told to stop (or failed), calling serve for each slice. */
void cw_task_wait(cw_task_env_t *t, int64_t ms, cw_task_serve_fn serve, void *opaque);

/** Calls the plugin's start until it succeeds, backing off (500 ms doubling up to
 *  errors.retry.delay.max.ms) after CW_ERR_RETRIABLE. Returns 1 when started, 0 when the task
 *  failed (fatal start: the task is marked failed and stop is not called) or was stopped. */
int cw_task_start_plugin(cw_task_env_t *t,
                         int (*start)(cw_ctx_t *, const cw_config_t *, void **, char *, size_t),
                         void **state, cw_task_serve_fn serve, void *opaque);

/** Waits while the worker wants the task paused (or until stop or failure): sets paused,
 *  calls serve(opaque, 100) per round (100 ms sleep when NULL), clears paused. Returns 1 when
 *  it paused at all. */
int cw_task_pause_wait(cw_task_env_t *t, cw_task_serve_fn serve, void *opaque);

/** The next backoff: doubled, capped at max. */
int64_t cw_task_backoff_next(int64_t backoff, int64_t max);
#endif
