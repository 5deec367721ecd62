#include "jdbc_config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S CW_CFG_STRING
#define I CW_CFG_INT
#define B CW_CFG_BOOL
#define L CW_CFG_LIST

const cw_host_t *jdbc_host;

/* Names, defaults and meanings of Confluent's JdbcSinkConfig; the keys we only accept are
 * marked so in their doc (the README says why). */
const cw_config_def_t jdbc_config_defs[] = {
    {"connection.url", S, NULL, CW_CFG_F_REQUIRED,
     "jdbc:mysql://, jdbc:mariadb:// or jdbc:postgresql://host:port/db?params (TLS "
     "parameters as in rds-source).",
     NULL, 0, 0},
    {"connection.user", S, NULL, 0, "Database user (overrides a user in the URL).", NULL, 0, 0},
    {"connection.password", S, NULL, CW_CFG_F_SECRET,
     "Database password (overrides a password in the URL).", NULL, 0, 0},
    {"connection.attempts", I, "3", 0, "Connection tries before giving up for this call.", NULL, 1,
     1e9},
    {"connection.backoff.ms", I, "10000", 0, "Wait between connection tries.", NULL, 0, 1e9},
    {"insert.mode", S, "insert", 0,
     "insert, upsert (insert or update by primary key) or "
     "update.",
     "insert,upsert,update", 0, 0},
    {"batch.size", I, "3000", 0, "Most rows per multi-row statement.", NULL, 1, 1e9},
    {"delete.enabled", B, "false", 0,
     "Tombstones delete the row of their key (needs "
     "pk.mode=record_key).",
     NULL, 0, 0},
    {"table.name.format", S, "${topic}", 0,
     "Destination table; ${topic} is the record's "
     "topic. May name a schema or database: db.table.",
     NULL, 0, 0},
    {"pk.mode", S, "none", 0,
     "none, kafka (__connect_topic, __connect_partition, "
     "__connect_offset), record_key or record_value.",
     "none,kafka,record_key,record_value", 0, 0},
    {"pk.fields", L, "", 0, "Primary key columns (meaning depends on pk.mode).", NULL, 0, 0},
    {"fields.whitelist", L, "", 0, "Value fields written (empty: all).", NULL, 0, 0},
    {"auto.create", B, "false", 0, "Create a missing table from the records.", NULL, 0, 0},
    {"auto.evolve", B, "false", 0, "Add columns for fields the table lacks.", NULL, 0, 0},
    {"max.retries", I, "10", 0,
     "Retries of a write that failed transiently before the "
     "task stops.",
     NULL, 0, 1e9},
    {"retry.backoff.ms", I, "3000", 0, "Wait before each retry.", NULL, 0, 1e9},
    {"db.timezone", S, "UTC", 0, "Session time zone (timestamps are written in it).", NULL, 0, 0},
    {"quote.sql.identifiers", S, "always", 0, "always or never quote table and column names.",
     "always,never", 0, 0},
    {"dialect.name", S, "", 0,
     "Empty (from the URL), MySqlDatabaseDialect or "
     "PostgreSqlDatabaseDialect.",
     NULL, 0, 0},
    {"table.types", L, "TABLE", 0, "Accepted for compatibility: tables only.", "TABLE", 0, 0},
    {"replace.null.with.default", B, "true", 0,
     "Accepted for compatibility: a null is "
     "written as NULL.",
     NULL, 0, 0},
    {"date.timezone", S, "DB_TIMEZONE", 0, "Accepted for compatibility (DB_TIMEZONE).",
     "DB_TIMEZONE,UTC", 0, 0},
    {"date.calendar.system", S, "LEGACY", 0, "Accepted for compatibility.",
     "LEGACY,PROLEPTIC_GREGORIAN", 0, 0},
    {"timestamp.precision.mode", S, "microseconds", 0, "Accepted for compatibility.",
     "microseconds,nanoseconds", 0, 0},
    {"timestamp.fields.list", L, "", 0, "Accepted for compatibility.", NULL, 0, 0},
    {"trim.sensitive.log", B, "false", 0, "Accepted: record values are never logged.", NULL, 0, 0},
    {"mssql.use.merge.holdlock", B, "true", 0, "Accepted for compatibility (SQL Server only).",
     NULL, 0, 0},
    {"jdbc.credentials.provider.class", S, NULL, 0,
     "Accepted for compatibility: use "
     "connection.user/password (with config providers).",
     NULL, 0, 0},
    CW_CONFIG_END};

static void report(jdbc_report_t *r, const char *key, const char *fmt, ...) CW_PRINTF(3, 4);
static void report(jdbc_report_t *r, const char *key, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->v)
        r->h->validation_error(r->v, key, "%s", msg);
    else if (r->problems == 0)
        snprintf(r->errstr, r->errstr_size, "%s: %s", key, msg);
    r->problems++;
}

static const char *const *nonempty(const char *const *l, size_t *n) {
    if (l && l[0]) return l;
    if (n) *n = 0;
    return NULL;
}

