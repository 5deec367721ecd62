/* UTF-8 checks and JSON string escaping (connect-worker/sdk_json.h). */
#include "connect-worker/sdk_json.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

size_t cw_sdk_utf8_seq_len(const void *ptr, size_t avail) {
    const unsigned char *p = ptr;
    unsigned c = p[0], cp, min;
    size_t n;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else
        return 0;
    if (avail < n) return 0;
    cp = c & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

int cw_sdk_utf8_valid(const void *s, size_t n, size_t *bad_at) {
    const unsigned char *p = s, *end = p + n;
    const uint64_t high = 0x8080808080808080u;
    while (p < end) {
        /* ASCII runs 8 bytes at a time: only a byte >= 0x80 needs a look. */
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            if (x & high) break;
            p += 8;
        }
        if (p >= end) break;
        size_t k = cw_sdk_utf8_seq_len(p, (size_t)(end - p));
        if (!k) {
            if (bad_at) *bad_at = (size_t)(p - (const unsigned char *)s);
            return 0;
        }
        p += k;
    }
    return 1;
}

static int plain(unsigned c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

/* SSE2 (every x86-64 has it): 16 bytes per step, and a short rest of a long enough span is
 * looked at as the span's last 16 (or 8) bytes, so bytes are taken one at a time only in spans
 * shorter than 8. A signed compare with 0x20 finds both the
 * control bytes and the bytes >= 0x80 (negative as signed), two more find '"' and '\\'.
 * Elsewhere, the SWAR loop below: each term marks bit 7 of the bytes it finds (a byte < 0x20,
 * a zero byte of q or bs, a byte >= 0x80); a borrow can only add false marks above a true
 * one, so on a little-endian machine the lowest mark is the first byte that is not plain. */
#if defined(__SSE2__)
static unsigned not_plain16(const unsigned char *p) {
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
                  backslash = _mm_set1_epi8('\\');
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_cmplt_epi8(x, space),
                             _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

static uint64_t not_plain8(const unsigned char *p) {
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t x, q, bs;
    memcpy(&x, p, 8);
    q = x ^ (ones * '"');
    bs = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs) | x) & high;
}

