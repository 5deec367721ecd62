/* The herder in-process: connectors created, paused, resumed, stopped, restarted,
 * reconfigured and deleted while the worker runs; the restart policy; the config store
 * across a worker restart. Records flow file-source -> embedded Kafka -> file-sink, so every
 * check looks at real records. Run under ASan, deleting proves everything is freed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "herder_harness.h"

static harness_t T;
static char *in_path, *out_path;
static char err[CW_HERDER_ERRSTR_SIZE];

typedef struct {
    const char *path;
    long n;
} lines_t;
static int lines_reach(void *arg) {
    lines_t *l = arg;
    return count_lines(l->path) >= l->n;
}
static int wait_lines(const char *path, long n) {
    lines_t l = {path, n};
    return wait_for(lines_reach, &l, 60000);
}
typedef struct {
    const char *topic;
    int64_t n;
} hw_t;
static int hw_reach(void *arg) {
    hw_t *w = arg;
    return high_watermark(&T, w->topic) >= w->n;
}
static int wait_hw(const char *topic, int64_t n) {
    hw_t w = {topic, n};
    return wait_for(hw_reach, &w, 60000);
}
typedef struct {
    const char *conn;
    long n;
} rounds_t;
static int rounds_reach(void *arg) {
    rounds_t *r = arg;
    return paused_rounds(T.h, r->conn, 0) >= r->n;
}
/* The task went through `n` more paused rounds (consumer polls or served waits). */
static int wait_rounds(const char *conn, long n) {
    rounds_t r = {conn, paused_rounds(T.h, conn, 0) + n};
    return wait_for(rounds_reach, &r, 60000);
}

static json_t *obj(const char *text) {
    json_t *v = json_loads(text, 0, NULL);
    if (!v) abort();
    return v;
}

static void append_n(int from, int n) {
    char line[32];
    for (int i = from; i < from + n; i++) {
        snprintf(line, sizeof line, "line-%d", i);
        append_line(in_path, line);
    }
}

