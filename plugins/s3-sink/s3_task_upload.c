/* The upload side of an S3 sink task: sealed object sets and full parts of growing multipart
 * objects become jobs of the task's upload queue (s3_upload_queue.c), which its upload
 * threads run, each on its own client. Everything a job touches (the sealed set; the
 * multipart state of a stream) is left alone by the task thread until the job is done or
 * cancelled. */
#include "s3_task_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A job of the upload queue: the objects of a sealed batch, or one part of an open object. */
typedef struct upload_job {
    size_t bytes;     /* counted in s3_sink_upload_queue_bytes until released */
    batch_t *batch;   /* sealed batch, or NULL for a part */
    obj_stream_t *st; /* part: the stream it belongs to */
    s3_bytes_t data;  /* part: its bytes (owned) */
} upload_job_t;

/* The client for requests of the task thread: its own while the upload threads use theirs
 * (a CURL handle serves one thread at a time). */
s3_client_t *s3t_ctl_client(s3_task_t *t) {
    if (!t->uq) return t->clients[0];
    if (!t->ctl) {
        char err[256];
        t->ctl = t->s.use_libs3 ? s3_client_libs3_new(&t->copts, err, sizeof err)
                                : s3_client_curl_new(&t->copts, err, sizeof err);
    }
    return t->ctl;
}

/* ------------------------------------------------------------------------------------ */

static void stream_abort(s3_task_t *t, obj_stream_t *st) {
    if (st->upload_id && !st->done) {
        s3_result_t res;
        s3_client_t *c = s3t_ctl_client(t);
        if (!c || c->ops->mpu_abort(c, st->key, st->upload_id, &res) != S3_DONE)
            t->h->log(t->ctx, CW_LOG_WARN,
                      "could not abort multipart upload of s3://%s/%s (%s); a bucket "
                      "lifecycle rule for incomplete uploads cleans it up",
                      t->s.bucket, st->key, c ? res.code : "no client");
    }
}

static void stream_free(obj_stream_t *st) {
    free(st->key);
    s3_compressor_free(st->comp);
    cw_sdk_buf_free(&st->buf);
    free(st->upload_id);
    for (int i = 0; i < st->nparts; i++) free(st->etags[i]);
    free(st->etags);
    memset(st, 0, sizeof *st);
}

void s3t_writer_free(s3_task_t *t, writer_t *w, int abort_uploads) {
    for (int i = 0; i < 3; i++) {
        if (abort_uploads) stream_abort(t, &w->streams[i]);
        stream_free(&w->streams[i]);
    }
    free(w->topic);
    free(w->encoded);
    free(w);
}

void s3t_batch_free(s3_task_t *t, batch_t *b, int abort_uploads) {
    while (b->writers) {
        writer_t *w = b->writers;
        b->writers = w->next;
        s3t_writer_free(t, w, abort_uploads);
    }
    free(b);
}

/* ------------------------------------------------------------------------------------ */

static int fail_msg(s3_task_t *t, const char *op, const char *key, const s3_result_t *res,
                    s3_outcome_t oc, char *errstr, size_t errstr_size) {
    char status[16] = "";
    if (res->http_status) snprintf(status, sizeof status, "HTTP %d ", res->http_status);
    snprintf(errstr, errstr_size, "S3 %s of s3://%s/%s at %s failed%s: %s%s%s%s", op, t->s.bucket,
             key, t->s.endpoint, oc == S3_TRANSIENT ? " after retries (will try again)" : "",
             status, res->code, res->detail[0] ? ": " : "", res->detail);
    return oc == S3_TRANSIENT ? CW_ERR_RETRIABLE : CW_ERR_FATAL;
}

static const char *content_type(const s3_task_t *t) {
    return t->s.format == S3_FMT_JSON ? "application/json" : "application/octet-stream";
}

