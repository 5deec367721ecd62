#define _GNU_SOURCE
/* Test-only plugins that write down every callback the worker makes, one line each, to
 * `file`, so that tests/worker/lifecycle_*.sh and source_acks.sh can hold the worker to the
 * lifecycle plugin.h documents.
 *  - test-lc-source: adds `records` records (values r<round>-<i>) to `topic` per round, plus one
 *    to `drop.topic` when set, and returns `round.return` (ok or idle). Between rounds it
 *    returns CW_OK without records until every record of the round was acknowledged. After
 *    the last round it returns CW_IDLE (`then=idle`) or, without waiting for acks, blocks
 *    until stopped (`then=block`, writing "blocking" first). Lines: start, poll timeout=<ms>, ack <status> <value> <topic>
 *    <partition> <offset> skipped=<0|1> error=<text>, commit, stop.
 *  - test-lc-sink: logs start, open/close/flush with their partitions and offsets, put <n>,
 *    stop; reports everything put as durable; put fails (CW_ERR_FATAL) on a batch holding a
 *    value that contains `fail.put.on` (only the first `fail.put.times` such puts when set, counted
 *    as "put <n> failed" lines of `file`: a task restarted then gets through), flush with
 *    `fail.flush=true`. Both fail start with
 *    `fail.start=true`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connect-worker/plugin.h"

static const cw_host_t *host;

static int init(const cw_host_t *h, char *errstr, size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    host = h;
    return CW_OK;
}

/* Appends one line to the event file (opened per line: the test reads it while we run). */
static void event(const char *path, const char *fmt, ...) CW_PRINTF(2, 3);
static void event(const char *path, const char *fmt, ...) {
    FILE *f = fopen(path, "a");
    if (!f) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* --- test-lc-source ----------------------------------------------------------------------- */

static const cw_config_def_t source_defs[] = {
    {.name = "file", .type = CW_CFG_STRING, .flags = CW_CFG_F_REQUIRED, .doc = "Event log."},
    {.name = "topic", .type = CW_CFG_STRING, .flags = CW_CFG_F_REQUIRED, .doc = "Topic."},
    {.name = "drop.topic", .type = CW_CFG_STRING, .doc = "One more record per round here."},
    {.name = "records",
     .type = CW_CFG_INT,
     .default_value = "3",
     .doc = "Records per round.",
     .min = 0,
     .max = 1000},
    {.name = "rounds",
     .type = CW_CFG_INT,
     .default_value = "1",
     .doc = "Rounds.",
     .min = 1,
     .max = 100},
    {.name = "round.return",
     .type = CW_CFG_STRING,
     .default_value = "ok",
     .doc = "What the poll adding a round returns.",
     .allowed = "ok,idle"},
    {.name = "then",
     .type = CW_CFG_STRING,
     .default_value = "idle",
     .doc = "After the last round.",
     .allowed = "idle,block"},
    {.name = "fail.start", .type = CW_CFG_BOOL, .default_value = "false", .doc = "Fail start."},
    CW_CONFIG_END};

typedef struct {
    cw_ctx_t *ctx;
    char *file, *topic, *drop_topic;
    long records, rounds, round, n, pending;
    int idle, block;
} lc_source_t;

static int source_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                        size_t errstr_size) {
    const char *file = host->config_get(config, "file");
    event(file, "start");
    if (host->config_get_bool(config, "fail.start", 0)) {
        snprintf(errstr, errstr_size, "told to fail (fail.start)");
        return CW_ERR_FATAL;
    }
    lc_source_t *s = calloc(1, sizeof *s);
    const char *drop = host->config_get(config, "drop.topic");
    s->ctx = ctx;
    s->file = strdup(file);
    s->topic = strdup(host->config_get(config, "topic"));
    s->drop_topic = drop && *drop ? strdup(drop) : NULL;
    s->records = (long)host->config_get_int(config, "records", 3);
    s->rounds = (long)host->config_get_int(config, "rounds", 1);
    s->idle = strcmp(host->config_get(config, "round.return"), "idle") == 0;
    s->block = strcmp(host->config_get(config, "then"), "block") == 0;
    *state = s;
    return CW_OK;
}

