/* The validate hook at unit level: problems reported through the real host table's
 * validation_error are collected one line each, naming file and full key; a key the rows
 * already reported is not reported twice; validation_begin/end turn problems into errstr for
 * start and configure; cw_connector_validate checks one connector configuration through the
 * bundled plugins. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "host.h"
#include "validate.h"
#include "worker.h"

static const cw_config_def_t defs[] = {
    {"pattern", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED, "A regex.", NULL, 0, 0},
    {"size", CW_CFG_INT, "10", 0, "A number.", NULL, 1, 100},
    {"mode", CW_CFG_STRING, "a", 0, "a or b.", "a,b", 0, 0},
    CW_CONFIG_END};

static int validate_calls;
static const char *seen_connector;

/* Reports through the host table as a plugin does: a rule between keys, a value that must
 * parse, and a problem for `size`, whose row may already have reported it. */
static void fake_validate(cw_ctx_t *ctx, const cw_config_t *config, cw_validation_t *v) {
    const cw_host_t *h = cw_host();
    validate_calls++;
    seen_connector = h->connector_name(ctx);
    CHECK(h->task_id(ctx) == -1);
    if (strcmp(h->config_get(config, "pattern"), "(") == 0)
        h->validation_error(v, "pattern", "'%s' does not compile", "(");
    if (strcmp(h->config_get(config, "mode"), "b") == 0)
        h->validation_error(v, "size", "must be set for mode %s", "b");
    h->validation_error(v, "mode", "second problem %d", 2);
}

static const cw_plugin_t fake = {
    CW_PLUGIN_HEADER, .kind = CW_PLUGIN_TRANSFORM, .name = "fake",
    .config = defs,   .validate = fake_validate,
};

/* Rows first, then the plugin's validate, as the chain does it. */
static size_t run(const char *pattern, const char *size, const char *mode, cw_errlist_t *errs) {
    cw_props_t *p = cw_props_new();
    cw_props_set(p, "pattern", pattern);
    if (size) cw_props_set(p, "size", size);
    cw_props_set(p, "mode", mode);
    size_t since = errs->count;
    size_t rows = cw_config_validate(p, defs, "transforms.x.", "c.properties", errs, NULL);
    cw_config_t *config = cw_config_new(p, defs);
    size_t added =
        cw_plugin_validate(&fake, "conn", config, "c.properties", "transforms.x.", since, errs);
    cw_config_free(config);
    cw_props_free(p);
    return rows + added;
}

static void test_collects_every_problem_with_file_and_key(void) {
    cw_errlist_t errs = {0};
    CHECK(run("(", NULL, "b", &errs) == 3);
    CHECK(validate_calls == 1);
    CHECK_STR(seen_connector, "conn");
    CHECK(errs.count == 3);
    CHECK_STR(errs.items[0], "c.properties: transforms.x.pattern: '(' does not compile");
    CHECK_STR(errs.keys[0], "transforms.x.pattern");
    CHECK_STR(errs.items[1], "c.properties: transforms.x.size: must be set for mode b");
    CHECK_STR(errs.items[2], "c.properties: transforms.x.mode: second problem 2");
    CHECK(cw_errlist_has_key(&errs, "transforms.x.size", 0));
    CHECK(!cw_errlist_has_key(&errs, "transforms.x.size", 2));
    cw_errlist_free(&errs);
}

static void test_row_problem_not_repeated(void) {
    cw_errlist_t errs = {0};
    /* size=abc fails its row; validate's own message for size is then dropped, the one for
     * mode (not reported by a row) stays. */
    run("ok", "abc", "b", &errs);
    CHECK(errs.count == 2);
    CHECK_CONTAINS(errs.items[0], "c.properties: transforms.x.size: value 'abc' is not a");
    CHECK_STR(errs.items[1], "c.properties: transforms.x.mode: second problem 2");
    /* A problem the rows reported in an earlier configuration does not hide this one's. */
    run("ok", NULL, "b", &errs);
    CHECK(errs.count == 4);
    CHECK_STR(errs.items[2], "c.properties: transforms.x.size: must be set for mode b");
    cw_errlist_free(&errs);
}

