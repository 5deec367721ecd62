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
    tp_state_t *tp;   /* the partition it belongs to (its queue owner) */
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
        /* Its requests (aborts) are what a stop still wants done: never cut off. */
        s3_client_options_t o = t->copts;
        o.should_abort = NULL;
        t->ctl = t->s.use_libs3 ? s3_client_libs3_new(&o, err, sizeof err)
                                : s3_client_curl_new(&o, err, sizeof err);
    }
    return t->ctl;
}

const char *s3t_key(const obj_stream_t *st) { return st->renamed ? st->renamed : st->key; }

/* ------------------------------------------------------------------------------------ */

/* Aborts the multipart upload of st, if it has one: 1 when it was aborted. */
static int stream_abort(s3_task_t *t, obj_stream_t *st) {
    if (!st->upload_id || st->done) return 0;
    s3_result_t res;
    s3_client_t *c = s3t_ctl_client(t);
    int ok = c && c->ops->mpu_abort(c, s3t_key(st), st->upload_id, &res) == S3_DONE;
    if (!ok)
        t->h->log(t->ctx, CW_LOG_WARN,
                  "could not abort multipart upload of s3://%s/%s (%s); a bucket "
                  "lifecycle rule for incomplete uploads cleans it up",
                  t->s.bucket, s3t_key(st), c ? res.code : "no client");
    free(st->upload_id);
    st->upload_id = NULL; /* never aborted twice */
    return ok;
}

static void stream_free(obj_stream_t *st) {
    free(st->key);
    free(st->renamed);
    s3_compressor_free(st->comp);
    cw_sdk_buf_free(&st->buf);
    free(st->upload_id);
    for (int i = 0; i < st->nparts; i++) free(st->etags[i]);
    free(st->etags);
    memset(st, 0, sizeof *st);
}

