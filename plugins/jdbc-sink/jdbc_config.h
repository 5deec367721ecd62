/* The jdbc-sink configuration: the declared keys (Confluent JdbcSinkConnector names and
 * defaults) and the settings a task reads from them once. One parser serves validate and
 * start, so a configuration that validates does not fail at start for a reason it shows. */
#ifndef JDBC_CONFIG_H
#define JDBC_CONFIG_H
#include "connect-worker/plugin.h"
#include "connect-worker/sdk_db.h"

extern const cw_config_def_t jdbc_config_defs[];

typedef enum { JDBC_INSERT, JDBC_UPSERT, JDBC_UPDATE } jdbc_insert_mode_t;
typedef enum {
    JDBC_PK_NONE,
    JDBC_PK_KAFKA,
    JDBC_PK_RECORD_KEY,
    JDBC_PK_RECORD_VALUE
} jdbc_pk_mode_t;

typedef struct jdbc_settings {
    cw_sdk_db_url_t url; /* user/password merged from connection.user/... */
    int attempts;
    int64_t backoff_ms;
    const char *table_format; /* table.name.format, with ${topic} */
    int max_retries;
    int64_t retry_backoff_ms;
    int batch_size;
    int delete_enabled, auto_create, auto_evolve, quote;
    jdbc_insert_mode_t insert_mode;
    jdbc_pk_mode_t pk_mode;
    const char *const *pk_fields; /* borrowed from the config; NULL when empty */
    size_t n_pk_fields;
    const char *const *whitelist; /* fields.whitelist; NULL when empty */
    size_t n_whitelist;
    const char *db_timezone;
} jdbc_settings_t;

/* Where the parser reports problems: to the worker's validation (validate) or, at start,
 * into errstr (the first problem; every one is counted). */
typedef struct jdbc_report {
    const cw_host_t *h;
    cw_validation_t *v; /* NULL at start */
    char *errstr;
    size_t errstr_size;
    int problems;
} jdbc_report_t;

/* Reads and checks the settings (rules between keys that the rows cannot state). Returns
 * the number of problems reported; free with jdbc_settings_free in every case. */
int jdbc_settings_parse(const cw_host_t *h, const cw_config_t *cfg, jdbc_report_t *r,
                        jdbc_settings_t *s);
void jdbc_settings_free(jdbc_settings_t *s);
/* The plugin's validate callback. */
void jdbc_validate(cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v);

/* The host table, kept by the module's init. */
extern const cw_host_t *jdbc_host;
#endif
