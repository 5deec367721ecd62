/* One sink task: records go into per-partition batches of open objects; a batch is rotated
 * (sealed) by flush.size, rotate.interval.ms, rotate.schedule.interval.ms or
 * partitioner.max.open.files and then uploaded. Offsets reported durable never pass the
 * first record of a batch that is not completely in S3.
 *
 * Uploads run on the task's upload thread (s3_upload_queue.c) while the task thread goes on
 * taking records: a sealed batch, and each full part of a growing multipart object, becomes
 * a job of that queue. Everything a job touches (the sealed batch; the multipart state of a
 * stream) is left alone by the task thread until the job is done or cancelled.
 *
 * Back-pressure rule: when the last upload failed, or more than s3.upload.queue.max.bytes
 * wait for upload, put returns CW_ERR_RETRIABLE before touching any record of the call, as
 * the ABI requires. */
#define _GNU_SOURCE /* memmem, tm_gmtoff */
#include "s3_sink.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct obj_stream {
    char *key;
    s3_compressor_t *comp;
    s3_bytes_t buf;       /* object bytes not yet uploaded */
    char *upload_id;      /* multipart upload in progress, or NULL */
    char **etags;
    int nparts, cap_parts;
    int finished;         /* compressor finished: buf holds the object's tail */
    int done;             /* completely in S3 */
} obj_stream_t;

typedef struct writer {
    char *encoded;
    obj_stream_t streams[3]; /* value, keys, headers */
    struct writer *next;
} writer_t;

typedef struct batch {
    int64_t start_offset, end_offset, count, base_ts;
    atomic_int uploaded;   /* set by the upload thread once every object is in S3 */
    char *cur_encoded;
    writer_t *writers;
    int nwriters;
    struct batch *next;
} batch_t;

typedef struct tp_state {
    char *topic;
    int32_t partition;
    batch_t *open;
    batch_t *sealed;       /* FIFO, oldest first */
    int64_t next_offset;   /* after the last record taken; CW_OFFSET_INVALID: none yet */
    int64_t next_schedule; /* wall-clock rotation deadline of the open batch */
    size_t last_size;      /* bytes of the last object sealed: the next one's first buffer */
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
    s3_client_t *ctl;      /* the task thread's, for aborts while the upload threads run */
    s3_uploadq_t *uq;
    atomic_int quitting;   /* stop: the upload thread gives up retrying */
    tp_state_t *tps;
    int64_t (*now_ms)(void);
    s3_bytes_t line;
    s3_metrics_t metrics;
};

/* A job of the upload queue: the objects of a sealed batch, or one part of an open object. */
typedef struct upload_job {
    batch_t *batch;        /* sealed batch, or NULL for a part */
    obj_stream_t *st;      /* part: the stream it belongs to */
    s3_bytes_t data;       /* part: its bytes (owned) */
} upload_job_t;

/* How long put waits for room in the upload queue before pushing back. */
#define ADMIT_WAIT_MS 1000

static const char *const SIDE[3] = {NULL, "keys", "headers"};

static int64_t real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int task_should_stop(void *opaque)
{
    s3_task_t *t = opaque;
    return atomic_load(&t->quitting) || (t->ctx && t->h->stopping(t->ctx));
}

static void creds_log(void *opaque, int level, const char *msg)
{
    s3_task_t *t = opaque;
    t->h->log(t->ctx, level == S3_CREDS_LOG_WARN ? CW_LOG_WARN : CW_LOG_INFO, "%s", msg);
}

/* The credential chain, into the provider the task's clients share. libs3 2.0 cannot send
 * a session token, so it cannot use the platform's temporary credentials at all. */
static int creds_start(s3_task_t *t, char *errstr, size_t errstr_size)
{
    s3_credentials_t c;
    if (s3_credentials_resolve(t->s.cfg_access_key, t->s.cfg_secret_key, t->s.cfg_session_token,
                               &c, errstr, errstr_size) != 0)
        return CW_ERR_CONFIG;
    if (t->s.use_libs3 && c.kind != S3_CREDS_FIXED) {
        snprintf(errstr, errstr_size,
                 "s3.client=libs3 cannot use the credentials from %s: they are temporary and "
                 "need a session token, which libs3 cannot send; use s3.client=curl (the "
                 "default) or fixed keys (aws.access.key.id)", c.source);
        s3_credentials_clear(&c);
        return CW_ERR_CONFIG;
    }
    if (t->s.use_libs3 && c.session_token)
        t->h->log(t->ctx, CW_LOG_WARN, "s3.client=libs3 cannot send session tokens; "
                  "the session token from %s is ignored", c.source);
    t->creds = s3_creds_provider_new(&c);
    s3_credentials_clear(&c);
    if (!t->creds) {
        snprintf(errstr, errstr_size, "out of memory");
        return CW_ERR_FATAL;
    }
    s3_creds_provider_set_log(t->creds, creds_log, t);
    return CW_OK;
}

