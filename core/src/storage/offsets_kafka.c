/*
 * The offset.storage.topic backend (see offsets_kafka.h). In memory, one jansson object maps a
 * lookup key (connector and partition with sorted fields, so that {"a":1,"b":2} and
 * {"b":2,"a":1} are one partition, as Java's Map equality has it) to [key bytes, offset]; the
 * key bytes are those read from the topic, or the plugin's partition encoded when it is new.
 * A flush sends the current value of every key put since the last flush, then waits for the
 * acknowledgements; keys of a failed flush are sent again by the next one.
 */
#include "storage/offsets_kafka.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_encode.h"
#include "log.h"
#include "storage/connect_formats.h"
#include "storage/kafka_log.h"

typedef struct kafka_offsets {
    cw_offsets_t base; /* first: the dispatch header */
    cw_klog_t *log;    /* producer only */
    int flush_timeout_ms;
    pthread_mutex_t lock;       /* entries, dirty */
    pthread_mutex_t flush_lock; /* one flush at a time */
    json_t *entries;            /* lookup key -> [key bytes (string), offset (object) or null] */
    json_t *dirty;              /* lookup key -> true: put since the last flush */
    size_t skipped;             /* records read that are not in Kafka Connect's format */
    cw_klog_t *reader;          /* distributed mode: kept for refreshes */
    int (*fenced)(void *);      /* distributed mode: no flush while it says so */
    void *fence_opaque;
} kafka_offsets_t;

static const cw_offsets_ops_t kafka_ops;

/* The lookup key of connector + partition (JSON text); NULL when the partition is not JSON. */
static char *lookup_key(const char *connector, const char *partition_json) {
    json_t *p = json_loads(partition_json, JSON_DECODE_ANY, NULL);
    if (!p) return NULL;
    json_t *k = json_pack("[s,o]", connector, p);
    char *s = k ? json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    json_decref(k);
    return s;
}

/* One record read at open: the last value of a key wins, a tombstone deletes. */
static void on_record(void *opaque, const void *key, size_t key_len, const void *value,
                      size_t value_len, int32_t partition, int64_t offset) {
    kafka_offsets_t *o = opaque;
    char err[300], *connector = NULL, *part = NULL, *off = NULL, *lk = NULL;
    if (cw_cf_offset_key_decode(key, key_len, &connector, &part, err, sizeof err) ||
        cw_cf_offset_value_decode(value, value_len, &off, err, sizeof err)) {
        if (!o->skipped++)
            cw_log_warn("offset.storage.topic %s partition %d offset %lld: skipped, not in "
                        "Kafka Connect's format: %s",
                        cw_klog_topic(o->log), (int)partition, (long long)offset, err);
        goto out;
    }
    if (!(lk = lookup_key(connector, part))) goto out;
    if (json_object_get(o->dirty, lk)) goto out; /* a refresh: our newer value stays */
    if (!off) {
        json_object_del(o->entries, lk);
    } else {
        json_t *e =
            json_pack("[s%,o]", (const char *)key, key_len, json_loads(off, JSON_DECODE_ANY, NULL));
        if (e) json_object_set_new(o->entries, lk, e);
    }
out:
    free(connector);
    free(part);
    free(off);
    free(lk);
}

static char *kafka_get(cw_offsets_t *base, const char *connector, const char *source_partition) {
    kafka_offsets_t *o = (kafka_offsets_t *)base;
    char *lk = lookup_key(connector, source_partition), *out = NULL;
    if (!lk) return NULL;
    pthread_mutex_lock(&o->lock);
    json_t *v = json_array_get(json_object_get(o->entries, lk), 1);
    if (json_is_object(v)) out = cw_json_encode(v, NULL);
    pthread_mutex_unlock(&o->lock);
    free(lk);
    return out;
}

