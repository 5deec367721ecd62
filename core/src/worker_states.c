/* The herder's connectors and tasks with their states, for cw_worker_metrics: one row per
 * connector (task -1), then its tasks, in Kafka's state names. */
#include <stdio.h>

#include "herder_internal.h"
#include "worker.h"

void cw_worker_herder_states(void *opaque, cw_state_emit_fn emit, void *emit_opaque) {
    cw_herder_t *h = opaque;
    /* The collector runs under the render lock, never the registry's (metrics_int.h), so
     * the state lock may be held here while the herder registers series under it. */
    pthread_mutex_lock(&h->state_lock);
    for (size_t i = 0; i < h->nconns; i++) {
        const cw_hconn_t *hc = h->conns[i];
        const cw_connector_t *c = hc->c;
        const char *cls = c ? cw_props_get(c->props, "connector.class") : NULL;
        cw_state_row_t row = {
            .connector = hc->name,
            .type = hc->type,
            .class_name = cls ? cls : (c && c->plugin ? c->plugin->name : ""),
            .version = c && c->plugin ? c->plugin->version : NULL,
            .task = -1,
            .state = cw_hconn_state(hc),
        };
        emit(&row, emit_opaque);
        for (int k = 0; c && k < c->ntasks; k++) {
            row.task = k;
            row.state = cw_htask_state(hc, &c->tasks[k]);
            row.restarts = c->tasks[k].restarts;
            emit(&row, emit_opaque);
        }
    }
    pthread_mutex_unlock(&h->state_lock);
}
