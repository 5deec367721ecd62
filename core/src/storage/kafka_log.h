/*
 * A Kafka topic used as a log of key/value records, as Kafka Connect's KafkaBasedLog: a
 * consumer without a group reads every partition from the beginning to the end, and a producer
 * appends with Java's key partitioning (partitioner=murmur2_random), so that a key lands on
 * the partition a Java worker writes it to and a compacted topic keeps one value per key.
 * The offset store (offsets_kafka.c) and the distributed herder's config and status topics
 * sit on it.
 */
#ifndef CW_STORAGE_KAFKA_LOG_H
#define CW_STORAGE_KAFKA_LOG_H
#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cw_klog cw_klog_t;

/** Called for each record in partition order (no order across partitions). `value` is NULL
 *  for a tombstone; key and value are borrowed for the call. */
typedef void (*cw_klog_record_fn)(void *opaque, const void *key, size_t key_len, const void *value,
                                  size_t value_len, int32_t partition, int64_t offset);

/** Opens the log of `topic`. Takes ownership of both configurations (also on failure); either
 *  may be NULL for a log that is only read or only written. The producer gets
 *  partitioner=murmur2_random, acks=all and enable.idempotence=true over what the caller
 *  set; the consumer enable.partition.eof=true and no automatic commits. The topic must exist
 *  (internal_topics.h creates it): nothing is contacted yet. Returns NULL with errstr. */
cw_klog_t *cw_klog_new(const char *topic, rd_kafka_conf_t *producer_conf,
                       rd_kafka_conf_t *consumer_conf, char *errstr, size_t errstr_size);
void cw_klog_destroy(cw_klog_t *l);

/** Reads from where the last call stopped (the first call: every partition's beginning) up to
 *  each partition's end offset as the brokers report it when the call starts, calling `fn`
 *  for each record. Partitions added to the topic since are read from their beginning.
 *  Returns 0, or -1 with errstr naming the topic (no such topic, timeout, a consumer error).
 *  Calls are serialized; `fn` runs on the calling thread. */
int cw_klog_read_to_end(cw_klog_t *l, cw_klog_record_fn fn, void *opaque, int timeout_ms,
                        char *errstr, size_t errstr_size);

/** Queues one record (value NULL: tombstone); delivery is reported by the next cw_klog_flush.
 *  Returns 0, or -1 with errstr when librdkafka refuses it at once (queue full, no producer).
 *  Thread-safe. */
int cw_klog_send(cw_klog_t *l, const void *key, size_t key_len, const void *value, size_t value_len,
                 char *errstr, size_t errstr_size);

/** As cw_klog_send, to partition `partition` instead of the key's (the leases topic's
 *  partition 0 of distributed mode). */
int cw_klog_send_to(cw_klog_t *l, int32_t partition, const void *key, size_t key_len,
                    const void *value, size_t value_len, char *errstr, size_t errstr_size);

/** Waits up to timeout_ms for every queued record to be acknowledged. Returns 0 when all
 *  records sent since the previous flush were written, or -1 with errstr (the first delivery
 *  error, naming topic and partition, or the timeout). One flusher at a time. */
int cw_klog_flush(cw_klog_t *l, int timeout_ms, char *errstr, size_t errstr_size);

const char *cw_klog_topic(const cw_klog_t *l);
#endif
