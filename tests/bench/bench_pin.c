/* bench-transforms: the pin recipe (the cleanPin transform of
 * connectors/pinterest-s3-sink.properties) in process, bytes in to bytes out: each input
 * line becomes a record, goes through the clean plugin loaded from its shared object, and
 * its value bytes (shortest-real JSON) are written out. Prints records/s by the wall clock
 * and by the process's CPU time.
 *   bench-pin CONNECTOR.properties PLUGIN.so INPUT OUTPUT
 * The records, the JSON converter and the host table are the worker's own (cwcore). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "host.h"
#include "props.h"
#include "record.h"
static const cw_converter_t json_conv = {CW_CONVERTER_JSON, 0};
static const cw_host_t *bench_host(void) { return cw_host(); }
static cw_props_t *props;
static void cfg_set(const char *k, const char *v) {
    if (!props) props = cw_props_new();
    cw_props_set(props, k, v);
}
static cw_config_t *cfg_build(const cw_config_def_t *defs) { return cw_config_new(props, defs); }
static void cfg_free(cw_config_t *c) {
    cw_config_free(c);
    cw_props_free(props);
}
static cw_record_t *rec_new(void) {
    return cw_record_new_source("pinterest.pin", 0, NULL, NULL, &json_conv, &json_conv);
}
static void rec_free(cw_record_t *r) { cw_record_free(r); }
#define HOST_NAME "the worker's records and host table"

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
/* CPU time of the process: on a shared machine the wall time of a 0.2 s loop is mostly how
 * long other processes held the cores; the CPU time is what the loop cost. */
static double cpu_now(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: bench-pin CONNECTOR.properties PLUGIN.so INPUT OUTPUT\n");
        return 2;
    }
    void *h = dlopen(argv[2], RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return 2;
    }
    const cw_module_t *m = ((cw_module_entry_fn)dlsym(h, CW_MODULE_ENTRY_SYMBOL))();
    char err[512];
    if (m->init && m->init(bench_host(), err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    const cw_plugin_t *p = m->plugins[0];

    /* The cleanPin keys of the shipped connector file (values without escapes but \u0020). */
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
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
        while ((u = strstr(v, "\\u0020"))) {
            *u = ' ';
            memmove(u + 1, u + 6, strlen(u + 6) + 1);
        }
        const char *k = line + strlen(prefix);
        if (strcmp(k, "type") && strcmp(k, "predicate")) cfg_set(k, v);
    }
    fclose(f);
    cw_config_t *cfg = cfg_build(p->config);
    void *state;
    if (p->transform->configure(NULL, cfg, &state, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }

    f = fopen(argv[3], "r");
    FILE *out = fopen(argv[4], "w");
    if (!f || !out) {
        perror("input/output");
        return 2;
    }
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
    const cw_host_t *host = bench_host();
    size_t bytes_out = 0, failed = 0;
    double t0 = now(), c0 = cpu_now();
    for (size_t i = 0; i < n; i++) {
        cw_record_t *r = rec_new();
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
        rec_free(r);
    }
    double dt = now() - t0, dc = cpu_now() - c0;
    fclose(out);
    printf("%.0f %.0f\n", (double)n / dt, (double)n / dc);
    fprintf(stderr,
            "connect-worker clean (%s): %zu records in %.3f s, %.3f s of CPU (%zu failed, %zu "
            "bytes out)\n",
            HOST_NAME, n, dt, dc, failed, bytes_out);
    p->transform->close(state);
    cfg_free(cfg);
    for (size_t i = 0; i < n; i++) free(lines[i]);
    free(lines);
    free(lens);
    free(line);
    return failed ? 1 : 0;
}
