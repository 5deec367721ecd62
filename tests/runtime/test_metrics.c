/* The metrics registry: concurrent updates from threads lose nothing, the rendering is exact
 * and passes `promtool check metrics`, names and definitions that break the rules are refused
 * with a clear message, series go away with their owner, and the host table's entry points
 * refuse connector-level contexts. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "host.h"
#include "metrics.h"

static const cw_metric_def_t records_def = {
    CW_METRIC_DEF_HEADER,
    .kind = CW_METRIC_COUNTER,
    .name = "test_records_total",
    .help = "Records seen.",
};
static const cw_metric_def_t lag_def = {
    CW_METRIC_DEF_HEADER,
    .kind = CW_METRIC_GAUGE,
    .name = "test_lag_records",
    .help = "Records behind.",
};
static const double latency_bounds[] = {0.01, 0.1, 1};
static const cw_metric_def_t latency_def = {
    CW_METRIC_DEF_HEADER,           .kind = CW_METRIC_HISTOGRAM,
    .name = "test_latency_seconds", .help = "Latency of a \\ call,\nper call.",
    .buckets = latency_bounds,      .nbuckets = 3,
};

enum { THREADS = 4, ROUNDS = 100000 };
static cw_metric_t *g_counter, *g_gauge, *g_hist;

static void *hammer(void *arg) {
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        cw_metric_add(g_counter, 1);
        cw_metric_add(g_gauge, i % 2 ? 1 : -1);
        cw_metric_observe(g_hist, i % 2 ? 0.05 : 5);
    }
    return NULL;
}

static void test_concurrent(void) {
    cw_metrics_t *m = cw_metrics_new();
    char err[256];
    int owner;
    g_counter = cw_metrics_register(m, &owner, "c", 0, &records_def, err, sizeof err);
    g_gauge = cw_metrics_register(m, &owner, "c", 0, &lag_def, err, sizeof err);
    g_hist = cw_metrics_register(m, &owner, "c", 0, &latency_def, err, sizeof err);
    CHECK(g_counter && g_gauge && g_hist);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, hammer, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    char *text = cw_metrics_render(m, NULL);
    CHECK_CONTAINS(text, "test_records_total{connector=\"c\",task=\"0\"} 400000\n");
    CHECK_CONTAINS(text, "test_lag_records{connector=\"c\",task=\"0\"} 0\n");
    CHECK_CONTAINS(text, "test_latency_seconds_bucket{connector=\"c\",task=\"0\",le=\"0.01\"} 0\n");
    CHECK_CONTAINS(text,
                   "test_latency_seconds_bucket{connector=\"c\",task=\"0\",le=\"0.1\"} 200000\n");
    CHECK_CONTAINS(text,
                   "test_latency_seconds_bucket{connector=\"c\",task=\"0\",le=\"1\"} 200000\n");
    CHECK_CONTAINS(text,
                   "test_latency_seconds_bucket{connector=\"c\",task=\"0\",le=\"+Inf\"} 400000\n");
    CHECK_CONTAINS(text, "test_latency_seconds_count{connector=\"c\",task=\"0\"} 400000\n");
    /* 200000 * 0.05 + 200000 * 5, summed in some order: close, not exact. */
    const char *sum = strstr(text, "test_latency_seconds_sum{connector=\"c\",task=\"0\"} ");
    CHECK(sum && fabs(strtod(strchr(sum, '}') + 2, NULL) - 1010000.0) < 1e-3);
    free(text);
    cw_metrics_free(m);
}

