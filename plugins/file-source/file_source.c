/* file-source: Kafka's FileStreamSourceConnector. Reads the lines of one file, follows
 * appends, and stores the byte position after each line as the source offset, so a restart
 * resumes exactly after the last line Kafka acknowledged. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connect-worker/plugin.h"
#include "line_reader.h"

static const cw_host_t *host;

typedef struct file_source {
    cw_ctx_t *ctx;
    char *file;
    char *topic;
    int64_t batch_size;
    char *partition_json; /* {"filename":"<file>"} */
    int64_t start_pos;    /* where reading resumes when the file is (re)opened */
    int fd;
    int missing_warned;
    line_reader_t reader;
} file_source_t;

static void set_err(char *errstr, size_t size, const char *what, const char *file, int err) {
    snprintf(errstr, size, "file-source: %s %s: %s", what, file, strerror(err));
}

/* The stored offset {"position": N} of this file, or 0. */
static int64_t stored_position(file_source_t *s) {
    char *text = host->offset_get(s->ctx, s->partition_json);
    if (!text) return 0;
    int64_t pos = 0;
    json_t *o = json_loads(text, 0, NULL);
    json_t *p = o ? json_object_get(o, "position") : NULL;
    if (json_is_integer(p) && json_integer_value(p) >= 0)
        pos = json_integer_value(p);
    else
        host->log(s->ctx, CW_LOG_WARN, "ignoring unreadable stored offset for %s", s->file);
    json_decref(o);
    host->free(text);
    return pos;
}

/* The one checker of the keys, shared by validate and start. The file may appear later
 * (the task waits for it), but a directory can never be read as lines. */
static void fs_check(const cw_config_t *config, cw_validation_t *v) {
    const char *file = host->config_get(config, "file");
    struct stat st;
    if (!file || !*file)
        host->validation_error(v, "file", "must name a file");
    else if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
        host->validation_error(v, "file", "'%s' is a directory", file);
}

static void fs_validate(cw_ctx_t *ctx, const cw_config_t *config, cw_validation_t *v) {
    (void)ctx;
    fs_check(config, v);
}

static int fs_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                    size_t errstr_size) {
    cw_validation_t *v = host->validation_begin();
    fs_check(config, v);
    if (host->validation_end(v, errstr, errstr_size)) return CW_ERR_CONFIG;
    file_source_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errstr, errstr_size, "file-source: out of memory");
        return CW_ERR_FATAL;
    }
    s->ctx = ctx;
    s->fd = -1;
    s->file = strdup(host->config_get(config, "file"));
    s->topic = strdup(host->config_get(config, "topic"));
    s->batch_size = host->config_get_int(config, "batch.size", 0);
    json_t *part = json_pack("{s:s}", "filename", s->file);
    s->partition_json = part ? json_dumps(part, JSON_COMPACT) : NULL;
    json_decref(part);
    if (!s->file || !s->topic || !s->partition_json) {
        snprintf(errstr, errstr_size, "file-source: out of memory");
        free(s->file), free(s->topic), free(s->partition_json), free(s);
        return CW_ERR_FATAL;
    }
    s->start_pos = stored_position(s);
    if (s->start_pos > 0)
        host->log(ctx, CW_LOG_INFO, "resuming %s at byte %" PRId64, s->file, s->start_pos);
    *state = s;
    return CW_OK;
}

/* Opens the file when it exists, positioned at start_pos. Returns 1 when open, 0 when the
 * file is not there (yet), -1 on an error. */
static int open_file(file_source_t *s, char *errstr, size_t errstr_size) {
    if (s->fd >= 0) return 1;
    int fd = open(s->file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            if (!s->missing_warned)
                host->log(s->ctx, CW_LOG_WARN, "%s does not exist (yet); waiting for it", s->file);
            s->missing_warned = 1;
            return 0;
        }
        set_err(errstr, errstr_size, "cannot open", s->file, errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size < s->start_pos) {
        /* The file was truncated or replaced since the offset was stored. */
        host->log(s->ctx, CW_LOG_WARN,
                  "%s is shorter (%lld bytes) than the stored offset %" PRId64
                  "; reading it from the start",
                  s->file, (long long)st.st_size, s->start_pos);
        s->start_pos = 0;
    }
    if (lseek(fd, (off_t)s->start_pos, SEEK_SET) < 0) {
        set_err(errstr, errstr_size, "cannot seek in", s->file, errno);
        close(fd);
        return -1;
    }
    s->fd = fd;
    s->missing_warned = 0;
    line_reader_init(&s->reader, fd, s->start_pos);
    return 1;
}

