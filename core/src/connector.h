/* One connector of the worker and its tasks: built from a configuration, split into tasks,
 * task threads started, stopped and joined. The herder (herder.c) decides when; this file
 * knows how. Not thread-safe by itself: the herder serialises calls for one connector. */
#ifndef CW_CONNECTOR_H
#define CW_CONNECTOR_H
#include "worker.h"

/** Builds connector `name` from resolved keys `props` (taken: freed with the connector, or
 *  at once on failure) without starting anything: validates completely (every problem to
 *  errs, naming `origin`; unknown keys are logged as warnings), finds the plugin, merges the
 *  key table, picks the converters. Returns NULL when errs got a problem (nothing is kept). */
cw_connector_t *cw_connector_new(cw_worker_t *w, const char *name, cw_props_t *props,
                                 const char *origin, cw_errlist_t *errs);

/** Frees the connector and its tasks; every task thread must have been joined. */
void cw_connector_free(cw_connector_t *c);

/** Runs the plugin's task_configs and builds c->tasks (not started). Returns 0, or -1 with
 *  errstr (task_configs failed, out of memory). */
int cw_connector_prepare_tasks(cw_connector_t *c, char *errstr, size_t errstr_size);

/** Distributed mode: builds c->tasks from task configurations read from the config topic
 *  (resolved; the array's props are taken) instead of running task_configs here. 0. */
int cw_connector_set_tasks(cw_connector_t *c, int n, cw_props_t **task_props);

/** Frees c->tasks (threads joined) and their metric series; c->ntasks becomes 0. */
void cw_connector_free_tasks(cw_connector_t *c);

/** Starts task i's thread; paused: the task starts paused. A thread that cannot be created
 *  fails the task (returns -1). Source tasks count in w->sources_running. */
int cw_connector_start_task(cw_connector_t *c, int i, int paused);

/** Task i was joined: resets it (env, error, state, metric series) so that it can start
 *  again with the same configuration. */
void cw_connector_reset_task(cw_connector_t *c, int i);

/** Asks task t to stop: how is CW_TASK_STOP_GRACEFUL or CW_TASK_STOP_ABORT, deadline_ms
 *  (cw_now_ms) is when the worker stops waiting, for host->stop_time_left_ms. */
void cw_connector_stop_task(cw_task_t *t, int how, int64_t deadline_ms);

/** Joins a started task before `deadline_ms` (monotonic clock). 0 when joined (or never
 *  started), -1 when the thread is still running (logged, with what it is doing, when log). */
int cw_connector_join_task(cw_task_t *t, int64_t deadline_ms, int log);

/** Logs the keys of `p` at debug level, secrets masked. */
void cw_connector_log_props(const cw_props_t *p, const cw_config_def_t *defs);
/** Logs each unknown key as a warning. */
void cw_connector_warn_unknown(const char *origin, const cw_errlist_t *unknown);
#endif
