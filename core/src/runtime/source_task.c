/*
 * A source task: plugin poll -> transform chain -> converter -> idempotent producer.
 *
 * Offsets: every record produced gets a slot in an in-order in-flight queue
 * (source_inflight.c). Delivery reports mark slots acknowledged; only the acknowledged prefix
 * of the queue moves source offsets into the offset store, so an offset is never stored ahead
 * of a record Kafka has not acknowledged. The store is written within
 * CW_OFFSET_STORE_INTERVAL_MS of an acknowledgement by a committer thread (also while poll
 * blocks) and at stop; the plugin's ack is called on this thread between polls, its commit
 * there too, every offset.flush.interval.ms.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "errors.h"
#include "log.h"
#include "record.h"
#include "runtime/client_stats.h"
#include "runtime/source_inflight.h"
#include "runtime/task.h"

typedef struct {
    char *name;
    rd_kafka_topic_t *rkt;
} topic_t;

typedef struct {
    cw_task_env_t *t;
    const cw_source_ops_t *ops;
    void *state;
    int started;
    rd_kafka_t *rk;
    cw_chain_t *chain;
    cw_errors_t *errors;
    topic_t *topics; /* every topic this task produced to, with its handle */
    size_t ntopics, last_topic;
    cw_inflight_t inflight;
    struct cw_batch batch;
    int64_t next_commit;      /* the plugin's commit: every offset.flush.interval.ms */
    size_t written;           /* records of the current batch handed to the producer */
    cw_client_stats_t *stats; /* the producer's statistics: bytes, connections */
} source_t;

