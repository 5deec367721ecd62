/* The source task (start, poll, stop; rds_task.c) and the connector's task split
 * (rds_split.c). */
#ifndef RDS_TASK_H
#define RDS_TASK_H
#include "connect-worker/plugin.h"

/* The host table, kept by the module's init (read-only afterwards). */
extern const cw_host_t *rds_host;

int rds_task_configs(cw_ctx_t *ctx, const cw_config_t *config, int max_tasks,
                     cw_task_split_t *split, char *errstr, size_t errstr_size);
int rds_task_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                   size_t errstr_size);
int rds_task_poll(void *state, cw_batch_t *batch, int timeout_ms, char *errstr, size_t errstr_size);
void rds_task_stop(void *state);
#endif
