/*
 * connect-worker SDK: growable byte buffers (see sdk.h for the conventions).
 *
 * A cw_sdk_buf_t is a plain struct the caller owns (on the stack or inside its own state);
 * zero-initialise it ({0}) and it is an empty buffer. Its data is malloc'd memory and is
 * always NUL-terminated once anything has been appended, so text can be used as a C string;
 * the terminator is not counted in len. A buffer is not thread-safe: one thread at a time.
 */
#ifndef CONNECT_WORKER_SDK_BUF_H
#define CONNECT_WORKER_SDK_BUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cw_sdk_buf {
    char *data; /**< owned, malloc'd; NULL until the first append or reserve */
    size_t len; /**< bytes written, not counting the NUL that follows them */
    size_t cap; /**< bytes allocated */
} cw_sdk_buf_t;

/** Grows the malloc'd array *data (of *cap bytes) so it holds at least `need` bytes: the first
 *  allocation is max(need, 64) bytes, later ones double the capacity until it is enough, so
 *  appends stay amortised O(1) and a reserve on an empty buffer allocates no more than asked. For callers that keep their own pointer and
 *  capacity instead of a cw_sdk_buf_t. *data may be NULL (with *cap 0).
 *  Returns 0, or -1 with errno ENOMEM (or EOVERFLOW when need cannot be represented) and
 *  *data and *cap unchanged. */
int cw_sdk_grow(char **data, size_t *cap, size_t need);

/** Makes room for `extra` more bytes after len (and the NUL). Returns 0, or -1 (ENOMEM) with
 *  the buffer unchanged. */
int cw_sdk_buf_reserve(cw_sdk_buf_t *b, size_t extra);

/** Appends n bytes of `data` (borrowed; may contain NULs; may be NULL when n is 0).
 *  Returns 0, or -1 (ENOMEM) with the buffer unchanged. */
int cw_sdk_buf_append(cw_sdk_buf_t *b, const void *data, size_t n);

/** Appends the C string s (borrowed). Returns 0 or -1 (ENOMEM), buffer unchanged. */
int cw_sdk_buf_puts(cw_sdk_buf_t *b, const char *s);

/** Appends one byte. Returns 0 or -1 (ENOMEM), buffer unchanged. */
int cw_sdk_buf_putc(cw_sdk_buf_t *b, char c);

/** Appends printf-formatted text. Returns 0, or -1 (ENOMEM, or EINVAL for an encoding error
 *  reported by vsnprintf) with the buffer unchanged. */
int cw_sdk_buf_printf(cw_sdk_buf_t *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** As cw_sdk_buf_printf with a va_list (consumed). */
int cw_sdk_buf_vprintf(cw_sdk_buf_t *b, const char *fmt, va_list ap);

/** Empties the buffer and keeps its memory for reuse. */
void cw_sdk_buf_reset(cw_sdk_buf_t *b);

/** Hands the data over to the caller, who frees it with free(), and leaves the buffer empty
 *  (as if zero-initialised). Returns "" allocated afresh when nothing was appended, or NULL
 *  (ENOMEM) when that allocation fails; *len (when not NULL) receives the length. */
char *cw_sdk_buf_detach(cw_sdk_buf_t *b, size_t *len);

/** Frees the data and leaves the buffer empty. Safe on a zeroed or already freed buffer. */
void cw_sdk_buf_free(cw_sdk_buf_t *b);

#ifdef __cplusplus
}
#endif
#endif
