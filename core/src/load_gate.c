/* The load gate: every table that crosses the seam starts with its size, and nothing past
 * the size is read. A table shorter than this worker's (a plugin built against an older
 * header of the same ABI) is padded with NULL members; a larger one (a newer or a modified
 * header) is refused, because the members the worker would read are not where it expects
 * them. */
#include "load_gate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* The sizes of the tables as ABI 2 first shipped them: the smallest tables a plugin of this
 * ABI can have. When a member is appended to a table, its line here keeps the old size. */
#define MODULE_MIN_SIZE sizeof(cw_module_t)
#define PLUGIN_MIN_SIZE sizeof(cw_plugin_t)
#define SOURCE_OPS_MIN_SIZE sizeof(cw_source_ops_t)
#define SINK_OPS_MIN_SIZE sizeof(cw_sink_ops_t)
#define TRANSFORM_OPS_MIN_SIZE sizeof(cw_transform_ops_t)
#define PREDICATE_OPS_MIN_SIZE sizeof(cw_predicate_ops_t)

static void set_err(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *errstr, size_t errstr_size, const char *fmt, ...) {
    if (!errstr || !errstr_size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
}

/* 0 when a table of `size` bytes fits between the ABI's first and this worker's size. */
static int check_size(const char *path, const char *plugin, const char *table, uint32_t size,
                      size_t min, size_t max, char *errstr, size_t errstr_size) {
    if (size >= min && size <= max) return 0;
    const char *why = size > max ? "larger than this worker's: it was built against a newer "
                                   "or a modified plugin.h"
                                 : "smaller than any ABI 2 table: it was built with a "
                                   "modified plugin.h, or its CW_*_HEADER line is missing";
    if (plugin)
        set_err(errstr, errstr_size,
                "%s: plugin '%s': %s is %u bytes where this worker's is %zu, %s (rebuild it "
                "against this worker's connect-worker/plugin.h)",
                path, plugin, table, size, max, why);
    else
        set_err(errstr, errstr_size,
                "%s: %s is %u bytes where this worker's is %zu, %s (rebuild it against this "
                "worker's connect-worker/plugin.h)",
                path, table, size, max, why);
    return -1;
}

int cw_gate_check_module(const char *path, const cw_module_t *m, char *errstr, size_t errstr_size) {
    if (m->abi_version != CW_ABI_VERSION) {
        set_err(errstr, errstr_size,
                "%s was built for plugin ABI %u; this worker speaks ABI %d (rebuild it against "
                "this worker's connect-worker/plugin.h)",
                path, m->abi_version, CW_ABI_VERSION);
        return -1;
    }
    if (check_size(path, NULL, "its module descriptor (cw_module_t)", m->struct_size,
                   MODULE_MIN_SIZE, sizeof(cw_module_t), errstr, errstr_size) < 0)
        return -1;
    if (m->host_size > sizeof(cw_host_t)) {
        set_err(errstr, errstr_size,
                "%s expects a host table (cw_host_t) of %u bytes where this worker's is %zu: "
                "it was built against a newer or a modified plugin.h (rebuild it against this "
                "worker's connect-worker/plugin.h)",
                path, m->host_size, sizeof(cw_host_t));
        return -1;
    }
    if (!m->plugins || !m->plugins[0]) {
        set_err(errstr, errstr_size, "%s: module '%s' lists no plugins", path,
                m->name ? m->name : "?");
        return -1;
    }
    return 0;
}

/* Copies an ops table of `size` bytes (checked) into `dst`, zero beyond it. */
static int copy_ops(const char *path, const cw_plugin_t *p, const char *table, const void *src,
                    size_t min, size_t max, void *dst, char *errstr, size_t errstr_size) {
    if (!src) {
        set_err(errstr, errstr_size, "%s: %s plugin '%s' has no %s", path,
                cw_plugin_kind_name(p->kind), p->name, table);
        return -1;
    }
    uint32_t size;
    memcpy(&size, src, sizeof size); /* the first member of every ops table */
    if (check_size(path, p->name, table, size, min, max, errstr, errstr_size) < 0) return -1;
    memset(dst, 0, max);
    memcpy(dst, src, size);
    return 0;
}

static int copy_kind_ops(const char *path, const cw_plugin_t *p, cw_plugin_copy_t *c, char *errstr,
                         size_t errstr_size) {
    int ok = 0;
    switch (p->kind) {
    case CW_PLUGIN_SOURCE:
        if (copy_ops(path, p, "source ops table (cw_source_ops_t)", p->source, SOURCE_OPS_MIN_SIZE,
                     sizeof(cw_source_ops_t), &c->ops.source, errstr, errstr_size) < 0)
            return -1;
        c->plugin.source = &c->ops.source;
        ok = c->ops.source.start && c->ops.source.poll && c->ops.source.stop;
        break;
    case CW_PLUGIN_SINK:
        if (copy_ops(path, p, "sink ops table (cw_sink_ops_t)", p->sink, SINK_OPS_MIN_SIZE,
                     sizeof(cw_sink_ops_t), &c->ops.sink, errstr, errstr_size) < 0)
            return -1;
        c->plugin.sink = &c->ops.sink;
        ok = c->ops.sink.start && c->ops.sink.put && c->ops.sink.stop;
        break;
    case CW_PLUGIN_TRANSFORM:
        if (copy_ops(path, p, "transform ops table (cw_transform_ops_t)", p->transform,
                     TRANSFORM_OPS_MIN_SIZE, sizeof(cw_transform_ops_t), &c->ops.transform, errstr,
                     errstr_size) < 0)
            return -1;
        c->plugin.transform = &c->ops.transform;
        ok = c->ops.transform.configure && c->ops.transform.apply && c->ops.transform.close;
        break;
    case CW_PLUGIN_PREDICATE:
        if (copy_ops(path, p, "predicate ops table (cw_predicate_ops_t)", p->predicate,
                     PREDICATE_OPS_MIN_SIZE, sizeof(cw_predicate_ops_t), &c->ops.predicate, errstr,
                     errstr_size) < 0)
            return -1;
        c->plugin.predicate = &c->ops.predicate;
        ok = c->ops.predicate.configure && c->ops.predicate.test && c->ops.predicate.close;
        break;
    default:
        set_err(errstr, errstr_size, "%s: plugin '%s' has unknown kind %d", path, p->name,
                (int)p->kind);
        return -1;
    }
    if (!ok) {
        set_err(errstr, errstr_size, "%s: %s plugin '%s' lacks a required callback", path,
                cw_plugin_kind_name(p->kind), p->name);
        return -1;
    }
    return 0;
}

cw_plugin_copy_t *cw_gate_copy_plugin(const char *path, const cw_plugin_t *p, char *errstr,
                                      size_t errstr_size) {
    if (check_size(path, NULL, "a plugin descriptor (cw_plugin_t)", p->struct_size, PLUGIN_MIN_SIZE,
                   sizeof(cw_plugin_t), errstr, errstr_size) < 0)
        return NULL;
    if (!p->name || !*p->name) {
        set_err(errstr, errstr_size, "%s: a plugin has no name", path);
        return NULL;
    }
    cw_plugin_copy_t *c = calloc(1, sizeof *c);
    if (!c) {
        set_err(errstr, errstr_size, "%s: out of memory", path);
        return NULL;
    }
    memcpy(&c->plugin, p, p->struct_size);
    c->plugin.source = NULL;
    c->plugin.sink = NULL;
    c->plugin.transform = NULL;
    c->plugin.predicate = NULL;
    if (copy_kind_ops(path, p, c, errstr, errstr_size) < 0) {
        free(c);
        return NULL;
    }
    return c;
}
