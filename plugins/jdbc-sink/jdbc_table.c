/* Destination tables: table.name.format, describing, auto.create and auto.evolve (Confluent's
 * DbStructure), and mapping record fields to the table's columns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "connect-worker/sdk_json.h"
#include <strings.h>
#include "jdbc_sink.h"

void jdbc_ident(FILE *out, const jdbc_dialect_t *d, int quote, const char *name) {
    if (!quote) {
        fputs(name, out);
        return;
    }
    fputc(d->quote, out);
    for (const char *p = name; *p; p++) {
        if (*p == d->quote) fputc(d->quote, out);
        fputc(*p, out);
    }
    fputc(d->quote, out);
}

int jdbc_quote(const jdbc_dialect_t *d, void *conn, cw_sdk_buf_t *scratch, FILE *out, const char *s,
               size_t n) {
    /* Printable ASCII without quotes or backslashes is its own escape in both dialects
     * (mysql_real_escape_string and PQescapeStringConn change only NUL, control characters,
     * quotes and backslashes, and multi-byte characters): most values are such text, and
     * the client library's escaping was a fifth of the sink's instructions (callgrind). */
    const unsigned char *u = (const unsigned char *)s;
    if (cw_sdk_json_plain_end(u, u + n) == u + n && !memchr(s, '\'', n)) {
        fputc('\'', out);
        fwrite(s, 1, n, out);
        fputc('\'', out);
        return 0;
    }
    if (cw_sdk_grow(&scratch->data, &scratch->cap, 2 * n + 1) != 0) return -1;
    size_t w = d->escape(conn, scratch->data, s, n);
    fputc('\'', out);
    fwrite(scratch->data, 1, w, out);
    fputc('\'', out);
    return 0;
}

static void cols_free(jdbc_col_t *cols, size_t n) {
    for (size_t i = 0; i < n; i++) free(cols[i].name);
    free(cols);
}

void jdbc_tables_free(jdbc_task_t *t) {
    for (size_t i = 0; i < t->ntables; i++) {
        jdbc_table_t *tb = t->tables[i];
        cols_free(tb->cols, tb->ncols);
        free(tb->name);
        free(tb->schema);
        free(tb->bare);
        free(tb);
    }
    free(t->tables);
    t->tables = NULL;
    t->ntables = 0;
    free(t->last_topic);
    t->last_topic = NULL;
    t->last_table = NULL;
}

/* table.name.format with every ${topic} replaced. */
static char *table_name(const char *format, const char *topic) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) return NULL;
    for (const char *p = format; *p;) {
        if (strncmp(p, "${topic}", 8) == 0) {
            fputs(topic, f);
            p += 8;
        } else
            fputc(*p++, f);
    }
    fclose(f);
    return out;
}

static jdbc_table_t *remember(jdbc_task_t *t, const char *topic, jdbc_table_t *tb) {
    char *copy = strdup(topic);
    if (!copy) return NULL;
    free(t->last_topic);
    t->last_topic = copy;
    t->last_table = tb;
    return tb;
}

jdbc_table_t *jdbc_table_get(jdbc_task_t *t, const char *topic) {
    if (t->last_topic && strcmp(t->last_topic, topic) == 0) return t->last_table;
    char *name = table_name(t->s.table_format, topic);
    if (!name) return NULL;
    for (size_t i = 0; i < t->ntables; i++)
        if (strcmp(t->tables[i]->name, name) == 0) {
            free(name);
            return remember(t, topic, t->tables[i]);
        }
    jdbc_table_t *tb = calloc(1, sizeof *tb);
    jdbc_table_t **grown = realloc(t->tables, (t->ntables + 1) * sizeof *grown);
    if (!tb || !grown) {
        free(tb);
        free(name);
        if (grown) t->tables = grown;
        return NULL;
    }
    t->tables = grown;
    tb->name = name;
    const char *dot = strchr(name, '.');
    tb->schema = dot ? strndup(name, (size_t)(dot - name)) : NULL;
    tb->bare = strdup(dot ? dot + 1 : name);
    t->tables[t->ntables++] = tb;
    return remember(t, topic, tb);
}

