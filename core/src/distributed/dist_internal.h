/* The distributed herder's insides, shared by the files of core/src/distributed only. */
#ifndef CW_DIST_INTERNAL_H
#define CW_DIST_INTERNAL_H
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "distributed/dist.h"
#include "distributed/lease_view.h"
#include "storage/config_state.h"
#include "storage/kafka_log.h"
#include "storage/status_state.h"
#include "worker.h"

/* Reading a topic to its end in one turn of the loop waits at most this long. */
#define CW_DIST_READ_MS 1000

/** A connector with tasks built on this worker. */
typedef struct cw_dconn {
    char *name;
    cw_connector_t *c; /* tasks 0..n-1 built from the committed configs (not all started) */
    cw_props_t **cfgs; /* the committed (unresolved) configuration of each task */
    int ncfgs;
    char **written; /* per task: the last status written by this worker ("" none) */
} cw_dconn_t;

struct cw_dist {
    cw_worker_t *w;
    /* settings (worker keys) */
    char *group_id, *leases_topic, *worker_id, *url;
    int nslots, session_ms, heartbeat_ms, rebalance_ms;
    int64_t delay_ms;
    /* Kafka */
    rd_kafka_t *group; /* the lease consumer (never fetches: all paused) */
    cw_klog_t *cfg_log, *st_log, *lease_log;
    /* lock guards cfg, st, view, owned, leader fields and restarts; REST threads read them. */
    pthread_mutex_t lock;
    cw_config_state_t *cfg;
    cw_status_state_t *st;
    cw_lease_view_t view;
    unsigned char *owned;  /* slot -> held by this worker */
    int64_t *not_before;   /* slot -> its units may start from then (monotonic ms) */
    atomic_int leader;     /* this worker is the leader (its leader record was read back) */
    char nonce[40];        /* of the leader record this worker wrote, "" none */
    int64_t my_epoch, seq; /* the leader's epoch and the last table sequence it wrote */
    int table_pending;     /* a table was written and is not read back yet */
    int64_t claimed_ms;    /* when the leader record was written */
    json_t *generated;     /* leader: connector -> config text its task configs came from */
    json_t *restarts;      /* restart requests read: [connector, include_tasks, only_failed] */
    char *last_leader;     /* the leader last logged */
    /* the loop thread's */
    cw_dconn_t **conns;
    size_t nconns;
    json_t *conn_written; /* connector -> status this worker last wrote for it */
    int member_dirty;
    int64_t applied_epoch, applied_seq;
    char *last_assignment;  /* the last "assignment:" line logged */
    atomic_llong cfg_ok_ms; /* last time the config topic was read to its end */
    int64_t fenced_since_ms;
    /* the watchdog: a stopped process (SIGSTOP, a frozen VM) is noticed at once on resume */
    pthread_t watchdog;
    atomic_int quit;
    atomic_llong alive_ms; /* refreshed every 100 ms by the watchdog */
    atomic_int fenced;     /* the lease may be lost: no offset commit, units aborted */
};

/* dist_run.c */
int64_t cw_dist_now(void);
/** 1 when offsets must not be committed (the lease may be lost). Thread-safe. */
int cw_dist_fenced(void *opaque);
/** Reads the three topics to their end (config, status, leases partition 0). */
int cw_dist_read_all(cw_dist_t *d);
/** Sends one record to partition 0 of the leases topic and waits for it. 0 or -1 (logged). */
int cw_dist_lease_send(cw_dist_t *d, const char *key, const char *value);
/** Publishes this worker's member record (slots, applied table). */
void cw_dist_publish_member(cw_dist_t *d);

/* dist_group.c */
int cw_dist_group_open(cw_dist_t *d, char *errstr, size_t n);
void cw_dist_group_poll(cw_dist_t *d);
void cw_dist_group_close(cw_dist_t *d);
/** After a pause no rebalance followed: the current assignment is this worker's again. */
void cw_dist_group_readopt(cw_dist_t *d);

/* dist_units.c (the loop thread) */
/** Starts and stops this worker's units to match the table, its slots and the configs. */
void cw_dist_apply_units(cw_dist_t *d);
/** Stops the units bound to the given slots (NULL: all). abort: without committing. */
void cw_dist_stop_units(cw_dist_t *d, const unsigned char *slots, int abort);
/** Writes a status record (state NULL: tombstone). */
void cw_dist_put_status(cw_dist_t *d, const char *connector, int task, const char *state,
                        const char *trace);
void cw_dist_units_free(cw_dist_t *d);

/* dist_leader.c (the loop thread) */
void cw_dist_leader_turn(cw_dist_t *d);

/* dist_api.c */
/** The leader's URL when another worker is the leader (malloc'd), "" (malloc'd) when this
 *  worker is, NULL when no leader is known. */
char *cw_dist_leader_url(cw_dist_t *d);
cw_dist_t *cw_dist_of(struct cw_worker *w);
#endif
