/* Stop signals and the deadline of a stop (see worker_stop.h). */
#include "worker_stop.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

const char *cw_signal_name(int sig) {
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

int cw_worker_stop_signalled(const sigset_t *set) {
    struct timespec zero = {0, 0};
    int sig;
    while ((sig = sigtimedwait(set, NULL, &zero)) > 0) {
        if (sig != SIGTERM && sig != SIGINT && sig != SIGHUP) continue; /* a task woke us */
        cw_log_warn("received %s again: aborting the graceful stop; tasks are told to abort "
                    "and commit only what is durable; exiting within %d ms",
                    cw_signal_name(sig), CW_ABORT_GRACE_MS);
        return 1;
    }
    return 0;
}

int64_t cw_worker_abort_deadline(int64_t deadline_ms) {
    int64_t soon = cw_now_ms() + CW_ABORT_GRACE_MS;
    return soon < deadline_ms ? soon : deadline_ms;
}

void cw_worker_log_not_stopped(const cw_task_t *t, int64_t timeout_ms) {
    const char *doing = atomic_load(&t->env.doing);
    cw_log(t->conn->name, t->env.id, CW_LOG_ERROR,
           "did not stop within task.shutdown.graceful.timeout.ms (%" PRId64
           " ms): still in %s (%s plugin %s)",
           timeout_ms, doing ? doing : "its start-up", cw_plugin_kind_name(t->conn->plugin->kind),
           t->conn->plugin->name);
}
