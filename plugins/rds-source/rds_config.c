#include "rds_config.h"
#include "rds_task.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S CW_CFG_STRING
#define I CW_CFG_INT
#define B CW_CFG_BOOL
#define L CW_CFG_LIST
#define RDS_TSG_NAMES                                                                              \
    "connect_logical,nanos_long,nanos_string,nanos_iso_datetime_string,"                           \
    "micros_long,micros_string,micros_iso_datetime_string"

const cw_config_def_t rds_config_defs[] = {
    {"connection.url", S, NULL, CW_CFG_F_REQUIRED,
     "JDBC-style URL: jdbc:mysql://host:port/db?params, jdbc:mariadb://... or mysql://... "
     "(user and password may be given in the URL too).",
     NULL, 0, 0},
    {"connection.user", S, NULL, 0, "Database user (overrides a user in the URL).", NULL, 0, 0},
    {"connection.password", S, NULL, CW_CFG_F_SECRET,
     "Database password (overrides a password in the URL).", NULL, 0, 0},
    {"connection.attempts", I, "3", 0,
     "How many times to try connecting before giving up for this call.", NULL, 1, 1e9},
    {"connection.backoff.ms", I, "10000", 0, "Wait between connection attempts.", NULL, 0, 1e9},
    {"table.whitelist", L, "", 0, "Tables to copy (all tables when empty).", NULL, 0, 0},
    {"table.blacklist", L, "", 0, "Tables never to copy.", NULL, 0, 0},
    {"table.include.list", L, "", 0, "Newer name of table.whitelist.", NULL, 0, 0},
    {"table.exclude.list", L, "", 0, "Newer name of table.blacklist.", NULL, 0, 0},
    {"table.types", L, "TABLE", 0, "Kinds of tables discovered: TABLE, VIEW.", "TABLE,VIEW", 0, 0},
    {"catalog.pattern", S, NULL, 0,
     "Accepted for compatibility; the database comes from the "
     "URL.",
     NULL, 0, 0},
    {"schema.pattern", S, NULL, 0,
     "Accepted for compatibility; ignored (MySQL has no schemas "
     "inside a database).",
     NULL, 0, 0},
    {"query", S, "", 0,
     "A custom SELECT to run instead of copying tables (one task; the topic "
     "is topic.prefix).",
     NULL, 0, 0},
    {"query.suffix", S, "", 0, "Text appended to every generated query.", NULL, 0, 0},
    {"mode", S, NULL, CW_CFG_F_REQUIRED,
     "How rows are detected: bulk, incrementing, "
     "timestamp or timestamp+incrementing.",
     "bulk,incrementing,timestamp,timestamp+incrementing", 0, 0},
    {"incrementing.column.name", S, "", 0,
     "Strictly increasing column (empty: the table's "
     "AUTO_INCREMENT column).",
     NULL, 0, 0},
    {"timestamp.column.name", L, "", 0,
     "Timestamp column(s); several are COALESCEd in "
     "order.",
     NULL, 0, 0},
    {"timestamp.delay.interval.ms", I, "0", 0,
     "Rows are read only once their timestamp is "
     "this much older than the database's clock.",
     NULL, 0, 1e15},
    {"timestamp.initial", I, NULL, 0,
     "Epoch milliseconds to start timestamp modes from; -1: "
     "the current time; unset: from the beginning.",
     NULL, -1, 1e15},
    {"db.timezone", S, "UTC", 0,
     "Time zone of DATETIME values (session time_zone), e.g. UTC, "
     "+02:00 or a zone name when the server has zone tables.",
     NULL, 0, 0},
    {"validate.non.null", B, "true", 0,
     "Accepted for compatibility (NULL keys are never "
     "matched by the generated WHERE clauses).",
     NULL, 0, 0},
    {"topic.prefix", S, "", 0,
     "Topic = prefix + table name (empty: the table name; query "
     "mode: the whole topic, required).",
     NULL, 0, 0},
    {"poll.interval.ms", I, "5000", 0, "How often each table is queried for new rows.", NULL, 1,
     1e12},
    {"batch.max.rows", I, "1000", 0, "Most rows returned per poll (and per keyset page).", NULL, 1,
     1e9},
    {"table.poll.interval.ms", I, "60000", 0, "How often the task looks for new tables.", NULL, 1,
     1e12},
    {"numeric.mapping", S, NULL, 0,
     "DECIMAL rendering: none, precision_only, best_fit, "
     "best_fit_eager_double (see README).",
     "none,precision_only,best_fit,best_fit_eager_double", 0, 0},
    {"quote.sql.identifiers", S, "always", 0,
     "Accepted for compatibility; identifiers are "
     "always quoted with backticks.",
     "always,never", 0, 0},
    {"dialect.name", S, "", 0, "Accepted for compatibility (MySqlDatabaseDialect).", NULL, 0, 0},
    {"datetime.format", S, "sql", 0,
     "Temporal rendering: sql ('YYYY-MM-DD HH:MM:SS'), "
     "iso8601 ('YYYY-MM-DDTHH:MM:SS') or connect_logical (Confluent's JsonConverter: epoch "
     "ms, days, ms of the day).",
     "sql,iso8601,connect_logical", 0, 0},
    {"timestamp.granularity", S, NULL, 0,
     "DATETIME/TIMESTAMP as Confluent writes them: "
     "connect_logical, nanos_long, nanos_string, nanos_iso_datetime_string, micros_long, "
     "micros_string, micros_iso_datetime_string (unset: datetime.format decides).",
     RDS_TSG_NAMES, 0, 0},
    {"value.converter.decimal.format", S, NULL, 0,
     "JsonConverter's Decimal form: BASE64 or "
     "NUMERIC (unset: numbers, see numeric.mapping).",
     "BASE64,NUMERIC", 0, 0},
    {"numeric.precision.mapping", B, "false", 0,
     "Deprecated upstream: true is "
     "numeric.mapping=precision_only when numeric.mapping is unset.",
     NULL, 0, 0},
    {"query.masked", S, "", CW_CFG_F_SECRET, "query, hidden from logs.", NULL, 0, 0},
    {"max.buffer.size", I, "0", 0, "Accepted; no effect (rows are streamed, see README).", NULL, 0,
     1e9},
    {"poll.linger.ms", I, "5000", 0, "Accepted; no effect (a poll returns the rows read).", NULL, 0,
     1e12},
    {"table.monitoring.startup.polling.limit.ms", I, "10000", 0,
     "Accepted; no effect (tables "
     "are listed before tasks start).",
     NULL, 0, 1e12},
    {"query.retry.attempts", I, "-1", 0,
     "Accepted; failed queries are retried without limit "
     "(-1), other values are warned.",
     NULL, -1, 1e9},
    {"date.calendar.system", S, "LEGACY", 0, "Accepted; dates are always proleptic Gregorian.",
     "LEGACY,PROLEPTIC_GREGORIAN", 0, 0},
    {"transaction.isolation.mode", S, "DEFAULT", 0, "Only DEFAULT (the server's isolation).", NULL,
     0, 0},
    {"jdbc.credentials.provider.class", S, NULL, 0,
     "Only Confluent's default provider "
     "(connection.user / connection.password).",
     NULL, 0, 0},
    {"timestamp.columns.mapping", L, "", 0,
     "Refused when set (per-table column mapping is not "
     "supported).",
     NULL, 0, 0},
    {"incrementing.column.mapping", L, "", 0,
     "Refused when set (per-table column mapping is "
     "not supported).",
     NULL, 0, 0},
    {"tables.fetched", S, NULL, 0, "Internal (upstream task key); ignored.", NULL, 0, 0},
    {"engine.shutdown.timeout", I, "10", 0,
     "Internal upstream task key; accepted, no effect "
     "(the worker's shutdown timeout applies).",
     NULL, 0, 30},
    /* set by task_configs for each task, never by users */
    {"tables", L, NULL, 0, "Internal: the tables of this task.", NULL, 0, 0},
    {"rds.task.count", I, "1", 0, "Internal: number of tasks.", NULL, 0, 0},
    {"rds.task.known.tables", L, NULL, 0, "Internal: tables known when tasks were split.", NULL, 0,
     0},
    CW_CONFIG_END};

