#include "rds_table.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rds_conn.h"

int rds_quote_ident(cw_sdk_buf_t *b, const char *name) {
    if (cw_sdk_buf_append(b, "`", 1) != 0) return -1;
    for (const char *p = name; *p; p++) {
        if (*p == '`' && cw_sdk_buf_append(b, "`", 1) != 0) return -1;
        if (cw_sdk_buf_append(b, p, 1) != 0) return -1;
    }
    return cw_sdk_buf_append(b, "`", 1);
}

/* The table part of a possibly qualified whitelist entry ("db.table" or "table"). */
static const char *bare_name(const char *entry, const char *db) {
    size_t dl = strlen(db);
    if (strncmp(entry, db, dl) == 0 && entry[dl] == '.') return entry + dl + 1;
    return entry;
}

static int listed(const char *const *list, const char *name, const char *db) {
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(bare_name(list[i], db), name) == 0) return 1;
    return 0;
}

void rds_names_free(char **names) {
    for (size_t i = 0; names && names[i]; i++) free(names[i]);
    free(names);
}

static int query_error(MYSQL *db, const char *what, char *errstr, size_t n) {
    unsigned e = mysql_errno(db);
    snprintf(errstr, n, "%s: %s (error %u)", what, mysql_error(db), e);
    return rds_error_is_connection(e) ? CW_ERR_RETRIABLE : CW_ERR_FATAL;
}

int rds_tables_discover(MYSQL *db, const rds_settings_t *s, char ***out, size_t *count,
                        char *errstr, size_t n) {
    *out = NULL;
    *count = 0;
    int views = 0, tables = 0;
    for (size_t i = 0; s->table_types && s->table_types[i]; i++) {
        if (strcasecmp(s->table_types[i], "VIEW") == 0) views = 1;
        if (strcasecmp(s->table_types[i], "TABLE") == 0) tables = 1;
    }
    if (!views && !tables) tables = 1;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
             "TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN (%s%s%s) ORDER BY TABLE_NAME",
             tables ? "'BASE TABLE'" : "", tables && views ? "," : "", views ? "'VIEW'" : "");
    if (mysql_query(db, sql) != 0) return query_error(db, "listing tables", errstr, n);
    MYSQL_RES *res = mysql_store_result(db);
    if (!res) return query_error(db, "listing tables", errstr, n);
    size_t rows = (size_t)mysql_num_rows(res), k = 0;
    char **names = calloc(rows + 1, sizeof *names);
    MYSQL_ROW row;
    while (names && (row = mysql_fetch_row(res))) {
        if (!row[0]) continue;
        if (s->whitelist && !listed(s->whitelist, row[0], s->url.database)) continue;
        if (s->blacklist && listed(s->blacklist, row[0], s->url.database)) continue;
        names[k++] = strdup(row[0]);
    }
    mysql_free_result(res);
    if (!names) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    for (size_t i = 0; s->whitelist && s->whitelist[i]; i++) {
        const char *want = bare_name(s->whitelist[i], s->url.database);
        int found = 0;
        for (size_t j = 0; j < k; j++)
            if (strcmp(names[j], want) == 0) found = 1;
        if (!found) {
            snprintf(errstr, n,
                     "table.whitelist: table '%s' does not exist in database '%s' "
                     "(or is not of a kind in table.types)",
                     s->whitelist[i], s->url.database);
            rds_names_free(names);
            return CW_ERR_CONFIG;
        }
    }
    *out = names;
    *count = k;
    return CW_OK;
}

