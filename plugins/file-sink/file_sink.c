/* file-sink: Kafka's FileStreamSinkConnector. Appends each record value as one line, fsyncs
 * on flush, and - unlike Kafka's - never duplicates lines after a crash: a small state file
 * next to the output (see sink_state.h) records the output size and the partition offsets
 * of the last flush. On start, bytes written after that flush are cut off (their records
 * are consumed again) and records below the recorded offsets are skipped. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connect-worker/plugin.h"
#include "connect-worker/sdk_buf.h"
#include "sink_state.h"

static const cw_host_t *host;

typedef struct file_sink {
    cw_ctx_t *ctx;
    char *file;
    char *state_file;
    int fd;
    sink_state_t state; /* what the output holds now; saved on flush once it is durable */
    cw_sdk_buf_t out;   /* lines not yet written */
} file_sink_t;

static void append(file_sink_t *s, const char *data, size_t n) {
    if (cw_sdk_buf_append(&s->out, data, n) != 0) abort(); /* out of memory */
}

static int fk_task_configs(cw_ctx_t *ctx, const cw_config_t *config, int max_tasks,
                           cw_task_split_t *split, char *errstr, size_t errstr_size) {
    (void)config, (void)split, (void)errstr, (void)errstr_size;
    /* One writer per file: several tasks appending to one file would interleave lines and
     * could not share the state file. */
    if (max_tasks > 1)
        host->log(ctx, CW_LOG_WARN,
                  "file-sink writes one file and runs a single task; "
                  "tasks.max=%d is ignored",
                  max_tasks);
    return 1;
}

static void sink_free(file_sink_t *s) {
    if (s->fd >= 0) close(s->fd);
    sink_state_free(&s->state);
    free(s->file);
    free(s->state_file);
    cw_sdk_buf_free(&s->out);
    free(s);
}

/* The one checker of the keys, shared by validate and start: the file's directory must
 * exist (the sink creates the file, never directories) and the file must not be one. */
static void fk_check(const cw_config_t *config, cw_validation_t *v) {
    const char *file = host->config_get(config, "file");
    struct stat st;
    if (!file || !*file) {
        host->validation_error(v, "file", "must name a file");
        return;
    }
    if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
        host->validation_error(v, "file", "'%s' is a directory", file);
        return;
    }
    char *copy = strdup(file);
    if (!copy) abort();
    const char *dir = dirname(copy);
    if (stat(dir, &st) != 0)
        host->validation_error(v, "file", "directory '%s' of '%s' does not exist", dir, file);
    else if (!S_ISDIR(st.st_mode))
        host->validation_error(v, "file", "'%s' (the directory of '%s') is not a directory", dir,
                               file);
    free(copy);
}

static void fk_validate(cw_ctx_t *ctx, const cw_config_t *config, cw_validation_t *v) {
    (void)ctx;
    fk_check(config, v);
}