static void add_record(lc_source_t *s, cw_batch_t *batch, const char *topic, long i) {
    char value[64], offset[64];
    snprintf(value, sizeof value, "r%ld-%ld", s->round, i);
    snprintf(offset, sizeof offset, "{\"n\":%ld}", ++s->n);
    cw_record_t *r = host->source_record_new(batch, topic, CW_PARTITION_ANY, "{\"p\":0}", offset);
    host->record_set_value(r, value, strlen(value));
    s->pending++;
}

static int source_poll(void *state, cw_batch_t *batch, int timeout_ms, char *errstr,
                       size_t errstr_size) {
    lc_source_t *s = state;
    (void)errstr, (void)errstr_size;
    event(s->file, "poll timeout=%d", timeout_ms);
    int last = s->round == s->rounds;
    if (s->pending > 0 && !(last && s->block)) {
        sleep_ms(10); /* waiting for the acks of the last round: they come between polls */
        return CW_OK;
    }
    if (s->round < s->rounds) {
        s->round++;
        for (long i = 0; i < s->records; i++) add_record(s, batch, s->topic, i);
        if (s->drop_topic) add_record(s, batch, s->drop_topic, s->records);
        return s->idle ? CW_IDLE : CW_OK;
    }
    if (!s->block) return CW_IDLE;
    event(s->file, "blocking");
    for (int i = 0; i < 6000 && !host->stopping(s->ctx); i++) sleep_ms(10);
    return CW_OK;
}

static void source_ack(void *state, cw_record_t *record, const cw_source_ack_t *ack) {
    lc_source_t *s = state;
    static const char *const names[] = {"WRITTEN", "DROPPED", "FAILED"};
    size_t len;
    const char *v = host->record_value(record, &len);
    event(s->file, "ack %s %.*s %s %d %lld skipped=%d error=%s", names[ack->status], (int)len,
          v ? v : "", ack->topic, (int)ack->partition, (long long)ack->offset, ack->skipped,
          ack->error ? ack->error : "");
    s->pending--;
}

static void source_commit(void *state) {
    lc_source_t *s = state;
    event(s->file, "commit");
}

static void source_stop(void *state) {
    lc_source_t *s = state;
    event(s->file, "stop pending=%ld", s->pending);
    free(s->file);
    free(s->topic);
    free(s->drop_topic);
    free(s);
}

static const cw_source_ops_t source_ops = {
    CW_SOURCE_OPS_HEADER,    .start = source_start, .poll = source_poll,
    .commit = source_commit, .ack = source_ack,     .stop = source_stop,
};

static const cw_plugin_t source_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SOURCE,
    .name = "test-lc-source",
    .version = "0.1",
    .description = "Test source writing down its lifecycle.",
    .config = source_defs,
    .source = &source_ops,
};

/* --- test-lc-sink ------------------------------------------------------------------------- */

static const cw_config_def_t sink_defs[] = {
    {.name = "file", .type = CW_CFG_STRING, .flags = CW_CFG_F_REQUIRED, .doc = "Event log."},
    {.name = "fail.put.on", .type = CW_CFG_STRING, .doc = "Fail a put holding this."},
    {.name = "fail.put.times",
     .type = CW_CFG_INT,
     .default_value = "0",
     .doc = "Fail only this many such puts (0: every one)."},
    {.name = "fail.start", .type = CW_CFG_BOOL, .default_value = "false", .doc = "Fail start."},
    {.name = "fail.flush", .type = CW_CFG_BOOL, .default_value = "false", .doc = "Fail flush."},
    {.name = "final.flush",
     .type = CW_CFG_STRING,
     .default_value = "quick",
     .allowed = "quick,until-abort,ignore-abort",
     .doc = "The final flush: returns at once, waits until host->stopping says CW_STOP_ABORT "
            "(then reports nothing more durable), or takes 20 s whatever happens."},
    CW_CONFIG_END};

typedef struct {
    cw_ctx_t *ctx;
    char *file, *fail_on;
    int fail_flush;
    long fail_times;
    const char *final_flush;
} lc_sink_t;

/* How many "put <n> failed" lines the event file holds. */
static long failed_puts(const char *path) {
    FILE *f = fopen(path, "r");
    char line[4096];
    long n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strncmp(line, "put ", 4) == 0 && strstr(line, " failed") != NULL;
    if (f) fclose(f);
    return n;
}

