/* One source partition (a table, or the custom query) and its read cursor, plus discovery of
 * the tables to copy and the checks of their columns. */
#ifndef RDS_TABLE_H
#define RDS_TABLE_H
#include <mysql.h>
#include "connect-worker/plugin.h"
#include "rds_config.h"

typedef struct rds_cursor {
    int has_ts;
    int64_t ts_sec;   /* seconds since the epoch of the timestamp column(s) */
    int32_t ts_nanos; /* fraction of that second */
    int has_inc;
    int64_t inc;
} rds_cursor_t;

typedef struct rds_table {
    char *name;      /* NULL in query mode */
    char *partition; /* source partition JSON: {"table":"t"} or {"query":"query"} */
    char *topic;
    char *inc_col;       /* resolved incrementing column (modes that use one) */
    rds_cursor_t cursor; /* the next query starts after this (rows handed to the worker) */
    int64_t next_due_ms; /* monotonic time of the next query */
} rds_table_t;

/* Lists the tables of the connection's database that the settings select (whitelist /
 * blacklist, table.types), sorted. Whitelisted names that do not exist are an error naming
 * them (CW_ERR_CONFIG). Returns CW_OK with a malloc'ed NULL-terminated array of malloc'ed
 * names (free with rds_names_free), or an error status with errstr. */
int rds_tables_discover(MYSQL *db, const rds_settings_t *s, char ***out, size_t *count,
                        char *errstr, size_t errstr_size);
void rds_names_free(char **names);

/* Checks that the table (or the query) exists and has the configured columns; resolves the
 * incrementing column (the AUTO_INCREMENT column when incrementing.column.name is empty).
 * Returns CW_OK, CW_ERR_CONFIG naming table and column, or CW_ERR_RETRIABLE (connection). */
int rds_table_check(MYSQL *db, const rds_settings_t *s, rds_table_t *t, char *errstr,
                    size_t errstr_size);

/* Creates the table entry with partition and topic (name NULL: query mode). */
rds_table_t *rds_table_new(const rds_settings_t *s, const char *name);
void rds_table_free(rds_table_t *t);

/* Offsets as JSON text in Confluent's shape: {"incrementing":N},
 * {"timestamp":ms,"timestamp_nanos":ns} or both. NULL for bulk mode. Caller frees. */
char *rds_cursor_to_json(rds_mode_t mode, const rds_cursor_t *c);
/* The same into buf (once per row: no allocation; 160 bytes always suffice). Returns buf, or
 * NULL for bulk mode (and, in incrementing mode, when buf is too small). */
const char *rds_cursor_format(rds_mode_t mode, const rds_cursor_t *c, char *buf, size_t size);
/* Reads an offset stored by rds_cursor_to_json. Returns 0, or -1 when it cannot be read. */
int rds_cursor_from_json(const char *json, rds_cursor_t *c);
/* Appends `name` quoted with backticks (inner backticks doubled). */
#include "rds_buf.h"
int rds_quote_ident(cw_sdk_buf_t *b, const char *name);
#endif
