/* The restart policy (errors.restart.*, beyond Kafka Connect): a FAILED task is restarted
 * after a backoff that doubles up to a cap, at most max.restarts times in a row; a task that
 * has run healthy.ms since its last start has its count and backoff reset. The herder's tick
 * (herder.c) applies it; this file reads the keys. */
#include <string.h>
#include <strings.h>

#include "herder_internal.h"

void cw_restart_policy_read(const cw_config_t *cfg, cw_restart_policy_t *p) {
    const char *policy = cw_config_get(cfg, "errors.restart.policy");
    p->enabled = policy && strcasecmp(policy, "always") == 0;
    p->initial_backoff_ms = cw_config_get_int(cfg, "errors.restart.initial.backoff.ms", 0);
    p->max_backoff_ms = cw_config_get_int(cfg, "errors.restart.max.backoff.ms", 0);
    p->max_restarts = cw_config_get_int(cfg, "errors.restart.max.restarts", 0);
    p->healthy_ms = cw_config_get_int(cfg, "errors.restart.healthy.ms", 0);
    if (p->initial_backoff_ms < 1) p->initial_backoff_ms = 1;
    if (p->max_backoff_ms < p->initial_backoff_ms) p->max_backoff_ms = p->initial_backoff_ms;
}
