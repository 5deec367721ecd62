/*
 * connect-worker SDK: MySQL/MariaDB sessions (see sdk.h for the conventions).
 *
 * Connecting over MariaDB Connector/C with Kafka Connect's connection.attempts and
 * connection.backoff.ms, and telling lost connections (retry) from refused credentials or
 * bad SQL (stop). Used by rds-source and jdbc-sink. In its own archive,
 * libconnect-worker-sdk-mysql.a: link it (before libconnect-worker-sdk.a) and libmariadb.
 * Thread-safety: any thread; one MYSQL handle belongs to one thread at a time.
 */
#ifndef CONNECT_WORKER_SDK_DB_MYSQL_H
#define CONNECT_WORKER_SDK_DB_MYSQL_H
#include <mysql.h>
#include <stdint.h>
#include "connect-worker/plugin.h"
#include "connect-worker/sdk_db.h"

/* Opens a session: utf8mb4, time_zone = db_timezone ("UTC", "+02:00" or a zone name), long
 * net_write_timeout (a streamed result may wait for Kafka between polls). Tries up to
 * `attempts` times, sleeping backoff_ms between tries (returning early when the task is
 * stopping; ctx may be NULL outside a task). Returns CW_OK with *out set, CW_ERR_RETRIABLE
 * (server unreachable), CW_ERR_FATAL (access denied, unknown database) or CW_ERR_CONFIG
 * (time zone refused). errstr names user@host:port/db, never the password. */
int cw_sdk_db_mysql_connect(const cw_host_t *h, cw_ctx_t *ctx, const cw_sdk_db_url_t *url,
                            const char *db_timezone, int attempts, int64_t backoff_ms, MYSQL **out,
                            char *errstr, size_t errstr_size);

/* Is this client/server error a lost or refused connection, a deadlock or a lock wait
 * timeout (worth reconnecting or retrying for)? */
int cw_sdk_db_mysql_error_is_transient(unsigned err);

/* Milliseconds on a monotonic clock. */
int64_t cw_sdk_db_now_ms(void);
/* Sleeps `ms`, in short slices, returning early (non-zero) when the task of ctx is stopping
 * (ctx may be NULL). */
int cw_sdk_db_sleep_ms(const cw_host_t *h, cw_ctx_t *ctx, int64_t ms);
#endif