static int fk_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                    size_t errstr_size) {
    cw_validation_t *v = host->validation_begin();
    fk_check(config, v);
    if (host->validation_end(v, errstr, errstr_size)) return CW_ERR_CONFIG;
    file_sink_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->ctx = ctx;
    s->fd = -1;
    s->file = strdup(host->config_get(config, "file"));
    size_t n = strlen(s->file) + sizeof ".cw-sink-state";
    s->state_file = malloc(n);
    if (!s->state_file) abort();
    snprintf(s->state_file, n, "%s.cw-sink-state", s->file);

    int loaded = sink_state_load(&s->state, s->state_file, errstr, errstr_size);
    if (loaded < 0) {
        sink_free(s);
        return CW_ERR_FATAL;
    }
    s->fd = open(s->file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat st;
    if (s->fd < 0 || fstat(s->fd, &st) != 0) {
        snprintf(errstr, errstr_size, "file-sink: cannot open %s for appending: %s", s->file,
                 strerror(errno));
        sink_free(s);
        return CW_ERR_RETRIABLE;
    }
    if (!loaded) {
        s->state.file_size = st.st_size; /* existing content is not ours: append after it */
        /* Saved before the first put, so a crash before the first flush also cuts off what
         * was appended since: those records are consumed again. */
        if (sink_state_save(&s->state, s->state_file, errstr, errstr_size) != 0) {
            sink_free(s);
            return CW_ERR_RETRIABLE;
        }
    } else if (st.st_size > s->state.file_size) {
        host->log(ctx, CW_LOG_INFO,
                  "%s: dropping %lld bytes written after the last flush; their records are "
                  "consumed again",
                  s->file, (long long)(st.st_size - s->state.file_size));
        if (ftruncate(s->fd, (off_t)s->state.file_size) != 0) {
            snprintf(errstr, errstr_size, "file-sink: cannot truncate %s: %s", s->file,
                     strerror(errno));
            sink_free(s);
            return CW_ERR_RETRIABLE;
        }
    } else if (st.st_size < s->state.file_size) {
        host->log(ctx, CW_LOG_WARN,
                  "%s is shorter than at the last flush (truncated or replaced by someone "
                  "else); appending at its end",
                  s->file);
        s->state.file_size = st.st_size;
    }
    *state = s;
    return CW_OK;
}

/* Appends the line of one record to the buffer. Returns CW_OK, or CW_ERR_FATAL when the
 * record cannot be written and errors.tolerance does not allow skipping it. */
static int format_record(file_sink_t *s, cw_record_t *r, char *errstr, size_t errstr_size) {
    size_t len;
    if (!host->record_value(r, &len)) {
        append(s, "null\n", 5);
        return CW_OK;
    }
    char why[256] = "";
    json_t *v = host->record_value_json(r, why, sizeof why);
    if (!v) {
        char reason[320];
        snprintf(reason, sizeof reason, "file-sink: value cannot be read: %s", why);
        if (host->report_bad_record(s->ctx, r, reason) == CW_OK) return CW_OK;
        snprintf(errstr, errstr_size, "%s", reason);
        return CW_ERR_FATAL;
    }
    if (json_is_string(v)) {
        append(s, json_string_value(v), json_string_length(v));
    } else {
        size_t n;
        char *text = host->json_encode(v, &n);
        if (!text) abort(); /* json_encode fails only without memory */
        append(s, text, n);
        host->free(text);
    }
    append(s, "\n", 1);
    return CW_OK;
}

static int fk_put(void *state, cw_record_t *const *records, size_t n, char *errstr,
                  size_t errstr_size) {
    file_sink_t *s = state;
    s->out.len = 0;
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        cw_record_t *r = records[i];
        int64_t next = sink_state_next(&s->state, host->record_original_topic(r),
                                       host->record_original_partition(r));
        if (next >= 0 && host->record_original_offset(r) < next) {
            skipped++; /* written before a crash, after the last committed offset */
            continue;
        }
        if (format_record(s, r, errstr, errstr_size) != CW_OK) return CW_ERR_FATAL;
    }
    if (skipped)
        host->log(s->ctx, CW_LOG_INFO, "skipped %zu record(s) already in %s", skipped, s->file);

    size_t off = 0;
    while (off < s->out.len) {
        ssize_t w = write(s->fd, s->out.data + off, s->out.len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            /* Keep nothing of this put: cut a partial write off so the retry starts clean. */
            if (ftruncate(s->fd, (off_t)s->state.file_size) != 0)
                host->log(s->ctx, CW_LOG_ERROR, "cannot cut partial write off %s: %s", s->file,
                          strerror(errno));
            snprintf(errstr, errstr_size, "file-sink: cannot write to %s: %s", s->file,
                     strerror(err));
            return CW_ERR_RETRIABLE;
        }
        off += (size_t)w;
    }
    s->state.file_size += (int64_t)s->out.len;
    for (size_t i = 0; i < n; i++) {
        cw_record_t *r = records[i];
        /* Where it was consumed from (what the worker commits), not where a routing
         * transform sent it: two topics merged into one keep their own offsets. */
        const char *topic = host->record_original_topic(r);
        int32_t partition = host->record_original_partition(r);
        int64_t next = host->record_original_offset(r) + 1;
        if (next > sink_state_next(&s->state, topic, partition))
            sink_state_set(&s->state, topic, partition, next);
    }
    return CW_OK;
}

static int fk_flush(void *state, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                    size_t errstr_size) {
    (void)tps, (void)n, (void) final; /* put wrote everything: every handed offset is durable
                                        once fsync returns */
    file_sink_t *s = state;
    if (fsync(s->fd) != 0) {
        snprintf(errstr, errstr_size, "file-sink: cannot fsync %s: %s", s->file, strerror(errno));
        return CW_ERR_RETRIABLE;
    }
    if (sink_state_save(&s->state, s->state_file, errstr, errstr_size) != 0)
        return CW_ERR_RETRIABLE;
    return CW_OK;
}

static void fk_stop(void *state) {
    if (state) sink_free(state);
}

static int fk_init(const cw_host_t *h, char *errstr, size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    host = h;
    return CW_OK;
}

static const cw_config_def_t fk_config[] = {
    {"file", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "The file each record value is appended to, one line per record. A state file "
     "<file>.cw-sink-state next to it prevents duplicate lines after a crash.",
     NULL, 0, 0},
    CW_CONFIG_END,
};

static const cw_sink_ops_t fk_ops = {
    CW_SINK_OPS_HEADER, .task_configs = fk_task_configs,
    .start = fk_start,  .put = fk_put,
    .flush = fk_flush,  .stop = fk_stop,
};

static const char *const fk_aliases[] = {"org.apache.kafka.connect.file.FileStreamSinkConnector",
                                         "FileStreamSinkConnector", "FileStreamSink", NULL};

static const cw_plugin_t file_sink_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SINK,
    .name = "file-sink",
    .aliases = fk_aliases,
    .version = "1.0.0",
    .description = "Appends record values to a file, one line each, like Kafka's FileStreamSink "
                   "(without duplicates after a crash).",
    .config = fk_config,
    .validate = fk_validate,
    .sink = &fk_ops,
};

static const cw_plugin_t *const fk_plugins[] = {&file_sink_plugin, NULL};

static const cw_module_t fk_module = {
    CW_MODULE_HEADER,
    .name = "file-sink",
    .plugins = fk_plugins,
    .init = fk_init,
};

CW_MODULE_ENTRY(fk_module)
