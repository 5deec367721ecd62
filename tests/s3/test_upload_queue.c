/* The S3 sink's upload queue (s3_upload_queue.c) with scripted jobs, no S3: jobs run in
 * order; a transient failure pauses the queue until a kick and the failed job runs again
 * before the ones behind it; a fatal failure stops it for good; admission pushes back when
 * the queued bytes reach the bound and the thread does not catch up in time; cancel takes
 * back one owner's jobs (waiting for the running one) and lets the others run; free
 * releases what is left. With several threads: jobs of different owners run at the same
 * time, jobs of one owner never do and keep their order, and a failure still pauses the
 * queue once the running jobs are done. */
#include "s3_sink.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "s3_check.h"

typedef struct job {
    int id;
    int owner;              /* index into inflight[] */
    atomic_int *wait_for;   /* run only once this is set (5 s at most), or fail */
    atomic_int *on_start;   /* set when the job starts (outlives the job, unlike started) */
    atomic_int *fail_while; /* fail retriably as long as this is set */
    int transient_failures; /* fail retriably this many times, then succeed */
    int fatal;
    int delay_ms;
    atomic_int started;
} job_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ran[64], nran; /* ids of successful runs, in order */
static int released_done, released_undone;
static atomic_int inflight[4];  /* running jobs per owner */
static atomic_int overlaps;     /* a job started while another of its owner ran */
static atomic_int threads_seen; /* bit i: thread i ran a job */

static void nap(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int run(void *opaque, int thread, void *p, char *errstr, size_t errstr_size) {
    (void)opaque;
    job_t *j = p;
    atomic_fetch_or(&threads_seen, 1 << thread);
    if (atomic_fetch_add(&inflight[j->owner], 1) != 0) atomic_fetch_add(&overlaps, 1);
    atomic_store(&j->started, 1);
    if (j->on_start) atomic_store(j->on_start, 1);
    int rc = CW_OK;
    if (j->wait_for) {
        int waited = 0;
        while (!atomic_load(j->wait_for) && waited < 5000) {
            nap(1);
            waited++;
        }
        if (!atomic_load(j->wait_for)) {
            snprintf(errstr, errstr_size, "job %d: the job it waits for never started", j->id);
            rc = CW_ERR_FATAL;
        }
    }
    if (j->delay_ms) nap(j->delay_ms);
    atomic_fetch_sub(&inflight[j->owner], 1);
    if (rc != CW_OK) return rc;
    if (j->fatal) {
        snprintf(errstr, errstr_size, "fatal %d", j->id);
        return CW_ERR_FATAL;
    }
    if (j->transient_failures > 0 || (j->fail_while && atomic_load(j->fail_while))) {
        if (j->transient_failures > 0) j->transient_failures--;
        snprintf(errstr, errstr_size, "boom %d", j->id);
        return CW_ERR_RETRIABLE;
    }
    pthread_mutex_lock(&mu);
    ran[nran++] = j->id;
    pthread_mutex_unlock(&mu);
    return CW_OK;
}

static void release(void *opaque, void *p, int done) {
    (void)opaque;
    pthread_mutex_lock(&mu);
    if (done)
        released_done++;
    else
        released_undone++;
    pthread_mutex_unlock(&mu);
    free(p);
}

static int nran_now(void) {
    pthread_mutex_lock(&mu);
    int n = nran;
    pthread_mutex_unlock(&mu);
    return n;
}

static job_t *job(int id) {
    job_t *j = calloc(1, sizeof *j);
    j->id = id;
    return j;
}

static void reset(void) {
    nran = released_done = released_undone = 0;
    atomic_store(&overlaps, 0);
    atomic_store(&threads_seen, 0);
}

static job_t *owned_job(int id, int owner) {
    job_t *j = job(id);
    j->owner = owner;
    return j;
}

static int ran_is(const char *want) {
    char got[256] = "";
    size_t n = 0;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < nran; i++)
        n += (size_t)snprintf(got + n, sizeof got - n, "%s%d", i ? "," : "", ran[i]);
    pthread_mutex_unlock(&mu);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "ran %s, want %s\n", got, want);
        return 0;
    }
    return 1;
}