/* A connector from a command-line file runs; another is created while the worker runs. */
static void test_create(void) {
    CHECK(wait_state(T.h, "src", 0, "RUNNING", 30000));
    json_t *cfg = json_pack("{s:s, s:s, s:s, s:i}", "connector.class", "file-sink", "topics",
                            "lines", "file", out_path, "tasks.max", 1);
    json_t *info = NULL;
    CHECK(cw_herder_create(T.h, "sink", cfg, CW_TARGET_RUNNING, &info, err, sizeof err) == 0);
    CHECK_STR(json_string_value(json_object_get(info, "type")), "sink");
    CHECK(json_integer_value(
              json_object_get(json_array_get(json_object_get(info, "tasks"), 0), "task")) == 0);
    json_decref(info);
    CHECK(cw_herder_create(T.h, "sink", cfg, CW_TARGET_RUNNING, &info, err, sizeof err) == 409);
    CHECK_STR(err, "Connector sink already exists");
    /* GET config: exactly the map submitted (a number as its text) plus name. */
    json_t *got = NULL;
    CHECK(cw_herder_connector_config(T.h, "sink", &got, err, sizeof err) == 0);
    json_t *want = obj("{\"connector.class\":\"file-sink\",\"topics\":\"lines\",\"file\":\"\","
                       "\"tasks.max\":\"1\",\"name\":\"sink\"}");
    json_object_set_new(want, "file", json_string(out_path));
    CHECK(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    json_decref(cfg);
    /* The file connector's config is the file as written: its ${env:...} stays unresolved. */
    CHECK(cw_herder_connector_config(T.h, "src", &got, err, sizeof err) == 0);
    CHECK_STR(json_string_value(json_object_get(got, "batch.size")), "${env:CW_HERDER_BATCH}");
    json_decref(got);

    append_n(0, 5);
    CHECK(wait_lines(out_path, 5));
    CHECK(wait_state(T.h, "sink", 0, "RUNNING", 30000));
    char buf[64];
    CHECK_STR(state_of(T.h, "sink", -1, buf, sizeof buf), "RUNNING");
    json_t *st = NULL;
    CHECK(cw_herder_status(T.h, "sink", &st, err, sizeof err) == 0);
    CHECK_STR(json_string_value(json_object_get(json_object_get(st, "connector"), "worker_id")),
              "127.0.0.1:18083");
    CHECK(json_object_get(json_array_get(json_object_get(st, "tasks"), 0), "restarts") == NULL);
    json_decref(st);

    /* Errors as Kafka answers them. */
    CHECK(cw_herder_status(T.h, "nope", &st, err, sizeof err) == 404);
    CHECK_STR(err, "Connector nope not found");
    json_t *bad = obj("{\"connector.class\":\"file-sink\",\"tasks.max\":\"x\"}");
    CHECK(cw_herder_create(T.h, "bad", bad, CW_TARGET_RUNNING, &info, err, sizeof err) == 400);
    CHECK_CONTAINS(err, "Connector configuration is invalid and contains the following");
    CHECK_CONTAINS(err, "tasks.max");
    CHECK_CONTAINS(err, "file");
    json_object_set_new(bad, "name", json_string("other"));
    CHECK(cw_herder_create(T.h, "bad", bad, CW_TARGET_RUNNING, &info, err, sizeof err) == 400);
    CHECK_CONTAINS(err, "doesn't match connector name in the URL");
    json_decref(bad);
    json_t *list = NULL;
    CHECK(cw_herder_connectors(T.h, 0, &list) == 0);
    json_t *want_list = json_pack("[s,s]", "sink", "src");
    CHECK(json_equal(list, want_list));
    json_decref(want_list);
    json_decref(list);
}

/* A paused sink puts nothing while records wait in Kafka; resumed, it gets them. */
static void test_pause_sink(void) {
    CHECK(cw_herder_pause(T.h, "sink", err, sizeof err) == 0);
    CHECK(wait_state(T.h, "sink", 0, "PAUSED", 30000));
    char buf[64];
    CHECK_STR(state_of(T.h, "sink", -1, buf, sizeof buf), "PAUSED");
    append_n(5, 3);
    CHECK(wait_hw("lines", 8));
    CHECK(wait_rounds("sink", 10));
    CHECK(count_lines(out_path) == 5);
    CHECK(cw_herder_resume(T.h, "sink", err, sizeof err) == 0);
    CHECK(wait_lines(out_path, 8));
    CHECK(wait_state(T.h, "sink", 0, "RUNNING", 30000));
}

/* A paused source polls nothing: lines wait in the file; resumed, they are produced. */
static void test_pause_source(void) {
    CHECK(cw_herder_pause(T.h, "src", err, sizeof err) == 0);
    CHECK(wait_state(T.h, "src", 0, "PAUSED", 30000));
    append_n(8, 2);
    CHECK(wait_rounds("src", 10));
    CHECK(high_watermark(&T, "lines") == 8);
    CHECK(cw_herder_resume(T.h, "src", err, sizeof err) == 0);
    CHECK(wait_hw("lines", 10));
    CHECK(wait_lines(out_path, 10));
}

/* Stopped: no tasks at all; resumed: new tasks continue from the committed offsets. */
static void test_stop(void) {
    CHECK(cw_herder_stop(T.h, "sink", err, sizeof err) == 0);
    json_t *st = NULL, *info = NULL, *tasks = NULL;
    CHECK(cw_herder_status(T.h, "sink", &st, err, sizeof err) == 0);
    CHECK_STR(json_string_value(json_object_get(json_object_get(st, "connector"), "state")),
              "STOPPED");
    CHECK(json_array_size(json_object_get(st, "tasks")) == 0);
    CHECK(cw_herder_connector_info(T.h, "sink", &info, err, sizeof err) == 0);
    CHECK(json_array_size(json_object_get(info, "tasks")) == 0);
    CHECK(cw_herder_task_configs(T.h, "sink", &tasks, err, sizeof err) == 0);
    CHECK(json_array_size(tasks) == 0);
    json_decref(st);
    json_decref(info);
    json_decref(tasks);
    CHECK(cw_herder_stop(T.h, "sink", err, sizeof err) == 0); /* idempotent */
    append_n(10, 2);
    CHECK(wait_hw("lines", 12));
    CHECK(count_lines(out_path) == 10);
    CHECK(cw_herder_resume(T.h, "sink", err, sizeof err) == 0);
    CHECK(wait_lines(out_path, 12));
    CHECK(wait_state(T.h, "sink", 0, "RUNNING", 30000));
    CHECK(count_lines(out_path) == 12);
    CHECK(cw_herder_task_configs(T.h, "sink", &tasks, err, sizeof err) == 0);
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(json_array_get(tasks, 0), "id"), "connector")),
              "sink");
    json_decref(tasks);
}