/* Is the plugin's commit due (offset.flush.interval.ms since the last one)? */
static int commit_due(source_t *s) {
    int64_t now = cw_now_ms();
    if (now < s->next_commit) return 0;
    s->next_commit = now + s->t->flush_interval_ms;
    return 1;
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
    topic_t *nt = realloc(s->topics, (s->ntopics + 1) * sizeof *nt);
    if (!nt) return NULL;
    s->topics = nt;
    char *copy = strdup(name);
    rd_kafka_topic_t *rkt = copy ? rd_kafka_topic_new(s->rk, name, NULL) : NULL;
    if (!rkt) {
        free(copy);
        return NULL;
    }
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(s->rk, 0, rkt, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_metadata_destroy(md);
    s->topics[s->ntopics].name = copy;
    s->topics[s->ntopics].rkt = rkt;
    s->last_topic = s->ntopics++;
    if (s->t->topic_used) s->t->topic_used(s->t->opaque, name);
    return rkt;
}

static void serve(void *opaque, int ms) {
    source_t *s = opaque;
    cw_inflight_serve(&s->inflight, ms);
}

/* Paused: no poll, but what is in flight is still acknowledged, acked and stored. */
static void serve_paused(void *opaque, int ms) {
    source_t *s = opaque;
    cw_inflight_serve(&s->inflight, ms);
    cw_inflight_dispatch(&s->inflight, s->ops, s->state, commit_due(s));
    if (!s->inflight.thread_started) cw_inflight_store(&s->inflight);
}

/* Tells the plugin at once that a record that never got a slot ended (the task stops). */
static void ack_now(source_t *s, cw_record_t *r, const char *why) {
    if (!s->ops->ack || !s->state) return;
    cw_source_ack_t ack = {.status = CW_ACK_FAILED,
                           .topic = cw_record_topic(r),
                           .partition = CW_PARTITION_ANY,
                           .offset = CW_OFFSET_INVALID,
                           .timestamp = CW_TIMESTAMP_NONE,
                           .error = why};
    s->ops->ack(s->state, r, &ack);
}

/* Chain and converters. Returns CW_OK (wire bytes in key/val), CW_DROP, or CW_ERR_RECORD with
 * `why` (skipped under errors.tolerance=all), or CW_ERR_FATAL with `why` (task failed). */
static int prepare(source_t *s, cw_record_t *r, const void **key, size_t *klen, const void **val,
                   size_t *vlen, char *why, size_t why_size) {
    char err[1024];
    const char *failed = NULL;
    int rc = cw_chain_apply(s->chain, r, &failed, err, sizeof err);
    if (rc == CW_ERR_FATAL) {
        snprintf(why, why_size, "%s", err);
        return CW_ERR_FATAL;
    }
    if (rc == CW_DROP) return CW_DROP;
    const char *stage = CW_STAGE_TRANSFORMATION;
    if (rc == CW_OK) {
        if (cw_record_wire_key(r, key, klen, err, sizeof err) != 0) {
            rc = CW_ERR_RECORD;
            stage = CW_STAGE_KEY_CONVERTER;
        } else if (cw_record_wire_value(r, val, vlen, err, sizeof err) != 0) {
            rc = CW_ERR_RECORD;
            stage = CW_STAGE_VALUE_CONVERTER;
        }
    }
    if (rc != CW_ERR_RECORD) return rc;
    if (cw_errors_report(s->errors, r, stage, failed, err, why, why_size) != CW_OK)
        return CW_ERR_FATAL;
    snprintf(why, why_size, "error in stage %s: %s", stage, err);
    return CW_ERR_RECORD;
}

/* A record without headers or timestamp through rd_kafka_produce: the same message as
 * rd_kafka_producev makes (timestamp: the producer's time), without its argument list to
 * walk (about 300 instructions a record, callgrind). */
static rd_kafka_resp_err_t produce_plain(rd_kafka_topic_t *rkt, const cw_record_t *r,
                                         const void *key, size_t klen, const void *val, size_t vlen,
                                         uint64_t seq) {
    int32_t part = r->partition == CW_PARTITION_ANY ? RD_KAFKA_PARTITION_UA : r->partition;
    if (rd_kafka_produce(rkt, part, RD_KAFKA_MSG_F_COPY, (void *)val, vlen, key, klen,
                         (void *)(uintptr_t)seq) == 0)
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_resp_err_t e = rd_kafka_last_error(); /* this thread's, set by the refusal */
    return e ? e : RD_KAFKA_RESP_ERR__FAIL;
}

/* Produces one prepared record; retries while the producer's queue is full. */
static int produce(source_t *s, cw_record_t *r, uint64_t seq, const void *key, size_t klen,
                   const void *val, size_t vlen, char *why, size_t why_size) {
    rd_kafka_topic_t *rkt = topic_handle(s, r->topic);
    if (!rkt) {
        snprintf(why, why_size, "cannot produce to topic %s: %s", r->topic,
                 rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    while (1) {
        rd_kafka_headers_t *h = cw_record_kafka_headers(r);
        rd_kafka_resp_err_t e;
        if (!h && r->timestamp == CW_TIMESTAMP_NONE) {
            e = produce_plain(rkt, r, key, klen, val, vlen, seq);
        } else {
            e = rd_kafka_producev(
                s->rk, RD_KAFKA_V_RKT(rkt),
                RD_KAFKA_V_PARTITION(r->partition == CW_PARTITION_ANY ? RD_KAFKA_PARTITION_UA
                                                                      : r->partition),
                RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)val, vlen),
                RD_KAFKA_V_TIMESTAMP(r->timestamp == CW_TIMESTAMP_NONE ? 0 : r->timestamp),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)seq),
                RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
        }
        if (!e) return 0;
        if (h) rd_kafka_headers_destroy(h);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            /* Stopping: this record is simply not produced; its offset (and every later
             * one) stays unstored, so a restart produces it. */
            if (cw_task_stopping(s->t)) {
                snprintf(why, why_size, "not produced: the task stopped");
                return -2;
            }
            cw_inflight_serve(&s->inflight, 100); /* back-pressure: wait for acks */
            if (cw_inflight_kafka_down(&s->inflight, NULL, 0)) {
                snprintf(why, why_size, "not produced: waiting for Kafka");
                return -4;
            }
            continue;
        }
        snprintf(why, why_size, "cannot produce to topic %s partition %" PRId32 ": %s", r->topic,
                 r->partition, rd_kafka_err2str(e));
        /* librdkafka refuses some records at once that Kafka's Java producer reports through
         * the callback (too large, unknown partition, a topic not authorised): the same for
         * errors.tolerance. A fatal producer error stops the task whatever the tolerance. */
        char fatal[256];
        return e == RD_KAFKA_RESP_ERR__FATAL || rd_kafka_fatal_error(s->rk, fatal, sizeof fatal)
                   ? -1
                   : -3;
    }
}

