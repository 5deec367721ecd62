/*
 * connect-worker plugin ABI
 *
 * This is the one header a plugin includes. It depends only on standard C headers.
 * A plugin is a shared object exporting one symbol, cw_module_entry (see CW_MODULE_ENTRY),
 * that returns a module descriptor listing one or more plugins: source connectors, sink
 * connectors, transforms and predicates. The worker loads it with libltdl, checks the ABI
 * version and the struct size before reading anything else, and then talks to the plugin
 * only through the callbacks declared here. The plugin talks to the worker only through the
 * cw_host_t table of functions it is handed: it never links against worker internals.
 *
 * Helpers that plugins need in common (byte buffers, JSON string escaping, UTF-8 checks, civil
 * dates and ISO-8601, regular expressions with java.util.regex semantics) are in the SDK
 * library, connect-worker/sdk.h: a static PIC archive linked into the plugin
 * (`pkg-config --cflags --libs connect-worker`). Use it rather than copying such code.
 *
 * Conventions used throughout
 * ---------------------------
 * Return codes:  functions return a cw_status_t. CW_OK (0) is success; negative values
 *                are errors; a few callbacks define positive values with a meaning of their own
 *                (CW_DROP, CW_IDLE).
 * errstr:        every callback that can fail receives `char *errstr, size_t errstr_size`.
 *                On failure the plugin writes one human-readable sentence there (no trailing
 *                newline) naming the key, file, bucket, table or record concerned. Never write
 *                a secret (a password, a key) into errstr: the worker logs it.
 * Retriable vs fatal: CW_ERR_RETRIABLE means "the same call may succeed later" (a server
 *                down, throttling): the worker owns retries and backoff and calls again with
 *                the same arguments. CW_ERR_FATAL stops the task; the worker reports errstr and
 *                commits nothing past durable data. CW_ERR_RECORD blames one record: the
 *                connector's errors.tolerance decides (stop the task, or send the record to the
 *                dead letter queue and go on).
 * Ownership:     "borrowed" pointers are owned by the caller and valid only for the duration of
 *                the call unless stated otherwise; "owned" results must be freed by the receiver
 *                with the function named. Strings are NUL-terminated UTF-8 unless a length is
 *                given.
 * Threads:       each task runs on a thread of its own. All callbacks of one task instance
 *                (and of the transforms and predicates in its chain) are called from that one
 *                thread, never concurrently. Different task instances of the same plugin run
 *                on different threads at the same time: keep no unsynchronised global state.
 *                cw_module_t.init and .fini run once, on the loading thread, under the loader
 *                lock. Every cw_host_t function is thread-safe unless documented otherwise.
 *
 * Versioning: CW_ABI_VERSION changes whenever a struct in this header changes layout or a
 * callback changes meaning. Every table that crosses the seam starts with its size: the host
 * table (cw_host_t), the module descriptor (cw_module_t), each plugin (cw_plugin_t) and each
 * ops table (cw_source_ops_t, cw_sink_ops_t, cw_transform_ops_t, cw_predicate_ops_t). Within
 * one ABI version members are only ever appended, so:
 *  - a plugin built against an older header of the same ABI has shorter tables: the worker
 *    treats the members it lacks as NULL;
 *  - a plugin whose tables are larger than the worker's (a newer or a modified header) is
 *    refused at load with a message naming the file and the table;
 *  - the module descriptor records the size of cw_host_t the plugin was compiled with; a
 *    module that expects a larger host table than the worker has (a newer or a modified
 *    header: a member inserted in the middle would make every later call land on the wrong
 *    function) is refused at load, naming the file;
 *  - host members that a host may leave NULL (a test host, a service not configured) are
 *    checked with CW_HOST_HAS(host, member), the one spelling of "is it there".
 * Write the size members with the CW_*_HEADER macros, never by hand.
 */
#ifndef CONNECT_WORKER_PLUGIN_H
#define CONNECT_WORKER_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI version this header describes. The worker refuses modules built for another, naming
 *  the file and asking for a rebuild. */
#define CW_ABI_VERSION 2

/** Name of the symbol every plugin shared object exports (see CW_MODULE_ENTRY). */
#define CW_MODULE_ENTRY_SYMBOL "cw_module_entry"

#if defined(__GNUC__)
#define CW_EXPORT __attribute__((visibility("default")))
#define CW_PRINTF(fmt_idx, args_idx) __attribute__((format(printf, fmt_idx, args_idx)))
#else
#define CW_EXPORT
#define CW_PRINTF(fmt_idx, args_idx)
#endif

/* Forward declaration of jansson's json_t, so that this header needs no jansson include.
 * Plugins that look inside values include <jansson.h> and link with -ljansson. */
struct json_t;

/* ------------------------------------------------------------------------------------------
 * Status codes
 * ---------------------------------------------------------------------------------------- */

typedef enum cw_status {
    CW_OK = 0,             /**< success */
    CW_DROP = 1,           /**< transform.apply only: drop this record (Kafka Connect's null) */
    CW_IDLE = 2,           /**< source poll only: nothing new right now (see cw_source_ops_t) */
    CW_ERR_RETRIABLE = -1, /**< transient; the worker retries the same call with backoff */
    CW_ERR_FATAL = -2,     /**< permanent; the task stops with errstr */
    CW_ERR_RECORD = -3,    /**< this record is bad; errors.tolerance decides */
    CW_ERR_CONFIG = -4     /**< the configuration is invalid; nothing starts */
} cw_status_t;

/* ------------------------------------------------------------------------------------------
 * Opaque handles owned by the worker
 * ---------------------------------------------------------------------------------------- */

/** The worker-side context of one plugin instance (a task, a transform or a predicate in a
 *  chain). Identifies connector and task in log lines, gives access to offsets and to the
 *  stop flag. Owned by the worker; valid from the start/configure call until after stop/close
 *  returns. */
typedef struct cw_ctx cw_ctx_t;

/** A validated configuration: the connector's keys (for transforms and predicates, their own
 *  keys with the `transforms.<alias>.` prefix removed) with defaults applied and `${...}`
 *  config providers resolved. Owned by the worker; valid as long as the cw_ctx_t it was
 *  handed with. Read-only. */
typedef struct cw_config cw_config_t;

/** One record. See the record functions of cw_host_t. Owned by the worker unless stated. */
typedef struct cw_record cw_record_t;

/** A batch a source task fills during poll (see cw_host_t.source_record_new). */
typedef struct cw_batch cw_batch_t;

/** A task-configuration split a connector fills (see cw_host_t.task_config_set). */
typedef struct cw_task_split cw_task_split_t;

/** A topic partition and an offset, used by sink open/close/flush. */
typedef struct cw_topic_partition {
    const char *topic; /**< borrowed, valid for the duration of the call */
    int32_t partition;
    int64_t offset; /**< meaning depends on the call; CW_OFFSET_INVALID when none */
} cw_topic_partition_t;

