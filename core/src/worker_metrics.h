/*
 * The worker's own metrics: Kafka Connect's connect-worker-metrics and connector-metrics and
 * the task status of connector-task-metrics (named as Strimzi's JMX exporter rules write them),
 * and the process' memory, CPU and start time (the names of Prometheus' client libraries).
 *
 * Counts by state are computed from the live state each time the registry is rendered (a
 * collector, see metrics.h): the worker (or the herder) hands a "state source" that lists every
 * connector and task with its state, and nothing has to be kept in step as states change.
 */
#ifndef CW_WORKER_METRICS_H
#define CW_WORKER_METRICS_H
#include "metrics.h"

/** One connector (task -1) or task, as a state source lists it. Strings are valid during the
 *  call only. */
typedef struct cw_state_row {
    const char *connector;
    const char *type;       /* "source" or "sink" */
    const char *class_name; /* the connector's plugin (connector.class as configured); or NULL */
    const char *version;    /* the plugin's version; or NULL */
    int task;               /* -1: the connector itself */
    const char *state;      /* Kafka's: UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED, RESTARTING,
                               DESTROYED (any case) */
    int restarts;           /* automatic restarts so far (the restart policy); 0 without one */
} cw_state_row_t;

typedef void (*cw_state_emit_fn)(const cw_state_row_t *row, void *emit_opaque);
/** Calls emit for every connector and each of its tasks (a connector's row before its tasks'),
 *  on the rendering thread, with whatever lock keeps the list still (see the lock order in
 *  metrics.h: the source may take its own lock; it must not call the metrics registry). */
typedef void (*cw_state_source_fn)(void *src, cw_state_emit_fn emit, void *emit_opaque);

typedef struct cw_worker_metrics cw_worker_metrics_t;

/** Registers the worker's metrics and a collector on `m` that lists states through `source`
 *  (NULL: none yet). NULL when out of memory. */
cw_worker_metrics_t *cw_worker_metrics_new(cw_metrics_t *m, cw_state_source_fn source, void *src);
/** Replaces the state source (the herder takes over from the static worker's). Thread-safe
 *  against renders. */
void cw_worker_metrics_set_source(cw_worker_metrics_t *wm, cw_state_source_fn source, void *src);
/** A connector (task 0) or task (task 1) start attempt and its outcome, for
 *  kafka_connect_worker_{connector,task}_startup_*. Lock-free. */
void cw_worker_metrics_startup(cw_worker_metrics_t *wm, int task, int ok);
/** Removes the collector and the worker's series. */
void cw_worker_metrics_free(cw_worker_metrics_t *wm);
#endif
