/*
 * A source task: plugin poll -> transform chain -> converter -> idempotent producer.
 *
 * Offsets: every record produced gets a slot in an in-order in-flight queue. Delivery reports
 * (served on this thread by rd_kafka_poll/flush) mark slots acknowledged; only the acknowledged
 * prefix of the queue moves source offsets into the offset store, so an offset is never
 * stored ahead of a record Kafka has not acknowledged. The store is written every
 * offset.flush.interval.ms and at stop, then the plugin's commit is called.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "errors.h"
#include "log.h"
#include "record.h"
#include "worker.h"

typedef struct {
    char *sp, *so;
    int acked;
} slot_t;

typedef struct {
    char *name;
    rd_kafka_topic_t *rkt;
} topic_t;

typedef struct {
    cw_task_t *t;
    rd_kafka_t *rk;
    topic_t *topics;       /* every topic this task produced to, with its handle */
    size_t ntopics, last_topic;
    slot_t *q;
    size_t head, tail, cap;
    uint64_t head_seq;     /* sequence number of q[head] */
    int delivery_failed;
    char delivery_error[512];
    int offsets_pending;
} source_t;

/* Takes a slot for the next record; the slot takes over the record's source partition and
 * offset texts (the record is freed after it was produced and no longer needs them). */
static uint64_t enqueue(source_t *s, cw_record_t *r) {
    if (s->tail == s->cap) {
        if (s->head > 0) {
            memmove(s->q, s->q + s->head, (s->tail - s->head) * sizeof *s->q);
            s->tail -= s->head;
            s->head = 0;
        }
        if (s->tail == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 1024;
            s->q = realloc(s->q, s->cap * sizeof *s->q);
            if (!s->q) abort();
        }
    }
    slot_t *e = &s->q[s->tail++];
    e->sp = r->source_partition;
    e->so = r->source_offset;
    r->source_partition = r->source_offset = NULL;
    e->acked = 0;
    return s->head_seq + (s->tail - s->head - 1);
}

static void delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    source_t *s = opaque;
    uint64_t seq = (uint64_t)(uintptr_t)m->_private;
    if (m->err) {
        if (!s->delivery_failed)
            snprintf(s->delivery_error, sizeof s->delivery_error,
                     "delivery to topic %s failed: %s", rd_kafka_topic_name(m->rkt),
                     rd_kafka_err2str(m->err));
        s->delivery_failed = 1;
        return;
    }
    if (seq >= s->head_seq && seq - s->head_seq < s->tail - s->head)
        s->q[s->head + (seq - s->head_seq)].acked = 1;
}

static void slot_free(slot_t *e) {
    free(e->sp);
    free(e->so);
    e->sp = e->so = NULL;
}

/* Moves the offsets of the acknowledged prefix into the store. Only the last offset of each
 * run of records from one source partition is stored: the ones before it would be
 * overwritten at once (a store per record would parse and encode JSON per record). */
static void drain(source_t *s) {
    cw_connector_t *c = s->t->conn;
    slot_t *last = NULL;  /* acknowledged, carries an offset, not stored yet */
    while (s->head < s->tail && s->q[s->head].acked) {
        slot_t *e = &s->q[s->head];
        if (e->sp && e->so) {
            if (last && strcmp(last->sp, e->sp) != 0) {
                cw_offsets_put(c->worker->offsets, c->name, last->sp, last->so);
                s->offsets_pending = 1;
            }
            if (last) slot_free(last);
            last = e;
        } else {
            slot_free(e);
        }
        s->head++;
        s->head_seq++;
    }
    if (last) {
        cw_offsets_put(c->worker->offsets, c->name, last->sp, last->so);
        s->offsets_pending = 1;
        slot_free(last);
    }
}

static size_t inflight(const source_t *s) { return s->tail - s->head; }