/** What cw_host_t.stopping returns once the task is asked to stop. */
#define CW_STOP_GRACEFUL 1 /**< a graceful stop: flush as usual */
#define CW_STOP_ABORT 2    /**< a second signal: give up slow work, keep what is durable */

#define CW_OFFSET_INVALID ((int64_t)-1001)
#define CW_PARTITION_ANY ((int32_t)-1) /**< let the producer's partitioner choose */
#define CW_TIMESTAMP_NONE ((int64_t)-1)

/* ------------------------------------------------------------------------------------------
 * Configuration declarations
 *
 * Each plugin declares the keys it reads as a table of cw_config_def_t ending with an entry
 * whose name is NULL. The worker validates a configuration against the table before it
 * starts anything and reports every problem at once, each naming the key and the file.
 * Keys that no table declares are warned about and passed through (as Kafka Connect does).
 * ---------------------------------------------------------------------------------------- */

typedef enum cw_config_type {
    CW_CFG_STRING = 0, /**< any string */
    CW_CFG_INT,        /**< a 64-bit signed integer */
    CW_CFG_DOUBLE,     /**< a floating point number */
    CW_CFG_BOOL,       /**< true or false (case-insensitive) */
    CW_CFG_LIST        /**< comma-separated list; items are trimmed of white space */
} cw_config_type_t;

#define CW_CFG_F_REQUIRED 0x1u /**< must be set (a default makes no sense then) */
#define CW_CFG_F_SECRET 0x2u   /**< never printed: logs and --describe show [hidden] */
#define CW_CFG_F_PREFIX                                                                            \
    0x4u /**< `name` is a prefix: every key starting with it is
                                     declared by this entry (dynamic keys such as
                                     `clean.concat.<field>`); type and bounds apply to each */

typedef struct cw_config_def {
    const char *name; /**< key name, Kafka Connect spelling where one exists */
    cw_config_type_t type;
    const char *default_value; /**< as text; NULL: no default (the key reads as unset) */
    unsigned flags;            /**< CW_CFG_F_* */
    const char *doc;           /**< one or two sentences for --describe and the README */
    const char *allowed;       /**< comma-separated allowed values (case-insensitive) for
                                     STRING and each LIST item; NULL: any */
    double min, max;           /**< bounds for INT and DOUBLE, checked only when min < max */
} cw_config_def_t;

/* ------------------------------------------------------------------------------------------
 * Plugin kinds and their callbacks
 * ---------------------------------------------------------------------------------------- */

typedef enum cw_plugin_kind {
    CW_PLUGIN_SOURCE = 1,
    CW_PLUGIN_SINK = 2,
    CW_PLUGIN_TRANSFORM = 3,
    CW_PLUGIN_PREDICATE = 4
} cw_plugin_kind_t;

/** Connector-level work split, shared by sources and sinks (Kafka Connect's
 *  Connector.taskConfigs). Optional: when NULL the worker runs min(tasks.max, 1) task for a
 *  source and tasks.max tasks for a sink, each with the connector's configuration.
 *  Called once on the main thread before any task starts. Return the number of tasks (1 to
 *  max_tasks) after calling host->task_config_set for per-task keys, or a negative
 *  cw_status_t with errstr (CW_ERR_CONFIG for a bad configuration, e.g. an unknown table). */
typedef int (*cw_task_configs_fn)(cw_ctx_t *ctx, const cw_config_t *config, int max_tasks,
                                  cw_task_split_t *split, char *errstr, size_t errstr_size);

/** How a source record ended (see cw_source_ops_t.ack). */
typedef enum cw_ack_status {
    CW_ACK_WRITTEN = 0, /**< Kafka acknowledged it: every in-sync replica has it */
    CW_ACK_DROPPED = 1, /**< a transform filtered it out (CW_DROP); never produced */
    CW_ACK_FAILED = 2   /**< not written; `error` says why */
} cw_ack_status_t;

/** What the worker knows about one source record when it reports its end (Kafka Connect's
 *  RecordMetadata, or null metadata). Borrowed: valid for the duration of the ack call. */
typedef struct cw_source_ack {
    cw_ack_status_t status;
    const char *topic; /**< WRITTEN: the topic it was written to; otherwise the record's
                              topic as the transforms left it */
    int32_t partition; /**< WRITTEN: the partition; otherwise CW_PARTITION_ANY */
    int64_t offset;    /**< WRITTEN: its offset in that partition; else CW_OFFSET_INVALID */
    int64_t timestamp; /**< WRITTEN: the timestamp Kafka stored; else CW_TIMESTAMP_NONE */
    const char *error; /**< FAILED: one sentence naming the cause; NULL otherwise */
    int skipped;       /**< FAILED: 1 when errors.tolerance=all skipped the record (the
                              task goes on and its source offset is stored as if written);
                              0 when the failure stops the task (no source offset is stored
                              past it) */
} cw_source_ack_t;

/** Source task callbacks (Kafka Connect's SourceTask). Start the initialiser with
 *  CW_SOURCE_OPS_HEADER.
 *
 *  Lifecycle facts (each held by a test in tests/worker/lifecycle_*.sh):
 *  - start is retried after CW_ERR_RETRIABLE (capped backoff up to errors.retry.delay.max.ms);
 *    after a start that returned CW_ERR_FATAL or CW_ERR_CONFIG, stop is NOT called: a start
 *    that fails frees what it allocated. (Kafka Connect calls stop on its task object even
 *    then; here `state` does not exist until start succeeds.)
 *  - poll always gets timeout_ms = 1000.
 *  - Source offsets of acknowledged records are stored as soon as Kafka acknowledged them,
 *    batched (at most every 200 ms), even while a poll blocks (the worker serves the producer
 *    and writes the offsets from a thread of its own); ack is called on the task thread once
 *    poll returned, commit there too, every offset.flush.interval.ms (Kafka's cadence).
 *  - A Kafka outage longer than the producer's message.timeout.ms rewinds the task (issue
 *    18; Kafka Connect fails it): every record still in flight gets its ack (FAILED, not
 *    skipped, for those Kafka did not take), stop is called, and once Kafka answers start is
 *    called again on the same thread with the same ctx and config: read host->offset_get
 *    there as on a first start. Metrics registered before keep their counts.
 *  - Records added before poll returns CW_IDLE are produced like those of CW_OK. */
