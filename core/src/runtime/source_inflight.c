/* The in-order in-flight queue of a source task (see source_inflight.h). */
#include "runtime/source_inflight.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "record.h"

void cw_inflight_init(cw_inflight_t *f, cw_task_env_t *t, int keep_records, int tolerant) {
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    pthread_mutex_init(&f->poll_mu, NULL);
    pthread_cond_init(&f->cond, NULL);
    f->t = t;
    f->keep_records = keep_records;
    f->tolerant = tolerant;
}

static void slot_free(cw_inflight_slot_t *e) {
    free(e->texts);
    cw_record_free(e->rec);
    e->sp = e->so = e->texts = NULL;
    e->rec = NULL;
}

static void pending_free(cw_pending_ack_t *a) {
    cw_record_free(a->rec);
    free(a->topic);
    free(a->error);
}

void cw_inflight_destroy(cw_inflight_t *f) {
    for (size_t i = f->head; i < f->tail; i++) slot_free(&f->q[i]);
    free(f->q);
    for (size_t i = 0; i < f->nacks; i++) pending_free(&f->acks[i]);
    free(f->acks);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->poll_mu);
    pthread_mutex_destroy(&f->mu);
}

/* Room for one more slot: compacts first, grows when full. Under the lock. */
static int make_room(cw_inflight_t *f) {
    if (f->tail < f->cap) return 0;
    if (f->head > 0) {
        memmove(f->q, f->q + f->head, (f->tail - f->head) * sizeof *f->q);
        f->tail -= f->head;
        f->head = 0;
    }
    if (f->tail < f->cap) return 0;
    size_t cap = f->cap ? f->cap * 2 : 1024;
    cw_inflight_slot_t *q = realloc(f->q, cap * sizeof *q);
    if (!q) return -1;
    f->q = q;
    f->cap = cap;
    return 0;
}

int cw_inflight_add(cw_inflight_t *f, cw_record_t *r, uint64_t *seq) {
    pthread_mutex_lock(&f->mu);
    if (make_room(f)) {
        pthread_mutex_unlock(&f->mu);
        return -1;
    }
    cw_inflight_slot_t *e = &f->q[f->tail++];
    e->sp = r->source_partition;
    e->so = r->source_offset;
    e->texts = r->source_texts;
    r->source_partition = r->source_offset = r->source_texts = NULL;
    e->rec = f->keep_records ? r : NULL;
    e->acked = 0;
    *seq = f->head_seq + (f->tail - f->head - 1);
    pthread_mutex_unlock(&f->mu);
    return 0;
}

static cw_inflight_slot_t *slot_of(cw_inflight_t *f, uint64_t seq) {
    if (seq < f->head_seq || seq - f->head_seq >= f->tail - f->head) return NULL;
    return &f->q[f->head + (seq - f->head_seq)];
}

/* Queues the plugin's ack for the slot's record (which moves to the ack). Under the lock.
 * Out of memory: the plugin misses this ack, the worker logs it, nothing else changes. */
static void queue_ack(cw_inflight_t *f, cw_inflight_slot_t *e, const cw_source_ack_t *ack) {
    if (!e->rec) return;
    if (f->nacks == f->capacks) {
        size_t cap = f->capacks ? f->capacks * 2 : 256;
        cw_pending_ack_t *a = realloc(f->acks, cap * sizeof *a);
        if (!a) {
            cw_log(f->t->connector, f->t->id, CW_LOG_ERROR, "out of memory: an ack is lost");
            return;
        }
        f->acks = a;
        f->capacks = cap;
    }
    cw_pending_ack_t *p = &f->acks[f->nacks++];
    p->rec = e->rec;
    e->rec = NULL;
    p->ack = *ack;
    p->topic = ack->topic ? strdup(ack->topic) : NULL;
    p->error = ack->error ? strdup(ack->error) : NULL;
    p->ack.topic = p->topic ? p->topic : cw_record_topic(p->rec);
    p->ack.error = p->error ? p->error : (ack->error ? "out of memory" : NULL);
}

