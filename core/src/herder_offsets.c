/* placeholder, replaced below */
#include <stdio.h>
#include "herder_internal.h"
int cw_herder_offsets_get(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                          size_t errstr_size) {
    (void)h, (void)name, (void)out;
    snprintf(errstr, errstr_size, "not implemented");
    return 500;
}
int cw_herder_offsets_alter(cw_herder_t *h, const char *name, const json_t *body, json_t **out,
                            char *errstr, size_t errstr_size) {
    (void)h, (void)name, (void)out, (void)body;
    snprintf(errstr, errstr_size, "not implemented");
    return 500;
}
int cw_herder_offsets_reset(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                            size_t errstr_size) {
    (void)h, (void)name, (void)out;
    snprintf(errstr, errstr_size, "not implemented");
    return 500;
}
int cw_herder_validate(cw_herder_t *h, const char *plugin, const json_t *config, json_t **out,
                       char *errstr, size_t errstr_size) {
    (void)h, (void)plugin, (void)out, (void)config;
    snprintf(errstr, errstr_size, "not implemented");
    return 500;
}
