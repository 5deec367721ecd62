/* The worker's own metrics (see worker_metrics.h). */
#include "worker_metrics.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define DEF(k, n, h)                                                                               \
    { CW_METRIC_DEF_HEADER, .kind = CW_METRIC_##k, .name = n, .help = h }

/* Kafka's task states, in the order of connect-worker-metrics' connector-*-task-count. */
static const char *const task_states[] = {"running",    "paused",    "failed",
                                          "unassigned", "destroyed", "restarting"};
#define NSTATES (sizeof task_states / sizeof task_states[0])

static const cw_metric_def_t state_count_defs[NSTATES] = {
    DEF(GAUGE, "kafka_connect_worker_connector_running_task_count",
        "Running tasks of the connector on this worker."),
    DEF(GAUGE, "kafka_connect_worker_connector_paused_task_count",
        "Paused tasks of the connector on this worker."),
    DEF(GAUGE, "kafka_connect_worker_connector_failed_task_count",
        "Failed tasks of the connector on this worker."),
    DEF(GAUGE, "kafka_connect_worker_connector_unassigned_task_count",
        "Unassigned (stopped, or not started) tasks of the connector on this worker."),
    DEF(GAUGE, "kafka_connect_worker_connector_destroyed_task_count",
        "Destroyed tasks of the connector on this worker."),
    DEF(GAUGE, "kafka_connect_worker_connector_restarting_task_count",
        "Restarting tasks of the connector on this worker."),
};

static const cw_metric_def_t
    total_tasks_def = DEF(GAUGE, "kafka_connect_worker_connector_total_task_count",
                          "Tasks of the connector on this worker."),
    connector_count_def =
        DEF(GAUGE, "kafka_connect_worker_connector_count", "Connectors run in this worker."),
    task_count_def = DEF(GAUGE, "kafka_connect_worker_task_count", "Tasks run in this worker."),
    conn_status_def = DEF(GAUGE, "kafka_connect_connector_status",
                          "1 for the connector's status (label status: running, paused, "
                          "stopped, failed, unassigned, restarting)."),
    conn_class_def = DEF(GAUGE, "kafka_connect_connector_connector_class",
                         "1, with the connector's class (plugin) in label connector_class."),
    conn_type_def = DEF(GAUGE, "kafka_connect_connector_connector_type",
                        "1, with the connector's type (source or sink) in label connector_type."),
    conn_version_def = DEF(GAUGE, "kafka_connect_connector_connector_version",
                           "1, with the plugin's version in label connector_version."),
    task_status_def = DEF(GAUGE, "kafka_connect_connector_task_status",
                          "1 for the task's status (label status, as Kafka: running, paused, "
                          "failed, unassigned, restarting)."),
    task_restarts_def =
        DEF(COUNTER, "connect_worker_task_restarts_total",
            "Automatic restarts of the task by the restart policy (errors.restart.*)."),
    rss_def = DEF(GAUGE, "process_resident_memory_bytes", "Resident memory size in bytes."),
    cpu_def =
        DEF(COUNTER, "process_cpu_seconds_total", "User and system CPU time spent in seconds."),
    start_def = DEF(GAUGE, "process_start_time_seconds",
                    "Start time of the worker since the Unix epoch in seconds."),
    uptime_def = DEF(GAUGE, "connect_worker_uptime_seconds", "Seconds since the worker started.");

/* Start-up counters: Kafka's connect-worker-metrics. */
static const cw_metric_def_t startup_defs[2][3] = {
    {DEF(COUNTER, "kafka_connect_worker_connector_startup_attempts_total",
         "Connector starts this worker attempted."),
     DEF(COUNTER, "kafka_connect_worker_connector_startup_success_total",
         "Connector starts that succeeded."),
     DEF(COUNTER, "kafka_connect_worker_connector_startup_failure_total",
         "Connector starts that failed.")},
    {DEF(COUNTER, "kafka_connect_worker_task_startup_attempts_total",
         "Task starts this worker attempted."),
     DEF(COUNTER, "kafka_connect_worker_task_startup_success_total", "Task starts that succeeded."),
     DEF(COUNTER, "kafka_connect_worker_task_startup_failure_total", "Task starts that failed.")},
};
static const cw_metric_def_t startup_pct_defs[2][2] = {
    {DEF(GAUGE, "kafka_connect_worker_connector_startup_success_percentage",
         "Fraction (0 to 1, as Kafka) of the connector starts that succeeded."),
     DEF(GAUGE, "kafka_connect_worker_connector_startup_failure_percentage",
         "Fraction (0 to 1, as Kafka) of the connector starts that failed.")},
    {DEF(GAUGE, "kafka_connect_worker_task_startup_success_percentage",
         "Fraction (0 to 1, as Kafka) of the task starts that succeeded."),
     DEF(GAUGE, "kafka_connect_worker_task_startup_failure_percentage",
         "Fraction (0 to 1, as Kafka) of the task starts that failed.")},
};

struct cw_worker_metrics {
    cw_metrics_t *m;
    pthread_mutex_t mu; /* source, src */
    cw_state_source_fn source;
    void *src;
    cw_metric_t *startup[2][3];
    double started; /* wall clock, seconds */
};

/* --- the collector ------------------------------------------------------------------------ */

typedef struct {
    cw_metrics_collect_t *c;
    int connectors, tasks;
    char connector[256]; /* the connector whose tasks are being counted */
    int counts[NSTATES], total;
} collect_t;

static void lower(char *out, size_t size, const char *s) {
    size_t i = 0;
    for (; s && s[i] && i + 1 < size; i++) out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

/* The counts of the connector collected so far. */
static void flush_counts(collect_t *k) {
    if (!k->connector[0]) return;
    const cw_metric_label_t l[] = {{"connector", k->connector}};
    for (size_t i = 0; i < NSTATES; i++)
        cw_metrics_collect(k->c, &state_count_defs[i], l, 1, k->counts[i]);
    cw_metrics_collect(k->c, &total_tasks_def, l, 1, k->total);
    memset(k->counts, 0, sizeof k->counts);
    k->total = 0;
    k->connector[0] = '\0';
}

static void emit_connector(collect_t *k, const cw_state_row_t *r, const char *state) {
    flush_counts(k);
    snprintf(k->connector, sizeof k->connector, "%s", r->connector);
    k->connectors++;
    const cw_metric_label_t st[] = {{"connector", r->connector}, {"status", state}};
    cw_metrics_collect(k->c, &conn_status_def, st, 2, 1);
    const cw_metric_label_t type[] = {{"connector", r->connector}, {"connector_type", r->type}};
    cw_metrics_collect(k->c, &conn_type_def, type, 2, 1);
    const cw_metric_label_t cls[] = {{"connector", r->connector},
                                     {"connector_class", r->class_name ? r->class_name : ""}};
    cw_metrics_collect(k->c, &conn_class_def, cls, 2, 1);
    const cw_metric_label_t ver[] = {{"connector", r->connector},
                                     {"connector_version", r->version ? r->version : ""}};
    cw_metrics_collect(k->c, &conn_version_def, ver, 2, 1);
}

static void emit_row(const cw_state_row_t *r, void *opaque) {
    collect_t *k = opaque;
    char state[32];
    lower(state, sizeof state, r->state);
    if (r->task < 0) {
        emit_connector(k, r, state);
        return;
    }
    char num[16];
    snprintf(num, sizeof num, "%d", r->task);
    const cw_metric_label_t l[] = {{"connector", r->connector}, {"task", num}, {"status", state}};
    cw_metrics_collect(k->c, &task_status_def, l, 3, 1);
    cw_metrics_collect(k->c, &task_restarts_def, l, 2, r->restarts);
    k->tasks++;
    if (strcmp(k->connector, r->connector) != 0) return; /* a task listed without its connector */
    k->total++;
    for (size_t i = 0; i < NSTATES; i++)
        if (strcmp(state, task_states[i]) == 0) k->counts[i]++;
}

static void collect_process(cw_worker_metrics_t *wm, cw_metrics_collect_t *c) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    cw_metrics_collect(c, &start_def, NULL, 0, wm->started);
    cw_metrics_collect(c, &uptime_def, NULL, 0,
                       (double)now.tv_sec + now.tv_nsec / 1e9 - wm->started);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        cw_metrics_collect(c, &cpu_def, NULL, 0,
                           (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                               (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    /* statm's second field: resident pages. */
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size, resident;
    if (f && fscanf(f, "%lu %lu", &size, &resident) == 2)
        cw_metrics_collect(c, &rss_def, NULL, 0, (double)resident * (double)sysconf(_SC_PAGESIZE));
    if (f) fclose(f);
}

/* Kafka's *-percentage from the totals: the fraction of the attempts. */
static void collect_startup(cw_worker_metrics_t *wm, cw_metrics_collect_t *c) {
    for (int t = 0; t < 2; t++) {
        double ok = cw_metric_value(wm->startup[t][1]);
        double failed = cw_metric_value(wm->startup[t][2]);
        double n = ok + failed;
        cw_metrics_collect(c, &startup_pct_defs[t][0], NULL, 0, n > 0 ? ok / n : 0);
        cw_metrics_collect(c, &startup_pct_defs[t][1], NULL, 0, n > 0 ? failed / n : 0);
    }
}

static void collect(cw_metrics_collect_t *c, void *opaque) {
    cw_worker_metrics_t *wm = opaque;
    collect_t k = {.c = c};
    pthread_mutex_lock(&wm->mu);
    if (wm->source) wm->source(wm->src, emit_row, &k);
    pthread_mutex_unlock(&wm->mu);
    flush_counts(&k);
    cw_metrics_collect(c, &connector_count_def, NULL, 0, k.connectors);
    cw_metrics_collect(c, &task_count_def, NULL, 0, k.tasks);
    collect_startup(wm, c);
    collect_process(wm, c);
}

/* --- life --------------------------------------------------------------------------------- */

cw_worker_metrics_t *cw_worker_metrics_new(cw_metrics_t *m, cw_state_source_fn source, void *src) {
    cw_worker_metrics_t *wm = calloc(1, sizeof *wm);
    if (!wm) return NULL;
    wm->m = m;
    pthread_mutex_init(&wm->mu, NULL);
    wm->source = source;
    wm->src = src;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    wm->started = (double)now.tv_sec + now.tv_nsec / 1e9;
    char err[256];
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 3; i++)
            wm->startup[t][i] =
                cw_metrics_register_labels(m, wm, &startup_defs[t][i], NULL, 0, err, sizeof err);
    if (cw_metrics_collector_add(m, collect, wm) != 0) {
        cw_worker_metrics_free(wm);
        return NULL;
    }
    return wm;
}

void cw_worker_metrics_set_source(cw_worker_metrics_t *wm, cw_state_source_fn source, void *src) {
    if (!wm) return;
    pthread_mutex_lock(&wm->mu);
    wm->source = source;
    wm->src = src;
    pthread_mutex_unlock(&wm->mu);
}

void cw_worker_metrics_startup(cw_worker_metrics_t *wm, int task, int ok) {
    if (!wm) return;
    int t = task ? 1 : 0;
    cw_metric_add(wm->startup[t][0], 1);
    cw_metric_add(wm->startup[t][ok ? 1 : 2], 1);
}

void cw_worker_metrics_free(cw_worker_metrics_t *wm) {
    if (!wm) return;
    cw_metrics_collector_remove(wm->m, collect, wm);
    cw_metrics_release(wm->m, wm);
    pthread_mutex_destroy(&wm->mu);
    free(wm);
}
