/* Standalone source offset store: one JSON file, written atomically. */
#ifndef CW_OFFSETS_FILE_H
#define CW_OFFSETS_FILE_H
#include <stddef.h>

typedef struct cw_offsets cw_offsets_t;

/** Opens the store at `path` and loads it when the file exists. Returns NULL with errstr
 *  naming the file when it exists but cannot be read or is not an offsets file. */
cw_offsets_t *cw_offsets_open(const char *path, char *errstr, size_t errstr_size);
void cw_offsets_free(cw_offsets_t *o);

/** The stored offset (JSON text, malloc'd) of `connector` / `source_partition` (JSON text,
 *  compared after normalising white space and number forms), or NULL. Thread-safe. */
char *cw_offsets_get(cw_offsets_t *o, const char *connector, const char *source_partition);

/** Records an offset in memory (written by the next cw_offsets_flush). Thread-safe. */
void cw_offsets_put(cw_offsets_t *o, const char *connector, const char *source_partition,
                    const char *source_offset);

/** Writes the file when something changed: temp file in the same directory, fsync, rename,
 *  fsync of the directory. Returns 0 or -1 with errstr naming the file. Thread-safe. */
int cw_offsets_flush(cw_offsets_t *o, char *errstr, size_t errstr_size);
/** Every stored offset of `connector` as JSON text (malloc'd):
 *  [{"partition": <source partition>, "offset": <offset>}], [] when none. Thread-safe. */
char *cw_offsets_list(cw_offsets_t *o, const char *connector);

/** Forgets the offset of one source partition (JSON text), or every offset of `connector`
 *  when source_partition is NULL; the next cw_offsets_flush writes it. Thread-safe. */
void cw_offsets_remove(cw_offsets_t *o, const char *connector, const char *source_partition);
#endif
