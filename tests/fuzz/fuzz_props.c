/* libFuzzer target: the .properties / JSON connector file parser (core/src/props.c) and the
 * config providers. Any bytes: parse returns 0 or -1 with a message, never crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "props.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cw_props_t *p = cw_props_new();
    char err[512] = "";
    if (cw_props_parse(p, (const char *)data, size, "fuzz.properties", err, sizeof(err)) == 0) {
        for (size_t i = 0; i < cw_props_count(p); i++) {
            if (!cw_props_key_at(p, i) || !cw_props_value_at(p, i)) abort();
        }
        cw_props_t *sub = cw_props_subset(p, "transforms.");
        cw_props_free(sub);
        /* ${env:...} with fuzzed names; ${file:...} is left out, as it would read whatever
         * path the fuzzer spells (/dev/zero never ends). */
        int has_file = 0;
        for (size_t i = 0; i < cw_props_count(p); i++)
            if (strstr(cw_props_value_at(p, i), "${file:")) has_file = 1;
        if (!has_file) cw_props_resolve(p, err, sizeof(err));
    } else if (!err[0]) {
        abort();
    }
    cw_props_free(p);
    return 0;
}
