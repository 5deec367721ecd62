/* The SDK's UTF-8 checks, fast scan and JSON string escaping (connect-worker/sdk_json.h). */
#include <jansson.h>

#include "check.h"
#include "connect-worker/sdk_json.h"

static size_t seq(const char *s) { return cw_sdk_utf8_seq_len(s, strlen(s)); }

static void test_seq_len(void) {
    CHECK(seq("a") == 1);
    CHECK(cw_sdk_utf8_seq_len("\0", 1) == 1);                    /* NUL is ASCII */
    CHECK(seq("\xc3\xa9") == 2);                                 /* é */
    CHECK(seq("\xe2\x82\xac") == 3);                             /* € */
    CHECK(seq("\xf0\x9f\x98\x80") == 4);                         /* U+1F600, beyond the BMP */
    CHECK(seq("\xf4\x8f\xbf\xbf") == 4);                         /* U+10FFFF, the last */
    CHECK(seq("\x80") == 0);                                     /* a stray continuation byte */
    CHECK(seq("\xc0\x80") == 0 && seq("\xc1\xbf") == 0);         /* overlong 2-byte forms */
    CHECK(seq("\xe0\x80\xaf") == 0);                             /* overlong 3-byte '/' */
    CHECK(seq("\xf0\x80\x80\xaf") == 0);                         /* overlong 4-byte '/' */
    CHECK(seq("\xed\xa0\x80") == 0 && seq("\xed\xbf\xbf") == 0); /* surrogates */
    CHECK(seq("\xf4\x90\x80\x80") == 0);                         /* U+110000 */
    CHECK(seq("\xf5\x80\x80\x80") == 0 && seq("\xff") == 0);
    CHECK(seq("\xe2\x82") == 0);     /* cut off by the end */
    CHECK(seq("\xe2\x28\xa1") == 0); /* a bad continuation */
}

static void test_valid(void) {
    size_t at = 99;
    CHECK(cw_sdk_utf8_valid("", 0, &at) == 1);
    const char *ok = "plain ascii that is longer than eight bytes, caf\xc3\xa9 \xf0\x9f\x98\x80";
    CHECK(cw_sdk_utf8_valid(ok, strlen(ok), &at) == 1);
    /* the bad byte after a long ASCII run (the 8-bytes-at-a-time path) */
    const char *bad = "0123456789abc\xff tail";
    CHECK(cw_sdk_utf8_valid(bad, strlen(bad), &at) == 0 && at == 13);
    CHECK(cw_sdk_utf8_valid("ab\xed\xa0\x80", 5, &at) == 0 && at == 2);
    CHECK(cw_sdk_utf8_valid("abcdefgh\xc3", 9, &at) == 0 && at == 8);
    CHECK(cw_sdk_utf8_valid("a\0b", 3, NULL) == 1);
}

/* The fast scan agrees with a byte-at-a-time reference at every offset. */
static void test_plain_end(void) {
    unsigned char buf[64];
    srand(7);
    int agree = 1;
    for (int round = 0; round < 100000; round++) {
        /* spans of every length up to 4 SSE2 blocks, starting anywhere: the scan looks back
         * over the span's last 16 or 8 bytes, never before its start (a quote planted before
         * it must not count) */
        size_t n = (size_t)(rand() % 64), from = n ? (size_t)(rand() % (n + 1)) : 0;
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(0x20 + rand() % 0x5f);
        if (n && rand() % 4) buf[rand() % n] = (unsigned char)(rand() % 256);
        if (from) buf[from - 1] = '"';
        const unsigned char *ref = buf + from;
        while (ref < buf + n && *ref >= 0x20 && *ref < 0x80 && *ref != '"' && *ref != '\\') ref++;
        agree &= cw_sdk_json_plain_end(buf + from, buf + n) == ref;
    }
    CHECK(agree);
    const unsigned char del[] = "abcdefghij\x7fklm"; /* DEL is plain (not escaped in JSON) */
    CHECK(cw_sdk_json_plain_end(del, del + 14) == del + 14);
}

static char *escaped(const char *s, size_t n, int flags, size_t *replaced) {
    cw_sdk_buf_t b = {0};
    if (cw_sdk_buf_json_string(&b, s, n, flags, replaced) != 0) return NULL;
    return b.data;
}

static void check_escape(const char *in, size_t n, int flags, const char *want, size_t want_repl) {
    size_t repl = 0;
    char *got = escaped(in, n, flags, &repl);
    CHECK_STR(got, want);
    CHECK(repl == want_repl);
    /* the raw writer gives the same bytes */
    char raw[512];
    size_t w = cw_sdk_json_escape_to(raw, in, n, flags, NULL);
    CHECK(got && w == strlen(got) && memcmp(raw, got, w) == 0);
    free(got);
}

