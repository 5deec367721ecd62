#include "rds_buf.h"
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rds_buf_reserve(rds_buf_t *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return -1;
    b->data = d;
    b->cap = cap;
    return 0;
}

int rds_buf_append(rds_buf_t *b, const void *data, size_t len) {
    if (rds_buf_reserve(b, len) != 0) return -1;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int rds_buf_puts(rds_buf_t *b, const char *s) { return rds_buf_append(b, s, strlen(s)); }

int rds_buf_printf(rds_buf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || rds_buf_reserve(b, (size_t)n) != 0) return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void rds_buf_reset(rds_buf_t *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void rds_buf_free(rds_buf_t *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 when it is invalid
 * (overlong forms, surrogates and code points above U+10FFFF are invalid too). */
static size_t utf8_seq_len(const unsigned char *s, size_t avail) {
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    if (avail < n) return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static int plain(unsigned c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

/* The first byte at or after p that needs escaping or a UTF-8 check (anything but printable
 * ASCII other than quote and backslash), or end. The bulk of row text is plain: it is tested
 * 8 bytes at a time. Each term below marks bit 7 of the bytes it finds (a byte < 0x20, a
 * zero byte of q or bs, a byte >= 0x80); a borrow only adds false marks above a true one, so
 * on a little-endian machine the lowest mark is the first byte that is not plain. */
static const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end) {
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    while (end - p >= 8) {
        uint64_t x, q, bs, m;
        memcpy(&x, p, 8);
        q = x ^ (ones * '"');
        bs = x ^ (ones * '\\');
        m = (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs) | x) & high;
        if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return p + (__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
        p += 8;
    }
    while (p < end && plain(*p)) p++;
    return p;
}

int rds_buf_json_string(rds_buf_t *b, const char *s, size_t len, size_t *replaced) {
    /* Worst case: every byte becomes \u00XX (6 bytes) or U+FFFD (3 bytes). */
    if (rds_buf_reserve(b, len * 6 + 2) != 0) return -1;
    char *o = b->data + b->len;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    static const char hex[] = "0123456789abcdef";
    *o++ = '"';
    while (p < end) {
        const unsigned char *run = p;
        p = skip_plain(p, end);
        memcpy(o, run, (size_t)(p - run));
        o += p - run;
        if (p >= end) break;
        unsigned c = *p;
        if (c < 0x80) {
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            default:
                *o++ = 'u'; *o++ = '0'; *o++ = '0';
                *o++ = hex[c >> 4]; *o++ = hex[c & 15];
            }
            p++;
            continue;
        }
        size_t n = utf8_seq_len(p, (size_t)(end - p));
        if (n == 0) {
            *o++ = (char)0xEF; *o++ = (char)0xBF; *o++ = (char)0xBD;
            if (replaced) (*replaced)++;
            p++;
            continue;
        }
        memcpy(o, p, n);
        o += n;
        p += n;
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

int rds_buf_json_base64(rds_buf_t *b, const unsigned char *s, size_t len) {
    size_t out = 4 * ((len + 2) / 3);
    if (rds_buf_reserve(b, out + 2) != 0) return -1;
    b->data[b->len++] = '"';
    if (len > 0) {
        /* EVP_EncodeBlock takes an int length: encode in chunks that are multiples of 3. */
        size_t done = 0;
        while (done < len) {
            size_t chunk = len - done;
            if (chunk > (size_t)3 * 1024 * 1024) chunk = (size_t)3 * 1024 * 1024;
            int w = EVP_EncodeBlock((unsigned char *)b->data + b->len, s + done, (int)chunk);
            b->len += (size_t)w;
            done += chunk;
        }
    }
    b->data[b->len++] = '"';
    b->data[b->len] = '\0';
    return 0;
}

int rds_json_number_ok(const char *s, size_t len) {
    size_t i = 0;
    if (i < len && s[i] == '-') i++;
    if (i >= len) return 0;
    if (s[i] == '0') i++;
    else if (s[i] >= '1' && s[i] <= '9') while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    else return 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t st = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t st = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return 0;
    }
    return i == len;
}
