/* cw_json_surely_valid (core/src/json_check.c) against jansson, the authority: whatever the
 * fast check vouches for, json_loadb must accept; and the common shapes (rows a source
 * plugin writes) must be vouched for, or the fast path would do nothing. Hand-picked cases,
 * then random documents and random mutations of them (fixed seed). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json_check.h"

static int jansson_ok(const char *s, size_t n) {
    json_error_t e;
    json_t *v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &e);
    json_decref(v);
    return v != NULL;
}

/* The fast check may say "unsure" (0) about valid text, never "valid" about invalid text. */
static long disagreements;
static void differential(const char *s, size_t n) {
    if (cw_json_surely_valid(s, n) && !jansson_ok(s, n)) {
        if (disagreements++ < 10)
            fprintf(stderr, "vouched for, jansson rejects: %.*s\n", (int)n, s);
    }
}

static void sure(const char *s) {
    if (!cw_json_surely_valid(s, strlen(s))) {
        fprintf(stderr, "not vouched for: %s\n", s);
        check_failures++;
    }
    if (!jansson_ok(s, strlen(s))) {
        fprintf(stderr, "test case is not JSON for jansson: %s\n", s);
        check_failures++;
    }
}

static void not_sure(const char *s, size_t n) {
    if (cw_json_surely_valid(s, n)) {
        fprintf(stderr, "vouched for: %.*s\n", (int)n, s);
        check_failures++;
    }
}
#define NOT_SURE(lit) not_sure(lit, sizeof(lit) - 1)

/* --- random documents ------------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15u;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

typedef struct {
    char *d;
    size_t n, cap;
} buf_t;

static void put(buf_t *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->d = realloc(b->d, b->cap);
        if (!b->d) abort();
    }
    memcpy(b->d + b->n, s, n);
    b->n += n;
    b->d[b->n] = '\0';
}
static void puts_(buf_t *b, const char *s) { put(b, s, strlen(s)); }

static void gen_string(buf_t *b, int key) {
    static const char *const pieces[] = {"a",
                                         "Title of pin 42",
                                         " ",
                                         "\\\"",
                                         "\\\\",
                                         "\\/",
                                         "\\n",
                                         "\\t",
                                         "\\b",
                                         "\\f",
                                         "\\r",
                                         "\\u00e9",
                                         "\\u20AC",
                                         "\\ud83d\\ude00",
                                         "\xc3\xa9",
                                         "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80",
                                         "~\x7f",
                                         "https://i.pinimg.com/originals/x.jpg",
                                         "\\u0000"};
    puts_(b, "\"");
    int n = (int)rnd(5);
    for (int i = 0; i < n; i++) {
        const char *p = pieces[rnd(sizeof pieces / sizeof *pieces - (key ? 1 : 0))];
        puts_(b, p);
    }
    puts_(b, "\"");
}

static void gen_number(buf_t *b) {
    static const char *const nums[] = {"0",
                                       "-0",
                                       "1",
                                       "-89.9787",
                                       "18446744073709551615",
                                       "3.14159",
                                       "1e10",
                                       "1E+2",
                                       "-2.5e-7",
                                       "0.000001",
                                       "123456789012345678901234567890.1234567891",
                                       "1e300",
                                       "9.99e300",
                                       "0e0",
                                       "-1.7976931348623157e300",
                                       "5"};
    puts_(b, nums[rnd(sizeof nums / sizeof *nums)]);
}

static void gen_ws(buf_t *b) {
    static const char *const ws[] = {"", "", "", " ", "\n", "\t", "\r\n  "};
    puts_(b, ws[rnd(sizeof ws / sizeof *ws)]);
}

static void gen_value(buf_t *b, int depth) {
    unsigned k = rnd(depth > 4 ? 5 : 8);
    gen_ws(b);
    switch (k) {
    case 0: gen_string(b, 0); break;
    case 1: gen_number(b); break;
    case 2: puts_(b, "true"); break;
    case 3: puts_(b, "false"); break;
    case 4: puts_(b, "null"); break;
    case 5:
    case 6: { /* object */
        puts_(b, "{");
        int n = (int)rnd(5);
        for (int i = 0; i < n; i++) {
            if (i) puts_(b, ",");
            gen_ws(b);
            gen_string(b, 1);
            gen_ws(b);
            puts_(b, ":");
            gen_value(b, depth + 1);
        }
        gen_ws(b);
        puts_(b, "}");
        break;
    }
    default: { /* array */
        puts_(b, "[");
        int n = (int)rnd(5);
        for (int i = 0; i < n; i++) {
            if (i) puts_(b, ",");
            gen_value(b, depth + 1);
        }
        gen_ws(b);
        puts_(b, "]");
    }
    }
    gen_ws(b);
}

