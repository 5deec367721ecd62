/* Kafka Connect's REST API over libmicrohttpd: the server the worker starts and stops.
 *
 * Threads: libmicrohttpd's thread pool (rest.threads) serves every listener with epoll; a
 * connection is read without blocking, so a slow client holds no thread, and one idle for
 * rest.connection.timeout.ms is closed. Handlers run on the pool threads and reach the
 * worker only through thread-safe calls (the herder, the metrics registry, the log level). */
#ifndef CW_REST_H
#define CW_REST_H
#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "props.h"

struct cw_worker;
typedef struct cw_rest cw_rest_t;

/** Checks the worker's REST keys (every problem to errs naming `origin` and the key), for
 *  --validate and start-up. */
void cw_rest_validate(const struct cw_worker *w, const char *origin, cw_errlist_t *errs);

/** Starts every listener. Returns the server; NULL with errstr when a listener the user
 *  configured cannot be opened (the worker does not start then). When the user configured
 *  none and the default 127.0.0.1:8083 is taken, the worker runs without REST: NULL with
 *  errstr "" after a warning. `listeners=` (empty) turns the API off: NULL, errstr "". */
cw_rest_t *cw_rest_start(struct cw_worker *w, char *errstr, size_t errstr_size);

/** Stops accepting, finishes the requests in progress, frees everything. NULL is a no-op. */
void cw_rest_stop(cw_rest_t *r);

/** Kafka's ConfigInfos (PUT /connector-plugins/{p}/config/validate) of one connector
 *  configuration `raw` (values as submitted, config providers unresolved): every row of the
 *  connector (its plugin's, the common keys, errors.*) with its ConfigKeyInfo definition and
 *  ConfigValueInfo value, and every problem cw_connector_validate finds (on a resolved copy)
 *  under the key it names; error_count is their number. Secret values come back as
 *  "[hidden]". Starts nothing. A new reference; NULL when out of memory. Thread-safe. */
json_t *cw_rest_config_infos(struct cw_worker *w, const cw_props_t *raw);

/** The advertised URL (Kafka's rest.advertised.* rules), e.g. "http://127.0.0.1:8083/".
 *  Valid until cw_rest_stop. */
const char *cw_rest_url(const cw_rest_t *r);
#endif
