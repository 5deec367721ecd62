/* Task-level behaviour against s3rver (URL and bucket from S3_URL / S3_BUCKET): scheduled
 * rotation on an idle put (n == 0) with an injected clock, rotate.interval.ms on record time,
 * partitioner.max.open.files, side objects for keys and headers, durable offsets reported by
 * flush, routed records kept per original partition (KIP-793), and the back-pressure rule
 * (a CW_ERR_RETRIABLE put keeps nothing). task.sh checks
 * the resulting keys and contents with s3cmd. */
#include "fake_host.h"
#include "s3_sink.h"
#include "s3_task_int.h" /* H reads a stream's buffer */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3_check.h"

static int64_t fake_now = 1700000000000LL; /* 2023-11-14T22:13:20Z */
static int64_t clock_fn(void) { return fake_now; }
static char err[1024];

static s3_task_t *start(cw_config_t *cfg, const char *url, const char *const *kv) {
    fake_config_init(cfg, s3_sink_config_defs);
    fake_config_set(cfg, "s3.bucket.name", getenv("S3_BUCKET"));
    fake_config_set(cfg, "store.url", url);
    fake_config_set(cfg, "aws.access.key.id", "S3RVER");
    fake_config_set(cfg, "aws.secret.access.key", "S3RVER");
    fake_config_set(cfg, "s3.retry.backoff.ms", "10");
    for (; kv[0]; kv += 2) fake_config_set(cfg, kv[0], kv[1]);
    s3_task_t *t = NULL;
    int rc = s3_task_start(&fake_host, NULL, cfg, &t, err, sizeof err);
    CHECK(rc == CW_OK, "start: %s", err);
    if (t) s3_task_set_clock(t, clock_fn);
    return t;
}

/* put records [from, to) of `topic` partition 0 with values from fmt(i). */
static int put_range(s3_task_t *t, const char *topic, int from, int to, int64_t ts_step,
                     const char *cats) {
    cw_record_t recs[64];
    cw_record_t *ptrs[64] = {0};
    int n = 0;
    for (int i = from; i < to && n < 64; i++, n++) {
        char v[128];
        snprintf(v, sizeof v, "{\"i\":%d,\"cat\":\"c%c\"}", i, cats ? cats[i % strlen(cats)] : '0');
        fake_record_init(&recs[n], topic, 0, i, 1700000000000LL + i * ts_step, v);
        ptrs[n] = &recs[n];
    }
    int rc = s3_task_put(t, ptrs, (size_t)n, err, sizeof err);
    for (int k = 0; k < n; k++) fake_record_free(&recs[k]);
    return rc;
}

/* put records [from, to) consumed from `otopic` partition `opart`, routed by a transform to
 * topic `topic` partition 0 (as RegexRouter would). */
static int put_routed(s3_task_t *t, const char *otopic, int32_t opart, const char *topic, int from,
                      int to) {
    cw_record_t recs[64];
    cw_record_t *ptrs[64] = {0};
    int n = 0;
    for (int i = from; i < to && n < 64; i++, n++) {
        char v[128];
        snprintf(v, sizeof v, "{\"from\":\"%s\",\"i\":%d}", otopic, i);
        fake_record_init(&recs[n], topic, 0, i, 1700000000000LL, v);
        snprintf(recs[n].orig_topic, sizeof recs[n].orig_topic, "%s", otopic);
        recs[n].orig_partition = opart;
        ptrs[n] = &recs[n];
    }
    int rc = s3_task_put(t, ptrs, (size_t)n, err, sizeof err);
    for (int k = 0; k < n; k++) fake_record_free(&recs[k]);
    return rc;
}

static int64_t durable_tp(s3_task_t *t, const char *topic, int32_t partition, int64_t handed,
                          int final) {
    cw_topic_partition_t tp = {topic, partition, handed};
    /* A flush that is not final reports what is in S3 now, without waiting: let the uploads
     * queued so far end first, so that what it reports is known. */
    if (!final) s3_task_wait_uploads(t);
    int rc = s3_task_flush(t, &tp, 1, final, err, sizeof err);
    CHECK(rc == CW_OK, "flush: %s", err);
    return tp.offset;
}