/* The rest of a span, shorter than 16 bytes from p; `start` is where the span began. */
__attribute__((noinline)) static const unsigned char *
plain_end_rest(const unsigned char *start, const unsigned char *p, const unsigned char *end) {
#if defined(__SSE2__)
    /* the span's last 16 bytes again, the ones already seen shifted out */
    if (p < end && end - start >= 16) {
        const unsigned char *q = end - 16;
        unsigned bits = not_plain16(q) >> (p - q);
        return bits ? p + __builtin_ctz(bits) : end;
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t m = not_plain8(p);
        if (m) return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
    if (p < end && end - start >= 8) {
        const unsigned char *q = end - 8;
        uint64_t m = not_plain8(q) >> (8 * (p - q));
        return m ? p + (__builtin_ctzll(m) >> 3) : end;
    }
#else
    while (end - p >= 8 && !not_plain8(p)) p += 8;
#endif
    while (p < end && plain(*p)) p++;
    return p;
}

const unsigned char *cw_sdk_json_plain_end(const unsigned char *p, const unsigned char *end) {
#if defined(__SSE2__)
    const unsigned char *start = p;
    while (end - p >= 16) {
        unsigned bits = not_plain16(p);
        if (bits) return p + __builtin_ctz(bits);
        p += 16;
    }
    return plain_end_rest(start, p, end);
#else
    return plain_end_rest(p, p, end);
#endif
}

static const char hex[] = "0123456789abcdef";

static char *put_u(char *o, unsigned v) {
    *o++ = '\\';
    *o++ = 'u';
    *o++ = hex[v >> 12 & 15];
    *o++ = hex[v >> 8 & 15];
    *o++ = hex[v >> 4 & 15];
    *o++ = hex[v & 15];
    return o;
}

static char *put_ascii_escape(char *o, unsigned c) {
    switch (c) {
    case '"':
        *o++ = '\\';
        *o++ = '"';
        return o;
    case '\\':
        *o++ = '\\';
        *o++ = '\\';
        return o;
    case '\n':
        *o++ = '\\';
        *o++ = 'n';
        return o;
    case '\r':
        *o++ = '\\';
        *o++ = 'r';
        return o;
    case '\t':
        *o++ = '\\';
        *o++ = 't';
        return o;
    case '\b':
        *o++ = '\\';
        *o++ = 'b';
        return o;
    case '\f':
        *o++ = '\\';
        *o++ = 'f';
        return o;
    default: return put_u(o, c);
    }
}

/* A valid multi-byte sequence of n bytes as \uXXXX (a surrogate pair above U+FFFF). */
static char *put_code_point(char *o, const unsigned char *p, size_t n) {
    unsigned cp = p[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) cp = cp << 6 | (p[i] & 0x3Fu);
    if (cp < 0x10000) return put_u(o, cp);
    cp -= 0x10000;
    o = put_u(o, 0xD800 | cp >> 10);
    return put_u(o, 0xDC00 | (cp & 0x3FF));
}

/* The escaped text of p[0..end) without quotes. */
static char *escape_body(char *o, const unsigned char *p, const unsigned char *end, int flags,
                         size_t *replaced) {
    while (p < end) {
        const unsigned char *run = p;
        p = cw_sdk_json_plain_end(p, end);
        memcpy(o, run, (size_t)(p - run));
        o += p - run;
        if (p >= end) break;
        if (*p < 0x80) {
            o = put_ascii_escape(o, *p++);
            continue;
        }
        size_t k = cw_sdk_utf8_seq_len(p, (size_t)(end - p));
        if (k == 0) {
            if (flags & CW_SDK_JSON_ASCII) {
                o = put_u(o, 0xFFFD);
            } else {
                *o++ = (char)0xEF;
                *o++ = (char)0xBF;
                *o++ = (char)0xBD;
            }
            if (replaced) (*replaced)++;
            p++;
            continue;
        }
        if (flags & CW_SDK_JSON_ASCII) {
            o = put_code_point(o, p, k);
        } else {
            memcpy(o, p, k);
            o += k;
        }
        p += k;
    }
    return o;
}

size_t cw_sdk_json_escape_to(char *dst, const void *s, size_t n, int flags, size_t *replaced) {
    const unsigned char *p = s;
    char *o = dst;
    *o++ = '"';
    o = escape_body(o, p, p + n, flags, replaced);
    *o++ = '"';
    return (size_t)(o - dst);
}

/* Long strings are escaped in pieces, so the room reserved is 6 times a piece, not 6 times
 * the whole string. A piece ends before a byte that is not a UTF-8 continuation byte, so no
 * valid sequence is cut (after 3 continuation bytes, none can belong to a valid one). */
#define PIECE 16384

int cw_sdk_buf_json_string(cw_sdk_buf_t *b, const void *s, size_t n, int flags, size_t *replaced) {
    const unsigned char *p = s, *end = p + n;
    size_t start = b->len;
    if (cw_sdk_buf_reserve(b, CW_SDK_JSON_ESCAPE_BOUND(n < PIECE ? n : PIECE)) != 0) return -1;
    b->data[b->len++] = '"';
    while (p < end) {
        size_t k = (size_t)(end - p) < PIECE ? (size_t)(end - p) : PIECE;
        for (int back = 0; back < 3 && p + k < end && (p[k] & 0xC0) == 0x80; back++) k--;
        if (cw_sdk_buf_reserve(b, CW_SDK_JSON_ESCAPE_BOUND(k)) != 0) {
            b->len = start;
            b->data[start] = '\0';
            return -1;
        }
        b->len = (size_t)(escape_body(b->data + b->len, p, p + k, flags, replaced) - b->data);
        p += k;
    }
    b->data[b->len++] = '"';
    b->data[b->len] = '\0';
    return 0;
}

/* Two digits per division (a table of "00".."99"): integers are formatted on every record
 * of the clean transform's streaming path. The length is counted first so that the digits
 * are written in place, from the end. */
size_t cw_sdk_format_int64(char *dst, int64_t v) {
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
                                   "25262728293031323334353637383940414243444546474849"
                                   "50515253545556575859606162636465666768697071727374"
                                   "75767778798081828384858687888990919293949596979899";
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    size_t len = v < 0, n = 1;
    for (uint64_t t = u; t >= 10; t /= 10) n++;
    if (v < 0) dst[0] = '-';
    char *w = dst + len + n;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--w = pairs[d + 1];
        *--w = pairs[d];
    }
    if (u >= 10) {
        *--w = pairs[u * 2 + 1];
        *--w = pairs[u * 2];
    } else {
        *--w = (char)('0' + u);
    }
    return len + n;
}