typedef struct cw_source_ops {
    uint32_t struct_size; /**< sizeof(cw_source_ops_t): write CW_SOURCE_OPS_HEADER */
    cw_task_configs_fn task_configs;

    /** Starts one task. `config` is the connector's configuration plus this task's keys from
     *  task_configs. Read committed offsets with host->offset_get here. Store your state in
     *  *state; it is passed to every later callback. Returns CW_OK, CW_ERR_RETRIABLE (the
     *  worker calls start again after a backoff, e.g. database unreachable) or CW_ERR_FATAL
     *  / CW_ERR_CONFIG with errstr. */
    int (*start)(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                 size_t errstr_size);

    /** Adds new records to `batch` with host->source_record_new. Should return within about
     *  timeout_ms (always 1000) so that the worker can notice a stop; a poll that waits
     *  longer should check host->stopping. Returns CW_OK (zero or more records added),
     *  CW_IDLE (nothing more at this moment; the records added before it are produced as
     *  with CW_OK; in --exit-when-caught-up batch mode the task is finished once this is
     *  returned and everything it produced is acknowledged), CW_ERR_RETRIABLE (records added
     *  so far are kept; the worker backs off and calls again) or CW_ERR_FATAL. Records added
     *  before an error return are still delivered. */
    int (*poll)(void *state, cw_batch_t *batch, int timeout_ms, char *errstr, size_t errstr_size);

    /** Optional. Called on the task thread, between polls, after the worker durably stored
     *  the source offsets of every record Kafka acknowledged so far (Kafka Connect's
     *  SourceTask.commit). The offsets may have been stored from another thread while poll
     *  ran: commit then follows when poll returns. */
    void (*commit)(void *state);

    /** Optional. The end of one record this task added to a batch (Kafka Connect's
     *  SourceTask.commitRecord(record, metadata)): Kafka acknowledged it (WRITTEN, with its
     *  topic, partition and offset), a transform dropped it (DROPPED; Kafka Connect passes
     *  null metadata), or it was not written (FAILED, with `error`): a produce Kafka refused,
     *  a transform or converter error (`skipped` tells whether errors.tolerance=all let the
     *  task go on), or a task that stopped before Kafka acknowledged it.
     *  - Exactly once for every record source_record_new returned, before stop is called.
     *  - On the task thread, between polls, never concurrently with another callback of the
     *    task, so the plugin needs no lock for its own state. A WRITTEN ack means durable in
     *    Kafka (acks=all, idempotent producer); the record's source offset is stored soon
     *    after (within about 200 ms), and commit follows at offset.flush.interval.ms.
     *  - Acks of records written to one partition come in offset order. Across partitions,
     *    and for DROPPED and FAILED records, there is no order: a dropped record may be
     *    reported before an earlier record that is still in flight.
     *  - `record` is the pointer source_record_new returned, as the transforms left it;
     *    `ack` is borrowed. Both are valid only during the call (the worker frees the
     *    record afterwards): read what you need, never keep them, do not modify the record.
     *  With this callback set the worker keeps each record until its end is known.
     *  tests/worker/source_acks.sh holds the worker to this. */
    void (*ack)(void *state, cw_record_t *record, const cw_source_ack_t *ack);

    /** Stops the task and frees `state`. Called once, on the task thread, after the last
     *  poll and the last ack; never concurrently with poll. Not called when start failed. */
    void (*stop)(void *state);
} cw_source_ops_t;

/** Sink task callbacks (Kafka Connect's SinkTask). The worker consumes with librdkafka in
 *  consumer group `connect-<connector name>`. Offsets are committed only up to what flush
 *  reports durable.
 *
 *  Lifecycle facts (each held by a test in tests/worker/lifecycle_*.sh):
 *  - start is retried after CW_ERR_RETRIABLE; after CW_ERR_FATAL or CW_ERR_CONFIG the task
 *    fails, its consumer never subscribes (no open, put or flush) and stop is NOT called.
 *  - flush is offered, for a partition that received nothing since open, the offset
 *    consumption resumes from: its committed offset, else the consumer's position (Kafka
 *    Connect offers consumer.position()); CW_OFFSET_INVALID only while neither is known.
 *  - After put returned CW_ERR_FATAL (or a transform or converter failed under
 *    errors.tolerance=none) the task stops, but first, as Kafka Connect does, flush is
 *    called once more with final set and the offsets after the last put that succeeded (the
 *    failed batch is not part of them); what it reports durable is committed; then close and
 *    stop. After a failed flush, open or close, close and stop follow without another flush.
 *  - Every callback runs on the task thread, including open and close during a rebalance. */
typedef struct cw_sink_ops {
    uint32_t struct_size; /**< sizeof(cw_sink_ops_t): write CW_SINK_OPS_HEADER */
    cw_task_configs_fn task_configs;

    /** Starts one task. Returns CW_OK, CW_ERR_RETRIABLE or CW_ERR_FATAL/CW_ERR_CONFIG (then
     *  stop is not called: free what you allocated). */
    int (*start)(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                 size_t errstr_size);

    /** Optional. Partitions newly assigned to this task (after a rebalance). `tps[i].offset`
     *  is the committed offset consumption resumes from (CW_OFFSET_INVALID when none). */
    int (*open)(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                size_t errstr_size);

    /** Optional. Partitions being taken away. The worker has already called flush for them
     *  and committed what it reported durable; drop any remaining buffered data of these
     *  partitions (it will be consumed again by whoever gets them). */
    int (*close)(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                 size_t errstr_size);

    /** Hands over records, in offset order within each partition. `records` and the records
     *  are borrowed for the duration of the call: copy what you keep (host->record_value
     *  and friends return pointers valid until the call returns). Called with n == 0
     *  whenever the consumer poll timed out, so time-based work (rotate.schedule.interval.ms)
     *  happens without new data. Returns CW_OK; CW_ERR_RETRIABLE when the sink cannot take
     *  more now (back-pressure: the worker pauses the partitions, keeps the consumer alive,
     *  and calls put again with the same records after a backoff; the plugin must not have
     *  kept any of them); CW_ERR_FATAL. A single bad record is reported with
     *  host->report_bad_record, not by failing the whole put. */
    int (*put)(void *state, cw_record_t *const *records, size_t n, char *errstr,
               size_t errstr_size);

    /** Pre-commit (Kafka Connect's SinkTask.preCommit). On entry tps[i].offset is, for each
     *  assigned partition, the offset after the last record handed to put (for a partition
     *  that received nothing since open: where consumption resumes). Set tps[i].offset
     *  to the offset after the last record that is durable in the target (which may be
     *  lower; CW_OFFSET_INVALID to commit nothing for that partition). `final` is non-zero
     *  when the worker is stopping, the partitions are being revoked, or batch mode finished:
     *  then write out whatever can be written. Returns CW_OK, CW_ERR_RETRIABLE (called again
     *  after a backoff) or CW_ERR_FATAL. */
    int (*flush)(void *state, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                 size_t errstr_size);

    /** Stops the task and frees `state`. Called once, on the task thread, after the last
     *  close; not when start failed. Buffered data that flush did not report durable is
     *  simply dropped: it is consumed again after a restart. */
    void (*stop)(void *state);
} cw_sink_ops_t;