/* The client for requests of the task thread: its own while the upload threads use theirs
 * (a CURL handle serves one thread at a time). */
static s3_client_t *ctl_client(s3_task_t *t)
{
    if (!t->uq)
        return t->clients[0];
    if (!t->ctl) {
        char err[256];
        t->ctl = t->s.use_libs3 ? s3_client_libs3_new(&t->copts, err, sizeof err)
                                : s3_client_curl_new(&t->copts, err, sizeof err);
    }
    return t->ctl;
}

/* ------------------------------------------------------------------------------------ */

static void stream_abort(s3_task_t *t, obj_stream_t *st)
{
    if (st->upload_id && !st->done) {
        s3_result_t res;
        s3_client_t *c = ctl_client(t);
        if (!c || c->ops->mpu_abort(c, st->key, st->upload_id, &res) != S3_DONE)
            t->h->log(t->ctx, CW_LOG_WARN,
                      "could not abort multipart upload of s3://%s/%s (%s); a bucket "
                      "lifecycle rule for incomplete uploads cleans it up",
                      t->s.bucket, st->key, c ? res.code : "no client");
    }
}

static void stream_free(obj_stream_t *st)
{
    free(st->key);
    s3_compressor_free(st->comp);
    s3_bytes_free(&st->buf);
    free(st->upload_id);
    for (int i = 0; i < st->nparts; i++)
        free(st->etags[i]);
    free(st->etags);
    memset(st, 0, sizeof *st);
}

static void batch_free(s3_task_t *t, batch_t *b, int abort_uploads)
{
    while (b->writers) {
        writer_t *w = b->writers;
        b->writers = w->next;
        for (int i = 0; i < 3; i++) {
            if (abort_uploads)
                stream_abort(t, &w->streams[i]);
            stream_free(&w->streams[i]);
        }
        free(w->encoded);
        free(w);
    }
    free(b->cur_encoded);
    free(b);
}

static void tp_clear(s3_task_t *t, tp_state_t *tp)
{
    if (tp->open)
        batch_free(t, tp->open, 1);
    tp->open = NULL;
    while (tp->sealed) {
        batch_t *b = tp->sealed;
        tp->sealed = b->next;
        batch_free(t, b, 1);
    }
}

static tp_state_t *tp_find(s3_task_t *t, const char *topic, int32_t partition, int create)
{
    for (tp_state_t *p = t->tps; p; p = p->next)
        if (p->partition == partition && !strcmp(p->topic, topic))
            return p;
    if (!create)
        return NULL;
    tp_state_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->topic = strdup(topic);
    p->partition = partition;
    p->next_offset = CW_OFFSET_INVALID;
    p->next = t->tps;
    t->tps = p;
    return p;
}

/* ------------------------------------------------------------------------------------ */

static int fail_msg(s3_task_t *t, const char *op, const char *key, const s3_result_t *res,
                    s3_outcome_t oc, char *errstr, size_t errstr_size)
{
    char status[16] = "";
    if (res->http_status)
        snprintf(status, sizeof status, "HTTP %d ", res->http_status);
    snprintf(errstr, errstr_size, "S3 %s of s3://%s/%s at %s failed%s: %s%s%s%s", op,
             t->s.bucket, key, t->s.endpoint,
             oc == S3_TRANSIENT ? " after retries (will try again)" : "", status, res->code,
             res->detail[0] ? ": " : "", res->detail);
    return oc == S3_TRANSIENT ? CW_ERR_RETRIABLE : CW_ERR_FATAL;
}

static const char *content_type(const s3_task_t *t)
{
    return t->s.format == S3_FMT_JSON ? "application/json" : "application/octet-stream";
}

