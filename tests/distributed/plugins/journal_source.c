#define _GNU_SOURCE
/* Test-only plugins for the distributed-mode tests (tests/distributed): every unit writes down
 * when it starts and stops, so that a test can tell from one file which process ran which unit
 * when, across several worker processes (the contract is notes/dist-contract.md).
 *
 *  - journal-source: each task produces records keyed "<task>" with the value "<task>:<seq>"
 *    (seq from 0, +1 per record), source partition {"task":"<task>"}, source offset
 *    {"seq":<seq>}, and a header journal.worker=<label>, at `records.per.second`; it resumes
 *    from the stored seq + 1. tasks.max tasks (task_configs splits nothing else).
 *  - journal-sink: each task journals its start and stop and consumes everything (durable at
 *    once), so that a sink's units are visible in the same journal.
 *
 * Journal lines (one write(2) each on an O_APPEND descriptor, so lines of several processes
 * never interleave):
 *     start <connector> <task> <label> <CLOCK_MONOTONIC ns>
 *     stop <connector> <task> <label> <ns>              (plugin stop: after the last ack)
 *     commit <connector> <task> <label> <ns> <seq>      (source: the last seq Kafka acknowledged
 *                                                         when the worker called commit; -1: none)
 *     split <connector> -1 <label> <ns> <tasks>         (task_configs ran on this process)
 * <label> is `journal.worker` when set, else the process id. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connect-worker/plugin.h"

static const cw_host_t *host;

static int init(const cw_host_t *h, char *errstr, size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    host = h;
    return CW_OK;
}

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The label of this process: journal.worker, or the pid. */
static void worker_label(const cw_config_t *config, char *out, size_t size) {
    const char *w = host->config_get(config, "journal.worker");
    if (w && *w)
        snprintf(out, size, "%s", w);
    else
        snprintf(out, size, "%ld", (long)getpid());
}

/* Appends "<event> <connector> <task> <label> <ns>[ <extra>]\n" with one write(2). */
static void journal(const char *path, const char *event, const char *connector, int task,
                    const char *label, const char *extra_fmt, ...) CW_PRINTF(6, 7);
static void journal(const char *path, const char *event, const char *connector, int task,
                    const char *label, const char *extra_fmt, ...) {
    char extra[128] = "", line[1024];
    if (extra_fmt) {
        va_list ap;
        va_start(ap, extra_fmt);
        vsnprintf(extra, sizeof extra, extra_fmt, ap);
        va_end(ap);
    }
    int n = snprintf(line, sizeof line, "%s %s %d %s %lld%s%s\n", event, connector, task, label,
                     (long long)mono_ns(), *extra ? " " : "", extra);
    if (n <= 0 || (size_t)n >= sizeof line) {
        host->log(NULL, CW_LOG_ERROR, "journal %s: line too long for %s", path, connector);
        return;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        host->log(NULL, CW_LOG_ERROR, "journal %s: %s", path, strerror(errno));
        return;
    }
    if (write(fd, line, (size_t)n) != (ssize_t)n)
        host->log(NULL, CW_LOG_ERROR, "journal %s: short write", path);
    close(fd);
}

static void sleep_ns(int64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
    nanosleep(&ts, NULL);
}

/* --- journal-source ----------------------------------------------------------------------- */

static const cw_config_def_t source_defs[] = {
    {.name = "journal.file",
     .type = CW_CFG_STRING,
     .flags = CW_CFG_F_REQUIRED,
     .doc = "The journal every unit appends its start and stop to."},
    {.name = "topic", .type = CW_CFG_STRING, .flags = CW_CFG_F_REQUIRED, .doc = "Topic."},
    {.name = "records.per.second",
     .type = CW_CFG_INT,
     .default_value = "100",
     .doc = "Records per second, per task.",
     .min = 1,
     .max = 1000000},
    {.name = "journal.worker",
     .type = CW_CFG_STRING,
     .doc = "Label of this process in the journal (default: its pid)."},
    CW_CONFIG_END};

