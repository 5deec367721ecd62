/*
 * Kafka Connect's internal-topic formats, byte for byte. The fixtures are records as a Java
 * worker writes them: JsonConverter with schemas.enable=false (Worker.java), compact Jackson
 * output, struct fields in schema order (KafkaConfigBackingStore.CONNECTOR_CONFIGURATION_V0,
 * CONNECTOR_TASKS_COMMIT_V0, TARGET_STATE_V1, RESTART_REQUEST_V0, SESSION_KEY_V0,
 * TASK_COUNT_RECORD_V0; KafkaStatusBackingStore.STATUS_SCHEMA_V0), offsets as
 * OffsetStorageWriter serializes [connector, partition] and the offset map. Each is decoded
 * and encoded again, and must come out as the same bytes. The invalid keys are the ones
 * Kafka's own tests feed its readers (KafkaStatusBackingStoreFormatTest.readInvalidStatus,
 * OffsetUtilsTest.testProcessPartitionKey*), and the murmur2 vectors are Kafka's
 * (UtilsTest.testMurmur2).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "storage/connect_formats.h"

#define LEN(s) (sizeof(s) - 1)
#define SL(s) s, strlen(s)

static void test_config_keys(void) {
    static const struct {
        const char *key;
        cw_cf_config_kind_t kind;
        const char *name;
        int task;
    } cases[] = {
        {"connector-local-file-source", CW_CF_CONFIG_CONNECTOR, "local-file-source", -1},
        {"task-local-file-source-0", CW_CF_CONFIG_TASK, "local-file-source", 0},
        {"task-a-b-c-12", CW_CF_CONFIG_TASK, "a-b-c", 12},
        {"commit-local-file-source", CW_CF_CONFIG_COMMIT, "local-file-source", -1},
        {"target-state-local-file-source", CW_CF_CONFIG_TARGET_STATE, "local-file-source", -1},
        /* Not a connector key although it contains "connector-". */
        {"restart-connector-local-file-source", CW_CF_CONFIG_RESTART, "local-file-source", -1},
        {"tasks-fencing-local-file-source", CW_CF_CONFIG_TASK_COUNT, "local-file-source", -1},
        {"session-key", CW_CF_CONFIG_SESSION_KEY, NULL, -1},
        {"logger-cluster-org.apache.kafka", CW_CF_CONFIG_LOGGER, "org.apache.kafka", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cw_cf_config_key_t k;
        CHECK(cw_cf_config_key_parse(cases[i].key, strlen(cases[i].key), &k) == 0);
        CHECK(k.kind == cases[i].kind);
        if (cases[i].name) CHECK_STR(k.name, cases[i].name);
        CHECK(k.task == cases[i].task);
        char *again = cw_cf_config_key(k.kind, k.name, k.task);
        CHECK_STR(again, cases[i].key);
        free(again);
        cw_cf_config_key_clear(&k);
    }
    /* Keys Kafka discards or cannot parse as task ids. */
    static const char *const bad[] = {"task-foo",   "task-foo-",   "task-foo-x1", "task--1",
                                      "connectors", "unknown-key", "session-keys"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cw_cf_config_key_t k;
        int rc = cw_cf_config_key_parse(bad[i], strlen(bad[i]), &k);
        if (strcmp(bad[i], "session-keys") == 0 || strcmp(bad[i], "connectors") == 0) {
            CHECK(rc == -1 && k.kind == CW_CF_CONFIG_UNKNOWN);
        } else {
            CHECK(rc == -1);
        }
        cw_cf_config_key_clear(&k);
    }
}

