/*
 * Source offsets in a Kafka topic (offset.storage.topic), in Kafka Connect's format: key
 * ["<connector>",{<source partition>}], value {<source offset>}, a tombstone for a deleted
 * offset, records placed with Java's key partitioning. A Java worker (Kafka Connect, MSK
 * Connect) and connect-worker can take over from each other on the same topic.
 */
#ifndef CW_STORAGE_OFFSETS_KAFKA_H
#define CW_STORAGE_OFFSETS_KAFKA_H
#include <librdkafka/rdkafka.h>

#include "storage/offsets.h"

typedef struct cw_offsets_kafka_conf {
    const char *topic;
    rd_kafka_conf_t *producer_conf; /* owned by the call from here on, also on failure */
    rd_kafka_conf_t *consumer_conf; /* idem; used only while opening */
    int read_timeout_ms;            /* reading the topic to its end at open */
    int flush_timeout_ms;           /* each flush waits this long for acknowledgements */
    int keep_reader;                /* distributed mode: keep the reader for _refresh */
} cw_offsets_kafka_conf_t;

/** Reads the whole topic (every connector's offsets, the last value of each key winning, a
 *  tombstone deleting) and returns a store whose flush writes the offsets put since the last
 *  flush. A record whose key or value is not in Kafka Connect's format is logged (topic,
 *  partition, offset) and skipped, as Kafka does. A partition read from the topic keeps the
 *  key bytes it was read with, so a rewrite replaces the Java worker's record on the same
 *  partition even when the plugin orders the partition's fields differently. Returns NULL
 *  with errstr naming the topic when it cannot be read to its end in time. The topic must
 *  exist (internal_topics.h). */
cw_offsets_t *cw_offsets_open_kafka(cw_offsets_kafka_conf_t *conf, char *errstr,
                                    size_t errstr_size);

/** Distributed mode: reads what other workers wrote since the last read (the store must have
 *  been opened with keep_reader), before a unit starts here, as Kafka's
 *  KafkaOffsetBackingStore reads to the end before answering. Keys put here and not yet
 *  flushed keep their value. 0, or -1 with errstr; 0 without doing anything for a store of
 *  another backend. Thread-safe. */
int cw_offsets_kafka_refresh(cw_offsets_t *o, int timeout_ms, char *errstr, size_t errstr_size);

/** Distributed mode: `fenced(opaque)` is asked before each flush writes; while it returns
 *  non-zero (this worker may have lost its lease: another worker may run the unit) the flush
 *  writes nothing and fails, so a zombie never commits. No-op for another backend. */
void cw_offsets_kafka_set_fence(cw_offsets_t *o, int (*fenced)(void *), void *opaque);
#endif
