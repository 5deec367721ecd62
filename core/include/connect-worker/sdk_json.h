/*
 * connect-worker SDK: UTF-8 checks and JSON string escaping (see sdk.h for the conventions).
 *
 * UTF-8 here is RFC 3629 as jansson checks it: no overlong forms, no surrogates (U+D800 to
 * U+DFFF), nothing above U+10FFFF. All functions are pure: thread-safe, no allocation except
 * where a cw_sdk_buf_t grows. Only cw_sdk_json_describe needs jansson.
 */
#ifndef CONNECT_WORKER_SDK_JSON_H
#define CONNECT_WORKER_SDK_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "sdk_buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Length (1 to 4) of the valid UTF-8 sequence that starts at p, with `avail` bytes readable
 *  there (avail >= 1); 0 when the bytes there are not valid UTF-8 (a stray continuation
 *  byte, an overlong form, a surrogate, a code point above U+10FFFF, or a sequence cut off
 *  by the end). An ASCII byte (including NUL) is a sequence of 1. */
size_t cw_sdk_utf8_seq_len(const void *p, size_t avail);

/** 1 when s[0..n) is valid UTF-8 (NUL bytes are valid), 0 when not; then *bad_at (when not
 *  NULL) receives the offset of the first byte of the first invalid sequence. Fast for ASCII
 *  text (8 bytes at a time). */
int cw_sdk_utf8_valid(const void *s, size_t n, size_t *bad_at);

/** The fast scan of JSON string text: the first byte at or after p (and before end) that is
 *  not "plain", i.e. not printable ASCII other than the quote and the backslash, or end when
 *  every byte is plain. Those bytes are what a JSON reader must look at (escapes, control
 *  characters, UTF-8 to check) and what a JSON writer must escape; text in between can be
 *  copied as it is. Tests 16 bytes at a time with SSE2, else 8 on little-endian machines. */
const unsigned char *cw_sdk_json_plain_end(const unsigned char *p, const unsigned char *end);

/** Flags of the JSON string writers. */
#define CW_SDK_JSON_ASCII                                                                          \
    0x1 /**< write every non-ASCII character as \uXXXX (a surrogate pair
                                   above U+FFFF), as jansson's JSON_ENSURE_ASCII; by default
                                   UTF-8 is copied as it is */

/** The most bytes cw_sdk_json_escape_to writes for n input bytes: 6 * n + 2. Check n <=
 *  (SIZE_MAX - 2) / 6 before calling when n is not known to be small. */
#define CW_SDK_JSON_ESCAPE_BOUND(n) ((n)*6 + 2)

/** Writes s[0..n) as a quoted JSON string (RFC 8259) to dst, which must have room for
 *  CW_SDK_JSON_ESCAPE_BOUND(n) bytes (it may write scratch bytes anywhere in that room past
 *  the result: it copies 16 bytes a step); writes no NUL. Escaped: the quote, the backslash
 *  and the control characters U+0000 to U+001F (as \b \f \n \r \t, else \u00xx in lower
 *  case), and with CW_SDK_JSON_ASCII everything above U+007F. '/' and U+007F are not
 *  escaped (as jansson writes them). Each byte that does not start a valid UTF-8 sequence
 *  becomes U+FFFD, so the output is always valid JSON; *replaced (when not NULL) is
 *  incremented once per replaced byte. Returns the number of bytes written. */
size_t cw_sdk_json_escape_to(char *dst, const void *s, size_t n, int flags, size_t *replaced);

/** Appends s[0..n) to b as a quoted JSON string, as cw_sdk_json_escape_to describes. Long
 *  strings are escaped in pieces, so b never reserves much more than the result needs.
 *  Returns 0, or -1 with errno ENOMEM and b unchanged. */
int cw_sdk_buf_json_string(cw_sdk_buf_t *b, const void *s, size_t n, int flags, size_t *replaced);

/** The most bytes cw_sdk_format_int64 writes: a sign and 19 digits. */
#define CW_SDK_INT64_TEXT_MAX 20

/** Writes v in decimal (as printf's %lld, which JSON takes as a number) to dst, which must
 *  have room for CW_SDK_INT64_TEXT_MAX bytes; writes no NUL. Returns the number of bytes
 *  written. For hot paths that write integers per record: no locale, no format parsing. */
size_t cw_sdk_format_int64(char *dst, int64_t v);

struct json_t; /* jansson's; include <jansson.h> to build values */

/** Writes a short, printable description of the jansson value v (borrowed; NULL reads as
 *  null) into buf, NUL-terminated and cut to `size`, for error messages that name a value:
 *  a string quoted in single quotes, its first 60 bytes with every byte outside printable
 *  ASCII (and the backslash) as \xNN and "..." when it is longer; a number as JSON writes it
 *  (reals with 17 significant digits); true, false, null; "(an object)" or "(an array)".
 *  Never fails. Thread-safe as long as nobody changes v meanwhile. Uses jansson. */
void cw_sdk_json_describe(const struct json_t *v, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