typedef struct {
    cw_ctx_t *ctx;
    char *file, *topic, *connector;
    char label[128];
    int task;
    long long next_seq;  /* the seq of the next record */
    long long acked_seq; /* the last seq Kafka acknowledged; -1: none */
    long long produced;  /* records since start, for the rate */
    long long rate;
    int64_t t0;
} journal_source_t;

static int source_task_configs(cw_ctx_t *ctx, const cw_config_t *config, int max_tasks,
                               cw_task_split_t *split, char *errstr, size_t errstr_size) {
    (void)split, (void)errstr, (void)errstr_size;
    char label[128];
    worker_label(config, label, sizeof label);
    journal(host->config_get(config, "journal.file"), "split", host->connector_name(ctx), -1, label,
            "%d", max_tasks);
    return max_tasks;
}

/* The seq stored for this task's source partition, or -1 when none. */
static long long stored_seq(journal_source_t *s, const char *partition) {
    char *text = host->offset_get(s->ctx, partition);
    long long seq = -1;
    if (text) {
        json_t *v = json_loads(text, 0, NULL);
        json_t *n = json_object_get(v, "seq");
        if (json_is_integer(n))
            seq = (long long)json_integer_value(n);
        else
            host->log(s->ctx, CW_LOG_WARN, "stored offset %s has no integer seq: from 0", text);
        json_decref(v);
        host->free(text);
    }
    return seq;
}

static int source_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                        size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    journal_source_t *s = calloc(1, sizeof *s);
    if (!s) return CW_ERR_FATAL;
    s->ctx = ctx;
    s->task = host->task_id(ctx);
    s->file = strdup(host->config_get(config, "journal.file"));
    s->topic = strdup(host->config_get(config, "topic"));
    s->connector = strdup(host->connector_name(ctx));
    s->rate = (long long)host->config_get_int(config, "records.per.second", 0);
    worker_label(config, s->label, sizeof s->label);
    char partition[64];
    snprintf(partition, sizeof partition, "{\"task\":\"%d\"}", s->task);
    s->acked_seq = stored_seq(s, partition);
    s->next_seq = s->acked_seq + 1;
    s->t0 = mono_ns();
    journal(s->file, "start", s->connector, s->task, s->label, NULL);
    host->log(ctx, CW_LOG_INFO, "journal-source task %d resumes at seq %lld", s->task, s->next_seq);
    *state = s;
    return CW_OK;
}

static void add_record(journal_source_t *s, cw_batch_t *batch) {
    char key[32], value[64], partition[64], offset[64];
    snprintf(key, sizeof key, "%d", s->task);
    snprintf(value, sizeof value, "%d:%lld", s->task, s->next_seq);
    snprintf(partition, sizeof partition, "{\"task\":\"%d\"}", s->task);
    snprintf(offset, sizeof offset, "{\"seq\":%lld}", s->next_seq);
    cw_record_t *r = host->source_record_new(batch, s->topic, CW_PARTITION_ANY, partition, offset);
    host->record_set_key(r, key, strlen(key));
    host->record_set_value(r, value, strlen(value));
    host->record_header_add(r, "journal.worker", s->label, strlen(s->label));
    s->next_seq++;
    s->produced++;
}

/* Adds the records due at the rate since start (at most 1000 per poll); waits up to 100 ms
 * for the next one when none is due. */
static int source_poll(void *state, cw_batch_t *batch, int timeout_ms, char *errstr,
                       size_t errstr_size) {
    journal_source_t *s = state;
    (void)timeout_ms, (void)errstr, (void)errstr_size;
    int64_t now = mono_ns();
    long long due = (long long)((double)(now - s->t0) * (double)s->rate / 1e9) + 1;
    if (due <= s->produced) {
        int64_t next = s->t0 + (int64_t)((double)s->produced * 1e9 / (double)s->rate);
        int64_t wait = next - now;
        if (wait > 100000000) wait = 100000000;
        if (wait > 0) sleep_ns(wait);
        return CW_OK;
    }
    long long n = due - s->produced;
    for (long long i = 0; i < n && i < 1000; i++) add_record(s, batch);
    return CW_OK;
}

