/* A sink task's partitions: assignment, revocation, flush (pre-commit) and offset commits. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime/sink_task.h"

cw_sink_tp_t *cw_sink_tp_find(cw_sink_t *s, const char *topic, int32_t partition) {
    for (size_t i = 0; i < s->ntps; i++)
        if (s->tps[i].partition == partition && strcmp(s->tps[i].topic, topic) == 0)
            return &s->tps[i];
    return NULL;
}

/* The offset flush is offered for a partition: after the last record put; for a partition
 * that received nothing since open, where consumption resumes (the committed offset, else
 * the consumer's position), as Kafka Connect offers consumer.position(); CW_OFFSET_INVALID
 * only while the consumer does not know its position yet. */
static int64_t offered_offset(cw_sink_t *s, const cw_sink_tp_t *tp) {
    if (tp->position != CW_OFFSET_INVALID) return tp->position;
    if (tp->committed != CW_OFFSET_INVALID) return tp->committed;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, tp->topic, tp->partition);
    int64_t off = CW_OFFSET_INVALID;
    if (rd_kafka_position(s->rk, l) == RD_KAFKA_RESP_ERR_NO_ERROR && l->elems[0].offset >= 0)
        off = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    return off;
}

/* Commits `list` synchronously, but bounded by offset.flush.timeout.ms: rd_kafka_commit itself
 * would wait as long as the coordinator is unreachable (and stall a shutdown). */
static int commit_list(cw_sink_t *s, rd_kafka_topic_partition_list_t *list) {
    rd_kafka_queue_t *q = rd_kafka_queue_new(s->rk);
    rd_kafka_resp_err_t e = rd_kafka_commit_queue(s->rk, list, q, NULL, NULL);
    int64_t wait = s->t->flush_timeout_ms;
    if (s->deadline && s->deadline - cw_now_ms() < wait) wait = s->deadline - cw_now_ms();
    if (wait < 100) wait = 100;
    rd_kafka_event_t *ev = e ? NULL : rd_kafka_queue_poll(q, (int)wait);
    if (!e && !ev) {
        e = RD_KAFKA_RESP_ERR__TIMED_OUT;
        s->coordinator_lost = 1;
    }
    if (!e) e = rd_kafka_event_error(ev);
    int rc = CW_OK;
    if (e) {
        cw_log(s->t->connector, s->t->id, CW_LOG_WARN,
               "offset commit failed (%s); the records will be delivered again if this "
               "task stops before the next commit",
               rd_kafka_err2str(e));
        rc = CW_ERR_RETRIABLE;
    } else {
        const rd_kafka_topic_partition_list_t *done = rd_kafka_event_topic_partition_list(ev);
        for (int i = 0; done && i < done->cnt; i++) {
            const rd_kafka_topic_partition_t *p = &done->elems[i];
            if (p->err) continue;
            cw_sink_tp_t *tp = cw_sink_tp_find(s, p->topic, p->partition);
            if (tp) tp->committed = p->offset;
            cw_log(s->t->connector, s->t->id, CW_LOG_DEBUG, "committed %s-%" PRId32 " at %" PRId64,
                   p->topic, p->partition, p->offset);
        }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    return rc;
}

/* What the plugin reports durable, as a commit list: never ahead of what was handed to put,
 * never backwards, nothing for a partition that received nothing. */
static rd_kafka_topic_partition_list_t *commit_list_of(cw_sink_t *s, const size_t *idx,
                                                       const cw_topic_partition_t *arr, size_t n) {
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++) {
        cw_sink_tp_t *tp = &s->tps[idx[i]];
        int64_t off = arr[i].offset;
        if (off == CW_OFFSET_INVALID || off < 0 || tp->position == CW_OFFSET_INVALID) continue;
        if (off > tp->position) off = tp->position;
        if (tp->committed != CW_OFFSET_INVALID && off <= tp->committed) continue;
        rd_kafka_topic_partition_list_add(list, tp->topic, tp->partition)->offset = off;
    }
    return list;
}

static int flush_commit(cw_sink_t *s, const size_t *idx, size_t n, int final);

/* Records read and not committed: what was put past the committed offsets, and the batch. */
static void update_active(cw_sink_t *s) {
    if (!s->t->tm) return;
    int64_t n = (int64_t)s->nbatch;
    for (size_t i = 0; i < s->ntps; i++) {
        const cw_sink_tp_t *tp = &s->tps[i];
        if (tp->position != CW_OFFSET_INVALID && tp->committed != CW_OFFSET_INVALID &&
            tp->position > tp->committed)
            n += tp->position - tp->committed;
    }
    cw_task_metrics_active(s->t->tm, (size_t)n);
}

void cw_sink_metrics_active(cw_sink_t *s) { update_active(s); }