const char *rds_mode_name(rds_mode_t m) {
    switch (m) {
    case RDS_MODE_BULK: return "bulk";
    case RDS_MODE_INCREMENTING: return "incrementing";
    case RDS_MODE_TIMESTAMP: return "timestamp";
    default: return "timestamp+incrementing";
    }
}

static const char *const *nonempty(const char *const *l) { return (l && l[0]) ? l : NULL; }

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* The mode and the columns each mode needs. */
static void mode_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                       rds_settings_t *s) {
    const char *mode = h->config_get(cfg, "mode");
    if (!mode || !*mode) mode = "";
    if (strcasecmp(mode, "bulk") == 0)
        s->mode = RDS_MODE_BULK;
    else if (strcasecmp(mode, "incrementing") == 0)
        s->mode = RDS_MODE_INCREMENTING;
    else if (strcasecmp(mode, "timestamp") == 0)
        s->mode = RDS_MODE_TIMESTAMP;
    else if (strcasecmp(mode, "timestamp+incrementing") == 0)
        s->mode = RDS_MODE_TIMESTAMP_INCREMENTING;
    else {
        h->validation_error(v, "mode",
                            "'%s' is not one of bulk, incrementing, timestamp, "
                            "timestamp+incrementing",
                            mode);
        return;
    }
    const char *q = h->config_get(cfg, "incrementing.column.name");
    s->inc_column = q;
    s->ts_columns = nonempty(h->config_get_list(cfg, "timestamp.column.name", &s->n_ts_columns));
    if (!s->ts_columns) s->n_ts_columns = 0;
    if ((s->mode == RDS_MODE_TIMESTAMP || s->mode == RDS_MODE_TIMESTAMP_INCREMENTING) &&
        s->n_ts_columns == 0)
        h->validation_error(v, "timestamp.column.name", "must be set for mode %s",
                            rds_mode_name(s->mode));
    if (s->query && s->mode != RDS_MODE_BULK && s->mode != RDS_MODE_TIMESTAMP && !*s->inc_column)
        h->validation_error(v, "incrementing.column.name",
                            "must be set for mode %s with a "
                            "query (there is no table to find an AUTO_INCREMENT column in)",
                            rds_mode_name(s->mode));
}

