/*
 * A fast, allocation-free pre-check of JSON text for JsonConverter (see json_check.h).
 *
 * jansson stays the authority: this only answers "certainly accepted" for the common case
 * and leaves everything else (errors, error messages, numbers that might overflow a double,
 * NUL in object keys, very deep nesting) to json_loadb. Everything it accepts must be
 * accepted by json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL);
 * tests/core/test_json_check.c checks that against jansson on hand-picked and random input.
 */
#include "json_check.h"

#include "connect-worker/sdk_json.h"

#include <stdint.h>

/* Shallower than jansson's limit (2048), so that depth never decides an answer here. */
#define MAX_DEPTH 512

typedef struct {
    const unsigned char *p, *end;
} cur_t;

static void skip_ws(cur_t *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
        c->p++;
}

static int hex4(const unsigned char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

/* A string starting at the opening quote. `key`: a NUL (\u0000) makes the answer unsure
 * (jansson refuses NUL in object keys even with JSON_ALLOW_NUL). */
static int string(cur_t *c, int key) {
    const unsigned char *p = c->p + 1, *end = c->end;
    for (;;) {
        p = cw_sdk_json_plain_end(p, end);
        if (p >= end) return 0;
        unsigned ch = *p;
        if (ch == '"') {
            c->p = p + 1;
            return 1;
        }
        if (ch < 0x20) return 0;
        if (ch >= 0x80) {
            size_t n = cw_sdk_utf8_seq_len(p, (size_t)(end - p));
            if (!n) return 0;
            p += n;
            continue;
        }
        /* a backslash */
        if (end - p < 2) return 0;
        switch (p[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't': p += 2; continue;
        case 'u': break;
        default: return 0;
        }
        unsigned u;
        if (end - p < 6 || !hex4(p + 2, &u)) return 0;
        p += 6;
        if (u == 0 && key) return 0;
        if (u >= 0xDC00 && u <= 0xDFFF) return 0; /* a lone low surrogate */
        if (u >= 0xD800 && u <= 0xDBFF) {         /* must be followed by a low one */
            unsigned lo;
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &lo) || lo < 0xDC00 ||
                lo > 0xDFFF)
                return 0;
            p += 6;
        }
    }
}

/* An object member's key and its colon, and the white space after it. */
static int member_key(cur_t *c) {
    if (c->p >= c->end || *c->p != '"' || !string(c, 1)) return 0;
    skip_ws(c);
    if (c->p >= c->end || *c->p != ':') return 0;
    c->p++;
    skip_ws(c);
    return 1;
}
static int is_digit(unsigned c) { return c >= '0' && c <= '9'; }

/* A number. Sure only when it cannot overflow a double (jansson rejects those, and reads
 * every number as a double here): its decimal magnitude is known to be within +-300. */
static int number(cur_t *c) {
    const unsigned char *p = c->p, *end = c->end;
    if (p < end && *p == '-') p++;
    if (p >= end || !is_digit(*p)) return 0;
    long magnitude; /* decimal exponent of the first significant digit, without e */
    int zero = 0;   /* every digit so far is 0 */
    if (*p == '0') {
        p++;
        zero = 1;
        magnitude = 0;
    } else {
        const unsigned char *s = p;
        while (p < end && is_digit(*p)) p++;
        if (p - s > 300) return 0;
        magnitude = (long)(p - s) - 1;
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p)) return 0;
        const unsigned char *s = p;
        while (p < end && is_digit(*p)) {
            if (zero && *p != '0') {
                zero = 0;
                magnitude = -(long)(p - s) - 1;
            }
            p++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int neg = 0;
        if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
        if (p >= end || !is_digit(*p)) return 0;
        long e = 0;
        while (p < end && is_digit(*p)) {
            if (e > 100000) return 0;
            e = e * 10 + (*p++ - '0');
        }
        magnitude += neg ? -e : e;
    }
    if (!zero && (magnitude > 300 || magnitude < -300)) return 0;
    c->p = p;
    return 1;
}

static int literal(cur_t *c, const char *word, size_t n) {
    if ((size_t)(c->end - c->p) < n) return 0;
    for (size_t i = 0; i < n; i++)
        if (c->p[i] != (unsigned char)word[i]) return 0;
    c->p += n;
    return 1;
}

/* Containers are walked iteratively: a bit per level says array (1) or object (0). */
int cw_json_surely_valid(const void *data, size_t len) {
    cur_t c = {data, (const unsigned char *)data + len};
    uint64_t kinds[MAX_DEPTH / 64];
    int depth = 0;
    skip_ws(&c);
    for (;;) {
        /* a value */
        if (c.p >= c.end) return 0;
        switch (*c.p) {
        case '{':
        case '[': {
            int array = *c.p == '[';
            if (depth >= MAX_DEPTH) return 0;
            if (array)
                kinds[depth / 64] |= (uint64_t)1 << (depth % 64);
            else
                kinds[depth / 64] &= ~((uint64_t)1 << (depth % 64));
            depth++;
            c.p++;
            skip_ws(&c);
            if (c.p < c.end && *c.p == (array ? ']' : '}')) {
                c.p++;
                depth--;
                break; /* an empty container is a complete value */
            }
            if (!array && !member_key(&c)) return 0;
            continue; /* the first element */
        }
        case '"':
            if (!string(&c, 0)) return 0;
            break;
        case 't':
            if (!literal(&c, "true", 4)) return 0;
            break;
        case 'f':
            if (!literal(&c, "false", 5)) return 0;
            break;
        case 'n':
            if (!literal(&c, "null", 4)) return 0;
            break;
        default:
            if (!number(&c)) return 0;
            break;
        }
        /* after a complete value: close containers or go on to the next element */
        for (;;) {
            skip_ws(&c);
            if (depth == 0) return c.p == c.end;
            int array = (kinds[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1;
            if (c.p >= c.end) return 0;
            if (*c.p == (array ? ']' : '}')) {
                c.p++;
                depth--;
                continue;
            }
            if (*c.p != ',') return 0;
            c.p++;
            skip_ws(&c);
            if (!array && !member_key(&c)) return 0;
            break; /* the next element */
        }
    }
}
