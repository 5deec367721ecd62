/*
 * Stopping the worker on signals (issue 18). SIGTERM, SIGINT and SIGHUP (as the JVM treats
 * it: no config reload) start a graceful stop: every task flushes and commits within
 * task.shutdown.graceful.timeout.ms. A second one of them aborts it: tasks are told to abort
 * (host->stopping returns CW_STOP_ABORT), the worker waits at most CW_ABORT_GRACE_MS more for
 * them to commit what is durable, then exits. A task still running at the deadline is named
 * with what it was doing.
 */
#ifndef CW_WORKER_STOP_H
#define CW_WORKER_STOP_H
#include <signal.h>
#include <stdint.h>

#include "worker.h"

/** How long tasks get after an abort to commit what is durable and stop. */
#define CW_ABORT_GRACE_MS 2000

/** "SIGTERM", "SIGINT", "SIGHUP" or "signal N". */
const char *cw_signal_name(int sig);

/** Takes one pending signal of `set` without waiting; returns 1 (after a WARN line) when it is
 *  a stop signal, i.e. a second one during the graceful stop. */
int cw_worker_stop_signalled(const sigset_t *set);

/** The deadline after an abort: now + CW_ABORT_GRACE_MS, never later than `deadline_ms`. */
int64_t cw_worker_abort_deadline(int64_t deadline_ms);

/** The ERROR line for a task still running at the deadline: connector, task, plugin and what
 *  the task thread was doing (env.doing). */
void cw_worker_log_not_stopped(const cw_task_t *t, int64_t timeout_ms);
#endif
