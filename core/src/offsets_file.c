/*
 * The offset file (offset.storage.file.filename) of a standalone worker. Layout:
 *   {"<connector>": {"<source partition as compact JSON>": <offset JSON>, ...}, ...}
 * Readable with jq; the file is replaced atomically so a crash leaves either the old or the
 * new version, never a torn one.
 */
#include "offsets_file.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_encode.h"

typedef struct file_offsets {
    cw_offsets_t base; /* first: the dispatch header */
    char *path;
    json_t *root;
    int dirty;
    pthread_mutex_t lock;
} file_offsets_t;

static const cw_offsets_ops_t file_ops;

cw_offsets_t *cw_offsets_open(const char *path, char *errstr, size_t errstr_size) {
    json_t *root = NULL;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* jansson would say "'[' or '{' expected near end of file" */
        snprintf(errstr, errstr_size,
                 "offset.storage.file.filename %s: is a directory; name a file in it", path);
        return NULL;
    }
    if (access(path, F_OK) == 0) {
        json_error_t err;
        root = json_load_file(path, 0, &err);
        if (!root) {
            snprintf(errstr, errstr_size,
                     "offset.storage.file.filename %s: cannot read the offsets: %s (line %d)", path,
                     err.text, err.line);
            return NULL;
        }
        if (!json_is_object(root)) {
            json_decref(root);
            snprintf(errstr, errstr_size,
                     "offset.storage.file.filename %s: not an offsets file (expected a JSON "
                     "object of connectors)",
                     path);
            return NULL;
        }
    } else {
        root = json_object();
    }
    file_offsets_t *o = calloc(1, sizeof *o);
    if (!o) abort();
    o->base.ops = &file_ops;
    o->path = strdup(path);
    o->root = root;
    pthread_mutex_init(&o->lock, NULL);
    return &o->base;
}

static void file_destroy(cw_offsets_t *base) {
    file_offsets_t *o = (file_offsets_t *)base;
    json_decref(o->root);
    pthread_mutex_destroy(&o->lock);
    free(o->path);
    free(o);
}

/* Source partitions are compared as JSON values: {"a": 1} and {"a":1} are one partition. */
static char *normalise(const char *text) {
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    if (!v) return strdup(text);
    char *s = cw_json_encode(v, NULL);
    json_decref(v);
    return s ? s : strdup(text);
}

static char *file_get(cw_offsets_t *base, const char *connector, const char *source_partition) {
    file_offsets_t *o = (file_offsets_t *)base;
    char *key = normalise(source_partition);
    char *out = NULL;
    pthread_mutex_lock(&o->lock);
    json_t *v = json_object_get(json_object_get(o->root, connector), key);
    if (v) out = cw_json_encode(v, NULL);
    pthread_mutex_unlock(&o->lock);
    free(key);
    return out;
}

static void file_put(cw_offsets_t *base, const char *connector, const char *source_partition,
                     const char *source_offset) {
    file_offsets_t *o = (file_offsets_t *)base;
    char *key = normalise(source_partition);
    json_t *v = source_offset ? json_loads(source_offset, JSON_DECODE_ANY, NULL) : NULL;
    if (!v && source_offset) v = json_string(source_offset);
    pthread_mutex_lock(&o->lock);
    json_t *conn = json_object_get(o->root, connector);
    if (!conn && v) {
        conn = json_object();
        json_object_set_new(o->root, connector, conn);
    }
    if (v)
        json_object_set_new(conn, key, v);
    else if (conn)
        json_object_del(conn, key); /* a deleted offset (a tombstone in Kafka) */
    o->dirty = 1;
    pthread_mutex_unlock(&o->lock);
    free(key);
}

static int write_all(int fd, const char *s, size_t n) {
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static int file_flush(cw_offsets_t *base, char *errstr, size_t errstr_size) {
    file_offsets_t *o = (file_offsets_t *)base;
    int rc = 0;
    pthread_mutex_lock(&o->lock);
    if (!o->dirty) goto out;
    size_t len = 0;
    char *text = cw_json_encode(o->root, &len);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", o->path);
    int fd = text ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    if (fd < 0 || write_all(fd, text, len) || write_all(fd, "\n", 1) || fsync(fd)) {
        snprintf(errstr, errstr_size, "offset.storage.file.filename %s: cannot write %s: %s",
                 o->path, tmp, strerror(errno));
        if (fd >= 0) close(fd);
        unlink(tmp);
        free(text);
        rc = -1;
        goto out;
    }
    close(fd);
    free(text);
    if (rename(tmp, o->path) != 0) {
        snprintf(errstr, errstr_size, "offset.storage.file.filename %s: cannot rename %s: %s",
                 o->path, tmp, strerror(errno));
        unlink(tmp);
        rc = -1;
        goto out;
    }
    /* The rename itself must survive a power cut too. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", o->path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    o->dirty = 0;
out:
    pthread_mutex_unlock(&o->lock);
    return rc;
}

static char *file_list(cw_offsets_t *base, const char *connector) {
    file_offsets_t *o = (file_offsets_t *)base;
    json_t *arr = json_array();
    pthread_mutex_lock(&o->lock);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(o->root, connector), k, v) {
        json_t *part = json_loads(k, JSON_DECODE_ANY, NULL);
        json_array_append_new(
            arr, json_pack("{s:o, s:O}", "partition", part ? part : json_string(k), "offset", v));
    }
    pthread_mutex_unlock(&o->lock);
    char *out = cw_json_encode(arr, NULL);
    json_decref(arr);
    return out;
}

static const cw_offsets_ops_t file_ops = {.get = file_get,
                                          .put = file_put,
                                          .flush = file_flush,
                                          .destroy = file_destroy,
                                          .list = file_list};