/* The exact text of a small registry, and promtool's verdict on it. */
static void test_render(void) {
    cw_metrics_t *m = cw_metrics_new();
    char err[256];
    int t0, t1;
    cw_metric_t *a =
        cw_metrics_register(m, &t0, "s3 \"pins\"\\x", 0, &records_def, err, sizeof err);
    cw_metric_t *b =
        cw_metrics_register(m, &t1, "s3 \"pins\"\\x", 1, &records_def, err, sizeof err);
    cw_metric_t *g = cw_metrics_register(m, &t0, "s3 \"pins\"\\x", 0, &lag_def, err, sizeof err);
    cw_metric_t *hst =
        cw_metrics_register(m, &t0, "s3 \"pins\"\\x", 0, &latency_def, err, sizeof err);
    CHECK(a && b && g && hst && a != b);
    cw_metric_add(a, 2);
    cw_metric_add(a, 0.5);
    cw_metric_add(a, -1); /* a counter never goes down */
    cw_metric_add(a, NAN);
    cw_metric_set(a, 100);   /* not a gauge: ignored */
    cw_metric_observe(a, 1); /* not a histogram: ignored */
    cw_metric_add(b, 1e20);
    cw_metric_set(g, -0.1);
    cw_metric_observe(hst, 0.01); /* le is inclusive */
    cw_metric_observe(hst, 0.3);
    cw_metric_observe(hst, NAN); /* +Inf bucket */
    cw_metric_add(NULL, 1);      /* NULL handles are no-ops */
    cw_metric_set(NULL, 1);
    cw_metric_observe(NULL, 1);
    char *text = cw_metrics_render(m, NULL);
    const char *want =
        "# HELP test_records_total Records seen.\n"
        "# TYPE test_records_total counter\n"
        "test_records_total{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"0\"} 2.5\n"
        "test_records_total{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"1\"} 1e+20\n"
        "# HELP test_lag_records Records behind.\n"
        "# TYPE test_lag_records gauge\n"
        "test_lag_records{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"0\"} -0.1\n"
        "# HELP test_latency_seconds Latency of a \\\\ call,\\nper call.\n"
        "# TYPE test_latency_seconds histogram\n"
        "test_latency_seconds_bucket{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"0\",le=\"0.01\"} 1\n"
        "test_latency_seconds_bucket{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"0\",le=\"0.1\"} 1\n"
        "test_latency_seconds_bucket{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"0\",le=\"1\"} 2\n"
        "test_latency_seconds_bucket{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"0\",le=\"+Inf\"} 3\n"
        "test_latency_seconds_sum{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"0\"} NaN\n"
        "test_latency_seconds_count{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"0\"} 3\n";
    CHECK_STR(text, want);
    /* promtool (Debian's prometheus package; .ci/install-deps.sh) validates the syntax and
     * lints the names, help texts and histogram series. */
    char path[] = "/tmp/cw-metrics-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
    int rc = system(cmd);
    if (rc != 0) fprintf(stderr, "promtool check metrics failed (status %d) on:\n%s", rc, text);
    CHECK(rc == 0);
    unlink(path);
    free(text);

    /* The owner's series go away with it; an emptied family with them. */
    cw_metrics_release(m, &t0);
    text = cw_metrics_render(m, NULL);
    CHECK_STR(text, "# HELP test_records_total Records seen.\n"
                    "# TYPE test_records_total counter\n"
                    "test_records_total{connector=\"s3 \\\"pins\\\"\\\\x\",task=\"1\"} 1e+20\n");
    free(text);
    cw_metrics_release(m, &t1);
    text = cw_metrics_render(m, NULL);
    CHECK_STR(text, "");
    free(text);
    cw_metrics_free(m);
}