int cw_sink_flush_commit(cw_sink_t *s, const size_t *idx, size_t n, int final) {
    if (!n || !s->started) return CW_OK;
    int64_t started = cw_now_us();
    int rc = flush_commit(s, idx, n, final);
    cw_task_metrics_commit(s->t->tm, rc == CW_OK, (double)(cw_now_us() - started) / 1000);
    update_active(s);
    return rc;
}

static int flush_commit(cw_sink_t *s, const size_t *idx, size_t n, int final) {
    char err[1024] = "";
    if (cw_errors_flush(s->errors, (int)s->t->flush_timeout_ms, err, sizeof err)) {
        s->no_flush = 1;
        cw_task_fail(s->t, "%s; nothing is committed past those records", err);
        return CW_ERR_FATAL;
    }
    cw_topic_partition_t *arr = calloc(n, sizeof *arr);
    if (!arr) {
        cw_task_fail(s->t, "out of memory flushing %zu partitions", n);
        return CW_ERR_FATAL;
    }
    for (size_t i = 0; i < n; i++) {
        arr[i].topic = s->tps[idx[i]].topic;
        arr[i].partition = s->tps[idx[i]].partition;
        arr[i].offset = offered_offset(s, &s->tps[idx[i]]);
    }
    /* No flush callback: the sink is durable as soon as put returned. */
    cw_task_doing(s->t, "the plugin's flush (pre-commit)");
    int rc = s->ops->flush ? s->ops->flush(s->state, arr, n, final, err, sizeof err) : CW_OK;
    cw_task_doing(s->t, "committing offsets to Kafka");
    if (rc == CW_ERR_RETRIABLE)
        cw_log(s->t->connector, s->t->id, CW_LOG_WARN, "flush not possible now, will retry: %s",
               err);
    if (rc != CW_OK && rc != CW_ERR_RETRIABLE) {
        s->no_flush = 1;
        cw_task_fail(s->t, "flush failed: %s", *err ? err : "no reason given");
        rc = CW_ERR_FATAL;
    }
    rd_kafka_topic_partition_list_t *list = rc == CW_OK ? commit_list_of(s, idx, arr, n) : NULL;
    free(arr);
    if (list && list->cnt > 0) rc = commit_list(s, list);
    if (list) rd_kafka_topic_partition_list_destroy(list);
    return rc;
}

int cw_sink_flush_commit_all(cw_sink_t *s, int final) {
    size_t *idx = calloc(s->ntps + 1, sizeof *idx);
    if (!idx) {
        cw_task_fail(s->t, "out of memory flushing %zu partitions", s->ntps);
        return CW_ERR_FATAL;
    }
    for (size_t i = 0; i < s->ntps; i++) idx[i] = i;
    int rc = cw_sink_flush_commit(s, idx, s->ntps, final);
    free(idx);
    return rc;
}

/* The plugin's open or close over tps[idx[0..n)], each with its committed offset. */
static void open_close(cw_sink_t *s, const size_t *idx, size_t n, int open) {
    int (*fn)(void *, const cw_topic_partition_t *, size_t, char *, size_t) =
        open ? s->ops->open : s->ops->close;
    if (!s->started || !fn || !n) return;
    if (open && cw_task_failed(s->t)) return;
    cw_topic_partition_t *arr = calloc(n, sizeof *arr);
    if (!arr) {
        s->no_flush = 1;
        cw_task_fail(s->t, "out of memory calling %s", open ? "open" : "close");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        arr[i].topic = s->tps[idx[i]].topic;
        arr[i].partition = s->tps[idx[i]].partition;
        arr[i].offset = s->tps[idx[i]].committed;
    }
    char err[1024] = "";
    if (fn(s->state, arr, n, err, sizeof err) != CW_OK && !cw_task_failed(s->t)) {
        s->no_flush = 1;
        cw_task_fail(s->t, "%s failed: %s", open ? "open" : "close",
                     *err ? err : "no reason given");
    }
    free(arr);
}

/* Appends an assigned partition. Returns its index, or -1 when out of memory. */
static long tp_add(cw_sink_t *s, const rd_kafka_topic_partition_t *p) {
    if (s->ntps == s->captps) {
        size_t cap = s->captps ? s->captps * 2 : 16;
        cw_sink_tp_t *tps = realloc(s->tps, cap * sizeof *tps);
        if (!tps) return -1;
        s->tps = tps;
        s->captps = cap;
    }
    char *topic = strdup(p->topic);
    if (!topic) return -1;
    cw_sink_tp_t *tp = &s->tps[s->ntps];
    tp->topic = topic;
    tp->partition = p->partition;
    tp->committed = p->offset >= 0 ? p->offset : CW_OFFSET_INVALID;
    tp->position = CW_OFFSET_INVALID;
    return (long)s->ntps++;
}

