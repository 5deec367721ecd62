/* MySQL/MariaDB sessions (connect-worker/sdk_db_mysql.h) over MariaDB Connector/C. */
#include "connect-worker/sdk_db_mysql.h"
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int64_t cw_sdk_db_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cw_sdk_db_sleep_ms(const cw_host_t *h, cw_ctx_t *ctx, int64_t ms) {
    int64_t end = cw_sdk_db_now_ms() + ms;
    for (;;) {
        if (ctx && h->stopping(ctx)) return 1;
        int64_t left = end - cw_sdk_db_now_ms();
        if (left <= 0) return 0;
        if (left > 100) left = 100;
        struct timespec ts = {0, (long)left * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int cw_sdk_db_mysql_error_is_transient(unsigned err) {
    switch (err) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_IPSOCK_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_HANDSHAKE_ERR:
    case CR_COMMANDS_OUT_OF_SYNC:
    case ER_SERVER_SHUTDOWN:
    case ER_CON_COUNT_ERROR:
    case ER_TOO_MANY_USER_CONNECTIONS:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_ERROR_ON_WRITE:
    case ER_NET_WRITE_INTERRUPTED:
    case ER_CONNECTION_KILLED:
    case ER_QUERY_INTERRUPTED:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_LOCK_DEADLOCK: return 1;
    default: return 0;
    }
}

static int configure(MYSQL *m, const cw_sdk_db_url_t *u) {
    unsigned ct = u->connect_timeout_s ? u->connect_timeout_s : 10;
    unsigned rt = u->read_timeout_s ? u->read_timeout_s : 600;
    my_bool yes = 1, no = 0;
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rt);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rt);
    /* reconnecting silently would lose the session settings and hide gaps: we do it */
    mysql_options(m, MYSQL_OPT_RECONNECT, &no);
    if (u->ssl_mode >= CW_SDK_DB_SSL_PREFERRED) {
        if (u->ssl_ca) mysql_options(m, MYSQL_OPT_SSL_CA, u->ssl_ca);
        if (u->ssl_mode >= CW_SDK_DB_SSL_REQUIRED) mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &yes);
        my_bool verify = u->ssl_mode >= CW_SDK_DB_SSL_VERIFY_CA ? 1 : 0;
        mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    }
    return 0;
}

static int session_setup(MYSQL *m, const char *db_timezone, char *errstr, size_t n) {
    char sql[256];
    const char *tz = db_timezone;
    if (strcasecmp(tz, "UTC") == 0 || strcasecmp(tz, "Z") == 0 || strcasecmp(tz, "GMT") == 0)
        tz = "+00:00";
    snprintf(sql, sizeof sql, "SET time_zone = '%s', SESSION net_write_timeout = 3600", tz);
    if (mysql_query(m, sql) != 0) {
        unsigned e = mysql_errno(m);
        snprintf(errstr, n, "db.timezone '%s' rejected by the server: %s", db_timezone,
                 mysql_error(m));
        return cw_sdk_db_mysql_error_is_transient(e) ? CW_ERR_RETRIABLE : CW_ERR_CONFIG;
    }
    return CW_OK;
}

int cw_sdk_db_mysql_connect(const cw_host_t *h, cw_ctx_t *ctx, const cw_sdk_db_url_t *u,
                            const char *db_timezone, int attempts, int64_t backoff_ms, MYSQL **out,
                            char *errstr, size_t n) {
    *out = NULL;
    if (attempts < 1) attempts = 1;
    for (int i = 1; i <= attempts; i++) {
        MYSQL *m = mysql_init(NULL);
        if (!m) {
            snprintf(errstr, n, "out of memory creating a MySQL handle");
            return CW_ERR_FATAL;
        }
        configure(m, u);
        if (mysql_real_connect(m, u->host, u->user, u->password, u->database, u->port, NULL, 0)) {
            int rc = session_setup(m, db_timezone, errstr, n);
            if (rc == CW_OK) {
                h->log(ctx, CW_LOG_INFO, "connected to %s:%u/%s as '%s' (server %s%s)", u->host,
                       u->port, u->database, u->user, mysql_get_server_info(m),
                       mysql_get_ssl_cipher(m) ? ", TLS" : "");
                *out = m;
                return CW_OK;
            }
            mysql_close(m);
            if (rc != CW_ERR_RETRIABLE) return rc;
        } else {
            unsigned e = mysql_errno(m);
            /* mysql_error names user and host ("Access denied for user 'u'@'h' (using
             * password: YES)") and never the password itself */
            snprintf(errstr, n, "cannot connect to %s:%u/%s as '%s': %s (error %u)", u->host,
                     u->port, u->database, u->user, mysql_error(m), e);
            mysql_close(m);
            if (!cw_sdk_db_mysql_error_is_transient(e)) return CW_ERR_FATAL;
        }
        if (i < attempts) {
            h->log(ctx, CW_LOG_WARN, "%s; attempt %d of %d, retrying in %lld ms", errstr, i,
                   attempts, (long long)backoff_ms);
            if (cw_sdk_db_sleep_ms(h, ctx, backoff_ms)) break;
        }
    }
    return CW_ERR_RETRIABLE;
}