/** Transform callbacks (Kafka Connect's Transformation). One instance per task chain. */
typedef struct cw_transform_ops {
    uint32_t struct_size; /**< sizeof(cw_transform_ops_t): write CW_TRANSFORM_OPS_HEADER */

    /** Reads `config` (keys without the `transforms.<alias>.` prefix) and creates the
     *  instance. Returns CW_OK or CW_ERR_CONFIG with errstr naming the key. */
    int (*configure)(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                     size_t errstr_size);

    /** Transforms `record` in place through the cw_host_t record functions. Returns CW_OK,
     *  CW_DROP (filter the record out), CW_ERR_RECORD (this record cannot be transformed:
     *  errstr names the field and why; errors.tolerance decides) or CW_ERR_FATAL. */
    int (*apply)(void *state, cw_record_t *record, char *errstr, size_t errstr_size);

    /** Frees the instance. */
    void (*close)(void *state);
} cw_transform_ops_t;

/** Predicate callbacks (Kafka Connect's Predicate), referenced by
 *  `transforms.<alias>.predicate` and inverted by `.negate`. */
typedef struct cw_predicate_ops {
    uint32_t struct_size; /**< sizeof(cw_predicate_ops_t): write CW_PREDICATE_OPS_HEADER */
    int (*configure)(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                     size_t errstr_size);
    /** Returns 1 when the record matches, 0 when not. Must not modify the record. */
    int (*test)(void *state, const cw_record_t *record);
    void (*close)(void *state);
} cw_predicate_ops_t;

/** Collects the problems a validate callback finds (see cw_host_t.validation_error). Owned
 *  by the worker; valid only during the validate call. A plugin makes its own for start and
 *  configure with cw_host_t.validation_begin / validation_end. */
typedef struct cw_validation cw_validation_t;

/** Checks a whole configuration before anything starts (Kafka Connect's Connector.validate
 *  and ConfigDef validators). The worker has already checked each key against the plugin's
 *  cw_config_def_t rows (type, bounds, allowed values, required): validate adds what the
 *  rows cannot say, such as rules between keys (`mode=timestamp` needs
 *  `timestamp.column.name`), values that must parse (a pattern, a time zone, a Cast spec)
 *  and facts about the outside world that do not need a connection (a directory exists).
 *  Report every problem with host->validation_error, each naming its key, and go on: the
 *  worker prints them all. `config` is the resolved configuration with defaults (for
 *  transforms and predicates their own keys without the `transforms.<alias>.` prefix).
 *  `ctx` identifies the connector (task -1); no task runs yet. Called on the main thread by
 *  `--validate`, before start-up, and by the REST validate endpoint, possibly several times
 *  and for configurations that are never started: keep no state and open no connection.
 *  A configuration that passes it must not fail at start for a reason it could have seen:
 *  write one settings parser that reports through host->validation_error and call it from
 *  both validate and start/configure (see validation_begin), rather than two checkers.
 *  The worker runs it whether or not the rows found problems (so that every problem is
 *  reported at once); it drops a validate problem for a key the rows already reported (a
 *  typed getter reads the fallback for a value that does not parse). */
typedef void (*cw_validate_fn)(cw_ctx_t *ctx, const cw_config_t *config, cw_validation_t *v);

/** One plugin. Static storage in the shared object; read-only for the worker. Start the
 *  initialiser with CW_PLUGIN_HEADER and name the members:
 *      static const cw_plugin_t my_plugin = {
 *          CW_PLUGIN_HEADER,
 *          .kind = CW_PLUGIN_TRANSFORM,
 *          .name = "uppercase-field",
 *          ...
 *          .transform = &my_ops,
 *      };
 */
typedef struct cw_plugin {
    uint32_t struct_size; /**< sizeof(cw_plugin_t): write CW_PLUGIN_HEADER */
    cw_plugin_kind_t kind;
    const char *name;                    /**< short name, e.g. "s3-sink"; unique per worker */
    const char *const *aliases;          /**< NULL-terminated Kafka Connect class names and short
                                          forms accepted as connector.class / type; or NULL */
    const char *version;                 /**< the plugin's own version string */
    const char *description;             /**< one sentence for --list-plugins */
    const cw_config_def_t *config;       /**< key table ending with CW_CONFIG_END; NULL: no keys */
    cw_validate_fn validate;             /**< optional whole-config check; NULL: the rows suffice */
    const cw_source_ops_t *source;       /**< set for CW_PLUGIN_SOURCE */
    const cw_sink_ops_t *sink;           /**< set for CW_PLUGIN_SINK */
    const cw_transform_ops_t *transform; /**< set for CW_PLUGIN_TRANSFORM */
    const cw_predicate_ops_t *predicate; /**< set for CW_PLUGIN_PREDICATE */
} cw_plugin_t;

struct cw_host;

/** What cw_module_entry returns. The first two members are read before anything else and
 *  must stay first in every ABI version. */
typedef struct cw_module {
    uint32_t abi_version;              /**< CW_ABI_VERSION the module was built against */
    uint32_t struct_size;              /**< sizeof(cw_module_t) the module was built with */
    uint32_t host_size;                /**< sizeof(cw_host_t) the module was built with */
    const char *name;                  /**< module name for messages, e.g. "transforms" */
    const cw_plugin_t *const *plugins; /**< NULL-terminated; one module may export many */

    /** Optional. Called once after the version check, before any plugin is used, on the
     *  loading thread under the loader lock. `host` stays valid until fini returns: keep it.
     *  Return CW_OK, or an error with errstr: the worker then refuses the module (naming
     *  the file and errstr) and goes on without it. */
    int (*init)(const struct cw_host *host, char *errstr, size_t errstr_size);

    /** Optional. Called once before the module is unloaded. */
    void (*fini)(void);
} cw_module_t;

/* ------------------------------------------------------------------------------------------
 * Initialiser macros: the header stamps versions and sizes, so a plugin cannot get them wrong.
 * ---------------------------------------------------------------------------------------- */

/** First line of a cw_module_t initialiser: ABI version, descriptor size and host size. */
#define CW_MODULE_HEADER                                                                           \
    .abi_version = CW_ABI_VERSION, .struct_size = (uint32_t)sizeof(cw_module_t),                   \
    .host_size = (uint32_t)sizeof(struct cw_host)
/** First line of a cw_plugin_t initialiser. */
#define CW_PLUGIN_HEADER .struct_size = (uint32_t)sizeof(cw_plugin_t)
/** First line of each ops table initialiser. */
#define CW_SOURCE_OPS_HEADER .struct_size = (uint32_t)sizeof(cw_source_ops_t)
#define CW_SINK_OPS_HEADER .struct_size = (uint32_t)sizeof(cw_sink_ops_t)
#define CW_TRANSFORM_OPS_HEADER .struct_size = (uint32_t)sizeof(cw_transform_ops_t)
#define CW_PREDICATE_OPS_HEADER .struct_size = (uint32_t)sizeof(cw_predicate_ops_t)
/** The last row of every cw_config_def_t table. */
#define CW_CONFIG_END                                                                              \
    { .name = NULL }

