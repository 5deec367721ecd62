/* PostgreSQL dialect on libpq (Confluent's PostgreSqlDatabaseDialect). */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include "connect-worker/sdk_db_mysql.h"
#include "jdbc_db.h"

static const char *sslmode(int m) {
    switch (m) {
    case CW_SDK_DB_SSL_DISABLED: return "disable";
    case CW_SDK_DB_SSL_REQUIRED: return "require";
    case CW_SDK_DB_SSL_VERIFY_CA: return "verify-ca";
    case CW_SDK_DB_SSL_VERIFY_IDENTITY: return "verify-full";
    default: return "prefer";
    }
}

/* One attempt. 1: connected; 0: unreachable (retry); -1: refused (stop). */
static int pg_try(const jdbc_settings_t *s, PGconn **out, char *errstr, size_t n) {
    char port[16], timeout[16];
    snprintf(port, sizeof port, "%u", s->url.port);
    snprintf(timeout, sizeof timeout, "%u",
             s->url.connect_timeout_s ? s->url.connect_timeout_s : 10);
    const char *keys[] = {"host",
                          "port",
                          "dbname",
                          "user",
                          "password",
                          "sslmode",
                          "sslrootcert",
                          "connect_timeout",
                          "client_encoding",
                          "application_name",
                          NULL};
    const char *vals[] = {s->url.host,
                          port,
                          s->url.database,
                          s->url.user,
                          s->url.password,
                          sslmode(s->url.ssl_mode),
                          s->url.ssl_ca,
                          timeout,
                          "UTF8",
                          "connect-worker jdbc-sink",
                          NULL};
    /* libpq skips a key whose value is NULL (no password, no CA file) */
    PGconn *pg = PQconnectdbParams(keys, vals, 0);
    if (pg && PQstatus(pg) == CONNECTION_OK) {
        *out = pg;
        return 1;
    }
    const char *why = pg ? PQerrorMessage(pg) : "out of memory";
    size_t wl = strcspn(why, "\n");
    snprintf(errstr, n, "cannot connect to %s:%u/%s as '%s': %.*s", s->url.host, s->url.port,
             s->url.database, s->url.user, (int)wl, why);
    /* libpq gives no code for a refused login: its message says so */
    int refused = strstr(why, "authentication failed") || strstr(why, "does not exist") ||
                  strstr(why, "no pg_hba.conf entry") || strstr(why, "certificate");
    PQfinish(pg);
    return refused ? -1 : 0;
}

static int pg_connect(const cw_host_t *h, cw_ctx_t *ctx, const jdbc_settings_t *s, void **conn,
                      char *errstr, size_t n) {
    PGconn *pg = NULL;
    int got = 0;
    for (int i = 1; i <= (s->attempts < 1 ? 1 : s->attempts); i++) {
        got = pg_try(s, &pg, errstr, n);
        if (got != 0) break;
        if (i < s->attempts) {
            h->log(ctx, CW_LOG_WARN, "%s; attempt %d of %d, retrying in %lld ms", errstr, i,
                   s->attempts, (long long)s->backoff_ms);
            if (cw_sdk_db_sleep_ms(h, ctx, s->backoff_ms)) break;
        }
    }
    if (got <= 0) return got < 0 ? CW_ERR_FATAL : CW_ERR_RETRIABLE;
    char sql[256];
    /* a bare '+02:00' would be read as a POSIX zone (east and west swapped): an interval
     * keeps ISO-8601's sign */
    if (s->db_timezone[0] == '+' || s->db_timezone[0] == '-')
        snprintf(sql, sizeof sql, "SET TIME ZONE INTERVAL '%s' HOUR TO MINUTE", s->db_timezone);
    else
        snprintf(sql, sizeof sql, "SET TIME ZONE '%s'", s->db_timezone);
    PGresult *res = PQexec(pg, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        snprintf(errstr, n, "db.timezone '%s' rejected by the server: %.200s", s->db_timezone,
                 PQerrorMessage(pg));
        PQfinish(pg);
        return CW_ERR_CONFIG;
    }
    h->log(ctx, CW_LOG_INFO, "connected to %s:%u/%s as '%s' (PostgreSQL %d%s)", s->url.host,
           s->url.port, s->url.database, s->url.user, PQserverVersion(pg),
           PQsslInUse(pg) ? ", TLS" : "");
    *conn = pg;
    return CW_OK;
}

static void pg_disconnect(void *conn) {
    if (conn) PQfinish(conn);
}

/* Connection failures (class 08), shutdowns (57P01-57P03), serialization failures and
 * deadlocks (40001, 40P01), too many connections (53300) and lock timeouts (55P03) pass. */
static int transient_state(const char *st) {
    if (!st) return 1; /* no result at all: the connection is gone */
    return strncmp(st, "08", 2) == 0 || strncmp(st, "57P0", 4) == 0 || strcmp(st, "40001") == 0 ||
           strcmp(st, "40P01") == 0 || strcmp(st, "53300") == 0 || strcmp(st, "55P03") == 0;
}

/* PostgreSQL blames a place in the statement by its 1-based character position. */
static long byte_position(const char *sql, const char *pos) {
    long chars = pos ? atol(pos) : 0, i = 0;
    if (chars <= 0 || !sql) return -1;
    for (; sql[i] && chars > 1; i++)
        if (((unsigned char)sql[i] & 0xC0) != 0x80 && i > 0) chars--;
    while (sql[i] && ((unsigned char)sql[i] & 0xC0) == 0x80) i++;
    return i;
}