static void test_no_validate_callback(void) {
    cw_plugin_t quiet = fake;
    quiet.validate = NULL;
    cw_errlist_t errs = {0};
    cw_config_t *config = cw_config_new(NULL, defs);
    CHECK(cw_plugin_validate(&quiet, "conn", config, "c.properties", "", 0, &errs) == 0);
    CHECK(errs.count == 0);
    cw_config_free(config);
}

static void test_begin_end_for_start(void) {
    const cw_host_t *h = cw_host();
    char err[256] = "untouched";
    cw_validation_t *v = h->validation_begin();
    CHECK(v != NULL);
    CHECK(h->validation_end(v, err, sizeof err) == 0);
    CHECK_STR(err, "");

    v = h->validation_begin();
    h->validation_error(v, "timezone", "unknown time zone '%s'", "Mars/Olympus");
    h->validation_error(v, "path.format", "is required for TimeBasedPartitioner");
    CHECK(h->validation_end(v, err, sizeof err) == 2);
    CHECK_STR(err, "timezone: unknown time zone 'Mars/Olympus'; path.format: is required for "
                   "TimeBasedPartitioner");

    char tiny[12];
    v = h->validation_begin();
    h->validation_error(v, "timezone", "unknown time zone '%s'", "Mars/Olympus");
    CHECK(h->validation_end(v, tiny, sizeof tiny) == 1);
    CHECK_STR(tiny, "timezone: u"); /* cut to the buffer, still terminated */
    CHECK(h->validation_end(NULL, err, sizeof err) == 0);
    h->validation_error(NULL, "x", "ignored"); /* no collection: a no-op, not a crash */
}

/* The entry point the REST validate endpoint calls: one connector configuration in, its
 * problems out, each with its full key, through the bundled plugins. */
static void test_connector_validate(void) {
    char path[] = "/tmp/cw-test-validate-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char text[] = "bootstrap.servers=127.0.0.1:1\n";
    CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(fd);
    cw_errlist_t errs = {0};
    cw_worker_options_t opts = {0};
    cw_worker_t *w = cw_worker_new(path, &opts, &errs);
    CHECK(w != NULL && errs.count == 0);

    cw_props_t *p = cw_props_new();
    cw_props_set(p, "name", "rest");
    cw_props_set(p, "connector.class", "FileStreamSink");
    cw_props_set(p, "topics", "t");
    cw_props_set(p, "file", "/nonexistent-cw-dir/out.txt");
    cw_props_set(p, "transforms", "c");
    cw_props_set(p, "transforms.c.type", "org.apache.kafka.connect.transforms.Cast$Value");
    cw_props_set(p, "transforms.c.spec", "a:date");
    CHECK(cw_connector_validate(w, p, "REST", &errs, NULL) == 2);
    CHECK(errs.count == 2);
    if (errs.count == 2) {
        CHECK_STR(errs.keys[0], "transforms.c.spec");
        CHECK_CONTAINS(errs.items[0],
                       "REST: transforms.c.spec: Invalid type found in casting spec: date");
        CHECK_STR(errs.keys[1], "file");
        CHECK_CONTAINS(errs.items[1], "REST: file: directory '/nonexistent-cw-dir' of");
    }
    cw_errlist_free(&errs);
    cw_props_set(p, "file", "/tmp/cw-test-validate-out.txt");
    cw_props_set(p, "transforms.c.spec", "a:int64");
    CHECK(cw_connector_validate(w, p, "REST", &errs, NULL) == 0);
    cw_errlist_free(&errs);
    cw_props_free(p);
    cw_worker_free(w);
    unlink(path);
}

int main(void) {
    test_connector_validate();
    test_collects_every_problem_with_file_and_key();
    test_row_problem_not_repeated();
    test_no_validate_callback();
    test_begin_end_for_start();
    CHECK_DONE();
}