static void table_ref(FILE *f, const jdbc_task_t *t, const jdbc_table_t *tb) {
    if (tb->schema) {
        jdbc_ident(f, t->d, t->s.quote, tb->schema);
        fputc('.', f);
    }
    jdbc_ident(f, t->d, t->s.quote, tb->bare);
}

static int describe(jdbc_task_t *t, jdbc_table_t *tb, jdbc_err_t *e) {
    jdbc_col_t *cols = NULL;
    size_t n = 0;
    int rc = t->d->describe(t->conn, &t->scratch, tb->schema, tb->bare, &cols, &n, e);
    if (rc < 0) return -1;
    cols_free(tb->cols, tb->ncols);
    tb->cols = cols;
    tb->ncols = n;
    tb->known = rc == 0;
    return rc;
}

/* `hint`: where the column probably is (a record's fields usually come in the table's column
 * order), tried first: the lookup runs for every field of every row. */
static const jdbc_col_t *find_col(const jdbc_table_t *tb, const char *name, size_t hint) {
    if (hint < tb->ncols && strcmp(tb->cols[hint].name, name) == 0) return &tb->cols[hint];
    for (size_t i = 0; i < tb->ncols; i++)
        if (strcmp(tb->cols[i].name, name) == 0) return &tb->cols[i];
    /* MySQL column names and unquoted PostgreSQL ones are case-insensitive */
    for (size_t i = 0; i < tb->ncols; i++)
        if (strcasecmp(tb->cols[i].name, name) == 0) return &tb->cols[i];
    return NULL;
}

/* The type a column gets from every value seen for `name` in the rows of `tb`: the first
 * non-null one, widened from integer to double, and to text when they disagree. */
static jdbc_type_t merged_type(jdbc_row_t *rows, size_t n, const jdbc_table_t *tb,
                               const char *name) {
    jdbc_type_t t = JDBC_T_NONE;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].table != tb || rows[i].op == JDBC_OP_SKIP) continue;
        for (size_t c = 0; c < rows[i].n; c++) {
            if (strcmp(rows[i].names[c], name) != 0) continue;
            jdbc_type_t x = rows[i].types[c];
            if (x == JDBC_T_NONE || x == t) continue;
            if (t == JDBC_T_NONE)
                t = x;
            else if ((t == JDBC_T_INT64 || t == JDBC_T_INT32) && x == JDBC_T_DOUBLE)
                t = x;
            else if (t == JDBC_T_DOUBLE && (x == JDBC_T_INT64 || x == JDBC_T_INT32))
                continue;
            else if (t == JDBC_T_INT32 && x == JDBC_T_INT64)
                t = x;
            else if (t == JDBC_T_INT64 && x == JDBC_T_INT32)
                continue;
            else
                t = JDBC_T_STRING;
        }
    }
    return t == JDBC_T_NONE ? JDBC_T_STRING : t;
}

/* The SQL type of column `name`: the dialect's, and for a Decimal its type with the scale
 * of the values (their decimal text has exactly the schema's scale after the point). */
static void col_type(FILE *f, const jdbc_task_t *t, jdbc_row_t *rows, size_t n,
                     const jdbc_table_t *tb, const char *name, int pk) {
    jdbc_type_t type = merged_type(rows, n, tb, name);
    if (type != JDBC_T_DECIMAL) {
        fputs(t->d->type_name(type, pk), f);
        return;
    }
    int scale = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; rows[i].table == tb && c < rows[i].n; c++) {
            const char *v = json_string_value(rows[i].vals[c]);
            const char *dot = v && strcmp(rows[i].names[c], name) == 0 ? strchr(v, '.') : NULL;
            if (dot && (int)strlen(dot + 1) > scale) scale = (int)strlen(dot + 1);
        }
    fprintf(f, t->d->decimal_format,
            scale < t->d->decimal_max_scale ? scale : t->d->decimal_max_scale);
}

