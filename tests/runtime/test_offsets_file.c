/* The standalone offset file: atomic writes, reload, partition keys compared as JSON, deletes. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "offsets_file.h"

int main(void) {
    char dir[] = "/tmp/cw-offsets-XXXXXX", path[512], err[512];
    if (!mkdtemp(dir)) return 2;
    snprintf(path, sizeof path, "%s/connect.offsets", dir);
    cw_offsets_t *o = cw_offsets_open(path, err, sizeof err);
    CHECK(o != NULL);
    CHECK(cw_offsets_get(o, "c", "{\"file\":\"a\"}") == NULL);
    cw_offsets_put(o, "c", "{\"file\": \"a\"}", "{\"position\":10}");
    cw_offsets_put(o, "c", "{\"file\":\"a\"}", "{\"position\":20}");
    cw_offsets_put(o, "d", "{\"file\":\"a\"}", "{\"position\":-89.9787}");
    CHECK(access(path, F_OK) != 0); /* nothing written before a flush */
    CHECK(cw_offsets_flush(o, err, sizeof err) == 0);
    cw_offsets_free(o);

    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(access(tmp, F_OK) != 0); /* the temp file was renamed */
    o = cw_offsets_open(path, err, sizeof err);
    CHECK(o != NULL);
    char *v = cw_offsets_get(o, "c", "{ \"file\" : \"a\" }");
    CHECK_STR(v, "{\"position\":20}");
    free(v);
    v = cw_offsets_get(o, "d", "{\"file\":\"a\"}");
    CHECK_STR(v, "{\"position\":-89.9787}");
    free(v);
    /* A NULL offset deletes the partition's offset (a tombstone in offset.storage.topic). */
    cw_offsets_put(o, "c", "{\"file\":\"a\"}", NULL);
    CHECK(cw_offsets_get(o, "c", "{\"file\":\"a\"}") == NULL);
    CHECK(cw_offsets_flush(o, err, sizeof err) == 0);
    cw_offsets_free(o);
    o = cw_offsets_open(path, err, sizeof err);
    CHECK(o && cw_offsets_get(o, "c", "{\"file\":\"a\"}") == NULL);
    v = o ? cw_offsets_get(o, "d", "{\"file\":\"a\"}") : NULL;
    CHECK_STR(v, "{\"position\":-89.9787}");
    free(v);
    cw_offsets_free(o);

    /* A damaged file is an error naming it, not an empty store. */
    FILE *f = fopen(path, "w");
    fputs("{\"c\": {", f);
    fclose(f);
    o = cw_offsets_open(path, err, sizeof err);
    CHECK(o == NULL);
    CHECK_CONTAINS(err, path);
    CHECK_CONTAINS(err, "offset.storage.file.filename");

    unlink(path);
    rmdir(dir);
    CHECK_DONE();
}
