/* The herder's insides, shared by herder*.c and connector.c. Not for the REST layer. */
#ifndef CW_HERDER_INTERNAL_H
#define CW_HERDER_INTERNAL_H
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "herder.h"
#include "worker.h"

/** errors.restart.* of one connector (the restart policy, beyond Kafka Connect). */
typedef struct {
    int enabled; /* errors.restart.policy=always */
    int64_t initial_backoff_ms, max_backoff_ms, healthy_ms;
    int64_t max_restarts; /* -1: no cap */
} cw_restart_policy_t;

/** One connector as the herder knows it. */
typedef struct cw_hconn {
    char *name;
    json_t *submitted; /* the configuration as submitted (strings), with "name" */
    cw_target_state_t target;
    cw_connector_t *c; /* NULL when the configuration cannot be built now (FAILED) */
    char type[8];      /* "source", "sink" or "unknown" */
    char *trace;       /* connector-level failure (task_configs, stored config invalid) */
    int restarting;    /* a connector restart is planned */
    int from_file;     /* from a command-line file: not persisted */
    cw_restart_policy_t policy;
    json_t *topics; /* active topics: an object used as a set */
} cw_hconn_t;

struct cw_herder {
    cw_worker_t *w;
    /* op_lock serialises mutations and may be held while tasks stop; state_lock guards the
     * list and every state, is held briefly and never while a thread is joined. Order:
     * op_lock, then state_lock. Task threads take state_lock only. */
    pthread_mutex_t op_lock, state_lock;
    cw_hconn_t **conns;
    size_t nconns;
    cw_connector_t **zombies; /* deleted, but a task thread did not stop in time */
    size_t nzombies;
    char *worker_id;
    atomic_int running;
    atomic_int keep_running;
    cw_props_t **files; /* command-line connector files (unresolved), created at start */
    size_t nfiles;
    char *store_path; /* config.storage.file.filename, or NULL */
};

/* herder.c */
cw_herder_t *cw_herder_new(cw_worker_t *w);
void cw_herder_free(cw_herder_t *h);
/** Creates the command-line and stored connectors and starts their tasks. 0, or -1 when a
 *  command-line connector cannot start (task_configs failed): logged. */
int cw_herder_start(cw_herder_t *h);
/** The worker loop's turn: automatic restarts, joins. Returns how many tasks are running or
 *  due to restart. */
int cw_herder_tick(cw_herder_t *h);
/** Stops every task gracefully (answers 503 from now on); a second stop signal of `signals`
 *  meanwhile aborts (worker_stop.h). Returns how many did not stop in time. */
int cw_herder_stop_all(cw_herder_t *h, const sigset_t *signals);
/** Logs every failed task again; returns how many. */
int cw_herder_count_failed(cw_herder_t *h);
/** Keeps a validated command-line connector (unresolved keys, taken) for cw_herder_start. */
void cw_herder_add_file(cw_herder_t *h, cw_props_t *raw);
/** Is a command-line connector called `name` already kept? */
int cw_herder_has_file(const cw_herder_t *h, const char *name);
/* Task callbacks (runtime/task.h), opaque is the cw_task_t. */
int cw_herder_sinks_caught_up(void *opaque);
void cw_herder_topic_used(void *opaque, const char *topic);

/* herder_ops.c, with op_lock held */
/** Builds and adds a connector from its submitted map (taken). start: its tasks start now.
 *  A task_configs failure leaves it FAILED (0 is returned). 400/500 with errstr. */
int cw_herder_create_locked(cw_herder_t *h, const char *name, json_t *submitted,
                            cw_target_state_t target, int from_file, int start, char *errstr,
                            size_t errstr_size);
/** Adds a connector whose stored configuration cannot be built now: FAILED with `trace`. */
void cw_herder_add_failed(cw_herder_t *h, const char *name, const json_t *config,
                          cw_target_state_t target, const char *trace);
/** Starts every task of hc (paused when its target is PAUSED). */
void cw_herder_start_tasks(cw_herder_t *h, cw_hconn_t *hc);
/** Stops task i (if running), joins it, starts it again. automatic: the restart policy's
 *  (its count is kept); otherwise the count resets. 0, or 500 when it did not stop in time. */
int cw_herder_restart_task_locked(cw_herder_t *h, cw_hconn_t *hc, int i, int automatic,
                                  char *errstr, size_t errstr_size);
void cw_hconn_free(cw_hconn_t *hc);

/* herder.c: lookups under state_lock */
cw_hconn_t *cw_herder_find(cw_herder_t *h, const char *name);
/** Kafka's state name of the connector / of task i. */
const char *cw_hconn_state(const cw_hconn_t *hc);
const char *cw_htask_state(const cw_hconn_t *hc, const cw_task_t *t);

/* herder_json.c: the entities (called under state_lock) */
json_t *cw_hconn_info(const cw_hconn_t *hc);
json_t *cw_hconn_status(const cw_herder_t *h, const cw_hconn_t *hc);
json_t *cw_htask_status(const cw_herder_t *h, const cw_hconn_t *hc, const cw_task_t *t);
json_t *cw_hconn_task_configs(const cw_hconn_t *hc);
/** The submitted map from a JSON object of scalars (strings, numbers, booleans as text), with
 *  `name` checked or added as Kafka's resource does. NULL with 400 errstr. */
json_t *cw_herder_config_from_json(const char *name, const json_t *config, char *errstr,
                                   size_t errstr_size);
/** Unresolved props from a submitted map (origin names it). */
cw_props_t *cw_herder_props_from_json(const json_t *submitted, const char *origin);
/** A submitted map from props (command-line files), as written. */
json_t *cw_herder_json_from_props(const cw_props_t *p);
/** Kafka's "Connector configuration is invalid and contains the following N error(s)" text. */
void cw_herder_errors_text(const cw_errlist_t *errs, char *errstr, size_t errstr_size);

/* herder_store.c: config.storage.file.filename */
/** Writes every non-file connector (config and target state) atomically. 0 or -1, logged. */
int cw_herder_store_save(cw_herder_t *h);
/** The stored connectors: [{"name","config","state"}] (new reference), or NULL when there is
 *  no store or file. -1 with errstr when the file cannot be read. */
int cw_herder_store_load(cw_herder_t *h, json_t **out, char *errstr, size_t errstr_size);

/* herder_restart.c: the restart policy */
void cw_restart_policy_read(const cw_config_t *cfg, cw_restart_policy_t *p);
#endif