static void kafka_put(cw_offsets_t *base, const char *connector, const char *source_partition,
                      const char *source_offset) {
    kafka_offsets_t *o = (kafka_offsets_t *)base;
    char *lk = lookup_key(connector, source_partition);
    json_t *v = source_offset ? json_loads(source_offset, JSON_DECODE_ANY, NULL) : json_null();
    pthread_mutex_lock(&o->lock);
    json_t *e = lk ? json_object_get(o->entries, lk) : NULL;
    if (lk && v && !e) {
        /* A new partition: its key in the plugin's own field order, as Java writes it. An
         * unencodable partition (not an object) keeps an empty key and fails the flush. */
        char *kb = cw_cf_offset_key_encode(connector, source_partition, NULL);
        e = json_pack("[s,o]", kb ? kb : "", json_null());
        free(kb);
        json_object_set_new(o->entries, lk, e);
    }
    if (e && v) {
        json_array_set(e, 1, v);
        json_object_set_new(o->dirty, lk, json_true());
    } else {
        cw_log_error("offset.storage.topic %s: connector %s: offset %s of partition %s is not "
                     "JSON; not stored",
                     cw_klog_topic(o->log), connector, source_offset ? source_offset : "null",
                     source_partition);
    }
    pthread_mutex_unlock(&o->lock);
    json_decref(v);
    free(lk);
}

/* Queues the current value of every key in `keys`; returns the number refused, errstr set. */
static int send_keys(kafka_offsets_t *o, json_t *keys, char *errstr, size_t errstr_size) {
    const char *lk;
    json_t *unused;
    int bad = 0;
    json_object_foreach(keys, lk, unused) {
        /* Everything read from the entry is read under the lock: a put meanwhile replaces
         * (and frees) its value (ThreadSanitizer saw json_is_object read a freed value). */
        pthread_mutex_lock(&o->lock);
        json_t *e = json_object_get(o->entries, lk);
        const char *k = json_string_value(json_array_get(e, 0));
        char *kb = k ? strdup(k) : NULL;
        json_t *val = json_array_get(e, 1);
        int is_object = json_is_object(val);
        char *vb = is_object ? cw_json_encode(val, NULL) : NULL;
        pthread_mutex_unlock(&o->lock);
        if (!kb || !*kb || (is_object && !vb)) {
            if (!bad++)
                snprintf(errstr, errstr_size,
                         "offset.storage.topic %s: %s: Kafka Connect's offsets need a JSON "
                         "object as source partition and as offset",
                         cw_klog_topic(o->log), lk);
        } else {
            char err[600];
            if (cw_klog_send(o->log, kb, strlen(kb), vb, vb ? strlen(vb) : 0, err, sizeof err) &&
                !bad++)
                snprintf(errstr, errstr_size, "offset.storage.%s", err);
        }
        free(kb);
        free(vb);
    }
    return bad;
}

static int kafka_flush(cw_offsets_t *base, char *errstr, size_t errstr_size) {
    kafka_offsets_t *o = (kafka_offsets_t *)base;
    if (o->fenced && o->fenced(o->fence_opaque)) {
        snprintf(errstr, errstr_size,
                 "offset.storage.topic %s: offsets not written: this worker may have lost its "
                 "lease (distributed mode: a worker that lost its slots never commits)",
                 cw_klog_topic(o->log));
        return -1;
    }
    pthread_mutex_lock(&o->flush_lock);
    pthread_mutex_lock(&o->lock);
    json_t *keys = o->dirty;
    o->dirty = json_object();
    pthread_mutex_unlock(&o->lock);
    int rc = 0;
    if (json_object_size(keys)) {
        int bad = send_keys(o, keys, errstr, errstr_size);
        char ferr[600];
        int failed = cw_klog_flush(o->log, o->flush_timeout_ms, ferr, sizeof ferr);
        if (failed && !bad) snprintf(errstr, errstr_size, "offset.storage.%s", ferr);
        if (bad || failed) {
            /* Sent again by the next flush, with whatever value is current then. */
            pthread_mutex_lock(&o->lock);
            json_object_update_missing(o->dirty, keys);
            pthread_mutex_unlock(&o->lock);
            rc = -1;
        }
    }
    json_decref(keys);
    pthread_mutex_unlock(&o->flush_lock);
    return rc;
}

