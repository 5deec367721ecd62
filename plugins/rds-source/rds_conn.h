/* Connecting to MySQL/MariaDB with connection.attempts and connection.backoff.ms, and telling
 * lost connections (retry) from refused credentials or bad SQL (stop). */
#ifndef RDS_CONN_H
#define RDS_CONN_H
#include <mysql.h>
#include "connect-worker/plugin.h"
#include "rds_config.h"

/* Opens a session: utf8mb4, time_zone = db.timezone, long net_write_timeout (a streamed
 * result may wait for Kafka between polls). Tries up to `attempts` times, sleeping
 * backoff_ms between tries (returning early when the task is stopping). Returns CW_OK with
 * *out set, CW_ERR_RETRIABLE (server unreachable) or CW_ERR_FATAL (access denied, unknown
 * database, bad time zone). errstr names user@host:port/db, never the password. */
int rds_connect(const cw_host_t *h, cw_ctx_t *ctx, const rds_settings_t *s, int attempts,
                MYSQL **out, char *errstr, size_t errstr_size);

/* Is this client/server error a lost or refused connection (worth reconnecting for)? */
int rds_error_is_connection(unsigned err);

/* Milliseconds on a monotonic clock. */
int64_t rds_now_ms(void);
/* Sleeps `ms`, in short slices, returning early (non-zero) when the task is stopping. */
int rds_sleep_ms(const cw_host_t *h, cw_ctx_t *ctx, int64_t ms);
#endif
