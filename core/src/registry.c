/* Plugin loading with libltdl. Every libltdl call, and every module init/fini, happens under
 * one process-wide lock because libltdl keeps global state and is not thread-safe. */
#include "registry.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <ltdl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load_gate.h"
#include "log.h"

static pthread_mutex_t ltdl_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct module {
    char *path;
    lt_dlhandle handle;
    const cw_module_t *desc;
} module_t;

typedef struct entry {
    const cw_plugin_t *plugin; /* the worker's copy (copy->plugin) */
    cw_plugin_copy_t *copy;    /* owned */
    size_t module;             /* index into modules */
} entry_t;

struct cw_registry {
    const cw_host_t *host;
    module_t *modules;
    size_t nmodules, capmodules;
    entry_t *entries;
    size_t nentries, capentries;
};

static void set_err(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *errstr, size_t errstr_size, const char *fmt, ...) {
    if (!errstr || !errstr_size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) abort(); /* out of memory: nothing sensible left to do */
    return q;
}

const char *cw_plugin_kind_name(cw_plugin_kind_t kind) {
    switch (kind) {
    case CW_PLUGIN_SOURCE: return "source";
    case CW_PLUGIN_SINK: return "sink";
    case CW_PLUGIN_TRANSFORM: return "transform";
    case CW_PLUGIN_PREDICATE: return "predicate";
    }
    return "unknown";
}

cw_registry_t *cw_registry_new(const cw_host_t *host) {
    pthread_mutex_lock(&ltdl_lock);
    int rc = lt_dlinit();
    pthread_mutex_unlock(&ltdl_lock);
    if (rc != 0) {
        cw_log_error("cannot initialise libltdl: plugins cannot be loaded");
        return NULL;
    }
    cw_registry_t *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->host = host;
    return r;
}

void cw_registry_free(cw_registry_t *r) {
    if (!r) return;
    pthread_mutex_lock(&ltdl_lock);
    for (size_t i = r->nmodules; i-- > 0;) {
        module_t *m = &r->modules[i];
        if (m->desc->fini) m->desc->fini();
        lt_dlclose(m->handle);
        free(m->path);
    }
    lt_dlexit();
    pthread_mutex_unlock(&ltdl_lock);
    for (size_t i = 0; i < r->nentries; i++) free(r->entries[i].copy);
    free(r->modules);
    free(r->entries);
    free(r);
}

/* Turns the dynamic linker's message `why` about `full` into a sentence naming `path`. */
static void explain_open_failure(const char *path, const char *full, const char *why, char *errstr,
                                 size_t errstr_size) {
    if (!why) why = "unknown dynamic linker error";
    /* glibc prefixes the message with the path it was opening; a missing dependency is
     * named by its own soname instead. */
    size_t plen = strlen(full);
    const char *cause = why;
    if (strncmp(why, full, plen) == 0 && why[plen] == ':') cause = why + plen + 1;
    while (*cause == ' ') cause++;

    if (strstr(cause, "invalid ELF header") || strstr(cause, "file too short") ||
        strstr(cause, "not an ELF") || strstr(cause, "only ET_DYN"))
        set_err(errstr, errstr_size, "%s is not a shared object (%s)", path, cause);
    else if (strstr(why, "cannot open shared object file") && cause == why)
        set_err(errstr, errstr_size,
                "%s: a library it depends on cannot be found: %s (install it, or put it next "
                "to the plugin and set LD_LIBRARY_PATH or the plugin's RUNPATH)",
                path, cause);
    else if (strstr(why, "undefined symbol"))
        set_err(errstr, errstr_size, "%s: unresolved symbol: %s", path, cause);
    else
        set_err(errstr, errstr_size, "%s: cannot load plugin: %s", path, cause);
}

static const entry_t *find_exact_name(const cw_registry_t *r, const char *name) {
    for (size_t i = 0; i < r->nentries; i++)
        if (strcmp(r->entries[i].plugin->name, name) == 0) return &r->entries[i];
    return NULL;
}

/* Checks the descriptor, then checks and copies every plugin into `copies` (as many as the
 * module lists); called with the lock held. On failure frees the copies made. */
