/*
 * Distributed mode (connect-worker --distributed worker.properties): a set of worker
 * processes forms one Connect cluster through Kafka. Membership is a consumer group
 * (group.id) over the leases topic; owning lease partition i is holding slot i; the holder of
 * slot 0 is the leader. Connector configurations, task configurations, target states,
 * statuses and source offsets live in Kafka Connect's three topics, in Kafka Connect's
 * formats. See core/README.md ("Distributed mode") for the design and its reasons.
 *
 * The REST layer stays a client of herder.h: a herder whose worker is distributed answers
 * from this module (cw_dist_* below), and writes reaching a follower are forwarded to the
 * leader (cw_dist_forward).
 */
#ifndef CW_DIST_H
#define CW_DIST_H
#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "config.h"

struct cw_worker;
struct cw_rest_req;
struct cw_rest_resp;
typedef struct cw_dist cw_dist_t;

/** --distributed's checks of the worker file: the three topics are required (one error per
 *  missing key, naming it), the config topic must have one partition. */
void cw_dist_validate(const struct cw_worker *w, const char *origin, cw_errlist_t *errs);

/** Runs the worker in distributed mode until a stop signal of `signals` (blocked by the
 *  caller) or cw_worker_stop. Returns a CW_EXIT_* code. */
int cw_dist_run(struct cw_worker *w, const sigset_t *signals);

/** The REST router's hook for writes (POST/PUT/PATCH/DELETE under /connectors): on a
 *  follower the request is forwarded to the leader and its answer copied to r (1), with no
 *  known leader r is Kafka's 409 (1); on the leader, or when the worker is not distributed,
 *  0 (handle it here). */
int cw_dist_forward(struct cw_rest_req *q, struct cw_rest_resp *r);

/* The herder.h backend (herder.h documents each; same codes and shapes). */
int cw_dist_connectors(cw_dist_t *d, int expand, json_t **out);
int cw_dist_info(cw_dist_t *d, const char *name, json_t **out, char *errstr, size_t n);
int cw_dist_config(cw_dist_t *d, const char *name, json_t **out, char *errstr, size_t n);
int cw_dist_status(cw_dist_t *d, const char *name, int task, json_t **out, char *errstr, size_t n);
int cw_dist_task_configs(cw_dist_t *d, const char *name, json_t **out, char *errstr, size_t n);
int cw_dist_put(cw_dist_t *d, const char *name, const json_t *config, int create_only,
                int initial_state, int *created, json_t **out, char *errstr, size_t n);
int cw_dist_patch(cw_dist_t *d, const char *name, const json_t *patch, json_t **out, char *errstr,
                  size_t n);
int cw_dist_delete(cw_dist_t *d, const char *name, char *errstr, size_t n);
int cw_dist_target(cw_dist_t *d, const char *name, int state, char *errstr, size_t n);
int cw_dist_restart(cw_dist_t *d, const char *name, int include_tasks, int only_failed,
                    json_t **status, char *errstr, size_t n);
int cw_dist_offsets_get(cw_dist_t *d, const char *name, json_t **out, char *errstr, size_t n);
int cw_dist_unsupported(char *errstr, size_t n);
/** The worker's distributed herder while cw_dist_run runs, else NULL (standalone). */
cw_dist_t *cw_dist_of(struct cw_worker *w);
#endif
