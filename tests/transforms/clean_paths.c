/* clean's two paths through the worker's own records, converter and host table (its
 * encoder, not the test host's): every input line runs through the plugin once as bytes (the
 * streaming path may take it) and once as a JSON value set on the record (the worker then
 * withholds the JSON text: tree path only). Both must succeed with the same bytes or fail
 * with the same message. Fails also when the streaming path took fewer than half of the
 * values that succeeded (the check would then be mostly tree against tree).
 *   transforms-clean-paths PLUGIN.so CONFIG < values */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "host.h"
#include "props.h"
#include "record.h"

static const cw_converter_t json_conv = {CW_CONVERTER_JSON, 0};

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: transforms-clean-paths PLUGIN.so CONFIG < values\n");
        return 2;
    }
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return 2;
    }
    const cw_module_t *m = ((cw_module_entry_fn)dlsym(h, CW_MODULE_ENTRY_SYMBOL))();
    const cw_host_t *host = cw_host();
    char err[1024], err2[1024];
    if (m->init && m->init(host, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    const cw_plugin_t *p = m->plugins[0];

    /* CONFIG: the transform's keys, one key=value per line. */
    cw_props_t *props = cw_props_new();
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = 0;
        char *eq = strchr(line, '=');
        if (!eq || line[0] == '#') continue;
        *eq = 0;
        cw_props_set(props, line, eq + 1);
    }
    fclose(f);
    cw_config_t *cfg = cw_config_new(props, p->config);
    void *state;
    if (p->transform->configure(NULL, cfg, &state, err, sizeof err)) {
        fprintf(stderr, "configure: %s\n", err);
        return 2;
    }

    size_t n = 0, streamed = 0, failed_both = 0, tree_only = 0, bad = 0;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        if (line[len - 1] == '\n') line[--len] = 0;
        if (!len) continue;
        json_t *v = json_loadb(line, (size_t)len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        /* Not JSON: both paths are the tree path's parse error. JSON null: a tombstone when
         * set as JSON, the text "null" as bytes; not comparable. */
        if (!v || json_is_null(v)) {
            json_decref(v);
            continue;
        }
        n++;
        cw_record_t *a = cw_record_new_source("t", 0, NULL, NULL, &json_conv, &json_conv);
        cw_record_t *b = cw_record_new_source("t", 0, NULL, NULL, &json_conv, &json_conv);
        host->record_set_value(a, line, (size_t)len);
        host->record_set_value_json(b, v);
        err[0] = err2[0] = 0;
        int ra = p->transform->apply(state, a, err, sizeof err);
        int rb = p->transform->apply(state, b, err2, sizeof err2);
        size_t la = 0, lb = 0;
        const char *va = ra == CW_OK ? host->record_value(a, &la) : NULL;
        const char *vb = rb == CW_OK ? host->record_value(b, &lb) : NULL;
        if (ra != rb || (ra == CW_OK && (la != lb || memcmp(va, vb, la) != 0)) ||
            (ra != CW_OK && strcmp(err, err2) != 0)) {
            bad++;
            fprintf(stderr,
                    "FAIL: paths differ on %s\n  bytes: rc %d %.*s %s\n  tree:  rc %d %.*s %s\n",
                    line, ra, (int)la, va ? va : "", err, rb, (int)lb, vb ? vb : "", err2);
        }
        /* The streaming path sets bytes; the tree path leaves the changed JSON in charge. */
        if (ra == CW_OK && a->value.plain && !a->value.json_wins)
            streamed++;
        else if (ra == CW_OK)
            tree_only++;
        else
            failed_both++;
        cw_record_free(a);
        cw_record_free(b);
    }
    printf("%zu values: %zu through the streaming path, %zu through the tree path, %zu failed on "
           "both with the same message, %zu differences\n",
           n, streamed, tree_only, failed_both, bad);
    p->transform->close(state);
    cw_config_free(cfg);
    cw_props_free(props);
    free(line);
    /* Most values here are flat objects: the streaming path must have taken most of those
     * that succeeded, or this comparison would be mostly tree against tree. */
    if (streamed * 2 <= streamed + tree_only) {
        fprintf(stderr, "FAIL: the streaming path took only %zu of %zu values\n", streamed,
                streamed + tree_only);
        return 1;
    }
    return bad ? 1 : 0;
}
