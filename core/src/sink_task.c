/*
 * A sink task: KafkaConsumer in group connect-<name> -> records (zero copy) -> transform chain
 * -> plugin put; flush (pre-commit) tells which offsets are durable and only those are
 * committed. Everything of one task, including librdkafka's rebalance callback (served from
 * rd_kafka_consumer_poll), runs on the task's thread.
 *
 * Back-pressure: when put returns CW_ERR_RETRIABLE the assigned partitions are paused and the
 * same records are offered again after a capped exponential backoff. Meanwhile
 * rd_kafka_consumer_poll keeps being called, which keeps the group membership alive and
 * serves rebalances, but returns no records for paused partitions: memory stays bounded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain.h"
#include "errors.h"
#include "log.h"
#include "record.h"
#include "worker.h"

#define BATCH_MAX 500
#define BATCH_WAIT_MS 100

typedef struct {
    char *topic;
    int32_t partition;
    int64_t position;   /* offset after the last record put (or skipped); INVALID: none */
    int64_t committed;  /* last committed offset; INVALID: none */
} tp_t;

typedef struct {
    cw_record_t *r;
    int skip;           /* dropped by a transform or handed to the error reporter */
} item_t;

typedef struct {
    cw_task_t *t;
    cw_connector_t *c;
    const cw_sink_ops_t *ops;
    rd_kafka_t *rk;
    void *state;
    int started;
    int final_done;        /* the stop's final flush + commit already happened */
    int coordinator_lost;  /* a commit timed out: the group coordinator is unreachable */
    int64_t deadline;      /* stopping: when the shutdown budget runs out (0: none) */
    cw_chain_t *chain;
    cw_errors_t *errors;
    tp_t *tps;
    size_t ntps, captps;
    item_t *batch;       /* consumed, not yet accepted by put */
    size_t nbatch, capbatch;
    int batch_ready;     /* chain applied, waiting for put */
    int paused;
    long assign_gen, revoke_gen;
    int64_t next_catchup_check;
} sink_t;

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int failed(sink_t *s) { return atomic_load(&s->t->state) == CW_TASK_FAILED; }

static tp_t *tp_find(sink_t *s, const char *topic, int32_t partition) {
    for (size_t i = 0; i < s->ntps; i++)
        if (s->tps[i].partition == partition && strcmp(s->tps[i].topic, topic) == 0)
            return &s->tps[i];
    return NULL;
}

static void batch_push(sink_t *s, cw_record_t *r) {
    if (s->nbatch == s->capbatch) {
        s->capbatch = s->capbatch ? s->capbatch * 2 : BATCH_MAX;
        s->batch = realloc(s->batch, s->capbatch * sizeof *s->batch);
        if (!s->batch) abort();
    }
    s->batch[s->nbatch].r = r;
    s->batch[s->nbatch].skip = 0;
    s->nbatch++;
}

static void batch_free(sink_t *s) {
    for (size_t i = 0; i < s->nbatch; i++) cw_record_free(s->batch[i].r);
    s->nbatch = 0;
    s->batch_ready = 0;
}

/* Records of partitions taken away are dropped: their new owner consumes them again. */
static void batch_drop_partition(sink_t *s, const char *topic, int32_t partition) {
    size_t kept = 0;
    for (size_t i = 0; i < s->nbatch; i++) {
        cw_record_t *r = s->batch[i].r;
        if (cw_record_original_partition(r) == partition &&
            strcmp(cw_record_original_topic(r), topic) == 0)
            cw_record_free(r);
        else
            s->batch[kept++] = s->batch[i];
    }
    s->nbatch = kept;
}

/* Flush (pre-commit) for tps[idx[0..n)], then commit synchronously what the plugin reports
 * durable. Returns CW_OK, CW_ERR_RETRIABLE or CW_ERR_FATAL (task failed). */
