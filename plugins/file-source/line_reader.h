/* Reads complete lines from a file descriptor that may still be growing, remembering the
 * byte position after each line (the file source's offset). */
#ifndef CW_FILE_SOURCE_LINE_READER_H
#define CW_FILE_SOURCE_LINE_READER_H
#include <stddef.h>
#include <stdint.h>

typedef struct line_reader {
    int fd;
    char *buf;
    size_t start, len, cap; /* unconsumed bytes are buf[start..len) */
    size_t scanned;         /* bytes of buf[start..] already known to hold no newline */
    int64_t buf_pos;        /* file position of buf[0] */
} line_reader_t;

/** Starts reading `fd`, which is positioned at byte `pos`. */
void line_reader_init(line_reader_t *lr, int fd, int64_t pos);
void line_reader_free(line_reader_t *lr);

/** Returns 1 with the next complete line (without "\n" or "\r\n"; borrowed until the next
 *  call) and the file position after its newline; 0 when no complete line is available yet
 *  (an incomplete last line waits for its newline); -1 on a read error (errno set). */
int line_reader_next(line_reader_t *lr, const char **line, size_t *len, int64_t *end_pos);
#endif