static void test_escape(void) {
    check_escape("", 0, 0, "\"\"", 0);
    check_escape("a\"b\\c/", 6, 0, "\"a\\\"b\\\\c/\"", 0);
    check_escape("\b\f\n\r\t", 5, 0, "\"\\b\\f\\n\\r\\t\"", 0);
    check_escape("\x01\x1f\x7f", 3, 0, "\"\\u0001\\u001f\x7f\"", 0);
    check_escape("a\0b", 3, 0, "\"a\\u0000b\"", 0);
    /* UTF-8 kept as it is, or \u escapes with CW_SDK_JSON_ASCII (a surrogate pair beyond the BMP) */
    check_escape("caf\xc3\xa9 \xf0\x9f\x98\x80", 10, 0, "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", 0);
    check_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, CW_SDK_JSON_ASCII,
                 "\"caf\\u00e9 \\u20ac \\ud83d\\ude00\"", 0);
    check_escape("\xf4\x8f\xbf\xbf", 4, CW_SDK_JSON_ASCII, "\"\\udbff\\udfff\"", 0);
    /* each byte of an invalid sequence becomes U+FFFD */
    check_escape("a\xff"
                 "b",
                 3, 0,
                 "\"a\xef\xbf\xbd"
                 "b\"",
                 1);
    check_escape("\xed\xa0\x80", 3, 0, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", 3);
    check_escape("x\xe2\x82", 3, CW_SDK_JSON_ASCII, "\"x\\ufffd\\ufffd\"", 2);
    check_escape("\xc0\xaf", 2, 0, "\"\xef\xbf\xbd\xef\xbf\xbd\"", 2);
}

/* Long strings are escaped in pieces: a sequence across a piece boundary stays whole, and the
 * result is what jansson reads back as the input. */
static void test_long(void) {
    for (size_t pad = 16370; pad < 16390; pad++) {
        size_t n = pad + 4 + 40000;
        char *s = malloc(n);
        memset(s, 'a', n);
        memcpy(s + pad, "\xf0\x9f\x98\x80", 4);
        memcpy(s + pad + 100, "\"\n", 2);
        memcpy(s + 16384 * 2 - 1, "\xc3\xa9", 2);
        size_t repl = 0;
        char *out = escaped(s, n, 0, &repl);
        CHECK(out && repl == 0);
        json_error_t err;
        json_t *v = out ? json_loads(out, JSON_DECODE_ANY, &err) : NULL;
        CHECK(v && json_is_string(v) && json_string_length(v) == n &&
              memcmp(json_string_value(v), s, n) == 0);
        json_decref(v);
        free(out);
        free(s);
    }
}

/* Random bytes: the output is always valid JSON; valid input reads back unchanged. */
static void test_random(void) {
    srand(11);
    int ok = 1;
    for (int round = 0; round < 3000; round++) {
        unsigned char in[200];
        size_t n = (size_t)(rand() % 200);
        for (size_t i = 0; i < n; i++) in[i] = (unsigned char)(rand() % 256);
        for (int flags = 0; flags <= CW_SDK_JSON_ASCII; flags++) {
            size_t repl = 0;
            char *out = escaped((const char *)in, n, flags, &repl);
            json_error_t err;
            json_t *v = out ? json_loads(out, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err) : NULL;
            ok &= v != NULL && json_is_string(v);
            if (v && cw_sdk_utf8_valid(in, n, NULL))
                ok &= repl == 0 && json_string_length(v) == n &&
                      memcmp(json_string_value(v), in, n) == 0;
            if (flags && out)
                for (const char *p = out; *p; p++) ok &= (unsigned char)*p < 0x80;
            json_decref(v);
            free(out);
        }
    }
    CHECK(ok);
}

static void check_describe(json_t *v, const char *want) {
    char buf[200];
    cw_sdk_json_describe(v, buf, sizeof buf);
    CHECK_STR(buf, want);
    json_decref(v);
}

static void test_describe(void) {
    check_describe(json_string("abc"), "'abc'");
    check_describe(json_stringn("a\\b\n\0c\xc3\xa9", 8), "'a\\x5cb\\x0a\\x00c\\xc3\\xa9'");
    check_describe(json_string("0123456789012345678901234567890123456789012345678901234567890123"),
                   "'012345678901234567890123456789012345678901234567890123456789...'");
    check_describe(json_integer(-42), "-42");
    check_describe(json_real(0.1), "0.10000000000000001");
    check_describe(json_true(), "true");
    check_describe(json_null(), "null");
    check_describe(json_object(), "(an object)");
    check_describe(json_array(), "(an array)");
    cw_sdk_json_describe(NULL, NULL, 0); /* no room: nothing written */
    char small[6];
    json_t *s = json_string("abcdefghij");
    cw_sdk_json_describe(s, small, sizeof small); /* cut, still terminated */
    CHECK(strlen(small) < sizeof small && small[0] == '\'');
    json_decref(s);
}

/* Every value printf's %lld writes the same way, the extremes included. */
static void test_format_int64(void) {
    const int64_t v[] = {0, 1, -1, 9, 10, -10, 1234567890123LL, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char got[CW_SDK_INT64_TEXT_MAX + 1], want[32];
        got[cw_sdk_format_int64(got, v[i])] = '\0';
        snprintf(want, sizeof want, "%lld", (long long)v[i]);
        CHECK(strcmp(got, want) == 0);
    }
    /* Every length, odd and even (the digits are written two at a time): 10^k - 1, 10^k,
     * 10^k + 1 and their negatives. */
    for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10) {
        for (int64_t d = -1; d <= 1; d++) {
            for (int s = -1; s <= 1; s += 2) {
                int64_t x = s * (p * 10 + d);
                char got[CW_SDK_INT64_TEXT_MAX + 1], want[32];
                got[cw_sdk_format_int64(got, x)] = '\0';
                snprintf(want, sizeof want, "%lld", (long long)x);
                CHECK(strcmp(got, want) == 0);
            }
        }
    }
}

int main(void) {
    test_format_int64();
    test_describe();
    test_seq_len();
    test_valid();
    test_plain_end();
    test_escape();
    test_long();
    test_random();
    CHECK_DONE();
}