static int flush_commit(sink_t *s, const size_t *idx, size_t n, int final) {
    cw_task_t *t = s->t;
    char err[1024] = "";
    if (!n || !s->started) return CW_OK;
    if (cw_errors_flush(s->errors, (int)s->c->worker->flush_timeout_ms, err, sizeof err)) {
        cw_task_fail(t, "%s; nothing is committed past those records", err);
        return CW_ERR_FATAL;
    }
    cw_topic_partition_t *arr = calloc(n, sizeof *arr);
    for (size_t i = 0; i < n; i++) {
        arr[i].topic = s->tps[idx[i]].topic;
        arr[i].partition = s->tps[idx[i]].partition;
        arr[i].offset = s->tps[idx[i]].position;
    }
    int rc = CW_OK;
    if (s->ops->flush) {
        rc = s->ops->flush(s->state, arr, n, final, err, sizeof err);
    } else {
        /* No pre-commit: the sink is durable as soon as put returned. */
    }
    if (rc == CW_ERR_RETRIABLE) {
        cw_log(s->c->name, t->id, CW_LOG_WARN, "flush not possible now, will retry: %s", err);
        free(arr);
        return rc;
    }
    if (rc != CW_OK) {
        cw_task_fail(t, "flush failed: %s", *err ? err : "no reason given");
        free(arr);
        return CW_ERR_FATAL;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++) {
        tp_t *tp = &s->tps[idx[i]];
        int64_t off = arr[i].offset;
        if (off == CW_OFFSET_INVALID || off < 0) continue;
        /* Never ahead of what was handed to put, never backwards. */
        if (tp->position != CW_OFFSET_INVALID && off > tp->position) off = tp->position;
        if (tp->position == CW_OFFSET_INVALID) continue;
        if (tp->committed != CW_OFFSET_INVALID && off <= tp->committed) continue;
        rd_kafka_topic_partition_list_add(list, tp->topic, tp->partition)->offset = off;
    }
    free(arr);
    if (list->cnt > 0) {
        /* Synchronous, but bounded by offset.flush.timeout.ms: rd_kafka_commit itself would
         * wait as long as the coordinator is unreachable (and stall a shutdown). */
        rd_kafka_queue_t *q = rd_kafka_queue_new(s->rk);
        rd_kafka_resp_err_t e = rd_kafka_commit_queue(s->rk, list, q, NULL, NULL);
        int64_t wait = s->c->worker->flush_timeout_ms;
        if (s->deadline && s->deadline - cw_now_ms() < wait) wait = s->deadline - cw_now_ms();
        if (wait < 100) wait = 100;
        rd_kafka_event_t *ev = e ? NULL : rd_kafka_queue_poll(q, (int)wait);
        if (!e && !ev) {
            e = RD_KAFKA_RESP_ERR__TIMED_OUT;
            s->coordinator_lost = 1;
        }
        if (!e) e = rd_kafka_event_error(ev);
        if (e) {
            cw_log(s->c->name, t->id, CW_LOG_WARN,
                   "offset commit failed (%s); the records will be delivered again if this "
                   "task stops before the next commit",
                   rd_kafka_err2str(e));
            rc = CW_ERR_RETRIABLE;
        } else {
            const rd_kafka_topic_partition_list_t *done = rd_kafka_event_topic_partition_list(ev);
            for (int i = 0; done && i < done->cnt; i++) {
                const rd_kafka_topic_partition_t *p = &done->elems[i];
                if (p->err) continue;
                tp_t *tp = tp_find(s, p->topic, p->partition);
                if (tp) tp->committed = p->offset;
                cw_log(s->c->name, t->id, CW_LOG_DEBUG, "committed %s-%" PRId32 " at %" PRId64,
                       p->topic, p->partition, p->offset);
            }
        }
        if (ev) rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
    }
    rd_kafka_topic_partition_list_destroy(list);
    return rc;
}

static int flush_commit_all(sink_t *s, int final) {
    size_t *idx = calloc(s->ntps + 1, sizeof *idx);
    for (size_t i = 0; i < s->ntps; i++) idx[i] = i;
    int rc = flush_commit(s, idx, s->ntps, final);
    free(idx);
    return rc;
}