/* batch.recs[i]: chain, converter, produce. Returns 0, -1 when the task must stop, or 1 when
 * Kafka is unreachable (the task rewinds). */
static int send_record(source_t *s, size_t i) {
    cw_record_t *r = s->batch.recs[i];
    char why[1400];
    const void *key = NULL, *val = NULL;
    size_t klen = 0, vlen = 0;
    int rc = prepare(s, r, &key, &klen, &val, &vlen, why, sizeof why);
    if (rc == CW_ERR_FATAL) {
        cw_task_fail(s->t, "%s", why);
        ack_now(s, r, why);
        return -1;
    }
    uint64_t seq;
    if (cw_inflight_add(&s->inflight, r, &seq) != 0) {
        cw_task_fail(s->t, "out of memory queueing a record for topic %s", r->topic);
        ack_now(s, r, "out of memory");
        return -1;
    }
    if (s->inflight.keep_records) s->batch.recs[i] = NULL; /* the queue owns it now */
    if (rc == CW_DROP || rc == CW_ERR_RECORD) {
        /* Nothing to wait for: its offset moves once every earlier record is acknowledged. */
        cw_inflight_end(&s->inflight, seq, rc == CW_DROP ? CW_ACK_DROPPED : CW_ACK_FAILED, why, 1);
        return 0;
    }
    if (cw_inflight_kafka_down(&s->inflight, NULL, 0)) {
        cw_inflight_end_retry(&s->inflight, seq, "not produced: waiting for Kafka");
        return 1;
    }
    int prc = produce(s, r, seq, key, klen, val, vlen, why, sizeof why);
    if (prc == 0) {
        s->written++;
        /* librdkafka copied what it needs: recycled while it is still in the cache */
        if (!s->inflight.keep_records) cw_batch_release(&s->batch, i);
        return 0;
    }
    if (prc == -4) {
        cw_inflight_end_retry(&s->inflight, seq, why);
        return 1;
    }
    if (prc == -3) cw_task_metrics_error(s->t->tm, CW_TASK_ERROR_FAILED);
    if (prc == -3 && s->inflight.tolerant) {
        cw_task_metrics_error(s->t->tm, CW_TASK_ERROR_SKIPPED);
        cw_log(s->t->connector, s->t->id, CW_LOG_WARN, "%s; record skipped (errors.tolerance=all)",
               why);
        cw_inflight_end(&s->inflight, seq, CW_ACK_FAILED, why, 1);
        return 0;
    }
    if (prc != -2) cw_task_fail(s->t, "%s", why);
    cw_inflight_end(&s->inflight, seq, CW_ACK_FAILED, why, 0);
    return -1;
}

/* Sends the polled batch. Returns 0, -1 when the task must stop, 1 when Kafka is unreachable:
 * the records after the one that stopped it are not produced, and their acks say so. */
static int send_batch(source_t *s) {
    int rc = 0;
    size_t i = 0;
    s->written = 0;
    for (; i < s->batch.n && rc == 0; i++) rc = send_record(s, i);
    cw_task_metrics_written(s->t->tm, s->written);
    for (; i < s->batch.n; i++)
        if (s->batch.recs[i])
            ack_now(s, s->batch.recs[i],
                    rc > 0 ? "not produced: waiting for Kafka" : "not produced: the task stopped");
    cw_batch_clear(&s->batch);
    return rc;
}

/* A delivery failure that stops the task? Then the task is failed. */
static int delivery_failed(source_t *s) {
    char why[1500];
    if (!cw_inflight_failed(&s->inflight, why, sizeof why)) return 0;
    cw_task_fail(s->t, "%s; source offsets are not advanced past it", why);
    return 1;
}

/* Batch mode, after CW_IDLE: done once everything produced is acknowledged and stored.
 * Returns 1 when the task is done (or failed), 0 to keep polling (stopped meanwhile). */
