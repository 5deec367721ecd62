/* One sink task's entry points: records go into object sets per original (consumed) topic
 * partition (s3_task_records.c); a set is rotated (sealed) by flush.size, rotate.interval.ms,
 * rotate.schedule.interval.ms or partitioner.max.open.files and then uploaded in the
 * background (s3_task_upload.c). Offsets reported durable never pass the first record of a
 * set that is not completely in S3. open, close and flush name original topic partitions,
 * as the worker's consumer does (KIP-793), whatever topic a transform routed records to.
 *
 * Back-pressure rule: when the last upload failed, or more than s3.upload.queue.max.bytes
 * wait for upload, put returns CW_ERR_RETRIABLE before touching any record of the call, as
 * the ABI requires. */
#include "s3_task_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long put waits for room in the upload queue before pushing back. */
#define ADMIT_WAIT_MS 1000

static int64_t real_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int task_should_stop(void *opaque) {
    s3_task_t *t = opaque;
    return atomic_load(&t->quitting) || (t->ctx && t->h->stopping(t->ctx));
}

/* Upload threads: cut the running transfer off (a stop whose time is up, see flush, or that
 * a second signal aborted: host->stopping returns CW_STOP_ABORT). */
static int task_should_abort(void *opaque) {
    s3_task_t *t = opaque;
    return atomic_load(&t->abandon) || atomic_load(&t->quitting) ||
           (t->ctx && t->h->stopping(t->ctx) >= CW_STOP_ABORT);
}

static void creds_log(void *opaque, int level, const char *msg) {
    s3_task_t *t = opaque;
    t->h->log(t->ctx, level == S3_CREDS_LOG_WARN ? CW_LOG_WARN : CW_LOG_INFO, "%s", msg);
}

/* Confluent's AwsAssumeRoleCredentialsProvider: the role, assumed with the configured keys
 * (else the chain's credentials, as Confluent's STS client does), again before expiry. */
static int creds_assume_role(s3_task_t *t, s3_creds_provider_t *base, char *errstr,
                             size_t errstr_size) {
    const cw_sdk_aws_assume_role_t r = {
        .role_arn = t->s.sts_role_arn,
        .session_name = t->s.sts_session_name,
        .external_id = t->s.sts_external_id,
        .sts_region = t->s.sts_region,
    };
    t->creds = cw_sdk_aws_creds_provider_new_assume_role(base, &r, errstr, errstr_size);
    return t->creds ? CW_OK : CW_ERR_CONFIG;
}

/* The credential chain, into the provider the task's clients share. libs3 2.0 cannot send
 * a session token, so it cannot use the platform's temporary credentials at all. */
static int creds_start(s3_task_t *t, char *errstr, size_t errstr_size) {
    s3_credentials_t c;
    if (s3_credentials_resolve(t->s.cfg_access_key, t->s.cfg_secret_key, t->s.cfg_session_token, &c,
                               errstr, errstr_size) != 0)
        return CW_ERR_CONFIG;
    if (t->s.use_libs3 && c.kind != S3_CREDS_FIXED) {
        snprintf(errstr, errstr_size,
                 "s3.client=libs3 cannot use the credentials from %s: they are temporary and "
                 "need a session token, which libs3 cannot send; use s3.client=curl (the "
                 "default) or fixed keys (aws.access.key.id)",
                 c.source);
        s3_credentials_clear(&c);
        return CW_ERR_CONFIG;
    }
    if (t->s.use_libs3 && c.session_token)
        t->h->log(t->ctx, CW_LOG_WARN,
                  "s3.client=libs3 cannot send session tokens; "
                  "the session token from %s is ignored",
                  c.source);
    s3_creds_provider_t *p = s3_creds_provider_new(&c);
    s3_credentials_clear(&c);
    if (!p) {
        snprintf(errstr, errstr_size, "out of memory");
        return CW_ERR_FATAL;
    }
    s3_creds_provider_set_log(p, creds_log, t);
    if (t->s.assume_role) {
        int rc = creds_assume_role(t, p, errstr, errstr_size);
        if (rc != CW_OK) return rc;
    } else {
        t->creds = p;
    }
    s3_creds_provider_set_log(t->creds, creds_log, t);
    return CW_OK;
}

/* ------------------------------------------------------------------------------------ */

/* Where a Confluent config behaves differently here, the log says what happens instead. */
static void log_differences(s3_task_t *t) {
    if (t->s.store_keys && t->s.keys_format_unset)
        t->h->log(t->ctx, CW_LOG_INFO,
                  "keys.format.class is unset: keys are written as "
                  "JsonFormat (.keys.json), not as Confluent's default AvroFormat");
    if (t->s.store_headers && t->s.headers_format_unset)
        t->h->log(t->ctx, CW_LOG_INFO,
                  "headers.format.class is unset: headers are written as "
                  "JsonFormat (.headers.json), not as Confluent's default AvroFormat");
    if (t->s.send_digest)
        t->h->log(t->ctx, CW_LOG_INFO,
                  "s3.send.digest=true: no Content-MD5 is sent; every "
                  "request body is covered by its SigV4 SHA-256 payload hash instead");
    if (t->s.decimal_numeric)
        t->h->log(t->ctx, CW_LOG_INFO,
                  "json.decimal.format=NUMERIC: decimals are written as "
                  "the value converter gives them (set value.converter.decimal.format)");
    if (t->s.rotate_interval_ms > 0 && t->s.partitioner != S3_PART_TIME)
        t->h->log(t->ctx, CW_LOG_WARN,
                  "rotate.interval.ms=%lld has no effect without a "
                  "time-based partitioner (as in Confluent's sink)",
                  (long long)t->s.rotate_interval_ms);
}

