/* The file sink's commit record (see sink_state.h), stored with jansson and replaced
 * atomically so that a crash leaves either the old or the new record, never half of one. */
#include "sink_state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sink_state_free(sink_state_t *st) {
    for (size_t i = 0; i < st->count; i++) free(st->tps[i].topic);
    free(st->tps);
    memset(st, 0, sizeof *st);
}

int64_t sink_state_next(const sink_state_t *st, const char *topic, int32_t partition) {
    for (size_t i = 0; i < st->count; i++)
        if (st->tps[i].partition == partition && strcmp(st->tps[i].topic, topic) == 0)
            return st->tps[i].next_offset;
    return -1;
}

void sink_state_set(sink_state_t *st, const char *topic, int32_t partition, int64_t next_offset) {
    for (size_t i = 0; i < st->count; i++)
        if (st->tps[i].partition == partition && strcmp(st->tps[i].topic, topic) == 0) {
            st->tps[i].next_offset = next_offset;
            return;
        }
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 8;
        sink_tp_offset_t *t = realloc(st->tps, cap * sizeof *t);
        if (!t) abort(); /* out of memory */
        st->tps = t;
        st->cap = cap;
    }
    char *copy = strdup(topic);
    if (!copy) abort();
    st->tps[st->count++] = (sink_tp_offset_t){copy, partition, next_offset};
}

int sink_state_load(sink_state_t *st, const char *path, char *errstr, size_t errstr_size) {
    memset(st, 0, sizeof *st);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        if (access(path, F_OK) != 0 && errno == ENOENT) return 0;
        snprintf(errstr, errstr_size, "%s: unreadable file-sink state: %s", path, jerr.text);
        return -1;
    }
    json_t *size = json_object_get(root, "file.size");
    json_t *offsets = json_object_get(root, "offsets");
    if (!json_is_integer(size) || !json_is_array(offsets)) {
        snprintf(errstr, errstr_size,
                 "%s: unreadable file-sink state: expected file.size and "
                 "offsets",
                 path);
        json_decref(root);
        return -1;
    }
    st->file_size = json_integer_value(size);
    size_t i;
    json_t *o;
    json_array_foreach(offsets, i, o) {
        json_t *t = json_object_get(o, "topic"), *p = json_object_get(o, "partition"),
               *n = json_object_get(o, "next.offset");
        if (!json_is_string(t) || !json_is_integer(p) || !json_is_integer(n)) {
            snprintf(errstr, errstr_size, "%s: unreadable file-sink state: bad entry %zu", path, i);
            sink_state_free(st);
            json_decref(root);
            return -1;
        }
        sink_state_set(st, json_string_value(t), (int32_t)json_integer_value(p),
                       json_integer_value(n));
    }
    json_decref(root);
    return 1;
}

static int fsync_dir_of(const char *path) {
    char *copy = strdup(path);
    if (!copy) return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int sink_state_save(const sink_state_t *st, const char *path, char *errstr, size_t errstr_size) {
    json_t *offsets = json_array();
    for (size_t i = 0; i < st->count; i++)
        json_array_append_new(offsets,
                              json_pack("{s:s,s:i,s:I}", "topic", st->tps[i].topic, "partition",
                                        (int)st->tps[i].partition, "next.offset",
                                        (json_int_t)st->tps[i].next_offset));
    json_t *root =
        json_pack("{s:I,s:o}", "file.size", (json_int_t)st->file_size, "offsets", offsets);
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!text) {
        snprintf(errstr, errstr_size, "%s: cannot encode file-sink state", path);
        return -1;
    }
    size_t tmp_len = strlen(path) + 5;
    char *tmp = malloc(tmp_len);
    if (!tmp) abort();
    snprintf(tmp, tmp_len, "%s.tmp", path);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        size_t len = strlen(text), off = 0;
        while (off < len) {
            ssize_t w = write(fd, text + off, len - off);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) break;
            off += (size_t)w;
        }
        if (off == len && write(fd, "\n", 1) == 1 && fsync(fd) == 0) rc = 0;
        int saved = errno;
        close(fd);
        errno = saved;
    }
    if (rc == 0 && (rename(tmp, path) != 0 || fsync_dir_of(path) != 0)) rc = -1;
    if (rc != 0) {
        snprintf(errstr, errstr_size, "%s: cannot write file-sink state: %s", path,
                 strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(text);
    return rc;
}