static void commit_offsets(source_t *s, void *state) {
    cw_task_t *t = s->t;
    drain(s);
    if (!s->offsets_pending) return;
    char err[1024];
    if (cw_offsets_flush(t->conn->worker->offsets, err, sizeof err) != 0) {
        cw_log(t->conn->name, t->id, CW_LOG_ERROR, "%s (will retry)", err);
        return;
    }
    s->offsets_pending = 0;
    if (t->conn->plugin->source->commit && state) t->conn->plugin->source->commit(state);
}

/* The producer's handle of `name`. The first time a topic is seen its metadata is asked
 * for at once: librdkafka 2.0 otherwise looks up a topic it has not seen yet only on its
 * once-a-second scan, which holds the first records of every topic back for up to a second
 * (the workaround librdkafka's maintainer gives in librdkafka issue #3202). A failed or slow
 * lookup is harmless: the producer's own scan still finds the topic. */
static rd_kafka_topic_t *topic_handle(source_t *s, const char *name) {
    if (s->ntopics && strcmp(s->topics[s->last_topic].name, name) == 0)
        return s->topics[s->last_topic].rkt;
    for (size_t i = 0; i < s->ntopics; i++)
        if (strcmp(s->topics[i].name, name) == 0) {
            s->last_topic = i;
            return s->topics[i].rkt;
        }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(s->rk, name, NULL);
    if (!rkt) return NULL;
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(s->rk, 0, rkt, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_metadata_destroy(md);
    topic_t *nt = realloc(s->topics, (s->ntopics + 1) * sizeof *nt);
    char *copy = strdup(name);
    if (!nt || !copy) abort();
    s->topics = nt;
    s->topics[s->ntopics].name = copy;
    s->topics[s->ntopics].rkt = rkt;
    s->last_topic = s->ntopics++;
    return rkt;
}

/* Waits up to ms while serving delivery reports; returns early when the task is stopped. */
static void wait_ms(source_t *s, int64_t ms) {
    int64_t end = cw_now_ms() + ms;
    while (!atomic_load(&s->t->stop)) {
        int64_t left = end - cw_now_ms();
        if (left <= 0) break;
        rd_kafka_poll(s->rk, (int)(left < 100 ? left : 100));
    }
}

/* One polled record: chain, converter, produce. Returns 0, or -1 when the task must stop. */
static int send_record(source_t *s, cw_chain_t *chain, cw_errors_t *errors, cw_record_t *r) {
    cw_task_t *t = s->t;
    char err[1024];
    const char *failed = NULL;
    int rc = cw_chain_apply(chain, r, &failed, err, sizeof err);
    if (rc == CW_ERR_FATAL) {
        cw_task_fail(t, "%s", err);
        return -1;
    }
    const char *stage = CW_STAGE_TRANSFORMATION;
    const void *key = NULL, *val = NULL;
    size_t klen = 0, vlen = 0;
    if (rc == CW_OK) {
        if (cw_record_wire_key(r, &key, &klen, err, sizeof err) != 0) {
            rc = CW_ERR_RECORD;
            stage = CW_STAGE_KEY_CONVERTER;
        } else if (cw_record_wire_value(r, &val, &vlen, err, sizeof err) != 0) {
            rc = CW_ERR_RECORD;
            stage = CW_STAGE_VALUE_CONVERTER;
        }
    }
    if (rc == CW_ERR_RECORD) {
        char why[1200];
        if (cw_errors_report(errors, r, stage, failed, err, why, sizeof why) != CW_OK) {
            cw_task_fail(t, "%s", why);
            return -1;
        }
        rc = CW_DROP;
    }
    uint64_t seq = enqueue(s, r);
    if (rc == CW_DROP) {
        /* Nothing to wait for: its offset moves once every earlier record is acknowledged. */
        s->q[s->head + (seq - s->head_seq)].acked = 1;
        return 0;
    }
    rd_kafka_topic_t *rkt = topic_handle(s, r->topic);
    if (!rkt) {
        cw_task_fail(t, "cannot produce to topic %s: %s", r->topic,
                     rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    while (1) {
        rd_kafka_headers_t *h = cw_record_kafka_headers(r);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            s->rk, RD_KAFKA_V_RKT(rkt),
            RD_KAFKA_V_PARTITION(r->partition == CW_PARTITION_ANY ? RD_KAFKA_PARTITION_UA
                                                                  : r->partition),
            RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)val, vlen),
            RD_KAFKA_V_TIMESTAMP(r->timestamp == CW_TIMESTAMP_NONE ? 0 : r->timestamp),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)seq),
            RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
        if (!e) return 0;
        if (h) rd_kafka_headers_destroy(h);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            /* Stopping: this record is simply not produced; its offset (and every later
             * one) stays unstored, so a restart produces it. */
            if (atomic_load(&t->stop)) return -1;
            rd_kafka_poll(s->rk, 100);  /* back-pressure: wait for acknowledgements */
            continue;
        }
        cw_task_fail(t, "cannot produce to topic %s partition %" PRId32 ": %s", r->topic,
                     r->partition, rd_kafka_err2str(e));
        return -1;
    }
}

