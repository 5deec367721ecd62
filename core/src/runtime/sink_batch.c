/* A sink task's batch: consumed records, the transform chain over them, and put. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record.h"
#include "runtime/sink_task.h"

/* Adds a record to the batch (which takes it). Returns 0, or -1 when out of memory (the record
 * is freed and the task failed). */
static int batch_push(cw_sink_t *s, cw_record_t *r) {
    if (s->nbatch == s->capbatch) {
        size_t cap = s->capbatch ? s->capbatch * 2 : CW_SINK_BATCH_MAX;
        cw_sink_item_t *b = realloc(s->batch, cap * sizeof *b);
        if (!b) {
            cw_record_free(r);
            cw_task_fail(s->t, "out of memory growing the batch to %zu records", cap);
            return -1;
        }
        s->batch = b;
        s->capbatch = cap;
    }
    s->batch[s->nbatch].r = r;
    s->batch[s->nbatch].skip = 0;
    s->nbatch++;
    return 0;
}

void cw_sink_batch_free(cw_sink_t *s) {
    for (size_t i = 0; i < s->nbatch; i++) cw_record_free(s->batch[i].r);
    s->nbatch = 0;
    s->batch_ready = 0;
}

void cw_sink_batch_drop_partition(cw_sink_t *s, const char *topic, int32_t partition) {
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

int cw_sink_take_message(cw_sink_t *s, rd_kafka_message_t *m) {
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            char fatal[512];
            if (rd_kafka_fatal_error(s->rk, fatal, sizeof fatal))
                cw_task_fail(s->t, "consumer failed: %s", fatal);
            else
                cw_log(s->t->connector, s->t->id, CW_LOG_WARN, "consumer: %s%s%s",
                       rd_kafka_message_errstr(m), m->rkt ? " on topic " : "",
                       m->rkt ? rd_kafka_topic_name(m->rkt) : "");
        }
        rd_kafka_message_destroy(m);
        return 0;
    }
    cw_record_t *r = cw_record_from_message(m, s->t->key_conv, s->t->value_conv);
    if (!r) {
        cw_task_fail(s->t,
                     "out of memory reading a record of topic %s partition %" PRId32
                     " offset %" PRId64,
                     rd_kafka_topic_name(m->rkt), m->partition, m->offset);
        rd_kafka_message_destroy(m);
        return 0;
    }
    return batch_push(s, r) == 0;
}

/* Queued messages are taken without a timeout (and without reading the clock for each). */
void cw_sink_consume_batch(cw_sink_t *s) {
    int64_t end = 0;
    size_t before = s->nbatch;
    while (s->nbatch < CW_SINK_BATCH_MAX && !cw_task_failed(s->t)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, 0);
        if (!m) {
            int64_t now = cw_now_ms();
            if (!end) end = now + CW_SINK_BATCH_WAIT_MS;
            if (now >= end || !(m = rd_kafka_consumer_poll(s->rk, (int)(end - now)))) break;
        }
        cw_sink_take_message(s, m);
    }
    cw_task_metrics_read(s->t->tm, s->nbatch - before);
}

int cw_sink_transform_one(cw_sink_t *s, size_t i) {
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

int cw_sink_transform_batch(cw_sink_t *s) {
    for (size_t i = 0; i < s->nbatch; i++)
        if (cw_sink_transform_one(s, i)) return -1;
    s->batch_ready = 1;
    return 0;
}

/* After put took the batch: every partition's position moves past its records. Positions are
 * the consumer's: original coordinates, whatever a transform routed the record to (KIP-793). */
static void advance_positions(cw_sink_t *s) {
    cw_sink_tp_t *tp = NULL;
    for (size_t i = 0; i < s->nbatch; i++) {
        cw_record_t *r = s->batch[i].r;
        const char *topic = cw_record_original_topic(r);
        int32_t partition = cw_record_original_partition(r);
        int64_t next = cw_record_original_offset(r) + 1;
        /* A batch holds runs of one partition: look up only when it changes. */
        if (!tp || tp->partition != partition || strcmp(tp->topic, topic) != 0)
            tp = cw_sink_tp_find(s, topic, partition);
        if (tp && (tp->position == CW_OFFSET_INVALID || next > tp->position)) tp->position = next;
    }
}

int cw_sink_put_batch(cw_sink_t *s) {
    cw_record_t **recs = calloc(s->nbatch + 1, sizeof *recs);
    if (!recs) {
        cw_task_fail(s->t, "out of memory handing %zu records to put", s->nbatch);
        return CW_ERR_FATAL;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->nbatch; i++)
        if (!s->batch[i].skip) recs[n++] = s->batch[i].r;
    char err[1024] = "";
    int64_t started = cw_now_us();
    long bad = cw_errors_count(s->errors);
    cw_task_doing(s->t, "the plugin's put");
    int rc = s->ops->put(s->state, recs, n, err, sizeof err);
    cw_task_doing(s->t, "consuming from Kafka");
    free(recs);
    /* Records the sink reported bad (a value that does not parse: Kafka's converter would have
     * refused it before put) are not counted as sent. */
    bad = cw_errors_count(s->errors) - bad;
    if (rc == CW_OK)
        cw_task_metrics_put(s->t->tm, n - (size_t)bad, (double)(cw_now_us() - started) / 1000);
    if (rc == CW_ERR_RETRIABLE) return rc;
    if (rc != CW_OK) {
        const char *bad = cw_errors_last_fatal(s->errors);
        if (cw_task_failed(s->t))
            ;
        else if (bad)
            cw_task_fail(s->t, "%s", bad);
        else
            cw_task_fail(s->t, "put failed: %s", *err ? err : "no reason given");
        return CW_ERR_FATAL;
    }
    advance_positions(s);
    cw_sink_batch_free(s);
    cw_sink_metrics_active(s);
    return CW_OK;
}

/* The high watermarks come from the broker in one ListOffsets request for all partitions
 * (offsets_for_times with the "latest" timestamp), not from librdkafka's cache of the last
 * fetch response, and not with query_watermark_offsets, which costs a round trip (and its
 * polling interval) per partition. */
int cw_sink_caught_up(cw_sink_t *s) {
    if (s->ntps == 0) return 1;
    rd_kafka_topic_partition_list_t *pos = rd_kafka_topic_partition_list_new((int)s->ntps);
    rd_kafka_topic_partition_list_t *hw = rd_kafka_topic_partition_list_new((int)s->ntps);
    for (size_t i = 0; i < s->ntps; i++) {
        rd_kafka_topic_partition_list_add(pos, s->tps[i].topic, s->tps[i].partition);
        rd_kafka_topic_partition_list_add(hw, s->tps[i].topic, s->tps[i].partition)->offset =
            RD_KAFKA_OFFSET_END; /* as a timestamp: -1 = latest */
    }
    rd_kafka_position(s->rk, pos);
    int done = rd_kafka_offsets_for_times(s->rk, hw, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; i < s->ntps && done; i++) {
        cw_sink_tp_t *tp = &s->tps[i];
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
