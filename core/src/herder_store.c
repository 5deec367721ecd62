/* config.storage.file.filename: the connectors created or changed through the herder survive
 * a restart (beyond Kafka's standalone mode, which forgets them). One JSON file,
 *   {"connectors": [{"name": ..., "config": {...as submitted...}, "state": "RUNNING"}]},
 * replaced atomically (temporary file, fsync, rename, fsync of the directory); mode 0600, as
 * a submitted configuration may hold secrets the user did not put behind a config provider. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herder_internal.h"
#include "log.h"

static const char *const state_names[] = {"RUNNING", "PAUSED", "STOPPED"};

static int write_file(const char *path, const char *text, char *err, size_t errsz) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(text), off = 0;
    while (fd >= 0 && off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        off += (size_t)n;
    }
    if (fd < 0 || off < len || fsync(fd) != 0) {
        snprintf(err, errsz, "config.storage.file.filename %s: cannot write %s: %s", path, tmp,
                 strerror(errno));
        if (fd >= 0) close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        snprintf(err, errsz, "config.storage.file.filename %s: cannot rename %s: %s", path, tmp,
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int cw_herder_store_save(cw_herder_t *h) {
    if (!h->store_path) return 0;
    json_t *arr = json_array();
    pthread_mutex_lock(&h->state_lock);
    for (size_t i = 0; i < h->nconns; i++) {
        cw_hconn_t *hc = h->conns[i];
        if (hc->from_file) continue;
        json_array_append_new(arr, json_pack("{s:s, s:O, s:s}", "name", hc->name, "config",
                                             hc->submitted, "state", state_names[hc->target]));
    }
    pthread_mutex_unlock(&h->state_lock);
    json_t *root = json_pack("{s:o}", "connectors", arr);
    char *text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    char err[4600];
    int rc = text ? write_file(h->store_path, text, err, sizeof err) : -1;
    if (!text) snprintf(err, sizeof err, "config.storage.file.filename: out of memory");
    if (rc) cw_log_error("%s", err);
    free(text);
    return rc;
}

int cw_herder_store_load(cw_herder_t *h, json_t **out, char *errstr, size_t errstr_size) {
    *out = NULL;
    if (!h->store_path || access(h->store_path, F_OK) != 0) return 0;
    json_error_t je;
    json_t *root = json_load_file(h->store_path, 0, &je);
    json_t *arr = json_object_get(root, "connectors");
    if (!root || !json_is_array(arr)) {
        snprintf(errstr, errstr_size,
                 "config.storage.file.filename %s: not a connector store (%s, line %d)",
                 h->store_path, root ? "no \"connectors\" array" : je.text, root ? 0 : je.line);
        json_decref(root);
        return -1;
    }
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        if (!json_is_string(json_object_get(e, "name")) ||
            !json_is_object(json_object_get(e, "config"))) {
            snprintf(errstr, errstr_size,
                     "config.storage.file.filename %s: entry %zu has no name or config",
                     h->store_path, i);
            json_decref(root);
            return -1;
        }
    }
    *out = json_incref(arr);
    json_decref(root);
    cw_log_info("config.storage.file.filename %s: %zu connector(s)", h->store_path,
                json_array_size(*out));
    return 0;
}