static void expect_refused(cw_metrics_t *m, const void *owner, const cw_metric_def_t *d,
                           const char *needle) {
    char err[512] = "";
    CHECK(cw_metrics_register(m, owner, "c", 0, d, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, needle);
}

static void test_rules(void) {
    cw_metrics_t *m = cw_metrics_new();
    int owner, other;
    cw_metric_def_t d = records_def;
    d.name = "sink-record-read-total";
    expect_refused(m, &owner, &d,
                   "metric name 'sink-record-read-total' is not a valid "
                   "Prometheus name: '-' at position 5");
    d.name = "9lives_total";
    expect_refused(m, &owner, &d, "'9' at position 1");
    d.name = "job:rate_total";
    expect_refused(m, &owner, &d, "recording rules");
    d.name = "__internal_total";
    expect_refused(m, &owner, &d, "reserved");
    d.name = "";
    expect_refused(m, &owner, &d, "metric name is empty");
    d.name = "records";
    expect_refused(m, &owner, &d, "counter 'records' must end in _total");
    d = lag_def;
    d.name = "lag_total";
    expect_refused(m, &owner, &d, "only counters end in _total");
    d.name = "lag_bucket";
    expect_refused(m, &owner, &d, "reserved for histogram samples");
    d = lag_def;
    d.help = NULL;
    expect_refused(m, &owner, &d, "help text is required");
    d = lag_def;
    d.kind = (cw_metric_kind_t)9;
    expect_refused(m, &owner, &d, "unknown kind 9");
    d = lag_def;
    d.buckets = latency_bounds;
    d.nbuckets = 3;
    expect_refused(m, &owner, &d, "buckets are for histograms only");
    d = latency_def;
    static const double bad[] = {1, 1};
    d.buckets = bad;
    d.nbuckets = 2;
    expect_refused(m, &owner, &d, "strictly increasing (bound 2 is 1)");
    d.buckets = NULL;
    expect_refused(m, &owner, &d, "or none (NULL, 0) for the defaults");
    d = lag_def;
    d.struct_size = 8;
    expect_refused(m, &owner, &d, "CW_METRIC_DEF_HEADER");
    /* Clashes with an earlier registration of the name. */
    char err[256];
    cw_metric_t *c = cw_metrics_register(m, &owner, "c", 0, &records_def, err, sizeof err);
    CHECK(c != NULL);
    CHECK(cw_metrics_register(m, &owner, "c", 0, &records_def, err, sizeof err) == c);
    d = lag_def;
    d.kind = CW_METRIC_HISTOGRAM;
    d.name = "test_latency_seconds";
    CHECK(cw_metrics_register(m, &owner, "c", 0, &latency_def, err, sizeof err) != NULL);
    expect_refused(m, &owner, &d, "already registered with other buckets"); /* defaults */
    d = records_def;
    d.kind = CW_METRIC_GAUGE;
    d.name = "test_latency_seconds";
    expect_refused(m, &owner, &d, "already registered as a histogram");
    expect_refused(m, &other, &records_def, "already registered by another context");
    /* Default buckets: Prometheus' 0.005 .. 10. */
    d = latency_def;
    d.name = "test_default_seconds";
    d.buckets = NULL;
    d.nbuckets = 0;
    cw_metric_observe(cw_metrics_register(m, &owner, "c", 0, &d, err, sizeof err), 7);
    char *text = cw_metrics_render(m, NULL);
    CHECK_CONTAINS(text,
                   "test_default_seconds_bucket{connector=\"c\",task=\"0\",le=\"0.005\"} 0\n");
    CHECK_CONTAINS(text, "test_default_seconds_bucket{connector=\"c\",task=\"0\",le=\"10\"} 1\n");
    free(text);
    cw_metrics_free(m);
}

/* Through the host table: a task context registers; connector-level ones cannot. */
static void test_host(void) {
    const cw_host_t *h = cw_host();
    cw_metrics_t *m = cw_metrics_new();
    cw_ctx_t task = {.connector = "conn", .task = 2, .metrics = m};
    cw_ctx_t conn = {.connector = "conn", .task = -1, .metrics = m};
    cw_ctx_t none = {.connector = "conn", .task = 0};
    char err[256];
    CHECK(CW_HOST_HAS(h, metric_register) && CW_HOST_HAS(h, metric_observe));
    cw_metric_t *c = h->metric_register(&task, &records_def, err, sizeof err);
    CHECK(c != NULL);
    h->metric_add(c, 3);
    CHECK(h->metric_register(&conn, &records_def, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "metric 'test_records_total': metrics belong to a task");
    CHECK(h->metric_register(&none, &records_def, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "keeps no metrics");
    char *text = cw_metrics_render(m, NULL);
    CHECK_CONTAINS(text, "test_records_total{connector=\"conn\",task=\"2\"} 3\n");
    free(text);
    cw_metrics_release(m, &task);
    cw_metrics_free(m);
}

/* Other labels (none, or more than connector/task), values read at render time, one series
 * unregistered, a counter copied from a cumulative source. */
static double read_half(const void *arg) { return *(const double *)arg / 2; }

static void test_labels(void) {
    cw_metrics_t *m = cw_metrics_new();
    char err[256];
    int owner;
    double source = 9;
    const cw_metric_label_t lag_labels[] = {
        {"connector", "c"}, {"topic", "t\"x"}, {"partition", "3"}};
    cw_metric_t *up = cw_metrics_register_labels(m, &owner, &lag_def, NULL, 0, err, sizeof err);
    cw_metric_t *lag =
        cw_metrics_register_labels(m, &owner, &lag_def, lag_labels, 3, err, sizeof err);
    cw_metric_t *half = cw_metrics_register_read(m, &owner, &records_def, NULL, 0, read_half,
                                                 &source, err, sizeof err);
    CHECK(up && lag && half);
    cw_metric_set(up, 1);
    cw_metric_set(lag, 7);
    cw_metric_set_total(half, 100); /* a read series ignores its own value */
    char *text = cw_metrics_render(m, NULL);
    CHECK_STR(text, "# HELP test_lag_records Records behind.\n"
                    "# TYPE test_lag_records gauge\n"
                    "test_lag_records 1\n"
                    "test_lag_records{connector=\"c\",topic=\"t\\\"x\",partition=\"3\"} 7\n"
                    "# HELP test_records_total Records seen.\n"
                    "# TYPE test_records_total counter\n"
                    "test_records_total 4.5\n");
    free(text);
    const cw_metric_label_t bad[] = {{"le", "1"}}, dup[] = {{"a", "1"}, {"a", "2"}},
                            dash[] = {{"client-id", "x"}};
    CHECK(!cw_metrics_register_labels(m, &owner, &lag_def, bad, 1, err, sizeof err));
    CHECK_CONTAINS(err, "label name 'le' is invalid");
    CHECK(!cw_metrics_register_labels(m, &owner, &lag_def, dup, 2, err, sizeof err));
    CHECK_CONTAINS(err, "label name 'a' is repeated");
    CHECK(!cw_metrics_register_labels(m, &owner, &lag_def, dash, 1, err, sizeof err));
    CHECK_CONTAINS(err, "'client-id' is invalid");
    CHECK(!cw_metrics_register_read(m, &owner, &latency_def, NULL, 0, read_half, &source, err,
                                    sizeof err));
    cw_metrics_unregister(m, lag);
    cw_metrics_unregister(m, up); /* the family goes with its last series */
    text = cw_metrics_render(m, NULL);
    CHECK(!strstr(text, "test_lag_records"));
    free(text);
    cw_metrics_unregister(m, half);
    cw_metric_t *total =
        cw_metrics_register_labels(m, &owner, &records_def, NULL, 0, err, sizeof err);
    cw_metric_set_total(total, 10);
    cw_metric_set_total(total, 4); /* never down */
    cw_metric_set_total(total, NAN);
    text = cw_metrics_render(m, NULL);
    CHECK_CONTAINS(text, "test_records_total 10\n");
    free(text);
    cw_metrics_free(m);
}

/* A collector's samples follow its state: a series it stops setting disappears. */
typedef struct {
    int tasks;
    int calls;
} fake_state_t;

static void collect_states(cw_metrics_collect_t *c, void *opaque) {
    fake_state_t *st = opaque;
    st->calls++;
    for (int i = 0; i < st->tasks; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        const cw_metric_label_t l[] = {{"connector", "c"}, {"task", num}};
        cw_metrics_collect(c, &lag_def, l, 2, i * 10);
    }
    cw_metrics_collect(c, &latency_def, NULL, 0, 1); /* histograms cannot be collected */
}

static void test_collectors(void) {
    cw_metrics_t *m = cw_metrics_new();
    fake_state_t st = {.tasks = 2};
    CHECK(cw_metrics_collector_add(m, collect_states, &st) == 0);
    char *text = cw_metrics_render(m, NULL);
    CHECK_STR(text, "# HELP test_lag_records Records behind.\n"
                    "# TYPE test_lag_records gauge\n"
                    "test_lag_records{connector=\"c\",task=\"0\"} 0\n"
                    "test_lag_records{connector=\"c\",task=\"1\"} 10\n");
    free(text);
    st.tasks = 1;
    text = cw_metrics_render(m, NULL);
    CHECK(strstr(text, "task=\"0\"} 0\n") && !strstr(text, "task=\"1\""));
    free(text);
    st.tasks = 0;
    text = cw_metrics_render(m, NULL);
    CHECK_STR(text, "");
    free(text);
    st.tasks = 3;
    cw_metrics_collector_remove(m, collect_states, &st);
    text = cw_metrics_render(m, NULL);
    CHECK_STR(text, "");
    free(text);
    CHECK(st.calls == 3);
    st.tasks = 1;
    CHECK(cw_metrics_collector_add(m, collect_states, &st) == 0);
    text = cw_metrics_render(m, NULL);
    free(text);
    cw_metrics_free(m); /* frees the collector and its series */
}

int main(void) {
    test_labels();
    test_collectors();
    test_concurrent();
    test_render();
    test_rules();
    test_host();
    CHECK_DONE();
}