int s3_task_start(const cw_host_t *h, cw_ctx_t *ctx, const cw_config_t *cfg, s3_task_t **out,
                  char *errstr, size_t errstr_size) {
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
    if (rc == CW_OK) rc = creds_start(t, errstr, errstr_size);
    if (rc == CW_OK) {
        t->copts = (s3_client_options_t){
            .endpoint = t->s.endpoint,
            .bucket = t->s.bucket,
            .region = t->s.region,
            .path_style = t->s.path_style,
            .provider = t->creds,
            /* SSE-C replaces the x-amz-server-side-encryption header, as in Confluent's. */
            .sse_algorithm = t->s.cfg_sse_customer_key ? NULL : t->s.sse_algorithm,
            .sse_kms_key_id = t->s.sse_kms_key_id,
            .acl_canned = t->s.acl_canned,
            .sse_customer_key = t->s.cfg_sse_customer_key,
            .max_retries = t->s.part_retries,
            .backoff_ms = (long)t->s.retry_backoff_ms,
            .should_stop = task_should_stop,
            .should_abort = task_should_abort,
            .stop_opaque = t,
        };
        for (int i = 0; i < t->s.upload_threads; i++) {
            t->clients[i] = t->s.use_libs3 ? s3_client_libs3_new(&t->copts, errstr, errstr_size)
                                           : s3_client_curl_new(&t->copts, errstr, errstr_size);
            if (!t->clients[i]) break;
            t->nclients++;
        }
        /* Objects waiting for upload are bounded by s3.upload.queue.max.bytes (a job that
         * is larger still goes, alone). */
        if (t->nclients == t->s.upload_threads)
            t->uq = s3_uploadq_new((size_t)t->s.upload_queue_bytes, t->nclients, s3t_job_run,
                                   s3t_job_release, t, errstr, errstr_size);
        if (!t->uq)
            rc = CW_ERR_FATAL;
        else
            h->log(ctx, CW_LOG_INFO,
                   "writing to s3://%s at %s (client %s, %d upload thread(s), credentials from %s)",
                   t->s.bucket, t->s.endpoint, t->clients[0]->ops->name, t->nclients,
                   s3_creds_provider_source(t->creds));
    }
    if (rc == CW_OK) log_differences(t);
    if (rc != CW_OK) {
        s3_task_stop(t);
        return rc;
    }
    *out = t;
    return CW_OK;
}

void s3_task_set_clock(s3_task_t *t, int64_t (*now_ms)(void)) {
    t->now_ms = now_ms ? now_ms : real_now;
}

int s3_task_open(s3_task_t *t, const cw_topic_partition_t *tps, size_t n) {
    for (size_t i = 0; i < n; i++) {
        tp_state_t *tp = s3t_tp_find(t, tps[i].topic, tps[i].partition, 1);
        if (!tp) return CW_ERR_FATAL;
        s3_uploadq_cancel(t->uq, tp);
        s3t_tp_clear(t, tp);
        /* Consumption resumes at the committed offset: the next object starts there. */
        tp->next_offset = tps[i].offset >= 0 ? tps[i].offset : CW_OFFSET_INVALID;
    }
    return CW_OK;
}

