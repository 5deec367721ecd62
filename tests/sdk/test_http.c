/* The SDK's HTTP helpers (connect-worker/sdk_http.h): media types and base64. */
#include "check.h"
#include "connect-worker/sdk_http.h"

static void test_media_type(void) {
    char m[64];
    CHECK(cw_sdk_http_media_type(" Application/Vnd.Kafka.JSON.v2+json ; charset=utf-8", m,
                                 sizeof m) == 0);
    CHECK_STR(m, "application/vnd.kafka.json.v2+json");
    CHECK(cw_sdk_http_media_type(NULL, m, sizeof m) == 0 && m[0] == '\0');
    CHECK(cw_sdk_http_media_type("text/plain", m, 5) == -1 && m[0] == '\0');
}

/* decode(text) must give `want` (len n), or fail when want is NULL */
static void dec(const char *text, const char *want, size_t n) {
    cw_sdk_buf_t b = {0};
    char err[128] = "";
    int rc = cw_sdk_base64_decode(text, strlen(text), &b, err, sizeof err);
    if (want) {
        CHECK(rc == 0 && b.len == n && (n == 0 || memcmp(b.data, want, n) == 0));
        if (rc) fprintf(stderr, "  decoding '%s': %s\n", text, err);
    } else {
        CHECK(rc == -1 && err[0] && b.len == 0);
    }
    cw_sdk_buf_free(&b);
}

static void test_base64(void) {
    dec("", "", 0);
    dec("aGVsbG8=", "hello", 5);
    dec("aGVsbG8", "hello", 5); /* padding left out */
    dec("aGVsbA==", "hell", 4);
    dec("aGVsbA", "hell", 4);
    dec("aGVs", "hel", 3);
    dec("AAEC/w==", "\x00\x01\x02\xff", 4);
    dec("+/+/", "\xfb\xff\xbf", 3);
    dec("aGVsbG8%", NULL, 0);  /* not the alphabet */
    dec("aGV sbG8=", NULL, 0); /* white space */
    dec("a", NULL, 0);         /* impossible length */
    dec("aGVsbG8==", NULL, 0); /* too much padding */
    dec("aG=Vs", NULL, 0);     /* padding inside */
    dec("aGVsbG8-", NULL, 0);  /* base64url is not base64 */
    /* round trip over every byte value */
    unsigned char all[256];
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
    for (size_t n = 0; n <= 256; n += 37) {
        cw_sdk_buf_t e = {0}, d = {0};
        char err[128];
        CHECK(cw_sdk_base64_encode(all, n, &e) == 0 && e.len == (n + 2) / 3 * 4);
        CHECK(cw_sdk_base64_decode(e.data ? e.data : "", e.len, &d, err, sizeof err) == 0);
        CHECK(d.len == n && (n == 0 || memcmp(d.data, all, n) == 0));
        cw_sdk_buf_free(&e);
        cw_sdk_buf_free(&d);
    }
    cw_sdk_buf_t e = {0};
    CHECK(cw_sdk_base64_encode("hello", 5, &e) == 0);
    CHECK_STR(e.data, "aGVsbG8=");
    cw_sdk_buf_free(&e);
}

int main(void) {
    test_media_type();
    test_base64();
    CHECK_DONE();
}
