/* The S3 sink's upload queue (s3_upload_queue.c) with scripted jobs, no S3: jobs run in
 * order; a transient failure pauses the queue until a kick and the failed job runs again
 * before the ones behind it; a fatal failure stops it for good; admission pushes back when
 * the queued bytes reach the bound and the thread does not catch up in time; cancel takes
 * back one owner's jobs (waiting for the running one) and lets the others run; free
 * releases what is left. */
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
    int transient_failures; /* fail retriably this many times, then succeed */
    int fatal;
    int delay_ms;
    atomic_int started;
} job_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ran[64], nran;          /* ids of successful runs, in order */
static int released_done, released_undone;

static void nap(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int run(void *opaque, void *p, char *errstr, size_t errstr_size)
{
    (void)opaque;
    job_t *j = p;
    atomic_store(&j->started, 1);
    if (j->delay_ms)
        nap(j->delay_ms);
    if (j->fatal) {
        snprintf(errstr, errstr_size, "fatal %d", j->id);
        return CW_ERR_FATAL;
    }
    if (j->transient_failures > 0) {
        j->transient_failures--;
        snprintf(errstr, errstr_size, "boom %d", j->id);
        return CW_ERR_RETRIABLE;
    }
    pthread_mutex_lock(&mu);
    ran[nran++] = j->id;
    pthread_mutex_unlock(&mu);
    return CW_OK;
}

static void release(void *opaque, void *p, int done)
{
    (void)opaque;
    pthread_mutex_lock(&mu);
    if (done)
        released_done++;
    else
        released_undone++;
    pthread_mutex_unlock(&mu);
    free(p);
}

static job_t *job(int id)
{
    job_t *j = calloc(1, sizeof *j);
    j->id = id;
    return j;
}

static void reset(void)
{
    nran = released_done = released_undone = 0;
}

static int ran_is(const char *want)
{
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

int main(void)
{
    char err[256];
    int owner_a, owner_b;
    s3_uploadq_t *q;

    /* In order; wait_idle returns once all are done and released. */
    reset();
    q = s3_uploadq_new(1 << 20, run, release, NULL, err, sizeof err);
    CHECK(q != NULL, "new: %s", err);
    for (int i = 1; i <= 5; i++)
        s3_uploadq_push(q, job(i), &owner_a, 10);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "wait: %s", err);
    CHECK(ran_is("1,2,3,4,5"), "order");
    CHECK(released_done == 5 && s3_uploadq_bytes(q) == 0, "released %d", released_done);
    s3_uploadq_free(q);

    /* A transient failure pauses the queue; admit pushes back (and kicks a retry); the
     * failed job runs again before the next one. */
    reset();
    q = s3_uploadq_new(1 << 20, run, release, NULL, err, sizeof err);
    job_t *flaky = job(2);
    flaky->transient_failures = 1;
    s3_uploadq_push(q, job(1), &owner_a, 10);
    s3_uploadq_push(q, flaky, &owner_a, 10);
    s3_uploadq_push(q, job(3), &owner_b, 10);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_ERR_RETRIABLE, "first failure");
    CHECK(!strcmp(err, "boom 2"), "err %s", err);
    CHECK(ran_is("1"), "job 3 waits behind the failed job");
    CHECK(s3_uploadq_admit(q, 0, err, sizeof err) == CW_ERR_RETRIABLE, "admit while failed");
    CHECK(!strcmp(err, "boom 2"), "err %s", err);
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "the retry works: %s", err);
    CHECK(ran_is("1,2,3"), "order after retries");
    CHECK(s3_uploadq_admit(q, 0, err, sizeof err) == CW_OK, "admit after recovery: %s", err);
    s3_uploadq_free(q);

    /* A fatal failure stops the queue for good. */
    reset();
    q = s3_uploadq_new(1 << 20, run, release, NULL, err, sizeof err);
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
    q = s3_uploadq_new(100, run, release, NULL, err, sizeof err);
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
    q = s3_uploadq_new(1 << 20, run, release, NULL, err, sizeof err);
    job_t *running = job(1);
    running->delay_ms = 200;
    s3_uploadq_push(q, running, &owner_a, 10);
    s3_uploadq_push(q, job(2), &owner_a, 10);
    s3_uploadq_push(q, job(3), &owner_b, 10);
    s3_uploadq_push(q, job(4), &owner_a, 10);
    while (!atomic_load(&running->started))
        nap(1);
    s3_uploadq_cancel(q, &owner_a); /* job 1 is running: cancel waits for it */
    CHECK(s3_uploadq_wait_idle(q, err, sizeof err) == CW_OK, "wait: %s", err);
    CHECK(ran_is("1,3"), "cancel");
    CHECK(released_undone == 2 && released_done == 2, "released %d done, %d undone",
          released_done, released_undone);
    s3_uploadq_free(q);

    /* Cancel of a failed head lets the jobs behind it go. */
    reset();
    q = s3_uploadq_new(1 << 20, run, release, NULL, err, sizeof err);
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

    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("upload queue checks passed\n");
    return 0;
}
