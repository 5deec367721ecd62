/* The worker keys of distributed mode and their checks (Kafka's DistributedConfig names). */
#include <string.h>

#include "distributed/dist.h"
#include "storage/internal_topics.h"
#include "worker.h"

void cw_dist_validate(const cw_worker_t *w, const char *origin, cw_errlist_t *errs) {
    static const char *const required[] = {"config.storage.topic", "offset.storage.topic",
                                           "status.storage.topic"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = cw_config_get(w->config, required[i]);
        if (!v || !*v)
            cw_errlist_add(errs,
                           "%s: %s: required in distributed mode (the topic of the cluster's "
                           "%s)",
                           origin, required[i],
                           i == 0   ? "connector configurations"
                           : i == 1 ? "source offsets"
                                    : "statuses");
    }
}
