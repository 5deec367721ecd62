/* Validation: the cw_validation_t behind cw_host_t.validation_error, a plugin's validate
 * callback run on one configuration, and the whole check of one connector configuration
 * that --validate, start-up and the REST validate endpoint share. */
#ifndef CW_VALIDATE_H
#define CW_VALIDATE_H
#include "config.h"
#include "props.h"
#include "registry.h"

struct cw_worker;

/* The implementations behind cw_host_t.validation_error / validation_begin / validation_end
 * (same contracts). */
void cw_validation_error(cw_validation_t *v, const char *key, const char *fmt, ...) CW_PRINTF(3, 4);
cw_validation_t *cw_validation_begin(void);
int cw_validation_end(cw_validation_t *v, char *errstr, size_t errstr_size);

/** Runs `p`'s validate callback (nothing when it has none) on `config` for connector
 *  `connector` (task -1). Each problem goes to `errs` as "<origin>: <prefix><key>: <message>",
 *  unless an item from index `since` on already names that key (the rows reported it).
 *  Returns the number of problems added. */
size_t cw_plugin_validate(const cw_plugin_t *p, const char *connector, const cw_config_t *config,
                          const char *origin, const char *prefix, size_t since, cw_errlist_t *errs);

/** The key table of a connector: the plugin's rows (which win), then the keys every
 *  connector accepts and errors.*. Free with free(). */
cw_config_def_t *cw_connector_defs_merge(const cw_config_def_t *plugin);

/** The connector plugin `props` names in connector.class, or NULL. When errs is not NULL,
 *  an unknown class or a plugin that is not a connector is reported naming `origin`.
 *  *file receives the plugin's shared object when file is not NULL. */
const cw_plugin_t *cw_connector_plugin(const cw_registry_t *reg, const cw_props_t *props,
                                       const char *origin, cw_errlist_t *errs, const char **file);

/** The longest connector name accepted, in bytes (Kafka sets none; see check_name). */
#define CW_CONNECTOR_NAME_MAX 249

/** A malloc'd copy of a connector name for the worker's use (log lines): a name too long to
 *  be valid is cut at CW_CONNECTOR_NAME_MAX bytes with "..." (it never starts anyway). */
char *cw_connector_name_copy(const char *name);

/** Checks one connector configuration (resolved keys) completely, as Kafka Connect's
 *  validate does: connector.class names a loaded connector, every key fits its row (the
 *  connector's plugin, the common connector keys, errors.*), a sink names its topics,
 *  transforms and predicates exist and their keys fit their rows, librdkafka accepts the
 *  *.override.* keys, a source's offsets file can be written (its directory exists; said
 *  once per list, naming the worker file), and every plugin's validate callback (the connector's, each
 *  transform's and each predicate's) passes. Every problem is appended to `errs`, one line
 *  each naming `origin` and the full key (cw_errlist_t.keys holds the key). Keys that no row
 *  declares go to `unknown` when it is not NULL. Starts nothing, opens no connection.
 *  Returns the number of problems added. Thread-safe for different `errs`. */
size_t cw_connector_validate(const struct cw_worker *w, const cw_props_t *props, const char *origin,
                             cw_errlist_t *errs, cw_errlist_t *unknown);
#endif