static int check_module(cw_registry_t *r, const char *path, const cw_module_t *m,
                        cw_plugin_copy_t ***copies, char *errstr, size_t errstr_size) {
    if (cw_gate_check_module(path, m, errstr, errstr_size) < 0) return -1;
    size_t n = 0;
    while (m->plugins[n]) n++;
    cw_plugin_copy_t **out = calloc(n + 1, sizeof *out);
    if (!out) abort();
    for (size_t i = 0; i < n; i++) {
        out[i] = cw_gate_copy_plugin(path, m->plugins[i], errstr, errstr_size);
        if (!out[i]) goto fail;
        const char *name = out[i]->plugin.name;
        const entry_t *dup = find_exact_name(r, name);
        if (dup) {
            set_err(errstr, errstr_size, "%s: plugin name '%s' is already taken by %s", path, name,
                    r->modules[dup->module].path);
            goto fail;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(out[j]->plugin.name, name) == 0) {
                set_err(errstr, errstr_size, "%s: plugin name '%s' appears twice", path, name);
                goto fail;
            }
    }
    *copies = out;
    return 0;
fail:
    for (size_t i = 0; i < n; i++) free(out[i]);
    free(out);
    return -1;
}

static int already_loaded(const cw_registry_t *r, const char *real) {
    for (size_t i = 0; i < r->nmodules; i++)
        if (strcmp(r->modules[i].path, real) == 0) return 1;
    return 0;
}

static int load_locked(cw_registry_t *r, const char *path, char *errstr, size_t errstr_size) {
    struct stat st;
    if (stat(path, &st) != 0) {
        set_err(errstr, errstr_size, "%s: cannot load plugin: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(errstr, errstr_size, "%s is not a shared object (not a regular file)", path);
        return -1;
    }
    char real[PATH_MAX];
    if (!realpath(path, real)) snprintf(real, sizeof real, "%s", path);
    if (already_loaded(r, real)) return 0; /* same file twice via two directories */

    /* Bind every symbol now, as if with LD_BIND_NOW: libltdl opens lazily, and a symbol
     * that cannot be resolved would otherwise kill the whole worker on first call. This
     * handle also keeps the object mapped, so libltdl's open below binds nothing again.
     * libltdl reports any failure of a path as "file not found"; dlerror says what. */
    dlerror();
    void *bound = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!bound) {
        explain_open_failure(path, real, dlerror(), errstr, errstr_size);
        return -1;
    }
    lt_dladvise advise;
    lt_dlhandle h = NULL;
    if (lt_dladvise_init(&advise) == 0) {
        lt_dladvise_local(&advise);        /* plugins must not see each other's symbols */
        h = lt_dlopenadvise(real, advise); /* a full path: libltdl searches nothing */
        lt_dladvise_destroy(&advise);
    }
    dlclose(bound);
    if (!h) {
        const char *why = lt_dlerror();
        set_err(errstr, errstr_size, "%s: cannot load plugin: %s", path,
                why ? why : "unknown libltdl error");
        return -1;
    }

    cw_module_entry_fn entry = NULL;
    void *sym = lt_dlsym(h, CW_MODULE_ENTRY_SYMBOL);
    memcpy(&entry, &sym, sizeof entry); /* object pointer to function pointer, per POSIX */
    if (!entry) {
        set_err(errstr, errstr_size,
                "%s does not export %s: it is not a connect-worker plugin (plugins declare "
                "CW_MODULE_ENTRY)",
                path, CW_MODULE_ENTRY_SYMBOL);
        lt_dlclose(h);
        return -1;
    }
    const cw_module_t *m = entry();
    if (!m) {
        set_err(errstr, errstr_size, "%s: %s returned no module", path, CW_MODULE_ENTRY_SYMBOL);
        lt_dlclose(h);
        return -1;
    }
    cw_plugin_copy_t **copies = NULL;
    if (check_module(r, path, m, &copies, errstr, errstr_size) < 0) {
        lt_dlclose(h);
        return -1;
    }
    if (m->init) {
        char init_err[512] = "";
        int rc = m->init(r->host, init_err, sizeof init_err);
        if (rc != CW_OK) {
            set_err(errstr, errstr_size, "%s: module '%s' failed to initialise: %s", path,
                    m->name ? m->name : "?", init_err[0] ? init_err : "(no reason given)");
            for (size_t i = 0; copies[i]; i++) free(copies[i]);
            free(copies);
            lt_dlclose(h);
            return -1;
        }
    }

    if (r->nmodules == r->capmodules) {
        r->capmodules = r->capmodules ? r->capmodules * 2 : 8;
        r->modules = xrealloc(r->modules, r->capmodules * sizeof *r->modules);
    }
    size_t mi = r->nmodules++;
    r->modules[mi] = (module_t){strdup(real), h, m};
    if (!r->modules[mi].path) abort();
    for (size_t i = 0; copies[i]; i++) {
        if (r->nentries == r->capentries) {
            r->capentries = r->capentries ? r->capentries * 2 : 16;
            r->entries = xrealloc(r->entries, r->capentries * sizeof *r->entries);
        }
        r->entries[r->nentries++] = (entry_t){&copies[i]->plugin, copies[i], mi};
    }
    free(copies);
    return 0;
}