void *cw_source_task_run(void *arg) {
    cw_task_t *t = arg;
    cw_connector_t *c = t->conn;
    cw_worker_t *w = c->worker;
    const cw_source_ops_t *ops = c->plugin->source;
    source_t s = {.t = t};
    cw_chain_t *chain = NULL;
    cw_errors_t *errors = NULL;
    void *state = NULL;
    int started = 0;
    char err[1024] = "", client_id[300];
    struct cw_batch batch;
    cw_batch_init(&batch, &c->key_conv, &c->value_conv);

    snprintf(client_id, sizeof client_id, "connector-producer-%s-%d", c->name, t->id);
    rd_kafka_conf_t *conf = cw_worker_kafka_conf(w, c, "producer", client_id, err, sizeof err);
    if (!conf) {
        cw_task_fail(t, "%s", err);
        goto out;
    }
    /* Kafka acknowledges a record only when all in-sync replicas have it, and retries
     * cannot duplicate or reorder: a stored source offset really is behind durable data. */
    if (rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err) ||
        rd_kafka_conf_set(conf, "acks", "all", err, sizeof err)) {
        rd_kafka_conf_destroy(conf);
        cw_task_fail(t, "producer configuration: %s", err);
        goto out;
    }
    rd_kafka_conf_set_opaque(conf, &s);
    rd_kafka_conf_set_dr_msg_cb(conf, delivered);
    s.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!s.rk) {
        cw_task_fail(t, "cannot create the producer: %s", err);
        goto out;
    }
    chain = cw_chain_new(c->props, w->registry, &t->ctx, err, sizeof err);
    if (!chain) {
        cw_task_fail(t, "%s", err);
        goto out;
    }
    errors = cw_errors_new(c->name, t->id, c->plugin->name, t->config, NULL);

    int64_t backoff = 500, backoff_max = cw_config_get_int(t->config, "errors.retry.delay.max.ms", 0);
    while (!atomic_load(&t->stop)) {
        err[0] = '\0';
        int rc = ops->start(&t->ctx, t->config, &state, err, sizeof err);
        if (rc == CW_OK) {
            started = 1;
            break;
        }
        if (rc != CW_ERR_RETRIABLE) {
            cw_task_fail(t, "start failed: %s", *err ? err : "no reason given");
            goto out;
        }
        cw_log(c->name, t->id, CW_LOG_WARN, "start failed, retrying in %" PRId64 " ms: %s",
               backoff, err);
        wait_ms(&s, backoff);
        backoff = backoff * 2 > backoff_max ? backoff_max : backoff * 2;
    }
    if (started) cw_log(c->name, t->id, CW_LOG_INFO, "source task started");

    int64_t next_flush = cw_now_ms() + w->flush_interval_ms;
    backoff = 100;
    while (started && !atomic_load(&t->stop)) {
        cw_batch_clear(&batch);
        err[0] = '\0';
        int rc = ops->poll(state, &batch, 1000, err, sizeof err);
        if (batch.n)
            cw_log(c->name, t->id, CW_LOG_TRACE, "poll returned %zu record(s), %zu in flight",
                   batch.n, inflight(&s));
        for (size_t i = 0; i < batch.n; i++)
            if (send_record(&s, chain, errors, batch.recs[i]) != 0) goto stop;
        cw_batch_clear(&batch);
        rd_kafka_poll(s.rk, 0);
        if (s.delivery_failed) {
            cw_task_fail(t, "%s; source offsets are not advanced past it", s.delivery_error);
            goto stop;
        }
        drain(&s);
        if (rc == CW_ERR_FATAL) {
            cw_task_fail(t, "poll failed: %s", *err ? err : "no reason given");
            goto stop;
        }
        if (rc == CW_ERR_RETRIABLE) {
            cw_log(c->name, t->id, CW_LOG_WARN, "poll failed, retrying in %" PRId64 " ms: %s",
                   backoff, err);
            wait_ms(&s, backoff);
            backoff = backoff * 2 > backoff_max ? backoff_max : backoff * 2;
        } else {
            backoff = 100;
        }
        if (rc == CW_IDLE && w->batch_mode) {
            /* Batch mode: done once everything produced is acknowledged and stored. */
            while (inflight(&s) && !s.delivery_failed && !atomic_load(&t->stop)) {
                rd_kafka_poll(s.rk, 100);
                drain(&s);
            }
            if (s.delivery_failed) {
                cw_task_fail(t, "%s; source offsets are not advanced past it", s.delivery_error);
                goto stop;
            }
            if (!inflight(&s)) {
                commit_offsets(&s, state);
                cw_log(c->name, t->id, CW_LOG_INFO,
                       "caught up: every record is acknowledged and its offset stored");
                atomic_store(&t->state, CW_TASK_DONE);
                goto stop;
            }
        } else if (rc == CW_IDLE) {
            rd_kafka_poll(s.rk, 100);  /* nothing new: don't spin */
        }
        if (cw_now_ms() >= next_flush) {
            commit_offsets(&s, state);
            next_flush = cw_now_ms() + w->flush_interval_ms;
        }
    }
