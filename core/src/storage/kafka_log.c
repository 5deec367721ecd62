/*
 * A topic as a log (see kafka_log.h). The reader assigns every partition without a group and
 * counts a partition as read when its position reached the end offset taken at the start of
 * the call; the position moves with each record and with librdkafka's partition EOF event,
 * which also covers a compacted topic whose last offsets hold no record.
 */
#include "storage/kafka_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cw_klog {
    char *topic;
    rd_kafka_t *producer, *consumer;
    pthread_mutex_t read_lock;
    int32_t nparts; /* partitions assigned so far */
    int64_t *next;  /* per partition: the next offset to read (or RD_KAFKA_OFFSET_BEGINNING) */
    pthread_mutex_t dr_lock;
    int dr_failed; /* delivery errors since the last flush */
    char dr_err[512];
};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    cw_klog_t *l = m->_private;
    if (!l || !m->err) return;
    pthread_mutex_lock(&l->dr_lock);
    if (!l->dr_failed++)
        snprintf(l->dr_err, sizeof l->dr_err, "topic %s partition %d: record not written: %s",
                 l->topic, (int)m->partition, rd_kafka_err2str(m->err));
    pthread_mutex_unlock(&l->dr_lock);
}

/* Sets what the log relies on; returns 0 or -1 with errstr naming the property. */
static int set_all(rd_kafka_conf_t *conf, const char *const *kv, char *errstr, size_t errstr_size) {
    char err[256]; /* librdkafka's messages are short; leaves room in errstr */
    for (size_t i = 0; kv[i]; i += 2)
        if (rd_kafka_conf_set(conf, kv[i], kv[i + 1], err, sizeof err) != RD_KAFKA_CONF_OK) {
            snprintf(errstr, errstr_size, "%s=%s: %s", kv[i], kv[i + 1], err);
            return -1;
        }
    return 0;
}

static rd_kafka_t *make_client(rd_kafka_type_t type, rd_kafka_conf_t *conf, const char *topic,
                               char *errstr, size_t errstr_size) {
    static const char *const producer_kv[] = {"partitioner",        "murmur2_random", "acks", "all",
                                              "enable.idempotence", "true",           NULL};
    static const char *const consumer_kv[] = {"enable.partition.eof",
                                              "true",
                                              "enable.auto.commit",
                                              "false",
                                              "enable.auto.offset.store",
                                              "false",
                                              NULL};
    char err[512];
    if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    /* librdkafka refuses assign() without a group.id; the log never joins or commits. */
    size_t n = 0;
    if (type == RD_KAFKA_CONSUMER &&
        rd_kafka_conf_get(conf, "group.id", NULL, &n) != RD_KAFKA_CONF_OK)
        rd_kafka_conf_set(conf, "group.id", "connect-worker-internal-log", NULL, 0);
    if (set_all(conf, type == RD_KAFKA_PRODUCER ? producer_kv : consumer_kv, err, sizeof err)) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "topic %s: %s", topic, err);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "topic %s: cannot create a %s: %s", topic,
                 type == RD_KAFKA_PRODUCER ? "producer" : "consumer", err);
        return NULL;
    }
    if (type == RD_KAFKA_CONSUMER) rd_kafka_poll_set_consumer(rk);
    return rk;
}

cw_klog_t *cw_klog_new(const char *topic, rd_kafka_conf_t *producer_conf,
                       rd_kafka_conf_t *consumer_conf, char *errstr, size_t errstr_size) {
    cw_klog_t *l = calloc(1, sizeof *l);
    if (!l) abort();
    l->topic = strdup(topic);
    pthread_mutex_init(&l->read_lock, NULL);
    pthread_mutex_init(&l->dr_lock, NULL);
    if (producer_conf) {
        l->producer = make_client(RD_KAFKA_PRODUCER, producer_conf, topic, errstr, errstr_size);
        producer_conf = NULL;
        if (!l->producer) goto fail;
    }
    if (consumer_conf) {
        l->consumer = make_client(RD_KAFKA_CONSUMER, consumer_conf, topic, errstr, errstr_size);
        consumer_conf = NULL;
        if (!l->consumer) goto fail;
    }
    return l;
fail:
    if (consumer_conf) rd_kafka_conf_destroy(consumer_conf);
    cw_klog_destroy(l);
    return NULL;
}