/* A record that was not written. Under the lock. */
static void end_failed(cw_inflight_t *f, cw_inflight_slot_t *e, const char *error, int skipped) {
    if (skipped) {
        e->acked = 1;
    } else if (!f->failed) {
        f->failed = 1;
        snprintf(f->failure, sizeof f->failure, "%s", error);
    }
    cw_source_ack_t ack = {.status = CW_ACK_FAILED,
                           .partition = CW_PARTITION_ANY,
                           .offset = CW_OFFSET_INVALID,
                           .timestamp = CW_TIMESTAMP_NONE,
                           .error = error,
                           .skipped = skipped};
    queue_ack(f, e, &ack);
}

void cw_inflight_end(cw_inflight_t *f, uint64_t seq, cw_ack_status_t status, const char *error,
                     int skipped) {
    pthread_mutex_lock(&f->mu);
    cw_inflight_slot_t *e = slot_of(f, seq);
    if (e && status == CW_ACK_DROPPED) {
        e->acked = 1;
        cw_source_ack_t ack = {.status = CW_ACK_DROPPED,
                               .partition = CW_PARTITION_ANY,
                               .offset = CW_OFFSET_INVALID,
                               .timestamp = CW_TIMESTAMP_NONE};
        queue_ack(f, e, &ack);
    } else if (e) {
        end_failed(f, e, error ? error : "not written", skipped);
    }
    pthread_mutex_unlock(&f->mu);
}

static int purged(rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT;
}

/* Kafka did not answer within message.timeout.ms: retriable (issue 18), not the record's
 * fault. Kafka Connect fails the task for good here. */
static int timed_out(rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT || err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE ||
           err == RD_KAFKA_RESP_ERR__TIMED_OUT;
}

/* A record that Kafka did not take in time: its slot stays unacknowledged, the plugin learns
 * it failed, the task rewinds. Under the lock. */
static void end_retry(cw_inflight_t *f, cw_inflight_slot_t *e, const char *why) {
    if (!f->kafka_down) {
        snprintf(f->kafka_why, sizeof f->kafka_why, "%s", why);
        f->kafka_down = 1;
    }
    cw_source_ack_t ack = {.status = CW_ACK_FAILED,
                           .partition = CW_PARTITION_ANY,
                           .offset = CW_OFFSET_INVALID,
                           .timestamp = CW_TIMESTAMP_NONE,
                           .error = why};
    queue_ack(f, e, &ack);
}

void cw_inflight_end_retry(cw_inflight_t *f, uint64_t seq, const char *why) {
    pthread_mutex_lock(&f->mu);
    cw_inflight_slot_t *e = slot_of(f, seq);
    if (e) end_retry(f, e, why);
    pthread_mutex_unlock(&f->mu);
}

int cw_inflight_kafka_down(cw_inflight_t *f, char *why, size_t why_size) {
    if (!why) return atomic_load(&f->kafka_down);
    pthread_mutex_lock(&f->mu);
    int down = f->kafka_down;
    if (down && why) snprintf(why, why_size, "%s", f->kafka_why);
    pthread_mutex_unlock(&f->mu);
    return down;
}

void cw_inflight_reset(cw_inflight_t *f) {
    pthread_mutex_lock(&f->mu);
    for (size_t i = f->head; i < f->tail; i++) slot_free(&f->q[i]);
    f->head_seq += f->tail - f->head; /* a stale sequence number finds no slot */
    f->head = f->tail = 0;
    f->kafka_down = 0;
    pthread_mutex_unlock(&f->mu);
}