static int finish_batch_mode(source_t *s) {
    while (cw_inflight_count(&s->inflight) && !cw_task_stopping(s->t) &&
           !cw_inflight_failed(&s->inflight, NULL, 0)) {
        cw_inflight_serve(&s->inflight, 100);
        cw_inflight_store(&s->inflight);
        cw_inflight_dispatch(&s->inflight, s->ops, s->state, commit_due(s));
    }
    if (delivery_failed(s)) return 1;
    if (cw_inflight_count(&s->inflight)) return 0;
    cw_inflight_store(&s->inflight);
    cw_inflight_dispatch(&s->inflight, s->ops, s->state, 1);
    cw_log(s->t->connector, s->t->id, CW_LOG_INFO,
           "caught up: every record is acknowledged and its offset stored");
    atomic_store(&s->t->state, CW_TASK_DONE);
    return 1;
}

/* Does Kafka answer? A metadata request any broker serves. */
static int kafka_answers(source_t *s) {
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(s->rk, 0, NULL, &md, 2000) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
    rd_kafka_metadata_destroy(md);
    return 1;
}

/* Kafka did not acknowledge records within message.timeout.ms (issue 18: Kafka Connect fails
 * the task for good there). Retriable: every record still in flight ends (acked or timed
 * out), the acknowledged prefix is stored, the plugin learns the end of each record and is
 * stopped, the worker waits for Kafka with a capped backoff, then starts the plugin again:
 * it reads the stored offsets and produces again what Kafka did not take. One WARN, one
 * INFO; the task stays RUNNING. Returns 0, or -1 when the task stopped or failed meanwhile. */
static int rewind_after_outage(source_t *s) {
    cw_task_env_t *t = s->t;
    char why[600] = "";
    cw_inflight_kafka_down(&s->inflight, why, sizeof why);
    cw_task_doing(t, "waiting for Kafka (an outage)");
    cw_log(t->connector, t->id, CW_LOG_WARN,
           "waiting for Kafka: %s. Rewinding to the last stored source offsets; the task "
           "resumes from there once Kafka answers",
           why);
    while (cw_inflight_flush(&s->inflight, 100) != 0 && !cw_task_stopping(t))
        cw_inflight_store(&s->inflight);
    cw_inflight_serve(&s->inflight, 0);
    cw_inflight_store(&s->inflight);
    cw_inflight_abandon(&s->inflight, "not acknowledged by Kafka: waiting for Kafka");
    cw_inflight_dispatch(&s->inflight, s->ops, s->state, 1);
    if (s->ops->stop) s->ops->stop(s->state);
    s->state = NULL;
    if (cw_task_stopping(t)) return -1; /* in-flight records were purged at stop: see below */
    cw_inflight_reset(&s->inflight);
    int64_t backoff = 500, max = cw_config_get_int(t->config, "errors.retry.delay.max.ms", 0);
    int64_t since = cw_now_ms();
    while (!cw_task_stopping(t) && !kafka_answers(s)) {
        cw_log(t->connector, t->id, CW_LOG_DEBUG,
               "Kafka still unreachable; next try in %" PRId64 " ms", backoff);
        cw_task_wait(t, backoff, serve, s);
        backoff = cw_task_backoff_next(backoff, max);
    }
    if (cw_task_stopping(t)) return -1;
    cw_log(t->connector, t->id, CW_LOG_INFO,
           "Kafka answers again after %" PRId64 " s: restarting the task from the stored "
           "offsets",
           (cw_now_ms() - since) / 1000);
    if (!cw_task_start_plugin(t, s->ops->start, &s->state, serve, s)) {
        s->state = NULL;
        return -1;
    }
    return 0;
}

/* One poll and what follows. Returns 0 to go on, -1 when the task stops; *backoff is the
 * retry delay after CW_ERR_RETRIABLE. */
