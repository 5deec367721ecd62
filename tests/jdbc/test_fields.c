/* jdbc-sink's yajl path (jdbc_fields.c) against jansson, the reference the host parses with:
 * whatever the fast path accepts must give exactly jansson's fields (names in order, equal
 * values, integers as integers and reals as reals), and the cases it does not model must be
 * left to jansson (duplicate names, \u escapes, nesting, out-of-range numbers, non-objects,
 * invalid JSON). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "jdbc_sink.h"

static int failures;

static void check(const char *text, int want_fast) {
    jdbc_fields_t f = {0};
    int fast = jdbc_fields_parse(&f, text, strlen(text));
    if (fast != want_fast) {
        printf("FAIL: %s: fast path %s\n", text, fast ? "took it" : "gave up");
        failures++;
    }
    if (fast) {
        json_t *ref = json_loadb(text, strlen(text), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        size_t i = 0;
        const char *k;
        json_t *v;
        if (!json_is_object(ref) || json_object_size(ref) != f.n) {
            printf("FAIL: %s: jansson has %zu fields, the fast path %zu\n", text,
                   json_object_size(ref), f.n);
            failures++;
        } else {
            json_object_foreach(ref, k, v) {
                if (strcmp(k, f.names[i]) || !json_equal(v, f.vals[i]) ||
                    json_typeof(v) != json_typeof(f.vals[i])) {
                    printf("FAIL: %s: field %zu differs (%s / %s)\n", text, i, k, f.names[i]);
                    failures++;
                }
                i++;
            }
        }
        json_decref(ref);
    }
    jdbc_fields_clear(&f);
}

int main(void) {
    check(
        "{\"ind\":1,\"title\":\"Title \\\"q\\\" \\\\ \\n\\t/\",\"n\":null,\"t\":true,\"f\":false}",
        1);
    check(" {\"a\":-0,\"b\":1.5,\"c\":1e3,\"d\":-2.5E-3,\"e\":9223372036854775807} ", 1);
    check("{\"utf8\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\",\"empty\":\"\",\"\":1}", 1);
    check("{}", 1);
    check("{\"path\":\"C:\\\\users\\\\x\\\\\"}", 1); /* escaped backslashes, one before a u */
    check("{\"a\":1,\"a\":2}", 0);                   /* jansson keeps the last value */
    check("{\"a\":\"\\u00e9\"}", 0);                 /* \u escapes: jansson's rules */
    check("{\"a\":{\"b\":1}}", 0);                   /* nested: a JSON column */
    check("{\"a\":[1,2]}", 0);
    check("{\"a\":9223372036854775808}", 0); /* jansson: too big integer */
    check("{\"a\":1e400}", 0);               /* jansson: real number overflow */
    check("[1,2]", 0);
    check("\"text\"", 0);
    check("null", 0);
    check("{\"a\":1} x", 0);
    check("{\"a\":1", 0);
    check("{\"a\":\"\xff\"}", 0); /* invalid UTF-8 */
    check("{\"a\":01}", 0);
    if (failures) return 1;
    printf("jdbc fields: ok\n");
    return 0;
}
