/* Internals of the S3 sink shared by its small files. */
#ifndef S3_SINK_H
#define S3_SINK_H
#include "connect-worker/plugin.h"
#include "connect-worker/sdk.h"
#include "s3_client.h"
#include <jansson.h>
#include <stdint.h>

extern const cw_config_def_t s3_sink_config_defs[];

typedef enum { S3_FMT_JSON = 0, S3_FMT_BYTEARRAY } s3_format_t;
typedef enum { S3_COMP_NONE = 0, S3_COMP_GZIP, S3_COMP_ZSTD } s3_compression_t;
typedef enum { S3_NULL_FAIL = 0, S3_NULL_IGNORE, S3_NULL_WRITE } s3_null_behavior_t;
typedef enum { S3_PART_DEFAULT = 0, S3_PART_FIELD, S3_PART_TIME } s3_partitioner_kind_t;
typedef enum { S3_TS_RECORD = 0, S3_TS_FIELD, S3_TS_WALLCLOCK } s3_ts_extractor_t;
/** s3.object.behavior.on.conflict: a key taken by an object of another origin. */
typedef enum { S3_CONFLICT_FAIL = 0, S3_CONFLICT_RENAME, S3_CONFLICT_OVERWRITE } s3_conflict_t;

/** Everything the task reads from its configuration, validated. */
typedef struct s3_settings {
    char *bucket, *region, *endpoint, *topics_dir, *dir_delim, *file_delim;
    int path_style;
    int zero_pad;
    int64_t flush_size, rotate_interval_ms, rotate_schedule_ms;
    s3_format_t format, key_format;
    char *bytearray_separator, *bytearray_extension;
    size_t separator_len;
    s3_compression_t compression;
    int compression_level;
    int64_t part_size;
    s3_null_behavior_t on_null;
    int store_keys, store_headers;
    int keys_format_unset, headers_format_unset; /* JsonFormat taken for Confluent's Avro */
    int64_t retry_backoff_ms;
    int part_retries;
    int upload_threads;
    int64_t upload_queue_bytes;
    char *sse_algorithm, *sse_kms_key_id;
    char *acl_canned;                 /* s3.acl.canned or NULL */
    const char *cfg_sse_customer_key; /* SSE-C key (base64), borrowed from the config, or NULL */
    int conditional_writes;
    s3_conflict_t on_conflict;
    int max_open_files; /* -1: unlimited */
    int rotate_on_partition_change;
    char *tombstone_partition; /* behavior.on.null.values=write: their directory */
    int use_libs3;
    /* partitioner */
    s3_partitioner_kind_t partitioner;
    char **fields;
    size_t nfields;
    char *path_format;
    int64_t partition_duration_ms;
    s3_ts_extractor_t ts_extractor;
    char *ts_field;
    char *timezone;
    struct s3_zone *zone; /* loaded from timezone */
    /* credentials as configured (may be NULL) */
    const char *cfg_access_key, *cfg_secret_key, *cfg_session_token;
    /* s3.credentials.provider.class=...AwsAssumeRoleCredentialsProvider (borrowed) */
    int assume_role;
    int send_digest, decimal_numeric; /* accepted Confluent keys, logged at start */
    const char *sts_role_arn, *sts_session_name, *sts_external_id, *sts_region;
} s3_settings_t;

/** The one checker of the configuration, shared by validate and start: reads every key
 *  into *s and reports each problem a start would meet (cross-key rules, the time zone, the
 *  path.format pattern, ...) with host->validation_error. *s is filled as far as possible
 *  even when it reports: free it with s3_settings_free either way. */
void s3_settings_parse(const cw_host_t *host, const cw_config_t *cfg, cw_validation_t *v,
                       s3_settings_t *s);
/** s3_settings_parse for start: CW_OK, or CW_ERR_CONFIG with every problem in errstr as
 *  "key: message" (and *s freed). */
int s3_settings_load(const cw_host_t *host, const cw_config_t *cfg, s3_settings_t *s, char *errstr,
                     size_t errstr_size);
