/* Growable byte buffers (connect-worker/sdk_buf.h). */
#include "connect-worker/sdk_buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cw_sdk_grow(char **data, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    /* The first allocation is what was asked for (a caller that knows the size it needs,
     * e.g. a reserve before appends, gets it exactly); later ones double. */
    size_t c = *cap ? *cap : need > 64 ? need : 64;
    while (c < need) {
        if (c > SIZE_MAX / 2) {
            errno = EOVERFLOW;
            return -1;
        }
        c *= 2;
    }
    char *d = realloc(*data, c);
    if (!d) {
        errno = ENOMEM;
        return -1;
    }
    *data = d;
    *cap = c;
    return 0;
}

int cw_sdk_buf_reserve(cw_sdk_buf_t *b, size_t extra) {
    if (extra > SIZE_MAX - b->len - 1) {
        errno = EOVERFLOW;
        return -1;
    }
    return cw_sdk_grow(&b->data, &b->cap, b->len + extra + 1);
}

int cw_sdk_buf_append(cw_sdk_buf_t *b, const void *data, size_t n) {
    if (cw_sdk_buf_reserve(b, n) != 0) return -1;
    if (n) memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int cw_sdk_buf_puts(cw_sdk_buf_t *b, const char *s) { return cw_sdk_buf_append(b, s, strlen(s)); }

int cw_sdk_buf_putc(cw_sdk_buf_t *b, char c) {
    if (b->len + 2 > b->cap && cw_sdk_buf_reserve(b, 1) != 0) return -1;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return 0;
}

int cw_sdk_buf_vprintf(cw_sdk_buf_t *b, const char *fmt, va_list ap) {
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        va_end(again);
        errno = EINVAL;
        return -1;
    }
    if (cw_sdk_buf_reserve(b, (size_t)n) != 0) {
        va_end(again);
        return -1;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
    return 0;
}

int cw_sdk_buf_printf(cw_sdk_buf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = cw_sdk_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void cw_sdk_buf_reset(cw_sdk_buf_t *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

char *cw_sdk_buf_detach(cw_sdk_buf_t *b, size_t *len) {
    char *d = b->data;
    if (len) *len = b->len;
    if (!d) {
        d = calloc(1, 1);
        if (!d) errno = ENOMEM;
        return d;
    }
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void cw_sdk_buf_free(cw_sdk_buf_t *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
