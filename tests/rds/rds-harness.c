/* Runs one rds-source task through the worker's own host (cwcore: registry, validated
 * configs, source records and batches, logging, the standalone offsets file), without Kafka:
 * prints every record as "topic<TAB>value" on stdout (the bytes JsonConverter would produce)
 * and stores source offsets after the records of a poll are written out (the stand-in for
 * "Kafka acknowledged them").
 *
 * usage: rds-harness [--plugin SO] [--offsets FILE] [--until-idle] [--max-records N]
 *                    [--tasks N] [--task K] [--start-retries N] [--poll-delay-ms N]
 *                    key=value...
 * --offsets FILE is the worker's offset.storage.file.filename format; without it offsets live
 * in memory for the run only. --poll-delay-ms sleeps after every poll (a slow Kafka), so tests
 * can interrupt a run. RDS_HARNESS_DEBUG=1 logs at DEBUG.
 * exit: 0 done (idle / max records / SIGTERM), 2 configuration or plugin error (stderr). */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "host.h"
#include "log.h"
#include "offsets_file.h"
#include "props.h"
#include "record.h"
#include "registry.h"

#define CONNECTOR "rds-test"

static atomic_int g_stop;
static const cw_converter_t json_conv = {CW_CONVERTER_JSON, 0};

static void on_signal(int sig) {
    (void)sig;
    atomic_store(&g_stop, 1);
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void first_source(const cw_plugin_t *p, const char *file, void *opaque) {
    (void)file;
    const cw_plugin_t **found = opaque;
    if (!*found && p->kind == CW_PLUGIN_SOURCE) *found = p;
}

/* The worker's configuration check: every problem of the key table, one line each. */
static int validate(const cw_props_t *props, const cw_config_def_t *defs) {
    cw_errlist_t errs = {0};
    cw_config_validate(props, defs, "", "rds-harness arguments", &errs, NULL);
    for (size_t i = 0; i < errs.count; i++) fprintf(stderr, "error: %s\n", errs.items[i]);
    size_t n = errs.count;
    cw_errlist_free(&errs);
    return n ? -1 : 0;
}

/* Connector-level task split; applies task `task`'s keys to props. Returns the task count
 * or -1 (message printed). */
static int split_tasks(const cw_plugin_t *p, cw_ctx_t *ctx, cw_props_t *props, int tasks,
                       int task) {
    char err[1024] = "";
    cw_config_t *cfg = cw_config_new(props, p->config);
    struct cw_task_split split = {.max_tasks = tasks,
                                  .tasks = calloc((size_t)tasks, sizeof(cw_props_t *))};
    int n = p->source->task_configs(ctx, cfg, tasks, &split, err, sizeof err);
    if (n < 0) fprintf(stderr, "error: task_configs: %s\n", err);
    for (int t = 0; t < n && t < tasks; t++)
        fprintf(stderr, "split: task %d tables=%s\n", t,
                split.tasks[t] ? cw_props_get(split.tasks[t], "tables") : "(null)");
    if (n >= 0) printf("TASKS %d\n", n);
    for (size_t i = 0;
         task < n && task < tasks && split.tasks[task] && i < cw_props_count(split.tasks[task]);
         i++)
        cw_props_set(props, cw_props_key_at(split.tasks[task], i),
                     cw_props_value_at(split.tasks[task], i));
    for (int t = 0; t < tasks; t++) cw_props_free(split.tasks[t]);
    free(split.tasks);
    cw_config_free(cfg);
    return n;
}

/* Stores the offset of the last record of each source partition in the batch: what storing
 * every record's in turn leaves, without parsing each offset (the offset store parses the
 * JSON it keeps, which cost this harness more than the plugin's whole work per row). */
static void store_last_offsets(cw_offsets_t *offsets, const struct cw_batch *batch) {
    const char *seen[16];
    size_t nseen = 0;
    for (size_t i = batch->n; i-- > 0;) {
        const cw_record_t *r = batch->recs[i];
        if (!r->source_partition || !r->source_offset) continue;
        size_t k = 0;
        while (k < nseen && strcmp(seen[k], r->source_partition) != 0) k++;
        if (k < nseen) continue;
        if (nseen < sizeof seen / sizeof seen[0])
            seen[nseen++] = r->source_partition;
        else {
            /* many partitions in one batch: every record in order, as before */
            for (size_t j = 0; j < batch->n; j++) {
                const cw_record_t *q = batch->recs[j];
                if (q->source_partition && q->source_offset)
                    cw_offsets_put(offsets, CONNECTOR, q->source_partition, q->source_offset);
            }
            return;
        }
        cw_offsets_put(offsets, CONNECTOR, r->source_partition, r->source_offset);
    }
}

/* Polls until idle / max records / stop; returns the exit status. */
static int run_task(const cw_plugin_t *p, cw_ctx_t *ctx, const cw_config_t *cfg, int start_retries,
                    int until_idle, long long max_records, int poll_delay_ms, int persist) {
    char err[1024] = "";
    void *state = NULL;
    for (int attempt = 0;; attempt++) {
        int rc = p->source->start(ctx, cfg, &state, err, sizeof err);
        if (rc == CW_OK) break;
        fprintf(stderr, "error: start: %s\n", err);
        if (rc != CW_ERR_RETRIABLE || attempt >= start_retries || atomic_load(&g_stop)) return 2;
        sleep_ms(200);
    }
    int status = 0;
    long long total = 0;
    struct cw_batch batch;
    cw_batch_init(&batch, &json_conv, &json_conv);
    while (!atomic_load(&g_stop)) {
        err[0] = '\0';
        int rc = p->source->poll(state, &batch, 500, err, sizeof err);
        for (size_t i = 0; i < batch.n && !status; i++) {
            const void *v;
            size_t len;
            char werr[512];
            if (cw_record_wire_value(batch.recs[i], &v, &len, werr, sizeof werr) != 0) {
                fprintf(stderr, "error: record %zu of the poll: %s\n", i, werr);
                status = 2;
            } else if (v) {
                printf("%s\t%.*s\n", cw_record_topic(batch.recs[i]), (int)len, (const char *)v);
            } else {
                printf("%s\tnull\n", cw_record_topic(batch.recs[i]));
            }
        }
        fflush(stdout);
        if (status) break;
        store_last_offsets(ctx->offsets, &batch);
        total += (long long)batch.n;
        cw_batch_clear(&batch);
        if (persist && cw_offsets_flush(ctx->offsets, err, sizeof err) != 0) {
            fprintf(stderr, "error: %s\n", err);
            status = 3;
            break;
        }
        if (p->source->commit) p->source->commit(state);
        if (rc == CW_IDLE && until_idle) break;
        if (poll_delay_ms > 0) sleep_ms(poll_delay_ms);
        if (rc == CW_IDLE) sleep_ms(100); /* as the worker does: nothing new, don't spin */
        if (max_records >= 0 && total >= max_records) break;
        if (rc == CW_ERR_RETRIABLE) {
            fprintf(stderr, "retriable: %s\n", err);
            sleep_ms(200);
        } else if (rc < 0) {
            fprintf(stderr, "error: poll: %s\n", err);
            status = 2;
            break;
        }
    }
    cw_batch_destroy(&batch);
    p->source->stop(state);
    fprintf(stderr, "harness: %lld records\n", total);
    FILE *st = fopen("/proc/self/status", "r");
    char line[256];
    while (st && fgets(line, sizeof line, st))
        if (strncmp(line, "VmHWM:", 6) == 0)
            fprintf(stderr, "harness: peak rss kb %lld\n", atoll(line + 6));
    if (st) fclose(st);
    return status;
}

int main(int argc, char **argv) {
    const char *so = NULL, *offsets_file = NULL;
    int until_idle = 0, tasks = 0, task = 0, start_retries = 0, poll_delay_ms = 0;
    long long max_records = -1;
    cw_props_t *props = cw_props_new();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc)
            so = argv[++i];
        else if (strcmp(argv[i], "--offsets") == 0 && i + 1 < argc)
            offsets_file = argv[++i];
        else if (strcmp(argv[i], "--until-idle") == 0)
            until_idle = 1;
        else if (strcmp(argv[i], "--max-records") == 0 && i + 1 < argc)
            max_records = atoll(argv[++i]);
        else if (strcmp(argv[i], "--tasks") == 0 && i + 1 < argc)
            tasks = atoi(argv[++i]);
        else if (strcmp(argv[i], "--task") == 0 && i + 1 < argc)
            task = atoi(argv[++i]);
        else if (strcmp(argv[i], "--poll-delay-ms") == 0 && i + 1 < argc)
            poll_delay_ms = atoi(argv[++i]);
        else if (strcmp(argv[i], "--start-retries") == 0 && i + 1 < argc)
            start_retries = atoi(argv[++i]);
        else {
            char *eq = strchr(argv[i], '=');
            if (!eq) {
                fprintf(stderr, "bad argument %s\n", argv[i]);
                cw_props_free(props);
                return 64;
            }
            *eq = '\0';
            cw_props_set(props, argv[i], eq + 1);
        }
    }
    char sobuf[4096];
    if (!so) {
        snprintf(sobuf, sizeof sobuf, "%s/rds-source.so",
                 getenv("CW_PLUGIN_DIR") ? getenv("CW_PLUGIN_DIR") : ".");
        so = sobuf;
    }
    if (getenv("RDS_HARNESS_DEBUG")) cw_log_set_level(CW_LOG_DEBUG);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    int status = 2;
    char err[1024] = "";
    cw_registry_t *reg = cw_registry_new(cw_host());
    cw_offsets_t *offsets = NULL;
    cw_config_t *cfg = NULL;
    const cw_plugin_t *p = NULL;
    if (cw_registry_load_file(reg, so, err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        goto out;
    }
    cw_registry_foreach(reg, first_source, &p);
    if (!p) {
        fprintf(stderr, "error: %s has no source plugin\n", so);
        goto out;
    }
    if (validate(props, p->config) != 0) goto out;
    /* No --offsets: a store that is never written (the name "" never exists). */
    offsets = cw_offsets_open(offsets_file ? offsets_file : "", err, sizeof err);
    if (!offsets) {
        fprintf(stderr, "error: %s\n", err);
        goto out;
    }

    struct cw_ctx ctx = {.connector = CONNECTOR, .task = -1, .stop = &g_stop, .offsets = offsets};
    if (tasks > 0) {
        int n = split_tasks(p, &ctx, props, tasks, task);
        if (n < 0) goto out;
        if (task >= n) {
            status = 0;
            goto out;
        }
    }
    ctx.task = task;
    cfg = cw_config_new(props, p->config);
    status = run_task(p, &ctx, cfg, start_retries, until_idle, max_records, poll_delay_ms,
                      offsets_file != NULL);
out:
    cw_config_free(cfg);
    cw_offsets_free(offsets);
    cw_registry_free(reg);
    cw_props_free(props);
    return status;
}
