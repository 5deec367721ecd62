/*
 * The herder: the connectors of a running worker, changed at run time. Modelled on Kafka
 * Connect's Herder interface (AbstractHerder, StandaloneHerder): create, reconfigure, pause,
 * resume, stop, restart and delete connectors while the worker runs, with Kafka's states
 * (UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED, RESTARTING), plus two things beyond Kafka's
 * standalone mode: persisted connector configurations and automatic restarts of failed tasks.
 *
 * The REST layer is a thin serialiser over this API: every query answers with a jansson value
 * in the JSON shape of Kafka's REST entity (the classes of rest/entities), every mutation returns a
 * code that maps to the HTTP status Kafka answers with.
 *
 * Return codes (every function returning int):
 *   CW_HERDER_OK (0)  success; the REST layer answers with Kafka's success status for the
 *                     endpoint (noted per function: 200, 201, 202 or 204)
 *   400               bad request: invalid configuration (errstr lists every problem, one per
 *                     line, in Kafka's "Connector configuration is invalid and contains the
 *                     following N error(s):" form), offsets changed while not STOPPED, bad body
 *   404               unknown connector or task (errstr: "Connector x not found")
 *   409               conflict: the connector already exists (POST /connectors)
 *   500               something failed on the worker side (errstr says what)
 *   503               the herder is not running (worker starting or stopping)
 * The REST layer answers an error with {"error_code": rc, "message": errstr}.
 *
 * Ownership: json_t inputs are borrowed (never modified, never stolen); json_t outputs (*out)
 * are new references the caller json_decref()s, set only when the function returns 0.
 * errstr receives a message on every non-zero return; give it CW_HERDER_ERRSTR_SIZE bytes
 * (longer messages are truncated).
 *
 * Thread-safety: every function may be called from any thread (REST server threads,
 * concurrently). Mutations of the connector set are serialised by the herder; queries
 * (list, info, config, status, tasks, topics) never wait for a task to stop, so a status call
 * during a long stop answers at once. Names are compared byte for byte.
 *
 * Secrets: every answer carries the configuration as submitted, with ${env:...} and
 * ${file:...} placeholders unresolved, as Kafka's config providers leave them; resolved values
 * never leave the herder. Only GET config and connector info return submitted values at all.
 */
#ifndef CW_HERDER_H
#define CW_HERDER_H
#include <jansson.h>
#include <stddef.h>

struct cw_worker;
typedef struct cw_herder cw_herder_t;

#define CW_HERDER_OK 0
#define CW_HERDER_ERRSTR_SIZE 8192

/** Kafka's target states (TargetState.java plus the initial_state of KIP-980). */
typedef enum cw_target_state {
    CW_TARGET_RUNNING = 0, /* Kafka's STARTED */
    CW_TARGET_PAUSED,
    CW_TARGET_STOPPED,
} cw_target_state_t;

/** Parses "RUNNING", "PAUSED" or "STOPPED" (case-sensitive, as Kafka's enum). 0 or -1. */
int cw_target_state_parse(const char *s, cw_target_state_t *out);

/* ------------------------------------------------------------------------------------------
 * Life cycle (the worker calls these; the REST layer only needs cw_worker_herder)
 * ---------------------------------------------------------------------------------------- */

/** The herder of a worker (created with the worker, never NULL for a worker from
 *  cw_worker_new). Valid until cw_worker_free. Its functions answer 503 until cw_worker_run
 *  has started it and after cw_worker_run began stopping the tasks: start a REST server after
 *  cw_herder_running() is true and stop it before cw_worker_run returns. */
cw_herder_t *cw_worker_herder(struct cw_worker *w);

/** Is the herder accepting calls (started, not stopping)? */
int cw_herder_running(const cw_herder_t *h);

/** The worker_id every state carries (Kafka: the advertised host:port of the REST listener).
 *  Default: the host name (gethostname). Copied. May be called at any time; states reported
 *  afterwards carry the new id. */
void cw_herder_set_worker_id(cw_herder_t *h, const char *worker_id);

/** Keep the worker running when no task is running (a REST server can still create
 *  connectors; the restart policy may still restart a failed task). Without it (the default,
 *  the command-line behaviour so far) cw_worker_run returns once every task has ended and no
 *  automatic restart is pending. Batch mode (--exit-when-caught-up) ignores it. */
void cw_herder_set_keep_running(cw_herder_t *h, int keep);

/* ------------------------------------------------------------------------------------------
 * Queries
 * ---------------------------------------------------------------------------------------- */

/** Expansion flags of GET /connectors?expand=status&expand=info. */
#define CW_HERDER_EXPAND_STATUS 1
#define CW_HERDER_EXPAND_INFO 2

/** GET /connectors (200). expand 0: an array of names, sorted. Otherwise an object
 *  {name: {"status": ConnectorStateInfo, "info": ConnectorInfo}} with the requested members. */