/* Which tables: a whitelist or a blacklist (each under its old or new name), or a query. */
static void tables_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                         rds_settings_t *s) {
    const char *const *wl = nonempty(h->config_get_list(cfg, "table.whitelist", NULL));
    const char *const *il = nonempty(h->config_get_list(cfg, "table.include.list", NULL));
    const char *const *bl = nonempty(h->config_get_list(cfg, "table.blacklist", NULL));
    const char *const *xl = nonempty(h->config_get_list(cfg, "table.exclude.list", NULL));
    if (wl && il)
        h->validation_error(v, "table.include.list",
                            "set only one of table.whitelist and "
                            "table.include.list");
    if (bl && xl)
        h->validation_error(v, "table.exclude.list",
                            "set only one of table.blacklist and "
                            "table.exclude.list");
    s->whitelist = wl ? wl : il;
    s->blacklist = bl ? bl : xl;
    if (s->whitelist && s->blacklist)
        h->validation_error(v, bl ? "table.blacklist" : "table.exclude.list",
                            "table.whitelist (table.include.list) and table.blacklist "
                            "(table.exclude.list) cannot both be set");
    if (s->query && (s->whitelist || s->blacklist))
        h->validation_error(v, "query",
                            "cannot be combined with a table whitelist or "
                            "blacklist");
    s->table_types = h->config_get_list(cfg, "table.types", NULL);
}

/* The connection: URL, user and password (either in the URL or as keys). */
static void connection_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                             rds_settings_t *s) {
    char why[512];
    const char *url = h->config_get(cfg, "connection.url");
    if (cw_sdk_db_url_parse(url ? url : "", &s->url, why, sizeof why) != 0) {
        h->validation_error(v, "connection.url", "%s", why);
        return;
    }
    if (s->url.kind != CW_SDK_DB_MYSQL) {
        h->validation_error(v, "connection.url",
                            "must name a MySQL or MariaDB database "
                            "(jdbc:mysql://, jdbc:mariadb:// or mysql://): rds-source reads "
                            "no other kind");
        return;
    }
    const char *user = h->config_get(cfg, "connection.user");
    const char *pw = h->config_get(cfg, "connection.password");
    if (user && *user) {
        free(s->url.user);
        s->url.user = dup_or_null(user);
    }
    if (pw && *pw) {
        free(s->url.password);
        s->url.password = dup_or_null(pw);
    }
    if (!s->url.user)
        h->validation_error(v, "connection.user",
                            "is not set (neither as a key nor in "
                            "connection.url)");
    if (!s->url.database)
        h->validation_error(v, "connection.url",
                            "names no database "
                            "(jdbc:mysql://host:port/<db>)");
}

