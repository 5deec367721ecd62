/* The transform chain of a connector: transforms=a,b with transforms.a.* and predicates.p.*. */
#ifndef CW_CHAIN_H
#define CW_CHAIN_H
#include "config.h"
#include "props.h"
#include "registry.h"

typedef struct cw_chain cw_chain_t;

/** Checks transforms, predicates and their keys against the plugins' tables, and runs each
 *  plugin's validate callback on its own keys (connector `connector`, task -1). Messages
 *  name `origin` and the full key (transforms.<alias>.<key>). Unknown keys go to `unknown`
 *  when it is not NULL. Returns the number of errors added. */
size_t cw_chain_validate(const cw_props_t *conn, const cw_registry_t *reg, const char *connector,
                         const char *origin, cw_errlist_t *errs, cw_errlist_t *unknown);

/** Configures one chain (one per task) on `ctx`. Returns NULL with errstr on failure
 *  (already-configured instances are closed). */
cw_chain_t *cw_chain_new(const cw_props_t *conn, const cw_registry_t *reg, cw_ctx_t *ctx,
                         char *errstr, size_t errstr_size);
void cw_chain_free(cw_chain_t *c);

/** Number of transforms (0: apply is a no-op). */
size_t cw_chain_length(const cw_chain_t *c);

/** Runs the record through the chain. Returns CW_OK, CW_DROP, CW_ERR_RECORD or CW_ERR_FATAL;
 *  on an error *failed names the transform's type (for the DLQ class header). */
int cw_chain_apply(cw_chain_t *c, cw_record_t *r, const char **failed, char *errstr,
                   size_t errstr_size);
#endif