static int64_t durable(s3_task_t *t, const char *topic, int64_t handed, int final) {
    return durable_tp(t, topic, 0, handed, final);
}

int main(void) {
    const char *url = getenv("S3_URL");
    if (!url || !getenv("S3_BUCKET")) {
        fprintf(stderr, "S3_URL and S3_BUCKET must be set\n");
        return 2;
    }
    cw_config_t cfg;
    s3_task_t *t;

    /* A: rotate.schedule.interval.ms rotates on an idle put, without new records. */
    const char *a[] = {"flush.size", "1000", "rotate.schedule.interval.ms", "60000", NULL};
    t = start(&cfg, url, a);
    CHECK(put_range(t, "sched", 0, 5, 1000, NULL) == CW_OK, "put: %s", err);
    CHECK(durable(t, "sched", 5, 0) == 0, "nothing is durable before rotation");
    fake_now = 1700000040000LL; /* 22:14:00: the next minute boundary */
    CHECK(s3_task_put(t, NULL, 0, err, sizeof err) == CW_OK, "idle put: %s", err);
    CHECK(durable(t, "sched", 5, 0) == 5, "scheduled rotation made offsets 0-4 durable");
    s3_task_stop(t);
    fake_config_free(&cfg);

    /* B: rotate.interval.ms on record time (3 s apart): objects at 0, 4, 8 (a time-based
     * partitioner: Confluent rotates on time with no other). */
    const char *b[] = {"flush.size",
                       "1000",
                       "rotate.interval.ms",
                       "10000",
                       "timestamp.extractor",
                       "Record",
                       "partitioner.class",
                       "TimeBasedPartitioner",
                       "path.format",
                       "'d'=YYYY",
                       "partition.duration.ms",
                       "86400000",
                       NULL};
    t = start(&cfg, url, b);
    CHECK(put_range(t, "rint", 0, 10, 3000, NULL) == CW_OK, "put: %s", err);
    CHECK(durable(t, "rint", 10, 0) == 8, "offsets before the open object at 8 are durable");
    CHECK(durable(t, "rint", 10, 1) == 10, "final flush writes the open object");
    s3_task_stop(t);
    fake_config_free(&cfg);

    /* C: partitioner.max.open.files=2 with three field values rotates early. */
    const char *c[] = {"flush.size",
                       "1000",
                       "partitioner.class",
                       "FieldPartitioner",
                       "partition.field.name",
                       "cat",
                       "partitioner.max.open.files",
                       "2",
                       NULL};
    t = start(&cfg, url, c);
    CHECK(put_range(t, "maxopen", 0, 6, 1000, "012") == CW_OK, "put: %s", err);
    CHECK(durable(t, "maxopen", 6, 1) == 6, "all durable after final flush");
    s3_task_stop(t);
    fake_config_free(&cfg);

    /* D: store.kafka.keys / store.kafka.headers side objects. */
    const char *d[] = {"flush.size", "2", "store.kafka.keys", "true", "store.kafka.headers",
                       "true",       NULL};
    t = start(&cfg, url, d);
    cw_record_t r[2];
    cw_record_t *rp[2] = {&r[0], &r[1]};
    for (int i = 0; i < 2; i++) {
        fake_record_init(&r[i], "side", 0, i, 0, i ? "{\"v\":1}" : NULL);
        char k[16];
        snprintf(k, sizeof k, "\"k%d\"", i);
        r[i].key = strdup(k);
        r[i].klen = strlen(k);
        r[i].hname[0] = strdup("source");
        r[i].hval[0] = strdup("test");
        r[i].nheaders = 1;
    }
    fake_tolerate = 1; /* the null value of record 0 is a bad record (behavior fail) */
    CHECK(s3_task_put(t, rp, 2, err, sizeof err) == CW_OK, "put: %s", err);
    CHECK(fake_bad_records == 1, "null value reported once, got %d", fake_bad_records);
    CHECK(durable(t, "side", 2, 1) == 2, "durable");
    for (int i = 0; i < 2; i++) fake_record_free(&r[i]);
    s3_task_stop(t);
    fake_config_free(&cfg);

    /* F: routed records (KIP-793): two consumed partitions merged into one topic keep
     * their own object sets and durable offsets, and their objects their own names. */
    const char *f[] = {"flush.size", "3", NULL};
    t = start(&cfg, url, f);
    CHECK(put_routed(t, "r1", 0, "routed", 0, 4) == CW_OK, "put: %s", err);
    CHECK(put_routed(t, "r2", 1, "routed", 0, 4) == CW_OK, "put: %s", err);
    CHECK(durable(t, "r1", 4, 0) == 3, "r1: the first set of three is durable");
    CHECK(durable_tp(t, "r2", 1, 4, 0) == 3, "r2: the first set of three is durable");
    CHECK(durable(t, "routed", 4, 0) == 4, "the routed topic is no consumed partition");
    CHECK(durable(t, "r1", 4, 1) == 4, "r1: all durable after the final flush");
    CHECK(durable_tp(t, "r2", 1, 4, 1) == 4, "r2: all durable after the final flush");
    s3_task_stop(t);
    fake_config_free(&cfg);

    /* E: S3 unreachable: the first put keeps its records (the batch is sealed, its upload
     * runs in the background and fails); once it failed (durable() waits for the uploads), the
     * next put returns CW_ERR_RETRIABLE and keeps nothing, until S3 takes the upload. */
    const char *e[] = {"flush.size", "2", "s3.part.retries", "0", NULL};
    t = start(&cfg, "http://127.0.0.1:9", e);
    CHECK(put_range(t, "down", 0, 3, 1000, NULL) == CW_OK, "first put keeps records: %s", err);
    CHECK(durable(t, "down", 3, 0) == 0, "nothing durable while S3 is down");
    size_t before = s3_task_buffered_bytes(t);
    CHECK(before > 0, "the first put's records are buffered");
    int rc = put_range(t, "down", 3, 5, 1000, NULL);
    CHECK(rc == CW_ERR_RETRIABLE, "second put must push back, got %d", rc);
    CHECK(strstr(err, "127.0.0.1:9") && strstr(err, "will try again"), "err: %s", err);
    CHECK(s3_task_buffered_bytes(t) == before, "a retriable put kept records");
    rc = put_range(t, "down", 3, 5, 1000, NULL);
    CHECK(rc == CW_ERR_RETRIABLE, "pushes back again while the retry runs or failed, got %d", rc);
    CHECK(s3_task_buffered_bytes(t) == before, "a retriable put kept records");
    CHECK(durable(t, "down", 3, 0) == 0, "nothing durable while S3 is down");
    CHECK(durable(t, "down", 3, 1) == 0, "final flush with S3 down commits nothing");
    s3_task_stop(t);
    fake_config_free(&cfg);

    /* H: a partition's first object starts at flush.size lines like its first record, not at
     * 64 bytes doubling (each doubling copied the bytes again). Internal state, read here. */
    const char *h[] = {"flush.size", "1000", NULL};
    t = start(&cfg, url, h);
    CHECK(put_range(t, "firstbuf", 0, 1, 1000, NULL) == CW_OK, "put: %s", err);
    const obj_stream_t *fs =
        t->tps && t->tps->open && t->tps->open->writers ? &t->tps->open->writers->streams[0] : NULL;
    CHECK(fs && fs->buf.len > 0 && fs->buf.cap >= 1000 * fs->buf.len,
          "first object's buffer: %zu bytes for one %zu-byte line of flush.size 1000",
          fs ? fs->buf.cap : 0, fs ? fs->buf.len : 0);
    s3_task_stop(t);
    fake_config_free(&cfg);

    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("task checks passed\n");
    return 0;
}