void cw_klog_destroy(cw_klog_t *l) {
    if (!l) return;
    if (l->consumer) {
        rd_kafka_consumer_close(l->consumer);
        rd_kafka_destroy(l->consumer);
    }
    if (l->producer) rd_kafka_destroy(l->producer);
    pthread_mutex_destroy(&l->read_lock);
    pthread_mutex_destroy(&l->dr_lock);
    free(l->next);
    free(l->topic);
    free(l);
}

const char *cw_klog_topic(const cw_klog_t *l) { return l->topic; }

/* The topic's partition count from the brokers (never creates the topic: a consumer's
 * metadata request does not ask for auto-creation). */
static int partition_count(cw_klog_t *l, int timeout_ms, char *errstr, size_t errstr_size) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(l->consumer, l->topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(l->consumer, 0, rkt, &md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    int n = -1;
    if (err)
        snprintf(errstr, errstr_size, "topic %s: no metadata: %s", l->topic, rd_kafka_err2str(err));
    else if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt < 1)
        snprintf(errstr, errstr_size, "topic %s: %s", l->topic,
                 md->topic_cnt == 1 && md->topics[0].err ? rd_kafka_err2str(md->topics[0].err)
                                                         : "does not exist");
    else
        n = md->topics[0].partition_cnt;
    if (md) rd_kafka_metadata_destroy(md);
    return n;
}

/* (Re)assigns every partition at the position reached so far. */
static int assign(cw_klog_t *l, int32_t n, char *errstr, size_t errstr_size) {
    int64_t *next = realloc(l->next, (size_t)n * sizeof *next);
    if (!next) abort();
    for (int32_t p = l->nparts; p < n; p++) next[p] = RD_KAFKA_OFFSET_BEGINNING;
    l->next = next;
    l->nparts = n;
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(n);
    for (int32_t p = 0; p < n; p++)
        rd_kafka_topic_partition_list_add(tp, l->topic, p)->offset = next[p];
    rd_kafka_resp_err_t err = rd_kafka_assign(l->consumer, tp);
    rd_kafka_topic_partition_list_destroy(tp);
    if (err)
        snprintf(errstr, errstr_size, "topic %s: cannot assign its partitions: %s", l->topic,
                 rd_kafka_err2str(err));
    return err ? -1 : 0;
}