int main(void) {
    char err[256];
    int owner_a, owner_b;
    s3_uploadq_t *q;

    /* In order; wait_idle returns once all are done and released. */
    reset();
    q = s3_uploadq_new(1 << 20, 1, run, release, NULL, err, sizeof err);
    CHECK(q != NULL, "new: %s", err);
    for (int i = 1; i <= 5; i++) s3_uploadq_push(q, job(i), &owner_a, 10);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "wait: %s", err);
    CHECK(ran_is("1,2,3,4,5"), "order");
    CHECK(released_done == 5 && s3_uploadq_bytes(q) == 0, "released %d", released_done);
    s3_uploadq_free(q);

    /* A transient failure pauses the queue; admit and wait_idle push back (and kick a
     * retry, which fails again while S3 is "down"); the failed job runs again before the
     * next one once S3 is back. */
    reset();
    static atomic_int s3_down = 1;
    q = s3_uploadq_new(1 << 20, 1, run, release, NULL, err, sizeof err);
    job_t *flaky = job(2);
    flaky->fail_while = &s3_down;
    s3_uploadq_push(q, job(1), &owner_a, 10);
    s3_uploadq_push(q, flaky, &owner_a, 10);
    s3_uploadq_push(q, job(3), &owner_b, 10);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_ERR_RETRIABLE, "first failure");
    CHECK(!strcmp(err, "boom 2"), "err %s", err);
    CHECK(s3_uploadq_admit(q, 0, err, sizeof err) == CW_ERR_RETRIABLE, "admit while failed");
    CHECK(!strcmp(err, "boom 2"), "err %s", err);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_ERR_RETRIABLE, "still failing");
    CHECK(ran_is("1"), "job 3 waits behind the failed job");
    atomic_store(&s3_down, 0);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "the retry works: %s", err);
    CHECK(ran_is("1,2,3"), "order after retries");
    CHECK(s3_uploadq_admit(q, 0, err, sizeof err) == CW_OK, "admit after recovery: %s", err);
    s3_uploadq_free(q);

    /* A fatal failure stops the queue for good. */
    reset();
    q = s3_uploadq_new(1 << 20, 1, run, release, NULL, err, sizeof err);
    job_t *bad = job(1);
    bad->fatal = 1;
    s3_uploadq_push(q, bad, &owner_a, 10);
    s3_uploadq_push(q, job(2), &owner_a, 10);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_ERR_FATAL, "fatal");
    CHECK(s3_uploadq_admit(q, 0, err, sizeof err) == CW_ERR_FATAL && !strcmp(err, "fatal 1"),
          "admit after fatal: %s", err);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_ERR_FATAL, "still fatal");
    CHECK(ran_is(""), "nothing ran after the fatal job");
    s3_uploadq_free(q);
    CHECK(released_undone == 2, "free releases the jobs left, got %d", released_undone);

    /* The bound: at max_bytes queued, admit waits for room and pushes back on timeout. */
    reset();
    q = s3_uploadq_new(100, 1, run, release, NULL, err, sizeof err);
    job_t *slow = job(1);
    slow->delay_ms = 400;
    s3_uploadq_push(q, slow, &owner_a, 150); /* larger than the bound: still taken alone */
    CHECK(s3_uploadq_admit(q, 50, err, sizeof err) == CW_ERR_RETRIABLE, "full queue");
    CHECK(strstr(err, "behind") != NULL, "err %s", err);
    CHECK(s3_uploadq_admit(q, 5000, err, sizeof err) == CW_OK, "room once the job is done");
    CHECK(ran_is("1") && s3_uploadq_bytes(q) == 0, "slow job done");
    s3_uploadq_free(q);

    /* Cancel: owner A's running job finishes, its queued ones are given back undone, B's
     * jobs still run. */
    reset();
    q = s3_uploadq_new(1 << 20, 1, run, release, NULL, err, sizeof err);
    job_t *running = job(1);
    running->delay_ms = 200;
    s3_uploadq_push(q, running, &owner_a, 10);
    s3_uploadq_push(q, job(2), &owner_a, 10);
    s3_uploadq_push(q, job(3), &owner_b, 10);
    s3_uploadq_push(q, job(4), &owner_a, 10);
    while (!atomic_load(&running->started)) nap(1);
    s3_uploadq_cancel(q, &owner_a); /* job 1 is running: cancel waits for it */
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "wait: %s", err);
    CHECK(ran_is("1,3"), "cancel");
    CHECK(released_undone == 2 && released_done == 2, "released %d done, %d undone", released_done,
          released_undone);
    s3_uploadq_free(q);

    /* Cancel of a failed head lets the jobs behind it go. */
    reset();
    q = s3_uploadq_new(1 << 20, 1, run, release, NULL, err, sizeof err);
    job_t *stuck = job(1);
    stuck->transient_failures = 1000;
    s3_uploadq_push(q, stuck, &owner_a, 10);
    s3_uploadq_push(q, job(2), &owner_b, 10);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_ERR_RETRIABLE, "stuck");
    s3_uploadq_cancel(q, &owner_a);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "after cancel: %s", err);
    CHECK(ran_is("2"), "job behind the cancelled one ran");
    CHECK(s3_uploadq_admit(q, 0, err, sizeof err) == CW_OK, "no failure left: %s", err);
    s3_uploadq_free(q);

    /* Two threads: owner 1's job runs only once owner 2's has started, which one thread
     * could never do (the job would fail after 5 s). */
    reset();
    static atomic_int b_started, slow_b_started;
    q = s3_uploadq_new(1 << 20, 2, run, release, NULL, err, sizeof err);
    CHECK(q != NULL, "new with 2 threads: %s", err);
    job_t *a = owned_job(1, 1), *b = owned_job(2, 2);
    b->on_start = &b_started;
    a->wait_for = &b_started;
    s3_uploadq_push(q, a, &owner_a, 10);
    s3_uploadq_push(q, b, &owner_b, 10);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "concurrent owners: %s", err);
    CHECK(atomic_load(&threads_seen) == 3, "both threads ran a job (mask %d)",
          atomic_load(&threads_seen));
    s3_uploadq_free(q);

    /* Two threads, two owners: each owner's jobs one at a time and in order. */
    reset();
    q = s3_uploadq_new(1 << 20, 2, run, release, NULL, err, sizeof err);
    for (int i = 1; i <= 8; i++) {
        job_t *j = owned_job(i, i % 2 ? 1 : 2);
        j->delay_ms = i % 3 ? 5 : 0;
        s3_uploadq_push(q, j, i % 2 ? (void *)&owner_a : (void *)&owner_b, 10);
    }
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "wait: %s", err);
    CHECK(atomic_load(&overlaps) == 0, "%d job(s) ran beside another of their owner",
          atomic_load(&overlaps));
    int last_a = 0, last_b = 0, in_order = nran == 8;
    for (int i = 0; i < nran; i++) {
        int *last = ran[i] % 2 ? &last_a : &last_b;
        in_order &= ran[i] > *last;
        *last = ran[i];
    }
    CHECK(in_order, "per-owner order (%d jobs ran)", nran);
    s3_uploadq_free(q);

    /* Two threads: a failure pauses the queue, but wait_idle returns only once the job
     * running beside it is done; the retry then runs the failed job. */
    reset();
    q = s3_uploadq_new(1 << 20, 2, run, release, NULL, err, sizeof err);
    job_t *slow_b = owned_job(2, 2), *failing = owned_job(1, 1), *after = owned_job(3, 1);
    slow_b->delay_ms = 300;
    static atomic_int down_again = 1;
    failing->fail_while = &down_again;
    slow_b->on_start = &slow_b_started;
    failing->wait_for = &slow_b_started;
    s3_uploadq_push(q, failing, &owner_a, 10);
    s3_uploadq_push(q, slow_b, &owner_b, 10);
    s3_uploadq_push(q, after, &owner_a, 10);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_ERR_RETRIABLE, "failure with 2 threads");
    CHECK(ran_is("2"), "the running job finished; the failed one's successor waits");
    atomic_store(&down_again, 0);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "retry: %s", err);
    CHECK(ran_is("2,1,3"), "the failed job, then its successor");
    s3_uploadq_free(q);

    /* Pre-commit does not wait: poll says how the queue is at once, waits with a limit come
     * back busy, a transient failure seen by poll is tried again in the background, and
     * halt (a stop that cannot wait) starts nothing more once the running job ended. */
    reset();
    q = s3_uploadq_new(1 << 20, 1, run, release, NULL, err, sizeof err);
    atomic_int go = 0;
    job_t *pslow = job(1);
    pslow->wait_for = &go;
    s3_uploadq_push(q, pslow, &owner_a, 10);
    job_t *pflaky = job(2);
    pflaky->transient_failures = 1;
    s3_uploadq_push(q, pflaky, &owner_b, 10);
    s3_uploadq_push(q, job(3), &owner_b, 10);
    CHECK(s3_uploadq_poll(q, err, sizeof err) == CW_OK, "poll while a job runs: no wait");
    CHECK(s3_uploadq_wait_idle_ms(q, 50, err, sizeof err) == S3_UQ_BUSY && strstr(err, "bytes"),
          "a limited wait comes back busy: %s", err);
    atomic_store(&go, 1);
    for (int i = 0; i < 500 && s3_uploadq_poll(q, err, sizeof err) == CW_OK && nran_now() < 3; i++)
        nap(2);
    /* job 2 failed once: poll reports it and kicks it; then everything runs */
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "after poll kicked: %s", err);
    CHECK(ran_is("1,2,3"), "all ran in order");
    atomic_int go2 = 0, started2 = 0;
    job_t *prun = job(4);
    prun->wait_for = &go2;
    prun->on_start = &started2;
    s3_uploadq_push(q, prun, &owner_a, 10);
    s3_uploadq_push(q, job(5), &owner_b, 10);
    while (!atomic_load(&started2)) nap(1);
    atomic_store(&go2, 1);
    s3_uploadq_halt(q);
    nap(20);
    CHECK(ran_is("1,2,3,4"), "halt let the running job end and started no other");
    CHECK(s3_uploadq_bytes(q) == 10, "the job not started stays queued");
    s3_uploadq_free(q);
    CHECK(released_undone == 1, "free released it undone");

    char big[64];
    CHECK(s3_uploadq_new(1, 0, run, release, NULL, big, sizeof big) == NULL &&
              strstr(big, "1..") != NULL,
          "0 threads refused: %s", big);

    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("upload queue checks passed\n");
    return 0;
}