static void test_restart(void) {
    json_t *st = NULL;
    CHECK(cw_herder_restart_connector(T.h, "sink", 1, 0, &st, err, sizeof err) == 0);
    CHECK(st != NULL);
    CHECK_STR(json_string_value(
                  json_object_get(json_array_get(json_object_get(st, "tasks"), 0), "state")),
              "RESTARTING");
    json_decref(st);
    CHECK(cw_herder_restart_connector(T.h, "sink", 0, 0, &st, err, sizeof err) == 0);
    CHECK(st == NULL); /* 204: the connector instance only */
    CHECK(cw_herder_restart_task(T.h, "sink", 0, err, sizeof err) == 0);
    CHECK(cw_herder_restart_task(T.h, "sink", 3, err, sizeof err) == 404);
    CHECK_STR(err, "Task sink-3 not found");
    CHECK(wait_state(T.h, "sink", 0, "RUNNING", 30000));
    append_n(12, 1);
    CHECK(wait_lines(out_path, 13));

    json_t *topics = NULL;
    CHECK(cw_herder_topics(T.h, "src", &topics, err, sizeof err) == 0);
    json_t *want = json_pack("{s:{s:[s]}}", "src", "topics", "lines");
    CHECK(json_equal(topics, want));
    json_decref(want);
    json_decref(topics);
    CHECK(cw_herder_topics_reset(T.h, "src", err, sizeof err) == 0);
    CHECK(cw_herder_topics(T.h, "src", &topics, err, sizeof err) == 0);
    CHECK(json_array_size(json_object_get(json_object_get(topics, "src"), "topics")) == 0);
    json_decref(topics);
}

static json_t *offsets_of(const char *conn) {
    json_t *o = NULL;
    if (cw_herder_offsets_get(T.h, conn, &o, err, sizeof err) != 0) {
        fprintf(stderr, "offsets of %s: %s\n", conn, err);
        return NULL;
    }
    return o;
}
static int sink_committed_13(void *arg) {
    (void)arg;
    json_t *o = offsets_of("sink");
    json_t *e = json_array_get(json_object_get(o, "offsets"), 0);
    int ok =
        json_integer_value(json_object_get(json_object_get(e, "offset"), "kafka_offset")) == 13;
    json_decref(o);
    return ok;
}

/* KIP-875: read any time, changed only when STOPPED; sinks through the group, sources
 * through the offset store (a source moved back produces its lines again). */
static void test_offsets(void) {
    CHECK(wait_for(sink_committed_13, NULL, 30000));
    json_t *o = offsets_of("sink");
    json_t *want = json_pack("{s:[{s:{s:s, s:i}, s:{s:i}}]}", "offsets", "partition", "kafka_topic",
                             "lines", "kafka_partition", 0, "offset", "kafka_offset", 13);
    CHECK(json_equal(o, want));
    if (!json_equal(o, want)) {
        char *d = json_dumps(o, 0);
        fprintf(stderr, "sink offsets: %s\n", d ? d : "(null)");
        free(d);
    }
    json_decref(want);
    json_decref(o);
    json_t *body = obj("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"lines\","
                       "\"kafka_partition\":0},\"offset\":{\"kafka_offset\":10}}]}");
    json_t *msg = NULL;
    CHECK(cw_herder_offsets_alter(T.h, "sink", body, &msg, err, sizeof err) == 400);
    CHECK_CONTAINS(err, "Connectors must be in the STOPPED state");
    CHECK(cw_herder_stop(T.h, "sink", err, sizeof err) == 0);
    /* librdkafka's mock coordinator refuses commits from outside a group that ever had
     * members (UNKNOWN_MEMBER_ID), which a real broker takes for an empty group: what is
     * checked here is the answer either way. */
    msg = NULL;
    int rc = cw_herder_offsets_alter(T.h, "sink", body, &msg, err, sizeof err);
    if (rc == 0) {
        CHECK_STR(json_string_value(json_object_get(msg, "message")),
                  "The offsets for this connector have been altered successfully");
        o = offsets_of("sink");
        CHECK(json_integer_value(json_object_get(
                  json_object_get(json_array_get(json_object_get(o, "offsets"), 0), "offset"),
                  "kafka_offset")) == 10);
        json_decref(o);
    } else {
        CHECK(rc == 500);
        CHECK_CONTAINS(err, "lines [0] offset 10");
    }
    json_decref(msg);
    json_decref(body);
    body = obj("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"lines\"},\"offset\":null}]}");
    CHECK(cw_herder_offsets_alter(T.h, "sink", body, &msg, err, sizeof err) == 400);
    CHECK_CONTAINS(err, "must contain the keys 'kafka_topic' and 'kafka_partition'");
    json_decref(body);
    body = obj("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"lines\",\"kafka_partition\":0},"
               "\"offset\":{\"kafka_offset\":\"x\"}}]}");
    CHECK(cw_herder_offsets_alter(T.h, "sink", body, &msg, err, sizeof err) == 400);
    CHECK_CONTAINS(err,
                   "Failed to parse the following Kafka offset value in the provided offsets: 'x'");
    json_decref(body);
    CHECK(cw_herder_resume(T.h, "sink", err, sizeof err) == 0);

    /* The source: moved back to the start of its file, it produces every line again. */
    CHECK(cw_herder_stop(T.h, "src", err, sizeof err) == 0);
    o = offsets_of("src");
    json_t *e = json_array_get(json_object_get(o, "offsets"), 0);
    CHECK_STR(json_string_value(json_object_get(json_object_get(e, "partition"), "filename")),
              in_path);
    CHECK(json_integer_value(json_object_get(json_object_get(e, "offset"), "position")) > 0);
    body = json_pack("{s:[{s:O, s:{s:i}}]}", "offsets", "partition",
                     json_object_get(e, "partition"), "offset", "position", 0);
    json_decref(o);
    CHECK(cw_herder_offsets_alter(T.h, "src", body, &msg, err, sizeof err) == 0);
    CHECK_CONTAINS(json_string_value(json_object_get(msg, "message")),
                   "The Connect framework-managed offsets for this connector have been altered");
    json_decref(msg);
    json_decref(body);
    int64_t hw = high_watermark(&T, "lines");
    CHECK(cw_herder_resume(T.h, "src", err, sizeof err) == 0);
    CHECK(wait_hw("lines", hw + 13));
    CHECK(wait_lines(out_path, 26));
    CHECK(cw_herder_stop(T.h, "src", err, sizeof err) == 0);
    CHECK(cw_herder_offsets_reset(T.h, "src", &msg, err, sizeof err) == 0);
    json_decref(msg);
    o = offsets_of("src");
    CHECK(json_array_size(json_object_get(o, "offsets")) == 0);
    json_decref(o);
    CHECK(cw_herder_delete(T.h, "src", err, sizeof err) == 0);
}

