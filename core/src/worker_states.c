/* The static worker's connectors and tasks with their states, for cw_worker_metrics. Kafka's
 * names: a task that ended without failing (stopped, or caught up in batch mode) is
 * UNASSIGNED, as Kafka reports a task after its shutdown; connectors are RUNNING until the
 * worker stops them. */
#include <stdio.h>

#include "worker.h"

static const char *task_state(const cw_task_t *t) {
    switch (atomic_load(&t->env.state)) {
    case CW_TASK_RUNNING: return "RUNNING";
    case CW_TASK_FAILED: return "FAILED";
    default: return "UNASSIGNED";
    }
}

void cw_worker_static_states(void *opaque, cw_state_emit_fn emit, void *emit_opaque) {
    cw_worker_t *w = opaque;
    int stopped = atomic_load(&w->stopped);
    for (size_t i = 0; i < w->nconnectors; i++) {
        const cw_connector_t *c = w->connectors[i];
        if (!c->plugin) continue;
        cw_state_row_t row = {
            .connector = c->name,
            .type = cw_plugin_kind_name(c->plugin->kind),
            .class_name = cw_props_get(c->props, "connector.class")
                              ? cw_props_get(c->props, "connector.class")
                              : c->plugin->name,
            .version = c->plugin->version,
            .task = -1,
            .state = stopped ? "UNASSIGNED" : "RUNNING",
        };
        emit(&row, emit_opaque);
        for (int k = 0; k < c->ntasks; k++) {
            row.task = k;
            row.state = task_state(&c->tasks[k]);
            emit(&row, emit_opaque);
        }
    }
}