static int fs_poll(void *state, cw_batch_t *batch, int timeout_ms, char *errstr,
                   size_t errstr_size) {
    (void)timeout_ms; /* never blocks: at end of file it returns CW_IDLE at once */
    file_source_t *s = state;
    int rc = open_file(s, errstr, errstr_size);
    if (rc <= 0) return rc < 0 ? CW_ERR_RETRIABLE : CW_IDLE;

    int64_t added = 0;
    while (added < s->batch_size) {
        const char *line;
        size_t len;
        int64_t end_pos;
        rc = line_reader_next(&s->reader, &line, &len, &end_pos);
        if (rc < 0) {
            set_err(errstr, errstr_size, "cannot read", s->file, errno);
            return CW_ERR_RETRIABLE; /* records added so far are still delivered */
        }
        if (rc == 0) break;
        char offset[64];
        snprintf(offset, sizeof offset, "{\"position\":%" PRId64 "}", end_pos);
        cw_record_t *r =
            host->source_record_new(batch, s->topic, CW_PARTITION_ANY, s->partition_json, offset);
        /* A line is text: as a JSON string every converter renders it right (StringConverter
         * writes the line itself, JsonConverter a quoted JSON string). Bytes that are not
         * UTF-8 cannot be a JSON string: they go as they are, which String and ByteArray
         * converters take and JsonConverter refuses with an error naming the record. */
        json_t *text = json_stringn(line, len);
        if (text)
            host->record_set_value_json(r, text);
        else
            host->record_set_value(r, line, len);
        s->start_pos = end_pos;
        added++;
    }
    return added > 0 ? CW_OK : CW_IDLE;
}

static void fs_stop(void *state) {
    file_source_t *s = state;
    if (!s) return;
    if (s->fd >= 0) {
        line_reader_free(&s->reader);
        close(s->fd);
    }
    free(s->file);
    free(s->topic);
    free(s->partition_json);
    free(s);
}

static int fs_init(const cw_host_t *h, char *errstr, size_t errstr_size) {
    (void)errstr, (void)errstr_size;
    host = h;
    return CW_OK;
}

static const cw_config_def_t fs_config[] = {
    {"file", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "The file to read lines from. Lines appended later are picked up too.", NULL, 0, 0},
    {"topic", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED, "The topic every line is sent to.", NULL, 0,
     0},
    {"batch.size", CW_CFG_INT, "2000", 0, "The most lines handed over per poll.", NULL, 1, 1e9},
    CW_CONFIG_END,
};

static const cw_source_ops_t fs_ops = {
    CW_SOURCE_OPS_HEADER,
    .start = fs_start,
    .poll = fs_poll,
    .stop = fs_stop,
};

static const char *const fs_aliases[] = {"org.apache.kafka.connect.file.FileStreamSourceConnector",
                                         "FileStreamSourceConnector", "FileStreamSource", NULL};

static const cw_plugin_t file_source_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SOURCE,
    .name = "file-source",
    .aliases = fs_aliases,
    .version = "1.0.0",
    .description = "Reads the lines of a file (following appends) into a topic, like Kafka's "
                   "FileStreamSource.",
    .config = fs_config,
    .validate = fs_validate,
    .source = &fs_ops,
};

static const cw_plugin_t *const fs_plugins[] = {&file_source_plugin, NULL};

static const cw_module_t fs_module = {
    CW_MODULE_HEADER,
    .name = "file-source",
    .plugins = fs_plugins,
    .init = fs_init,
};

CW_MODULE_ENTRY(fs_module)
