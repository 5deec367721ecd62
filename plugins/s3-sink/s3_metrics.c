/* The S3 sink's metrics, through the host's registry (cw_host_t.metric_*): objects and bytes
 * written to S3 and the duration of the requests that write them. Updated on the upload
 * threads; the registry's updates are lock-free. */
#include "s3_sink.h"
#include <stdio.h>
#include <time.h>

/* S3 requests take milliseconds to seconds; multipart parts of large objects longer. */
static const double request_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                        0.5,   1,    2.5,   5,    10,  30};

static const cw_metric_def_t defs[] = {
    {
        CW_METRIC_DEF_HEADER,
        .kind = CW_METRIC_COUNTER,
        .name = "s3_sink_objects_uploaded_total",
        .help = "Objects written to S3 (PUT or completed multipart upload), key and header "
                "side objects included.",
    },
    {
        CW_METRIC_DEF_HEADER,
        .kind = CW_METRIC_COUNTER,
        .name = "s3_sink_bytes_uploaded_total",
        .help = "Object bytes (after compression) sent in successful PUT and UploadPart "
                "requests.",
    },
    {
        CW_METRIC_DEF_HEADER,
        .kind = CW_METRIC_HISTOGRAM,
        .name = "s3_sink_request_duration_seconds",
        .help = "Duration of the PUT, UploadPart and CompleteMultipartUpload requests that "
                "succeeded, the client's own retries included.",
        .buckets = request_bounds,
        .nbuckets = sizeof request_bounds / sizeof request_bounds[0],
    },
    {
        CW_METRIC_DEF_HEADER,
        .kind = CW_METRIC_COUNTER,
        .name = "s3_sink_request_retries_total",
        .help = "S3 requests sent again after a transient failure (HTTP 5xx, throttling, a "
                "network error), by the client's exponential backoff.",
    },
    {
        CW_METRIC_DEF_HEADER,
        .kind = CW_METRIC_GAUGE,
        .name = "s3_sink_upload_queue_bytes",
        .help = "Object bytes waiting in the upload queue or being uploaded "
                "(s3.upload.queue.bytes bounds it).",
    },
    {
        CW_METRIC_DEF_HEADER,
        .kind = CW_METRIC_COUNTER,
        .name = "s3_sink_upload_failures_total",
        .help = "Uploads that failed after the client's retries and wait in the queue to be "
                "tried again.",
    },
};

void s3_metrics_register(s3_metrics_t *m, const cw_host_t *h, cw_ctx_t *ctx) {
    *m = (s3_metrics_t){0};
    if (!CW_HOST_HAS(h, metric_register) || !CW_HOST_HAS(h, metric_observe)) return;
    m->h = h;
    cw_metric_t **slots[] = {&m->objects, &m->bytes,  &m->duration,
                             &m->retries, &m->queued, &m->failed};
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        char err[256];
        *slots[i] = h->metric_register(ctx, &defs[i], err, sizeof err);
        if (!*slots[i]) h->log(ctx, CW_LOG_WARN, "going on without this metric: %s", err);
    }
}

double s3_metrics_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void s3_metrics_request(const s3_metrics_t *m, double started, size_t bytes) {
    if (!m->h) return;
    m->h->metric_observe(m->duration, s3_metrics_now() - started);
    if (bytes) m->h->metric_add(m->bytes, (double)bytes);
}

void s3_metrics_object(const s3_metrics_t *m) {
    if (m->h) m->h->metric_add(m->objects, 1);
}

void s3_metrics_retries(const s3_metrics_t *m, int n) {
    if (m->h && n > 0) m->h->metric_add(m->retries, n);
}

void s3_metrics_queued(const s3_metrics_t *m, double delta) {
    if (m->h) m->h->metric_add(m->queued, delta);
}

void s3_metrics_upload_failed(const s3_metrics_t *m) {
    if (m->h) m->h->metric_add(m->failed, 1);
}
