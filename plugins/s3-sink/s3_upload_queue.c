/* The background uploader of one task: a FIFO of upload jobs worked off by one thread, so
 * that the task thread goes on consuming while objects go up to S3.
 *
 * One thread and one connection on purpose: jobs of one object (its parts, then its
 * completion) must run in order, and S3-compatible stores such as s3rver serve one request
 * at a time anyway. A job that fails stays at the head of the queue: transiently, the queue
 * pauses until someone kicks it (put and flush do, after the worker's backoff); fatally, it
 * stops for good. Either way no later job runs before it, so what completes is always a
 * prefix of what was queued. */
#include "s3_sink.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct qjob {
    void *job;
    const void *owner;
    size_t bytes;
    struct qjob *next;
} qjob_t;

struct s3_uploadq {
    pthread_mutex_t mu;
    pthread_cond_t changed;  /* a job finished or failed, the queue paused, or was kicked */
    pthread_t thread;
    int thread_started;
    size_t max_bytes;
    s3_upload_run_fn run;
    s3_upload_release_fn release;
    void *opaque;
    qjob_t *head, *tail;
    size_t bytes;            /* of every job in the queue, the running one included */
    qjob_t *running;         /* the head while the thread works on it, outside the lock */
    int failed;              /* CW_OK, CW_ERR_RETRIABLE (until a job succeeds) or CW_ERR_FATAL */
    int paused;              /* after a failure: wait for a kick (never again after a fatal) */
    int quit;
    char err[1024];
};

static void *worker(void *arg)
{
    s3_uploadq_t *q = arg;
    char err[1024];
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->quit && (!q->head || q->paused))
            pthread_cond_wait(&q->changed, &q->mu);
        if (q->quit)
            break;
        qjob_t *j = q->head;
        q->running = j;
        pthread_mutex_unlock(&q->mu);
        err[0] = 0;
        int rc = q->run(q->opaque, j->job, err, sizeof err);
        pthread_mutex_lock(&q->mu);
        q->running = NULL;
        if (rc == CW_OK) {
            q->head = j->next;
            if (!q->head)
                q->tail = NULL;
            q->bytes -= j->bytes;
            /* Under the lock: whoever waits for the queue sees the job's result at once. */
            q->release(q->opaque, j->job, 1);
            free(j);
            if (q->failed == CW_ERR_RETRIABLE)
                q->failed = CW_OK;
        } else {
            q->failed = rc == CW_ERR_RETRIABLE ? CW_ERR_RETRIABLE : CW_ERR_FATAL;
            q->paused = 1;
            snprintf(q->err, sizeof q->err, "%s", err[0] ? err : "S3 upload failed");
        }
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

s3_uploadq_t *s3_uploadq_new(size_t max_bytes, s3_upload_run_fn run,
                             s3_upload_release_fn release, void *opaque, char *errstr,
                             size_t errstr_size)
{
    s3_uploadq_t *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    q->max_bytes = max_bytes;
    q->run = run;
    q->release = release;
    q->opaque = opaque;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->changed, NULL);
    int e = pthread_create(&q->thread, NULL, worker, q);
    if (e) {
        snprintf(errstr, errstr_size, "cannot start the S3 upload thread: %s", strerror(e));
        s3_uploadq_free(q);
        return NULL;
    }
    q->thread_started = 1;
    return q;
}

int s3_uploadq_push(s3_uploadq_t *q, void *job, const void *owner, size_t bytes)
{
    qjob_t *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    j->job = job;
    j->owner = owner;
    j->bytes = bytes;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->bytes += bytes;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

/* Caller holds the lock. A paused (transiently failed) queue tries its head job again. */
static void kick_locked(s3_uploadq_t *q)
{
    if (q->paused && q->failed == CW_ERR_RETRIABLE) {
        q->paused = 0;
        pthread_cond_broadcast(&q->changed);
    }
}

static int failure_locked(s3_uploadq_t *q, char *errstr, size_t errstr_size)
{
    if (q->failed != CW_OK)
        snprintf(errstr, errstr_size, "%s", q->err);
    return q->failed;
}

static void deadline_after(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int s3_uploadq_admit(s3_uploadq_t *q, int wait_ms, char *errstr, size_t errstr_size)
{
    struct timespec until;
    deadline_after(&until, wait_ms);
    pthread_mutex_lock(&q->mu);
    int rc = failure_locked(q, errstr, errstr_size);
    if (rc == CW_ERR_RETRIABLE)
        kick_locked(q);
    while (rc == CW_OK && q->bytes >= q->max_bytes) {
        if (pthread_cond_timedwait(&q->changed, &q->mu, &until) != 0) {
            if (q->bytes >= q->max_bytes) {
                snprintf(errstr, errstr_size,
                         "S3 uploads are behind: %zu bytes wait for upload (limit %zu)",
                         q->bytes, q->max_bytes);
                rc = CW_ERR_RETRIABLE;
            }
            break;
        }
        rc = failure_locked(q, errstr, errstr_size);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int s3_uploadq_wait_idle(s3_uploadq_t *q, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&q->mu);
    kick_locked(q);
    while (q->head && !q->paused)
        pthread_cond_wait(&q->changed, &q->mu);
    int rc = q->head ? failure_locked(q, errstr, errstr_size) : CW_OK;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void s3_uploadq_cancel(s3_uploadq_t *q, const void *owner)
{
    pthread_mutex_lock(&q->mu);
    for (;;) {
        /* Take back every job of owner but the running one first, so that the thread does
         * not pick the next one meanwhile; then wait for the running one's outcome (a failed
         * job stays queued: the next pass takes it back too). */
        qjob_t **pp = &q->head, *prev = NULL;
        int removed_head = 0;
        while (*pp) {
            qjob_t *j = *pp;
            if (j->owner == owner && j != q->running) {
                removed_head |= j == q->head;
                *pp = j->next;
                q->bytes -= j->bytes;
                q->release(q->opaque, j->job, 0);
                free(j);
            } else {
                prev = j;
                pp = &j->next;
            }
        }
        q->tail = prev;
        /* A failed head that was taken back no longer holds the others back. */
        if (removed_head && q->failed == CW_ERR_RETRIABLE) {
            q->failed = CW_OK;
            q->paused = 0;
        }
        if (!(q->running && q->running->owner == owner))
            break;
        pthread_cond_wait(&q->changed, &q->mu);
    }
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
}

size_t s3_uploadq_bytes(s3_uploadq_t *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->bytes;
    pthread_mutex_unlock(&q->mu);
    return n;
}

void s3_uploadq_free(s3_uploadq_t *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->quit = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
    if (q->thread_started)
        pthread_join(q->thread, NULL);
    while (q->head) {
        qjob_t *j = q->head;
        q->head = j->next;
        q->release(q->opaque, j->job, 0);
        free(j);
    }
    pthread_cond_destroy(&q->changed);
    pthread_mutex_destroy(&q->mu);
    free(q);
}