/* ConfigInfos: every problem on its key, the error count. */
static void test_validate(void) {
    json_t *cfg = obj("{\"topics\":\"lines\",\"tasks.max\":\"0\"}"), *out = NULL;
    CHECK(cw_herder_validate(T.h, "file-sink", cfg, &out, err, sizeof err) == 0);
    CHECK(json_integer_value(json_object_get(out, "error_count")) >= 2);
    size_t i;
    json_t *c;
    int file_err = 0, tasks_err = 0;
    json_array_foreach(json_object_get(out, "configs"), i, c) {
        json_t *v = json_object_get(c, "value");
        const char *name = json_string_value(json_object_get(v, "name"));
        size_t n = json_array_size(json_object_get(v, "errors"));
        file_err += strcmp(name, "file") == 0 && n > 0;
        if (strcmp(name, "file") == 0)
            CHECK_STR(json_string_value(json_array_get(json_object_get(v, "errors"), 0)),
                      "required key is missing");
        tasks_err += strcmp(name, "tasks.max") == 0 && n > 0;
    }
    CHECK(file_err == 1 && tasks_err == 1);
    json_decref(out);
    json_object_set_new(cfg, "tasks.max", json_string("1"));
    json_object_set_new(cfg, "file", json_string(out_path));
    json_object_set_new(cfg, "name", json_string("checked"));
    CHECK(cw_herder_validate(T.h, "FileStreamSink", cfg, &out, err, sizeof err) == 0);
    CHECK(json_integer_value(json_object_get(out, "error_count")) == 0 ||
          !fprintf(stderr, "validate: %s\n", json_dumps(out, JSON_COMPACT)));
    json_decref(out);
    CHECK(cw_herder_validate(T.h, "no-such-plugin", cfg, &out, err, sizeof err) == 400);
    json_decref(cfg);
}