/** The plugin's validate callback (s3_settings_parse through the module's host). */
void s3_settings_validate(cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v);
/** Confluent's Hive keys: hive.integration=true is a validation error naming the key; the
 *  other hive.* keys and schema.generator.class are logged at WARN (via ctx) when set,
 *  since they change nothing here (s3_config_hive.c). */
void s3_hive_check(const cw_host_t *h, cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v);
/** The host table of the module (set by its init). */
extern const cw_host_t *s3_host;
void s3_settings_free(s3_settings_t *s);

/* ---- time formatting (s3_time.c) ---- */
/** A time zone: UTC, GMT, Z, a fixed offset (+05:30, UTC-3) or a tz database name, whose
 *  TZif file is read once here (no TZ environment games: other threads read the
 *  environment). NULL with errstr for an unknown zone. */
typedef struct s3_zone s3_zone_t;
s3_zone_t *s3_zone_load(const char *name, char *errstr, size_t errstr_size);
void s3_zone_free(s3_zone_t *z);
/** Offset of the zone from UTC at instant `ms`, in ms. */
int64_t s3_zone_offset(const s3_zone_t *z, int64_t ms);
/** Formats `ms` (already shifted to local time) with a Joda-Time pattern (the subset the
 *  Confluent examples use: quoted literals, y/Y, M/MM/MMM, d/dd, H/HH, m/mm, s/ss, D, E).
 *  Returns 0, or -1 with errstr for an unsupported letter. */
int s3_joda_format(const char *pattern, int64_t local_ms, char *out, size_t out_size, char *errstr,
                   size_t errstr_size);

/* ---- partitioning (s3_partitioner.c) ---- */
/** The timestamp the extractor gives for `r` (ms), or -1 with errstr when the record lacks it. */
int s3_record_time(const cw_host_t *host, const s3_settings_t *s, cw_record_t *r, int64_t now_ms,
                   int64_t *ts, char *errstr, size_t errstr_size);
/** DefaultPartitioner's encoded partition, "partition=<p>", into out. */
void s3_default_partition(int32_t partition, char *out, size_t out_size);
/** The encoded partition of `r` (owned, free()), NULL with errstr for a bad record. */
char *s3_encode_partition(const cw_host_t *host, const s3_settings_t *s, cw_record_t *r,
                          int64_t record_ts, char *errstr, size_t errstr_size);
/** The key of an object: <topics.dir>/<topic>/<encoded>/<otopic>+<opartition>+<offset><ext>.
 *  `topic` is the records' current topic (after transforms); otopic, opartition and
 *  start_offset are the original (consumed) coordinates of the object's first record. Without
 *  routing, otopic = topic and opartition = the current partition: Confluent's exact key.
 *  With routing the name stays unique, since every record has one original topic partition
 *  and offset and is in one object, and a replay from a committed offset names it again the
 *  same. `suffix` is inserted before the extension for side objects ("keys", "headers") or
 *  NULL. Owned by the caller (free()); NULL: no memory. */
char *s3_object_key(const s3_settings_t *s, const char *topic, const char *encoded,
                    const char *otopic, int32_t opartition, int64_t start_offset,
                    const char *suffix);
/** The length of the stem of a key s3_object_key made from (start_offset, suffix): the key up
 *  to its start offset ("<dir>.../<topic>+<partition>+"), shared by every object of that
 *  partition in that directory. 0 when key does not end as such a key does. */
size_t s3_object_key_stem(const s3_settings_t *s, const char *key, int64_t start_offset,
                          const char *suffix);
/** ".json", ".json.gz", ".bin.zst", ... of the value object (suffix NULL) or a side object
 *  ("keys", "headers"). */
void s3_extension(const s3_settings_t *s, const char *suffix, char *out, size_t out_size);

/* ---- encoding (s3_encoder.c) ---- */
/** Object and line bytes: the SDK's buffer (connect-worker/sdk_buf.h). */
typedef cw_sdk_buf_t s3_bytes_t;

/** s3_encode_value for a null value with behavior.on.null.values=write: nothing appended;
 *  the record's key goes to the tombstone directory. */