/** Declares the entry point. Use it once per shared object:
 *      static const cw_module_t my_module = {
 *          CW_MODULE_HEADER,
 *          .name = "my-plugins",
 *          .plugins = my_plugins,
 *      };
 *      CW_MODULE_ENTRY(my_module)
 */
#define CW_MODULE_ENTRY(module_var)                                                                \
    CW_EXPORT const cw_module_t *cw_module_entry(void);                                            \
    CW_EXPORT const cw_module_t *cw_module_entry(void) { return &(module_var); }

typedef const cw_module_t *(*cw_module_entry_fn)(void);

/* ------------------------------------------------------------------------------------------
 * Host services: the worker's functions a plugin may call.
 *
 * The table is handed to cw_module_t.init and stays valid until fini returns. All functions
 * are thread-safe with respect to different records/contexts; a single record must only be
 * used from the thread that received it.
 * ---------------------------------------------------------------------------------------- */

/* ------------------------------------------------------------------------------------------
 * Converter view: how a record's key or value was converted, and what its bytes are.
 *
 * The converters are usually set in the worker file (key.converter, value.converter), which
 * a plugin does not see, and a connector may override them. A plugin never guesses from the
 * bytes: it asks host->record_key_format / record_value_format.
 * ---------------------------------------------------------------------------------------- */

/** The connector's converter for a key or a value (Kafka Connect class names). */
typedef enum cw_converter_kind {
    CW_CONVERTER_JSON = 0,   /**< org.apache.kafka.connect.json.JsonConverter */
    CW_CONVERTER_STRING = 1, /**< org.apache.kafka.connect.storage.StringConverter */
    CW_CONVERTER_BYTES = 2   /**< org.apache.kafka.connect.converters.ByteArrayConverter */
} cw_converter_kind_t;

/** What the bytes host->record_key / record_value return are, right now. It changes when a
 *  transform changes the key or value. */
typedef enum cw_bytes_form {
    /** A null key or value (a tombstone): record_value returns NULL. */
    CW_BYTES_NULL = 0,
    /** JSON text of the value itself, the value record_value_json returns: JsonConverter
     *  bytes without the schemas envelope (schemas.enable=false, or bytes a plugin set), or
     *  a value a transform changed through JSON, re-encoded compactly (except a string
     *  under StringConverter: TEXT, and a base64 string under ByteArrayConverter: BINARY,
     *  the decoded bytes). A sink writing JSON
     *  may copy them as they are. Bytes consumed from Kafka are not checked (they may be
     *  invalid JSON, or span lines); record_value_json parses them and says what is wrong. */
    CW_BYTES_JSON = 1,
    /** JsonConverter with schemas.enable=true, as consumed: the envelope
     *  {"schema":...,"payload":...}. The value (record_value_json) is the payload. */
    CW_BYTES_JSON_ENVELOPE = 2,
    /** UTF-8 text (StringConverter): the value is a JSON string holding exactly this text,
     *  even when the text happens to look like JSON ({"a":1} is the string "{\"a\":1}"). */
    CW_BYTES_TEXT = 3,
    /** Raw bytes (ByteArrayConverter): the value is a byte array, seen through
     *  record_value_json as its base64 string. */
    CW_BYTES_BINARY = 4
} cw_bytes_form_t;

/** Filled by host->record_key_format / record_value_format. The caller sets struct_size
 *  (initialise with CW_DATA_FORMAT_INIT); the host fills only the members that fit in it,
 *  so members can be appended within an ABI version. */
typedef struct cw_data_format {
    uint32_t struct_size;          /**< set by the caller: sizeof(cw_data_format_t) */
    cw_converter_kind_t converter; /**< the connector's converter for this key / value */
    int schemas_enable;            /**< JsonConverter's schemas.enable in effect (0 for the
                                        other converters) */
    cw_bytes_form_t form;          /**< what the bytes are now (see cw_bytes_form_t) */
} cw_data_format_t;

/** Initialiser of a cw_data_format_t: `cw_data_format_t f = CW_DATA_FORMAT_INIT;` */
#define CW_DATA_FORMAT_INIT                                                                        \
    { .struct_size = (uint32_t)sizeof(cw_data_format_t) }

/* ------------------------------------------------------------------------------------------
 * Metrics: counters, gauges and histograms a plugin registers through the host table,
 * labelled with its connector and task. The worker renders them in the Prometheus text
 * exposition format (`--metrics-file`; the REST server later serves the same text).
 *
 * Names follow Prometheus' rules: [a-zA-Z_][a-zA-Z0-9_]*, no leading "__", no ':' (kept for
 * recording rules). Kafka Connect's kebab-case names translate the way the Prometheus JMX
 * exporter writes them: group and name joined with '_', '-' as '_' (sink-task-metrics /
 * sink-record-read-total gives sink_task_metrics_sink_record_read_total). Prefix a
 * plugin's own metrics with its name (s3_sink_...). A counter's name ends in "_total" and
 * no other's does; "_bucket", "_sum" and "_count" are left to histogram samples; a
 * histogram's name says its unit (_seconds, _bytes); a help text is required. The worker
 * refuses a definition that breaks one of these rules, naming the metric and the rule.
 * Every sample carries the labels connector="<name>" and task="<n>" (histogram buckets
 * add le="<bound>").
 * ---------------------------------------------------------------------------------------- */

/** One registered series (a metric of one task). Owned by the worker. */
typedef struct cw_metric cw_metric_t;

typedef enum cw_metric_kind {
    CW_METRIC_COUNTER = 1,  /**< only goes up: metric_add with a delta >= 0 */
    CW_METRIC_GAUGE = 2,    /**< goes up and down: metric_set, metric_add */
    CW_METRIC_HISTOGRAM = 3 /**< distribution of observations: metric_observe */
} cw_metric_kind_t;

/** A metric declaration, usually a static const in the plugin. Start the initialiser with
 *  CW_METRIC_DEF_HEADER. */
typedef struct cw_metric_def {
    uint32_t struct_size; /**< sizeof(cw_metric_def_t): write CW_METRIC_DEF_HEADER */
    cw_metric_kind_t kind;
    const char *name;      /**< see the naming rules above; copied */
    const char *help;      /**< one sentence for the # HELP line; required; copied */
    const double *buckets; /**< histograms: upper bounds, finite and strictly increasing
                                  (the +Inf bucket is implicit); copied. NULL with
                                  nbuckets 0: Prometheus' default buckets (0.005 .. 10) */
    size_t nbuckets;       /**< at most CW_METRIC_BUCKETS_MAX */
} cw_metric_def_t;