/* PUT creates or replaces, PATCH merges (null removes), initial_state STOPPED. */
static void test_put_patch(void) {
    char *out2 = NULL;
    if (asprintf(&out2, "%s/out2.txt", T.dir) < 0) abort();
    json_t *cfg = json_pack("{s:s, s:s, s:s, s:s}", "connector.class", "test-lc-sink", "topics",
                            "other", "file", out2, "fail.put.on", "never-there");
    json_t *info = NULL;
    int created = -1;
    CHECK(cw_herder_put_config(T.h, "sink2", cfg, &created, &info, err, sizeof err) == 0);
    CHECK(created == 1);
    json_decref(info);
    json_object_set_new(cfg, "tasks.max", json_string("2"));
    CHECK(cw_herder_put_config(T.h, "sink2", cfg, &created, &info, err, sizeof err) == 0);
    CHECK(created == 0);
    CHECK(json_array_size(json_object_get(info, "tasks")) == 2);
    json_decref(info);
    json_t *patch = obj("{\"tasks.max\": null, \"errors.tolerance\": \"all\"}");
    CHECK(cw_herder_patch_config(T.h, "sink2", patch, &info, err, sizeof err) == 0);
    CHECK(json_object_get(json_object_get(info, "config"), "tasks.max") == NULL);
    CHECK_STR(
        json_string_value(json_object_get(json_object_get(info, "config"), "errors.tolerance")),
        "all");
    CHECK(json_array_size(json_object_get(info, "tasks")) == 1);
    json_decref(info);
    CHECK(cw_herder_patch_config(T.h, "absent", patch, &info, err, sizeof err) == 404);
    json_decref(patch);
    patch = obj("{\"tasks.max\": \"zero\"}");
    CHECK(cw_herder_patch_config(T.h, "sink2", patch, &info, err, sizeof err) == 400);
    json_decref(patch);
    CHECK(cw_herder_create(T.h, "later", cfg, CW_TARGET_STOPPED, &info, err, sizeof err) == 0);
    json_decref(info);
    char buf[64];
    CHECK_STR(state_of(T.h, "later", -1, buf, sizeof buf), "STOPPED");
    CHECK(cw_herder_resume(T.h, "later", err, sizeof err) == 0);
    CHECK(wait_state(T.h, "later", 0, "RUNNING", 30000));
    CHECK(cw_herder_delete(T.h, "later", err, sizeof err) == 0);
    CHECK(cw_herder_delete(T.h, "sink2", err, sizeof err) == 0);
    CHECK(cw_herder_delete(T.h, "sink2", err, sizeof err) == 404);
    json_decref(cfg);
    free(out2);
}

typedef struct {
    const char *path;
} path_t;
static int healed(void *arg) { return count_matching(((path_t *)arg)->path, "put 1\n") >= 1; }

/* A task failing twice recovers through errors.restart.policy=always; without the policy a
 * task stays FAILED. */
static void test_restart_policy(void) {
    char *flaky_log = NULL, *fragile_log = NULL;
    if (asprintf(&flaky_log, "%s/flaky.log", T.dir) < 0 ||
        asprintf(&fragile_log, "%s/fragile.log", T.dir) < 0)
        abort();
    json_t *cfg =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "connector.class", "test-lc-sink",
                  "topics", "events", "file", flaky_log, "fail.put.on", "BOOM", "fail.put.times",
                  "2", "errors.restart.policy", "always", "errors.restart.initial.backoff.ms", "50",
                  "errors.restart.max.backoff.ms", "200");
    if (getenv("CW_HERDER_DEBUG"))
        json_object_set_new(cfg, "consumer.override.debug", json_string(getenv("CW_HERDER_DEBUG")));
    json_t *info = NULL;
    CHECK(cw_herder_create(T.h, "flaky", cfg, CW_TARGET_RUNNING, &info, err, sizeof err) == 0);
    json_decref(info);
    json_t *cfg2 = json_pack("{s:s, s:s, s:s, s:s}", "connector.class", "test-lc-sink", "topics",
                             "other", "file", fragile_log, "fail.put.on", "BOOM");
    CHECK(cw_herder_create(T.h, "fragile", cfg2, CW_TARGET_RUNNING, &info, err, sizeof err) == 0);
    json_decref(info);
    CHECK(produce(&T, "events", "BOOM-1") == 0);
    CHECK(produce(&T, "other", "BOOM-1") == 0);
    path_t p = {flaky_log};
    CHECK(wait_for(healed, &p, 60000));
    CHECK(count_matching(flaky_log, "put 1 failed") == 2);
    CHECK(wait_state(T.h, "flaky", 0, "RUNNING", 30000));
    json_t *st = NULL;
    CHECK(cw_herder_task_status(T.h, "flaky", 0, &st, err, sizeof err) == 0);
    CHECK(json_integer_value(json_object_get(st, "restarts")) == 2);
    json_decref(st);

    CHECK(wait_state(T.h, "fragile", 0, "FAILED", 30000));
    CHECK(cw_herder_task_status(T.h, "fragile", 0, &st, err, sizeof err) == 0);
    CHECK_CONTAINS(json_string_value(json_object_get(st, "trace")), "BOOM");
    CHECK(json_object_get(st, "restarts") == NULL);
    json_decref(st);
    /* The flaky one healed after two backoffs; the fragile one failed once and stayed so. */
    CHECK(count_matching(fragile_log, "put 1 failed") == 1);
    CHECK(cw_herder_restart_task(T.h, "fragile", 0, err, sizeof err) == 0);
    p.path = fragile_log;
    CHECK(wait_state(T.h, "fragile", 0, "FAILED", 30000));
    CHECK(count_matching(fragile_log, "put 1 failed") == 2 ||
          wait_state(T.h, "fragile", 0, "FAILED", 30000));
    CHECK(cw_herder_delete(T.h, "flaky", err, sizeof err) == 0);
    CHECK(cw_herder_delete(T.h, "fragile", err, sizeof err) == 0);
    json_decref(cfg);
    json_decref(cfg2);
    free(flaky_log);
    free(fragile_log);
}

