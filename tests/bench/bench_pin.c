/* bench-transforms: the pin recipe (the cleanPin transform of
 * connectors/pinterest-s3-sink.properties) in process, bytes in to bytes out: each input
 * line becomes a record, goes through the clean plugin loaded from its shared object, and
 * its value bytes (shortest-real JSON) are written out. Prints records/s.
 *   bench-pin CONNECTOR.properties PLUGIN.so INPUT OUTPUT */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "testhost.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: bench-pin CONNECTOR.properties PLUGIN.so INPUT OUTPUT\n"); return 2; }
    void *h = dlopen(argv[2], RTLD_NOW);
    if (!h) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    const cw_module_t *m = ((cw_module_entry_fn)dlsym(h, CW_MODULE_ENTRY_SYMBOL))();
    char err[512];
    if (m->init && m->init(th_host(), err, sizeof(err))) { fprintf(stderr, "%s\n", err); return 2; }
    const cw_plugin_t *p = m->plugins[0];

    /* The cleanPin keys of the shipped connector file (values without escapes but \u0020). */
    cw_config_t *cfg = th_config_new(p->config);
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    const char *prefix = "transforms.cleanPin.";
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = 0;
        if (strncmp(line, prefix, strlen(prefix))) continue;
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = 0;
        char *v = eq + 1, *u;
        while ((u = strstr(v, "\\u0020"))) { *u = ' '; memmove(u + 1, u + 6, strlen(u + 6) + 1); }
        const char *k = line + strlen(prefix);
        if (strcmp(k, "type") && strcmp(k, "predicate")) th_config_set(cfg, k, v);
    }
    fclose(f);
    void *state;
    if (p->transform->configure(NULL, cfg, &state, err, sizeof(err))) { fprintf(stderr, "%s\n", err); return 2; }

    f = fopen(argv[3], "r");
    FILE *out = fopen(argv[4], "w");
    if (!f || !out) { perror("input/output"); return 2; }
    /* Read everything first so that the timing covers the transform, not the disk. */
    size_t n = 0, ncap = 0;
    char **lines = NULL;
    size_t *lens = NULL;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = 0;
        if (n == ncap) {
            ncap = ncap ? ncap * 2 : 1024;
            lines = realloc(lines, ncap * sizeof(*lines));
            lens = realloc(lens, ncap * sizeof(*lens));
        }
        lines[n] = strndup(line, (size_t)len);
        lens[n++] = (size_t)len;
    }
    fclose(f);
    const cw_host_t *host = th_host();
    size_t bytes_out = 0, failed = 0;
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        cw_record_t *r = th_record_new("pinterest.pin", 0, (int64_t)i, 0);
        host->record_set_value(r, lines[i], lens[i]);
        if (p->transform->apply(state, r, err, sizeof(err)) != CW_OK) {
            failed++;
        } else {
            size_t vl;
            const void *vb = host->record_value(r, &vl);
            fwrite(vb, 1, vl, out);
            fputc('\n', out);
            bytes_out += vl + 1;
        }
        th_record_free(r);
    }
    double dt = now() - t0;
    fclose(out);
    printf("%.0f\n", (double)n / dt);
    fprintf(stderr, "connect-worker clean: %zu records in %.3f s (%zu failed, %zu bytes out)\n", n, dt, failed, bytes_out);
    p->transform->close(state);
    th_config_free(cfg);
    for (size_t i = 0; i < n; i++) free(lines[i]);
    free(lines);
    free(lens);
    free(line);
    return failed ? 1 : 0;
}
