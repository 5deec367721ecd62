/* Helpers shared by source and sink tasks: failure, waiting, start with backoff. */
#include "runtime/task.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

int64_t cw_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cw_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void cw_task_fail(cw_task_env_t *t, const char *fmt, ...) {
    char msg[sizeof t->error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (atomic_load(&t->state) == CW_TASK_FAILED) {
        /* The first failure is the cause; what fails while stopping after it is a detail. */
        cw_log(t->connector, t->id, CW_LOG_WARN, "after the failure: %s", msg);
        return;
    }
    snprintf(t->error, sizeof t->error, "%s", msg);
    atomic_store(&t->state, CW_TASK_FAILED);
    cw_log(t->connector, t->id, CW_LOG_ERROR, "task failed: %s", t->error);
}

int cw_task_failed(const cw_task_env_t *t) { return atomic_load(&t->state) == CW_TASK_FAILED; }

int cw_task_stopping(const cw_task_env_t *t) { return atomic_load(&t->stop) != 0; }

void cw_task_wait(cw_task_env_t *t, int64_t ms, cw_task_serve_fn serve, void *opaque) {
    int64_t end = cw_now_ms() + ms;
    while (!cw_task_stopping(t) && !cw_task_failed(t)) {
        int64_t left = end - cw_now_ms();
        if (left <= 0) break;
        int slice = (int)(left < 100 ? left : 100);
        if (serve) {
            serve(opaque, slice);
        } else {
            struct timespec ts = {0, (long)slice * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

int64_t cw_task_backoff_next(int64_t backoff, int64_t max) {
    return backoff * 2 > max ? max : backoff * 2;
}

int cw_task_start_plugin(cw_task_env_t *t,
                         int (*start)(cw_ctx_t *, const cw_config_t *, void **, char *, size_t),
                         void **state, cw_task_serve_fn serve, void *opaque) {
    int64_t backoff = 500;
    int64_t max = cw_config_get_int(t->config, "errors.retry.delay.max.ms", 0);
    char err[1024];
    while (!cw_task_stopping(t)) {
        err[0] = '\0';
        cw_task_doing(t, "the plugin's start");
        int rc = start(&t->ctx, t->config, state, err, sizeof err);
        cw_task_doing(t, "the worker's own work");
        if (rc == CW_OK) return 1;
        if (rc != CW_ERR_RETRIABLE) {
            cw_task_fail(t, "start failed: %s", *err ? err : "no reason given");
            return 0;
        }
        cw_log(t->connector, t->id, CW_LOG_WARN, "start failed, retrying in %" PRId64 " ms: %s",
               backoff, err);
        cw_task_metrics_error(t->tm, CW_TASK_ERROR_RETRY);
        cw_task_wait(t, backoff, serve, opaque);
        backoff = cw_task_backoff_next(backoff, max);
    }
    return 0;
}

int cw_task_pause_wait(cw_task_env_t *t, cw_task_serve_fn serve, void *opaque) {
    if (!atomic_load(&t->pause)) return 0;
    cw_log(t->connector, t->id, CW_LOG_INFO, "paused");
    atomic_store(&t->paused, 1);
    while (atomic_load(&t->pause) && !cw_task_stopping(t) && !cw_task_failed(t)) {
        if (serve) {
            serve(opaque, 100);
        } else {
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
        atomic_fetch_add(&t->paused_rounds, 1);
    }
    atomic_store(&t->paused, 0);
    cw_log(t->connector, t->id, CW_LOG_INFO, "resumed");
    return 1;
}
