/* The file-source and file-sink plugins, loaded as real shared objects through the registry
 * and driven through a small fake host (records in memory, JSON converter semantics): line
 * splitting and offsets, resume, following appends, and the sink's crash-safe appends. */
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "registry.h"
#include "validate.h"

/* ---- fake host ------------------------------------------------------------------------ */

struct cw_record {
    char topic[64];
    int32_t partition;
    int64_t offset;
    char *source_partition, *source_offset;
    char *value; /* NULL: null value */
    size_t value_len;
    json_t *json;
};

#define MAX_RECORDS 64
struct cw_batch {
    struct cw_record records[MAX_RECORDS];
    size_t count;
};

static char stored_offset[256];       /* offset_get answer for any partition ("" = none) */
static int bad_record_answer = CW_OK; /* what report_bad_record returns */
static int bad_records_reported;

static void h_log(cw_ctx_t *ctx, cw_log_level_t level, const char *fmt, ...) {
    (void)ctx, (void)level;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "  plugin log: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static cw_record_t *h_source_record_new(cw_batch_t *b, const char *topic, int32_t partition,
                                        const char *sp, const char *so) {
    if (b->count == MAX_RECORDS) abort();
    cw_record_t *r = &b->records[b->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->topic, sizeof r->topic, "%s", topic);
    r->partition = partition;
    r->offset = -1;
    r->source_partition = strdup(sp);
    r->source_offset = strdup(so);
    return r;
}

static void h_record_set_value(cw_record_t *r, const void *data, size_t len) {
    free(r->value);
    r->value = NULL;
    if (data) {
        r->value = malloc(len + 1);
        memcpy(r->value, data, len);
        r->value[len] = '\0';
        r->value_len = len;
    }
}

/* As the worker does with StringConverter: a JSON string value reads back as its text. */
static void h_record_set_value_json(cw_record_t *r, json_t *v) {
    if (json_is_string(v)) {
        h_record_set_value(r, json_string_value(v), json_string_length(v));
    } else {
        char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        h_record_set_value(r, t, t ? strlen(t) : 0);
        free(t);
    }
    json_decref(v);
}

static const void *h_record_value(cw_record_t *r, size_t *len) {
    *len = r->value ? r->value_len : 0;
    return r->value;
}

static json_t *h_record_value_json(cw_record_t *r, char *errstr, size_t errstr_size) {
    if (!r->json) {
        if (!r->value) return r->json = json_null();
        json_error_t e;
        r->json = json_loadb(r->value, r->value_len, JSON_DECODE_ANY, &e);
        if (!r->json)
            snprintf(errstr, errstr_size, "invalid JSON at byte %d: %s", e.position, e.text);
    }
    return r->json;
}

static char *h_offset_get(cw_ctx_t *ctx, const char *sp) {
    (void)ctx, (void)sp;
    return stored_offset[0] ? strdup(stored_offset) : NULL;
}

static char *h_json_encode(const json_t *v, size_t *len) {
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (t && len) *len = strlen(t);
    return t;
}

static const char *h_topic(const cw_record_t *r) { return r->topic; }
static int32_t h_partition(const cw_record_t *r) { return r->partition; }
static int64_t h_offset(const cw_record_t *r) { return r->offset; }
static int h_report_bad_record(cw_ctx_t *ctx, cw_record_t *r, const char *reason) {
    (void)ctx, (void)r;
    fprintf(stderr, "  bad record: %s\n", reason);
    bad_records_reported++;
    return bad_record_answer;
}

static const cw_host_t fake_host = {.abi_version = CW_ABI_VERSION,
                                    .struct_size = sizeof(cw_host_t),
                                    .log = h_log,
                                    .config_get = cw_config_get,
                                    .config_get_int = cw_config_get_int,
                                    .config_get_bool = cw_config_get_bool,
                                    .config_get_list = cw_config_get_list,
                                    .validation_error = cw_validation_error,
                                    .validation_begin = cw_validation_begin,
                                    .validation_end = cw_validation_end,
                                    .record_topic = h_topic,
                                    .record_partition = h_partition,
                                    .record_offset = h_offset,
                                    .record_original_topic = h_topic,
                                    .record_original_partition = h_partition,
                                    .record_original_offset = h_offset,
                                    .record_value = h_record_value,
                                    .record_value_json = h_record_value_json,
                                    .record_set_value = h_record_set_value,
                                    .record_set_value_json = h_record_set_value_json,
                                    .report_bad_record = h_report_bad_record,
                                    .source_record_new = h_source_record_new,
                                    .offset_get = h_offset_get,
                                    .json_encode = h_json_encode,
                                    .free = free};

