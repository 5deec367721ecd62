/* The two dialects behind one small interface: MySQL/MariaDB (MariaDB Connector/C) and
 * PostgreSQL (libpq). Statements are text with literal values escaped by the client library
 * of the connection, so one builder serves both. */
#ifndef JDBC_DB_H
#define JDBC_DB_H
#include <stdint.h>
#include <stdio.h>
#include "connect-worker/plugin.h"
#include "connect-worker/sdk_buf.h"
#include "jdbc_config.h"

/* Column kinds the sink creates and writes, from JSON types or a Kafka Connect schema. */
typedef enum {
    JDBC_T_NONE = 0, /* only nulls seen so far */
    JDBC_T_BOOL,
    JDBC_T_INT32,
    JDBC_T_INT64,
    JDBC_T_DOUBLE,
    JDBC_T_STRING,
    JDBC_T_JSON,
    JDBC_T_BYTES,
    JDBC_T_DATE,
    JDBC_T_TIMESTAMP,
    JDBC_T_DECIMAL
} jdbc_type_t;

/* The outcome of one statement. */
typedef struct jdbc_err {
    int transient; /* connection lost, server shutting down, deadlock: retry */
    char msg[512]; /* the server's message with its code; never a value */
    long position; /* byte offset in the statement the server blames, or -1 */
} jdbc_err_t;

typedef struct jdbc_col {
    char *name;
    int is_pk;
    jdbc_type_t type; /* what the sink created it as; JDBC_T_NONE for existing columns */
} jdbc_col_t;

typedef struct jdbc_dialect {
    const char *name;  /* Confluent's dialect name */
    char quote;        /* identifier quote */
    const char *begin; /* opens a transaction */
    /* Connects with connection.attempts / connection.backoff.ms and sets the session's
     * time zone. CW_OK, CW_ERR_RETRIABLE (unreachable) or CW_ERR_FATAL/CW_ERR_CONFIG. */
    int (*connect)(const cw_host_t *h, cw_ctx_t *ctx, const jdbc_settings_t *s, void **conn,
                   char *errstr, size_t errstr_size);
    void (*disconnect)(void *conn);
    /* Runs one statement that returns no rows. 0, or -1 with *e filled. */
    int (*exec)(void *conn, const char *sql, size_t len, jdbc_err_t *e);
    /* Escapes s[0..n) for a string literal into dst (room for 2n+1 bytes) by the rules of
     * the connection's server; returns the length written. */
    size_t (*escape)(void *conn, char *dst, const char *s, size_t n);
    /* The columns of `table` in `schema` (NULL: the connection's); 1 when there is no such
     * table, 0 with *cols (free each name and the array) otherwise, -1 with *e. `scratch`
     * serves jdbc_quote. */
    int (*describe)(void *conn, cw_sdk_buf_t *scratch, const char *schema, const char *table,
                    jdbc_col_t **cols, size_t *ncols, jdbc_err_t *e);
    /* The column type for CREATE TABLE / ALTER TABLE. */
    const char *(*type_name)(jdbc_type_t t, int is_pk);
    /* Appends what makes an INSERT an upsert on the key columns, updating `cols`. */
    void (*upsert_tail)(FILE *out, const struct jdbc_dialect *d, int quote, const char *const *keys,
                        size_t nkeys, const char *const *cols, size_t ncols);
    /* printf format of a timestamp literal from epoch seconds with 3 decimals. */
    const char *ts_format;
    /* A binary literal is bytes_open, upper-case hex digits, bytes_close. */
    const char *bytes_open, *bytes_close;
    /* printf format of a Decimal column's type from its scale (Confluent's dialects). */
    const char *decimal_format;
    int decimal_max_scale; /* the largest scale the type takes */
} jdbc_dialect_t;

extern const jdbc_dialect_t jdbc_mysql_dialect;
extern const jdbc_dialect_t jdbc_pg_dialect;

/* Writes an identifier, quoted unless quoting is off; a quote inside is doubled. */
void jdbc_ident(FILE *out, const jdbc_dialect_t *d, int quote, const char *name);
/* Writes s[0..n) as a quoted string literal escaped by d->escape, through `scratch`.
 * 0, or -1 on allocation failure. */
int jdbc_quote(const jdbc_dialect_t *d, void *conn, cw_sdk_buf_t *scratch, FILE *out, const char *s,
               size_t n);
#endif
