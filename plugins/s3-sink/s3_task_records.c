/* The record side of an S3 sink task: each record joins the open object set of its ORIGINAL
 * topic partition (where it was consumed: what open, close, flush and the committed offsets
 * speak of), and within the set the object of its CURRENT topic and encoded partition
 * (after transforms, as Confluent names objects). A set is sealed (rotated) by flush.size,
 * rotate.interval.ms, rotate.schedule.interval.ms or partitioner.max.open.files. */
#include "s3_task_int.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SIDE[3] = {NULL, "keys", "headers"};

tp_state_t *s3t_tp_find(s3_task_t *t, const char *topic, int32_t partition, int create) {
    tp_state_t *l = t->last_tp;
    if (l && l->partition == partition && !strcmp(l->topic, topic)) return l;
    for (tp_state_t *p = t->tps; p; p = p->next)
        if (p->partition == partition && !strcmp(p->topic, topic)) return t->last_tp = p;
    if (!create) return NULL;
    tp_state_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->topic = strdup(topic);
    p->partition = partition;
    p->next_offset = CW_OFFSET_INVALID;
    p->next = t->tps;
    t->tps = p;
    return t->last_tp = p;
}

void s3t_tp_clear(s3_task_t *t, tp_state_t *tp) {
    s3t_listings_free(tp);
    if (tp->open) s3t_batch_free(t, tp->open, 1);
    tp->open = NULL;
    while (tp->sealed) {
        batch_t *b = tp->sealed;
        tp->sealed = b->next;
        s3t_batch_free(t, b, 1);
    }
}

static int64_t next_schedule(const s3_task_t *t, int64_t now) {
    int64_t off = s3_zone_offset(t->s.zone, now), iv = t->s.rotate_schedule_ms;
    return ((now + off) / iv + 1) * iv - off;
}

/* Where the objects a writer starts with record r (at original offset `off`) come from:
 * the Kafka cluster, the original partition, and a fingerprint of r (time, key and value
 * bytes), which tells the same offsets of a topic re-created on the same cluster apart. */
static void origin_of(s3_task_t *t, const tp_state_t *tp, cw_record_t *r, int64_t off,
                      s3_origin_t *o) {
    const cw_host_t *h = t->h;
    char *id = CW_HOST_HAS(h, kafka_cluster_id) ? h->kafka_cluster_id(t->ctx, 0) : NULL;
    snprintf(o->cluster, sizeof o->cluster, "%s", id ? id : "unknown");
    h->free(id);
    snprintf(o->topic, sizeof o->topic, "%s", tp->topic);
    snprintf(o->partition, sizeof o->partition, "%d", (int)tp->partition);
    snprintf(o->offsets, sizeof o->offsets, "%lld-", (long long)off);
    int64_t ts = h->record_timestamp(r);
    size_t klen = 0, vlen = 0;
    const void *k = h->record_key(r, &klen), *v = h->record_value(r, &vlen);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char head[64]; /* the key's length keeps key|value unambiguous; a null key is not "" */
    int hl = snprintf(head, sizeof head, "%zu%c|", klen, k ? 'k' : 'n');
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, head, (size_t)hl) &&
        (!klen || EVP_DigestUpdate(c, k, klen)) && (!vlen || EVP_DigestUpdate(c, v, vlen)) &&
        EVP_DigestFinal_ex(c, md, &mdlen)) {
        char hex[17];
        for (int i = 0; i < 8; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
        snprintf(o->first, sizeof o->first, "%lld:%s", (long long)ts, hex);
    } else {
        snprintf(o->first, sizeof o->first, "%lld", (long long)ts);
    }
    EVP_MD_CTX_free(c);
}

/* The writer of `topic` (the record's current one) and `encoded` in b, made on first use.
 * Its objects are named after their first record (at `offset`): see s3_object_key
 * for why the name holds the original coordinates. NULL: no memory. */
