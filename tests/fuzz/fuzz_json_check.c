/* libFuzzer target: JsonConverter's fast JSON check (core/src/json_check.c) against jansson.
 * Whatever the fast check vouches for, json_loadb must accept. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!cw_json_surely_valid(data, size)) return 0;
    json_error_t err;
    json_t *v = json_loadb((const char *)data, size,
                           JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &err);
    if (!v) abort();
    json_decref(v);
    return 0;
}
