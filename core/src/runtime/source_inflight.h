/*
 * The records a source task has handed to the producer, in order, and what follows from
 * their delivery reports: source offsets stored for the acknowledged prefix only, the acks
 * owed to the plugin, and the first failure.
 *
 * Delivery reports are served by whichever thread calls rd_kafka_poll: the task thread
 * between polls, and the committer thread every CW_OFFSET_STORE_INTERVAL_MS (so offsets keep
 * being stored while a slow poll blocks). Offsets are written as soon as their records are
 * acknowledged, batched: a worker killed with -9 produces again at most about that much
 * (issue 18: with one write per offset.flush.interval.ms, a worker dying more often than
 * that never stored an offset). offset.flush.interval.ms keeps Kafka Connect's meaning for
 * the plugin: its commit (SourceTask.commit) is called at that interval. Everything here is
 * under one mutex; the plugin is only ever called from the task thread (cw_inflight_dispatch).
 */
#ifndef CW_RUNTIME_SOURCE_INFLIGHT_H
#define CW_RUNTIME_SOURCE_INFLIGHT_H
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "runtime/task.h"

/** The longest an acknowledged source offset waits before the offsets file is written (less
 *  when offset.flush.interval.ms is smaller). One write (temp file, fsync, rename) per
 *  interval at most, whatever the record rate. */
#define CW_OFFSET_STORE_INTERVAL_MS 200

typedef struct cw_inflight_slot {
    char *sp, *so;    /* source partition and offset (JSON texts) or NULL, in `texts` */
    char *texts;      /* the record's one allocation of both (cw_record_t source_texts) */
    cw_record_t *rec; /* kept for the plugin's ack; NULL when none is owed */
    int acked;        /* written or skipped: its offset may be stored */
} cw_inflight_slot_t;

typedef struct cw_pending_ack {
    cw_record_t *rec;    /* owned; freed after the plugin saw it */
    cw_source_ack_t ack; /* topic points into rec or into `topic` */
    char *topic, *error; /* owned copies */
} cw_pending_ack_t;

typedef struct cw_inflight {
    pthread_mutex_t mu;
    pthread_mutex_t poll_mu; /* one thread at a time serves delivery reports: in order */
    cw_task_env_t *t;
    int keep_records; /* the plugin has an ack callback */
    int tolerant;     /* errors.tolerance=all: a refused produce is skipped */
    cw_inflight_slot_t *q;
    size_t head, tail, cap;
    uint64_t head_seq;     /* sequence number of q[head] */
    int failed;            /* a record was not written and the task must stop */
    atomic_int kafka_down; /* a delivery timed out: rewind to the stored offsets, wait for Kafka
                              (set under mu; read without it when only the flag is asked for:
                              the task thread asks once a record) */
    char kafka_why[600];
    char failure[1500];
    int offsets_pending; /* put into the store, not written to the file yet */
    int committed;       /* the file was written since the plugin's commit last ran */
    cw_pending_ack_t *acks;
    size_t nacks, capacks;
    rd_kafka_t *rk; /* the producer whose delivery reports come here */
    /* the committer thread */
    pthread_t thread;
    int thread_started, quit;
    pthread_cond_t cond;
} cw_inflight_t;

void cw_inflight_init(cw_inflight_t *f, cw_task_env_t *t, int keep_records, int tolerant);
/** Frees every slot and pending ack (records included). The committer must be stopped. */
void cw_inflight_destroy(cw_inflight_t *f);

/** Takes a slot for the next record: the slot takes over its source partition and offset and,
 *  when acks are kept, the record itself (the caller then no longer owns it). Returns 0 with
 *  *seq, or -1 when out of memory (nothing taken). */
int cw_inflight_add(cw_inflight_t *f, cw_record_t *r, uint64_t *seq);

/** Ends slot `seq` without a delivery report: DROPPED or a skipped FAILED record counts as
 *  done (its offset may be stored); a FAILED one that is not skipped stops the task. */
void cw_inflight_end(cw_inflight_t *f, uint64_t seq, cw_ack_status_t status, const char *error,
                     int skipped);

/** Ends slot `seq` of a record not produced because Kafka is unreachable: the plugin gets a
 *  FAILED ack (not skipped), the slot stays unacknowledged (no offset passes it) and the task
 *  does not fail: it rewinds (cw_inflight_kafka_down). */
void cw_inflight_end_retry(cw_inflight_t *f, uint64_t seq, const char *why);

/** Non-zero once a delivery timed out (message.timeout.ms: Kafka unreachable); copies why. */
int cw_inflight_kafka_down(cw_inflight_t *f, char *why, size_t why_size);

/** After a rewind: every slot is freed (acks owed must have been queued: cw_inflight_abandon
 *  and dispatched), the queue is empty and kafka_down cleared. No delivery report may be
 *  outstanding (flush the producer first). */
void cw_inflight_reset(cw_inflight_t *f);

/** The producer's delivery report callback (opaque: the cw_inflight_t). */
void cw_inflight_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);

/** rd_kafka_poll on f->rk, one thread at a time: delivery reports of one partition are then
 *  handled, and acks queued, in offset order. Every thread serves them through this. */
void cw_inflight_serve(cw_inflight_t *f, int timeout_ms);

/** rd_kafka_flush on f->rk under the same lock: 0 when every produced record got its
 *  delivery report, -1 when some are still outstanding after timeout_ms. */
int cw_inflight_flush(cw_inflight_t *f, int timeout_ms);

size_t cw_inflight_count(cw_inflight_t *f);

/** Non-zero when a record failed for good; copies the reason. */
int cw_inflight_failed(cw_inflight_t *f, char *why, size_t why_size);

/** Moves the offsets of the acknowledged prefix into the store and writes the file when
 *  anything changed. Safe from any thread. */
void cw_inflight_store(cw_inflight_t *f);

/** min(offset.flush.interval.ms, CW_OFFSET_STORE_INTERVAL_MS). */
int64_t cw_inflight_store_interval_ms(const cw_task_env_t *t);

/** Runs the committer thread: every store interval it serves delivery reports and stores
 *  offsets. Returns 0, or -1 when no thread could be created (offsets are then stored from the
 *  task thread only). */
int cw_inflight_start_committer(cw_inflight_t *f);
void cw_inflight_stop_committer(cw_inflight_t *f);

/** Task thread only: hands every pending ack to the plugin, then, when commit_due, calls its
 *  commit if the offsets were stored since the last one. */
void cw_inflight_dispatch(cw_inflight_t *f, const cw_source_ops_t *ops, void *state,
                          int commit_due);

/** At stop: every record still in flight ends FAILED (not skipped) with `why`. */
void cw_inflight_abandon(cw_inflight_t *f, const char *why);
#endif