int cw_herder_connectors(cw_herder_t *h, int expand, json_t **out);

/** GET /connectors/{c} (200): ConnectorInfo
 *  {"name", "config": {...as submitted, plus name}, "tasks": [{"connector","task"}],
 *   "type": "source"|"sink"}. A STOPPED connector has no tasks ([]). 404. */
int cw_herder_connector_info(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                             size_t errstr_size);

/** GET /connectors/{c}/config (200): exactly the submitted map plus "name", keys in the
 *  submitted order, values as submitted (strings; secrets unresolved). 404. */
int cw_herder_connector_config(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                               size_t errstr_size);

/** GET /connectors/{c}/status (200): ConnectorStateInfo
 *  {"name", "connector": {"state", "worker_id", "trace"?},
 *   "tasks": [{"id", "state", "worker_id", "trace"?, "restarts"?}], "type"}.
 *  trace only in FAILED states (our error message). "restarts" (beyond Kafka) is the number of
 *  automatic restarts of the task since it was last healthy for errors.restart.healthy.ms; it
 *  is present only when the connector's errors.restart.policy is not "none". 404. */
int cw_herder_status(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                     size_t errstr_size);

/** GET /connectors/{c}/tasks/{t}/status (200): one TaskState as in cw_herder_status, plus
 *  nothing else. 404 for an unknown connector or task. */
int cw_herder_task_status(cw_herder_t *h, const char *name, int task, json_t **out, char *errstr,
                          size_t errstr_size);

/** GET /connectors/{c}/tasks (200): [{"id": {"connector","task"}, "config": {...}}], the
 *  task configurations the connector's task_configs produced (connector keys as submitted,
 *  plus the task's own keys). [] when STOPPED. 404. */
int cw_herder_task_configs(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                           size_t errstr_size);

/** GET /connectors/{c}/topics (200): ActiveTopicsInfo wrapped as Kafka's resource does:
 *  {"<name>": {"topics": [sorted names]}}: the topics a source produced to or a sink consumed
 *  from since the connector was created or the last reset. 404. */
int cw_herder_topics(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                     size_t errstr_size);

/** PUT /connectors/{c}/topics/reset (202): forgets the active topics. 404. */
int cw_herder_topics_reset(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size);

/** One connector or task as the metrics see it: state is Kafka's state name ("RUNNING", ...),
 *  task is -1 for the connector itself; restarts is the automatic-restart count (0 for the
 *  connector). Strings are valid during the call only. */
typedef void (*cw_herder_state_fn)(const char *connector, const char *type, int task,
                                   const char *state, int restarts, void *opaque);
/** Calls fn for every connector and then each of its tasks, under the herder's state lock (fn
 *  must not call the herder). Returns the number of calls. Works in any herder state. */
int cw_herder_foreach_state(cw_herder_t *h, cw_herder_state_fn fn, void *opaque);

/* ------------------------------------------------------------------------------------------
 * Mutations
 * ---------------------------------------------------------------------------------------- */

/** POST /connectors (201 + ConnectorInfo in *out). `name` is trimmed of white space as Kafka
 *  does; `config` is an object of scalar values (strings; numbers and booleans are taken as
 *  their text). A "name" in config must equal `name` (400 otherwise); it is added when absent.
 *  `initial_state` is CW_TARGET_RUNNING, PAUSED or STOPPED (KIP-980). Validates completely
 *  (as cw_connector_validate) before anything starts: 400 with every problem. 409 when the
 *  name exists. The connector is persisted when the worker has a config file (see
 *  config.storage.file.filename in core/README.md). */
int cw_herder_create(cw_herder_t *h, const char *name, const json_t *config,
                     cw_target_state_t initial_state, json_t **out, char *errstr,
                     size_t errstr_size);

/** PUT /connectors/{c}/config: create or replace. *created is 1 (201) when the connector did
 *  not exist, 0 (200) when it was reconfigured (its tasks stopped and started again with the
 *  new configuration; its target state is kept). *out: ConnectorInfo. 400 as create. */
int cw_herder_put_config(cw_herder_t *h, const char *name, const json_t *config, int *created,
                         json_t **out, char *errstr, size_t errstr_size);

/** PATCH /connectors/{c}/config (200 + ConnectorInfo): the submitted map with the patch
 *  applied (a null value removes the key, as Kafka 3.9's KIP-477), then as put. 404 when the
 *  connector does not exist (PATCH never creates), 400 on an invalid result. */
int cw_herder_patch_config(cw_herder_t *h, const char *name, const json_t *patch, json_t **out,
                           char *errstr, size_t errstr_size);

/** DELETE /connectors/{c} (204): stops the tasks (flush and commit, bounded by
 *  task.shutdown.graceful.timeout.ms), frees everything, forgets the connector (and removes
 *  it from the persisted file). 404. */
