/* The background uploader of one task: a FIFO of upload jobs worked off by a few threads of
 * its own, so that the task thread goes on consuming while objects go up to S3.
 *
 * Every thread has its own connection (the run callback gets the thread's index). Several
 * requests in flight are what make S3 fast: a PUT spends most of its time waiting for the
 * store. Order is kept per owner (a topic partition): a job runs only when no earlier job of
 * its owner is still queued, so the parts of a multipart object, its completion and the
 * objects after it never overtake each other. Across owners jobs finish in any order; the
 * task commits a partition's offsets only up to its oldest object not yet in S3.
 *
 * A job that fails stays queued, ahead of its owner's later jobs, and pauses the whole
 * queue (a failing store fails every request): transiently until someone kicks it (put and
 * flush do, after the worker's backoff); fatally for good. */
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
    int running; /* a thread works on it, outside the lock */
    int failed;  /* its last attempt failed transiently */
    struct qjob *next;
} qjob_t;

typedef struct uq_thread {
    struct s3_uploadq *q;
    int index;
    pthread_t thread;
} uq_thread_t;

struct s3_uploadq {
    pthread_mutex_t mu;
    pthread_cond_t changed; /* a job finished or failed, the queue paused, or was kicked */
    uq_thread_t *threads;
    int nthreads; /* started */
    size_t max_bytes;
    s3_upload_run_fn run;
    s3_upload_release_fn release;
    void *opaque;
    qjob_t *head, *tail;
    size_t bytes; /* of every job in the queue, the running ones included */
    int nrunning;
    int nfailed; /* jobs whose last attempt failed transiently */
    int fatal;   /* a job failed for good: nothing runs any more */
    int paused;  /* after a failure: wait for a kick (never again after a fatal) */
    int halted;  /* s3_uploadq_halt: no job starts any more */
    int quit;
    char err[1024];
};

/* Caller holds the lock. The first job that no thread runs and that no earlier job of its
 * owner precedes, or NULL. Only an owner whose first job is running blocks the jobs behind
 * it, so the owners to skip are at most one per thread. */
static qjob_t *next_runnable_locked(s3_uploadq_t *q) {
    const void *busy[S3_UPLOAD_THREADS_MAX];
    int nbusy = 0;
    for (qjob_t *j = q->head; j; j = j->next) {
        int skip = 0;
        for (int i = 0; i < nbusy && !skip; i++) skip = busy[i] == j->owner;
        if (skip) continue;
        if (!j->running) return j;
        if (nbusy < S3_UPLOAD_THREADS_MAX) busy[nbusy++] = j->owner;
    }
    return NULL;
}

static void unlink_locked(s3_uploadq_t *q, qjob_t *j, qjob_t *prev) {
    if (prev)
        prev->next = j->next;
    else
        q->head = j->next;
    if (q->tail == j) q->tail = prev;
    q->bytes -= j->bytes;
    if (j->failed) q->nfailed--;
}

static qjob_t *prev_of_locked(s3_uploadq_t *q, qjob_t *j) {
    qjob_t *prev = NULL;
    for (qjob_t *e = q->head; e != j; e = e->next) prev = e;
    return prev;
}

