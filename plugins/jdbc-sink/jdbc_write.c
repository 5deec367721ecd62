/* Rows to SQL: multi-row INSERT (or upsert) statements of up to batch.size rows, DELETEs for
 * tombstones and UPDATEs for insert.mode=update, all in one transaction per put (Confluent's
 * BufferedRecords and JdbcDbWriter). When the database refuses a statement for its content,
 * the transaction is redone row by row, each row under a savepoint, so that exactly the rows
 * it refuses are reported as bad records, with the database's error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "connect-worker/sdk_time.h"
#include "jdbc_sink.h"

/* Statements stop growing here, below MariaDB's default max_allowed_packet (16 MiB). */
#define STMT_MAX_BYTES (4u << 20)

static void real_literal(FILE *out, double d) {
    char buf[40];
    /* the shortest text that reads back to the same double */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) break;
    }
    fputs(buf, out);
}

int jdbc_value(jdbc_task_t *t, FILE *out, const json_t *v, jdbc_type_t type) {
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_TRUE: fputs("TRUE", out); return 0;
    case JSON_FALSE: fputs("FALSE", out); return 0;
    case JSON_INTEGER: {
        long long x = (long long)json_integer_value(v);
        if (type == JDBC_T_DATE) {
            int64_t y;
            int m, d;
            cw_sdk_civil_from_days(x, &y, &m, &d);
            fprintf(out, "'%04lld-%02d-%02d'", (long long)y, m, d);
        } else if (type == JDBC_T_TIMESTAMP) {
            long long s = x / 1000, ms = x % 1000;
            if (ms < 0) {
                ms += 1000;
                s -= 1;
            }
            fprintf(out, t->d->ts_format, s, (int)ms);
        } else {
            fprintf(out, "%lld", x);
        }
        return 0;
    }
    case JSON_REAL: real_literal(out, json_real_value(v)); return 0;
    case JSON_STRING:
        /* decoded by jdbc_schema_apply: hex digits; decimal text (digits, '-', '.') */
        if (type == JDBC_T_BYTES) {
            fprintf(out, "%s%s%s", t->d->bytes_open, json_string_value(v), t->d->bytes_close);
            return 0;
        }
        if (type == JDBC_T_DECIMAL) {
            fputs(json_string_value(v), out);
            return 0;
        }
        return jdbc_quote(t->d, t->conn, &t->scratch, out, json_string_value(v),
                          json_string_length(v));
    case JSON_OBJECT:
    case JSON_ARRAY: {
        char *text = t->h->json_encode(v, NULL);
        if (!text) return -1;
        int rc = jdbc_quote(t->d, t->conn, &t->scratch, out, text, strlen(text));
        t->h->free(text);
        return rc;
    }
    default: fputs("NULL", out); return 0;
    }
}

static void table_ref(FILE *f, const jdbc_task_t *t, const jdbc_table_t *tb) {
    if (tb->schema) {
        jdbc_ident(f, t->d, t->s.quote, tb->schema);
        fputc('.', f);
    }
    jdbc_ident(f, t->d, t->s.quote, tb->bare);
}

/* Same table, same columns in the same order (names point into the table's column list). */
static int same_shape(const jdbc_row_t *a, const jdbc_row_t *b) {
    if (a->table != b->table || a->n != b->n || a->op != b->op) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->names[i] != b->names[i]) return 0;
    return 1;
}

static void key_cond(jdbc_task_t *t, FILE *f, const jdbc_row_t *r) {
    fputs(" WHERE ", f);
    for (size_t k = 0; k < r->nkeys; k++) {
        if (k) fputs(" AND ", f);
        jdbc_ident(f, t->d, t->s.quote, r->names[k]);
        fputc('=', f);
        jdbc_value(t, f, r->vals[k], r->types[k]);
    }
}

/* DELETE for a tombstone, UPDATE for insert.mode=update. 1 when there is nothing to do. */
static int single_stmt(jdbc_task_t *t, FILE *f, const jdbc_row_t *r) {
    if (r->op == JDBC_OP_DELETE) {
        fputs("DELETE FROM ", f);
        table_ref(f, t, r->table);
        key_cond(t, f, r);
        return 0;
    }
    if (r->n == r->nkeys) return 1;
    fputs("UPDATE ", f);
    table_ref(f, t, r->table);
    fputs(" SET ", f);
    for (size_t c = r->nkeys; c < r->n; c++) {
        if (c > r->nkeys) fputc(',', f);
        jdbc_ident(f, t->d, t->s.quote, r->names[c]);
        fputc('=', f);
        jdbc_value(t, f, r->vals[c], r->types[c]);
    }
    key_cond(t, f, r);
    return 0;
}