#define S3_TOMBSTONE 100
/** One record's line as up to two byte ranges, written in this order: the record's bytes and
 *  the separator. A range points into the record itself (valid while it lives: the bytes as
 *  consumed, so they are copied once, straight into the object), into static text, or into
 *  the caller's scratch buffer when the line had to be built (re-encoded JSON, decoded
 *  base64). n[i] == 0: the range is empty. */
typedef struct s3_line {
    const char *p[2];
    size_t n[2];
} s3_line_t;
/** The line for one record's value (or key, in keys.format.class) as ranges in *out; bytes
 *  that must be built are appended to `scratch` (which the caller empties between records).
 *  Returns CW_OK, CW_DROP (null value and behavior.on.null.values=ignore), S3_TOMBSTONE,
 *  CW_ERR_RECORD with errstr, or CW_ERR_FATAL (no memory). */
int s3_encode_line(const cw_host_t *host, const s3_settings_t *s, cw_record_t *r, int key,
                   s3_line_t *out, s3_bytes_t *scratch, char *errstr, size_t errstr_size);
/** s3_encode_line with the line appended to `line` (a copy; for tests and rare paths). */
int s3_encode_value(const cw_host_t *host, const s3_settings_t *s, cw_record_t *r, int key,
                    s3_bytes_t *line, char *errstr, size_t errstr_size);
/** The headers of a record as one JSON object line. */
int s3_encode_headers(const cw_host_t *host, cw_record_t *r, s3_bytes_t *line);

/** A compressing byte sink: raw lines in, object bytes (compressed) accumulated in `out`. */
typedef struct s3_compressor s3_compressor_t;
s3_compressor_t *s3_compressor_new(s3_compression_t kind, int level);
int s3_compressor_write(s3_compressor_t *c, const void *p, size_t n, s3_bytes_t *out);
int s3_compressor_finish(s3_compressor_t *c, s3_bytes_t *out);
void s3_compressor_free(s3_compressor_t *c);

/* ---- background uploads (s3_upload_queue.c) ---- */
/** A FIFO of upload jobs run by 1..S3_UPLOAD_THREADS_MAX threads of its own; jobs of one
 *  owner run one at a time, in the order they were pushed. */
typedef struct s3_uploadq s3_uploadq_t;
#define S3_UPLOAD_THREADS_MAX 16
/** Runs one job on upload thread `thread` (0..threads-1; each thread may keep a connection
 *  of its own): CW_OK, CW_ERR_RETRIABLE or CW_ERR_FATAL with errstr. */
typedef int (*s3_upload_run_fn)(void *opaque, int thread, void *job, char *errstr,
                                size_t errstr_size);
/** Gives a job back: done=1 after it succeeded (called on the upload thread under the queue's
 *  lock, so that waiters see its effect), done=0 when it was cancelled or never ran. */
typedef void (*s3_upload_release_fn)(void *opaque, void *job, int done);
/** NULL with errstr when threads is out of range or a thread cannot start. */
s3_uploadq_t *s3_uploadq_new(size_t max_bytes, int threads, s3_upload_run_fn run,
                             s3_upload_release_fn release, void *opaque, char *errstr,
                             size_t errstr_size);
/** Appends a job of `bytes` bytes belonging to `owner` (a tag for cancel). -1: no memory. */
int s3_uploadq_push(s3_uploadq_t *q, void *job, const void *owner, size_t bytes);
/** Before taking new data: CW_OK when the queue works and holds less than max_bytes
 *  (waiting up to wait_ms for room); CW_ERR_RETRIABLE when the last upload failed (the
 *  failed job is tried again in the background) or there is still no room; CW_ERR_FATAL
 *  after an upload failed for good. errstr says why. */
int s3_uploadq_admit(s3_uploadq_t *q, int wait_ms, char *errstr, size_t errstr_size);
/** Tries failed jobs again and waits until every queued job is done (CW_OK) or a failure
 *  paused the queue and no job runs any more (CW_ERR_RETRIABLE / CW_ERR_FATAL with errstr;
 *  the jobs left wait). */
