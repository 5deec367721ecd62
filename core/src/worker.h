/* The standalone worker: configuration, validation, connectors, tasks, shutdown. */
#ifndef CW_WORKER_H
#define CW_WORKER_H
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "config.h"
#include "converter.h"
#include "host.h"
#include "metrics.h"
#include "offsets_file.h"
#include "props.h"
#include "registry.h"
#include "runtime/task.h"
#include "worker_metrics.h"

/* Exit codes of connect-worker (also listed by --help). */
#define CW_EXIT_OK 0
#define CW_EXIT_TASK_FAILED 1 /* a task stopped with an error */
#define CW_EXIT_USAGE 2       /* bad command line */
#define CW_EXIT_CONFIG 3      /* invalid configuration; nothing was started */
#define CW_EXIT_STARTUP 4     /* a plugin, Kafka client or file could not be set up */
#define CW_EXIT_SHUTDOWN 5    /* tasks did not stop within task.shutdown.graceful.timeout.ms */

extern const cw_config_def_t cw_worker_defs[];
extern const cw_config_def_t cw_connector_defs[];

typedef struct cw_worker cw_worker_t;
typedef struct cw_connector cw_connector_t;

/** One task: the runtime's environment (runtime/task.h) plus what the worker keeps. */
typedef struct cw_task {
    cw_connector_t *conn;
    pthread_t thread;
    int started;
    cw_config_t *config; /* connector keys + this task's keys from task_configs */
    cw_props_t *props;
    cw_task_env_t env; /* what the task thread sees */
    cw_props_t *own;   /* this task's keys from task_configs (GET .../tasks) */
    /* The herder's (herder.c): automatic restarts, under its locks. */
    int64_t started_ms;     /* when the thread was last started (monotonic) */
    int64_t restart_due_ms; /* a restart is planned for then (0: none) */
    int64_t backoff_ms;     /* the next automatic restart's delay */
    int restarts;           /* automatic restarts since the task was last healthy */
    int restarting;         /* shown as RESTARTING */
} cw_task_t;

struct cw_connector {
    cw_worker_t *worker;
    char *name;
    const cw_plugin_t *plugin;
    cw_props_t *props;     /* resolved connector keys */
    cw_config_def_t *defs; /* plugin keys + common connector keys + errors.* */
    cw_config_t *config;
    cw_converter_t key_conv, value_conv;
    int ntasks;
    cw_task_t *tasks;
    void *owner; /* the herder's record of this connector */
};

struct cw_worker {
    cw_props_t *props;
    cw_config_t *config;
    cw_registry_t *registry;
    cw_offsets_t *offsets;
    char *bootstrap;
    rd_kafka_t *mock_rk;
    void *mock; /* rd_kafka_mock_cluster_t */
    int batch_mode;
    atomic_int sources_running; /* batch mode: sinks wait for the sources of this worker */
    int64_t flush_interval_ms, flush_timeout_ms, shutdown_timeout_ms;
    cw_converter_t key_conv, value_conv;
    cw_metrics_t *metrics;     /* what plugins register (metric_register) */
    const char *metrics_file;  /* --metrics-file: written when the run ends; or NULL */
    pthread_t main_thread;     /* woken (CW_WAKE_SIGNAL) when a task thread ends */
    struct cw_herder *herder;  /* the connectors (herder.h) */
    atomic_int stop_requested; /* cw_worker_stop */
    int aborting;              /* a second stop signal cut the graceful stop short */
    cw_worker_metrics_t *wm;   /* connector/task counts by state, start-ups, process */
    struct cw_rest *rest;      /* the REST server while cw_worker_run runs; or NULL */
    int distributed;           /* --distributed */
    struct cw_dist *dist;      /* distributed mode's herder while cw_worker_run runs */
};

/* The worker's loop sleeps in sigtimedwait; a task thread that ends (or cw_worker_stop) wakes
 * it with this thread-directed signal (blocked everywhere, so it never interrupts anything). */
#define CW_WAKE_SIGNAL SIGUSR1

typedef struct cw_worker_options {
    const char **plugin_paths; /* --plugin-path, in order */
    size_t nplugin_paths;
    int batch_mode;           /* --exit-when-caught-up */
    int log_level_forced;     /* --log-level given: worker log.level is ignored */
    const char *metrics_file; /* --metrics-file: every metric, Prometheus text, at exit */
    int distributed;          /* --distributed: distributed/dist.h */
} cw_worker_options_t;

/** Loads the worker file and the plugins (bundled, plugin.path, --plugin-path). Problems go
 *  to errs. Returns NULL only when nothing useful could be loaded. */
cw_worker_t *cw_worker_new(const char *worker_file, const cw_worker_options_t *opts,
                           cw_errlist_t *errs);
/** Loads and validates connector files (every problem to errs, warnings are logged); they
 *  are created through the herder when cw_worker_run starts. Returns the number of errors
 *  added. */
size_t cw_worker_add_connectors(cw_worker_t *w, const char *const *files, size_t n,
                                cw_errlist_t *errs);
/** Starts everything and runs until a signal, or (batch mode) until every task finished.
 *  Returns a CW_EXIT_* code. */
int cw_worker_run(cw_worker_t *w);
void cw_worker_free(cw_worker_t *w);

/** Asks cw_worker_run (in another thread) to stop as SIGTERM does. Thread-safe. */
void cw_worker_stop(cw_worker_t *w);

/** librdkafka configuration for a client of connector `c` (NULL: worker-level): bootstrap
 *  servers, then the worker's `<prefix>.*` keys, then the connector's
 *  `<prefix>.override.*` keys. `prefix` is "producer" or "consumer". NULL with errstr naming
 *  the key on an invalid property. */
rd_kafka_conf_t *cw_worker_kafka_conf(const cw_worker_t *w, const cw_connector_t *c,
                                      const char *prefix, const char *client_id, char *errstr,
                                      size_t errstr_size);

/** The state source for cw_worker_metrics (worker_states.c): every connector and task of the
 *  herder (a cw_herder_t *) with its state, taken under the herder's state lock. */
void cw_worker_herder_states(void *herder, cw_state_emit_fn emit, void *emit_opaque);

/** Checks that librdkafka accepts the worker's producer.* / consumer.* keys (conn NULL) or
 *  one connector's producer.override.* / consumer.override.* keys, one problem per file. */
void cw_worker_check_kafka_props(const cw_worker_t *w, const cw_props_t *conn, cw_errlist_t *errs);
#endif
