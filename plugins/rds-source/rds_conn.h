/* Connecting to MySQL/MariaDB with the rds-source settings: the SDK's session code
 * (connect-worker/sdk_db_mysql.h) under the names the source's files use. */
#ifndef RDS_CONN_H
#define RDS_CONN_H
#include <mysql.h>
#include "connect-worker/plugin.h"
#include "connect-worker/sdk_db_mysql.h"
#include "rds_config.h"

/* See cw_sdk_db_mysql_connect: connection.attempts, connection.backoff.ms and db.timezone. */
static inline int rds_connect(const cw_host_t *h, cw_ctx_t *ctx, const rds_settings_t *s,
                              int attempts, MYSQL **out, char *errstr, size_t errstr_size) {
    return cw_sdk_db_mysql_connect(h, ctx, &s->url, s->db_timezone, attempts, s->backoff_ms, out,
                                   errstr, errstr_size);
}

/* Is this client/server error a lost or refused connection (worth reconnecting for)? */
static inline int rds_error_is_connection(unsigned err) {
    return cw_sdk_db_mysql_error_is_transient(err);
}

static inline int64_t rds_now_ms(void) { return cw_sdk_db_now_ms(); }
static inline int rds_sleep_ms(const cw_host_t *h, cw_ctx_t *ctx, int64_t ms) {
    return cw_sdk_db_sleep_ms(h, ctx, ms);
}
#endif