static void record_clear(cw_record_t *r) {
    free(r->source_partition);
    free(r->source_offset);
    free(r->value);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

static void batch_clear(cw_batch_t *b) {
    for (size_t i = 0; i < b->count; i++) record_clear(&b->records[i]);
    b->count = 0;
}

/* ---- helpers -------------------------------------------------------------------------- */

static char tmpdir[] = "/tmp/cw-test-file-XXXXXX";

static void append_text(const char *path, const char *text) {
    FILE *f = fopen(path, "ab");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return strdup("<missing>");
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

static cw_config_t *make_config(const cw_plugin_t *p, const char *text) {
    cw_props_t *props = cw_props_new();
    char err[256];
    cw_props_parse(props, text, strlen(text), "test", err, sizeof err);
    cw_errlist_t errs = {0};
    CHECK(cw_config_validate(props, p->config, "", "test", &errs, NULL) == 0);
    cw_errlist_free(&errs);
    cw_config_t *c = cw_config_new(props, p->config);
    cw_props_free(props);
    return c;
}

/* ---- file-source ---------------------------------------------------------------------- */

static void test_source(const cw_plugin_t *p) {
    char path[512], conf[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/in.txt", tmpdir);
    snprintf(conf, sizeof conf, "file=%s\ntopic=lines\n", path);
    cw_config_t *c = make_config(p, conf);
    cw_batch_t *b = calloc(1, sizeof *b);
    void *st = NULL;

    stored_offset[0] = '\0';
    CHECK(p->source->start(NULL, c, &st, err, sizeof err) == CW_OK);
    CHECK(p->source->poll(st, b, 10, err, sizeof err) == CW_IDLE); /* file not there yet */

    append_text(path, "a\nb\r\nc"); /* "c" is incomplete */
    CHECK(p->source->poll(st, b, 10, err, sizeof err) == CW_OK);
    CHECK(b->count == 2);
    if (b->count == 2) {
        CHECK_STR(b->records[0].value, "a");
        CHECK_STR(b->records[0].topic, "lines");
        CHECK(b->records[0].partition == CW_PARTITION_ANY);
        CHECK_STR(b->records[0].source_offset, "{\"position\":2}");
        CHECK_STR(b->records[1].value, "b");
        CHECK_STR(b->records[1].source_offset, "{\"position\":5}");
        char expect[600];
        snprintf(expect, sizeof expect, "{\"filename\":\"%s\"}", path);
        CHECK_STR(b->records[1].source_partition, expect);
    }
    batch_clear(b);
    CHECK(p->source->poll(st, b, 10, err, sizeof err) == CW_IDLE);
    CHECK(b->count == 0);

    append_text(path, "\n\nd\n"); /* completes "c", an empty line, then "d" */
    CHECK(p->source->poll(st, b, 10, err, sizeof err) == CW_OK);
    CHECK(b->count == 3);
    if (b->count == 3) {
        CHECK_STR(b->records[0].value, "c");
        CHECK_STR(b->records[0].source_offset, "{\"position\":7}");
        CHECK_STR(b->records[1].value, "");
        CHECK_STR(b->records[2].value, "d");
        CHECK_STR(b->records[2].source_offset, "{\"position\":10}");
    }
    batch_clear(b);
    p->source->stop(st);
    cw_config_free(c);

    /* Resume from a stored offset, with batch.size limiting each poll. */
    snprintf(conf, sizeof conf, "file=%s\ntopic=lines\nbatch.size=1\n", path);
    c = make_config(p, conf);
    snprintf(stored_offset, sizeof stored_offset, "{\"position\":5}");
    CHECK(p->source->start(NULL, c, &st, err, sizeof err) == CW_OK);
    CHECK(p->source->poll(st, b, 10, err, sizeof err) == CW_OK);
    CHECK(b->count == 1 && strcmp(b->records[0].value, "c") == 0);
    CHECK(p->source->poll(st, b, 10, err, sizeof err) == CW_OK);
    CHECK(b->count == 2 && strcmp(b->records[1].value, "") == 0);
    batch_clear(b);
    p->source->stop(st);
    cw_config_free(c);
    stored_offset[0] = '\0';
    free(b);
}

/* ---- file-sink ------------------------------------------------------------------------ */

static void make_records(cw_record_t *rs, int64_t first, const char *const *values, size_t n) {
    for (size_t i = 0; i < n; i++) {
        memset(&rs[i], 0, sizeof rs[i]);
        snprintf(rs[i].topic, sizeof rs[i].topic, "t");
        rs[i].partition = 0;
        rs[i].offset = first + (int64_t)i;
        h_record_set_value(&rs[i], values[i], values[i] ? strlen(values[i]) : 0);
    }
}

static int put(const cw_plugin_t *p, void *st, int64_t first, const char *const *values, size_t n,
               char *err, size_t errsz) {
    cw_record_t rs[16];
    cw_record_t *ptrs[16];
    make_records(rs, first, values, n);
    for (size_t i = 0; i < n; i++) ptrs[i] = &rs[i];
    int rc = p->sink->put(st, ptrs, n, err, errsz);
    for (size_t i = 0; i < n; i++) record_clear(&rs[i]);
    return rc;
}

static void test_sink(const cw_plugin_t *p) {
    char path[512], state_path[600], conf[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/out.txt", tmpdir);
    snprintf(state_path, sizeof state_path, "%s.cw-sink-state", path);
    snprintf(conf, sizeof conf, "file=%s\n", path);
    cw_config_t *c = make_config(p, conf);
    CHECK(p->sink->task_configs(NULL, c, 4, NULL, err, sizeof err) == 1);

    void *st = NULL;
    /* A crash before the very first flush: what was appended is cut off on restart too. */
    CHECK(p->sink->start(NULL, c, &st, err, sizeof err) == CW_OK);
    const char *unflushed[] = {"\"early\""};
    CHECK(put(p, st, 0, unflushed, 1, err, sizeof err) == CW_OK);
    p->sink->stop(st);
    char *early = slurp(path);
    CHECK_STR(early, "early\n");
    free(early);
    CHECK(p->sink->start(NULL, c, &st, err, sizeof err) == CW_OK);
    early = slurp(path);
    CHECK_STR(early, "");
    free(early);
    const char *first[] = {"\"hello\"", "{\"a\": 1.5, \"b\": [1, 2]}", NULL, "42"};
    CHECK(put(p, st, 0, first, 4, err, sizeof err) == CW_OK);
    cw_topic_partition_t tp = {"t", 0, 4};
    CHECK(p->sink->flush(st, &tp, 1, 0, err, sizeof err) == CW_OK);
    CHECK(tp.offset == 4); /* everything handed over is durable */
    char *text = slurp(path);
    CHECK_STR(text, "hello\n{\"a\":1.5,\"b\":[1,2]}\nnull\n42\n");
    free(text);
    CHECK(access(state_path, F_OK) == 0);

    /* Written but never flushed, then a crash: the state file still describes offset 4. */
    const char *lost[] = {"\"e\"", "\"f\""};
    CHECK(put(p, st, 4, lost, 2, err, sizeof err) == CW_OK);
    p->sink->stop(st);

    /* Restart: the unflushed lines are cut off, and since the worker's committed offset may
     * lag the state file, offsets 2..3 arrive again and must not be written twice. */
    CHECK(p->sink->start(NULL, c, &st, err, sizeof err) == CW_OK);
    text = slurp(path);
    CHECK_STR(text, "hello\n{\"a\":1.5,\"b\":[1,2]}\nnull\n42\n");
    free(text);
    const char *again[] = {NULL, "42", "\"e\"", "\"f\""};
    CHECK(put(p, st, 2, again, 4, err, sizeof err) == CW_OK);
    CHECK(p->sink->flush(st, &tp, 1, 1, err, sizeof err) == CW_OK);
    text = slurp(path);
    CHECK_STR(text, "hello\n{\"a\":1.5,\"b\":[1,2]}\nnull\n42\ne\nf\n");
    free(text);

    /* A value that is not JSON: reported; skipped with errors.tolerance=all, fatal without. */
    const char *bad[] = {"\"g\"", "not json{", "\"h\""};
    bad_record_answer = CW_OK;
    CHECK(put(p, st, 6, bad, 3, err, sizeof err) == CW_OK);
    CHECK(bad_records_reported == 1);
    bad_record_answer = CW_ERR_FATAL;
    err[0] = '\0';
    const char *bad2[] = {"\"i\"", "{oops"};
    CHECK(put(p, st, 9, bad2, 2, err, sizeof err) == CW_ERR_FATAL);
    CHECK_CONTAINS(err, "invalid JSON");
    CHECK(p->sink->flush(st, &tp, 1, 1, err, sizeof err) == CW_OK);
    text = slurp(path);
    CHECK_STR(text, "hello\n{\"a\":1.5,\"b\":[1,2]}\nnull\n42\ne\nf\ng\nh\n"); /* no "i" */
    free(text);
    p->sink->stop(st);

    /* A corrupt state file stops the task with a message naming it. */
    append_text(state_path, "garbage");
    CHECK(p->sink->start(NULL, c, &st, err, sizeof err) == CW_ERR_FATAL);
    CHECK_CONTAINS(err, state_path);
    cw_config_free(c);
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    const char *plugin_dir = getenv("CW_PLUGIN_DIR");
    if (!plugin_dir) {
        fprintf(stderr, "CW_PLUGIN_DIR is not set\n");
        return 2;
    }
    cw_registry_t *r = cw_registry_new(&fake_host);
    char path[1024], err[1024];
    snprintf(path, sizeof path, "%s/file-source.so", plugin_dir);
    CHECK(cw_registry_load_file(r, path, err, sizeof err) == 0);
    snprintf(path, sizeof path, "%s/file-sink.so", plugin_dir);
    CHECK(cw_registry_load_file(r, path, err, sizeof err) == 0);
    const cw_plugin_t *src = cw_registry_find(
        r, "org.apache.kafka.connect.file.FileStreamSourceConnector", CW_PLUGIN_SOURCE, NULL);
    const cw_plugin_t *sink = cw_registry_find(r, "FileStreamSink", CW_PLUGIN_SINK, NULL);
    CHECK(src && cw_registry_find(r, "filestreamsource", 0, NULL) == src);
    CHECK(sink && cw_registry_find(r, "FileStreamSinkConnector", 0, NULL) == sink);

    if (src) {
        cw_props_t *empty = cw_props_new();
        cw_errlist_t errs = {0};
        CHECK(cw_config_validate(empty, src->config, "", "connectors/fs.properties", &errs, NULL) ==
              2);
        CHECK(errs.count == 2);
        if (errs.count == 2)
            CHECK_STR(errs.items[0], "connectors/fs.properties: file: required key is missing");
        cw_errlist_free(&errs);
        cw_props_free(empty);
        test_source(src);
    }
    if (sink) test_sink(sink);
    cw_registry_free(r);

    /* Run from the build tree, the bundled plugins are those of the build's plugin dir. */
    r = cw_registry_new(&fake_host);
    CHECK(cw_registry_load_bundled(r, err, sizeof err) >= 2);
    const char *file = NULL;
    CHECK(cw_registry_find(r, "file-source", CW_PLUGIN_SOURCE, &file) != NULL);
    CHECK_CONTAINS(file, "/file-source.so");
    CHECK(cw_registry_find(r, "file-sink", CW_PLUGIN_SINK, NULL) != NULL);
    cw_registry_free(r);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    CHECK_DONE();
}