static void fill_err(PGconn *pg, PGresult *res, jdbc_err_t *e) {
    e->position = -1;
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg) msg = PQerrorMessage(pg);
    e->transient = transient_state(st) || PQstatus(pg) != CONNECTION_OK;
    snprintf(e->msg, sizeof e->msg, "%.*s (PostgreSQL SQLSTATE %s)", (int)strcspn(msg, "\n"), msg,
             st ? st : "none");
}

static int pg_exec(void *conn, const char *sql, size_t len, jdbc_err_t *e) {
    PGconn *pg = conn;
    (void)len;
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        PQclear(res);
        return 0;
    }
    fill_err(pg, res, e);
    if (res) e->position = byte_position(sql, PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION));
    PQclear(res);
    return -1;
}

static size_t pg_escape(void *conn, char *dst, const char *s, size_t n) {
    int err = 0;
    /* invalid UTF-8 is escaped as far as it goes: the server then refuses the row */
    return PQescapeStringConn(conn, dst, s, n, &err);
}

static int pg_describe(void *conn, cw_sdk_buf_t *scratch, const char *schema, const char *table,
                       jdbc_col_t **cols, size_t *ncols, jdbc_err_t *e) {
    PGconn *pg = conn;
    char *sql = NULL, *ident = NULL;
    size_t len = 0, ilen = 0;
    FILE *fi = open_memstream(&ident, &ilen);
    FILE *f = open_memstream(&sql, &len);
    if (!f || !fi) {
        if (f) fclose(f);
        if (fi) fclose(fi);
        free(sql);
        free(ident);
        snprintf(e->msg, sizeof e->msg, "out of memory");
        e->transient = 0;
        return -1;
    }
    if (schema) {
        jdbc_ident(fi, &jdbc_pg_dialect, 1, schema);
        fputc('.', fi);
    }
    jdbc_ident(fi, &jdbc_pg_dialect, 1, table);
    fclose(fi);
    fputs("SELECT a.attname, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid "
          "AND i.indisprimary AND a.attnum = ANY (i.indkey)) FROM pg_attribute a "
          "WHERE a.attrelid = to_regclass(",
          f);
    jdbc_quote(&jdbc_pg_dialect, pg, scratch, f, ident, ilen);
    fputs(") AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", f);
    fclose(f);
    free(ident);
    PGresult *res = PQexec(pg, sql);
    free(sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fill_err(pg, res, e);
        PQclear(res);
        return -1;
    }
    int n = PQntuples(res);
    *cols = n ? calloc((size_t)n, sizeof **cols) : NULL;
    *ncols = 0;
    for (int i = 0; *cols && i < n; i++) {
        (*cols)[i].name = strdup(PQgetvalue(res, i, 0));
        (*cols)[i].is_pk = PQgetvalue(res, i, 1)[0] == 't';
        (*ncols)++;
    }
    PQclear(res);
    return n == 0 ? 1 : 0;
}

static const char *pg_type_name(jdbc_type_t t, int is_pk) {
    (void)is_pk;
    switch (t) {
    case JDBC_T_BOOL: return "BOOLEAN";
    case JDBC_T_INT32: return "INT";
    case JDBC_T_INT64: return "BIGINT";
    case JDBC_T_DOUBLE: return "DOUBLE PRECISION";
    case JDBC_T_JSON: return "JSONB";
    case JDBC_T_BYTES: return "BYTEA";
    case JDBC_T_DATE: return "DATE";
    case JDBC_T_TIMESTAMP: return "TIMESTAMP";
    default: return "TEXT";
    }
}

static void pg_upsert_tail(FILE *out, const jdbc_dialect_t *d, int quote, const char *const *keys,
                           size_t nkeys, const char *const *cols, size_t ncols) {
    fputs(" ON CONFLICT (", out);
    for (size_t k = 0; k < nkeys; k++) {
        if (k) fputc(',', out);
        jdbc_ident(out, d, quote, keys[k]);
    }
    size_t written = 0;
    for (size_t i = 0; i < ncols; i++) {
        int is_key = 0;
        for (size_t k = 0; k < nkeys; k++)
            if (strcmp(keys[k], cols[i]) == 0) is_key = 1;
        if (is_key) continue;
        fputs(written++ ? "," : ") DO UPDATE SET ", out);
        jdbc_ident(out, d, quote, cols[i]);
        fputs("=EXCLUDED.", out);
        jdbc_ident(out, d, quote, cols[i]);
    }
    if (!written) fputs(") DO NOTHING", out);
}

const jdbc_dialect_t jdbc_pg_dialect = {
    .name = "PostgreSqlDatabaseDialect",
    .quote = '"',
    .begin = "BEGIN",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .exec = pg_exec,
    .escape = pg_escape,
    .describe = pg_describe,
    .type_name = pg_type_name,
    .upsert_tail = pg_upsert_tail,
    .ts_format = "to_timestamp(%lld.%03d)",
    .bytes_open = "decode('",
    .bytes_close = "','hex')",
    /* unconstrained: any scale, as Confluent's PostgreSQL dialect creates it */
    .decimal_format = "DECIMAL",
    .decimal_max_scale = 1000,
};
