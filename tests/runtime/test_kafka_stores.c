/*
 * The Kafka side of the internal topics, on librdkafka's mock cluster in this process:
 *  - the log places each key on the partition Java's producer picks (Kafka's murmur2 vectors);
 *  - the offset store reads what a Java worker wrote (records produced here in Kafka Connect's
 *    format), resumes from it, writes per flush, deletes with tombstones, skips foreign records
 *    and rewrites a key with the bytes it was read with;
 *  - internal topics: a config topic with several partitions is refused, a missing topic on a
 *    cluster without CreateTopics is left to auto-creation (Kafka Connect's fallback).
 * What the mock cannot answer (CreateTopics, DescribeConfigs) is covered by the decision
 * function's own cases at the end.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "storage/connect_formats.h"
#include "storage/internal_topics.h"
#include "storage/kafka_log.h"
#include "storage/offsets_kafka.h"

static rd_kafka_mock_cluster_t *mc;
static const char *bootstrap;

static rd_kafka_conf_t *conf(void) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char err[256];
    if (rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err) ||
        rd_kafka_conf_set(c, "log_level", "3", err, sizeof err)) {
        fprintf(stderr, "conf: %s\n", err);
        abort();
    }
    return c;
}

/* What read_to_end hands over, kept for the checks. */
typedef struct {
    int n;
    char keys[64][160];
    char values[64][64];
    int32_t partitions[64];
    int tombstone[64];
} seen_t;

static void collect(void *opaque, const void *key, size_t key_len, const void *value,
                    size_t value_len, int32_t partition, int64_t offset) {
    (void)offset;
    seen_t *s = opaque;
    if (s->n >= 64) return;
    snprintf(s->keys[s->n], sizeof s->keys[0], "%.*s", (int)key_len, (const char *)key);
    snprintf(s->values[s->n], sizeof s->values[0], "%.*s", value ? (int)value_len : 0,
             value ? (const char *)value : "");
    s->partitions[s->n] = partition;
    s->tombstone[s->n] = value == NULL;
    s->n++;
}

static int read_all(const char *topic, seen_t *s) {
    char err[512];
    memset(s, 0, sizeof *s);
    cw_klog_t *l = cw_klog_new(topic, NULL, conf(), err, sizeof err);
    int rc = l ? cw_klog_read_to_end(l, collect, s, 10000, err, sizeof err) : -1;
    if (rc) fprintf(stderr, "read %s: %s\n", topic, err);
    cw_klog_destroy(l);
    return rc;
}

/* Writes records as a Java worker would: through a log, i.e. murmur2 key partitioning. */
static void java_writes(const char *topic, const char *const *kv, size_t n) {
    char err[512];
    cw_klog_t *l = cw_klog_new(topic, conf(), NULL, err, sizeof err);
    CHECK(l != NULL);
    for (size_t i = 0; l && i < n; i += 2)
        CHECK(cw_klog_send(l, kv[i], strlen(kv[i]), kv[i + 1], kv[i + 1] ? strlen(kv[i + 1]) : 0,
                           err, sizeof err) == 0);
    CHECK(l && cw_klog_flush(l, 10000, err, sizeof err) == 0);
    cw_klog_destroy(l);
}