/* Upload thread, on its client c. */
static int upload_part(s3_task_t *t, s3_client_t *c, obj_stream_t *st, const char *data,
                       size_t len, char *errstr, size_t errstr_size)
{
    s3_result_t res;
    s3_outcome_t oc;
    if (!st->upload_id) {
        oc = c->ops->mpu_create(c, st->key, content_type(t), &st->upload_id, &res);
        if (oc != S3_DONE)
            return fail_msg(t, "CreateMultipartUpload", st->key, &res, oc, errstr, errstr_size);
    }
    char *etag = NULL;
    double started = s3_metrics_now();
    oc = c->ops->mpu_part(c, st->key, st->upload_id, st->nparts + 1,
                                  data, len, &etag, &res);
    if (oc != S3_DONE)
        return fail_msg(t, "UploadPart", st->key, &res, oc, errstr, errstr_size);
    s3_metrics_request(&t->metrics, started, len);
    if (st->nparts == st->cap_parts) {
        int cap = st->cap_parts ? st->cap_parts * 2 : 8;
        char **e = realloc(st->etags, (size_t)cap * sizeof *e);
        if (!e) {
            free(etag);
            snprintf(errstr, errstr_size, "out of memory");
            return CW_ERR_FATAL;
        }
        st->etags = e;
        st->cap_parts = cap;
    }
    st->etags[st->nparts++] = etag;
    return CW_OK;
}

/* Upload thread: uploads a finished object (the rest of it, for a multipart upload). */
static int stream_drain(s3_task_t *t, s3_client_t *c, obj_stream_t *st, char *errstr,
                        size_t errstr_size)
{
    if (!st->key || st->done || !st->finished)
        return CW_OK;
    s3_result_t res;
    s3_outcome_t oc;
    if (st->upload_id) {
        if (st->buf.len > 0) {
            int rc = upload_part(t, c, st, st->buf.data, st->buf.len, errstr, errstr_size);
            if (rc != CW_OK)
                return rc;
            st->buf.len = 0;
        }
        double started = s3_metrics_now();
        oc = c->ops->mpu_complete(c, st->key, st->upload_id, st->etags,
                                          st->nparts, t->s.conditional_writes, &res);
        if (oc != S3_DONE)
            return fail_msg(t, "CompleteMultipartUpload", st->key, &res, oc, errstr, errstr_size);
        s3_metrics_request(&t->metrics, started, 0);
    } else {
        double started = s3_metrics_now();
        oc = c->ops->put(c, st->key, st->buf.data ? st->buf.data : "",
                                 st->buf.len, content_type(t), t->s.conditional_writes, &res);
        if (oc != S3_DONE)
            return fail_msg(t, "PUT", st->key, &res, oc, errstr, errstr_size);
        s3_metrics_request(&t->metrics, started, st->buf.len);
    }
    s3_metrics_object(&t->metrics);
    if (!strcmp(res.code, "Replaced"))
        t->h->log(t->ctx, CW_LOG_WARN,
                  "s3://%s/%s held other content from an earlier, uncommitted attempt; "
                  "replaced it with the records whose offsets this task commits",
                  t->s.bucket, st->key);
    else
        t->h->log(t->ctx, CW_LOG_DEBUG, "wrote s3://%s/%s%s", t->s.bucket, st->key,
                  !strcmp(res.code, "AlreadyWritten") ? " (already there, same bytes)" : "");
    st->done = 1;
    s3_bytes_free(&st->buf);
    return CW_OK;
}

static int batch_drain(s3_task_t *t, s3_client_t *c, batch_t *b, char *errstr,
                       size_t errstr_size)
{
    for (writer_t *w = b->writers; w; w = w->next)
        for (int i = 0; i < 3; i++) {
            int rc = stream_drain(t, c, &w->streams[i], errstr, errstr_size);
            if (rc != CW_OK)
                return rc;
        }
    return CW_OK;
}

/* Upload thread number `thread`: runs one job on its own client. */
static int job_run(void *opaque, int thread, void *job, char *errstr, size_t errstr_size)
{
    s3_task_t *t = opaque;
    upload_job_t *j = job;
    s3_client_t *c = t->clients[thread];
    int rc = j->batch ? batch_drain(t, c, j->batch, errstr, errstr_size)
                      : upload_part(t, c, j->st, j->data.data, j->data.len, errstr, errstr_size);
    if (rc == CW_ERR_RETRIABLE)
        t->h->log(t->ctx, CW_LOG_WARN, "%s", errstr);
    return rc;
}

