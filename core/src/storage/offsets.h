/*
 * The source offset store: what host->offset_get reads and the source runtime writes. Two
 * backends behind one interface: the file of a standalone worker (offsets_file.h, the default)
 * and offset.storage.topic in Kafka Connect's format (offsets_kafka.h).
 */
#ifndef CW_STORAGE_OFFSETS_H
#define CW_STORAGE_OFFSETS_H
#include <stddef.h>

typedef struct cw_offsets cw_offsets_t;

/** A backend: a struct whose first member is `cw_offsets_t` (the dispatch header). */
typedef struct cw_offsets_ops {
    char *(*get)(cw_offsets_t *o, const char *connector, const char *source_partition);
    void (*put)(cw_offsets_t *o, const char *connector, const char *source_partition,
                const char *source_offset);
    int (*flush)(cw_offsets_t *o, char *errstr, size_t errstr_size);
    void (*destroy)(cw_offsets_t *o);
    /** Every offset of `connector` as JSON text (malloc'd):
     *  [{"partition": {...}, "offset": {...}}]; NULL when the backend cannot list. */
    char *(*list)(cw_offsets_t *o, const char *connector);
    /** Distributed mode: non-zero while the store refuses to write (NULL: never). */
    int (*fenced)(cw_offsets_t *o);
} cw_offsets_ops_t;

struct cw_offsets {
    const cw_offsets_ops_t *ops;
};

/** The stored offset (JSON text, malloc'd) of `connector` / `source_partition` (JSON text;
 *  partitions are compared as JSON values, not as bytes), or NULL. Thread-safe. */
char *cw_offsets_get(cw_offsets_t *o, const char *connector, const char *source_partition);

/** Records an offset in memory, written by the next cw_offsets_flush. `source_offset` NULL
 *  deletes the partition's offset (a tombstone in Kafka). Thread-safe. */
void cw_offsets_put(cw_offsets_t *o, const char *connector, const char *source_partition,
                    const char *source_offset);

/** Makes what was put durable (the file replaced, or the records acknowledged by Kafka).
 *  Returns 0, or -1 with errstr naming the file or topic; what was not written stays pending
 *  for the next flush. Thread-safe. */
int cw_offsets_flush(cw_offsets_t *o, char *errstr, size_t errstr_size);

/** Every stored offset of `connector` (the herder's GET offsets, KIP-875) as JSON text
 *  (malloc'd): [{"partition": <source partition>, "offset": <offset>}], [] when none; NULL
 *  when the backend cannot list. Thread-safe. Deleting one: cw_offsets_put with NULL. */
char *cw_offsets_list(cw_offsets_t *o, const char *connector);

/** Non-zero while the store refuses to write because this worker may have lost its lease
 *  (distributed mode, offsets_kafka.h): the runtime then tells no plugin of a commit.
 *  Thread-safe. */
int cw_offsets_fenced(cw_offsets_t *o);

/** Frees the store (NULL is fine); what was not flushed is lost. */
void cw_offsets_free(cw_offsets_t *o);
#endif