static writer_t *writer_get(s3_task_t *t, tp_state_t *tp, batch_t *b, cw_record_t *r,
                            const char *topic, const char *encoded, int64_t offset, int tombstone,
                            size_t line_len) {
    for (writer_t *w = b->writers; w; w = w->next)
        if (!strcmp(w->encoded, encoded) && !strcmp(w->topic, topic)) return w;
    writer_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->topic = strdup(topic);
    w->encoded = strdup(encoded);
    origin_of(t, tp, r, offset, &w->origin);
    for (int i = 0; i < 3; i++) w->streams[i].owner = w;
    int ok = w->topic && w->encoded;
    for (int i = 0; ok && i < 3; i++) {
        if ((i == 0 && tombstone) || (i == 1 && !t->s.store_keys) ||
            (i == 2 && !t->s.store_headers))
            continue; /* a tombstone directory holds no value objects (as Confluent's) */
        w->streams[i].key =
            s3_object_key(&t->s, topic, encoded, tp->topic, tp->partition, offset, SIDE[i]);
        if (w->streams[i].key)
            w->streams[i].stem_len = s3_object_key_stem(&t->s, w->streams[i].key, offset, SIDE[i]);
        w->streams[i].comp = s3_compressor_new(t->s.compression, t->s.compression_level);
        ok = w->streams[i].key && w->streams[i].comp;
    }
    if (!ok) {
        s3t_writer_free(t, w, 0);
        return NULL;
    }
    /* Objects of a partition tend to be alike: start the buffer at the last one's size (plus
     * an eighth) instead of growing it by doubling, which copies every byte again and faults
     * pages in again. The first object of a partition guesses flush.size lines like this
     * one (uncompressed only). Either is capped by s3.part.size; pages never written are
     * never resident, so a guess too large costs address space, not memory. */
    size_t want = tp->last_size, part = (size_t)t->s.part_size;
    if (!want && t->s.compression == S3_COMP_NONE && t->s.flush_size > 0)
        want =
            line_len <= part / (size_t)t->s.flush_size ? line_len * (size_t)t->s.flush_size : part;
    if (want && w->streams[0].key) {
        want += want / 8;
        if (want > part) want = part;
        cw_sdk_buf_reserve(&w->streams[0].buf, want); /* only a hint: appends grow it anyway */
    }
    w->next = b->writers;
    b->writers = w;
    b->nwriters++;
    return w;
}

/* The one copy of a record's bytes: from the consumed message (or the scratch line) into the
 * object buffer, or through the compressor. */
static int write_stream(obj_stream_t *st, const s3_line_t *l) {
    for (int i = 0; i < 2; i++)
        if (l->n[i] && s3_compressor_write(st->comp, l->p[i], l->n[i], &st->buf) != 0) return -1;
    return 0;
}

/* Seals the open set of tp when the record (time ts, object directory topic/encoded) must
 * start a new one: rotate.interval.ms, a new time partition, or no room for another object
 * under partitioner.max.open.files. CW_OK or CW_ERR_FATAL (no memory). */
static int rotate_before(s3_task_t *t, tp_state_t *tp, int64_t ts, const char *topic,
                         const char *encoded) {
    batch_t *b = tp->open;
    if (!b) return CW_OK;
    int elsewhere = b->last && (strcmp(b->last->encoded, encoded) || strcmp(b->last->topic, topic));
    /* Confluent rotates on time only with a time-based partitioner (the others have no
     * timestamp extractor), and then also on a change of encoded partition unless
     * rotate.file.on.partition.change=false. */
    if (t->s.rotate_interval_ms > 0 && t->s.partitioner == S3_PART_TIME &&
        (ts - b->base_ts >= t->s.rotate_interval_ms ||
         (t->s.rotate_on_partition_change && elsewhere)))
        return s3t_seal(t, tp);
    if (t->s.max_open_files < 0 || b->nwriters < t->s.max_open_files) return CW_OK;
    for (writer_t *w = b->writers; w; w = w->next)
        if (!strcmp(w->encoded, encoded) && !strcmp(w->topic, topic)) return CW_OK;
    return s3t_seal(t, tp);
}

/* The open set of tp, started at record offset `off` when there is none. NULL: no memory. */
static batch_t *open_batch(s3_task_t *t, tp_state_t *tp, int64_t off, int64_t ts, int64_t now) {
    if (tp->open) return tp->open;
    batch_t *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->start_offset = off;
    b->base_ts = ts;
    tp->open = b;
    if (t->s.rotate_schedule_ms > 0) tp->next_schedule = next_schedule(t, now);
    return b;
}