/* Upload thread, on its client c. */
static int upload_part(s3_task_t *t, s3_client_t *c, obj_stream_t *st, const char *data, size_t len,
                       char *errstr, size_t errstr_size) {
    s3_result_t res = {0};
    s3_outcome_t oc;
    if (!st->upload_id) {
        oc = c->ops->mpu_create(c, st->key, content_type(t), &st->upload_id, &res);
        s3_metrics_retries(&t->metrics, res.retries);
        if (oc != S3_DONE)
            return fail_msg(t, "CreateMultipartUpload", st->key, &res, oc, errstr, errstr_size);
    }
    char *etag = NULL;
    double started = s3_metrics_now();
    oc = c->ops->mpu_part(c, st->key, st->upload_id, st->nparts + 1, data, len, &etag, &res);
    s3_metrics_retries(&t->metrics, res.retries);
    if (oc != S3_DONE) return fail_msg(t, "UploadPart", st->key, &res, oc, errstr, errstr_size);
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
                        size_t errstr_size) {
    if (!st->key || st->done || !st->finished) return CW_OK;
    s3_result_t res = {0};
    s3_outcome_t oc;
    if (st->upload_id) {
        if (st->buf.len > 0) {
            int rc = upload_part(t, c, st, st->buf.data, st->buf.len, errstr, errstr_size);
            if (rc != CW_OK) return rc;
            st->buf.len = 0;
        }
        double started = s3_metrics_now();
        oc = c->ops->mpu_complete(c, st->key, st->upload_id, st->etags, st->nparts,
                                  t->s.conditional_writes, &res);
        s3_metrics_retries(&t->metrics, res.retries);
        if (oc != S3_DONE)
            return fail_msg(t, "CompleteMultipartUpload", st->key, &res, oc, errstr, errstr_size);
        s3_metrics_request(&t->metrics, started, 0);
    } else {
        double started = s3_metrics_now();
        oc = c->ops->put(c, st->key, st->buf.data ? st->buf.data : "", st->buf.len, content_type(t),
                         t->s.conditional_writes, &res);
        s3_metrics_retries(&t->metrics, res.retries);
        if (oc != S3_DONE) return fail_msg(t, "PUT", st->key, &res, oc, errstr, errstr_size);
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
    cw_sdk_buf_free(&st->buf);
    return CW_OK;
}

static int batch_drain(s3_task_t *t, s3_client_t *c, batch_t *b, char *errstr, size_t errstr_size) {
    for (writer_t *w = b->writers; w; w = w->next)
        for (int i = 0; i < 3; i++) {
            int rc = stream_drain(t, c, &w->streams[i], errstr, errstr_size);
            if (rc != CW_OK) return rc;
        }
    return CW_OK;
}

/* Upload thread number `thread`: runs one job on its own client. */
int s3t_job_run(void *opaque, int thread, void *job, char *errstr, size_t errstr_size) {
    s3_task_t *t = opaque;
    upload_job_t *j = job;
    s3_client_t *c = t->clients[thread];
    int rc = j->batch ? batch_drain(t, c, j->batch, errstr, errstr_size)
                      : upload_part(t, c, j->st, j->data.data, j->data.len, errstr, errstr_size);
    if (rc == CW_ERR_RETRIABLE) {
        t->h->log(t->ctx, CW_LOG_WARN, "%s", errstr);
        s3_metrics_upload_failed(&t->metrics);
    }
    return rc;
}

void s3t_job_release(void *opaque, void *job, int done) {
    s3_task_t *t = opaque;
    upload_job_t *j = job;
    s3_metrics_queued(&t->metrics, -(double)j->bytes);
    if (j->batch && done) atomic_store(&j->batch->uploaded, 1);
    cw_sdk_buf_free(&j->data);
    free(j);
}

/* Frees the batches of every partition whose uploads are done, oldest first. */
void s3t_reap(s3_task_t *t) {
    for (tp_state_t *tp = t->tps; tp; tp = tp->next)
        while (tp->sealed && atomic_load(&tp->sealed->uploaded)) {
            batch_t *b = tp->sealed;
            tp->sealed = b->next;
            s3t_batch_free(t, b, 0);
        }
}

static int push_job(s3_task_t *t, tp_state_t *tp, upload_job_t *j, size_t bytes) {
    if (j) j->bytes = bytes;
    if (!j || s3_uploadq_push(t->uq, j, tp, bytes) != 0) {
        if (j) cw_sdk_buf_free(&j->data);
        free(j);
        return CW_ERR_FATAL;
    }
    s3_metrics_queued(&t->metrics, (double)bytes);
    return CW_OK;
}

/* Hands every full part of an open multipart-sized object to the upload thread. */
int s3t_queue_parts(s3_task_t *t) {
    if (!t->clients[0]->ops->mpu_create) return CW_OK;
    for (tp_state_t *tp = t->tps; tp; tp = tp->next) {
        if (!tp->open) continue;
        for (writer_t *w = tp->open->writers; w; w = w->next)
            for (int i = 0; i < 3; i++) {
                obj_stream_t *st = &w->streams[i];
                if (!st->key || st->finished || st->buf.len < (size_t)t->s.part_size) continue;
                upload_job_t *j = calloc(1, sizeof *j);
                if (j) {
                    j->st = st;
                    j->data = st->buf;
                    memset(&st->buf, 0, sizeof st->buf);
                }
                if (push_job(t, tp, j, j ? j->data.len : 0) != CW_OK) return CW_ERR_FATAL;
            }
    }
    return CW_OK;
}

/* Closes the open batch of tp and hands it to the upload thread. */
int s3t_seal(s3_task_t *t, tp_state_t *tp) {
    batch_t *b = tp->open;
    if (!b) return CW_OK;
    size_t bytes = 0;
    for (writer_t *w = b->writers; w; w = w->next)
        for (int i = 0; i < 3; i++) {
            obj_stream_t *st = &w->streams[i];
            if (st->key && !st->finished) {
                if (s3_compressor_finish(st->comp, &st->buf) != 0) return CW_ERR_FATAL;
                st->finished = 1;
            }
            bytes += st->buf.len;
        }
    if (b->writers && b->writers->streams[0].key) tp->last_size = b->writers->streams[0].buf.len;
    tp->open = NULL;
    batch_t **tail = &tp->sealed;
    while (*tail) tail = &(*tail)->next;
    *tail = b;
    upload_job_t *j = calloc(1, sizeof *j);
    if (j) j->batch = b;
    return push_job(t, tp, j, bytes);
}