static void job_release(void *opaque, void *job, int done)
{
    (void)opaque;
    upload_job_t *j = job;
    if (j->batch && done)
        atomic_store(&j->batch->uploaded, 1);
    s3_bytes_free(&j->data);
    free(j);
}

/* Frees the batches of every partition whose uploads are done, oldest first. */
static void reap(s3_task_t *t)
{
    for (tp_state_t *tp = t->tps; tp; tp = tp->next)
        while (tp->sealed && atomic_load(&tp->sealed->uploaded)) {
            batch_t *b = tp->sealed;
            tp->sealed = b->next;
            batch_free(t, b, 0);
        }
}

static int push_job(s3_task_t *t, tp_state_t *tp, upload_job_t *j, size_t bytes)
{
    if (!j || s3_uploadq_push(t->uq, j, tp, bytes) != 0) {
        if (j)
            s3_bytes_free(&j->data);
        free(j);
        return CW_ERR_FATAL;
    }
    return CW_OK;
}

/* Hands every full part of an open multipart-sized object to the upload thread. */
static int queue_parts(s3_task_t *t)
{
    if (!t->clients[0]->ops->mpu_create)
        return CW_OK;
    for (tp_state_t *tp = t->tps; tp; tp = tp->next) {
        if (!tp->open)
            continue;
        for (writer_t *w = tp->open->writers; w; w = w->next)
            for (int i = 0; i < 3; i++) {
                obj_stream_t *st = &w->streams[i];
                if (!st->key || st->finished || st->buf.len < (size_t)t->s.part_size)
                    continue;
                upload_job_t *j = calloc(1, sizeof *j);
                if (j) {
                    j->st = st;
                    j->data = st->buf;
                    memset(&st->buf, 0, sizeof st->buf);
                }
                if (push_job(t, tp, j, j ? j->data.len : 0) != CW_OK)
                    return CW_ERR_FATAL;
            }
    }
    return CW_OK;
}

/* Closes the open batch of tp and hands it to the upload thread. */
static int seal(s3_task_t *t, tp_state_t *tp)
{
    batch_t *b = tp->open;
    if (!b)
        return CW_OK;
    size_t bytes = 0;
    for (writer_t *w = b->writers; w; w = w->next)
        for (int i = 0; i < 3; i++) {
            obj_stream_t *st = &w->streams[i];
            if (st->key && !st->finished) {
                if (s3_compressor_finish(st->comp, &st->buf) != 0)
                    return CW_ERR_FATAL;
                st->finished = 1;
            }
            bytes += st->buf.len;
        }
    if (b->writers && b->writers->streams[0].key)
        tp->last_size = b->writers->streams[0].buf.len;
    tp->open = NULL;
    batch_t **tail = &tp->sealed;
    while (*tail)
        tail = &(*tail)->next;
    *tail = b;
    upload_job_t *j = calloc(1, sizeof *j);
    if (j)
        j->batch = b;
    return push_job(t, tp, j, bytes);
}

static int64_t next_schedule(const s3_task_t *t, int64_t now)
{
    int64_t off = s3_zone_offset(t->s.zone, now), iv = t->s.rotate_schedule_ms;
    return ((now + off) / iv + 1) * iv - off;
}

static writer_t *writer_get(s3_task_t *t, tp_state_t *tp, batch_t *b, const char *encoded,
                            int64_t offset)
{
    for (writer_t *w = b->writers; w; w = w->next)
        if (!strcmp(w->encoded, encoded))
            return w;
    writer_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->encoded = strdup(encoded);
    for (int i = 0; i < 3; i++) {
        if ((i == 1 && !t->s.store_keys) || (i == 2 && !t->s.store_headers))
            continue;
        /* Confluent names an object after the first record written to it. */
        w->streams[i].key = s3_object_key(&t->s, tp->topic, tp->partition, encoded, offset, SIDE[i]);
        w->streams[i].comp = s3_compressor_new(t->s.compression, t->s.compression_level);
    }
    /* Objects of a partition tend to be alike: start the buffer at the last one's size (plus
     * an eighth) instead of growing it by doubling, which copies and faults pages in again. */
    if (tp->last_size && w->streams[0].key) {
        size_t want = tp->last_size + tp->last_size / 8;
        if (want > (size_t)t->s.part_size)
            want = (size_t)t->s.part_size;
        s3_bytes_reserve(&w->streams[0].buf, want); /* only a hint: appends grow it anyway */
    }
    w->next = b->writers;
    b->writers = w;
    b->nwriters++;
    return w;
}