/* Writes the side objects' lines (key, headers) of r. 0, or -1: no memory. */
static int write_sides(s3_task_t *t, writer_t *w, cw_record_t *r) {
    char why[512];
    if (t->s.store_keys) {
        s3_line_t l;
        t->line.len = 0;
        int rc = s3_encode_line(t->h, &t->s, r, 1, &l, &t->line, why, sizeof why);
        if (rc == CW_ERR_RECORD) /* an undecodable key is written as null */
            l = (s3_line_t){.p = {"null\n"}, .n = {5}};
        else if (rc != CW_OK)
            return -1;
        if (write_stream(&w->streams[1], &l) != 0) return -1;
    }
    if (t->s.store_headers) {
        t->line.len = 0;
        if (s3_encode_headers(t->h, r, &t->line) != 0) return -1;
        s3_line_t l = {.p = {t->line.data}, .n = {t->line.len}};
        if (write_stream(&w->streams[2], &l) != 0) return -1;
    }
    return 0;
}

/* Takes one record. Durability is tracked per original topic partition (tp); the object is
 * chosen by the current topic. Returns CW_OK or CW_ERR_FATAL. */
int s3t_take_record(s3_task_t *t, cw_record_t *r, int64_t now, char *errstr, size_t errstr_size) {
    const cw_host_t *h = t->h;
    const char *otopic = h->record_original_topic(r);
    int32_t opartition = h->record_original_partition(r);
    int64_t off = h->record_original_offset(r);
    tp_state_t *tp = s3t_tp_find(t, otopic, opartition, 1);
    if (!tp) {
        snprintf(errstr, errstr_size, "out of memory");
        return CW_ERR_FATAL;
    }
    if (tp->next_offset != CW_OFFSET_INVALID && off < tp->next_offset)
        return CW_OK; /* already taken (a redelivery): never write a record twice */

    char why[512];
    s3_line_t line = {0};
    t->line.len = 0;
    int rc = s3_encode_line(h, &t->s, r, 0, &line, &t->line, why, sizeof why);
    if (rc == CW_DROP) {
        tp->next_offset = off + 1;
        return CW_OK;
    }
    if (rc == CW_ERR_RECORD) goto bad;
    if (rc != CW_OK && rc != S3_TOMBSTONE) goto oom;
    int tombstone = rc == S3_TOMBSTONE;
    int64_t ts = now;
    /* A tombstone has no value to take a RecordField time from: it keeps the wall clock. */
    if (t->s.partitioner == S3_PART_TIME &&
        s3_record_time(h, &t->s, r, now, &ts, why, sizeof why) != 0 && !tombstone)
        goto bad;
    char *encoded = NULL;
    const char *enc;
    if (tombstone) {
        enc = t->s.tombstone_partition;
    } else if (t->s.partitioner == S3_PART_DEFAULT) {
        int32_t p = h->record_partition(r);
        if (!tp->enc[0] || tp->enc_partition != p)
            s3_default_partition(tp->enc_partition = p, tp->enc, sizeof tp->enc);
        enc = tp->enc;
    } else if (!(enc = encoded = s3_encode_partition(h, &t->s, r, ts, why, sizeof why))) {
        goto bad;
    }
    const char *topic = h->record_topic(r);
    batch_t *b = NULL;
    writer_t *w = NULL;
    if (rotate_before(t, tp, ts, topic, enc) == CW_OK && (b = open_batch(t, tp, off, ts, now)))
        w = writer_get(t, tp, b, r, topic, enc, off, tombstone, line.n[0] + line.n[1]);
    free(encoded);
    if (!w || (!tombstone && write_stream(&w->streams[0], &line) != 0) || write_sides(t, w, r) != 0)
        goto oom;
    b->last = w;
    w->last_offset = off;
    b->count++;
    b->end_offset = off + 1;
    tp->next_offset = off + 1;
    if (b->count >= t->s.flush_size && s3t_seal(t, tp) != CW_OK) goto oom;
    return CW_OK;

oom:
    snprintf(errstr, errstr_size, "out of memory writing %s-%d@%lld", otopic, (int)opartition,
             (long long)off);
    return CW_ERR_FATAL;
bad:
    if (h->report_bad_record(t->ctx, r, why) != CW_OK) {
        snprintf(errstr, errstr_size, "record %s-%d@%lld: %s", otopic, (int)opartition,
                 (long long)off, why);
        return CW_ERR_FATAL;
    }
    tp->next_offset = off + 1;
    return CW_OK;
}

int s3t_scheduled_rotation(s3_task_t *t, int64_t now) {
    if (t->s.rotate_schedule_ms <= 0) return CW_OK;
    for (tp_state_t *tp = t->tps; tp; tp = tp->next)
        if (tp->open && now >= tp->next_schedule && s3t_seal(t, tp) != CW_OK) return CW_ERR_FATAL;
    return CW_OK;
}