static char *json_partition(const char *key, const char *value) {
    json_t *o = json_pack("{ss}", key, value);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

rds_table_t *rds_table_new(const rds_settings_t *s, const char *name) {
    rds_table_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    size_t tl = strlen(s->topic_prefix) + (name ? strlen(name) : 0) + 1;
    t->topic = malloc(tl);
    if (name) t->name = strdup(name);
    t->partition = name ? json_partition("table", name) : json_partition("query", "query");
    if (!t->topic || (name && !t->name) || !t->partition) {
        rds_table_free(t);
        return NULL;
    }
    snprintf(t->topic, tl, "%s%s", s->topic_prefix, name ? name : "");
    return t;
}

void rds_table_free(rds_table_t *t) {
    if (!t) return;
    free(t->name);
    free(t->partition);
    free(t->topic);
    free(t->inc_col);
    free(t);
}

/* Column names and AUTO_INCREMENT flags of the table (or the query's result). */
static int fetch_columns(MYSQL *db, const rds_settings_t *s, const rds_table_t *t, MYSQL_RES **res,
                         char *errstr, size_t n) {
    cw_sdk_buf_t q = {0};
    if (t->name) {
        cw_sdk_buf_puts(&q, "SELECT * FROM ");
        rds_quote_ident(&q, t->name);
        cw_sdk_buf_puts(&q, " LIMIT 0");
    } else {
        cw_sdk_buf_printf(&q, "SELECT * FROM (%s) AS `cw_query` LIMIT 0", s->query);
    }
    if (!q.data) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    int rc = mysql_real_query(db, q.data, q.len);
    cw_sdk_buf_free(&q);
    if (rc != 0) {
        char what[300];
        if (t->name)
            snprintf(what, sizeof what, "table '%s' in database '%s'", t->name, s->url.database);
        else
            snprintf(what, sizeof what, "query");
        int st = query_error(db, what, errstr, n);
        return st == CW_ERR_FATAL ? CW_ERR_CONFIG : st;
    }
    *res = mysql_store_result(db);
    if (!*res) return query_error(db, "reading column metadata", errstr, n);
    return CW_OK;
}

static int has_column(MYSQL_FIELD *f, unsigned nf, const char *name) {
    for (unsigned i = 0; i < nf; i++)
        if (strcasecmp(f[i].name, name) == 0) return 1;
    return 0;
}

int rds_table_check(MYSQL *db, const rds_settings_t *s, rds_table_t *t, char *errstr, size_t n) {
    MYSQL_RES *res = NULL;
    int rc = fetch_columns(db, s, t, &res, errstr, n);
    if (rc != CW_OK) return rc;
    unsigned nf = mysql_num_fields(res);
    MYSQL_FIELD *f = mysql_fetch_fields(res);
    const char *where = t->name ? t->name : "the query";
    rc = CW_OK;
    for (size_t i = 0;
         i < s->n_ts_columns && s->mode != RDS_MODE_BULK && s->mode != RDS_MODE_INCREMENTING; i++) {
        if (!has_column(f, nf, s->ts_columns[i])) {
            snprintf(errstr, n, "timestamp.column.name: column '%s' does not exist in %s%s%s",
                     s->ts_columns[i], t->name ? "table '" : "", where, t->name ? "'" : "");
            rc = CW_ERR_CONFIG;
            goto out;
        }
    }
    if (s->mode == RDS_MODE_INCREMENTING || s->mode == RDS_MODE_TIMESTAMP_INCREMENTING) {
        const char *col = NULL;
        if (*s->inc_column) {
            if (!has_column(f, nf, s->inc_column)) {
                snprintf(errstr, n,
                         "incrementing.column.name: column '%s' does not exist in "
                         "%s%s%s",
                         s->inc_column, t->name ? "table '" : "", where, t->name ? "'" : "");
                rc = CW_ERR_CONFIG;
                goto out;
            }
            col = s->inc_column;
        } else {
            for (unsigned i = 0; i < nf && !col; i++)
                if (f[i].flags & AUTO_INCREMENT_FLAG) col = f[i].name;
            if (!col) {
                snprintf(errstr, n,
                         "incrementing.column.name is empty and table '%s' has no "
                         "AUTO_INCREMENT column: name the column",
                         where);
                rc = CW_ERR_CONFIG;
                goto out;
            }
        }
        free(t->inc_col);
        t->inc_col = strdup(col);
        if (!t->inc_col) {
            snprintf(errstr, n, "out of memory");
            rc = CW_ERR_FATAL;
        }
    }
out:
    mysql_free_result(res);
    return rc;
}

/* {"incrementing":N} into buf (size >= 40: 16 + at most 20 digits and a sign + 2). */
static const char *format_incrementing(int64_t v, char *buf, size_t size) {
    static const char head[] = "{\"incrementing\":";
    if (size < sizeof head + CW_SDK_INT64_TEXT_MAX + 1) return NULL;
    char *o = buf;
    memcpy(o, head, sizeof head - 1);
    o += sizeof head - 1;
    o += cw_sdk_format_int64(o, v);
    *o++ = '}';
    *o = '\0';
    return buf;
}

const char *rds_cursor_format(rds_mode_t mode, const rds_cursor_t *c, char *buf, size_t size) {
    int64_t ms = c->ts_sec * 1000 + c->ts_nanos / 1000000;
    switch (mode) {
    case RDS_MODE_INCREMENTING:
        /* every row's offset: written without snprintf, which costs more than the row's JSON
         * keys */
        if (!c->has_inc) return NULL;
        return format_incrementing(c->inc, buf, size);
    case RDS_MODE_TIMESTAMP:
        if (!c->has_ts) return NULL;
        snprintf(buf, size, "{\"timestamp\":%lld,\"timestamp_nanos\":%ld}", (long long)ms,
                 (long)c->ts_nanos);
        return buf;
    case RDS_MODE_TIMESTAMP_INCREMENTING:
        if (!c->has_ts || !c->has_inc) return NULL;
        snprintf(buf, size,
                 "{\"timestamp\":%lld,\"timestamp_nanos\":%ld,"
                 "\"incrementing\":%lld}",
                 (long long)ms, (long)c->ts_nanos, (long long)c->inc);
        return buf;
    default: return NULL;
    }
}

char *rds_cursor_to_json(rds_mode_t mode, const rds_cursor_t *c) {
    char buf[160];
    const char *s = rds_cursor_format(mode, c, buf, sizeof buf);
    return s ? strdup(s) : NULL;
}

int rds_cursor_from_json(const char *text, rds_cursor_t *c) {
    memset(c, 0, sizeof *c);
    json_t *o = json_loads(text, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return -1;
    }
    json_t *inc = json_object_get(o, "incrementing");
    json_t *ts = json_object_get(o, "timestamp");
    json_t *ns = json_object_get(o, "timestamp_nanos");
    int rc = 0;
    if (inc) {
        if (!json_is_integer(inc))
            rc = -1;
        else {
            c->has_inc = 1;
            c->inc = json_integer_value(inc);
        }
    }
    if (ts) {
        if (!json_is_integer(ts))
            rc = -1;
        else {
            int64_t ms = json_integer_value(ts);
            c->has_ts = 1;
            c->ts_sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
            c->ts_nanos = (int32_t)((ms - c->ts_sec * 1000) * 1000000);
            if (json_is_integer(ns)) {
                json_int_t v = json_integer_value(ns);
                if (v >= 0 && v < 1000000000) c->ts_nanos = (int32_t)v;
            }
        }
    }
    json_decref(o);
    return rc;
}