static int write_stream(obj_stream_t *st, const s3_bytes_t *line)
{
    return s3_compressor_write(st->comp, line->data, line->len, &st->buf);
}

/* Takes one record. Returns CW_OK or CW_ERR_FATAL. */
static int take_record(s3_task_t *t, cw_record_t *r, int64_t now, char *errstr, size_t errstr_size)
{
    const cw_host_t *h = t->h;
    const char *topic = h->record_topic(r);
    int32_t partition = h->record_partition(r);
    int64_t off = h->record_offset(r);
    tp_state_t *tp = tp_find(t, topic, partition, 1);
    if (!tp) {
        snprintf(errstr, errstr_size, "out of memory");
        return CW_ERR_FATAL;
    }
    if (tp->next_offset != CW_OFFSET_INVALID && off < tp->next_offset)
        return CW_OK; /* already taken (a redelivery): never write a record twice */

    char why[512];
    int64_t ts = now;
    int need_ts = t->s.partitioner == S3_PART_TIME || t->s.rotate_interval_ms > 0;
    if (need_ts && s3_record_time(h, &t->s, r, now, &ts, why, sizeof why) != 0)
        goto bad;
    char *encoded = s3_encode_partition(h, &t->s, r, ts, why, sizeof why);
    if (!encoded)
        goto bad;
    t->line.len = 0;
    int rc = s3_encode_value(h, &t->s, r, 0, &t->line, why, sizeof why);
    if (rc == CW_DROP) {
        free(encoded);
        tp->next_offset = off + 1;
        return CW_OK;
    }
    if (rc != CW_OK) {
        free(encoded);
        if (rc == CW_ERR_RECORD)
            goto bad;
        snprintf(errstr, errstr_size, "out of memory encoding %s-%d@%lld", topic,
                 (int)partition, (long long)off);
        return CW_ERR_FATAL;
    }

    batch_t *b = tp->open;
    if (b && t->s.rotate_interval_ms > 0 &&
        (ts - b->base_ts >= t->s.rotate_interval_ms ||
         (t->s.partitioner == S3_PART_TIME && b->cur_encoded && strcmp(b->cur_encoded, encoded))) &&
        seal(t, tp) != CW_OK) {
        free(encoded);
        goto oom;
    }
    b = tp->open;
    if (b && b->nwriters >= t->s.max_open_files) {
        int found = 0;
        for (writer_t *w = b->writers; w && !found; w = w->next)
            found = !strcmp(w->encoded, encoded);
        if (!found && seal(t, tp) != CW_OK) {
            free(encoded);
            goto oom;
        }
    }
    if (!tp->open) {
        b = calloc(1, sizeof *b);
        if (!b) {
            free(encoded);
            snprintf(errstr, errstr_size, "out of memory");
            return CW_ERR_FATAL;
        }
        b->start_offset = off;
        b->base_ts = ts;
        tp->open = b;
        if (t->s.rotate_schedule_ms > 0)
            tp->next_schedule = next_schedule(t, now);
    }
    b = tp->open;
    writer_t *w = writer_get(t, tp, b, encoded, off);
    free(b->cur_encoded);
    b->cur_encoded = encoded;
    if (!w || write_stream(&w->streams[0], &t->line) != 0)
        goto oom;
    if (t->s.store_keys) {
        t->line.len = 0;
        rc = s3_encode_value(h, &t->s, r, 1, &t->line, why, sizeof why);
        if (rc == CW_ERR_FATAL || (rc == CW_OK && write_stream(&w->streams[1], &t->line) != 0))
            goto oom;
        if (rc == CW_ERR_RECORD) { /* an undecodable key is written as null */
            t->line.len = 0;
            s3_bytes_append(&t->line, "null\n", 5);
            if (write_stream(&w->streams[1], &t->line) != 0)
                goto oom;
        }
    }
    if (t->s.store_headers) {
        t->line.len = 0;
        if (s3_encode_headers(h, r, &t->line) != 0 || write_stream(&w->streams[2], &t->line) != 0)
            goto oom;
    }
    b->count++;
    b->end_offset = off + 1;
    tp->next_offset = off + 1;
    if (b->count >= t->s.flush_size && seal(t, tp) != CW_OK)
        goto oom;
    return CW_OK;

oom:
    snprintf(errstr, errstr_size, "out of memory writing %s-%d@%lld", topic, (int)partition,
             (long long)off);
    return CW_ERR_FATAL;
bad:
    if (h->report_bad_record(t->ctx, r, why) != CW_OK) {
        snprintf(errstr, errstr_size, "record %s-%d@%lld: %s", topic, (int)partition,
                 (long long)off, why);
        return CW_ERR_FATAL;
    }
    tp->next_offset = off + 1;
    return CW_OK;
}