static void insert_head(jdbc_task_t *t, FILE *f, const jdbc_row_t *r) {
    fputs("INSERT INTO ", f);
    table_ref(f, t, r->table);
    fputs(" (", f);
    for (size_t c = 0; c < r->n; c++) {
        if (c) fputc(',', f);
        jdbc_ident(f, t->d, t->s.quote, r->names[c]);
    }
    fputs(") VALUES ", f);
}

/* valpos (NULL: not wanted) receives where each value starts, to name the column of an error
 * the server gives by position. */
static void tuple(jdbc_task_t *t, FILE *f, const jdbc_row_t *r, long *valpos) {
    fputc('(', f);
    for (size_t c = 0; c < r->n; c++) {
        if (c) fputc(',', f);
        if (valpos) valpos[c] = ftell(f);
        jdbc_value(t, f, r->vals[c], r->types[c]);
    }
    fputc(')', f);
}

/* The key values' text, to tell two rows of one upsert statement with the same key apart
 * (PostgreSQL refuses to update one row twice in a statement). Owned by the caller. */
static char *key_text(jdbc_task_t *t, const jdbc_row_t *r) {
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f) return NULL;
    for (size_t k = 0; k < r->nkeys; k++) {
        jdbc_value(t, f, r->vals[k], r->types[k]);
        fputc(',', f);
    }
    fclose(f);
    return s;
}

/* Builds one statement from rows[*i..] (at least one row) and advances *i past them. */
static int build(jdbc_task_t *t, jdbc_row_t *rows, size_t n, size_t *i, int one, char **sql,
                 size_t *len, long *valpos) {
    FILE *f = open_memstream(sql, len);
    if (!f) return -1;
    jdbc_row_t *first = &rows[*i];
    if (first->op == JDBC_OP_DELETE || t->s.insert_mode == JDBC_UPDATE) {
        int nothing = single_stmt(t, f, first);
        (*i)++;
        fclose(f);
        return nothing;
    }
    int dedup = t->s.insert_mode == JDBC_UPSERT && t->d == &jdbc_pg_dialect && !one;
    json_t *keys = dedup ? json_object() : NULL;
    insert_head(t, f, first);
    size_t count = 0;
    while (*i < n) {
        jdbc_row_t *r = &rows[*i];
        if (r->op == JDBC_OP_SKIP) {
            (*i)++;
            continue;
        }
        if (count && (one || !same_shape(first, r) || count >= (size_t)t->s.batch_size ||
                      (size_t)ftell(f) >= STMT_MAX_BYTES))
            break;
        if (keys) {
            char *k = key_text(t, r);
            if (k && json_object_get(keys, k)) {
                free(k);
                break;
            }
            if (k) json_object_set_new_nocheck(keys, k, json_true());
            free(k);
        }
        if (count++) fputc(',', f);
        tuple(t, f, r, valpos);
        (*i)++;
    }
    json_decref(keys);
    if (t->s.insert_mode == JDBC_UPSERT)
        t->d->upsert_tail(f, t->d, t->s.quote, (const char *const *)first->names, first->nkeys,
                          (const char *const *)first->names, first->n);
    fclose(f);
    return 0;
}

static int exec_text(jdbc_task_t *t, const char *sql, jdbc_err_t *e) {
    return t->d->exec(t->conn, sql, strlen(sql), e);
}

static void rollback(jdbc_task_t *t) {
    jdbc_err_t ignored;
    exec_text(t, "ROLLBACK", &ignored);
}

/* Reports the refused rows (errors.tolerance=none rolls everything back) and commits. */
static int commit(jdbc_task_t *t, jdbc_row_t *rows, size_t n, jdbc_err_t *e, char *errstr,
                  size_t en) {
    if (jdbc_rows_report(t, rows, n, errstr, en) != CW_OK) {
        rollback(t);
        return CW_ERR_FATAL;
    }
    if (exec_text(t, "COMMIT", e) != 0) {
        rollback(t);
        return CW_ERR_RETRIABLE;
    }
    return CW_OK;
}

