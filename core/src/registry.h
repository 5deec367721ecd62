/* Plugin loading with libltdl: shared objects from the bundled directory, plugin.path and
 * --plugin-path, each checked (ABI version, struct size, init) before use. libltdl is not
 * thread-safe: every libltdl call happens under one process-wide lock. */
#ifndef CW_REGISTRY_H
#define CW_REGISTRY_H
#include "connect-worker/plugin.h"

typedef struct cw_registry cw_registry_t;

/** `host` is handed to each module's init and must outlive the registry. */
cw_registry_t *cw_registry_new(const cw_host_t *host);
/** Unloads every module (calling fini). No plugin of it may be in use. */
void cw_registry_free(cw_registry_t *r);

/** Loads one shared object. On failure returns -1 and writes to errstr a sentence naming the
 *  file and the cause: not a shared object, an unresolved dependency (libltdl reports it as
 *  "file not found"; we say which library is missing when dlerror tells), no
 *  cw_module_entry symbol, ABI version N where the worker speaks M, struct size mismatch, a
 *  plugin name already loaded from another file, init failure with the module's errstr. */
int cw_registry_load_file(cw_registry_t *r, const char *path, char *errstr, size_t errstr_size);

/** Loads every *.so in `dir` and in its immediate subdirectories (Kafka's plugin.path
 *  layout). A bad file is logged as a warning naming it and skipped. Returns the number of
 *  modules loaded, or -1 when `dir` cannot be read (errstr set). */
int cw_registry_load_dir(cw_registry_t *r, const char *dir, char *errstr, size_t errstr_size);

/** Loads the bundled plugins: <dir of /proc/self/exe>/CW_PLUGIN_RELDIR when it exists (an
 *  installed worker), otherwise CW_BUILD_PLUGIN_DIR (running from the build tree). */
int cw_registry_load_bundled(cw_registry_t *r, char *errstr, size_t errstr_size);

/** Finds a plugin by short name or alias (exact, then case-insensitive); kind 0 = any kind.
 *  *file receives the shared object's path when file is not NULL. NULL when none. */
const cw_plugin_t *cw_registry_find(const cw_registry_t *r, const char *name, cw_plugin_kind_t kind,
                                    const char **file);

/** Visits every loaded plugin in load order. */
void cw_registry_foreach(const cw_registry_t *r,
                         void (*fn)(const cw_plugin_t *p, const char *file, void *opaque),
                         void *opaque);

const char *cw_plugin_kind_name(cw_plugin_kind_t kind);
#endif