static int sink_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                      size_t errstr_size) {
    const char *file = host->config_get(config, "file"),
               *fail = host->config_get(config, "fail.put.on");
    event(file, "start");
    if (host->config_get_bool(config, "fail.start", 0)) {
        snprintf(errstr, errstr_size, "told to fail (fail.start)");
        return CW_ERR_FATAL;
    }
    lc_sink_t *s = calloc(1, sizeof *s);
    s->ctx = ctx;
    s->final_flush = host->config_get(config, "final.flush");
    s->file = strdup(file);
    s->fail_on = fail && *fail ? strdup(fail) : NULL;
    s->fail_flush = host->config_get_bool(config, "fail.flush", 0);
    s->fail_times = (long)host->config_get_int(config, "fail.put.times", 0);
    *state = s;
    return CW_OK;
}

/* "<name> t-p=offset t-p=offset ..." in the order given. */
static void tps_event(lc_sink_t *s, const char *name, const cw_topic_partition_t *tps, size_t n) {
    char line[4096];
    size_t used = (size_t)snprintf(line, sizeof line, "%s", name);
    for (size_t i = 0; i < n && used < sizeof line; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, " %s-%d=%lld", tps[i].topic,
                                 (int)tps[i].partition, (long long)tps[i].offset);
    event(s->file, "%s", line);
}

static int sink_open(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                     size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    tps_event(state, "open", tps, n);
    return CW_OK;
}

static int sink_close(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                      size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    tps_event(state, "close", tps, n);
    return CW_OK;
}

static int sink_put(void *state, cw_record_t *const *records, size_t n, char *errstr,
                    size_t errstr_size) {
    lc_sink_t *s = state;
    for (size_t i = 0; s->fail_on && i < n; i++) {
        size_t len;
        const char *v = host->record_value(records[i], &len);
        if (v && memmem(v, len, s->fail_on, strlen(s->fail_on)) &&
            (s->fail_times == 0 || failed_puts(s->file) < s->fail_times)) {
            event(s->file, "put %zu failed", n);
            snprintf(errstr, errstr_size, "value contains '%s'", s->fail_on);
            return CW_ERR_FATAL;
        }
    }
    if (n) event(s->file, "put %zu", n);
    return CW_OK;
}

static int sink_flush(void *state, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                      size_t errstr_size) {
    lc_sink_t *s = state;
    tps_event(s, final ? "flush final" : "flush", tps, n);
    if (s->fail_flush) {
        event(s->file, "flush failed");
        snprintf(errstr, errstr_size, "told to fail (fail.flush)");
        return CW_ERR_FATAL;
    }
    if (final && strcmp(s->final_flush, "until-abort") == 0) {
        event(s->file, "flush final waits for the abort (stopping=%d)", host->stopping(s->ctx));
        for (int i = 0; i < 1200 && host->stopping(s->ctx) != CW_STOP_ABORT; i++) sleep_ms(50);
        event(s->file, "flush final aborted (stopping=%d)", host->stopping(s->ctx));
        for (size_t i = 0; i < n; i++) tps[i].offset = CW_OFFSET_INVALID; /* nothing more */
    } else if (final && strcmp(s->final_flush, "ignore-abort") == 0) {
        event(s->file, "flush final takes 20 s");
        sleep_ms(20000);
    }
    return CW_OK; /* everything put is durable: offsets stay as offered */
}

static void sink_stop(void *state) {
    lc_sink_t *s = state;
    event(s->file, "stop");
    free(s->file);
    free(s->fail_on);
    free(s);
}

static const cw_sink_ops_t sink_ops = {
    CW_SINK_OPS_HEADER, .start = sink_start, .open = sink_open, .close = sink_close,
    .put = sink_put,    .flush = sink_flush, .stop = sink_stop,
};

static const cw_plugin_t sink_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SINK,
    .name = "test-lc-sink",
    .version = "0.1",
    .description = "Test sink writing down its lifecycle.",
    .config = sink_defs,
    .sink = &sink_ops,
};

static const cw_plugin_t *const plugins[] = {&source_plugin, &sink_plugin, NULL};
static const cw_module_t module = {
    CW_MODULE_HEADER,
    .name = "worker-lifecycle-plugins",
    .plugins = plugins,
    .init = init,
};
CW_MODULE_ENTRY(module)