static int scheduled_rotation(s3_task_t *t, int64_t now)
{
    if (t->s.rotate_schedule_ms <= 0)
        return CW_OK;
    for (tp_state_t *tp = t->tps; tp; tp = tp->next)
        if (tp->open && now >= tp->next_schedule && seal(t, tp) != CW_OK)
            return CW_ERR_FATAL;
    return CW_OK;
}

/* ------------------------------------------------------------------------------------ */

int s3_task_start(const cw_host_t *h, cw_ctx_t *ctx, const cw_config_t *cfg, s3_task_t **out,
                  char *errstr, size_t errstr_size)
{
    s3_task_t *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(errstr, errstr_size, "out of memory");
        return CW_ERR_FATAL;
    }
    t->h = h;
    t->ctx = ctx;
    t->now_ms = real_now;
    s3_metrics_register(&t->metrics, h, ctx);
    int rc = s3_settings_load(h, cfg, &t->s, errstr, errstr_size);
    if (rc == CW_OK)
        rc = creds_start(t, errstr, errstr_size);
    if (rc == CW_OK) {
        t->copts = (s3_client_options_t){
            .endpoint = t->s.endpoint, .bucket = t->s.bucket, .region = t->s.region,
            .path_style = t->s.path_style, .provider = t->creds,
            .sse_algorithm = t->s.sse_algorithm, .sse_kms_key_id = t->s.sse_kms_key_id,
            .max_retries = t->s.part_retries, .backoff_ms = (long)t->s.retry_backoff_ms,
            .should_stop = task_should_stop, .stop_opaque = t,
        };
        for (int i = 0; i < t->s.upload_threads; i++) {
            t->clients[i] = t->s.use_libs3 ? s3_client_libs3_new(&t->copts, errstr, errstr_size)
                                           : s3_client_curl_new(&t->copts, errstr, errstr_size);
            if (!t->clients[i])
                break;
            t->nclients++;
        }
        /* Objects waiting for upload are bounded by s3.upload.queue.max.bytes (a job that
         * is larger still goes, alone). */
        if (t->nclients == t->s.upload_threads)
            t->uq = s3_uploadq_new((size_t)t->s.upload_queue_bytes, t->nclients, job_run, job_release,
                                   t, errstr, errstr_size);
        if (!t->uq)
            rc = CW_ERR_FATAL;
        else
            h->log(ctx, CW_LOG_INFO,
                   "writing to s3://%s at %s (client %s, %d upload thread(s), credentials from %s)",
                   t->s.bucket, t->s.endpoint, t->clients[0]->ops->name, t->nclients,
                   s3_creds_provider_source(t->creds));
    }
    if (rc != CW_OK) {
        s3_task_stop(t);
        return rc;
    }
    *out = t;
    return CW_OK;
}

void s3_task_set_clock(s3_task_t *t, int64_t (*now_ms)(void))
{
    t->now_ms = now_ms ? now_ms : real_now;
}

int s3_task_open(s3_task_t *t, const cw_topic_partition_t *tps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tp_state_t *tp = tp_find(t, tps[i].topic, tps[i].partition, 1);
        if (!tp)
            return CW_ERR_FATAL;
        s3_uploadq_cancel(t->uq, tp);
        tp_clear(t, tp);
        /* Consumption resumes at the committed offset: the next object starts there. */
        tp->next_offset = tps[i].offset >= 0 ? tps[i].offset : CW_OFFSET_INVALID;
    }
    return CW_OK;
}