static void test_java_partitioning(void) {
    static const struct {
        const char *key;
        int32_t hash; /* Kafka's UtilsTest.testMurmur2 */
    } vectors[] = {{"21", -973932308},
                   {"foobar", -790332482},
                   {"a-little-bit-long-string", -985981536},
                   {"a-little-bit-longer-string", -1486304829},
                   {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
                   {"abc", 479470107}};
    CHECK(rd_kafka_mock_topic_create(mc, "murmur", 25, 1) == 0);
    const char *kv[12];
    for (size_t i = 0; i < 6; i++) {
        kv[2 * i] = vectors[i].key;
        kv[2 * i + 1] = "v";
    }
    java_writes("murmur", kv, 12);
    seen_t s;
    CHECK(read_all("murmur", &s) == 0);
    CHECK(s.n == 6);
    for (int r = 0; r < s.n; r++)
        for (size_t i = 0; i < 6; i++)
            if (strcmp(s.keys[r], vectors[i].key) == 0) {
                int32_t want = (int32_t)(((uint32_t)vectors[i].hash & 0x7fffffffu) % 25u);
                if (s.partitions[r] != want)
                    fprintf(stderr, "%s: partition %d, Java's is %d\n", s.keys[r], s.partitions[r],
                            want);
                CHECK(s.partitions[r] == want);
            }
}

static cw_offsets_t *open_store(const char *topic) {
    char err[512];
    cw_offsets_kafka_conf_t kc = {.topic = topic,
                                  .producer_conf = conf(),
                                  .consumer_conf = conf(),
                                  .read_timeout_ms = 10000,
                                  .flush_timeout_ms = 10000};
    cw_offsets_t *o = cw_offsets_open_kafka(&kc, err, sizeof err);
    if (!o) fprintf(stderr, "open %s: %s\n", topic, err);
    CHECK(o != NULL);
    return o;
}

static void test_offset_store(void) {
    CHECK(rd_kafka_mock_topic_create(mc, "connect-offsets", 25, 1) == 0);
    /* A Java worker's offsets: FileStreamSource, the JDBC source (partition fields in the
     * order HashMap gave them), a record of another format, and an offset deleted later. */
    static const char file_key[] = "[\"local-file-source\",{\"filename\":\"/tmp/test.txt\"}]",
                      jdbc_key[] = "[\"jdbc-source\",{\"table\":\"db.t\",\"protocol\":\"1\"}]",
                      gone_key[] = "[\"local-file-source\",{\"filename\":\"/tmp/old.txt\"}]";
    const char *kv[] = {file_key,
                        "{\"position\":10}",
                        jdbc_key,
                        "{\"incrementing\":42}",
                        "not-an-offset-key",
                        "{\"position\":1}",
                        gone_key,
                        "{\"position\":5}",
                        file_key,
                        "{\"position\":1234}",
                        gone_key,
                        NULL};
    java_writes("connect-offsets", kv, sizeof kv / sizeof *kv);

    cw_offsets_t *o = open_store("connect-offsets");
    if (!o) return;
    char *v = cw_offsets_get(o, "local-file-source", "{\"filename\": \"/tmp/test.txt\"}");
    CHECK_STR(v, "{\"position\":1234}"); /* the last value of the key */
    free(v);
    CHECK(cw_offsets_get(o, "local-file-source", "{\"filename\":\"/tmp/old.txt\"}") == NULL);
    /* The plugin orders the fields otherwise: the same partition for Java's Map equality. */
    v = cw_offsets_get(o, "jdbc-source", "{\"protocol\":\"1\",\"table\":\"db.t\"}");
    CHECK_STR(v, "{\"incrementing\":42}");
    free(v);
    CHECK(cw_offsets_get(o, "other", "{\"filename\":\"/tmp/test.txt\"}") == NULL);

    /* Writes: a new partition, an update of the JDBC one, a delete. */
    char err[512];
    cw_offsets_put(o, "new-source", "{\"file\":\"b\",\"a\":1}", "{\"position\":7}");
    cw_offsets_put(o, "jdbc-source", "{\"protocol\":\"1\",\"table\":\"db.t\"}",
                   "{\"incrementing\":43}");
    cw_offsets_put(o, "local-file-source", "{\"filename\":\"/tmp/test.txt\"}", NULL);
    CHECK(cw_offsets_flush(o, err, sizeof err) == 0);
    CHECK(cw_offsets_flush(o, err, sizeof err) == 0); /* nothing new: nothing written */
    cw_offsets_free(o);

    seen_t s;
    CHECK(read_all("connect-offsets", &s) == 0);
    CHECK(s.n == 9); /* 6 records written "by Java" + 3 of this flush */
    /* Read back over 25 partitions, so in no global order: this flush's 3 records are told
     * apart by their values. */
    int found = 0;
    for (int r = 0; r < s.n; r++) {
        int mine = 0;
        /* The JDBC key keeps the bytes the Java worker wrote. */
        if (strcmp(s.keys[r], jdbc_key) == 0 && strcmp(s.values[r], "{\"incrementing\":43}") == 0)
            found |= mine = 1;
        /* A new partition is written in the plugin's field order. */
        if (strcmp(s.keys[r], "[\"new-source\",{\"file\":\"b\",\"a\":1}]") == 0) found |= mine = 2;
        if (strcmp(s.keys[r], file_key) == 0 && s.tombstone[r]) found |= mine = 4;
        if (mine) CHECK(s.partitions[r] == cw_cf_java_partition(s.keys[r], strlen(s.keys[r]), 25));
    }
    CHECK(found == 7);

    /* Resumes from its own writes. */
    o = open_store("connect-offsets");
    if (!o) return;
    v = cw_offsets_get(o, "jdbc-source", "{\"table\":\"db.t\",\"protocol\":\"1\"}");
    CHECK_STR(v, "{\"incrementing\":43}");
    free(v);
    v = cw_offsets_get(o, "new-source", "{\"a\":1,\"file\":\"b\"}");
    CHECK_STR(v, "{\"position\":7}");
    free(v);
    CHECK(cw_offsets_get(o, "local-file-source", "{\"filename\":\"/tmp/test.txt\"}") == NULL);
    /* Kafka Connect's offsets are objects keyed by objects: anything else fails the flush. */
    cw_offsets_put(o, "bad", "[1,2]", "{\"position\":1}");
    CHECK(cw_offsets_flush(o, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "connect-offsets");
    cw_offsets_free(o);
}

/* Source tasks share the store: each thread puts and flushes its own partition's offsets. */
typedef struct {
    cw_offsets_t *o;
    int id, failures;
} worker_arg_t;

static void *task_thread(void *arg) {
    worker_arg_t *a = arg;
    char part[64], off[64], err[512];
    snprintf(part, sizeof part, "{\"task\":%d}", a->id);
    for (int i = 1; i <= 200; i++) {
        snprintf(off, sizeof off, "{\"n\":%d}", i);
        cw_offsets_put(a->o, "threads", part, off);
        if (i % 20 == 0 && cw_offsets_flush(a->o, err, sizeof err)) a->failures++;
    }
    return NULL;
}

static void test_threads(void) {
    CHECK(rd_kafka_mock_topic_create(mc, "offsets-threads", 5, 1) == 0);
    cw_offsets_t *o = open_store("offsets-threads");
    if (!o) return;
    pthread_t th[4];
    worker_arg_t args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg_t){.o = o, .id = i};
        pthread_create(&th[i], NULL, task_thread, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(args[i].failures == 0);
    }
    cw_offsets_free(o);
    o = open_store("offsets-threads");
    for (int i = 0; o && i < 4; i++) {
        char part[64];
        snprintf(part, sizeof part, "{\"task\":%d}", i);
        char *v = cw_offsets_get(o, "threads", part);
        CHECK_STR(v, "{\"n\":200}");
        free(v);
    }
    cw_offsets_free(o);
}

/* Kafka unreachable at start: the store is not opened, and the error names the topic. */
static void test_unreachable(void) {
    char err[512];
    rd_kafka_conf_t *p = conf(), *c = conf();
    rd_kafka_conf_set(p, "bootstrap.servers", "127.0.0.1:1", err, sizeof err);
    rd_kafka_conf_set(c, "bootstrap.servers", "127.0.0.1:1", err, sizeof err);
    cw_offsets_kafka_conf_t kc = {.topic = "connect-offsets",
                                  .producer_conf = p,
                                  .consumer_conf = c,
                                  .read_timeout_ms = 1500,
                                  .flush_timeout_ms = 1500};
    CHECK(cw_offsets_open_kafka(&kc, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "connect-offsets");
}

static void test_internal_topics(void) {
    char err[512] = "";
    CHECK(rd_kafka_mock_topic_create(mc, "cfg-3", 3, 1) == 0);
    CHECK(rd_kafka_mock_topic_create(mc, "cfg-1", 1, 1) == 0);
    cw_internal_topic_t three = {.key = "config.storage.topic",
                                 .name = "cfg-3",
                                 .partitions = 1,
                                 .replication_factor = 1,
                                 .single_partition = 1};
    CHECK(cw_internal_topics_ensure(conf(), &three, 1, 1500, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "config.storage.topic");
    CHECK_CONTAINS(err, "'cfg-3' has 3 partitions");
    /* One partition: accepted (its cleanup.policy cannot be asked from the mock: a warning). */
    cw_internal_topic_t one = three;
    one.name = "cfg-1";
    CHECK(cw_internal_topics_ensure(conf(), &one, 1, 1500, err, sizeof err) == 0);
    /* Missing: the mock cluster names a controller it does not have, so the topic cannot be
     * created; as Kafka Connect does when it cannot create, the worker goes on and leaves it
     * to auto-creation. (CreateTopics itself is untested here: the mock has none.) */
    cw_internal_topic_t missing = {.key = "status.storage.topic",
                                   .name = "st-missing",
                                   .partitions = 5,
                                   .replication_factor = 1};
    CHECK(cw_internal_topics_ensure(conf(), &missing, 1, 1500, err, sizeof err) == 0);
}

static void test_topic_check_rules(void) {
    char warn[600], err[600];
    cw_internal_topic_t cfg = {.key = "config.storage.topic", .name = "c", .single_partition = 1};
    cw_internal_topic_t off = {.key = "offset.storage.topic", .name = "o", .partitions = 25};
    cw_topic_facts_t f = {.exists = 1, .partitions = 1, .cleanup_policy = "compact"};
    CHECK(cw_internal_topic_check(&cfg, &f, warn, sizeof warn, err, sizeof err) == 0);
    CHECK_STR(warn, "");
    f.partitions = 2;
    CHECK(cw_internal_topic_check(&cfg, &f, warn, sizeof warn, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "config.storage.topic: topic 'c' has 2 partitions");
    f.partitions = 25;
    CHECK(cw_internal_topic_check(&off, &f, warn, sizeof warn, err, sizeof err) == 0);
    CHECK_STR(warn, "");
    f.cleanup_policy = "delete";
    CHECK(cw_internal_topic_check(&off, &f, warn, sizeof warn, err, sizeof err) == 0);
    CHECK_CONTAINS(warn, "offset.storage.topic: topic 'o' has cleanup.policy=delete");
    f.cleanup_policy = "compact,delete";
    CHECK(cw_internal_topic_check(&off, &f, warn, sizeof warn, err, sizeof err) == 0);
    CHECK_CONTAINS(warn, "cleanup.policy=compact,delete");
    f.cleanup_policy = NULL;
    CHECK(cw_internal_topic_check(&off, &f, warn, sizeof warn, err, sizeof err) == 0);
    CHECK_CONTAINS(warn, "cannot check that topic 'o' has cleanup.policy=compact");
}

int main(void) {
    char err[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "log_level", "3", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    mc = rk ? rd_kafka_mock_cluster_new(rk, 1) : NULL;
    if (!mc) {
        fprintf(stderr, "no mock cluster: %s\n", err);
        return 1;
    }
    bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
    test_topic_check_rules();
    test_java_partitioning();
    test_offset_store();
    test_threads();
    test_unreachable();
    test_internal_topics();
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