/* The column whose value holds byte `pos` of a one-row INSERT, or NULL. */
static const char *blamed_column(const jdbc_row_t *r, const long *valpos, long pos) {
    if (pos < 0 || r->op != JDBC_OP_WRITE || r->n == 0 || valpos[0] <= 0 || pos < valpos[0])
        return NULL;
    size_t c = 0;
    while (c + 1 < r->n && valpos[c + 1] > 0 && valpos[c + 1] <= pos) c++;
    return r->names[c];
}

/* The rows one by one, each under a savepoint: the refused ones are rejected. */
static int write_rows(jdbc_task_t *t, jdbc_row_t *rows, size_t n, jdbc_err_t *e, char *errstr,
                      size_t en) {
    if (exec_text(t, t->d->begin, e) != 0) return CW_ERR_RETRIABLE;
    for (size_t i = 0; i < n;) {
        if (rows[i].op == JDBC_OP_SKIP) {
            i++;
            continue;
        }
        jdbc_row_t *r = &rows[i];
        char *sql = NULL;
        size_t len = 0;
        long *valpos = calloc(r->n + 1, sizeof *valpos);
        int rc = valpos ? build(t, rows, n, &i, 1, &sql, &len, valpos) : -1;
        if (rc < 0) {
            free(valpos);
            free(sql);
            rollback(t);
            snprintf(errstr, en, "out of memory");
            return CW_ERR_FATAL;
        }
        if (rc == 0 &&
            (exec_text(t, "SAVEPOINT cw_row", e) != 0 || t->d->exec(t->conn, sql, len, e) != 0)) {
            free(sql);
            const char *col = blamed_column(r, valpos, e->position);
            free(valpos);
            if (e->transient) {
                rollback(t);
                return CW_ERR_RETRIABLE;
            }
            jdbc_err_t e2;
            if (exec_text(t, "ROLLBACK TO SAVEPOINT cw_row", &e2) != 0) {
                rollback(t);
                *e = e2;
                return CW_ERR_RETRIABLE;
            }
            char why[700];
            snprintf(why, sizeof why, "table '%s' refused the row%s%s%s: %s", r->table->name,
                     col ? " (column '" : "", col ? col : "", col ? "')" : "", e->msg);
            jdbc_row_reject(r, why);
            continue;
        }
        free(sql);
        free(valpos);
        if (rc == 0 && exec_text(t, "RELEASE SAVEPOINT cw_row", e) != 0) {
            rollback(t);
            return CW_ERR_RETRIABLE;
        }
    }
    return commit(t, rows, n, e, errstr, en);
}

int jdbc_write(jdbc_task_t *t, jdbc_row_t *rows, size_t n, jdbc_err_t *e, char *errstr, size_t en) {
    if (exec_text(t, t->d->begin, e) != 0) {
        if (e->transient) return CW_ERR_RETRIABLE;
        snprintf(errstr, en, "cannot begin a transaction: %s", e->msg);
        return CW_ERR_FATAL;
    }
    for (size_t i = 0; i < n;) {
        if (rows[i].op == JDBC_OP_SKIP) {
            i++;
            continue;
        }
        char *sql = NULL;
        size_t len = 0;
        int rc = build(t, rows, n, &i, 0, &sql, &len, NULL);
        if (rc < 0) {
            free(sql);
            rollback(t);
            snprintf(errstr, en, "out of memory");
            return CW_ERR_FATAL;
        }
        rc = rc == 0 ? t->d->exec(t->conn, sql, len, e) : 0;
        free(sql);
        if (rc != 0) {
            rollback(t);
            if (e->transient) return CW_ERR_RETRIABLE;
            t->h->log(t->ctx, CW_LOG_WARN,
                      "a batch statement failed (%s): writing its "
                      "transaction again row by row to find the rows refused",
                      e->msg);
            return write_rows(t, rows, n, e, errstr, en);
        }
    }
    int rc = commit(t, rows, n, e, errstr, en);
    if (rc == CW_ERR_RETRIABLE && !e->transient) return write_rows(t, rows, n, e, errstr, en);
    return rc;
}
