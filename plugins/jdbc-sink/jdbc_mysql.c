/* MySQL / MariaDB dialect on MariaDB Connector/C (Confluent's MySqlDatabaseDialect). */
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>
#include "connect-worker/sdk_db_mysql.h"
#include "jdbc_db.h"

static int my_connect(const cw_host_t *h, cw_ctx_t *ctx, const jdbc_settings_t *s, void **conn,
                      char *errstr, size_t n) {
    MYSQL *m = NULL;
    int rc = cw_sdk_db_mysql_connect(h, ctx, &s->url, s->db_timezone, s->attempts, s->backoff_ms,
                                     &m, errstr, n);
    if (rc != CW_OK) return rc;
    /* the sink commits each batch itself; strict mode makes a value that does not fit an
     * error (a bad record) instead of a silently truncated or zeroed one */
    if (mysql_autocommit(m, 0) != 0 ||
        mysql_query(m, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')") != 0) {
        snprintf(errstr, n, "cannot set up the session on %s:%u: %s", s->url.host, s->url.port,
                 mysql_error(m));
        rc = cw_sdk_db_mysql_error_is_transient(mysql_errno(m)) ? CW_ERR_RETRIABLE : CW_ERR_FATAL;
        mysql_close(m);
        return rc;
    }
    *conn = m;
    return CW_OK;
}

static void my_disconnect(void *conn) {
    if (conn) mysql_close(conn);
}

static void fill_err(MYSQL *m, jdbc_err_t *e) {
    unsigned code = mysql_errno(m);
    e->position = -1; /* MySQL names the column in its message instead */
    e->transient = cw_sdk_db_mysql_error_is_transient(code);
    snprintf(e->msg, sizeof e->msg, "%s (MySQL error %u, SQLSTATE %s)", mysql_error(m), code,
             mysql_sqlstate(m));
}

static int my_exec(void *conn, const char *sql, size_t len, jdbc_err_t *e) {
    MYSQL *m = conn;
    if (mysql_real_query(m, sql, (unsigned long)len) != 0) {
        fill_err(m, e);
        return -1;
    }
    MYSQL_RES *res = mysql_store_result(m);
    if (res) mysql_free_result(res);
    return 0;
}

static size_t my_escape(void *conn, char *dst, const char *s, size_t n) {
    return mysql_real_escape_string(conn, dst, s, (unsigned long)n);
}

static int my_describe(void *conn, cw_sdk_buf_t *scratch, const char *schema, const char *table,
                       jdbc_col_t **cols, size_t *ncols, jdbc_err_t *e) {
    MYSQL *m = conn;
    char *sql = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&sql, &len);
    if (!f) {
        snprintf(e->msg, sizeof e->msg, "out of memory");
        e->transient = 0;
        return -1;
    }
    fputs("SELECT COLUMN_NAME, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ",
          f);
    if (schema)
        jdbc_quote(&jdbc_mysql_dialect, m, scratch, f, schema, strlen(schema));
    else
        fputs("DATABASE()", f);
    fputs(" AND TABLE_NAME = ", f);
    jdbc_quote(&jdbc_mysql_dialect, m, scratch, f, table, strlen(table));
    fputs(" ORDER BY ORDINAL_POSITION", f);
    fclose(f);
    int rc = mysql_real_query(m, sql, (unsigned long)len);
    free(sql);
    MYSQL_RES *res = rc == 0 ? mysql_store_result(m) : NULL;
    if (!res) {
        fill_err(m, e);
        return -1;
    }
    size_t n = (size_t)mysql_num_rows(res);
    *cols = n ? calloc(n, sizeof **cols) : NULL;
    *ncols = 0;
    MYSQL_ROW row;
    while (*cols && (row = mysql_fetch_row(res)) != NULL) {
        (*cols)[*ncols].name = strdup(row[0]);
        (*cols)[*ncols].is_pk = row[1] && strcmp(row[1], "PRI") == 0;
        (*ncols)++;
    }
    mysql_free_result(res);
    return n == 0 ? 1 : 0;
}

static const char *my_type_name(jdbc_type_t t, int is_pk) {
    switch (t) {
    case JDBC_T_BOOL: return "BOOLEAN";
    case JDBC_T_INT32: return "INT";
    case JDBC_T_INT64: return "BIGINT";
    case JDBC_T_DOUBLE: return "DOUBLE";
    case JDBC_T_JSON: return "JSON";
    case JDBC_T_BYTES: return is_pk ? "VARBINARY(255)" : "LONGBLOB";
    case JDBC_T_DATE: return "DATE";
    case JDBC_T_TIMESTAMP: return "DATETIME(3)";
    /* a TEXT column cannot be a key without a prefix length (Confluent: VARCHAR(256)) */
    default: return is_pk ? "VARCHAR(256)" : "TEXT";
    }
}

static void my_upsert_tail(FILE *out, const jdbc_dialect_t *d, int quote, const char *const *keys,
                           size_t nkeys, const char *const *cols, size_t ncols) {
    /* every column is updated, the key ones to themselves when there is nothing else, so
     * that a replayed row is a no-op rather than a duplicate-key error */
    fputs(" ON DUPLICATE KEY UPDATE ", out);
    size_t written = 0;
    for (size_t i = 0; i < ncols; i++) {
        int is_key = 0;
        for (size_t k = 0; k < nkeys; k++)
            if (strcmp(keys[k], cols[i]) == 0) is_key = 1;
        if (is_key && ncols > nkeys) continue;
        if (written++) fputc(',', out);
        jdbc_ident(out, d, quote, cols[i]);
        fputs("=VALUES(", out);
        jdbc_ident(out, d, quote, cols[i]);
        fputc(')', out);
    }
}

const jdbc_dialect_t jdbc_mysql_dialect = {
    .name = "MySqlDatabaseDialect",
    .quote = '`',
    .begin = "START TRANSACTION",
    .connect = my_connect,
    .disconnect = my_disconnect,
    .exec = my_exec,
    .escape = my_escape,
    .describe = my_describe,
    .type_name = my_type_name,
    .upsert_tail = my_upsert_tail,
    .ts_format = "FROM_UNIXTIME(%lld.%03d)",
    .bytes_open = "X'",
    .bytes_close = "'",
    .decimal_format = "DECIMAL(65,%d)", /* Confluent's MySQL dialect */
    .decimal_max_scale = 30,
};