/* config.storage.file.filename: the API's connectors (and their target state) come back;
 * the command-line one is not stored. */
static void test_persistence(const char *plugin_dir) {
    json_t *before = NULL;
    CHECK(cw_herder_pause(T.h, "sink", err, sizeof err) == 0);
    CHECK(cw_herder_connector_config(T.h, "sink", &before, err, sizeof err) == 0);
    CHECK(harness_stop(&T) == 0);
    CHECK(harness_start(&T, plugin_dir, NULL, 0) == 0);
    json_t *list = NULL, *after = NULL;
    CHECK(cw_herder_connectors(T.h, 0, &list) == 0);
    CHECK(json_array_size(list) == 1);
    CHECK_STR(json_string_value(json_array_get(list, 0)), "sink");
    CHECK(cw_herder_connector_config(T.h, "sink", &after, err, sizeof err) == 0);
    CHECK(json_equal(before, after));
    CHECK(wait_state(T.h, "sink", 0, "PAUSED", 30000));
    json_decref(list);
    json_decref(before);
    json_decref(after);
    CHECK(cw_herder_delete(T.h, "sink", err, sizeof err) == 0);
    CHECK(harness_stop(&T) == 0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test-herder TEST_PLUGIN_DIR\n");
        return 2;
    }
    snprintf(T.dir, sizeof T.dir, "/tmp/cw-herder-XXXXXX");
    if (!mkdtemp(T.dir)) return 2;
    in_path = harness_file(&T, "in.txt", "");
    out_path = harness_file(&T, "out.txt", "");
    char worker[2048];
    snprintf(worker, sizeof worker,
             "bootstrap.servers=127.0.0.1:1\nembedded.kafka.enable=true\n"
             "embedded.kafka.topics=lines:1,events:1,other:1\n"
             "offset.storage.file.filename=%s/offsets\noffset.flush.interval.ms=300\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "task.shutdown.graceful.timeout.ms=10000\n"
             /* librdkafka's mock coordinator makes a rejoining group wait for the session
              * timeout of the member that left: keep it short, restarts are what we test. */
             "consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=1000\n"
             "config.storage.file.filename=%s/connectors.json\nlog.level=%s\n",
             T.dir, T.dir, getenv("CW_HERDER_LOG") ? getenv("CW_HERDER_LOG") : "warn");
    free(harness_file(&T, "worker.properties", worker));
    char src[1024];
    snprintf(src, sizeof src,
             "name=src\nconnector.class=file-source\nfile=%s\ntopic=lines\n"
             "batch.size=${env:CW_HERDER_BATCH}\n",
             in_path);
    setenv("CW_HERDER_BATCH", "100", 1);
    char *src_file = harness_file(&T, "src.properties", src);
    const char *files[] = {src_file};
    if (harness_start(&T, argv[1], files, 1) != 0) {
        fprintf(stderr, "the worker did not start\n");
        return 1;
    }
    test_create();
    test_pause_sink();
    test_pause_source();
    test_stop();
    test_restart();
    test_offsets();
    test_validate();
    test_put_patch();
    test_restart_policy();
    test_persistence(argv[1]);
    free(src_file);
    free(in_path);
    free(out_path);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", T.dir);
    if (!check_failures && system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", T.dir);
    if (check_failures)
        fprintf(stderr, "%d check(s) failed (files in %s)\n", check_failures, T.dir);
    return check_failures ? 1 : 0;
}
