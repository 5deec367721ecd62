/* The SDK's growable byte buffers (connect-worker/sdk_buf.h). */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "connect-worker/sdk_buf.h"

static void test_appends(void) {
    cw_sdk_buf_t b = {0};
    CHECK(cw_sdk_buf_puts(&b, "ab") == 0 && b.len == 2);
    CHECK(cw_sdk_buf_putc(&b, 'c') == 0);
    CHECK(cw_sdk_buf_append(&b, "\0d", 2) == 0 && b.len == 5);
    CHECK(memcmp(b.data, "abc\0d", 6) == 0); /* NUL kept inside, and one after */
    CHECK(cw_sdk_buf_printf(&b, "-%d-%s", 42, "x") == 0);
    CHECK(b.len == 10 && memcmp(b.data + 5, "-42-x", 6) == 0);
    CHECK(cw_sdk_buf_append(&b, NULL, 0) == 0 && b.len == 10);
    cw_sdk_buf_reset(&b);
    CHECK(b.len == 0 && b.data && b.data[0] == '\0' && b.cap > 0);
    /* many appends: doubling keeps every byte */
    for (int i = 0; i < 10000; i++) CHECK(cw_sdk_buf_putc(&b, (char)('a' + i % 26)) == 0);
    int same = 1;
    for (int i = 0; i < 10000; i++) same &= b.data[i] == (char)('a' + i % 26);
    CHECK(same && b.len == 10000 && b.data[10000] == '\0');
    /* a long printf (longer than any first guess) */
    cw_sdk_buf_reset(&b);
    CHECK(cw_sdk_buf_printf(&b, "%5000d|", 7) == 0 && b.len == 5001 && b.data[5000] == '|');
    cw_sdk_buf_free(&b);
    CHECK(!b.data && !b.len && !b.cap);
    cw_sdk_buf_free(&b); /* twice is fine */
}

static void test_detach(void) {
    cw_sdk_buf_t b = {0};
    size_t len = 99;
    char *s = cw_sdk_buf_detach(&b, &len); /* nothing appended: "" of our own */
    CHECK(s && s[0] == '\0' && len == 0);
    free(s);
    cw_sdk_buf_puts(&b, "hello");
    s = cw_sdk_buf_detach(&b, &len);
    CHECK_STR(s, "hello");
    CHECK(len == 5 && !b.data && !b.len && !b.cap);
    free(s);
}

static void test_grow(void) {
    char *d = NULL;
    size_t cap = 0;
    /* the first allocation is what was asked for (at least 64), later ones double */
    CHECK(cw_sdk_grow(&d, &cap, 10) == 0 && cap == 64);
    CHECK(cw_sdk_grow(&d, &cap, 65) == 0 && cap == 128);
    CHECK(cw_sdk_grow(&d, &cap, 1000) == 0 && cap == 1024);
    CHECK(cw_sdk_grow(&d, &cap, 500) == 0 && cap == 1024);
    free(d);
    d = NULL;
    cap = 0;
    CHECK(cw_sdk_grow(&d, &cap, 100000) == 0 && cap == 100000);
    /* a size that cannot be had fails with the buffer unchanged */
    char *before = d;
    errno = 0;
    CHECK(cw_sdk_grow(&d, &cap, SIZE_MAX) == -1 && (errno == EOVERFLOW || errno == ENOMEM));
    CHECK(d == before && cap == 100000);
    free(d);
    cw_sdk_buf_t b = {0};
    cw_sdk_buf_puts(&b, "x");
    errno = 0;
    CHECK(cw_sdk_buf_reserve(&b, SIZE_MAX) == -1 && errno == EOVERFLOW);
    CHECK(b.len == 1 && !strcmp(b.data, "x"));
    /* a reserve on an empty buffer allocates what it asked for, plus the NUL */
    cw_sdk_buf_t r = {0};
    CHECK(cw_sdk_buf_reserve(&r, 5000) == 0 && r.cap == 5001 && r.len == 0);
    cw_sdk_buf_free(&r);
    cw_sdk_buf_free(&b);
}

int main(void) {
    test_appends();
    test_detach();
    test_grow();
    CHECK_DONE();
}