int s3_task_close(s3_task_t *t, const cw_topic_partition_t *tps, size_t n) {
    for (size_t i = 0; i < n; i++) {
        tp_state_t **pp = &t->tps;
        while (*pp) {
            tp_state_t *tp = *pp;
            if (tp->partition == tps[i].partition && !strcmp(tp->topic, tps[i].topic)) {
                s3_uploadq_cancel(t->uq, tp);
                s3t_tp_clear(t, tp);
                *pp = tp->next;
                if (t->last_tp == tp) t->last_tp = NULL;
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
                size_t errstr_size) {
    int64_t now = t->now_ms();
    if (s3t_scheduled_rotation(t, now) != CW_OK) {
        snprintf(errstr, errstr_size, "out of memory sealing objects");
        return CW_ERR_FATAL;
    }
    s3t_reap(t);
    /* Nothing of this call is taken while S3 fails or the uploads are behind: the worker
     * pauses and calls again (meanwhile the upload thread tries the failed upload again). */
    int rc = s3_uploadq_admit(t->uq, ADMIT_WAIT_MS, errstr, errstr_size);
    if (rc != CW_OK) return rc;
    for (size_t i = 0; i < n; i++) {
        rc = s3t_take_record(t, records[i], now, errstr, errstr_size);
        if (rc != CW_OK) return rc;
    }
    if (s3t_queue_parts(t) != CW_OK) {
        snprintf(errstr, errstr_size, "out of memory queueing a part upload");
        return CW_ERR_FATAL;
    }
    return CW_OK;
}

/* Time a stop keeps for what follows the final flush: aborts, the commit, close and stop. */
#define STOP_RESERVE_MS 1000

/* The final flush: waits until what is queued is in S3 (a failed upload is tried once more),
 * so that everything S3 can take is committed; but during a stop only while the worker's
 * graceful-stop budget lasts (host->stop_time_left_ms) and no second signal aborted the stop
 * (host->stopping returns CW_STOP_ABORT), then abandons the uploads still running
 * (s3t_abandon_uploads). Returns what
 * s3_uploadq_wait_idle_ms returns (S3_UQ_BUSY when uploads were abandoned). */
static int wait_uploads(s3_task_t *t, char *errstr, size_t errstr_size) {
    int has_budget = t->ctx && CW_HOST_HAS(t->h, stop_time_left_ms);
    for (;;) {
        int64_t left = has_budget ? t->h->stop_time_left_ms(t->ctx) : -1;
        int aborted = t->ctx && t->h->stopping(t->ctx) >= CW_STOP_ABORT;
        if (aborted || (left >= 0 && left <= STOP_RESERVE_MS)) {
            s3t_abandon_uploads(t);
            snprintf(errstr, errstr_size, "uploads abandoned: the task is stopping");
            return S3_UQ_BUSY;
        }
        /* In slices, so that a stop (or its end) that comes meanwhile is seen. */
        int slice = left < 0 || left - STOP_RESERVE_MS > 100 ? 100 : (int)(left - STOP_RESERVE_MS);
        int rc = s3_uploadq_wait_idle_ms(t->uq, slice, errstr, errstr_size);
        if (rc != S3_UQ_BUSY) return rc;
    }
}

/* Pre-commit. Between stops and rebalances it does not wait for uploads, as Confluent's
 * preCommit does not: it reports what is in S3 now, and the consumer keeps being polled
 * while slow uploads run (a flush that waited for the queue could outlast
 * max.poll.interval.ms and cost the task its group membership). */
int s3_task_flush(s3_task_t *t, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                  size_t errstr_size) {
    for (size_t i = 0; final && i < n; i++) {
        tp_state_t *tp = s3t_tp_find(t, tps[i].topic, tps[i].partition, 0);
        if (tp && s3t_seal(t, tp) != CW_OK) {
            snprintf(errstr, errstr_size, "out of memory sealing objects");
            return CW_ERR_FATAL;
        }
    }
    if (s3t_queue_parts(t) != CW_OK) {
        snprintf(errstr, errstr_size, "out of memory queueing a part upload");
        return CW_ERR_FATAL;
    }
    char err2[1024];
    int rc = final ? wait_uploads(t, err2, sizeof err2) : s3_uploadq_poll(t->uq, err2, sizeof err2);
    if (rc == CW_ERR_FATAL) {
        snprintf(errstr, errstr_size, "%s", err2);
        return rc;
    }
    if (rc == CW_ERR_RETRIABLE)
        t->h->log(t->ctx, CW_LOG_WARN, "%s; committing only what is durable", err2);
    s3t_reap(t);
    for (size_t i = 0; i < n; i++) {
        tp_state_t *tp = s3t_tp_find(t, tps[i].topic, tps[i].partition, 0);
        if (!tp) continue;
        if (tp->sealed)
            tps[i].offset = tp->sealed->start_offset;
        else if (tp->open)
            tps[i].offset = tp->open->start_offset;
        else if (tp->next_offset != CW_OFFSET_INVALID && tp->next_offset < tps[i].offset)
            tps[i].offset = tp->next_offset;
    }
    return CW_OK;
}

int s3_task_wait_uploads(s3_task_t *t) {
    char err[1024];
    return s3_uploadq_wait_idle(t->uq, err, sizeof err);
}

size_t s3_task_buffered_bytes(const s3_task_t *t) {
    /* Open objects here; sealed ones and parts belong to the upload queue until done. */
    size_t total = s3_uploadq_bytes(t->uq);
    for (tp_state_t *tp = t->tps; tp; tp = tp->next)
        for (writer_t *w = tp->open ? tp->open->writers : NULL; w; w = w->next)
            for (int i = 0; i < 3; i++) total += w->streams[i].buf.len;
    return total;
}

void s3_task_stop(s3_task_t *t) {
    if (!t) return;
    atomic_store(&t->quitting, 1);
    s3_uploadq_free(t->uq);
    t->uq = NULL;
    t->last_tp = NULL;
    while (t->tps) {
        tp_state_t *tp = t->tps;
        t->tps = tp->next;
        s3t_tp_clear(t, tp);
        free(tp->topic);
        free(tp);
    }
    for (int i = 0; i < t->nclients; i++) t->clients[i]->ops->destroy(t->clients[i]);
    if (t->ctl) t->ctl->ops->destroy(t->ctl);
    s3_creds_provider_free(t->creds);
    s3_settings_free(&t->s);
    cw_sdk_buf_free(&t->line);
    free(t);
}