static void on_assign(sink_t *s, rd_kafka_topic_partition_list_t *parts) {
    rd_kafka_topic_partition_list_t *committed = rd_kafka_topic_partition_list_copy(parts);
    rd_kafka_committed(s->rk, committed, 10000);
    cw_topic_partition_t *arr = calloc((size_t)parts->cnt + 1, sizeof *arr);
    for (int i = 0; i < committed->cnt; i++) {
        rd_kafka_topic_partition_t *p = &committed->elems[i];
        if (s->ntps == s->captps) {
            s->captps = s->captps ? s->captps * 2 : 16;
            s->tps = realloc(s->tps, s->captps * sizeof *s->tps);
            if (!s->tps) abort();
        }
        tp_t *tp = &s->tps[s->ntps++];
        tp->topic = strdup(p->topic);
        tp->partition = p->partition;
        tp->committed = p->offset >= 0 ? p->offset : CW_OFFSET_INVALID;
        tp->position = CW_OFFSET_INVALID;
        arr[i].topic = tp->topic;
        arr[i].partition = tp->partition;
        arr[i].offset = tp->committed;
    }
    cw_log(s->c->name, s->t->id, CW_LOG_INFO, "assigned %d partition(s)", parts->cnt);
    char err[1024] = "";
    if (s->started && s->ops->open && !failed(s) &&
        s->ops->open(s->state, arr, (size_t)committed->cnt, err, sizeof err) != CW_OK)
        cw_task_fail(s->t, "open failed: %s", *err ? err : "no reason given");
    free(arr);
    rd_kafka_topic_partition_list_destroy(committed);
    s->assign_gen++;
}

static void on_revoke(sink_t *s, rd_kafka_topic_partition_list_t *parts) {
    size_t *idx = calloc((size_t)parts->cnt + 1, sizeof *idx), n = 0;
    for (int i = 0; i < parts->cnt; i++) {
        tp_t *tp = tp_find(s, parts->elems[i].topic, parts->elems[i].partition);
        if (tp) idx[n++] = (size_t)(tp - s->tps);
        batch_drop_partition(s, parts->elems[i].topic, parts->elems[i].partition);
    }
    if (!failed(s) && n && !s->final_done) {
        /* Hand over cleanly: whatever the sink can make durable is committed before the
         * partitions go to another task. A few retries, then the new owner re-consumes. */
        for (int attempt = 0; attempt < 3; attempt++) {
            if (flush_commit(s, idx, n, 1) != CW_ERR_RETRIABLE) break;
            /* Not rd_kafka_poll: with the consumer queue forwarded it could hand out (and
             * so skip) records. */
            sleep_ms(200 << attempt);
        }
    }
    if (s->started && s->ops->close && n) {
        cw_topic_partition_t *arr = calloc(n, sizeof *arr);
        for (size_t i = 0; i < n; i++) {
            arr[i].topic = s->tps[idx[i]].topic;
            arr[i].partition = s->tps[idx[i]].partition;
            arr[i].offset = s->tps[idx[i]].committed;
        }
        char err[1024] = "";
        if (s->ops->close(s->state, arr, n, err, sizeof err) != CW_OK && !failed(s))
            cw_task_fail(s->t, "close failed: %s", *err ? err : "no reason given");
        free(arr);
    }
    /* Forget the revoked partitions (idx ascending is not guaranteed: mark, then compact). */
    for (size_t i = 0; i < n; i++) s->tps[idx[i]].partition = -1;
    size_t kept = 0;
    for (size_t i = 0; i < s->ntps; i++) {
        if (s->tps[i].partition == -1)
            free(s->tps[i].topic);
        else
            s->tps[kept++] = s->tps[i];
    }
    s->ntps = kept;
    free(idx);
    s->revoke_gen++;
    cw_log(s->c->name, s->t->id, CW_LOG_INFO, "revoked %d partition(s)", parts->cnt);
}

static void rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts, void *opaque) {
    sink_t *s = opaque;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (cooperative) {
            rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
            if (e) rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, parts);
        }
        on_assign(s, parts);
        /* librdkafka remembers a pause per partition across assignments: a partition paused
         * by this task before a rebalance would otherwise stay paused forever. */
        if (s->paused)
            rd_kafka_pause_partitions(rk, parts);
        else
            rd_kafka_resume_partitions(rk, parts);
    } else {
        if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
            on_revoke(s, parts);
        else
            cw_log(s->c->name, s->t->id, CW_LOG_WARN, "rebalance error: %s",
                   rd_kafka_err2str(err));
        if (cooperative) {
            rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
            if (e) rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, NULL);
        }
    }
}

static void set_paused(sink_t *s, int pause, const char *why) {
    if (s->paused == pause) return;
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(s->rk, &a) == RD_KAFKA_RESP_ERR_NO_ERROR && a) {
        if (pause)
            rd_kafka_pause_partitions(s->rk, a);
        else
            rd_kafka_resume_partitions(s->rk, a);
        rd_kafka_topic_partition_list_destroy(a);
    }
    s->paused = pause;
    cw_log(s->c->name, s->t->id, pause ? CW_LOG_INFO : CW_LOG_DEBUG, "%s consumption (%s)",
           pause ? "pausing" : "resuming", why);
}