void cw_inflight_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    cw_inflight_t *f = opaque;
    char why[600];
    pthread_mutex_lock(&f->mu);
    cw_inflight_slot_t *e = slot_of(f, (uint64_t)(uintptr_t)m->_private);
    if (!e) {
        /* abandoned at stop already */
    } else if (purged(m->err)) {
        /* Stopping: not a failure of the record; its offset (and every later one) stays
         * unstored, so a restart produces it again. */
        cw_source_ack_t ack = {.status = CW_ACK_FAILED,
                               .partition = CW_PARTITION_ANY,
                               .offset = CW_OFFSET_INVALID,
                               .timestamp = CW_TIMESTAMP_NONE,
                               .error = "not acknowledged by Kafka before the task stopped"};
        queue_ack(f, e, &ack);
    } else if (timed_out(m->err)) {
        snprintf(why, sizeof why,
                 "not acknowledged by Kafka (topic %s) within message.timeout.ms: %s; it is "
                 "produced again once Kafka answers",
                 rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        end_retry(f, e, why);
    } else if (m->err) {
        snprintf(why, sizeof why, "delivery to topic %s partition %" PRId32 " failed: %s",
                 rd_kafka_topic_name(m->rkt), m->partition, rd_kafka_err2str(m->err));
        if (f->tolerant)
            cw_log(f->t->connector, f->t->id, CW_LOG_WARN,
                   "%s; record skipped (errors.tolerance=all)", why);
        end_failed(f, e, why, f->tolerant);
    } else {
        e->acked = 1;
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(m, &tstype);
        cw_source_ack_t ack = {.status = CW_ACK_WRITTEN,
                               .topic = rd_kafka_topic_name(m->rkt),
                               .partition = m->partition,
                               .offset = m->offset,
                               .timestamp = ts >= 0 ? ts : CW_TIMESTAMP_NONE};
        queue_ack(f, e, &ack);
    }
    pthread_mutex_unlock(&f->mu);
}

void cw_inflight_serve(cw_inflight_t *f, int timeout_ms) {
    pthread_mutex_lock(&f->poll_mu);
    rd_kafka_poll(f->rk, timeout_ms);
    pthread_mutex_unlock(&f->poll_mu);
}