stop:
    if (s.rk) {
        /* Give in-flight records a bounded time to be acknowledged (within the worker's
         * shutdown budget), store what was, and drop the rest: their offsets stay unstored,
         * so a restart produces them again. */
        int64_t budget = w->shutdown_timeout_ms - 1000;
        if (budget > w->flush_timeout_ms) budget = w->flush_timeout_ms;
        if (budget < 100) budget = 100;
        rd_kafka_flush(s.rk, (int)budget);
        drain(&s);
        if (inflight(&s)) {
            int failed_before = s.delivery_failed;
            rd_kafka_purge(s.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            rd_kafka_poll(s.rk, 0);
            s.delivery_failed = failed_before; /* purged records are not a failure */
        }
        if (!s.delivery_failed) commit_offsets(&s, state);
        if (inflight(&s))
            cw_log(c->name, t->id, CW_LOG_WARN,
                   "%zu record(s) not acknowledged at stop; their offsets are not stored and "
                   "they will be produced again after a restart",
                   inflight(&s));
    }
    if (started && ops->stop) ops->stop(state);
out:
    cw_batch_destroy(&batch);
    cw_chain_free(chain);
    cw_errors_free(errors);
    for (size_t i = 0; i < s.ntopics; i++) {
        rd_kafka_topic_destroy(s.topics[i].rkt);
        free(s.topics[i].name);
    }
    free(s.topics);
    if (s.rk) rd_kafka_destroy(s.rk);
    while (s.head < s.tail) {
        free(s.q[s.head].sp);
        free(s.q[s.head].so);
        s.head++;
    }
    free(s.q);
    if (atomic_load(&t->state) == CW_TASK_RUNNING) atomic_store(&t->state, CW_TASK_DONE);
    atomic_fetch_sub(&w->sources_running, 1);
    cw_log(c->name, t->id, CW_LOG_INFO, "source task stopped%s",
           atomic_load(&t->state) == CW_TASK_FAILED ? " with an error" : "");
    return NULL;
}