/* Consumes one message; returns 1 when a record was added to the batch. */
static int take_message(sink_t *s, rd_kafka_message_t *m) {
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            char fatal[512];
            if (rd_kafka_fatal_error(s->rk, fatal, sizeof fatal))
                cw_task_fail(s->t, "consumer failed: %s", fatal);
            else
                cw_log(s->c->name, s->t->id, CW_LOG_WARN, "consumer: %s%s%s",
                       rd_kafka_message_errstr(m), m->rkt ? " on topic " : "",
                       m->rkt ? rd_kafka_topic_name(m->rkt) : "");
        }
        rd_kafka_message_destroy(m);
        return 0;
    }
    batch_push(s, cw_record_from_message(m, &s->c->key_conv, &s->c->value_conv));
    return 1;
}

/* Up to BATCH_MAX records, waiting at most BATCH_WAIT_MS for more once none are queued.
 * Queued messages are taken without a timeout (and without reading the clock for each). */
static void consume_batch(sink_t *s) {
    int64_t end = 0;
    while (s->nbatch < BATCH_MAX && !failed(s)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, 0);
        if (!m) {
            int64_t now = cw_now_ms();
            if (!end) end = now + BATCH_WAIT_MS;
            if (now >= end || !(m = rd_kafka_consumer_poll(s->rk, (int)(end - now)))) break;
        }
        take_message(s, m);
    }
}

/* Runs the chain over batch[i]. Returns 0, or -1 when the task failed. */
static int transform_one(sink_t *s, size_t i) {
    char err[1024], why[1400];
    const char *cls = NULL;
    int rc = cw_chain_apply(s->chain, s->batch[i].r, &cls, err, sizeof err);
    if (rc == CW_DROP) {
        s->batch[i].skip = 1;
    } else if (rc == CW_ERR_RECORD) {
        if (cw_errors_report(s->errors, s->batch[i].r, CW_STAGE_TRANSFORMATION, cls, err, why,
                             sizeof why) != CW_OK) {
            cw_task_fail(s->t, "%s", why);
            return -1;
        }
        s->batch[i].skip = 1;
    } else if (rc != CW_OK) {
        cw_task_fail(s->t, "%s", err);
        return -1;
    }
    return 0;
}

static int transform_batch(sink_t *s) {
    for (size_t i = 0; i < s->nbatch; i++)
        if (transform_one(s, i)) return -1;
    s->batch_ready = 1;
    return 0;
}

/* Offers the batch to put. Returns CW_OK (positions advanced, batch emptied),
 * CW_ERR_RETRIABLE (batch kept) or CW_ERR_FATAL (task failed). */
static int put_batch(sink_t *s) {
    cw_record_t **recs = calloc(s->nbatch + 1, sizeof *recs);
    size_t n = 0;
    for (size_t i = 0; i < s->nbatch; i++)
        if (!s->batch[i].skip) recs[n++] = s->batch[i].r;
    char err[1024] = "";
    int rc = s->ops->put(s->state, recs, n, err, sizeof err);
    free(recs);
    if (rc == CW_ERR_RETRIABLE) return rc;
    if (rc != CW_OK) {
        const char *bad = cw_errors_last_fatal(s->errors);
        if (failed(s))
            ;
        else if (bad)
            cw_task_fail(s->t, "%s", bad);
        else
            cw_task_fail(s->t, "put failed: %s", *err ? err : "no reason given");
        return CW_ERR_FATAL;
    }
    /* Positions are the consumer's: original coordinates, whatever a transform routed the
     * record to (KIP-793). */
    tp_t *tp = NULL;
    for (size_t i = 0; i < s->nbatch; i++) {
        cw_record_t *r = s->batch[i].r;
        const char *topic = cw_record_original_topic(r);
        int32_t partition = cw_record_original_partition(r);
        int64_t next = cw_record_original_offset(r) + 1;
        /* A batch holds runs of one partition: look up only when it changes. */
        if (!tp || tp->partition != partition || strcmp(tp->topic, topic) != 0)
            tp = tp_find(s, topic, partition);
        if (tp && (tp->position == CW_OFFSET_INVALID || next > tp->position))
            tp->position = next;
    }
    batch_free(s);
    return CW_OK;
}

