/* The load gate: what the registry checks in a module before it uses anything of it, and the
 * worker's own copies of a plugin's tables, padded to this worker's sizes. */
#ifndef CW_LOAD_GATE_H
#define CW_LOAD_GATE_H
#include <stddef.h>

#include "connect-worker/plugin.h"

/** A plugin as the worker uses it: the plugin's descriptor and ops table copied into tables
 *  of this worker's size, members the plugin's (older, shorter) tables lack set to NULL.
 *  `plugin.source` and friends point into `ops`. */
typedef struct cw_plugin_copy {
    cw_plugin_t plugin;
    union {
        cw_source_ops_t source;
        cw_sink_ops_t sink;
        cw_transform_ops_t transform;
        cw_predicate_ops_t predicate;
    } ops;
} cw_plugin_copy_t;

/** Checks the module descriptor: ABI version, descriptor size and the host size the module
 *  was compiled with, then that it lists plugins. Only abi_version and struct_size are read
 *  before they are found good. Returns 0, or -1 with errstr naming `path` and the cause. */
int cw_gate_check_module(const char *path, const cw_module_t *m, char *errstr, size_t errstr_size);

/** Checks one plugin (its size, kind, name and required callbacks) and copies it. Returns a
 *  copy owned by the caller (free with free()), or NULL with errstr naming `path`, the plugin
 *  and the table. */
cw_plugin_copy_t *cw_gate_copy_plugin(const char *path, const cw_plugin_t *p, char *errstr,
                                      size_t errstr_size);
#endif
