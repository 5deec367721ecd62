/* The file sink's commit record: the output file's size and the next Kafka offset of every
 * partition (the original, consumed topic partition, whatever transforms routed the record
 * to) as of the last flush, kept in a small JSON file next to the output. It lets a
 * restarted sink drop lines written after the last flush and skip records already written,
 * so a crash never duplicates lines. */
#ifndef CW_FILE_SINK_STATE_H
#define CW_FILE_SINK_STATE_H
#include <stddef.h>
#include <stdint.h>

typedef struct sink_tp_offset {
    char *topic;
    int32_t partition;
    int64_t next_offset; /* offset after the last record in the file */
} sink_tp_offset_t;

typedef struct sink_state {
    int64_t file_size; /* bytes of the output that are durable and accounted for */
    sink_tp_offset_t *tps;
    size_t count, cap;
} sink_state_t;

void sink_state_free(sink_state_t *st);
/** Next offset stored for topic/partition, or -1 when none. */
int64_t sink_state_next(const sink_state_t *st, const char *topic, int32_t partition);
/** Records that everything below next_offset of topic/partition is in the file. */
void sink_state_set(sink_state_t *st, const char *topic, int32_t partition, int64_t next_offset);

/** Reads the state file. Returns 1 when loaded, 0 when it does not exist (state empty), -1 on
 *  an error with errstr naming the file. */
int sink_state_load(sink_state_t *st, const char *path, char *errstr, size_t errstr_size);
/** Replaces the state file atomically and durably (temp file, fsync, rename, fsync dir).
 *  Returns 0 or -1 with errstr. */
int sink_state_save(const sink_state_t *st, const char *path, char *errstr, size_t errstr_size);
#endif
