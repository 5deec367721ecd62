/* Line splitting for the file source. Only "\n" (and "\r\n") ends a line, so a line is never
 * emitted before it is complete, even while another process is still writing it. */
#include "line_reader.h"

#include "connect-worker/sdk_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK 65536

void line_reader_init(line_reader_t *lr, int fd, int64_t pos) {
    memset(lr, 0, sizeof *lr);
    lr->fd = fd;
    lr->buf_pos = pos;
}

void line_reader_free(line_reader_t *lr) {
    free(lr->buf);
    lr->buf = NULL;
}

/* Makes room for READ_CHUNK more bytes, dropping consumed ones first. */
static int make_room(line_reader_t *lr) {
    if (lr->start > 0) {
        memmove(lr->buf, lr->buf + lr->start, lr->len - lr->start);
        lr->len -= lr->start;
        lr->buf_pos += (int64_t)lr->start;
        lr->start = 0;
    }
    /* errno is ENOMEM when this fails */
    if (lr->cap - lr->len < READ_CHUNK && cw_sdk_grow(&lr->buf, &lr->cap, lr->len + READ_CHUNK))
        return -1;
    return 0;
}

int line_reader_next(line_reader_t *lr, const char **line, size_t *len, int64_t *end_pos) {
    for (;;) {
        char *from = lr->buf ? lr->buf + lr->start + lr->scanned : NULL;
        size_t avail = lr->len - lr->start - lr->scanned;
        char *nl = avail ? memchr(from, '\n', avail) : NULL;
        if (nl) {
            char *begin = lr->buf + lr->start;
            size_t n = (size_t)(nl - begin);
            lr->start += n + 1;
            lr->scanned = 0;
            if (n > 0 && begin[n - 1] == '\r') n--;
            *line = begin;
            *len = n;
            *end_pos = lr->buf_pos + (int64_t)lr->start;
            return 1;
        }
        lr->scanned = lr->len - lr->start;
        if (make_room(lr) < 0) return -1;
        ssize_t r;
        do {
            r = read(lr->fd, lr->buf + lr->len, lr->cap - lr->len);
        } while (r < 0 && errno == EINTR);
        if (r < 0) return -1;
        if (r == 0) return 0;
        lr->len += (size_t)r;
    }
}
