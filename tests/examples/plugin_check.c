/* cw-plugin-check FILE...: loads plugin shared objects with the worker's own loader and prints
 * "<kind> <name> <aliases...>" per plugin, or the loader's error. Lets the examples test check
 * an out-of-tree plugin without running a worker. */
#include <stdio.h>

#include "host.h"
#include "registry.h"

static void print_plugin(const cw_plugin_t *p, const char *file, void *opaque) {
    (void)file, (void)opaque;
    printf("%s %s", cw_plugin_kind_name(p->kind), p->name);
    for (const char *const *a = p->aliases; a && *a; a++) printf(" %s", *a);
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PLUGIN.so...\n", argv[0]);
        return 2;
    }
    cw_registry_t *r = cw_registry_new(cw_host()) /* the worker's own host table */;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        char err[1024];
        if (cw_registry_load_file(r, argv[i], err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            rc = 1;
        }
    }
    cw_registry_foreach(r, print_plugin, NULL);
    cw_registry_free(r);
    return rc;
}