/* db.timezone as a fixed offset: UTC, GMT, Z, Etc/UTC or [+-]HH:MM. -1 for a named zone. */
static int fixed_offset(const char *tz, int64_t *off) {
    if (!strcasecmp(tz, "UTC") || !strcasecmp(tz, "GMT") || !strcasecmp(tz, "Z") ||
        !strcasecmp(tz, "Etc/UTC") || !strcasecmp(tz, "SYSTEM+0")) {
        *off = 0;
        return 0;
    }
    unsigned hh, mm;
    char sign, end;
    if (sscanf(tz, "%c%2u:%2u%c", &sign, &hh, &mm, &end) != 3 || (sign != '+' && sign != '-') ||
        hh > 14 || mm > 59)
        return -1;
    *off = (sign == '-' ? -1 : 1) * (int64_t)(hh * 3600 + mm * 60);
    return 0;
}

/* datetime.format and timestamp.granularity: our strings, or Confluent's forms. */
static void temporal_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                           rds_settings_t *s) {
    static const char *const gran[] = {"connect_logical",           "nanos_long",  "nanos_string",
                                       "nanos_iso_datetime_string", "micros_long", "micros_string",
                                       "micros_iso_datetime_string"};
    const char *df = h->config_get(cfg, "datetime.format");
    s->dtformat = strcasecmp(df, "iso8601") == 0           ? RDS_DT_ISO8601
                  : strcasecmp(df, "connect_logical") == 0 ? RDS_DT_CONNECT
                                                           : RDS_DT_SQL;
    const char *g = h->config_get(cfg, "timestamp.granularity");
    s->tsgran = s->dtformat == RDS_DT_CONNECT ? RDS_TSG_CONNECT_LOGICAL : RDS_TSG_STRING;
    for (size_t i = 0; g && i < sizeof gran / sizeof *gran; i++)
        if (strcasecmp(g, gran[i]) == 0) s->tsgran = (rds_tsgran_t)(RDS_TSG_CONNECT_LOGICAL + i);
    int epoch = s->tsgran == RDS_TSG_CONNECT_LOGICAL || s->tsgran == RDS_TSG_NANOS_LONG ||
                s->tsgran == RDS_TSG_NANOS_STRING || s->tsgran == RDS_TSG_MICROS_LONG ||
                s->tsgran == RDS_TSG_MICROS_STRING;
    if (epoch && *s->db_timezone && fixed_offset(s->db_timezone, &s->tz_offset_s) != 0)
        h->validation_error(v, g ? "timestamp.granularity" : "datetime.format",
                            "epoch forms need db.timezone to be UTC or a fixed offset such as "
                            "+02:00 (named zones are not supported for them; '%s' given)",
                            s->db_timezone);
}

/* Upstream keys with values this connector cannot honour: refused, naming the key. */
static void unsupported_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v) {
    static const char *const mappings[] = {"timestamp.columns.mapping",
                                           "incrementing.column.mapping"};
    for (size_t i = 0; i < 2; i++)
        if (nonempty(h->config_get_list(cfg, mappings[i], NULL)))
            h->validation_error(v, mappings[i],
                                "is not supported (per-table column mapping); "
                                "use incrementing.column.name / timestamp.column.name");
    const char *iso = h->config_get(cfg, "transaction.isolation.mode");
    if (strcasecmp(iso, "DEFAULT") != 0)
        h->validation_error(v, "transaction.isolation.mode",
                            "'%s' is not supported: queries "
                            "run at the server's default isolation (DEFAULT)",
                            iso);
    const char *cp = h->config_get(cfg, "jdbc.credentials.provider.class");
    if (cp && strcmp(cp, "io.confluent.connect.jdbc.util.DefaultJdbcCredentialsProvider") != 0)
        h->validation_error(v, "jdbc.credentials.provider.class",
                            "'%s' is not supported: "
                            "only the default provider (connection.user / "
                            "connection.password)",
                            cp);
}