/* The entries of one connector: their lookup keys are [connector, partition]. */
static char *kafka_list(cw_offsets_t *base, const char *connector) {
    kafka_offsets_t *o = (kafka_offsets_t *)base;
    json_t *arr = json_array();
    pthread_mutex_lock(&o->lock);
    const char *lk;
    json_t *e;
    json_object_foreach(o->entries, lk, e) {
        json_t *k = json_loads(lk, 0, NULL);
        json_t *off = json_array_get(e, 1);
        if (json_is_object(off) &&
            strcmp(json_string_value(json_array_get(k, 0)) ? json_string_value(json_array_get(k, 0))
                                                           : "",
                   connector) == 0)
            json_array_append_new(
                arr, json_pack("{s:O, s:O}", "partition", json_array_get(k, 1), "offset", off));
        json_decref(k);
    }
    pthread_mutex_unlock(&o->lock);
    char *out = cw_json_encode(arr, NULL);
    json_decref(arr);
    return out;
}

static void kafka_destroy(cw_offsets_t *base) {
    kafka_offsets_t *o = (kafka_offsets_t *)base;
    cw_klog_destroy(o->reader);
    cw_klog_destroy(o->log);
    json_decref(o->entries);
    json_decref(o->dirty);
    pthread_mutex_destroy(&o->lock);
    pthread_mutex_destroy(&o->flush_lock);
    free(o);
}

cw_offsets_t *cw_offsets_open_kafka(cw_offsets_kafka_conf_t *conf, char *errstr,
                                    size_t errstr_size) {
    kafka_offsets_t *o = calloc(1, sizeof *o);
    if (!o) abort();
    o->base.ops = &kafka_ops;
    o->flush_timeout_ms = conf->flush_timeout_ms;
    o->entries = json_object();
    o->dirty = json_object();
    pthread_mutex_init(&o->lock, NULL);
    pthread_mutex_init(&o->flush_lock, NULL);
    /* The reader lives only while opening: an idle assigned consumer would keep fetching our
     * own writes into memory. */
    cw_klog_t *reader = cw_klog_new(conf->topic, NULL, conf->consumer_conf, errstr, errstr_size);
    conf->consumer_conf = NULL;
    o->log = cw_klog_new(conf->topic, conf->producer_conf, NULL, errstr, errstr_size);
    conf->producer_conf = NULL;
    if (!reader || !o->log) goto fail;
    pthread_mutex_lock(&o->lock);
    int rc = cw_klog_read_to_end(reader, on_record, o, conf->read_timeout_ms, errstr, errstr_size);
    pthread_mutex_unlock(&o->lock);
    if (conf->keep_reader)
        o->reader = reader;
    else
        cw_klog_destroy(reader);
    reader = NULL;
    if (rc) goto fail;
    cw_log_info("offset.storage.topic %s: %zu source partition offset(s) read%s", conf->topic,
                json_object_size(o->entries), o->skipped ? " (some records skipped)" : "");
    return &o->base;
fail:
    cw_klog_destroy(reader);
    kafka_destroy(&o->base);
    return NULL;
}

int cw_offsets_kafka_refresh(cw_offsets_t *base, int timeout_ms, char *errstr, size_t errstr_size) {
    if (!base || base->ops != &kafka_ops) return 0;
    kafka_offsets_t *o = (kafka_offsets_t *)base;
    if (!o->reader) return 0;
    pthread_mutex_lock(&o->lock);
    int rc = cw_klog_read_to_end(o->reader, on_record, o, timeout_ms, errstr, errstr_size);
    pthread_mutex_unlock(&o->lock);
    return rc;
}

void cw_offsets_kafka_set_fence(cw_offsets_t *base, int (*fenced)(void *), void *opaque) {
    if (!base || base->ops != &kafka_ops) return;
    kafka_offsets_t *o = (kafka_offsets_t *)base;
    o->fence_opaque = opaque;
    o->fenced = fenced;
}

static int kafka_fenced(cw_offsets_t *base) {
    kafka_offsets_t *o = (kafka_offsets_t *)base;
    return o->fenced && o->fenced(o->fence_opaque);
}

static const cw_offsets_ops_t kafka_ops = {.get = kafka_get,
                                           .put = kafka_put,
                                           .flush = kafka_flush,
                                           .destroy = kafka_destroy,
                                           .list = kafka_list,
                                           .fenced = kafka_fenced};