static int poll_once(source_t *s, int64_t *backoff, int64_t backoff_max) {
    cw_task_env_t *t = s->t;
    char err[1024] = "";
    cw_batch_clear(&s->batch);
    int64_t started = cw_now_us();
    cw_task_doing(t, "the plugin's poll");
    int rc = s->ops->poll(s->state, &s->batch, CW_SOURCE_POLL_TIMEOUT_MS, err, sizeof err);
    cw_task_doing(t, "producing to Kafka (or waiting for room in the producer's queue)");
    if (rc == CW_OK || s->batch.n)
        cw_task_metrics_polled(t->tm, s->batch.n, (double)(cw_now_us() - started) / 1000);
    if (s->batch.n)
        cw_log(t->connector, t->id, CW_LOG_TRACE, "poll returned %zu record(s), %zu in flight",
               s->batch.n, cw_inflight_count(&s->inflight));
    int sent = send_batch(s);
    if (sent < 0) return -1;
    cw_inflight_serve(&s->inflight, 0);
    cw_task_metrics_active(t->tm, cw_inflight_count(&s->inflight));
    if (delivery_failed(s)) return -1;
    if (sent > 0 || cw_inflight_kafka_down(&s->inflight, NULL, 0)) {
        cw_batch_clear(&s->batch);
        return rewind_after_outage(s) == 0 ? 0
                                           : -1; /* a poll error is moot: the plugin restarted */
    }
    cw_inflight_dispatch(&s->inflight, s->ops, s->state, commit_due(s));
    if (rc == CW_ERR_FATAL) {
        cw_task_fail(t, "poll failed: %s", *err ? err : "no reason given");
        return -1;
    }
    if (rc == CW_ERR_RETRIABLE) {
        cw_log(t->connector, t->id, CW_LOG_WARN, "poll failed, retrying in %" PRId64 " ms: %s",
               *backoff, err);
        cw_task_metrics_error(t->tm, CW_TASK_ERROR_RETRY);
        cw_task_wait(t, *backoff, serve, s);
        *backoff = cw_task_backoff_next(*backoff, backoff_max);
        return 0;
    }
    *backoff = 100;
    if (rc == CW_IDLE && t->batch_mode) return finish_batch_mode(s) ? -1 : 0;
    if (rc == CW_IDLE) cw_inflight_serve(&s->inflight, 100); /* nothing new: don't spin */
    return 0;
}

/* librdkafka's statistics report, served with the delivery reports (cw_inflight_serve, one
 * thread at a time); the producer's opaque is the in-flight queue inside source_t. */
static int producer_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    (void)rk;
    source_t *s = (source_t *)(void *)((char *)opaque - offsetof(source_t, inflight));
    return cw_client_stats_json(s->stats, json, len);
}

/* The idempotent producer, its delivery reports going to the in-flight queue. */
static int create_producer(source_t *s, char *err, size_t errsz) {
    char client_id[300];
    snprintf(client_id, sizeof client_id, "connector-producer-%s-%d", s->t->connector, s->t->id);
    rd_kafka_conf_t *conf = s->t->kafka_conf(s->t->opaque, "producer", client_id, err, errsz);
    if (!conf) return -1;
    /* Kafka acknowledges a record only when all in-sync replicas have it, and retries
     * cannot duplicate or reorder: a stored source offset really is behind durable data. */
    char cerr[512];
    if (rd_kafka_conf_set(conf, "enable.idempotence", "true", cerr, sizeof cerr) ||
        rd_kafka_conf_set(conf, "acks", "all", cerr, sizeof cerr)) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errsz, "producer configuration: %s", cerr);
        return -1;
    }
    rd_kafka_conf_set_opaque(conf, &s->inflight);
    rd_kafka_conf_set_dr_msg_cb(conf, cw_inflight_delivered);
    s->stats = cw_client_stats_new(s->t->tm, client_id, 0, conf);
    if (s->stats) rd_kafka_conf_set_stats_cb(conf, producer_stats);
    s->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, cerr, sizeof cerr);
    if (!s->rk) {
        snprintf(err, errsz, "cannot create the producer: %s", cerr);
        return -1;
    }
    s->inflight.rk = s->rk;
    s->t->ctx.kafka = s->rk; /* host->kafka_metadata, until the task's stop returned */
    return 0;
}

/* Stopping: in-flight records get a bounded time to be acknowledged (within the worker's
 * shutdown budget); what was is stored, the rest is dropped: their offsets stay unstored, so
 * a restart produces them again. Every record still owed an ack gets one. */
