/* http-source's metrics, through the worker's registry (labels connector and task). The
 * ABI has no labels of a plugin's own, so requests are counted per answered status in one
 * counter each. */
#include <stdio.h>
#include <stdlib.h>

#include "hs.h"

static const int statuses[] = {200, 400, 401, 404, 405, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0])

struct hs_metrics {
    cw_metric_t *status[NSTATUS], *other;
    cw_metric_t *latency, *bytes, *received, *written, *failed, *in_flight;
};

static cw_metric_t *reg(cw_ctx_t *ctx, cw_metric_kind_t kind, const char *name, const char *help) {
    static const double lat[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                 0.25,  0.5,    1,     2.5,  5,     10,   30};
    cw_metric_def_t d = {CW_METRIC_DEF_HEADER, .kind = kind, .name = name, .help = help};
    if (kind == CW_METRIC_HISTOGRAM) {
        d.buckets = lat;
        d.nbuckets = sizeof lat / sizeof lat[0];
    }
    char err[512];
    cw_metric_t *m = hs_host->metric_register(ctx, &d, err, sizeof err);
    if (!m) hs_host->log(ctx, CW_LOG_WARN, "http-source: no metric: %s", err);
    return m;
}

hs_metrics_t *hs_metrics_new(cw_ctx_t *ctx) {
    hs_metrics_t *m = calloc(1, sizeof *m);
    if (!m || !CW_HOST_HAS(hs_host, metric_register)) return m;
    char name[96], help[160];
    for (size_t i = 0; i < NSTATUS; i++) {
        snprintf(name, sizeof name, "http_source_requests_status_%d_total", statuses[i]);
        snprintf(help, sizeof help, "HTTP requests answered with status %d.", statuses[i]);
        m->status[i] = reg(ctx, CW_METRIC_COUNTER, name, help);
    }
    m->other = reg(ctx, CW_METRIC_COUNTER, "http_source_requests_status_other_total",
                   "HTTP requests answered with a status not counted on its own.");
    m->latency = reg(ctx, CW_METRIC_HISTOGRAM, "http_source_request_latency_seconds",
                     "Time from a request's arrival to its answer.");
    m->bytes = reg(ctx, CW_METRIC_COUNTER, "http_source_request_bytes_total",
                   "Bytes of request bodies received.");
    m->received = reg(ctx, CW_METRIC_COUNTER, "http_source_records_received_total",
                      "Records received in produce requests.");
    m->written = reg(ctx, CW_METRIC_COUNTER, "http_source_records_written_total",
                     "Records Kafka acknowledged.");
    m->failed = reg(ctx, CW_METRIC_COUNTER, "http_source_records_failed_total",
                    "Records not written (refused, dropped by a transform, or the task stopped).");
    m->in_flight = reg(ctx, CW_METRIC_GAUGE, "http_source_requests_in_flight",
                       "Requests accepted and not finished (counted against the in-flight limit).");
    return m;
}

void hs_metrics_request(hs_metrics_t *m, int status, double seconds, size_t bytes) {
    if (!m) return;
    cw_metric_t *c = m->other;
    for (size_t i = 0; i < NSTATUS; i++)
        if (statuses[i] == status) c = m->status[i];
    hs_host->metric_add(c, 1);
    hs_host->metric_observe(m->latency, seconds);
    hs_host->metric_add(m->bytes, (double)bytes);
}

void hs_metrics_records(hs_metrics_t *m, size_t received, size_t written, size_t failed) {
    if (!m) return;
    if (received) hs_host->metric_add(m->received, (double)received);
    if (written) hs_host->metric_add(m->written, (double)written);
    if (failed) hs_host->metric_add(m->failed, (double)failed);
}

void hs_metrics_in_flight(hs_metrics_t *m, long n) {
    if (m) hs_host->metric_set(m->in_flight, (double)n);
}

void hs_metrics_free(hs_metrics_t *m) { free(m); }
