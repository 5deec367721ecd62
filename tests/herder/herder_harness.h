/* A worker run in a thread of the test, driven through the herder; polling helpers. */
#ifndef CW_TEST_HERDER_HARNESS_H
#define CW_TEST_HERDER_HARNESS_H
#include <jansson.h>
#include <stdint.h>

#include "herder_internal.h"
#include "worker.h"

typedef struct {
    cw_worker_t *w;
    cw_herder_t *h;
    int rc; /* cw_worker_run's */
    pthread_t thread;
    char dir[256]; /* the test's temporary directory */
} harness_t;

/** Writes `text` to dir/name and returns the path (static buffer per call site: copy). */
char *harness_file(const harness_t *t, const char *name, const char *text);
/** Starts a worker on dir/worker.properties with the connector files given, keep-running,
 *  and waits until its herder runs. 0 or -1. */
int harness_start(harness_t *t, const char *plugin_dir, const char *const *files, size_t n);
/** Stops it (as SIGTERM) and frees it; returns cw_worker_run's exit code. */
int harness_stop(harness_t *t);

/** Polls cond(arg) every 20 ms for up to timeout_ms. 1 when it became true. */
int wait_for(int (*cond)(void *), void *arg, int timeout_ms);
/** The state of the connector (task -1) or of one task in its status; "" when absent. */
const char *state_of(cw_herder_t *h, const char *conn, int task, char *buf, size_t size);
/** Waits until state_of(...) is `state`. */
int wait_state(cw_herder_t *h, const char *conn, int task, const char *state, int timeout_ms);
/** Lines in a file (0 when missing). */
long count_lines(const char *path);
/** Lines containing `needle`. */
long count_matching(const char *path, const char *needle);
/** Appends a line to a file. */
void append_line(const char *path, const char *line);
/** The high watermark of partition 0 of `topic` in the worker's embedded cluster (-1). */
int64_t high_watermark(harness_t *t, const char *topic);
/** Produces `value` to partition 0 of `topic` and waits for the acknowledgement. 0 or -1. */
int produce(harness_t *t, const char *topic, const char *value);
/** The paused rounds of task `task` of `conn` so far. */
long paused_rounds(cw_herder_t *h, const char *conn, int task);
#endif