int s3_uploadq_wait_idle(s3_uploadq_t *q, char *errstr, size_t errstr_size);
/** As s3_uploadq_wait_idle, but for at most wait_ms (< 0: no limit): S3_UQ_BUSY with errstr
 *  when jobs are still queued and none failed once the time ran out. */
int s3_uploadq_wait_idle_ms(s3_uploadq_t *q, int wait_ms, char *errstr, size_t errstr_size);
#define S3_UQ_BUSY 3
/** Without waiting: tries failed jobs again in the background and says how the queue is:
 *  CW_OK (working, or idle), CW_ERR_RETRIABLE (the last attempt of a job failed) or
 *  CW_ERR_FATAL (a job failed for good), with errstr. */
int s3_uploadq_poll(s3_uploadq_t *q, char *errstr, size_t errstr_size);
/** Stops starting jobs (for good) and waits for the running ones to end; the caller makes
 *  them end soon (see s3_client_options_t.should_abort). The jobs left stay queued. */
void s3_uploadq_halt(s3_uploadq_t *q);
/** Takes back every job of `owner` (waiting for the one running, if any). */
void s3_uploadq_cancel(s3_uploadq_t *q, const void *owner);
/** Bytes of the jobs not done yet. */
size_t s3_uploadq_bytes(s3_uploadq_t *q);
/** Stops the threads after their current jobs and releases the jobs left (done=0). */
void s3_uploadq_free(s3_uploadq_t *q);

/* ---- metrics (s3_metrics.c) ---- */
/** The task's series in the host's registry; all NULL (and every update a no-op) when the
 *  host keeps no metrics. Handles owned by the worker, valid until stop returns. */
typedef struct s3_metrics {
    const cw_host_t *h;
    cw_metric_t *objects, *bytes, *duration, *retries, *queued, *failed;
} s3_metrics_t;
/** Registers the metrics for the task of `ctx`; a refusal is logged and the task goes on. */
void s3_metrics_register(s3_metrics_t *m, const cw_host_t *h, cw_ctx_t *ctx);
/** Seconds on a monotonic clock, for s3_metrics_request's `started`. */
double s3_metrics_now(void);
/** One successful request that began at `started`, sending `bytes` object bytes. */
void s3_metrics_request(const s3_metrics_t *m, double started, size_t bytes);
/** One object completely written. */
void s3_metrics_object(const s3_metrics_t *m);
/** `n` requests sent again by the client after a transient failure. */
void s3_metrics_retries(const s3_metrics_t *m, int n);
/** Bytes entering (> 0) or leaving (< 0) the upload queue. */
void s3_metrics_queued(const s3_metrics_t *m, double delta);
/** An upload that failed after the client's retries, left in the queue to try again. */
void s3_metrics_upload_failed(const s3_metrics_t *m);

/* ---- the task (s3_task.c; its internals in s3_task_int.h) ---- */
typedef struct s3_task s3_task_t;
int s3_task_start(const cw_host_t *host, cw_ctx_t *ctx, const cw_config_t *cfg, s3_task_t **out,
                  char *errstr, size_t errstr_size);
int s3_task_open(s3_task_t *t, const cw_topic_partition_t *tps, size_t n);
int s3_task_close(s3_task_t *t, const cw_topic_partition_t *tps, size_t n);
int s3_task_put(s3_task_t *t, cw_record_t *const *records, size_t n, char *errstr,
                size_t errstr_size);
int s3_task_flush(s3_task_t *t, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                  size_t errstr_size);
void s3_task_stop(s3_task_t *t);
/** For tests: waits until the queued uploads are done or failed (flush does not, unless
 *  final); returns what s3_uploadq_wait_idle returns. */
int s3_task_wait_uploads(s3_task_t *t);
/** For tests: buffered bytes across all open objects. */
size_t s3_task_buffered_bytes(const s3_task_t *t);
/** Injected wall clock (tests); NULL: the real clock. */
void s3_task_set_clock(s3_task_t *t, int64_t (*now_ms)(void));
#endif