void s3t_writer_free(s3_task_t *t, writer_t *w, int abort_uploads) {
    for (int i = 0; i < 3; i++) {
        if (abort_uploads) (void)stream_abort(t, &w->streams[i]);
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

/* "cluster X, topic-p offsets a-b, first record ts:hash" for messages. */
static void origin_text(const s3_origin_t *o, char *out, size_t size) {
    if (!o->cluster[0] && !o->topic[0]) {
        snprintf(out, size, "no origin recorded (not written by this sink version)");
        return;
    }
    snprintf(out, size, "Kafka cluster %s, %s-%s offsets %s, first record %s",
             o->cluster[0] ? o->cluster : "?", o->topic, o->partition, o->offsets, o->first);
}

/* The name a conflict renames an object to: ".<8 hex of the origin>" after the start offset,
 * the same for every object (and replay) of that origin. */
static char *renamed_key(const s3_task_t *t, const char *key, const s3_origin_t *o) {
    char seed[sizeof o->cluster + sizeof o->first + 2], tag[16];
    snprintf(seed, sizeof seed, "%s/%s", o->cluster, o->first);
    uint32_t hsh = 2166136261u; /* FNV-1a: a short, stable tag, not a security property */
    for (const char *p = seed; *p; p++) hsh = (hsh ^ (unsigned char)*p) * 16777619u;
    snprintf(tag, sizeof tag, ".%08x", (unsigned)hsh);
    const char *base = strrchr(key, t->s.dir_delim[0]);
    base = base ? base + 1 : key;
    const char *at = base, *d;
    size_t dl = strlen(t->s.file_delim);
    while (dl && (d = strstr(at, t->s.file_delim))) at = d + dl;
    while (*at >= '0' && *at <= '9') at++;
    size_t head = (size_t)(at - key), n = strlen(key) + strlen(tag) + 1;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%.*s%s%s", (int)head, key, tag, at);
    return out;
}

/* Upload thread: s3t_key(st) holds `theirs`, of another origin than st's records. fail (or a
 * key renamed already): CW_ERR_FATAL naming both; rename: st->renamed is set, CW_OK (the new
 * key is to be checked in turn). `multipart`: the parts are under the key already, so a
 * rename cannot help: fatal too. */
static int other_origin(s3_task_t *t, obj_stream_t *st, const s3_origin_t *theirs, int multipart,
                        char *errstr, size_t errstr_size) {
    const s3_origin_t *mine = &st->owner->origin;
    char a[700], b[700];
    origin_text(theirs, a, sizeof a);
    origin_text(mine, b, sizeof b);
    if (t->s.on_conflict == S3_CONFLICT_FAIL || st->renamed || multipart) {
        snprintf(errstr, errstr_size,
                 "not overwriting s3://%s/%s: it holds records of another origin (%s); this "
                 "task's records for it come from %s (a new Kafka cluster, or a topic "
                 "re-created?). Move the old objects away, change topics.dir, or set "
                 "s3.object.behavior.on.conflict=rename%s",
                 t->s.bucket, s3t_key(st), a, b,
                 multipart
                     ? " (it appeared after the check, and a multipart upload cannot be renamed: "
                       "restart the task)"
                     : "");
        return CW_ERR_FATAL;
    }
    char *nk = renamed_key(t, st->key, mine);
    if (!nk) {
        snprintf(errstr, errstr_size, "out of memory");
        return CW_ERR_FATAL;
    }
    t->h->log(t->ctx, CW_LOG_WARN,
              "s3://%s/%s holds records of another origin (%s); writing this task's (%s) "
              "as s3://%s/%s (s3.object.behavior.on.conflict=rename)",
              t->s.bucket, st->key, a, b, t->s.bucket, nk);
    st->renamed = nk;
    st->checked = 0;
    return CW_OK;
}

/* Upload thread: whether s3t_key(st) may hold an object, from the listing of its stem (see
 * s3_task_listing.c), then its origin by a HEAD when it may. */
static s3_outcome_t key_state(s3_task_t *t, tp_state_t *tp, s3_client_t *c, obj_stream_t *st,
                              s3_origin_t *theirs, int *found, const char **op, s3_result_t *res) {
    *op = "LIST";
    s3_outcome_t oc = s3t_listing_check(t, tp, c, s3t_key(st), st->stem_len, found, res);
    if (oc != S3_DONE || !*found) return oc;
    *op = "HEAD";
    return c->ops->head(c, s3t_key(st), theirs, found, res);
}

/* Upload thread, before the first write of st: never overwrite an object of another origin
 * (another Kafka cluster, a topic re-created, other records at these offsets). The listing of
 * the key's stem tells whether the key holds an object, and a HEAD of a key that does reads
 * the origin stored with it; the same origin is a replay of this task's uncommitted work and
 * is overwritten (exactly once relies on it). *exists says whether the key holds an object.
 * CW_OK, CW_ERR_RETRIABLE or CW_ERR_FATAL with errstr. */
static int origin_check(s3_task_t *t, tp_state_t *tp, s3_client_t *c, obj_stream_t *st, int *exists,
                        char *errstr, size_t errstr_size) {
    *exists = 1; /* unknown: no conditional write */
    if (st->checked || t->s.on_conflict == S3_CONFLICT_OVERWRITE) return CW_OK;
    const s3_origin_t *mine = &st->owner->origin;
    for (;;) {
        s3_origin_t theirs = {0};
        s3_result_t res = {0};
        int found = 0;
        const char *op;
        double started = s3_metrics_now();
        s3_outcome_t oc = key_state(t, tp, c, st, &theirs, &found, &op, &res);
        st->check_s += s3_metrics_now() - started;
        s3_metrics_retries(&t->metrics, res.retries);
        if (oc != S3_DONE) return fail_msg(t, op, s3t_key(st), &res, oc, errstr, errstr_size);
        if (!found || s3_origin_same(mine, &theirs)) {
            if (found)
                t->h->log(t->ctx, CW_LOG_INFO,
                          "s3://%s/%s holds an earlier, uncommitted write of the same records "
                          "(same cluster, partition and first record): writing it again",
                          t->s.bucket, s3t_key(st));
            st->checked = 1;
            *exists = found;
            return CW_OK;
        }
        int rc = other_origin(t, st, &theirs, 0, errstr, errstr_size);
        if (rc != CW_OK) return rc;
    }
}

static const char *content_type(const s3_task_t *t) {
    return t->s.format == S3_FMT_JSON ? "application/json" : "application/octet-stream";
}

/* Upload thread, on its client c. */
static int upload_part(s3_task_t *t, tp_state_t *tp, s3_client_t *c, obj_stream_t *st,
                       const char *data, size_t len, char *errstr, size_t errstr_size) {
    s3_result_t res = {0};
    s3_outcome_t oc;
    if (!st->upload_id) {
        int exists, rc = origin_check(t, tp, c, st, &exists, errstr, errstr_size);
        if (rc != CW_OK) return rc;
        oc = c->ops->mpu_create(c, s3t_key(st), content_type(t), &st->owner->origin, &st->upload_id,
                                &res);
        s3_metrics_retries(&t->metrics, res.retries);
        if (oc != S3_DONE)
            return fail_msg(t, "CreateMultipartUpload", s3t_key(st), &res, oc, errstr, errstr_size);
    }
    char *etag = NULL;
    double started = s3_metrics_now();
    oc = c->ops->mpu_part(c, s3t_key(st), st->upload_id, st->nparts + 1, data, len, &etag, &res);
    s3_metrics_retries(&t->metrics, res.retries);
    if (oc != S3_DONE) return fail_msg(t, "UploadPart", s3t_key(st), &res, oc, errstr, errstr_size);
    s3_metrics_request(&t->metrics, started, len);
    st->sent += len;
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

/* Upload thread: the debug line of an object in S3, with where its time went (the bench's
 * timeline reads it): queued from its sealing to its first request, the overwrite
 * protection's check (its LIST and HEAD, if any), the PUT (or the rest of a multipart
 * upload). */
static void log_written(s3_task_t *t, const obj_stream_t *st, const s3_result_t *res, size_t bytes,
                        double sealed_at, double began, double put_started) {
    double now = s3_metrics_now();
    if (!strcmp(res->code, "Replaced")) {
        t->h->log(t->ctx, CW_LOG_WARN,
                  "s3://%s/%s held other content from an earlier, uncommitted attempt; "
                  "replaced it with the records whose offsets this task commits",
                  t->s.bucket, s3t_key(st));
        return;
    }
    t->h->log(t->ctx, CW_LOG_DEBUG,
              "wrote s3://%s/%s%s (%zu bytes; queued %.1f ms, check %.1f ms, %s %.1f ms)",
              t->s.bucket, s3t_key(st),
              !strcmp(res->code, "AlreadyWritten") ? " (already there, same bytes)" : "", bytes,
              (began - sealed_at) * 1e3, st->check_s * 1e3,
              st->upload_id ? "last part and complete" : "PUT", (now - put_started) * 1e3);
}

/* Upload thread: completes the multipart upload of st (its last part first). */
static int complete_multipart(s3_task_t *t, tp_state_t *tp, s3_client_t *c, obj_stream_t *st,
                              s3_result_t *res, char *errstr, size_t errstr_size) {
    if (st->buf.len > 0) {
        int rc = upload_part(t, tp, c, st, st->buf.data, st->buf.len, errstr, errstr_size);
        if (rc != CW_OK) return rc;
        st->buf.len = 0;
    }
    double started = s3_metrics_now();
    s3_outcome_t oc = c->ops->mpu_complete(c, s3t_key(st), st->upload_id, st->etags, st->nparts,
                                           t->s.conditional_writes, &st->owner->origin, res);
    s3_metrics_retries(&t->metrics, res->retries);
    if (oc != S3_DONE)
        return fail_msg(t, "CompleteMultipartUpload", s3t_key(st), res, oc, errstr, errstr_size);
    if (!strcmp(res->code, "OriginConflict")) {
        s3_result_t ares = {0};
        if (c->ops->mpu_abort(c, s3t_key(st), st->upload_id, &ares) == S3_DONE) {
            free(st->upload_id);
            st->upload_id = NULL;
        }
        return other_origin(t, st, &res->theirs, 1, errstr, errstr_size);
    }
    s3_metrics_request(&t->metrics, started, 0);
    return CW_OK;
}

/* Upload thread: st as one PUT, conditional (If-None-Match) when the check found the key
 * free: a store that honours it refuses an object that appeared since (another origin's is
 * then renamed or refused as origin_check does; the same origin's is overwritten). */
static int put_whole(s3_task_t *t, tp_state_t *tp, s3_client_t *c, obj_stream_t *st,
                     s3_result_t *res, double *put_started, char *errstr, size_t errstr_size) {
    for (;;) {
        int exists, rc = origin_check(t, tp, c, st, &exists, errstr, errstr_size);
        if (rc != CW_OK) return rc;
        /* A single PUT knows where its records end. */
        s3_origin_t meta = st->owner->origin;
        snprintf(meta.offsets, sizeof meta.offsets, "%lld-%lld", s3_origin_start(&meta),
                 (long long)st->owner->last_offset);
        double started = *put_started = s3_metrics_now();
        s3_outcome_t oc =
            c->ops->put(c, s3t_key(st), st->buf.data ? st->buf.data : "", st->buf.len,
                        content_type(t), &meta, t->s.conditional_writes && !exists, res);
        s3_metrics_retries(&t->metrics, res->retries);
        if (oc != S3_DONE) return fail_msg(t, "PUT", s3t_key(st), res, oc, errstr, errstr_size);
        if (strcmp(res->code, "OriginConflict")) {
            s3_metrics_request(&t->metrics, started, st->buf.len);
            return CW_OK;
        }
        rc = other_origin(t, st, &res->theirs, 0, errstr, errstr_size);
        if (rc != CW_OK) return rc;
    }
}

/* Upload thread: uploads a finished object (the rest of it, for a multipart upload). */
static int stream_drain(s3_task_t *t, tp_state_t *tp, s3_client_t *c, obj_stream_t *st,
                        double sealed_at, char *errstr, size_t errstr_size) {
    if (!st->key || st->done || !st->finished) return CW_OK;
    s3_result_t res = {0};
    double began = s3_metrics_now(), put_started = began;
    size_t bytes = st->sent + st->buf.len;
    int rc = st->upload_id ? complete_multipart(t, tp, c, st, &res, errstr, errstr_size)
                           : put_whole(t, tp, c, st, &res, &put_started, errstr, errstr_size);
    if (rc != CW_OK) return rc;
    s3_metrics_object(&t->metrics);
    log_written(t, st, &res, bytes, sealed_at, began, put_started);
    st->done = 1;
    cw_sdk_buf_free(&st->buf);
    return CW_OK;
}

static int batch_drain(s3_task_t *t, tp_state_t *tp, s3_client_t *c, batch_t *b, char *errstr,
                       size_t errstr_size) {
    for (writer_t *w = b->writers; w; w = w->next)
        for (int i = 0; i < 3; i++) {
            int rc = stream_drain(t, tp, c, &w->streams[i], b->sealed_at, errstr, errstr_size);
            if (rc != CW_OK) return rc;
        }
    return CW_OK;
}

/* Upload thread number `thread`: runs one job on its own client. */
int s3t_job_run(void *opaque, int thread, void *job, char *errstr, size_t errstr_size) {
    s3_task_t *t = opaque;
    upload_job_t *j = job;
    s3_client_t *c = t->clients[thread];
    int rc = j->batch
                 ? batch_drain(t, j->tp, c, j->batch, errstr, errstr_size)
                 : upload_part(t, j->tp, c, j->st, j->data.data, j->data.len, errstr, errstr_size);
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
    if (j) {
        j->bytes = bytes;
        j->tp = tp;
    }
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
                    st->queued += st->buf.len;
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
    b->sealed_at = s3_metrics_now();
    batch_t **tail = &tp->sealed;
    while (*tail) tail = &(*tail)->next;
    *tail = b;
    upload_job_t *j = calloc(1, sizeof *j);
    if (j) j->batch = b;
    return push_job(t, tp, j, bytes);
}

/* Logs one object a stop leaves behind and aborts its multipart upload. */
static void abandon_stream(s3_task_t *t, const tp_state_t *tp, obj_stream_t *st) {
    if (!st->key || st->done) return;
    size_t total = st->queued + st->buf.len;
    int aborted = stream_abort(t, st);
    t->h->log(t->ctx, CW_LOG_WARN,
              "stopping before the upload of s3://%s/%s ended: abandoned it at %zu of %zu "
              "bytes%s; its records (%s-%d from offset %lld) are not committed and will be "
              "consumed again",
              t->s.bucket, s3t_key(st), st->sent, total,
              aborted ? ", multipart upload aborted" : "", tp->topic, (int)tp->partition,
              strtoll(st->owner->origin.offsets, NULL, 10));
}

void s3t_abandon_uploads(s3_task_t *t) {
    atomic_store(&t->abandon, 1);
    s3_uploadq_halt(t->uq); /* the running transfers are cut off: wait for their threads */
    for (tp_state_t *tp = t->tps; tp; tp = tp->next) {
        for (batch_t *b = tp->sealed; b; b = b->next)
            for (writer_t *w = atomic_load(&b->uploaded) ? NULL : b->writers; w; w = w->next)
                for (int i = 0; i < 3; i++) abandon_stream(t, tp, &w->streams[i]);
        for (writer_t *w = tp->open ? tp->open->writers : NULL; w; w = w->next)
            for (int i = 0; i < 3; i++) abandon_stream(t, tp, &w->streams[i]);
    }
}
