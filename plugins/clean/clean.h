/* The clean transform's configuration and its apply step on a JSON object, separate from
 * the plugin glue so that tests and the benchmark can call them in process. */
#ifndef CLEAN_H
#define CLEAN_H
#include <jansson.h>
#include "connect-worker/plugin.h"

/** Host table (set by module init; tests set it to their host). */
extern const cw_host_t *clean_host;

typedef struct clean clean_t;

/** Reads the configuration. Returns CW_OK or CW_ERR_CONFIG with errstr naming the key.
 *  Shares its checker with clean_validate. */
int clean_configure_state(const cw_config_t *cfg, clean_t **out, char *errstr, size_t n);
/** The plugin's validate callback: every problem of the recipe, each naming its key. */
void clean_validate(cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v);
void clean_free(clean_t *c);

/** Cleans obj (a JSON object, modified in place). When the result is a new object (renames,
 *  order) *out receives it (a new reference), otherwise *out is NULL and obj is the result.
 *  Returns CW_OK or CW_ERR_RECORD with errstr naming the field and the value. */
int clean_apply_json(const clean_t *c, json_t *obj, json_t **out, char *errstr, size_t n);

/** The streaming path: cleans the JSON text `in` (a record value's plain JSON) without
 *  building a tree and points *out at the compact result (valid until the next call on c;
 *  c is per task, so per thread). Returns 1 when it did, 0 when it leaves this value to
 *  clean_apply_json: anything it does not handle (not a flat object of scalars, \u escapes,
 *  duplicate keys, numbers beyond int64 or double) and every value that fails, so that the
 *  tree path reports the error. When it returns 1 the bytes are exactly what the tree path
 *  would give, encoded with clean_host->json_encode. */
int clean_apply_text(clean_t *c, const char *in, size_t len, const char **out, size_t *out_len);

/** The key table (for --describe and validation). */
extern const cw_config_def_t clean_defs[];
#endif