static void *worker(void *arg) {
    uq_thread_t *self = arg;
    s3_uploadq_t *q = self->q;
    char err[1024];
    pthread_mutex_lock(&q->mu);
    for (;;) {
        qjob_t *j = NULL;
        while (!q->quit && (q->paused || q->halted || !(j = next_runnable_locked(q))))
            pthread_cond_wait(&q->changed, &q->mu);
        if (q->quit) break;
        j->running = 1;
        q->nrunning++;
        pthread_mutex_unlock(&q->mu);
        err[0] = 0;
        int rc = q->run(q->opaque, self->index, j->job, err, sizeof err);
        pthread_mutex_lock(&q->mu);
        j->running = 0;
        q->nrunning--;
        if (rc == CW_OK) {
            unlink_locked(q, j, prev_of_locked(q, j));
            /* Under the lock: whoever waits for the queue sees the job's result at once. */
            q->release(q->opaque, j->job, 1);
            free(j);
        } else {
            int transient = rc == CW_ERR_RETRIABLE;
            if (!transient) q->fatal = 1;
            /* nfailed counts the jobs whose last attempt failed transiently. */
            q->nfailed += transient - j->failed;
            j->failed = transient;
            q->paused = 1;
            snprintf(q->err, sizeof q->err, "%s", err[0] ? err : "S3 upload failed");
        }
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

s3_uploadq_t *s3_uploadq_new(size_t max_bytes, int threads, s3_upload_run_fn run,
                             s3_upload_release_fn release, void *opaque, char *errstr,
                             size_t errstr_size) {
    if (threads < 1 || threads > S3_UPLOAD_THREADS_MAX) {
        snprintf(errstr, errstr_size, "upload threads must be 1..%d, not %d", S3_UPLOAD_THREADS_MAX,
                 threads);
        return NULL;
    }
    s3_uploadq_t *q = calloc(1, sizeof *q);
    uq_thread_t *th = calloc((size_t)threads, sizeof *th);
    if (!q || !th) {
        free(q);
        free(th);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    q->threads = th;
    q->max_bytes = max_bytes;
    q->run = run;
    q->release = release;
    q->opaque = opaque;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->changed, NULL);
    for (int i = 0; i < threads; i++) {
        th[i].q = q;
        th[i].index = i;
        int e = pthread_create(&th[i].thread, NULL, worker, &th[i]);
        if (e) {
            snprintf(errstr, errstr_size, "cannot start S3 upload thread %d: %s", i + 1,
                     strerror(e));
            s3_uploadq_free(q);
            return NULL;
        }
        q->nthreads++;
    }
    return q;
}

int s3_uploadq_push(s3_uploadq_t *q, void *job, const void *owner, size_t bytes) {
    qjob_t *j = calloc(1, sizeof *j);
    if (!j) return -1;
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

/* Caller holds the lock. A paused (transiently failed) queue tries its failed jobs again. */
static void kick_locked(s3_uploadq_t *q) {
    if (q->paused && !q->fatal) {
        q->paused = 0;
        pthread_cond_broadcast(&q->changed);
    }
}

static int failure_locked(s3_uploadq_t *q, char *errstr, size_t errstr_size) {
    int rc = q->fatal ? CW_ERR_FATAL : q->nfailed ? CW_ERR_RETRIABLE : CW_OK;
    if (rc != CW_OK) snprintf(errstr, errstr_size, "%s", q->err);
    return rc;
}

static void deadline_after(struct timespec *ts, int ms) {
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int s3_uploadq_admit(s3_uploadq_t *q, int wait_ms, char *errstr, size_t errstr_size) {
    struct timespec until;
    deadline_after(&until, wait_ms);
    pthread_mutex_lock(&q->mu);
    int rc = failure_locked(q, errstr, errstr_size);
    if (rc == CW_ERR_RETRIABLE) kick_locked(q);
    while (rc == CW_OK && q->bytes >= q->max_bytes) {
        if (pthread_cond_timedwait(&q->changed, &q->mu, &until) != 0) {
            if (q->bytes >= q->max_bytes) {
                snprintf(errstr, errstr_size,
                         "S3 uploads are behind: %zu bytes wait for upload (limit %zu)", q->bytes,
                         q->max_bytes);
                rc = CW_ERR_RETRIABLE;
            }
            break;
        }
        rc = failure_locked(q, errstr, errstr_size);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int s3_uploadq_wait_idle_ms(s3_uploadq_t *q, int wait_ms, char *errstr, size_t errstr_size) {
    struct timespec until;
    if (wait_ms >= 0) deadline_after(&until, wait_ms);
    pthread_mutex_lock(&q->mu);
    kick_locked(q);
    int timed_out = 0;
    /* A failure pauses the queue, but the jobs already running still count: wait for them. */
    while (q->head && (!q->paused || q->nrunning > 0) && !timed_out) {
        if (wait_ms < 0)
            pthread_cond_wait(&q->changed, &q->mu);
        else
            timed_out = pthread_cond_timedwait(&q->changed, &q->mu, &until) != 0;
    }
    int rc = CW_OK;
    if (q->head) rc = failure_locked(q, errstr, errstr_size);
    if (q->head && rc == CW_OK) {
        snprintf(errstr, errstr_size, "%zu bytes still wait for upload", q->bytes);
        rc = S3_UQ_BUSY;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int s3_uploadq_wait_idle(s3_uploadq_t *q, char *errstr, size_t errstr_size) {
    return s3_uploadq_wait_idle_ms(q, -1, errstr, errstr_size);
}

int s3_uploadq_poll(s3_uploadq_t *q, char *errstr, size_t errstr_size) {
    pthread_mutex_lock(&q->mu);
    int rc = failure_locked(q, errstr, errstr_size);
    if (rc == CW_ERR_RETRIABLE) kick_locked(q);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void s3_uploadq_halt(s3_uploadq_t *q) {
    pthread_mutex_lock(&q->mu);
    q->halted = 1;
    while (q->nrunning > 0) pthread_cond_wait(&q->changed, &q->mu);
    pthread_mutex_unlock(&q->mu);
}

void s3_uploadq_cancel(s3_uploadq_t *q, const void *owner) {
    pthread_mutex_lock(&q->mu);
    for (;;) {
        /* Take back every job of owner but a running one first, so that no thread picks the
         * next one meanwhile; then wait for the running one's outcome (a failed job stays
         * queued: the next pass takes it back too). */
        int running = 0;
        qjob_t *prev = NULL, *j = q->head;
        while (j) {
            qjob_t *next = j->next;
            if (j->owner == owner && j->running) {
                running = 1;
                prev = j;
            } else if (j->owner == owner) {
                unlink_locked(q, j, prev);
                q->release(q->opaque, j->job, 0);
                free(j);
            } else {
                prev = j;
            }
            j = next;
        }
        /* Failed jobs that were taken back no longer hold the others back. */
        if (q->paused && !q->fatal && q->nfailed == 0) q->paused = 0;
        if (!running) break;
        pthread_cond_wait(&q->changed, &q->mu);
    }
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
}

size_t s3_uploadq_bytes(s3_uploadq_t *q) {
    pthread_mutex_lock(&q->mu);
    size_t n = q->bytes;
    pthread_mutex_unlock(&q->mu);
    return n;
}

void s3_uploadq_free(s3_uploadq_t *q) {
    if (!q) return;
    pthread_mutex_lock(&q->mu);
    q->quit = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
    for (int i = 0; i < q->nthreads; i++) pthread_join(q->threads[i].thread, NULL);
    while (q->head) {
        qjob_t *j = q->head;
        q->head = j->next;
        q->release(q->opaque, j->job, 0);
        free(j);
    }
    free(q->threads);
    pthread_cond_destroy(&q->changed);
    pthread_mutex_destroy(&q->mu);
    free(q);
}