void rds_settings_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                        rds_settings_t *s) {
    memset(s, 0, sizeof *s);
    connection_parse(h, cfg, v, s);
    s->attempts = h->config_get_int(cfg, "connection.attempts", 0);
    s->backoff_ms = h->config_get_int(cfg, "connection.backoff.ms", 0);
    const char *q = h->config_get(cfg, "query");
    s->query = *q ? q : NULL;
    s->query_suffix = h->config_get(cfg, "query.suffix");
    if (!s->query) {
        const char *qm = h->config_get(cfg, "query.masked");
        s->query = *qm ? qm : NULL;
        s->query_secret = s->query != NULL;
    }
    /* optional since Confluent 5.2.5: without it the topics are the table names */
    s->topic_prefix = h->config_get(cfg, "topic.prefix");
    if (s->query && !*s->topic_prefix)
        h->validation_error(v, "topic.prefix", "must name the topic when query is set");
    mode_parse(h, cfg, v, s);
    s->ts_delay_ms = h->config_get_int(cfg, "timestamp.delay.interval.ms", 0);
    if (h->config_get(cfg, "timestamp.initial")) {
        s->has_ts_initial = 1;
        s->ts_initial_ms = h->config_get_int(cfg, "timestamp.initial", 0);
    }
    s->db_timezone = h->config_get(cfg, "db.timezone");
    if (!*s->db_timezone) /* as Kafka's JDBC source, which has no zone called "" */
        h->validation_error(v, "db.timezone", "must name a time zone, e.g. UTC or +02:00");
    else if (strchr(s->db_timezone, '\'') || strchr(s->db_timezone, '\\'))
        h->validation_error(v, "db.timezone", "'%s' is not a time zone", s->db_timezone);
    s->poll_interval_ms = h->config_get_int(cfg, "poll.interval.ms", 0);
    s->batch_max_rows = h->config_get_int(cfg, "batch.max.rows", 0);
    s->table_poll_interval_ms = h->config_get_int(cfg, "table.poll.interval.ms", 0);
    const char *nm = h->config_get(cfg, "numeric.mapping");
    s->numeric = RDS_NUM_NONE;
    if (!nm) /* upstream: the deprecated boolean applies only when numeric.mapping is unset */
        nm = h->config_get_bool(cfg, "numeric.precision.mapping", 0) ? "precision_only" : "none";
    if (strcasecmp(nm, "precision_only") == 0)
        s->numeric = RDS_NUM_PRECISION_ONLY;
    else if (strcasecmp(nm, "best_fit") == 0)
        s->numeric = RDS_NUM_BEST_FIT;
    else if (strcasecmp(nm, "best_fit_eager_double") == 0)
        s->numeric = RDS_NUM_BEST_FIT_EAGER_DOUBLE;
    temporal_parse(h, cfg, v, s);
    const char *df = h->config_get(cfg, "value.converter.decimal.format");
    s->decfmt = !df                              ? RDS_DEC_OURS
                : strcasecmp(df, "NUMERIC") == 0 ? RDS_DEC_NUMERIC
                                                 : RDS_DEC_BASE64;
    tables_parse(h, cfg, v, s);
    unsupported_parse(h, cfg, v);
}

int rds_settings_load(const cw_host_t *h, const cw_config_t *cfg, rds_settings_t *s, char *errstr,
                      size_t n) {
    cw_validation_t *v = h->validation_begin();
    rds_settings_parse(h, cfg, v, s);
    if (h->validation_end(v, errstr, n)) {
        rds_settings_free(s);
        return CW_ERR_CONFIG;
    }
    return CW_OK;
}

/* Accepted upstream keys that change nothing here: a warning naming the key when set. */
static void warn_no_effect(cw_ctx_t *ctx, const cw_config_t *cfg) {
    static const struct {
        const char *key, *dflt, *why;
    } keys[] = {
        {"max.buffer.size", "0", "rows are streamed from the server one at a time"},
        {"poll.linger.ms", "5000", "a poll returns the rows read so far without waiting"},
        {"table.monitoring.startup.polling.limit.ms", "10000",
         "tables are listed before the tasks start"},
        {"query.retry.attempts", "-1", "a failed query is retried without limit"},
        {"engine.shutdown.timeout", "10", "the worker's shutdown timeout applies"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const char *val = rds_host->config_get(cfg, keys[i].key);
        if (val && strcmp(val, keys[i].dflt) != 0)
            rds_host->log(ctx, CW_LOG_WARN, "%s=%s has no effect: %s", keys[i].key, val,
                          keys[i].why);
    }
}

void rds_settings_validate(cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v) {
    warn_no_effect(ctx, cfg);
    rds_settings_t s;
    rds_settings_parse(rds_host, cfg, v, &s);
    /* MySQL's catalogs are its databases: a pattern naming another one would read other
     * tables upstream */
    const char *cat = rds_host->config_get(cfg, "catalog.pattern");
    if (cat && *cat && s.url.database && strcmp(cat, s.url.database) != 0)
        rds_host->log(ctx, CW_LOG_WARN,
                      "catalog.pattern=%s has no effect: tables are read from "
                      "the URL's database '%s'",
                      cat, s.url.database);
    rds_settings_free(&s);
}

void rds_settings_free(rds_settings_t *s) { cw_sdk_db_url_free(&s->url); }