#define CW_METRIC_DEF_HEADER .struct_size = (uint32_t)sizeof(cw_metric_def_t)
#define CW_METRIC_BUCKETS_MAX 64

typedef enum cw_log_level {
    CW_LOG_ERROR = 0,
    CW_LOG_WARN = 1,
    CW_LOG_INFO = 2,
    CW_LOG_DEBUG = 3,
    CW_LOG_TRACE = 4
} cw_log_level_t;

typedef struct cw_host {
    uint32_t abi_version; /**< CW_ABI_VERSION of the worker */
    uint32_t struct_size; /**< sizeof(cw_host_t) of the worker */

    /* --- logging --------------------------------------------------------------------- */

    /** Writes one log line tagged with the connector and task of `ctx` (ctx may be NULL).
     *  Never pass secrets. */
    void (*log)(cw_ctx_t *ctx, cw_log_level_t level, const char *fmt, ...) CW_PRINTF(3, 4);

    /** Non-zero when the task of `ctx` is asked to stop (shutdown, rebalance): long loops
     *  and retries inside a callback should check it and return CW_ERR_RETRIABLE.
     *  The value says how (ABI 2, since issue 18; plugins that only test for non-zero are
     *  unaffected): CW_STOP_GRACEFUL (1) for a normal stop (SIGTERM, SIGINT, SIGHUP, the end
     *  of a batch run): finish the final flush as usual; CW_STOP_ABORT (2) once a second
     *  signal cut the graceful stop short: give up slow work at once (abort multipart
     *  uploads, cancel queries), report durable only what already is, and return; the
     *  worker commits that and exits within about 2 s. Thread-safe; cheap (one atomic
     *  load): plugin threads of the task (upload threads) may poll it. */
    int (*stopping)(cw_ctx_t *ctx);

    /** The connector name and task number of `ctx` (borrowed, valid as long as ctx). */
    const char *(*connector_name)(cw_ctx_t *ctx);
    int (*task_id)(cw_ctx_t *ctx);

    /* --- configuration (values valid as long as the config) ------------------------- */

    /** The value of `key`, or its declared default, or NULL when neither. */
    const char *(*config_get)(const cw_config_t *config, const char *key);
    /** Typed reads of declared keys; the worker validated them, so these cannot fail for a
     *  declared key with a value or default. The key's row is the one home of its default:
     *  for a key whose row has a default, `fallback` is never returned, so pass 0 (false)
     *  rather than repeating the default. `fallback` is returned only for an optional key
     *  without a default that is unset. Reading a key that the plugin's table does not
     *  declare is a plugin bug: the worker logs an error naming the key (once per config)
     *  and returns `fallback`. */
    int64_t (*config_get_int)(const cw_config_t *config, const char *key, int64_t fallback);
    double (*config_get_double)(const cw_config_t *config, const char *key, double fallback);
    int (*config_get_bool)(const cw_config_t *config, const char *key, int fallback);
    /** LIST value split on commas and trimmed; a NULL-terminated array owned by the config
     *  (NULL when unset; an empty value gives an array whose first element is NULL).
     *  *count receives the number of items when count is not NULL. */
    const char *const *(*config_get_list)(const cw_config_t *config, const char *key,
                                          size_t *count);
    /** Calls fn for every set key starting with `prefix` (in file order), with the full key
     *  and its value. Stops early and returns fn's value when fn returns non-zero. */
    int (*config_foreach)(const cw_config_t *config, const char *prefix,
                          int (*fn)(const char *key, const char *value, void *opaque),
                          void *opaque);

    /** In task_configs: sets `key=value` for task number `task` (0-based) only. */
    void (*task_config_set)(cw_task_split_t *split, int task, const char *key, const char *value);

    /** In validate (or between validation_begin and validation_end): reports one problem
     *  with the value of `key` (the key as the plugin declares it; the worker adds the file
     *  and, for transforms, the `transforms.<alias>.` prefix). The message is one sentence
     *  without the key, e.g. "unknown time zone 'Mars/Olympus'"; it is cut at about 1000
     *  bytes. Never put a secret value in it. May be called any number of times, from the
     *  thread that holds `v`; `v` NULL is a no-op. */
    void (*validation_error)(cw_validation_t *v, const char *key, const char *fmt, ...)
        CW_PRINTF(3, 4);

    /** So that start/configure and validate share one checker: start (or configure) opens
     *  a collection with validation_begin, runs the same settings parser that validate runs
     *  (reporting through validation_error), and closes it with validation_end. Never NULL
     *  (the worker aborts when out of memory, as for every allocation of its own). Owned by
     *  the caller until validation_end, which frees it. Not shared between threads. */
    cw_validation_t *(*validation_begin)(void);
    /** Frees `v` and returns how many problems it collected. When there were any, writes
     *  them to errstr as "key: message" joined by "; " (cut to errstr_size): return
     *  CW_ERR_CONFIG from start/configure then. */
    int (*validation_end)(cw_validation_t *v, char *errstr, size_t errstr_size);

    /* --- records: reading ------------------------------------------------------------- */

    const char *(*record_topic)(const cw_record_t *r);
    int32_t (*record_partition)(const cw_record_t *r);
    /** Kafka offset (sinks); -1 for a source record not yet produced. */
    int64_t (*record_offset)(const cw_record_t *r);
    /** Where a sink record was consumed from: the topic, partition and offset of its Kafka
     *  message (Kafka Connect's SinkRecord.originalTopic / originalKafkaPartition /
     *  originalKafkaOffset, KIP-793). Transforms cannot change them: a routing transform
     *  (RegexRouter, TimestampRouter) changes record_topic and record_partition only.
     *  These are the coordinates of the consumer's assignment, which is what sink open,
     *  close and flush (cw_topic_partition_t) and the committed offsets speak in: a sink
     *  that tracks durability per partition must key it by these, not by record_topic /
     *  record_partition (which it may use to decide where the record is written).
     *  The topic is borrowed: valid as long as the record. For a source record (not
     *  consumed from Kafka) they return what record_topic, record_partition and
     *  record_offset return. Never fail; the same thread rules as the other record
     *  functions apply. */
    const char *(*record_original_topic)(const cw_record_t *r);
    int32_t (*record_original_partition)(const cw_record_t *r);
    int64_t (*record_original_offset)(const cw_record_t *r);
    /** Milliseconds since the epoch, or CW_TIMESTAMP_NONE. */
    int64_t (*record_timestamp)(const cw_record_t *r);

    /** The key / value as bytes: the untouched bytes when nothing changed them, otherwise the
     *  compact JSON encoding of the changed value (strings of the string converter as their
     *  raw text). NULL with *len = 0 for a null key / value (a tombstone). Borrowed: valid
     *  until the record is changed or handed back. Whether they are JSON text, a string's
     *  text or raw bytes: record_key_format / record_value_format. */
    const void *(*record_key)(cw_record_t *r, size_t *len);
    const void *(*record_value)(cw_record_t *r, size_t *len);

    /** The key / value parsed as schemaless JSON by the connector's converter (JsonConverter
     *  payload, a string for StringConverter, base64 text for ByteArrayConverter). Parsed on
     *  first use only. Borrowed, owned by the record: do NOT modify the returned value (use
     *  the _mut variants). A null key/value gives JSON null. Returns NULL on a parse failure
     *  with errstr naming why (e.g. "invalid JSON at byte 17: ..."); callers then return
     *  CW_ERR_RECORD. */
    struct json_t *(*record_key_json)(cw_record_t *r, char *errstr, size_t errstr_size);
    struct json_t *(*record_value_json)(cw_record_t *r, char *errstr, size_t errstr_size);
    /** As above, but the caller may modify the returned value in place; the record's bytes
     *  are re-encoded from it when next needed. */
    struct json_t *(*record_key_json_mut)(cw_record_t *r, char *errstr, size_t errstr_size);
    struct json_t *(*record_value_json_mut)(cw_record_t *r, char *errstr, size_t errstr_size);

    /** Headers. `idx` from 0 to record_header_count-1. Name and value are borrowed (valid
     *  until headers change). A header with a null value has *value NULL. */
    size_t (*record_header_count)(const cw_record_t *r);
    int (*record_header_get)(const cw_record_t *r, size_t idx, const char **name,
                             const void **value, size_t *len);
    /** The last header called `name`; returns 1 when found, 0 when not. */
    int (*record_header_find)(const cw_record_t *r, const char *name, const void **value,
                              size_t *len);

    /* --- records: changing (transforms; source tasks building records) ---------------- */

    /** Copies `topic`. */
    void (*record_set_topic)(cw_record_t *r, const char *topic);
    void (*record_set_partition)(cw_record_t *r, int32_t partition);
    void (*record_set_timestamp)(cw_record_t *r, int64_t timestamp_ms);
    /** Copies the bytes (NULL: a null key / value). */
    void (*record_set_key)(cw_record_t *r, const void *data, size_t len);
    void (*record_set_value)(cw_record_t *r, const void *data, size_t len);
    /** Takes ownership of one reference to `value` (NULL means JSON null). */
    void (*record_set_key_json)(cw_record_t *r, struct json_t *value);
    void (*record_set_value_json)(cw_record_t *r, struct json_t *value);
    /** Appends a header (copies name and value; value NULL for a null header). */
    void (*record_header_add)(cw_record_t *r, const char *name, const void *value, size_t len);
    /** Removes every header called `name`; returns how many were removed. */
    size_t (*record_header_remove)(cw_record_t *r, const char *name);

    /* --- sinks ------------------------------------------------------------------------ */

    /** Reports one record a sink cannot write (Kafka Connect's ErrantRecordReporter).
     *  Returns CW_OK when errors.tolerance=all (the record went to the dead letter queue or
     *  was logged and skipped: treat it as written) or CW_ERR_FATAL when errors.tolerance is
     *  none (return CW_ERR_FATAL from put; the worker stops the task naming the record's
     *  topic, partition and offset and `reason`). */
    int (*report_bad_record)(cw_ctx_t *ctx, cw_record_t *r, const char *reason);

    /* --- sources ---------------------------------------------------------------------- */

    /** Creates a record in `batch` (owned by the batch) for `topic` and `partition`
     *  (CW_PARTITION_ANY lets the producer choose). `source_partition` and `source_offset` are
     *  JSON texts (copied), e.g. {"table":"users"} and {"incrementing":42}; the offset is
     *  stored for that source partition once Kafka acknowledged this record and every
     *  earlier one of the task. Either may be NULL for records that carry no offset.
     *  Set key, value, timestamp and headers with the record functions. The record is the
     *  plugin's to use until poll returns (and during its ack): the worker reuses its memory
     *  for the records of a later poll, so never keep the pointer. */
    cw_record_t *(*source_record_new)(cw_batch_t *batch, const char *topic, int32_t partition,
                                      const char *source_partition, const char *source_offset);

    /** The last stored offset (JSON text) for `source_partition`, or NULL when none (the
     *  worker then logs at INFO "no stored offset for <source_partition>: reading from the
     *  start", so call it once per partition, at start). Owned by the caller: free with
     *  host->free. */
    char *(*offset_get)(cw_ctx_t *ctx, const char *source_partition);

    /* --- utilities -------------------------------------------------------------------- */

    /** Encodes `value` as compact JSON with every real number in its shortest form that
     *  reads back to the same double (-89.9787 stays -89.9787; jansson's own dump writes
     *  -89.978700000000003). Returns a NUL-terminated string owned by the caller (free with
     *  host->free), *len receiving its length when len is not NULL; NULL on allocation
     *  failure. */
    char *(*json_encode)(const struct json_t *value, size_t *len);

    /** Frees memory the host handed over (offset_get, json_encode). NULL is a no-op. */
    void (*free)(void *ptr);

    /* --- records: the value as JSON text, for streaming readers ------------------------- */

    /** The value as plain JSON text (JsonConverter's payload: without the schemas envelope)
     *  when the record holds it as bytes that are still authoritative, so that a transform
     *  may read it with a streaming parser instead of building a tree with
     *  record_value_json, and set its result with record_set_value. NULL with *len = 0
     *  when that is not the case: another converter (StringConverter, ByteArrayConverter),
     *  a consumed value inside the schemas envelope, a value changed through JSON by an
     *  earlier transform (its tree is then the cheaper way in), or a null value. The bytes
     *  are not checked: they may be invalid JSON (record_value_json reports why). Borrowed
     *  as record_value. */
    const void *(*record_value_json_text)(cw_record_t *r, size_t *len);

    /* --- records: converter view (ABI 2) --------------------------------------------- */

    /** How the key / value of `r` was converted and what the bytes record_key /
     *  record_value return are now (see cw_bytes_form_t). Use it instead of looking at the
     *  bytes: the converter may be set in the worker file only, and text that looks like
     *  JSON is a string under StringConverter. Initialise `out` with CW_DATA_FORMAT_INIT;
     *  the host fills the members that fit in out->struct_size. Cheap (no parsing; after a
     *  change through JSON it settles the bytes as record_value would). Returns CW_OK, or
     *  CW_ERR_FATAL when `out` is NULL or its struct_size is smaller than the ABI 2
     *  cw_data_format_t. Call from the thread that holds the record, like every record
     *  function. */
    int (*record_key_format)(cw_record_t *r, cw_data_format_t *out);
    int (*record_value_format)(cw_record_t *r, cw_data_format_t *out);

    /* --- metrics (ABI 2) --------------------------------------------------------------- */

    /** Registers the metric `def` for the task of `ctx` (labels connector and task) and
     *  returns its handle. Call it from start/configure (any thread is allowed: the
     *  registry is locked). Registering the same name again with the same ctx returns the
     *  same handle (a start retried after CW_ERR_RETRIABLE keeps its counts) when kind and
     *  buckets match. The transforms and predicates of a task share the task's ctx, and so
     *  its series. Returns NULL with errstr naming the metric when the name breaks the
     *  rules (e.g. "metric name 'objects-uploaded' is not a valid Prometheus name: '-' at
     *  position 8 ..."), the kind or buckets are invalid or clash with an earlier
     *  registration of the name, `ctx` is connector-level (task_configs, validate: no
     *  task), or the host keeps no metrics. A NULL handle is accepted by every function
     *  below as a no-op, so a plugin may go on without metrics.
     *  Ownership: the worker owns the handle; it stays valid until the task's stop (or the
     *  transform's close) has returned, and is freed when the task's context ends. Stop
     *  threads of your own that update it before stop returns. Never free it. */
    cw_metric_t *(*metric_register)(cw_ctx_t *ctx, const cw_metric_def_t *def, char *errstr,
                                    size_t errstr_size);

    /** Counter: adds `delta` (ignored unless finite and >= 0). Gauge: adds `delta` (may be
     *  negative). Ignored for a histogram and for NULL. Lock-free (one atomic
     *  compare-and-swap); safe from any thread, concurrently with every other update. */
    void (*metric_add)(cw_metric_t *m, double delta);

    /** Gauge: sets the value. Ignored for other kinds and for NULL. Lock-free, any thread. */
    void (*metric_set)(cw_metric_t *m, double value);

    /** Histogram: counts one observation (e.g. a latency in seconds) into the first bucket
     *  whose bound is >= value, and adds it to the sum. Ignored for other kinds and for
     *  NULL. Lock-free, any thread. */
    void (*metric_observe)(cw_metric_t *m, double value);

    /* --- Kafka metadata (ABI 2, appended) ------------------------------------------------ */

    /** What Kafka says about `topic` (NULL: every topic), asked through the source task's
     *  own producer (the worker's bootstrap servers and security settings), waiting at most
     *  timeout_ms. Returns JSON text owned by the caller (free with host->free):
     *      {"brokers":[{"id":1,"host":"h","port":9092}],
     *       "topics":[{"name":"t","error":null,
     *                  "partitions":[{"partition":0,"leader":1,"replicas":[1],"isr":[1]}]}]}
     *  where a topic's "error" is librdkafka's name of its error ("UNKNOWN_TOPIC_OR_PART" for a
     *  topic that does not exist, which Kafka may create when auto-creation is on) or null.
     *  Returns NULL with errstr when `ctx` is not a source task's, the producer is not there
     *  yet, or Kafka did not answer in time. Thread-safe: may be called from threads of the
     *  plugin's own (an HTTP server's), from start returning CW_OK until stop returns.
     *  Hosts without it leave it NULL: check with CW_HOST_HAS(host, kafka_metadata). */
    char *(*kafka_metadata)(cw_ctx_t *ctx, const char *topic, int timeout_ms, char *errstr,
                            size_t errstr_size);

    /* --- where the data comes from, and how long a stop may take (ABI 2, appended) ---- */

    /** The id of the Kafka cluster the task's consumer (a sink task) or producer (a source
     *  task) is connected to (Kafka's cluster id, a 22-character base64 UUID; librdkafka's
     *  rd_kafka_clusterid), so that a sink can tell data of one cluster from another's at
     *  the same offsets (a cluster rebuilt, a move to a new MSK cluster). Waits up to timeout_ms (0: only what is known already) for the
     *  cluster's metadata. Returns a string owned by the caller (free with host->free), or
     *  NULL when it is not known yet (the client has not reached the cluster), when the
     *  broker does not report one (Kafka older than 0.10), or for a context with no Kafka
     *  client (connector level, validation).
     *  Once a sink received records the id is known, so put, flush, open and close get it
     *  with timeout 0 at no cost. Call it from the task's own callbacks (the task thread),
     *  not from threads of the plugin's own: a sink's consumer may be gone before stop,
     *  while the task shuts down. Use CW_HOST_HAS before calling it. */
    char *(*kafka_cluster_id)(cw_ctx_t *ctx, int timeout_ms);

    /** While the task of `ctx` is stopping (host->stopping is non-zero): the milliseconds
     *  left before the worker gives up waiting for it (task.shutdown.graceful.timeout.ms
     *  from the moment it was told to stop; 0 when the time is up, e.g. after a second
     *  SIGTERM shortened the stop); -1 when the task is not stopping or no limit applies
     *  (a rebalance). A callback that waits during a stop (a sink's final flush waiting for
     *  uploads) should give up before it reaches 0, leaving about a second for the commit,
     *  close and stop that follow, and report what is durable then. Thread-safe, cheap
     *  (no lock); any thread. Use CW_HOST_HAS before calling it. */
    int64_t (*stop_time_left_ms)(cw_ctx_t *ctx);

    /* --- records: JSON text the plugin vouches for (ABI 2, appended) ----------------- */

    /** As record_set_value (copies the bytes; NULL: a null value), for a value that the
     *  plugin wrote itself as one JSON text that jansson's json_loadb accepts (JSON_DECODE_ANY
     *  | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL: UTF-8, strings escaped as
     *  cw_sdk_json_escape_to escapes them), and vouches for. JsonConverter then produces the
     *  bytes without checking them again, which record_set_value's bytes cost on every
     *  record (about as much as writing them, for a database row). The plugin owns that
     *  promise: invalid text reaches Kafka as it is. A worker built without NDEBUG (debug and
     *  sanitizer builds, which the tests run) checks vouched text all the same and fails the
     *  record with an error naming this function, so that a plugin's tests catch a writer that
     *  is wrong. With StringConverter or ByteArrayConverter, or once a transform changed the
     *  value, it is exactly record_set_value. Call from the thread that holds the record. Use
     *  CW_HOST_HAS(host, record_set_value_json_text) and fall back to record_set_value. */
    void (*record_set_value_json_text)(cw_record_t *r, const void *data, size_t len);
} cw_host_t;

/** Non-zero when `host` has `member` and it is set: the one spelling of "is this host
 *  function there?". Needed only for members a host may leave NULL, and for plugins that
 *  want to run on a worker whose table predates the member. */
#define CW_HOST_HAS(host, member)                                                                  \
    ((host) != NULL &&                                                                             \
     (host)->struct_size >= offsetof(cw_host_t, member) + sizeof((host)->member) &&                \
     (host)->member != NULL)

#ifdef __cplusplus
}
#endif

#endif /* CONNECT_WORKER_PLUGIN_H */