static void drain_at_stop(source_t *s) {
    cw_inflight_stop_committer(&s->inflight); /* the flush below serves reports alone */
    int64_t budget = s->t->shutdown_timeout_ms - 1000;
    if (budget > s->t->flush_timeout_ms) budget = s->t->flush_timeout_ms;
    if (budget < 100) budget = 100;
    cw_task_doing(s->t, "waiting for Kafka to acknowledge the records in flight");
    /* In slices: an abort (second signal) stops the wait; what is acknowledged is stored. */
    int64_t end = cw_now_ms() + budget;
    while (cw_now_ms() < end && !cw_task_aborting(s->t) && rd_kafka_flush(s->rk, 100) != 0)
        ;
    size_t left = cw_inflight_count(&s->inflight);
    if (left) {
        rd_kafka_purge(s->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        cw_inflight_serve(&s->inflight, 0);
    }
    cw_inflight_store(&s->inflight);
    cw_inflight_abandon(&s->inflight, "not acknowledged by Kafka before the task stopped");
    cw_inflight_dispatch(&s->inflight, s->ops, s->state, 1);
    left = cw_inflight_count(&s->inflight);
    if (left)
        cw_log(s->t->connector, s->t->id, CW_LOG_WARN,
               "%zu record(s) not acknowledged at stop; their offsets are not stored and "
               "they will be produced again after a restart",
               left);
}

static void source_free(source_t *s) {
    cw_batch_destroy(&s->batch);
    cw_chain_free(s->chain);
    cw_errors_free(s->errors);
    for (size_t i = 0; i < s->ntopics; i++) {
        rd_kafka_topic_destroy(s->topics[i].rkt);
        free(s->topics[i].name);
    }
    free(s->topics);
    s->t->ctx.kafka = NULL;
    if (s->rk) rd_kafka_destroy(s->rk);
    cw_client_stats_free(s->stats);
    cw_inflight_destroy(&s->inflight);
}

void *cw_source_task_run(void *arg) {
    cw_task_env_t *t = arg;
    source_t s = {.t = t, .ops = t->plugin->source};
    char err[1024] = "";
    cw_batch_init(&s.batch, t->key_conv, t->value_conv);
    if (!t->tm) t->tm = cw_task_metrics_new(t->ctx.metrics, t->connector, t->id, 1);
    s.errors = cw_errors_new(t->connector, t->id, t->plugin->name, t->config, NULL);
    cw_errors_set_metrics(s.errors, t->tm);
    cw_inflight_init(&s.inflight, t, s.ops->ack != NULL, s.errors && cw_errors_tolerant(s.errors));
    if (!s.errors) {
        cw_task_fail(t, "out of memory");
    } else if (create_producer(&s, err, sizeof err) != 0 ||
               !(s.chain = cw_chain_new(t->conn_props, t->registry, &t->ctx, err, sizeof err))) {
        cw_task_fail(t, "%s", err);
    } else {
        s.started = cw_task_start_plugin(t, s.ops->start, &s.state, serve, &s);
    }
    if (s.started) {
        cw_log(t->connector, t->id, CW_LOG_INFO, "source task started");
        if (cw_inflight_start_committer(&s.inflight) != 0)
            cw_log(t->connector, t->id, CW_LOG_WARN,
                   "no committer thread: offsets are stored "
                   "between polls only");
        int64_t backoff = 100;
        int64_t backoff_max = cw_config_get_int(t->config, "errors.retry.delay.max.ms", 0);
        int64_t store_every = cw_inflight_store_interval_ms(t);
        int64_t next_store = cw_now_ms() + store_every;
        s.next_commit = cw_now_ms() + t->flush_interval_ms;
        while (!cw_task_stopping(t)) {
            if (cw_task_pause_wait(t, serve_paused, &s)) continue;
            if (poll_once(&s, &backoff, backoff_max) != 0) break;
            if (s.inflight.thread_started || cw_now_ms() < next_store) continue;
            cw_inflight_store(&s.inflight);
            next_store = cw_now_ms() + store_every;
        }
        drain_at_stop(&s);
        cw_task_doing(t, "the plugin's stop");
        if (s.ops->stop && s.state) s.ops->stop(s.state); /* NULL: stopped by a rewind */
    }
    source_free(&s);
    if (atomic_load(&t->state) == CW_TASK_RUNNING) atomic_store(&t->state, CW_TASK_DONE);
    atomic_fetch_sub(t->sources_running, 1);
    cw_log(t->connector, t->id, CW_LOG_INFO, "source task stopped%s",
           cw_task_failed(t) ? " with an error" : "");
    return NULL;
}