static void test_properties(void) {
    static const char connector[] =
        "{\"properties\":{\"connector.class\":\"FileStreamSource\",\"tasks.max\":\"1\","
        "\"file\":\"/tmp/test.txt\",\"topic\":\"connect-test\",\"name\":\"local-file-source\"}}";
    static const char task[] =
        "{\"properties\":{\"task.class\":\"org.apache.kafka.connect.file.FileStreamSourceTask\","
        "\"topic\":\"connect-test\",\"batch.size\":\"2000\",\"file\":\"/tmp/test.txt\"}}";
    const char *const fixtures[] = {connector, task};
    char err[256];
    for (size_t i = 0; i < 2; i++) {
        cw_props_t *p = cw_cf_properties_decode(fixtures[i], strlen(fixtures[i]), err, sizeof err);
        CHECK(p != NULL);
        if (!p) continue;
        size_t len = 0;
        char *again = cw_cf_properties_encode(p, &len);
        CHECK_STR(again, fixtures[i]);
        CHECK(len == strlen(fixtures[i]));
        free(again);
        cw_props_free(p);
    }
    cw_props_t *p = cw_cf_properties_decode(connector, LEN(connector), err, sizeof err);
    CHECK_STR(cw_props_get(p, "file"), "/tmp/test.txt");
    CHECK_STR(cw_props_get(p, "name"), "local-file-source");
    cw_props_free(p);
    /* A null property value (Java's Map<String,String> allows it) is left out. */
    p = cw_cf_properties_decode(SL("{\"properties\":{\"a\":null,\"b\":\"x\"}}"), err, sizeof err);
    CHECK(p && cw_props_count(p) == 1 && cw_props_get(p, "a") == NULL);
    cw_props_free(p);
    CHECK(cw_cf_properties_decode(SL("{\"props\":{}}"), err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "'properties'");
    CHECK(cw_cf_properties_decode(SL("{\"properties\":{\"a\":1}}"), err, sizeof err) == NULL);
    CHECK(cw_cf_properties_decode(NULL, 0, err, sizeof err) == NULL);
    CHECK(cw_cf_properties_decode(SL("not json"), err, sizeof err) == NULL);
}

static void test_config_values(void) {
    char err[256], *s;
    int n = -1, a = -1, b = -1;
    CHECK(cw_cf_commit_decode(SL("{\"tasks\":3}"), &n, err, sizeof err) == 0 && n == 3);
    CHECK_STR(s = cw_cf_commit_encode(3, NULL), "{\"tasks\":3}");
    free(s);
    CHECK(cw_cf_commit_decode(SL("{\"tasks\":\"3\"}"), &n, err, sizeof err) == -1);

    static const char stopped[] = "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}";
    static const char started[] = "{\"state\":\"STARTED\",\"state.v2\":\"STARTED\"}";
    cw_cf_target_state_t ts;
    CHECK(cw_cf_target_state_decode(stopped, LEN(stopped), &ts, err, sizeof err) == 0 &&
          ts == CW_CF_TARGET_STOPPED);
    CHECK_STR(s = cw_cf_target_state_encode(CW_CF_TARGET_STOPPED, NULL), stopped);
    free(s);
    CHECK(cw_cf_target_state_decode(started, LEN(started), &ts, err, sizeof err) == 0 &&
          ts == CW_CF_TARGET_STARTED);
    CHECK_STR(s = cw_cf_target_state_encode(CW_CF_TARGET_STARTED, NULL), started);
    free(s);
    /* TARGET_STATE_V0, written by workers before KIP-875: "state" only. */
    CHECK(cw_cf_target_state_decode(SL("{\"state\":\"PAUSED\"}"), &ts, err, sizeof err) == 0 &&
          ts == CW_CF_TARGET_PAUSED);
    /* A state.v2 that is not a string falls back on "state", as in Kafka. */
    CHECK(cw_cf_target_state_decode(SL("{\"state\":\"PAUSED\",\"state.v2\":5}"), &ts, err,
                                    sizeof err) == 0 &&
          ts == CW_CF_TARGET_PAUSED);
    CHECK(cw_cf_target_state_decode(SL("{\"state\":\"SLEEPING\"}"), &ts, err, sizeof err) == -1);

    static const char restart[] = "{\"include-tasks\":true,\"only-failed\":false}";
    CHECK(cw_cf_restart_decode(restart, LEN(restart), &a, &b, err, sizeof err) == 0 && a == 1 &&
          b == 0);
    CHECK_STR(s = cw_cf_restart_encode(1, 0, NULL), restart);
    free(s);
    CHECK(cw_cf_restart_decode(SL("{}"), &a, &b, err, sizeof err) == 0 && a == 0 && b == 0);

    CHECK(cw_cf_task_count_decode(SL("{\"task-count\":4}"), &n, err, sizeof err) == 0 && n == 4);
    CHECK_STR(s = cw_cf_task_count_encode(4, NULL), "{\"task-count\":4}");
    free(s);

    static const char sk[] = "{\"key\":\"kPcLeMn2f6ZMk7MrxyvGEGZoOLAa1Lr4RAYlTwYi3Ig=\","
                             "\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1700000000000}";
    cw_cf_session_key_t k;
    CHECK(cw_cf_session_key_decode(sk, LEN(sk), &k, err, sizeof err) == 0);
    CHECK_STR(k.algorithm, "HmacSHA256");
    CHECK(k.creation_timestamp_ms == 1700000000000LL);
    CHECK_STR(s = cw_cf_session_key_encode(&k, NULL), sk);
    free(s);
    cw_cf_session_key_clear(&k);
    CHECK(cw_cf_session_key_decode(
              SL("{\"key\":\"x\",\"algorithm\":\"a\",\"creation-timestamp\":\"1\"}"), &k, err,
              sizeof err) == -1);
}

static void test_status(void) {
    static const char running[] =
        "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"10.0.0.5:8083\",\"generation\":7}";
    static const char failed[] =
        "{\"state\":\"FAILED\",\"trace\":\"org.apache.kafka.connect.errors.ConnectException: "
        "boom\\n\\tat Foo.bar(Foo.java:1)\\n\",\"worker_id\":\"10.0.0.5:8083\",\"generation\":8}";
    const char *const fixtures[] = {running, failed};
    char err[256];
    for (size_t i = 0; i < 2; i++) {
        cw_cf_status_t st;
        CHECK(cw_cf_status_decode(fixtures[i], strlen(fixtures[i]), &st, err, sizeof err) == 0);
        char *again = cw_cf_status_encode(&st, NULL);
        CHECK_STR(again, fixtures[i]);
        free(again);
        if (i == 1) CHECK_CONTAINS(st.trace, "boom\n\tat Foo");
        if (i == 0) CHECK(st.trace == NULL && st.generation == 7);
        cw_cf_status_clear(&st);
    }
    cw_cf_status_t st;
    CHECK(cw_cf_status_decode(SL("invalid"), &st, err, sizeof err) == -1);
    CHECK(cw_cf_status_decode(SL("{\"state\":\"BORED\",\"worker_id\":\"w\",\"generation\":1}"), &st,
                              err, sizeof err) == -1);
    CHECK(cw_cf_status_decode(SL("{\"state\":\"RUNNING\",\"worker_id\":\"w\",\"generation\":1.5}"),
                              &st, err, sizeof err) == -1);

    cw_cf_status_key_t k;
    CHECK(cw_cf_status_key_parse(SL("status-task-foo-source-3"), &k) == 0 &&
          k.kind == CW_CF_STATUS_TASK && k.task == 3);
    CHECK_STR(k.name, "foo-source");
    cw_cf_status_key_clear(&k);
    CHECK(cw_cf_status_key_parse(SL("status-connector-foo-source"), &k) == 0 &&
          k.kind == CW_CF_STATUS_CONNECTOR);
    CHECK_STR(k.name, "foo-source");
    cw_cf_status_key_clear(&k);
    CHECK(cw_cf_status_key_parse(SL("status-topic-foo-topic:connector-foo-source"), &k) == 0 &&
          k.kind == CW_CF_STATUS_TOPIC);
    CHECK_STR(k.topic, "foo-topic");
    CHECK_STR(k.name, "foo-source");
    cw_cf_status_key_clear(&k);
    char *key = cw_cf_status_key("foo-source", 3);
    CHECK_STR(key, "status-task-foo-source-3");
    free(key);
    key = cw_cf_status_key("foo-source", -1);
    CHECK_STR(key, "status-connector-foo-source");
    free(key);
    /* KafkaStatusBackingStoreFormatTest.readInvalidStatus's keys. */
    static const char *const bad[] = {"status-unknown",
                                      "status-connector-",
                                      "status-task-",
                                      "status-task-foo-source-#",
                                      "status-topic-",
                                      "status-topic-:connector-",
                                      "status-topic-foo-topic:",
                                      "status-topic-foo-topic:connector-"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(cw_cf_status_key_parse(bad[i], strlen(bad[i]), &k) == -1);
        cw_cf_status_key_clear(&k);
    }
}

static void test_offsets(void) {
    static const struct {
        const char *key, *connector, *partition, *value;
    } fixtures[] = {
        /* FileStreamSourceTask's partition and offset. */
        {"[\"local-file-source\",{\"filename\":\"/tmp/test.txt\"}]", "local-file-source",
         "{\"filename\":\"/tmp/test.txt\"}", "{\"position\":1234}"},
        /* Confluent's JDBC source (incrementing and timestamp+incrementing modes). */
        {"[\"jdbc-source\",{\"protocol\":\"1\",\"table\":\"db.customers\"}]", "jdbc-source",
         "{\"protocol\":\"1\",\"table\":\"db.customers\"}",
         "{\"timestamp_nanos\":0,\"incrementing\":42,\"timestamp\":1700000000000}"},
        /* Debezium MySQL. */
        {"[\"inventory-connector\",{\"server\":\"dbserver1\"}]", "inventory-connector",
         "{\"server\":\"dbserver1\"}",
         "{\"ts_sec\":1700000000,\"file\":\"mysql-bin.000003\",\"pos\":154,\"row\":1,"
         "\"server_id\":223344,\"event\":2}"},
    };
    char err[256];
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        char *conn = NULL, *part = NULL, *off = NULL;
        CHECK(cw_cf_offset_key_decode(fixtures[i].key, strlen(fixtures[i].key), &conn, &part, err,
                                      sizeof err) == 0);
        CHECK_STR(conn, fixtures[i].connector);
        CHECK_STR(part, fixtures[i].partition);
        size_t len = 0;
        char *again = cw_cf_offset_key_encode(conn, part, &len);
        CHECK_STR(again, fixtures[i].key);
        CHECK(len == strlen(fixtures[i].key));
        CHECK(cw_cf_offset_value_decode(fixtures[i].value, strlen(fixtures[i].value), &off, err,
                                        sizeof err) == 0);
        CHECK_STR(off, fixtures[i].value);
        free(conn);
        free(part);
        free(off);
        free(again);
    }
    char *off = (char *)"x";
    CHECK(cw_cf_offset_value_decode(NULL, 0, &off, err, sizeof err) == 0 && off == NULL);
    CHECK(cw_cf_offset_value_decode(SL(""), &off, err, sizeof err) == 0 && off == NULL);
    CHECK(cw_cf_offset_value_decode(SL("[1]"), &off, err, sizeof err) == -1);
    CHECK(cw_cf_offset_key_encode("c", "[1]", NULL) == NULL);
    CHECK(cw_cf_offset_key_encode("c", "not json", NULL) == NULL);

    /* OffsetUtilsTest's invalid partition keys, and its one valid key. */
    static const struct {
        const char *key;
        size_t len;
    } bad[] = {{"\0", 1},
               {"i-am-not-json", 13},
               {"", 0},
               {"{}", 2},
               {"[\"\"]", 4},
               {"[1,{}]", 6},
               {"[\"connector-name\",[]]", 21},
               {"[\"connector-name\",null]", 23}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *conn = NULL, *part = NULL;
        CHECK(cw_cf_offset_key_decode(bad[i].key, bad[i].len, &conn, &part, err, sizeof err) == -1);
        CHECK(conn == NULL && part == NULL);
    }
    char *conn = NULL, *part = NULL;
    CHECK(cw_cf_offset_key_decode(SL("[\"connector-name\",{}]"), &conn, &part, err, sizeof err) ==
          0);
    CHECK_STR(part, "{}");
    free(conn);
    free(part);
}

static void test_java_partition(void) {
    /* UtilsTest.testMurmur2: Utils.murmur2 of these bytes. BuiltInPartitioner picks
     * toPositive(hash) % partitions. */
    static const struct {
        const char *key;
        int32_t hash;
    } vectors[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    static const int32_t counts[] = {1, 5, 7, 25, 50, 1000};
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++)
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            int32_t want =
                (int32_t)(((uint32_t)vectors[i].hash & 0x7fffffffu) % (uint32_t)counts[c]);
            int32_t got = cw_cf_java_partition(vectors[i].key, strlen(vectors[i].key), counts[c]);
            if (got != want)
                fprintf(stderr, "%s / %d partitions: got %d, Java picks %d\n", vectors[i].key,
                        counts[c], got, want);
            CHECK(got == want);
        }
}

int main(void) {
    test_config_keys();
    test_properties();
    test_config_values();
    test_status();
    test_offsets();
    test_java_partition();
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