static int run(jdbc_task_t *t, char *sql, size_t len, jdbc_err_t *e) {
    t->h->log(t->ctx, CW_LOG_INFO, "%s", sql);
    int rc = t->d->exec(t->conn, sql, len, e);
    free(sql);
    return rc;
}

/* A DDL statement's text so far: `verb` and the table. NULL with *e when out of memory. */
static FILE *ddl_open(jdbc_task_t *t, const jdbc_table_t *tb, const char *verb, char **sql,
                      size_t *len, jdbc_err_t *e) {
    FILE *f = open_memstream(sql, len);
    if (!f) {
        snprintf(e->msg, sizeof e->msg, "out of memory");
        return NULL;
    }
    fputs(verb, f);
    table_ref(f, t, tb);
    return f;
}

/* CREATE TABLE from the rows of `tb` in this put: their fields in order of appearance; the key
 * columns NOT NULL and the primary key, the others nullable. */
static int create(jdbc_task_t *t, jdbc_table_t *tb, jdbc_row_t *rows, size_t n, jdbc_err_t *e) {
    char *sql = NULL;
    size_t len = 0;
    FILE *f = ddl_open(t, tb, "CREATE TABLE IF NOT EXISTS ", &sql, &len, e);
    if (!f) return -1;
    fputs(" (", f);
    const jdbc_row_t *first = NULL;
    size_t ncols = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].table != tb || rows[i].op == JDBC_OP_SKIP) continue;
        if (!first) first = &rows[i];
        for (size_t c = 0; c < rows[i].n; c++) {
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++)
                if (rows[j].table == tb && rows[j].op != JDBC_OP_SKIP)
                    for (size_t k = 0; k < rows[j].n && !seen; k++)
                        seen = strcmp(rows[j].names[k], rows[i].names[c]) == 0;
            for (size_t k = 0; k < c && !seen; k++)
                seen = strcmp(rows[i].names[k], rows[i].names[c]) == 0;
            if (seen) continue;
            int pk = c < rows[i].nkeys;
            if (ncols++) fputc(',', f);
            jdbc_ident(f, t->d, t->s.quote, rows[i].names[c]);
            fputc(' ', f);
            col_type(f, t, rows, n, tb, rows[i].names[c], pk);
            fputs(pk ? " NOT NULL" : " NULL", f);
        }
    }
    if (first && first->nkeys) {
        fputs(",PRIMARY KEY(", f);
        for (size_t k = 0; k < first->nkeys; k++) {
            if (k) fputc(',', f);
            jdbc_ident(f, t->d, t->s.quote, first->names[k]);
        }
        fputc(')', f);
    }
    fputc(')', f);
    fclose(f);
    return run(t, sql, len, e);
}

/* ALTER TABLE ADD for one field the table lacks (always nullable, as Confluent adds). */
static int add_column(jdbc_task_t *t, jdbc_table_t *tb, jdbc_row_t *rows, size_t n,
                      const char *name, jdbc_err_t *e) {
    char *sql = NULL;
    size_t len = 0;
    FILE *f = ddl_open(t, tb, "ALTER TABLE ", &sql, &len, e);
    if (!f) return -1;
    fputs(" ADD ", f);
    jdbc_ident(f, t->d, t->s.quote, name);
    fputc(' ', f);
    col_type(f, t, rows, n, tb, name, 0);
    fputs(" NULL", f);
    fclose(f);
    return run(t, sql, len, e);
}

void jdbc_row_reject(jdbc_row_t *row, const char *reason) {
    row->op = JDBC_OP_SKIP;
    if (!row->bad) row->bad = strdup(reason);
}

