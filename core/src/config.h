/* Validated configurations: the implementation of the public cw_config_t, validation of a
 * key/value set against a plugin's cw_config_def_t table, and the error list that lets the
 * worker report every problem at once. */
#ifndef CW_CONFIG_H
#define CW_CONFIG_H
#include <stdarg.h>
#include "connect-worker/plugin.h"
#include "props.h"

/** A growing list of messages, each one line naming file and key. */
typedef struct cw_errlist {
    char **items;
    char **keys; /* the full key each item names (e.g. transforms.x.spec), or NULL */
    size_t count, cap;
} cw_errlist_t;
void cw_errlist_add(cw_errlist_t *e, const char *fmt, ...) CW_PRINTF(2, 3);
/** As cw_errlist_add, recording the full key the message names (for REST grouping and for
 *  cw_errlist_has_key). */
void cw_errlist_add_key(cw_errlist_t *e, const char *key, const char *fmt, ...) CW_PRINTF(3, 4);
void cw_errlist_vadd_key(cw_errlist_t *e, const char *key, const char *fmt, va_list ap);
/** Does an item from index `since` on name `key`? */
int cw_errlist_has_key(const cw_errlist_t *e, const char *key, size_t since);
void cw_errlist_free(cw_errlist_t *e);

/** Validates the keys of `props` against `defs` (a table ending with {NULL}): required keys
 *  present, types parse, values allowed, numbers within bounds. `prefix` is prepended to key
 *  names in messages (e.g. "transforms.clean." for a transform's keys), `origin` names the
 *  file. Appends one message per problem to `errs`, and returns how many it added. When
 *  `unknown` is not NULL, keys that no def declares are appended to it (the caller warns). */
size_t cw_config_validate(const cw_props_t *props, const cw_config_def_t *defs, const char *prefix,
                          const char *origin, cw_errlist_t *errs, cw_errlist_t *unknown);

/** Is `key` declared by `defs` (exactly, or through a CW_CFG_F_PREFIX entry)? */
const cw_config_def_t *cw_config_def_find(const cw_config_def_t *defs, const char *key);

/** Builds the public config object over a copy of `props` with `defs` for defaults.
 *  `defs` may be NULL. Free with cw_config_free. */
cw_config_t *cw_config_new(const cw_props_t *props, const cw_config_def_t *defs);
void cw_config_free(cw_config_t *c);
const cw_props_t *cw_config_props(const cw_config_t *c);

/* The implementations behind the cw_host_t config members (same contracts). */
const char *cw_config_get(const cw_config_t *c, const char *key);
int64_t cw_config_get_int(const cw_config_t *c, const char *key, int64_t fallback);
double cw_config_get_double(const cw_config_t *c, const char *key, double fallback);
int cw_config_get_bool(const cw_config_t *c, const char *key, int fallback);
const char *const *cw_config_get_list(const cw_config_t *c, const char *key, size_t *count);
int cw_config_foreach(const cw_config_t *c, const char *prefix,
                      int (*fn)(const char *key, const char *value, void *opaque), void *opaque);

/** Is `key` a secret according to `defs`, or by its name (password, secret, sasl.jaas.config,
 *  ssl.key..., *.token)? Used to mask values in every output. */
int cw_config_key_is_secret(const cw_config_def_t *defs, const char *key);
#endif
