/* Standalone source offset store: one JSON file, written atomically (a backend of
 * storage/offsets.h, the default). */
#ifndef CW_OFFSETS_FILE_H
#define CW_OFFSETS_FILE_H
#include <stddef.h>

#include "storage/offsets.h"

/** Opens the store at `path` and loads it when the file exists. Returns NULL with errstr
 *  naming the file when it exists but cannot be read or is not an offsets file. Flushing
 *  writes the file when something changed: temp file in the same directory, fsync, rename,
 *  fsync of the directory. */
cw_offsets_t *cw_offsets_open(const char *path, char *errstr, size_t errstr_size);
#endif
