/* Internals of one S3 sink task, shared by its three files:
 *   s3_task.c         the task's entry points (start, open, close, put, flush, stop);
 *   s3_task_records.c records into object sets (per original topic partition);
 *   s3_task_upload.c  object sets and parts onto the upload queue, and the upload jobs.
 *
 * Two kinds of coordinates meet here (KIP-793). Everything about durability is kept per
 * ORIGINAL topic partition (where the worker consumed a record: host->record_original_*):
 * that is what open, close and flush name and what the worker commits. The objects a record
 * goes into are chosen by its CURRENT topic (host->record_topic, after transforms such as
 * RegexRouter or TimestampRouter), as Confluent's sink names them. */
#ifndef S3_TASK_INT_H
#define S3_TASK_INT_H
#include "s3_client.h"
#include "s3_sink.h"
#include <stdatomic.h>

struct writer;

typedef struct obj_stream {
    char *key;
    /* s3.object.behavior.on.conflict=rename: the key it is written under instead (set by the
     * upload thread before the first write; read by the task thread only when no job runs) */
    char *renamed;
    struct writer *owner; /* the writer it belongs to: the origin of its records */
    size_t stem_len;      /* key[0..stem_len): "...<topic>+<partition>+", 0: unknown */
    int checked;          /* the origin check before the first write passed */
    double check_s;       /* how long that check's LIST/HEAD took (upload thread; debug log) */
    size_t queued;        /* bytes handed to the upload queue as parts (task thread) */
    size_t sent;          /* bytes S3 took as parts (upload thread) */
    s3_compressor_t *comp;
    s3_bytes_t buf;  /* object bytes not yet uploaded */
    char *upload_id; /* multipart upload in progress, or NULL */
    char **etags;
    int nparts, cap_parts;
    int finished; /* compressor finished: buf holds the object's tail */
    int done;     /* completely in S3 */
} obj_stream_t;

/* The objects of one directory (current topic and encoded partition) in an object set. */
typedef struct writer {
    char *topic; /* the records' current topic: the directory they go in */
    char *encoded;
    obj_stream_t streams[3]; /* value, keys, headers */
    s3_origin_t origin;      /* of its first record: stored as the objects' metadata */
    int64_t last_offset;     /* original offset of its last record */
    struct writer *next;
} writer_t;

/* An object set: consecutive records of one original topic partition. */
typedef struct batch {
    int64_t start_offset, end_offset, count, base_ts;
    atomic_int uploaded; /* set by the upload thread once every object is in S3 */
    double sealed_at;    /* s3_metrics_now() when it was handed to the upload queue */
    writer_t *last;      /* the writer of the last record taken */
    writer_t *writers;
    int nwriters;
    struct batch *next;
} batch_t;

/* State of one original (consumed) topic partition. */
typedef struct tp_state {
    char *topic;
    int32_t partition;
    batch_t *open;
    batch_t *sealed;       /* FIFO, oldest first */
    int64_t next_offset;   /* after the last record taken; CW_OFFSET_INVALID: none yet */
    int64_t next_schedule; /* wall-clock rotation deadline of the open batch */
    size_t last_size;      /* bytes of the last object sealed: the next one's first buffer */
    /* DefaultPartitioner: the encoded partition of the last record, kept so that a record of
     * the same (current) partition costs no formatting and no allocation. */
    int32_t enc_partition;
    char enc[32]; /* "" until the first record */
    /* The listings of its key stems (s3_task_listing.c): used by the upload thread that runs
     * its job (one at a time), dropped by the task thread when no job of it runs. */
    struct stem_listing *listings;
    int nlistings;
    struct tp_state *next;
} tp_state_t;

struct s3_task {
    const cw_host_t *h;
    cw_ctx_t *ctx;
    s3_settings_t s;
    s3_creds_provider_t *creds; /* shared by every client; refreshes temporary credentials */
    s3_client_options_t copts;
    s3_client_t *clients[S3_UPLOAD_THREADS_MAX]; /* one per upload thread */
    int nclients;
    s3_client_t *ctl; /* the task thread's, for aborts while the upload threads run */
    s3_uploadq_t *uq;
    atomic_int quitting;    /* stop: the upload thread gives up retrying */
    atomic_int abandon;     /* a stop that cannot wait: running transfers are cut off */
    atomic_int list_denied; /* a LIST was refused (no s3:ListBucket): HEAD every key */
    tp_state_t *tps;
    tp_state_t *last_tp; /* the last one s3t_tp_find found: a put's records come in runs */
    int64_t (*now_ms)(void);
    s3_bytes_t line;
    s3_metrics_t metrics; /* objects, bytes and request durations (s3_metrics.c) */
};

/* ---- s3_task_records.c ---- */
/** The state of an original topic partition; created when `create` (NULL: no memory). */
tp_state_t *s3t_tp_find(s3_task_t *t, const char *topic, int32_t partition, int create);
/** Drops the open and sealed object sets of tp (aborting their multipart uploads). */
void s3t_tp_clear(s3_task_t *t, tp_state_t *tp);
/** Takes one record into the open object set of its original partition. CW_OK or
 *  CW_ERR_FATAL with errstr (a bad record is reported to the host, and then skipped). */
int s3t_take_record(s3_task_t *t, cw_record_t *r, int64_t now, char *errstr, size_t errstr_size);
/** Seals the open sets whose rotate.schedule.interval.ms deadline passed. */
int s3t_scheduled_rotation(s3_task_t *t, int64_t now);

/* ---- s3_task_listing.c ---- */
/** Upload thread running a job of tp: whether `key` (whose first stem_len bytes are its stem)
 *  may hold an object, from one listing of the stem per assignment: *maybe 0 when the listing
 *  says it does not, 1 when it may (listed, or not covered: HEAD it). A refused LIST (403)
 *  turns listings off for the task with one warning (*maybe 1, S3_DONE); other failures are
 *  returned with res filled. */
s3_outcome_t s3t_listing_check(s3_task_t *t, tp_state_t *tp, s3_client_t *c, const char *key,
                               size_t stem_len, int *maybe, s3_result_t *res);
/** Task thread, no job of tp running: forgets tp's listings (a new assignment lists again). */
void s3t_listings_free(tp_state_t *tp);

/* ---- s3_task_upload.c ---- */
/** Frees a writer / an object set; abort_uploads: abort their unfinished multipart uploads
 *  first. */
void s3t_writer_free(s3_task_t *t, writer_t *w, int abort_uploads);
void s3t_batch_free(s3_task_t *t, batch_t *b, int abort_uploads);
/** Closes the open object set of tp and queues it for upload. CW_OK or CW_ERR_FATAL. */
int s3t_seal(s3_task_t *t, tp_state_t *tp);
/** Queues every full part of open multipart-sized objects. CW_OK or CW_ERR_FATAL. */
int s3t_queue_parts(s3_task_t *t);
/** Frees the sealed sets whose uploads are done, oldest first. */
void s3t_reap(s3_task_t *t);
/** The client for requests of the task thread (aborts). NULL when it cannot be made. */
s3_client_t *s3t_ctl_client(s3_task_t *t);
/** The key an object is written under (its own, or the one a conflict renamed it to). */
const char *s3t_key(const obj_stream_t *st);
/** Final flush of a stop whose time is up: cuts off the running uploads, logs every object
 *  left behind (key, bytes) and aborts their multipart uploads. */
void s3t_abandon_uploads(s3_task_t *t);
/** The upload queue's callbacks (opaque: the task). */
int s3t_job_run(void *opaque, int thread, void *job, char *errstr, size_t errstr_size);
void s3t_job_release(void *opaque, void *job, int done);
#endif
