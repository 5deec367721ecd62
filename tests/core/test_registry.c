/* Plugin loading with real shared objects built for this test (see CMakeLists.txt): a good
 * module exporting two plugins, and one module per failure cause. Every error must name the
 * file and the cause; a bad file must never crash the worker. */
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "check.h"
#include "registry.h"

static const char *dir; /* test-plugins directory, argv[1] */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[8192];

static void test_log(cw_ctx_t *ctx, cw_log_level_t level, const char *fmt, ...) {
    (void)ctx, (void)level;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log_lock);
    if (strlen(log_buf) + strlen(line) + 2 < sizeof log_buf) {
        strcat(log_buf, line);
        strcat(log_buf, "\n");
    }
    pthread_mutex_unlock(&log_lock);
}

static const cw_host_t test_host = {
    .abi_version = CW_ABI_VERSION, .struct_size = sizeof(cw_host_t), .log = test_log};

static const char *path_of(const char *rel, char *buf, size_t size) {
    snprintf(buf, size, "%s/%s", dir, rel);
    return buf;
}

/* Loads `rel` expecting failure; checks the message names the file and contains `cause`. */
static void expect_failure(cw_registry_t *r, const char *rel, const char *cause) {
    char path[1024], err[1024] = "";
    path_of(rel, path, sizeof path);
    int rc = cw_registry_load_file(r, path, err, sizeof err);
    if (rc != -1) {
        fprintf(stderr, "loading %s should fail\n", rel);
        check_failures++;
        return;
    }
    fprintf(stderr, "  expected error: %s\n", err);
    CHECK_CONTAINS(err, path);
    CHECK_CONTAINS(err, cause);
}

static void count_plugins(const cw_plugin_t *p, const char *file, void *opaque) {
    char *names = opaque;
    (void)file;
    strcat(names, p->name);
    strcat(names, ",");
}

static void test_good_module_and_lookup(void) {
    cw_registry_t *r = cw_registry_new(&test_host);
    char path[1024], err[1024] = "";
    CHECK(cw_registry_load_file(r, path_of("plugins/good.so", path, sizeof path), err,
                                sizeof err) == 0);
    CHECK_CONTAINS(log_buf, "init good");

    const char *file = NULL;
    const cw_plugin_t *p = cw_registry_find(r, "good", 0, &file);
    CHECK(p && p->kind == CW_PLUGIN_SOURCE);
    CHECK_CONTAINS(file, "/plugins/good.so");
    CHECK(cw_registry_find(r, "good-transform", CW_PLUGIN_TRANSFORM, NULL) != NULL);
    CHECK(cw_registry_find(r, "good-transform", CW_PLUGIN_SOURCE, NULL) == NULL);
    CHECK(cw_registry_find(r, "com.example.connect.goodConnector", CW_PLUGIN_SOURCE, NULL) == p);
    CHECK(cw_registry_find(r, "COM.EXAMPLE.CONNECT.GOODCONNECTOR", 0, NULL) == p);
    CHECK(cw_registry_find(r, "Good-Alias", 0, NULL) == p);
    CHECK(cw_registry_find(r, "good", CW_PLUGIN_SINK, NULL) == NULL);
    CHECK(cw_registry_find(r, "nothing", 0, NULL) == NULL);
    CHECK(p && p->config && strcmp(p->config[0].name, "file") == 0);

    /* Loading the same file again is harmless and registers nothing twice. */
    CHECK(cw_registry_load_file(r, path, err, sizeof err) == 0);

    fprintf(stderr, "failure causes:\n");
    expect_failure(r, "plugins/wrong_abi.so",
                   "was built for plugin ABI 1; this worker speaks ABI 2 (rebuild it");
    expect_failure(r, "plugins/bad_size.so", "module descriptor (cw_module_t) is 16 bytes");
    expect_failure(r, "plugins/host_inserted.so", "expects a host table (cw_host_t) of");
    expect_failure(r, "plugins/ops_larger.so",
                   "plugin 'opslarger-transform': transform ops table (cw_transform_ops_t) is");
    expect_failure(r, "plugins/plugin_no_header.so", "plugin descriptor (cw_plugin_t) is 0 bytes");
    expect_failure(r, "plugins/unresolved.so",
                   "unresolved symbol: undefined symbol: cw_test_function_nobody_defines");
    expect_failure(r, "plugins/no_symbol.so", "does not export cw_module_entry");
    expect_failure(r, "plugins/init_fails.so",
                   "failed to initialise: cannot reach license server at 127.0.0.1:1");
    expect_failure(r, "plugins/missing_dep.so",
                   "libcwtestdep.so.1: cannot open shared object file");
    expect_failure(r, "plugins/not_a_plugin.so", "is not a shared object");
    expect_failure(r, "plugins/absent.so", "No such file or directory");
    expect_failure(r, "plugins/sub", "not a regular file");
    expect_failure(r, "dup/dup.so", "plugin name 'good' is already taken by");
    {
        char dup[1024], e2[1024];
        cw_registry_load_file(r, path_of("dup/dup.so", dup, sizeof dup), e2, sizeof e2);
        CHECK_CONTAINS(e2, "/plugins/good.so"); /* names the other file too */
    }

    char names[512] = "";
    cw_registry_foreach(r, count_plugins, names);
    CHECK_STR(names, "good,good-transform,");
    CHECK_NOT_CONTAINS(log_buf, "init initfails"); /* init failed, it logged nothing else */

    log_buf[0] = '\0';
    cw_registry_free(r);
    CHECK_CONTAINS(log_buf, "fini good");
    CHECK_NOT_CONTAINS(log_buf, "fini wrongabi"); /* refused modules are never initialised */
}

static void test_load_dir(void) {
    cw_registry_t *r = cw_registry_new(&test_host);
    char path[1024], err[1024] = "";
    /* good.so and sub/other.so load; sub/deeper/deep.so is too deep; the bad ones are
     * warned about (on stderr) and skipped. */
    int n = cw_registry_load_dir(r, path_of("plugins", path, sizeof path), err, sizeof err);
    CHECK(n == 2);
    char names[512] = "";
    cw_registry_foreach(r, count_plugins, names);
    CHECK_STR(names, "good,good-transform,other,other-transform,");
    CHECK(cw_registry_find(r, "deep", 0, NULL) == NULL);

    CHECK(cw_registry_load_dir(r, path_of("no-such-dir", path, sizeof path), err, sizeof err) ==
          -1);
    CHECK_CONTAINS(err, path);
    CHECK_CONTAINS(err, "No such file or directory");
    cw_registry_free(r);

    CHECK_STR(cw_plugin_kind_name(CW_PLUGIN_SINK), "sink");
    CHECK_STR(cw_plugin_kind_name(CW_PLUGIN_PREDICATE), "predicate");
}

/* Registries on several threads at once: the loader lock keeps libltdl consistent. */
static void *load_repeatedly(void *arg) {
    (void)arg;
    char path[1024], err[1024];
    for (int i = 0; i < 5; i++) {
        cw_registry_t *r = cw_registry_new(&test_host);
        if (cw_registry_load_dir(r, path_of("plugins", path, sizeof path), err, sizeof err) != 2)
            __atomic_add_fetch(&check_failures, 1, __ATOMIC_SEQ_CST);
        cw_registry_free(r);
    }
    return NULL;
}

static void test_threads(void) {
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, load_repeatedly, NULL);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s TEST-PLUGINS-DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    test_good_module_and_lookup();
    test_load_dir();
    test_threads();
    CHECK_DONE();
}