/* Batch mode: every assigned partition consumed to its high watermark? The high watermarks
 * come from the broker in one ListOffsets request for all partitions (offsets_for_times with
 * the "latest" timestamp), not from librdkafka's cache of the last fetch response, and not
 * with query_watermark_offsets, which costs a round trip (and its polling interval) per
 * partition. */
static int caught_up(sink_t *s) {
    if (s->ntps == 0) return 1;
    rd_kafka_topic_partition_list_t *pos = rd_kafka_topic_partition_list_new((int)s->ntps);
    rd_kafka_topic_partition_list_t *hw = rd_kafka_topic_partition_list_new((int)s->ntps);
    for (size_t i = 0; i < s->ntps; i++) {
        rd_kafka_topic_partition_list_add(pos, s->tps[i].topic, s->tps[i].partition);
        rd_kafka_topic_partition_list_add(hw, s->tps[i].topic, s->tps[i].partition)->offset =
            RD_KAFKA_OFFSET_END;  /* as a timestamp: -1 = latest */
    }
    rd_kafka_position(s->rk, pos);
    int done = rd_kafka_offsets_for_times(s->rk, hw, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; i < s->ntps && done; i++) {
        tp_t *tp = &s->tps[i];
        int64_t hi = hw->elems[i].offset;
        if (hw->elems[i].err || hi < 0) {
            done = 0;
            break;
        }
        int64_t p = pos->elems[i].offset;
        if (tp->position != CW_OFFSET_INVALID && tp->position > p) p = tp->position;
        if (p < 0) p = tp->committed != CW_OFFSET_INVALID ? tp->committed : 0;
        if (p < hi) done = 0;
    }
    rd_kafka_topic_partition_list_destroy(pos);
    rd_kafka_topic_partition_list_destroy(hw);
    return done;
}

static void wait_backoff(sink_t *s, int64_t ms) {
    int64_t end = cw_now_ms() + ms;
    while (!atomic_load(&s->t->stop) && !failed(s)) {
        int64_t left = end - cw_now_ms();
        if (left <= 0) break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, (int)(left < 100 ? left : 100));
        /* A paused partition returns nothing; a record still arriving joins the batch, in
         * order, so the next attempt offers it too. */
        if (m && take_message(s, m)) transform_one(s, s->nbatch - 1);
    }
}

/* Batch mode: a caught-up task stays in its group (paused, serving rebalances) until every
 * sink task of the worker is caught up too. Leaving at once would make the group rebalance
 * under the others, whose offset commits the coordinator then refuses until they rejoin.
 * Returns 1 when everyone is done, 0 when a rebalance gave this task partitions again (or it
 * is told to stop before). */
static int wait_for_other_sinks(sink_t *s) {
    long gen = s->assign_gen;
    set_paused(s, 1, "caught up, waiting for the other sink tasks");
    atomic_store(&s->t->waiting, 1);
    int done = 0;
    while (!atomic_load(&s->t->stop) && !failed(s)) {
        if (cw_worker_sinks_caught_up(s->c->worker)) {
            done = 1;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, 100);
        if (m && take_message(s, m)) {
            transform_one(s, s->nbatch - 1);
            s->batch_ready = 1;  /* offered to put as it is, not transformed again */
        }
        if ((s->assign_gen != gen && s->ntps > 0) || s->nbatch > 0) break;
    }
    atomic_store(&s->t->waiting, 0);
    if (!done) set_paused(s, 0, "new records to consume");
    return done || atomic_load(&s->t->stop);
}