int cw_registry_load_file(cw_registry_t *r, const char *path, char *errstr, size_t errstr_size) {
    pthread_mutex_lock(&ltdl_lock);
    int rc = load_locked(r, path, errstr, errstr_size);
    pthread_mutex_unlock(&ltdl_lock);
    return rc;
}

static int ends_with_so(const char *name) {
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a directory's entries (without . and ..), so loading order is stable. */
static char **list_dir(const char *dir, size_t *n, char *errstr, size_t errstr_size) {
    DIR *d = opendir(dir);
    if (!d) {
        set_err(errstr, errstr_size, "%s: cannot read plugin directory: %s", dir, strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[count] = strdup(de->d_name);
        if (!names[count]) abort();
        count++;
    }
    closedir(d);
    if (count) qsort(names, count, sizeof *names, cmp_str);
    *n = count;
    return names ? names : xrealloc(NULL, sizeof(char *));
}

static void free_names(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static int load_so_files(cw_registry_t *r, const char *dir, int depth) {
    char err[1024];
    size_t n;
    char **names = list_dir(dir, &n, err, sizeof err);
    if (!names) {
        cw_log_warn("%s", err);
        return 0;
    }
    int loaded = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = xrealloc(NULL, len);
        snprintf(path, len, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (depth == 0) loaded += load_so_files(r, path, 1);
        } else if (ends_with_so(names[i])) {
            size_t before = r->nmodules;
            if (cw_registry_load_file(r, path, err, sizeof err) < 0)
                cw_log_warn("skipping plugin file: %s", err);
            else if (r->nmodules > before)
                loaded++;
        }
        free(path);
    }
    free_names(names, n);
    return loaded;
}

int cw_registry_load_dir(cw_registry_t *r, const char *dir, char *errstr, size_t errstr_size) {
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        set_err(errstr, errstr_size, "%s: cannot read plugin directory: %s", dir,
                stat(dir, &st) != 0 ? strerror(errno) : "not a directory");
        return -1;
    }
    size_t n;
    char **names = list_dir(dir, &n, errstr, errstr_size);
    if (!names) return -1;
    free_names(names, n);
    return load_so_files(r, dir, 0);
}

int cw_registry_load_bundled(cw_registry_t *r, char *errstr, size_t errstr_size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            size_t len = strlen(exe) + strlen(CW_PLUGIN_RELDIR) + 2;
            char *dir = xrealloc(NULL, len);
            snprintf(dir, len, "%s/%s", exe, CW_PLUGIN_RELDIR);
            struct stat st;
            if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
                int rc = cw_registry_load_dir(r, dir, errstr, errstr_size);
                free(dir);
                return rc;
            }
            free(dir);
        }
    }
    return cw_registry_load_dir(r, CW_BUILD_PLUGIN_DIR, errstr, errstr_size);
}

static int matches(const cw_plugin_t *p, cw_plugin_kind_t kind, const char *name,
                   int (*cmp)(const char *, const char *)) {
    if (kind && p->kind != kind) return 0;
    if (cmp(p->name, name) == 0) return 1;
    for (const char *const *a = p->aliases; a && *a; a++)
        if (cmp(*a, name) == 0) return 1;
    return 0;
}

const cw_plugin_t *cw_registry_find(const cw_registry_t *r, const char *name, cw_plugin_kind_t kind,
                                    const char **file) {
    if (!name) return NULL;
    int (*cmps[2])(const char *, const char *) = {strcmp, strcasecmp};
    for (int c = 0; c < 2; c++)
        for (size_t i = 0; i < r->nentries; i++)
            if (matches(r->entries[i].plugin, kind, name, cmps[c])) {
                if (file) *file = r->modules[r->entries[i].module].path;
                return r->entries[i].plugin;
            }
    return NULL;
}

void cw_registry_foreach(const cw_registry_t *r,
                         void (*fn)(const cw_plugin_t *p, const char *file, void *opaque),
                         void *opaque) {
    for (size_t i = 0; i < r->nentries; i++)
        fn(r->entries[i].plugin, r->modules[r->entries[i].module].path, opaque);
}
