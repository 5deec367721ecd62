/* The rds-source configuration: the declared keys (Confluent JDBC source names and defaults)
 * and the settings a task reads from them once at start. */
#ifndef RDS_CONFIG_H
#define RDS_CONFIG_H
#include "connect-worker/plugin.h"
#include "connect-worker/sdk_db.h"

extern const cw_config_def_t rds_config_defs[];

typedef enum {
    RDS_MODE_BULK,
    RDS_MODE_INCREMENTING,
    RDS_MODE_TIMESTAMP,
    RDS_MODE_TIMESTAMP_INCREMENTING
} rds_mode_t;
typedef enum {
    RDS_NUM_NONE,
    RDS_NUM_PRECISION_ONLY,
    RDS_NUM_BEST_FIT,
    RDS_NUM_BEST_FIT_EAGER_DOUBLE
} rds_numeric_t;
typedef enum { RDS_DT_SQL, RDS_DT_ISO8601, RDS_DT_CONNECT } rds_dtformat_t;
/* DATETIME/TIMESTAMP columns: our strings (datetime.format) or one of Confluent's
 * timestamp.granularity forms. */
typedef enum {
    RDS_TSG_STRING,
    RDS_TSG_CONNECT_LOGICAL,
    RDS_TSG_NANOS_LONG,
    RDS_TSG_NANOS_STRING,
    RDS_TSG_NANOS_ISO,
    RDS_TSG_MICROS_LONG,
    RDS_TSG_MICROS_STRING,
    RDS_TSG_MICROS_ISO
} rds_tsgran_t;
/* DECIMAL columns: our numbers (no decimal.format set) or JsonConverter's Decimal forms. */
typedef enum { RDS_DEC_OURS, RDS_DEC_BASE64, RDS_DEC_NUMERIC } rds_decfmt_t;

typedef struct rds_settings {
    cw_sdk_db_url_t url; /* user/password already merged from connection.user/... */
    int64_t attempts, backoff_ms;
    rds_mode_t mode;
    const char *query;        /* NULL: table mode */
    int query_secret;         /* the query came from query.masked: never logged */
    const char *query_suffix; /* "" when unset */
    const char *topic_prefix;
    const char *inc_column; /* "" : the table's AUTO_INCREMENT column */
    const char *const *ts_columns;
    size_t n_ts_columns;
    int64_t ts_delay_ms;
    int has_ts_initial;
    int64_t ts_initial_ms; /* -1: now at start */
    const char *db_timezone;
    int64_t poll_interval_ms, batch_max_rows, table_poll_interval_ms;
    rds_numeric_t numeric;
    rds_dtformat_t dtformat;
    rds_tsgran_t tsgran;
    int64_t tz_offset_s; /* db.timezone as a fixed offset east of UTC (epoch forms) */
    rds_decfmt_t decfmt;
    const char *const *whitelist, *const *blacklist; /* NULL when unset or empty */
    const char *const *table_types;
} rds_settings_t;

/* The one checker of the settings, shared by validate and start: reads every key into *s and
 * reports each problem (cross-key rules the declaration table cannot express, the URL) with
 * host->validation_error; never reports the password. Free *s with rds_settings_free
 * either way. */
void rds_settings_parse(const cw_host_t *host, const cw_config_t *cfg, cw_validation_t *v,
                        rds_settings_t *s);
/* rds_settings_parse for start and task_configs: CW_OK, or CW_ERR_CONFIG with every problem
 * in errstr as "key: message" (and *s freed). */
int rds_settings_load(const cw_host_t *host, const cw_config_t *cfg, rds_settings_t *s,
                      char *errstr, size_t errstr_size);
void rds_settings_free(rds_settings_t *s);
/* The plugin's validate callback. */
void rds_settings_validate(cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v);
const char *rds_mode_name(rds_mode_t m);
#endif