static void on_assign(cw_sink_t *s, rd_kafka_topic_partition_list_t *parts) {
    rd_kafka_topic_partition_list_t *committed = rd_kafka_topic_partition_list_copy(parts);
    rd_kafka_committed(s->rk, committed, 10000);
    size_t *idx = calloc((size_t)committed->cnt + 1, sizeof *idx), n = 0;
    for (int i = 0; idx && i < committed->cnt; i++) {
        long k = tp_add(s, &committed->elems[i]);
        if (k < 0) break;
        idx[n++] = (size_t)k;
    }
    if (!idx || n < (size_t)committed->cnt) {
        s->no_flush = 1;
        cw_task_fail(s->t, "out of memory taking %d assigned partition(s)", parts->cnt);
    }
    cw_log(s->t->connector, s->t->id, CW_LOG_INFO, "assigned %d partition(s)", parts->cnt);
    if (idx) open_close(s, idx, n, 1);
    free(idx);
    rd_kafka_topic_partition_list_destroy(committed);
    s->assign_gen++;
    cw_task_metrics_partitions(s->t->tm, s->ntps);
    for (int i = 0; s->t->topic_used && i < parts->cnt; i++)
        if (i == 0 || strcmp(parts->elems[i].topic, parts->elems[i - 1].topic) != 0)
            s->t->topic_used(s->t->opaque, parts->elems[i].topic);
}

/* Forgets tps[idx[0..n)] (idx ascending is not guaranteed: mark, then compact). */
static void tp_forget(cw_sink_t *s, const size_t *idx, size_t n) {
    for (size_t i = 0; i < n; i++) s->tps[idx[i]].partition = -1;
    size_t kept = 0;
    for (size_t i = 0; i < s->ntps; i++) {
        if (s->tps[i].partition == -1)
            free(s->tps[i].topic);
        else
            s->tps[kept++] = s->tps[i];
    }
    s->ntps = kept;
}

static void on_revoke(cw_sink_t *s, rd_kafka_topic_partition_list_t *parts) {
    size_t *idx = calloc((size_t)parts->cnt + 1, sizeof *idx), n = 0;
    for (int i = 0; i < parts->cnt; i++) {
        cw_sink_tp_t *tp = cw_sink_tp_find(s, parts->elems[i].topic, parts->elems[i].partition);
        if (tp && idx) idx[n++] = (size_t)(tp - s->tps);
        cw_sink_batch_drop_partition(s, parts->elems[i].topic, parts->elems[i].partition);
    }
    if (!idx) {
        /* Out of memory: the partitions go without flush or close; their new owner
         * consumes again from the last commit. */
        cw_task_fail(s->t, "out of memory revoking %d partition(s)", parts->cnt);
        s->no_flush = 1;
    }
    if (!s->no_flush && n && !s->final_done) {
        /* Hand over cleanly: whatever the sink can make durable is committed before the
         * partitions go to another task. A few retries, then the new owner re-consumes. */
        for (int attempt = 0; attempt < 3; attempt++) {
            if (cw_sink_flush_commit(s, idx, n, 1) != CW_ERR_RETRIABLE) break;
            /* Not rd_kafka_poll: with the consumer queue forwarded it could hand out (and
             * so skip) records. */
            cw_task_wait(s->t, 200 << attempt, NULL, NULL);
        }
    }
    open_close(s, idx, n, 0);
    tp_forget(s, idx, n);
    free(idx);
    s->revoke_gen++;
    /* Not for the close at stop: the last values while running stay (as the lag's do). */
    if (!s->final_done) cw_task_metrics_partitions(s->t->tm, s->ntps);
    cw_log(s->t->connector, s->t->id, CW_LOG_INFO, "revoked %d partition(s)", parts->cnt);
}

void cw_sink_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                       rd_kafka_topic_partition_list_t *parts, void *opaque) {
    cw_sink_t *s = opaque;
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
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        on_revoke(s, parts);
    else
        cw_log(s->t->connector, s->t->id, CW_LOG_WARN, "rebalance error: %s",
               rd_kafka_err2str(err));
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
        if (e) rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

void cw_sink_close_all(cw_sink_t *s) {
    size_t *idx = calloc(s->ntps + 1, sizeof *idx);
    if (!idx) return;
    for (size_t i = 0; i < s->ntps; i++) idx[i] = i;
    open_close(s, idx, s->ntps, 0);
    free(idx);
}

void cw_sink_set_paused(cw_sink_t *s, int pause, const char *why) {
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
    cw_log(s->t->connector, s->t->id, pause ? CW_LOG_INFO : CW_LOG_DEBUG, "%s consumption (%s)",
           pause ? "pausing" : "resuming", why);
}