static void source_ack(void *state, cw_record_t *record, const cw_source_ack_t *ack) {
    journal_source_t *s = state;
    if (ack->status != CW_ACK_WRITTEN) return;
    size_t len;
    const char *v = host->record_value(record, &len);
    const char *colon = v ? memchr(v, ':', len) : NULL;
    if (!colon) return;
    long long seq = strtoll(colon + 1, NULL, 10);
    if (seq > s->acked_seq) s->acked_seq = seq;
}

static void source_commit(void *state) {
    journal_source_t *s = state;
    journal(s->file, "commit", s->connector, s->task, s->label, "%lld", s->acked_seq);
}

static void source_stop(void *state) {
    journal_source_t *s = state;
    journal(s->file, "stop", s->connector, s->task, s->label, NULL);
    free(s->file);
    free(s->topic);
    free(s->connector);
    free(s);
}

static const cw_source_ops_t source_ops = {
    CW_SOURCE_OPS_HEADER,    .task_configs = source_task_configs,
    .start = source_start,   .poll = source_poll,
    .commit = source_commit, .ack = source_ack,
    .stop = source_stop,
};

static const cw_plugin_t source_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SOURCE,
    .name = "journal-source",
    .version = "0.1",
    .description = "Test source journalling every start and stop, producing <task>:<seq>.",
    .config = source_defs,
    .source = &source_ops,
};

/* --- journal-sink ------------------------------------------------------------------------- */

static const cw_config_def_t sink_defs[] = {
    {.name = "journal.file",
     .type = CW_CFG_STRING,
     .flags = CW_CFG_F_REQUIRED,
     .doc = "The journal every unit appends its start and stop to."},
    {.name = "journal.worker",
     .type = CW_CFG_STRING,
     .doc = "Label of this process in the journal (default: its pid)."},
    CW_CONFIG_END};

typedef struct {
    char *file, *connector;
    char label[128];
    int task;
} journal_sink_t;

static int sink_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                      size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    journal_sink_t *s = calloc(1, sizeof *s);
    if (!s) return CW_ERR_FATAL;
    s->task = host->task_id(ctx);
    s->file = strdup(host->config_get(config, "journal.file"));
    s->connector = strdup(host->connector_name(ctx));
    worker_label(config, s->label, sizeof s->label);
    journal(s->file, "start", s->connector, s->task, s->label, NULL);
    *state = s;
    return CW_OK;
}

static int sink_put(void *state, cw_record_t *const *records, size_t n, char *errstr,
                    size_t errstr_size) {
    (void)state, (void)records, (void)n, (void)errstr, (void)errstr_size;
    return CW_OK; /* everything put is durable: flush commits what it is offered */
}

static void sink_stop(void *state) {
    journal_sink_t *s = state;
    journal(s->file, "stop", s->connector, s->task, s->label, NULL);
    free(s->file);
    free(s->connector);
    free(s);
}

static const cw_sink_ops_t sink_ops = {
    CW_SINK_OPS_HEADER,
    .start = sink_start,
    .put = sink_put,
    .stop = sink_stop,
};

static const cw_plugin_t sink_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SINK,
    .name = "journal-sink",
    .version = "0.1",
    .description = "Test sink journalling every start and stop.",
    .config = sink_defs,
    .sink = &sink_ops,
};

static const cw_plugin_t *const plugins[] = {&source_plugin, &sink_plugin, NULL};
static const cw_module_t module = {
    CW_MODULE_HEADER,
    .name = "distributed-test-plugins",
    .plugins = plugins,
    .init = init,
};
CW_MODULE_ENTRY(module)