int cw_inflight_flush(cw_inflight_t *f, int timeout_ms) {
    pthread_mutex_lock(&f->poll_mu);
    rd_kafka_resp_err_t err = rd_kafka_flush(f->rk, timeout_ms);
    pthread_mutex_unlock(&f->poll_mu);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

size_t cw_inflight_count(cw_inflight_t *f) {
    pthread_mutex_lock(&f->mu);
    size_t n = f->tail - f->head;
    pthread_mutex_unlock(&f->mu);
    return n;
}

int cw_inflight_failed(cw_inflight_t *f, char *why, size_t why_size) {
    pthread_mutex_lock(&f->mu);
    int failed = f->failed;
    if (failed && why) snprintf(why, why_size, "%s", f->failure);
    pthread_mutex_unlock(&f->mu);
    return failed;
}

/* Moves the offsets of the acknowledged prefix into the store. Only the last offset of each
 * run of records from one source partition is stored: the ones before it would be
 * overwritten at once (a store per record would parse and encode JSON per record). Under the
 * lock. */
static void drain(cw_inflight_t *f) {
    cw_inflight_slot_t *last = NULL; /* acknowledged, carries an offset, not stored yet */
    while (f->head < f->tail && f->q[f->head].acked) {
        cw_inflight_slot_t *e = &f->q[f->head];
        if (e->sp && e->so) {
            if (last && strcmp(last->sp, e->sp) != 0) {
                cw_offsets_put(f->t->offsets, f->t->connector, last->sp, last->so);
                f->offsets_pending = 1;
            }
            if (last) slot_free(last);
            last = e;
        } else {
            slot_free(e);
        }
        f->head++;
        f->head_seq++;
    }
    if (last) {
        cw_offsets_put(f->t->offsets, f->t->connector, last->sp, last->so);
        f->offsets_pending = 1;
        slot_free(last);
    }
}

void cw_inflight_store(cw_inflight_t *f) {
    char err[1024];
    pthread_mutex_lock(&f->mu);
    drain(f);
    int pending = f->offsets_pending;
    f->offsets_pending = 0;
    size_t active = f->tail - f->head;
    pthread_mutex_unlock(&f->mu);
    cw_task_metrics_active(f->t->tm, active);
    if (!pending) return;
    /* The file is written outside the lock: delivery reports go on meanwhile. */
    int64_t started = cw_now_us();
    int rc = cw_offsets_flush(f->t->offsets, err, sizeof err);
    cw_task_metrics_commit(f->t->tm, rc == 0, (double)(cw_now_us() - started) / 1000);
    if (rc != 0) {
        cw_log(f->t->connector, f->t->id, CW_LOG_ERROR, "%s (will retry)", err);
        pthread_mutex_lock(&f->mu);
        f->offsets_pending = 1;
        pthread_mutex_unlock(&f->mu);
        return;
    }
    pthread_mutex_lock(&f->mu);
    f->committed = 1;
    pthread_mutex_unlock(&f->mu);
}

static void *committer(void *arg) {
    cw_inflight_t *f = arg;
    pthread_mutex_lock(&f->mu);
    while (!f->quit) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ms = cw_inflight_store_interval_ms(f->t);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&f->cond, &f->mu, &ts);
        if (f->quit) break;
        pthread_mutex_unlock(&f->mu);
        cw_inflight_serve(f, 0); /* delivery reports that arrived while poll ran */
        cw_inflight_store(f);
        pthread_mutex_lock(&f->mu);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

int cw_inflight_start_committer(cw_inflight_t *f) {
    f->quit = 0;
    if (pthread_create(&f->thread, NULL, committer, f) != 0) return -1;
    f->thread_started = 1;
    return 0;
}

void cw_inflight_stop_committer(cw_inflight_t *f) {
    if (!f->thread_started) return;
    pthread_mutex_lock(&f->mu);
    f->quit = 1;
    pthread_cond_signal(&f->cond);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    f->thread_started = 0;
}

int64_t cw_inflight_store_interval_ms(const cw_task_env_t *t) {
    int64_t ms = t->flush_interval_ms;
    if (ms <= 0) ms = 1;
    return ms < CW_OFFSET_STORE_INTERVAL_MS ? ms : CW_OFFSET_STORE_INTERVAL_MS;
}

void cw_inflight_dispatch(cw_inflight_t *f, const cw_source_ops_t *ops, void *state,
                          int commit_due) {
    pthread_mutex_lock(&f->mu);
    cw_pending_ack_t *acks = f->acks;
    size_t n = f->nacks;
    int committed = commit_due && f->committed;
    f->acks = NULL;
    f->nacks = f->capacks = 0;
    if (committed) f->committed = 0;
    pthread_mutex_unlock(&f->mu);
    /* Outside the lock: the plugin may take its time, delivery reports go on. */
    for (size_t i = 0; i < n; i++) {
        if (ops->ack && state) ops->ack(state, acks[i].rec, &acks[i].ack);
        pending_free(&acks[i]);
    }
    free(acks);
    /* A distributed worker that may have lost its lease (a zombie) tells no plugin of a
     * commit, even one that happened before it was stopped. */
    if (committed && ops->commit && state && !cw_offsets_fenced(f->t->offsets)) ops->commit(state);
}

void cw_inflight_abandon(cw_inflight_t *f, const char *why) {
    pthread_mutex_lock(&f->mu);
    for (size_t i = f->head; i < f->tail; i++) {
        cw_inflight_slot_t *e = &f->q[i];
        if (e->acked || !e->rec) continue;
        cw_source_ack_t ack = {.status = CW_ACK_FAILED,
                               .partition = CW_PARTITION_ANY,
                               .offset = CW_OFFSET_INVALID,
                               .timestamp = CW_TIMESTAMP_NONE,
                               .error = why};
        queue_ack(f, e, &ack);
    }
    pthread_mutex_unlock(&f->mu);
}