static int subscribe(sink_t *s, char *err, size_t errsz) {
    const char *regex = cw_config_get(s->t->config, "topics.regex");
    size_t n = 0;
    const char *const *topics = cw_config_get_list(s->t->config, "topics", &n);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(n ? (int)n : 1);
    if (regex && *regex) {
        /* librdkafka treats a topic starting with ^ as a (POSIX extended) regular
         * expression; anchoring both ends matches whole names, as Kafka's Java
         * Pattern.matches does. */
        char *re = malloc(strlen(regex) + 5);
        sprintf(re, "^(%s)$", regex);
        rd_kafka_topic_partition_list_add(sub, re, RD_KAFKA_PARTITION_UA);
        free(re);
    }
    for (size_t i = 0; topics && i < n; i++)
        rd_kafka_topic_partition_list_add(sub, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        snprintf(err, errsz, "cannot subscribe: %s", rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

void *cw_sink_task_run(void *arg) {
    cw_task_t *t = arg;
    cw_connector_t *c = t->conn;
    cw_worker_t *w = c->worker;
    sink_t s = {.t = t, .c = c, .ops = c->plugin->sink};
    char err[1024] = "", client_id[300], group[300];

    snprintf(client_id, sizeof client_id, "connector-consumer-%s-%d", c->name, t->id);
    snprintf(group, sizeof group, "connect-%s", c->name);
    rd_kafka_conf_t *dlq_conf = cw_worker_kafka_conf(w, c, "producer", client_id, err, sizeof err);
    rd_kafka_conf_t *conf = dlq_conf ? cw_worker_kafka_conf(w, c, "consumer", client_id, err,
                                                            sizeof err)
                                     : NULL;
    if (!conf) {
        if (dlq_conf) rd_kafka_conf_destroy(dlq_conf);
        cw_task_fail(t, "%s", err);
        goto out;
    }
    if (rd_kafka_conf_set(dlq_conf, "enable.idempotence", "true", err, sizeof err) ||
        rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.partition.eof", "false", err, sizeof err)) {
        rd_kafka_conf_destroy(conf);
        rd_kafka_conf_destroy(dlq_conf);
        cw_task_fail(t, "consumer configuration: %s", err);
        goto out;
    }
    s.errors = cw_errors_new(c->name, t->id, c->plugin->name, t->config, dlq_conf);
    t->ctx.errors = s.errors;
    rd_kafka_conf_set_opaque(conf, &s);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance);
    s.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!s.rk) {
        cw_task_fail(t, "cannot create the consumer: %s", err);
        goto out;
    }
    rd_kafka_poll_set_consumer(s.rk);
    s.chain = cw_chain_new(c->props, w->registry, &t->ctx, err, sizeof err);
    if (!s.chain) {
        cw_task_fail(t, "%s", err);
        goto out;
    }
    int64_t backoff = 500, backoff_max = cw_config_get_int(t->config, "errors.retry.delay.max.ms", 0);
    while (!atomic_load(&t->stop)) {
        err[0] = '\0';
        int rc = s.ops->start(&t->ctx, t->config, &s.state, err, sizeof err);
        if (rc == CW_OK) {
            s.started = 1;
            break;
        }
        if (rc != CW_ERR_RETRIABLE) {
            cw_task_fail(t, "start failed: %s", *err ? err : "no reason given");
            goto out;
        }
        cw_log(c->name, t->id, CW_LOG_WARN, "start failed, retrying in %" PRId64 " ms: %s",
               backoff, err);
        int64_t end = cw_now_ms() + backoff;
        while (!atomic_load(&t->stop) && cw_now_ms() < end) sleep_ms(100);
        backoff = backoff * 2 > backoff_max ? backoff_max : backoff * 2;
    }
    if (!s.started) goto out;
    if (subscribe(&s, err, sizeof err)) {
        cw_task_fail(t, "%s", err);
        goto out;
    }
    cw_log(c->name, t->id, CW_LOG_INFO, "sink task started in consumer group %s", group);

    int64_t next_flush = cw_now_ms() + w->flush_interval_ms;
    int resubscribed = !w->batch_mode || atomic_load(&w->sources_running) == 0;
    int64_t resub_deadline = 0;
    long resub_gen = 0;
    while (!atomic_load(&t->stop) && !failed(&s)) {
        if (!s.batch_ready) {
            consume_batch(&s);
            if (failed(&s) || transform_batch(&s)) break;
        }
        int rc = put_batch(&s);
        if (rc == CW_ERR_FATAL) break;
        if (rc == CW_ERR_RETRIABLE) {
            set_paused(&s, 1, "the sink asked for back-pressure");
            cw_log(c->name, t->id, CW_LOG_DEBUG, "put asked for back-pressure; retry in %" PRId64
                   " ms", backoff);
            wait_backoff(&s, backoff);
            backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
            /* Commits go on while paused: what earlier puts made durable since is committed
             * (the pending batch is not part of the positions). */
            if (cw_now_ms() >= next_flush && !failed(&s)) {
                if (flush_commit_all(&s, 0) == CW_ERR_FATAL) break;
                next_flush = cw_now_ms() + w->flush_interval_ms;
            }
            continue;
        }
        backoff = 100;
        set_paused(&s, 0, "the sink took the records");
        if (cw_now_ms() >= next_flush) {
            if (flush_commit_all(&s, 0) == CW_ERR_FATAL) break;
            next_flush = cw_now_ms() + w->flush_interval_ms;
        }
        if (w->batch_mode && atomic_load(&w->sources_running) == 0) {
            if (!resubscribed) {
                /* The sources of this worker may have created topics this consumer has not
                 * seen yet. A metadata request for all topics makes librdkafka compare the
                 * subscription with the cluster and rejoin the group when it changed; give
                 * that rebalance a moment to start before judging the assignment. Not while
                 * the first join is still under way: a rejoin in the middle of it can leave
                 * a stale member the coordinator then waits for. */
                if (s.assign_gen == 0) continue;
                resubscribed = 1;
                const struct rd_kafka_metadata *md = NULL;
                if (rd_kafka_metadata(s.rk, 1, NULL, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR)
                    rd_kafka_metadata_destroy(md);
                resub_gen = s.assign_gen + s.revoke_gen;
                resub_deadline = cw_now_ms() + 3000;
                continue;
            }
            if (resub_deadline && s.assign_gen + s.revoke_gen == resub_gen &&
                cw_now_ms() < resub_deadline)
                continue;
            if (s.ntps == 0 && s.revoke_gen > 0 && s.assign_gen <= s.revoke_gen) continue;
            if (s.assign_gen == 0 || cw_now_ms() < s.next_catchup_check) continue;
            s.next_catchup_check = cw_now_ms() + 500;
            if (s.nbatch == 0 && caught_up(&s)) {
                int frc = flush_commit_all(&s, 1);
                if (frc == CW_ERR_FATAL) break;
                if (frc == CW_OK) {
                    cw_log(c->name, t->id, CW_LOG_INFO,
                           "caught up: every assigned partition is consumed to its end and "
                           "committed");
                    if (wait_for_other_sinks(&s)) {
                        atomic_store(&t->state, CW_TASK_DONE);
                        break;
                    }
                    cw_log(c->name, t->id, CW_LOG_INFO,
                           "new partitions assigned while waiting: consuming again");
                }
            }
        }
    }
    /* Stopping: everything below shares the worker's shutdown budget. */
    s.deadline = cw_now_ms() + w->shutdown_timeout_ms - 500;
    if (!failed(&s) && atomic_load(&t->state) != CW_TASK_DONE) flush_commit_all(&s, 1);
    s.final_done = 1;
out:
    if (s.rk) {
        batch_free(&s);
        if (s.coordinator_lost) {
            /* Leaving the group needs the coordinator too: close the partitions here and
             * skip librdkafka's consumer close. (Destroying the handle may still wait for
             * the unanswered commit; the worker's shutdown timeout bounds that, exit code
             * 5.) The group drops this member after its session timeout. */
            if (s.started && s.ops->close && s.ntps) {
                cw_topic_partition_t *arr = calloc(s.ntps, sizeof *arr);
                for (size_t i = 0; i < s.ntps; i++) {
                    arr[i].topic = s.tps[i].topic;
                    arr[i].partition = s.tps[i].partition;
                    arr[i].offset = s.tps[i].committed;
                }
                char cerr[512];
                s.ops->close(s.state, arr, s.ntps, cerr, sizeof cerr);
                free(arr);
            }
            rd_kafka_destroy_flags(s.rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
            s.rk = NULL;
        } else {
            /* Partitions are revoked through the callback (close; the final flush and
             * commit happened above; after a failure nothing is flushed or committed). */
            rd_kafka_consumer_close(s.rk);
        }
    }
    batch_free(&s);
    if (s.started && s.ops->stop) s.ops->stop(s.state);
    cw_chain_free(s.chain);
    cw_errors_free(s.errors);
    t->ctx.errors = NULL;
    if (s.rk) rd_kafka_destroy(s.rk);
    for (size_t i = 0; i < s.ntps; i++) free(s.tps[i].topic);
    free(s.tps);
    free(s.batch);
    if (atomic_load(&t->state) == CW_TASK_RUNNING) atomic_store(&t->state, CW_TASK_DONE);
    cw_log(c->name, t->id, CW_LOG_INFO, "sink task stopped%s",
           atomic_load(&t->state) == CW_TASK_FAILED ? " with an error" : "");
    return NULL;
}
