/* libFuzzer target: the clean transform's configuration and both apply paths (the jansson
 * tree and the streaming one, compared byte for byte). The input is
 * key=value lines (the transform's keys), a line "--", then a record value. Whatever the
 * bytes, configure either succeeds or fails with a message, and apply either cleans the
 * object or fails the record with a message: never a crash, a leak or an empty error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "clean.h"
#include "config.h"
#include "host.h"
#include "props.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    clean_host = cw_host();
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    char *value = strstr(text, "\n--\n");
    if (value) {
        *value = 0;
        value += 4;
    } else {
        value = text + size;
    }
    cw_props_t *props = cw_props_new();
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = 0;
        cw_props_set(props, line, eq + 1);
    }
    cw_config_t *cfg = cw_config_new(props, clean_defs);
    clean_t *c = NULL;
    char err[512] = "";
    if (clean_configure_state(cfg, &c, err, sizeof(err)) == CW_OK) {
        size_t vlen = size - (size_t)(value - text);
        /* The worker's parse of a value (converter.c). */
        json_t *v = json_loadb(value, vlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        char *tree = NULL;
        size_t tree_len = 0;
        if (json_is_object(v)) {
            json_t *out = NULL;
            err[0] = 0;
            int rc = clean_apply_json(c, v, &out, err, sizeof(err));
            if (rc != CW_OK && !err[0]) abort(); /* a failure must say why */
            if (rc == CW_OK) {
                tree = cw_host()->json_encode(out ? out : v, &tree_len);
                if (!tree) abort();
            }
            json_decref(out);
        }
        /* Differential: the streaming path either leaves the value to the tree path or gives
         * exactly the tree path's bytes. Twice: the second run starts from whatever state the
         * first left (the streaming path keeps its JSON reader from value to value). */
        for (int run = 0; run < 2; run++) {
            const char *fast;
            size_t fast_len;
            if (clean_apply_text(c, value, vlen, &fast, &fast_len)) {
                if (!tree || tree_len != fast_len || memcmp(tree, fast, fast_len) != 0) {
                    fprintf(stderr,
                            "streaming and tree paths differ (run %d)\ntree: %s\nfast: %.*s\n",
                            run + 1, tree ? tree : "(no result)", (int)fast_len, fast);
                    abort();
                }
            }
        }
        free(tree);
        json_decref(v);
        clean_free(c);
    } else if (!err[0]) {
        abort();
    }
    cw_config_free(cfg);
    cw_props_free(props);
    free(text);
    return 0;
}