int cw_herder_delete(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size);

/** PUT /connectors/{c}/pause (202): target PAUSED. Sink tasks pause their consumer
 *  (rd_kafka_pause_partitions: the group membership stays, no record is fetched), source
 *  tasks stop calling poll; both still commit what they had. Idempotent. 404. */
int cw_herder_pause(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size);

/** PUT /connectors/{c}/resume (202): target RUNNING. A STOPPED connector gets its tasks again
 *  (task_configs runs). Idempotent. 404. */
int cw_herder_resume(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size);

/** PUT /connectors/{c}/stop (204): target STOPPED (KIP-875): the tasks stop and are freed
 *  (consumers leave their group, producers are closed); the connector keeps its configuration
 *  and shows STOPPED with no tasks. Idempotent. 404. */
int cw_herder_stop(cw_herder_t *h, const char *name, char *errstr, size_t errstr_size);

/** POST /connectors/{c}/restart?includeTasks=&onlyFailed=.
 *  include_tasks 0 and only_failed 0 (Kafka's forceRestartConnectorOnly): restarts the
 *  connector instance (task_configs again; tasks are left alone unless their number changes)
 *  and sets *status to NULL: answer 204. Otherwise (KIP-745) the connector is restarted
 *  unless only_failed and it is not FAILED, and with include_tasks every task (only_failed:
 *  every FAILED task) is restarted; *status is the ConnectorStateInfo taken when the restart
 *  was planned, the instances to restart shown as RESTARTING: answer 202 with it. The restart
 *  itself completes asynchronously. A STOPPED connector stays STOPPED (nothing to restart, as
 *  in Kafka). 404. */
int cw_herder_restart_connector(cw_herder_t *h, const char *name, int include_tasks,
                                int only_failed, json_t **status, char *errstr, size_t errstr_size);

/** POST /connectors/{c}/tasks/{t}/restart (204): stops task t (if running) and starts it again
 *  with its configuration; resets its automatic-restart count. 404 for an unknown task. */
int cw_herder_restart_task(cw_herder_t *h, const char *name, int task, char *errstr,
                           size_t errstr_size);

/* ------------------------------------------------------------------------------------------
 * Offsets (KIP-875). Reading works in any state; altering and resetting only when the
 * connector is STOPPED, else 400 with Kafka's message ("Connectors must be in the STOPPED
 * state before their offsets can be modified..."). Sinks: the consumer group
 * connect-<name> through librdkafka's admin API. Sources: the worker's offset store
 * (offset.storage.file.filename).
 * ---------------------------------------------------------------------------------------- */

/** GET /connectors/{c}/offsets (200): {"offsets": [{"partition": {...}, "offset": {...}}]}.
 *  Sinks: partition {"kafka_topic","kafka_partition"}, offset {"kafka_offset"}. Sources: the
 *  stored source partitions and offsets as the plugin wrote them. 404, 500 (group not
 *  readable). */
int cw_herder_offsets_get(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                          size_t errstr_size);

/** PATCH /connectors/{c}/offsets (200 + *out: {"message": ...}). `body` is
 *  {"offsets": [{"partition": {...}, "offset": {...}|null}]}; a null offset removes that
 *  partition's offset. 400 when not STOPPED, on an empty list, on a malformed sink partition
 *  or offset (names the entry); 404; 500. */
int cw_herder_offsets_alter(cw_herder_t *h, const char *name, const json_t *body, json_t **out,
                            char *errstr, size_t errstr_size);

/** DELETE /connectors/{c}/offsets (200 + *out: {"message": ...}): removes every offset of
 *  the connector (sinks: the group's committed offsets; sources: the stored ones). 400 when
 *  not STOPPED; 404; 500. */
int cw_herder_offsets_reset(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                            size_t errstr_size);

/* ------------------------------------------------------------------------------------------
 * Validation
 * ---------------------------------------------------------------------------------------- */

/** PUT /connector-plugins/{p}/config/validate (200): Kafka's ConfigInfos
 *  {"name": <connector.class>, "error_count", "groups": [...], "configs": [{"definition":
 *  {...ConfigKeyInfo}, "value": {"name","value","recommended_values","errors","visible"}}]}
 *  for `config` (an object of scalars), checked as cw_connector_validate does (with the
 *  plugin's validate hook). `plugin` is the path's plugin name (or class alias): it fills a
 *  missing connector.class; a connector.class naming another plugin is 400 as in Kafka
 *  ("Included connector type ... does not match request type ..."). Secret values come back
 *  as "[hidden]". Starts nothing, works whether or not the herder runs. 400 for an unknown
 *  plugin (Kafka: "Failed to find any class that implements Connector ..."), 400 when config
 *  is not an object of strings. */
int cw_herder_validate(cw_herder_t *h, const char *plugin, const json_t *config, json_t **out,
                       char *errstr, size_t errstr_size);
#endif
