/* host->json_encode: shortest round-trip reals, compact output, RFC 8259 escapes. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "host.h"
#include "json_encode.h"

static void check_real(double d, const char *expected) {
    char buf[64];
    cw_json_format_real(d, buf, sizeof buf);
    CHECK_STR(buf, expected);
    CHECK(strtod(buf, NULL) == d);
}

static void check_encode(const char *json_in, const char *expected) {
    json_error_t err;
    json_t *v = json_loads(json_in, JSON_DECODE_ANY, &err);
    if (!v) {
        fprintf(stderr, "cannot parse test input %s: %s\n", json_in, err.text);
        check_failures++;
        return;
    }
    size_t len = 0;
    char *out = cw_json_encode(v, &len);
    CHECK_STR(out, expected);
    CHECK(out && len == strlen(out));
    free(out);
    json_decref(v);
}

int main(void) {
    /* The numbers that jansson's dump spoils (-89.978700000000003). */
    check_real(-89.9787, "-89.9787");
    check_real(-173.293, "-173.293");
    check_real(0.1, "0.1");
    check_real(1e300, "1e+300");
    check_real(5e-324, "4.94065645841247e-324");
    check_real(0.30000000000000004, "0.30000000000000004"); /* needs 17 digits */
    check_real(2.0, "2.0");                                 /* stays a real */
    check_real(-0.0, "-0.0");
    check_real(123456789012345678.0, "1.2345678901234568e+17");
    check_real(1e21, "1e+21");

    check_encode("{\"lat\": -89.9787, \"lon\": -173.293, \"n\": 42, \"big\": 9223372036854775807}",
                 "{\"lat\":-89.9787,\"lon\":-173.293,\"n\":42,\"big\":9223372036854775807}");
    check_encode("[1, -2, 0, 1.5, true, false, null, \"x\", [], {}]",
                 "[1,-2,0,1.5,true,false,null,\"x\",[],{}]");
    /* Key order is kept as inserted (jansson 2.14 preserves it). */
    check_encode("{\"b\":1,\"a\":2,\"c\":{\"z\":1,\"y\":2}}",
                 "{\"b\":1,\"a\":2,\"c\":{\"z\":1,\"y\":2}}");
    /* Escapes: quote, backslash, the short forms, other control characters as \u00XX; '/'
     * and non-ASCII stay as they are. */
    check_encode("\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f / caf\\u00e9 \\ud83d\\ude00\"",
                 "\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f / caf\xc3\xa9 \xf0\x9f\x98\x80\"");
    /* A NUL inside a string. */
    json_t *s = json_stringn("a\0b", 3);
    char *out = cw_json_encode(s, NULL);
    CHECK_STR(out, "\"a\\u0000b\"");
    free(out);
    json_decref(s);

    /* Through the host table, as plugins see it. */
    json_t *v = json_pack("{s:f}", "x", -89.9787);
    size_t len = 0;
    char *text = cw_host()->json_encode(v, &len);
    CHECK_STR(text, "{\"x\":-89.9787}");
    CHECK(len == 14);
    cw_host()->free(text);
    json_decref(v);

    /* jansson itself would not do it: this is why the encoder exists. */
    v = json_real(-89.9787);
    char *jd = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    CHECK(jd && strcmp(jd, "-89.9787") != 0);
    free(jd);
    json_decref(v);
    CHECK_DONE();
}
