/* Kafka Connect's task metrics (see task_metrics.h). */
#include "runtime/task_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "runtime/task.h"

/* --- windowed statistics ------------------------------------------------------------------ */

#define WINDOW_MS 30000 /* Kafka's metrics.sample.window.ms; two samples (metrics.num.samples) */

static uint64_t dbits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bitsd(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

void cw_wstat_record(cw_wstat_t *w, double value) {
    int64_t epoch = cw_now_ms() / WINDOW_MS;
    cw_wsample_t *s = &w->s[epoch & 1];
    int64_t old = atomic_load_explicit(&s->epoch, memory_order_acquire);
    /* The first writer of a new window empties the sample; a writer racing with it may lose
     * its observation, which a windowed average can afford (Kafka's are not exact either). */
    if (old != epoch && atomic_compare_exchange_strong(&s->epoch, &old, epoch)) {
        atomic_store_explicit(&s->count, 0, memory_order_relaxed);
        atomic_store_explicit(&s->sum, dbits(0), memory_order_relaxed);
        atomic_store_explicit(&s->max, dbits(-INFINITY), memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
    uint64_t o = atomic_load_explicit(&s->sum, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&s->sum, &o, dbits(bitsd(o) + value),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
    o = atomic_load_explicit(&s->max, memory_order_relaxed);
    while (bitsd(o) < value &&
           !atomic_compare_exchange_weak_explicit(&s->max, &o, dbits(value), memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

/* Sums the samples of the current and the previous window. */
static void wstat_read(const cw_wstat_t *w, uint64_t *count, double *sum, double *max) {
    int64_t epoch = cw_now_ms() / WINDOW_MS;
    *count = 0;
    *sum = 0;
    *max = -INFINITY;
    for (int i = 0; i < 2; i++) {
        const cw_wsample_t *s = &w->s[i];
        int64_t e = atomic_load_explicit(&s->epoch, memory_order_acquire);
        if (e != epoch && e != epoch - 1) continue;
        uint64_t n = atomic_load_explicit(&s->count, memory_order_relaxed);
        if (!n) continue;
        *count += n;
        *sum += bitsd(atomic_load_explicit(&s->sum, memory_order_relaxed));
        double mx = bitsd(atomic_load_explicit(&s->max, memory_order_relaxed));
        if (mx > *max) *max = mx;
    }
}

double cw_wstat_avg(const void *w) {
    uint64_t n;
    double sum, max;
    wstat_read(w, &n, &sum, &max);
    return n ? sum / (double)n : NAN;
}

double cw_wstat_max(const void *w) {
    uint64_t n;
    double sum, max;
    wstat_read(w, &n, &sum, &max);
    return n ? max : NAN;
}

/* Kafka's offset-commit-*-percentage: the fraction (0..1) of the window's commits; 0 when
 * there was none. */
static double success_fraction(const void *w) {
    double v = cw_wstat_avg(w);
    return isnan(v) ? 0 : v;
}

static double failure_fraction(const void *w) {
    double v = cw_wstat_avg(w);
    return isnan(v) ? 0 : 1 - v;
}

/* --- the task's series -------------------------------------------------------------------- */

enum {
    /* counters and gauges set by the task */
    M_POLL_TOTAL,
    M_WRITE_TOTAL,
    M_SOURCE_ACTIVE,
    M_READ_TOTAL,
    M_SEND_TOTAL,
    M_PARTITIONS,
    M_SINK_ACTIVE,
    M_COMMIT_SEQ,
    M_COMMIT_DONE,
    M_ERR_FAILURES,
    M_ERR_ERRORS,
    M_ERR_SKIPPED,
    M_ERR_RETRIES,
    M_ERR_LOGGED,
    M_DLQ_REQUESTS,
    M_DLQ_FAILURES,
    M_ERR_TIMESTAMP,
    M_COUNT
};

enum { W_BATCH, W_BATCH_TIME, W_COMMIT_TIME, W_COMMIT_OK, W_ACTIVE, W_COUNT };

struct cw_task_metrics {
    cw_metrics_t *m;
    char *connector;
    char task[16];
    cw_metric_t *s[M_COUNT];
    cw_wstat_t w[W_COUNT];
};

#define DEF(k, n, h)                                                                               \
    { CW_METRIC_DEF_HEADER, .kind = CW_METRIC_##k, .name = n, .help = h }
enum { BOTH, SOURCE, SINK };

/* Set by the task. Kafka's attribute names; task-error-metrics are gauges in Strimzi's rules,
 * and stay gauges here so that the names match. */
static const struct {
    int which;
    cw_metric_def_t def;
} set_defs[M_COUNT] = {
    [M_POLL_TOTAL] = {SOURCE, DEF(COUNTER, "kafka_connect_source_task_source_record_poll_total",
                                  "Records polled from the source, before transformations.")},
    [M_WRITE_TOTAL] = {SOURCE,
                       DEF(COUNTER, "kafka_connect_source_task_source_record_write_total",
                           "Records handed to the producer, after transformations (filtered "
                           "records excluded).")},
    [M_SOURCE_ACTIVE] = {SOURCE, DEF(GAUGE, "kafka_connect_source_task_source_record_active_count",
                                     "Records produced and not yet acknowledged by Kafka.")},
    [M_READ_TOTAL] = {SINK, DEF(COUNTER, "kafka_connect_sink_task_sink_record_read_total",
                                "Records read from Kafka, before transformations.")},
    [M_SEND_TOTAL] = {SINK, DEF(COUNTER, "kafka_connect_sink_task_sink_record_send_total",
                                "Records put to the sink, after transformations (filtered and "
                                "failed records excluded).")},
    [M_PARTITIONS] = {SINK, DEF(GAUGE, "kafka_connect_sink_task_partition_count",
                                "Topic partitions assigned to the task.")},
    [M_SINK_ACTIVE] = {SINK, DEF(GAUGE, "kafka_connect_sink_task_sink_record_active_count",
                                 "Records read from Kafka whose offsets are not committed yet.")},
    [M_COMMIT_SEQ] = {SINK, DEF(GAUGE, "kafka_connect_sink_task_offset_commit_seq_no",
                                "Sequence number of the latest offset commit attempt.")},
    [M_COMMIT_DONE] = {SINK, DEF(COUNTER, "kafka_connect_sink_task_offset_commit_completion_total",
                                 "Offset commits that succeeded.")},
    [M_ERR_FAILURES] = {BOTH, DEF(GAUGE, "kafka_connect_task_error_total_record_failures",
                                  "Record processing failures (KIP-298).")},
    [M_ERR_ERRORS] = {BOTH, DEF(GAUGE, "kafka_connect_task_error_total_record_errors",
                                "Records that failed processing (KIP-298).")},
    [M_ERR_SKIPPED] = {BOTH, DEF(GAUGE, "kafka_connect_task_error_total_records_skipped",
                                 "Records skipped because of an error (errors.tolerance=all).")},
    [M_ERR_RETRIES] = {BOTH, DEF(GAUGE, "kafka_connect_task_error_total_retries",
                                 "Retriable failures of start, poll or put, retried.")},
    [M_ERR_LOGGED] = {BOTH, DEF(GAUGE, "kafka_connect_task_error_total_errors_logged",
                                "Errors written to the log (errors.log.enable).")},
    [M_DLQ_REQUESTS] = {BOTH,
                        DEF(GAUGE, "kafka_connect_task_error_deadletterqueue_produce_requests",
                            "Records sent to the dead letter queue.")},
    [M_DLQ_FAILURES] = {BOTH,
                        DEF(GAUGE, "kafka_connect_task_error_deadletterqueue_produce_failures",
                            "Records the dead letter queue could not take.")},
    [M_ERR_TIMESTAMP] = {BOTH, DEF(GAUGE, "kafka_connect_task_error_last_error_timestamp",
                                   "When the task last met a record error (Unix time, ms); 0: "
                                   "never.")},
};

/* Read when rendered, from the windowed statistics. */
static const struct {
    int which, w;
    cw_metric_read_fn fn;
    cw_metric_def_t def;
} read_defs[] = {
    {BOTH, W_BATCH, cw_wstat_avg,
     DEF(GAUGE, "kafka_connect_connector_task_batch_size_avg",
         "Average size of the batches polled (source) or put (sink), last 30 to 60 s.")},
    {BOTH, W_BATCH, cw_wstat_max,
     DEF(GAUGE, "kafka_connect_connector_task_batch_size_max",
         "Largest batch polled (source) or put (sink), last 30 to 60 s.")},
    {BOTH, W_COMMIT_TIME, cw_wstat_avg,
     DEF(GAUGE, "kafka_connect_connector_task_offset_commit_avg_time_ms",
         "Average time of an offset commit in ms, last 30 to 60 s.")},
    {BOTH, W_COMMIT_TIME, cw_wstat_max,
     DEF(GAUGE, "kafka_connect_connector_task_offset_commit_max_time_ms",
         "Longest offset commit in ms, last 30 to 60 s.")},
    {BOTH, W_COMMIT_OK, success_fraction,
     DEF(GAUGE, "kafka_connect_connector_task_offset_commit_success_percentage",
         "Fraction (0 to 1, as Kafka) of the offset commits of the last 30 to 60 s that "
         "succeeded.")},
    {BOTH, W_COMMIT_OK, failure_fraction,
     DEF(GAUGE, "kafka_connect_connector_task_offset_commit_failure_percentage",
         "Fraction (0 to 1, as Kafka) of the offset commits of the last 30 to 60 s that "
         "failed.")},
    {SOURCE, W_BATCH_TIME, cw_wstat_avg,
     DEF(GAUGE, "kafka_connect_source_task_poll_batch_avg_time_ms",
         "Average time of a poll in ms, last 30 to 60 s.")},
    {SOURCE, W_BATCH_TIME, cw_wstat_max,
     DEF(GAUGE, "kafka_connect_source_task_poll_batch_max_time_ms",
         "Longest poll in ms, last 30 to 60 s.")},
    {SOURCE, W_ACTIVE, cw_wstat_avg,
     DEF(GAUGE, "kafka_connect_source_task_source_record_active_count_avg",
         "Average of source_record_active_count, last 30 to 60 s.")},
    {SOURCE, W_ACTIVE, cw_wstat_max,
     DEF(GAUGE, "kafka_connect_source_task_source_record_active_count_max",
         "Maximum of source_record_active_count, last 30 to 60 s.")},
    {SINK, W_BATCH_TIME, cw_wstat_avg,
     DEF(GAUGE, "kafka_connect_sink_task_put_batch_avg_time_ms",
         "Average time of a put in ms, last 30 to 60 s.")},
    {SINK, W_BATCH_TIME, cw_wstat_max,
     DEF(GAUGE, "kafka_connect_sink_task_put_batch_max_time_ms",
         "Longest put in ms, last 30 to 60 s.")},
    {SINK, W_ACTIVE, cw_wstat_avg,
     DEF(GAUGE, "kafka_connect_sink_task_sink_record_active_count_avg",
         "Average of sink_record_active_count, last 30 to 60 s.")},
    {SINK, W_ACTIVE, cw_wstat_max,
     DEF(GAUGE, "kafka_connect_sink_task_sink_record_active_count_max",
         "Maximum of sink_record_active_count, last 30 to 60 s.")},
};

static int wanted(int which, int source) {
    return which == BOTH || (which == SOURCE) == (source != 0);
}

cw_task_metrics_t *cw_task_metrics_new(cw_metrics_t *m, const char *connector, int task,
                                       int source) {
    if (!m) return NULL;
    cw_task_metrics_t *tm = calloc(1, sizeof *tm);
    if (!tm) return NULL;
    tm->m = m;
    char err[512];
    snprintf(tm->task, sizeof tm->task, "%d", task);
    if (!(tm->connector = strdup(connector))) {
        free(tm);
        return NULL;
    }
    const cw_metric_label_t labels[] = {{"connector", connector}, {"task", tm->task}};
    for (size_t i = 0; i < M_COUNT; i++) {
        if (!wanted(set_defs[i].which, source)) continue;
        tm->s[i] = cw_metrics_register_labels(m, tm, &set_defs[i].def, labels, 2, err, sizeof err);
        if (!tm->s[i]) cw_log(connector, task, CW_LOG_WARN, "no metric: %s", err);
    }
    for (size_t i = 0; i < sizeof read_defs / sizeof read_defs[0]; i++) {
        if (!wanted(read_defs[i].which, source)) continue;
        if (!cw_metrics_register_read(m, tm, &read_defs[i].def, labels, 2, read_defs[i].fn,
                                      &tm->w[read_defs[i].w], err, sizeof err))
            cw_log(connector, task, CW_LOG_WARN, "no metric: %s", err);
    }
    return tm;
}

void cw_task_metrics_free(cw_task_metrics_t *tm) {
    if (!tm) return;
    cw_metrics_release(tm->m, tm);
    free(tm->connector);
    free(tm);
}

cw_metric_t *cw_task_metrics_register(cw_task_metrics_t *tm, const cw_metric_def_t *def,
                                      const cw_metric_label_t *extra, size_t nextra, char *errstr,
                                      size_t errstr_size) {
    if (!tm) {
        snprintf(errstr, errstr_size, "metric %s: no task metrics", def->name);
        return NULL;
    }
    cw_metric_label_t l[8] = {{"connector", tm->connector}, {"task", tm->task}};
    if (nextra > 6) nextra = 6;
    for (size_t i = 0; i < nextra; i++) l[2 + i] = extra[i];
    return cw_metrics_register_labels(tm->m, tm, def, l, 2 + nextra, errstr, errstr_size);
}

void cw_task_metrics_unregister(cw_task_metrics_t *tm, cw_metric_t *s) {
    if (tm) cw_metrics_unregister(tm->m, s);
}

void cw_task_metrics_polled(cw_task_metrics_t *tm, size_t n, double ms) {
    if (!tm) return;
    cw_metric_add(tm->s[M_POLL_TOTAL], (double)n);
    cw_wstat_record(&tm->w[W_BATCH], (double)n);
    cw_wstat_record(&tm->w[W_BATCH_TIME], ms);
}

void cw_task_metrics_written(cw_task_metrics_t *tm, size_t n) {
    if (tm && n) cw_metric_add(tm->s[M_WRITE_TOTAL], (double)n);
}

void cw_task_metrics_active(cw_task_metrics_t *tm, size_t n) {
    if (!tm) return;
    cw_metric_set(tm->s[M_SOURCE_ACTIVE] ? tm->s[M_SOURCE_ACTIVE] : tm->s[M_SINK_ACTIVE],
                  (double)n);
    cw_wstat_record(&tm->w[W_ACTIVE], (double)n);
}

void cw_task_metrics_read(cw_task_metrics_t *tm, size_t n) {
    if (tm && n) cw_metric_add(tm->s[M_READ_TOTAL], (double)n);
}

void cw_task_metrics_put(cw_task_metrics_t *tm, size_t n, double ms) {
    if (!tm) return;
    cw_metric_add(tm->s[M_SEND_TOTAL], (double)n);
    cw_wstat_record(&tm->w[W_BATCH], (double)n);
    cw_wstat_record(&tm->w[W_BATCH_TIME], ms);
}

void cw_task_metrics_partitions(cw_task_metrics_t *tm, size_t n) {
    if (tm) cw_metric_set(tm->s[M_PARTITIONS], (double)n);
}

void cw_task_metrics_commit(cw_task_metrics_t *tm, int ok, double ms) {
    if (!tm) return;
    cw_metric_add(tm->s[M_COMMIT_SEQ], 1);
    if (ok) cw_metric_add(tm->s[M_COMMIT_DONE], 1);
    cw_wstat_record(&tm->w[W_COMMIT_TIME], ms);
    cw_wstat_record(&tm->w[W_COMMIT_OK], ok ? 1 : 0);
}

void cw_task_metrics_error(cw_task_metrics_t *tm, cw_task_error_t what) {
    if (!tm) return;
    switch (what) {
    case CW_TASK_ERROR_FAILED: {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        cw_metric_add(tm->s[M_ERR_FAILURES], 1);
        cw_metric_add(tm->s[M_ERR_ERRORS], 1);
        cw_metric_set(tm->s[M_ERR_TIMESTAMP], (double)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
        break;
    }
    case CW_TASK_ERROR_SKIPPED: cw_metric_add(tm->s[M_ERR_SKIPPED], 1); break;
    case CW_TASK_ERROR_LOGGED: cw_metric_add(tm->s[M_ERR_LOGGED], 1); break;
    case CW_TASK_ERROR_DLQ_SENT: cw_metric_add(tm->s[M_DLQ_REQUESTS], 1); break;
    case CW_TASK_ERROR_DLQ_FAILED: cw_metric_add(tm->s[M_DLQ_FAILURES], 1); break;
    case CW_TASK_ERROR_RETRY: cw_metric_add(tm->s[M_ERR_RETRIES], 1); break;
    }
}