static void mutate(buf_t *b) {
    static const char special[] =
        "{}[]\":,\\.-+eE0123456789tfnu \x00\x01\x7f\x80\xbf\xc0\xc3\xed\xf0\xf4\xf5\xff";
    if (b->n == 0) return;
    size_t at = rnd((unsigned)b->n);
    switch (rnd(4)) {
    case 0: b->d[at] = special[rnd(sizeof special - 1)]; break; /* replace */
    case 1: b->n = at; break;                                   /* truncate */
    case 2:                                                     /* delete */
        memmove(b->d + at, b->d + at + 1, b->n - at - 1);
        b->n--;
        break;
    default: { /* insert */
        char c = special[rnd(sizeof special - 1)];
        put(b, " ", 1);
        memmove(b->d + at + 1, b->d + at, b->n - at - 1);
        b->d[at] = c;
    }
    }
}

int main(void) {
    /* what sources write: rows, and the shapes around them */
    sure("{\"index\":1,\"unique_id\":\"9d7e3b42-54a1-11ee-8c99-0242ac120002\",\"title\":"
         "\"Title of pin 1\",\"description\":\"A description \\\"quoted\\\" of pin\","
         "\"follower_count\":\"1k\",\"downloaded\":1,\"latitude\":-89.97789,\"n\":null}");
    sure("{}");
    sure("[]");
    sure(" { \"a\" : [ 1 , 2.5 , -3e2 , true , false , null , { } , [ ] ] } \n");
    sure("\"just a string\"");
    sure("42");
    sure("-0");
    sure("0.5");
    sure("18446744073709551615"); /* beyond int64: a real for jansson */
    sure("123456789012345678901234567890.1234567891");
    sure("1e300");
    sure("\"\\u00e9\\u20ac\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    sure("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"");
    sure("\"a\\u0000b\"");  /* NUL in a value: JSON_ALLOW_NUL */
    char deep[2 * 300 + 2]; /* nesting deeper than any row, shallower than the limits */
    memset(deep, '[', 300);
    deep[300] = '1';
    memset(deep + 301, ']', 300);
    deep[601] = '\0';
    sure(deep);
    char *deeper = malloc(2 * 1000 + 2); /* beyond the check's own depth: jansson decides */
    memset(deeper, '[', 1000);
    deeper[1000] = '1';
    memset(deeper + 1001, ']', 1000);
    not_sure(deeper, 2001);
    free(deeper);

    /* one byte at every position of a long string (scanned a word at a time) */
    static const struct {
        unsigned char c;
        int valid;
    } bytes[] = {{' ', 1},  {'~', 1},  {0x7f, 1}, {'/', 1},  {'"', 0},  {'\\', 0},
                 {0x00, 0}, {0x01, 0}, {0x1f, 0}, {0x80, 0}, {0xc3, 0}, {0xff, 0}};
    for (size_t k = 0; k < sizeof bytes / sizeof *bytes; k++)
        for (size_t pos = 1; pos < 25; pos++) {
            char s[27];
            memset(s, 'x', sizeof s);
            s[0] = s[25] = '"';
            s[26] = '\0';
            s[pos] = (char)bytes[k].c;
            if (bytes[k].valid)
                sure(s);
            else
                not_sure(s, 26);
        }

    /* not JSON, or not for jansson */
    NOT_SURE("");
    NOT_SURE("   ");
    NOT_SURE("{");
    NOT_SURE("{\"a\":1");
    NOT_SURE("{\"a\":1,}");
    NOT_SURE("[1,]");
    NOT_SURE("[1 2]");
    NOT_SURE("{\"a\" 1}");
    NOT_SURE("{a:1}");
    NOT_SURE("{\"a\":1}}");
    NOT_SURE("{\"a\":1} x");
    NOT_SURE("1 2");
    NOT_SURE("01");
    NOT_SURE("-");
    NOT_SURE("1.");
    NOT_SURE(".5");
    NOT_SURE("1e");
    NOT_SURE("1e+");
    NOT_SURE("+1");
    NOT_SURE("0x10");
    NOT_SURE("NaN");
    NOT_SURE("Infinity");
    NOT_SURE("tru");
    NOT_SURE("truex");
    NOT_SURE("nul");
    NOT_SURE("'a'");
    NOT_SURE("\"unterminated");
    NOT_SURE("\"tab\tinside\"");
    NOT_SURE("\"nl\ninside\"");
    NOT_SURE("\"nul\0inside\"");
    NOT_SURE("\"bad escape \\x\"");
    NOT_SURE("\"short \\u12\"");
    NOT_SURE("\"lone high \\ud83d\"");
    NOT_SURE("\"lone high \\ud83d\\u0041\"");
    NOT_SURE("\"lone low \\ude00\"");
    NOT_SURE("\"\xc3\"");             /* truncated UTF-8 */
    NOT_SURE("\"\xc0\xaf\"");         /* overlong */
    NOT_SURE("\"\xed\xa0\x80\"");     /* a surrogate in UTF-8 */
    NOT_SURE("\"\xf4\x90\x80\x80\""); /* above U+10FFFF */
    NOT_SURE("\"\xff\"");
    NOT_SURE("\xef\xbb\xbf{}");   /* a byte order mark */
    NOT_SURE("{\"a\\u0000\":1}"); /* jansson: NUL byte in object key not supported */
    NOT_SURE("1e400");            /* jansson: real number overflow */
    NOT_SURE("-1e309");
    CHECK(!jansson_ok("1e400", 5));

    /* random documents: the fast check must vouch for all of them (numbers stay within
     * +-1e301) and jansson must accept them; mutations: never vouched for wrongly */
    buf_t b = {0};
    long generated = 0, vouched = 0, mutants = 0, mutants_vouched = 0;
    for (int i = 0; i < 20000; i++) {
        b.n = 0;
        gen_value(&b, 0);
        generated++;
        if (cw_json_surely_valid(b.d, b.n))
            vouched++;
        else
            fprintf(stderr, "generated, not vouched for: %s\n", b.d);
        differential(b.d, b.n);
        for (int m = 0; m < 10; m++) {
            buf_t c = {0};
            put(&c, b.d, b.n);
            int k = 1 + (int)rnd(3);
            for (int j = 0; j < k; j++) mutate(&c);
            mutants++;
            if (cw_json_surely_valid(c.d, c.n)) mutants_vouched++;
            differential(c.d, c.n);
            free(c.d);
        }
    }
    free(b.d);
    fprintf(stderr,
            "%ld generated (%ld vouched for), %ld mutants (%ld vouched for), "
            "%ld disagreements with jansson\n",
            generated, vouched, mutants, mutants_vouched, disagreements);
    CHECK(vouched == generated);
    CHECK(disagreements == 0);
    /* the mutants must reach both answers, or they test nothing */
    CHECK(mutants_vouched > mutants / 20 && mutants_vouched < mutants - mutants / 20);
    return check_failures ? 1 : 0;
}