int jdbc_rows_report(jdbc_task_t *t, jdbc_row_t *rows, size_t n, char *errstr, size_t en) {
    for (size_t i = 0; i < n; i++) {
        if (rows[i].op != JDBC_OP_SKIP || rows[i].reported) continue;
        cw_record_t *r = rows[i].rec;
        const char *why = rows[i].bad ? rows[i].bad : "out of memory";
        rows[i].reported = 1;
        jdbc_metrics_bad(t);
        if (t->h->report_bad_record(t->ctx, r, why) == CW_OK) continue;
        snprintf(errstr, en, "record %s-%d@%lld: %s", t->h->record_original_topic(r),
                 (int)t->h->record_original_partition(r),
                 (long long)t->h->record_original_offset(r), why);
        return CW_ERR_FATAL;
    }
    return CW_OK;
}

static int db_failed(jdbc_err_t *e, const char *what, const jdbc_table_t *tb, char *errstr,
                     size_t n) {
    if (e->transient) return CW_ERR_RETRIABLE;
    snprintf(errstr, n, "%s table '%s': %s", what, tb->name, e->msg);
    return CW_ERR_FATAL;
}

/* Adds (auto.evolve) or rejects for every field of the rows that the table lacks. */
static int evolve(jdbc_task_t *t, jdbc_table_t *tb, jdbc_row_t *rows, size_t n, jdbc_err_t *e,
                  char *errstr, size_t en) {
    for (size_t i = 0; i < n; i++) {
        if (rows[i].table != tb || rows[i].op == JDBC_OP_SKIP) continue;
        for (size_t c = 0; c < rows[i].n && rows[i].op != JDBC_OP_SKIP; c++) {
            if (find_col(tb, rows[i].names[c], c)) continue;
            if (!t->s.auto_evolve) {
                char why[512];
                snprintf(why, sizeof why,
                         "table '%s' has no column '%s' and auto.evolve is "
                         "false",
                         tb->name, rows[i].names[c]);
                jdbc_row_reject(&rows[i], why);
                continue;
            }
            if (add_column(t, tb, rows, n, rows[i].names[c], e) != 0 || describe(t, tb, e) < 0)
                return db_failed(e, "cannot add a column to", tb, errstr, en);
            if (!find_col(tb, rows[i].names[c], c)) {
                snprintf(errstr, en, "table '%s' still lacks column '%s' after ALTER TABLE",
                         tb->name, rows[i].names[c]);
                return CW_ERR_FATAL;
            }
        }
    }
    return CW_OK;
}

static int prepare_table(jdbc_task_t *t, jdbc_table_t *tb, jdbc_row_t *rows, size_t n,
                         jdbc_err_t *e, char *errstr, size_t en) {
    if (!tb->known) {
        int rc = describe(t, tb, e);
        if (rc < 0) return db_failed(e, "cannot describe", tb, errstr, en);
        if (rc == 1) {
            if (!t->s.auto_create) {
                snprintf(errstr, en, "table '%s' does not exist and auto.create is false",
                         tb->name);
                return CW_ERR_FATAL;
            }
            if (create(t, tb, rows, n, e) != 0 || (rc = describe(t, tb, e)) < 0)
                return db_failed(e, "cannot create", tb, errstr, en);
            if (rc == 1) {
                snprintf(errstr, en, "table '%s' is still missing after CREATE TABLE", tb->name);
                return CW_ERR_FATAL;
            }
        }
    }
    int rc = evolve(t, tb, rows, n, e, errstr, en);
    if (rc != CW_OK) return rc;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].table != tb || rows[i].op == JDBC_OP_SKIP) continue;
        for (size_t c = 0; c < rows[i].n; c++)
            rows[i].names[c] = find_col(tb, rows[i].names[c], c)->name;
    }
    return CW_OK;
}

int jdbc_tables_prepare(jdbc_task_t *t, jdbc_row_t *rows, size_t n, jdbc_err_t *e, char *errstr,
                        size_t en) {
    for (size_t k = 0; k < t->ntables; k++) {
        size_t i = 0;
        while (i < n && (rows[i].table != t->tables[k] || rows[i].op == JDBC_OP_SKIP)) i++;
        if (i == n) continue;
        int rc = prepare_table(t, t->tables[k], rows, n, e, errstr, en);
        if (rc != CW_OK) return rc;
    }
    return CW_OK;
}