/* The end offset of every partition (ListOffsets "latest"). */
static rd_kafka_topic_partition_list_t *end_offsets(cw_klog_t *l, int timeout_ms, char *errstr,
                                                    size_t errstr_size) {
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(l->nparts);
    for (int32_t p = 0; p < l->nparts; p++)
        rd_kafka_topic_partition_list_add(tp, l->topic, p)->offset = RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(l->consumer, tp, timeout_ms);
    for (int i = 0; !err && i < tp->cnt; i++) err = tp->elems[i].err;
    if (err) {
        snprintf(errstr, errstr_size, "topic %s: cannot get its end offsets: %s", l->topic,
                 rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(tp);
        return NULL;
    }
    return tp;
}

static int caught_up(const cw_klog_t *l, const rd_kafka_topic_partition_list_t *end) {
    for (int i = 0; i < end->cnt; i++) {
        int64_t next = l->next[end->elems[i].partition];
        if (end->elems[i].offset > 0 && (next < 0 || next < end->elems[i].offset)) return 0;
    }
    return 1;
}

/* Handles one consumer event; returns -1 with errstr on an error that ends the read. */
static int consume_one(cw_klog_t *l, rd_kafka_message_t *m, cw_klog_record_fn fn, void *opaque,
                       char *errstr, size_t errstr_size) {
    int32_t p = m->partition;
    int ours =
        m->rkt && p >= 0 && p < l->nparts && strcmp(rd_kafka_topic_name(m->rkt), l->topic) == 0;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (ours && m->offset > l->next[p]) l->next[p] = m->offset;
        return 0;
    }
    if (m->err) {
        /* Transport errors are retried by librdkafka: the deadline decides. */
        if (m->err == RD_KAFKA_RESP_ERR__TRANSPORT || m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
            return 0;
        snprintf(errstr, errstr_size, "topic %s partition %d: %s", l->topic, (int)p,
                 rd_kafka_message_errstr(m));
        return -1;
    }
    if (!ours) return 0;
    fn(opaque, m->key, m->key_len, m->payload, m->payload ? m->len : 0, p, m->offset);
    l->next[p] = m->offset + 1;
    return 0;
}

int cw_klog_read_to_end(cw_klog_t *l, cw_klog_record_fn fn, void *opaque, int timeout_ms,
                        char *errstr, size_t errstr_size) {
    if (!l->consumer) {
        snprintf(errstr, errstr_size, "topic %s: this log has no consumer", l->topic);
        return -1;
    }
    pthread_mutex_lock(&l->read_lock);
    int64_t deadline = now_ms() + timeout_ms;
    int rc = -1;
    rd_kafka_topic_partition_list_t *end = NULL;
    int32_t n = partition_count(l, timeout_ms, errstr, errstr_size);
    if (n < 0 || (n != l->nparts && assign(l, n, errstr, errstr_size))) goto out;
    if (!(end = end_offsets(l, (int)(deadline - now_ms()), errstr, errstr_size))) goto out;
    while (!caught_up(l, end)) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            snprintf(errstr, errstr_size,
                     "topic %s: not read to its end within %d ms (Kafka unreachable?)", l->topic,
                     timeout_ms);
            goto out;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(l->consumer, left < 100 ? (int)left : 100);
        if (!m) continue;
        int bad = consume_one(l, m, fn, opaque, errstr, errstr_size);
        rd_kafka_message_destroy(m);
        if (bad) goto out;
    }
    rc = 0;
out:
    if (end) rd_kafka_topic_partition_list_destroy(end);
    pthread_mutex_unlock(&l->read_lock);
    return rc;
}

int cw_klog_send(cw_klog_t *l, const void *key, size_t key_len, const void *value, size_t value_len,
                 char *errstr, size_t errstr_size) {
    return cw_klog_send_to(l, RD_KAFKA_PARTITION_UA, key, key_len, value, value_len, errstr,
                           errstr_size);
}

int cw_klog_send_to(cw_klog_t *l, int32_t partition, const void *key, size_t key_len,
                    const void *value, size_t value_len, char *errstr, size_t errstr_size) {
    if (!l->producer) {
        snprintf(errstr, errstr_size, "topic %s: this log has no producer", l->topic);
        return -1;
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        l->producer, RD_KAFKA_V_TOPIC(l->topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY((void *)key, key_len),
        RD_KAFKA_V_VALUE((void *)value, value ? value_len : 0), RD_KAFKA_V_OPAQUE(l),
        RD_KAFKA_V_END);
    if (err) {
        snprintf(errstr, errstr_size, "topic %s: cannot queue a record: %s", l->topic,
                 rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

int cw_klog_flush(cw_klog_t *l, int timeout_ms, char *errstr, size_t errstr_size) {
    if (!l->producer) return 0;
    rd_kafka_resp_err_t err = rd_kafka_flush(l->producer, timeout_ms);
    pthread_mutex_lock(&l->dr_lock);
    int failed = l->dr_failed;
    if (failed)
        snprintf(errstr, errstr_size, "%s (%d record(s) failed)", l->dr_err, failed);
    else if (err)
        snprintf(errstr, errstr_size, "topic %s: records not acknowledged within %d ms: %s",
                 l->topic, timeout_ms, rd_kafka_err2str(err));
    l->dr_failed = 0;
    pthread_mutex_unlock(&l->dr_lock);
    return failed || err ? -1 : 0;
}