static void connection_parse(const cw_host_t *h, const cw_config_t *cfg, jdbc_report_t *r,
                             jdbc_settings_t *s) {
    char why[512];
    const char *url = h->config_get(cfg, "connection.url");
    if (cw_sdk_db_url_parse(url ? url : "", &s->url, why, sizeof why) != 0) {
        report(r, "connection.url", "%s", why);
        return;
    }
    const char *user = h->config_get(cfg, "connection.user");
    const char *pw = h->config_get(cfg, "connection.password");
    if (user && *user) {
        free(s->url.user);
        s->url.user = strdup(user);
    }
    if (pw && *pw) {
        free(s->url.password);
        s->url.password = strdup(pw);
    }
    if (!s->url.user)
        report(r, "connection.user", "is not set (neither as a key nor in connection.url)");
    if (!s->url.database)
        report(r, "connection.url", "names no database (jdbc:...://host:port/<db>)");
    const char *d = h->config_get(cfg, "dialect.name");
    if (d && *d && strcasecmp(d, "MySqlDatabaseDialect") != 0 &&
        strcasecmp(d, "PostgreSqlDatabaseDialect") != 0)
        report(r, "dialect.name",
               "'%s' is not MySqlDatabaseDialect or "
               "PostgreSqlDatabaseDialect (or empty: from connection.url)",
               d);
    else if (d && *d) {
        cw_sdk_db_kind_t want =
            strcasecmp(d, "PostgreSqlDatabaseDialect") == 0 ? CW_SDK_DB_POSTGRES : CW_SDK_DB_MYSQL;
        if (want != s->url.kind)
            report(r, "dialect.name",
                   "'%s' does not speak to the database connection.url "
                   "names",
                   d);
    }
}

/* pk.mode, pk.fields and the insert.mode / delete.enabled rules between them. */
static void keys_parse(const cw_host_t *h, const cw_config_t *cfg, jdbc_report_t *r,
                       jdbc_settings_t *s) {
    const char *m = h->config_get(cfg, "insert.mode");
    s->insert_mode = strcasecmp(m, "upsert") == 0   ? JDBC_UPSERT
                     : strcasecmp(m, "update") == 0 ? JDBC_UPDATE
                                                    : JDBC_INSERT;
    const char *p = h->config_get(cfg, "pk.mode");
    s->pk_mode = strcasecmp(p, "kafka") == 0          ? JDBC_PK_KAFKA
                 : strcasecmp(p, "record_key") == 0   ? JDBC_PK_RECORD_KEY
                 : strcasecmp(p, "record_value") == 0 ? JDBC_PK_RECORD_VALUE
                                                      : JDBC_PK_NONE;
    s->pk_fields = nonempty(h->config_get_list(cfg, "pk.fields", &s->n_pk_fields), &s->n_pk_fields);
    if (s->pk_mode == JDBC_PK_KAFKA && s->pk_fields && s->n_pk_fields != 3)
        report(r, "pk.fields",
               "must name 3 columns (topic, partition, offset) with "
               "pk.mode=kafka, or be empty for __connect_topic,__connect_partition,"
               "__connect_offset");
    if (s->pk_mode == JDBC_PK_NONE && s->pk_fields)
        report(r, "pk.fields", "is set but pk.mode is none");
    if (s->insert_mode != JDBC_INSERT && s->pk_mode == JDBC_PK_NONE)
        report(r, "pk.mode",
               "must name a primary key (kafka, record_key or record_value) "
               "with insert.mode=%s",
               m);
    s->delete_enabled = h->config_get_bool(cfg, "delete.enabled", 0);
    if (s->delete_enabled && s->pk_mode != JDBC_PK_RECORD_KEY)
        report(r, "delete.enabled", "needs pk.mode=record_key (a tombstone has only its key)");
}

int jdbc_settings_parse(const cw_host_t *h, const cw_config_t *cfg, jdbc_report_t *r,
                        jdbc_settings_t *s) {
    memset(s, 0, sizeof *s);
    connection_parse(h, cfg, r, s);
    s->attempts = (int)h->config_get_int(cfg, "connection.attempts", 0);
    s->backoff_ms = h->config_get_int(cfg, "connection.backoff.ms", 0);
    s->table_format = h->config_get(cfg, "table.name.format");
    if (!s->table_format || !*s->table_format)
        report(r, "table.name.format", "must not be empty (e.g. ${topic})");
    s->max_retries = (int)h->config_get_int(cfg, "max.retries", 0);
    s->retry_backoff_ms = h->config_get_int(cfg, "retry.backoff.ms", 0);
    s->batch_size = (int)h->config_get_int(cfg, "batch.size", 0);
    s->auto_create = h->config_get_bool(cfg, "auto.create", 0);
    s->auto_evolve = h->config_get_bool(cfg, "auto.evolve", 0);
    s->quote = strcasecmp(h->config_get(cfg, "quote.sql.identifiers"), "never") != 0;
    keys_parse(h, cfg, r, s);
    s->whitelist =
        nonempty(h->config_get_list(cfg, "fields.whitelist", &s->n_whitelist), &s->n_whitelist);
    s->db_timezone = h->config_get(cfg, "db.timezone");
    if (!s->db_timezone || !*s->db_timezone)
        report(r, "db.timezone", "must name a time zone, e.g. UTC or +02:00");
    else if (strpbrk(s->db_timezone, "'\\\""))
        report(r, "db.timezone", "'%s' is not a time zone", s->db_timezone);
    return r->problems;
}

void jdbc_settings_free(jdbc_settings_t *s) { cw_sdk_db_url_free(&s->url); }

void jdbc_validate(cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v) {
    (void)ctx;
    jdbc_report_t r = {.h = jdbc_host, .v = v};
    jdbc_settings_t s;
    jdbc_settings_parse(jdbc_host, cfg, &r, &s);
    jdbc_settings_free(&s);
}