int s3_task_close(s3_task_t *t, const cw_topic_partition_t *tps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tp_state_t **pp = &t->tps;
        while (*pp) {
            tp_state_t *tp = *pp;
            if (tp->partition == tps[i].partition && !strcmp(tp->topic, tps[i].topic)) {
                s3_uploadq_cancel(t->uq, tp);
                tp_clear(t, tp);
                *pp = tp->next;
                free(tp->topic);
                free(tp);
            } else {
                pp = &tp->next;
            }
        }
    }
    return CW_OK;
}

int s3_task_put(s3_task_t *t, cw_record_t *const *records, size_t n, char *errstr,
                size_t errstr_size)
{
    int64_t now = t->now_ms();
    if (scheduled_rotation(t, now) != CW_OK) {
        snprintf(errstr, errstr_size, "out of memory sealing objects");
        return CW_ERR_FATAL;
    }
    reap(t);
    /* Nothing of this call is taken while S3 fails or the uploads are behind: the worker
     * pauses and calls again (meanwhile the upload thread tries the failed upload again). */
    int rc = s3_uploadq_admit(t->uq, ADMIT_WAIT_MS, errstr, errstr_size);
    if (rc != CW_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = take_record(t, records[i], now, errstr, errstr_size);
        if (rc != CW_OK)
            return rc;
    }
    if (queue_parts(t) != CW_OK) {
        snprintf(errstr, errstr_size, "out of memory queueing a part upload");
        return CW_ERR_FATAL;
    }
    return CW_OK;
}

int s3_task_flush(s3_task_t *t, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                  size_t errstr_size)
{
    for (size_t i = 0; final && i < n; i++) {
        tp_state_t *tp = tp_find(t, tps[i].topic, tps[i].partition, 0);
        if (tp && seal(t, tp) != CW_OK) {
            snprintf(errstr, errstr_size, "out of memory sealing objects");
            return CW_ERR_FATAL;
        }
    }
    if (queue_parts(t) != CW_OK) {
        snprintf(errstr, errstr_size, "out of memory queueing a part upload");
        return CW_ERR_FATAL;
    }
    /* What is queued now goes up before the offsets are judged (a failed upload is tried
     * once more), so a flush reports everything S3 could take. */
    char err2[1024];
    int rc = s3_uploadq_wait_idle(t->uq, err2, sizeof err2);
    if (rc == CW_ERR_FATAL) {
        snprintf(errstr, errstr_size, "%s", err2);
        return rc;
    }
    if (rc == CW_ERR_RETRIABLE)
        t->h->log(t->ctx, CW_LOG_WARN, "%s; committing only what is durable", err2);
    reap(t);
    for (size_t i = 0; i < n; i++) {
        tp_state_t *tp = tp_find(t, tps[i].topic, tps[i].partition, 0);
        if (!tp)
            continue;
        if (tp->sealed)
            tps[i].offset = tp->sealed->start_offset;
        else if (tp->open)
            tps[i].offset = tp->open->start_offset;
        else if (tp->next_offset != CW_OFFSET_INVALID && tp->next_offset < tps[i].offset)
            tps[i].offset = tp->next_offset;
    }
    return CW_OK;
}

size_t s3_task_buffered_bytes(const s3_task_t *t)
{
    /* Open objects here; sealed ones and parts belong to the upload queue until done. */
    size_t total = s3_uploadq_bytes(t->uq);
    for (tp_state_t *tp = t->tps; tp; tp = tp->next)
        for (writer_t *w = tp->open ? tp->open->writers : NULL; w; w = w->next)
            for (int i = 0; i < 3; i++)
                total += w->streams[i].buf.len;
    return total;
}

void s3_task_stop(s3_task_t *t)
{
    if (!t)
        return;
    atomic_store(&t->quitting, 1);
    s3_uploadq_free(t->uq);
    t->uq = NULL;
    while (t->tps) {
        tp_state_t *tp = t->tps;
        t->tps = tp->next;
        tp_clear(t, tp);
        free(tp->topic);
        free(tp);
    }
    for (int i = 0; i < t->nclients; i++)
        t->clients[i]->ops->destroy(t->clients[i]);
    if (t->ctl)
        t->ctl->ops->destroy(t->ctl);
    s3_creds_provider_free(t->creds);
    s3_settings_free(&t->s);
    s3_bytes_free(&t->line);
    free(t);
}
