#include "rds_task.h"
#include <errno.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "rds_buf.h"
#include "rds_config.h"
#include "rds_conn.h"
#include "rds_json.h"
#include "rds_metrics.h"
#include "rds_query.h"
#include "rds_table.h"

const cw_host_t *rds_host;

/* A fetched row not yet handed to the worker: in timestamp mode its offset depends on
 * whether the next row has the same timestamp, so every row waits for the next one. */
typedef struct rds_row {
    int set;
    cw_sdk_buf_t json;
    rds_cursor_t key;
} rds_row_t;

typedef struct rds_task {
    const cw_host_t *h;
    cw_ctx_t *ctx;
    rds_settings_t s;
    rds_json_opts_t jopts;
    MYSQL *db;
    rds_table_t **tables;
    size_t n, cap;
    const char *const *known; /* tables the split knew about; NULL: no split */
    int task_id, task_count;
    int64_t next_discovery_ms;
    size_t rr; /* round-robin position among due tables */
    /* the open (streamed) result */
    MYSQL_RES *res;
    size_t cur;
    unsigned nfields, out_fields;
    MYSQL_FIELD *fields;
    rds_row_keys_t keys; /* the JSON keys of the open result's columns */
    int inc_idx, ts_idx, limited;
    int64_t rows_in_result;
    rds_row_t pend, next;
    size_t utf8_replaced;
    cw_sdk_buf_t sql;
    rds_metrics_t metrics;
} rds_task_t;

static int ts_mode(const rds_settings_t *s) {
    return s->mode == RDS_MODE_TIMESTAMP || s->mode == RDS_MODE_TIMESTAMP_INCREMENTING;
}

static int64_t realtime_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int in_list(const char *const *l, const char *name) {
    for (size_t i = 0; l && l[i]; i++)
        if (strcmp(l[i], name) == 0) return 1;
    return 0;
}

static int have_table(const rds_task_t *t, const char *name) {
    for (size_t i = 0; i < t->n; i++)
        if (t->tables[i]->name && strcmp(t->tables[i]->name, name) == 0) return 1;
    return 0;
}

/* Adds a table after checking its columns and loading its committed offset. */
static int add_table(rds_task_t *t, const char *name, char *errstr, size_t n) {
    rds_table_t *tb = rds_table_new(&t->s, name);
    if (!tb) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    int rc = rds_table_check(t->db, &t->s, tb, errstr, n);
    if (rc != CW_OK) {
        rds_table_free(tb);
        return rc;
    }
    char *off = t->h->offset_get(t->ctx, tb->partition);
    if (off) {
        if (rds_cursor_from_json(off, &tb->cursor) != 0) {
            snprintf(errstr, n,
                     "the stored offset of %s (%s) cannot be read; delete it to "
                     "start over",
                     tb->partition, off);
            t->h->free(off);
            rds_table_free(tb);
            return CW_ERR_FATAL;
        }
        t->h->log(t->ctx, CW_LOG_INFO, "%s: resuming after offset %s", tb->partition, off);
        t->h->free(off);
    } else if (ts_mode(&t->s) && t->s.has_ts_initial) {
        int64_t ms = t->s.ts_initial_ms == -1 ? realtime_ms() : t->s.ts_initial_ms;
        tb->cursor.has_ts = 1;
        tb->cursor.ts_sec = ms / 1000;
        tb->cursor.ts_nanos = (int32_t)(ms % 1000) * 1000000;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        rds_table_t **nt = realloc(t->tables, cap * sizeof *nt);
        if (!nt) {
            rds_table_free(tb);
            snprintf(errstr, n, "out of memory");
            return CW_ERR_FATAL;
        }
        t->tables = nt;
        t->cap = cap;
    }
    t->tables[t->n++] = tb;
    return CW_OK;
}

static void remove_table(rds_task_t *t, size_t idx) {
    rds_table_free(t->tables[idx]);
    memmove(&t->tables[idx], &t->tables[idx + 1], (t->n - idx - 1) * sizeof *t->tables);
    t->n--;
    if (t->rr > idx) t->rr--;
}

/* Picks up tables created since the split: a table nobody knew goes to the task its name
 * hashes to, so tasks agree without talking to each other. `strict` (at start): a table
 * that fails its checks is an error; later it is skipped with a warning. */
static int discover(rds_task_t *t, int strict, char *errstr, size_t n) {
    char **names = NULL;
    size_t count = 0;
    int rc = rds_tables_discover(t->db, &t->s, &names, &count, errstr, n);
    if (rc == CW_ERR_CONFIG && !strict) {
        /* a whitelisted table vanished after the split: keep going with the rest */
        t->h->log(t->ctx, CW_LOG_WARN, "%s", errstr);
        return CW_OK;
    }
    if (rc != CW_OK) return rc;
    for (size_t i = 0; i < count && rc == CW_OK; i++) {
        if (have_table(t, names[i]) || in_list(t->known, names[i])) continue;
        if (t->task_count > 1 && (int)(fnv1a(names[i]) % (uint32_t)t->task_count) != t->task_id)
            continue;
        rc = add_table(t, names[i], errstr, n);
        if (rc == CW_OK && !strict)
            t->h->log(t->ctx, CW_LOG_INFO, "new table '%s' picked up", names[i]);
        else if (rc == CW_ERR_CONFIG && !strict) {
            t->h->log(t->ctx, CW_LOG_WARN, "new table '%s' skipped: %s", names[i], errstr);
            rc = CW_OK;
        }
    }
    rds_names_free(names);
    return rc;
}

static void close_result(rds_task_t *t, int cancel) {
    if (t->res) {
        /* freeing an unbuffered result reads the rest of it: shut the socket first when the
         * rows are not wanted (stop, lost connection) */
        if (cancel && t->db) mariadb_cancel(t->db);
        mysql_free_result(t->res);
        t->res = NULL;
    }
    t->pend.set = 0;
    t->next.set = 0;
}

static void drop_connection(rds_task_t *t) {
    close_result(t, 1);
    if (t->db) mysql_close(t->db);
    t->db = NULL;
    for (size_t i = 0; i < t->n; i++) t->tables[i]->next_due_ms = 0;
}

static int reconnect(rds_task_t *t, char *errstr, size_t n) {
    int rc = rds_connect(t->h, t->ctx, &t->s, 1, &t->db, errstr, n);
    if (rc != CW_OK) rds_metrics_conn_error(&t->metrics);
    if (rc == CW_OK)
        t->h->log(t->ctx, CW_LOG_INFO,
                  "reconnected; resuming every table from "
                  "its last delivered row");
    return rc;
}

/* Reads the offset-relevant values of the current row. */
static int row_key(rds_task_t *t, MYSQL_ROW row, rds_cursor_t *k, char *errstr, size_t n) {
    memset(k, 0, sizeof *k);
    if (t->inc_idx >= 0 && row[t->inc_idx]) {
        char *end;
        errno = 0;
        long long v = strtoll(row[t->inc_idx], &end, 10);
        if (errno || *end) {
            snprintf(errstr, n,
                     "%s: incrementing column '%s' value %s is not an integer "
                     "within the signed 64-bit range",
                     t->tables[t->cur]->partition, t->tables[t->cur]->inc_col, row[t->inc_idx]);
            return CW_ERR_FATAL;
        }
        k->has_inc = 1;
        k->inc = v;
    }
    if (t->ts_idx >= 0) {
        /* UNIX_TIMESTAMP gives "seconds[.micro]"; NULL outside its range (before 1970) */
        k->has_ts = 1;
        const char *v = row[t->ts_idx];
        if (v) {
            char *end;
            k->ts_sec = strtoll(v, &end, 10);
            if (*end == '.') {
                int32_t ns = 0, digits = 0;
                for (const char *p = end + 1; *p >= '0' && *p <= '9'; p++, digits++)
                    if (digits < 9) ns = ns * 10 + (*p - '0');
                for (; digits < 9; digits++) ns *= 10;
                k->ts_nanos = ns;
            }
        }
    }
    return CW_OK;
}

/* Hands the pending row to the worker with the offset it earns. `next` is the key of the row
 * after it, or NULL when the result ended. */
static int emit_pending(rds_task_t *t, cw_batch_t *batch, const rds_cursor_t *next, char *errstr,
                        size_t n) {
    rds_table_t *tb = t->tables[t->cur];
    rds_cursor_t *c = &tb->cursor;
    rds_cursor_t before = *c;
    const rds_cursor_t *k = &t->pend.key;
    switch (t->s.mode) {
    case RDS_MODE_INCREMENTING:
        if (k->has_inc) {
            c->has_inc = 1;
            c->inc = k->inc;
        }
        break;
    case RDS_MODE_TIMESTAMP:
        /* the offset moves past a timestamp only once every row with it was handed over */
        if (!next || next->ts_sec != k->ts_sec || next->ts_nanos != k->ts_nanos) {
            c->has_ts = 1;
            c->ts_sec = k->ts_sec;
            c->ts_nanos = k->ts_nanos;
        }
        break;
    case RDS_MODE_TIMESTAMP_INCREMENTING:
        if (k->has_inc) *c = *k;
        break;
    default: break;
    }
    char off[160];
    cw_record_t *r = t->h->source_record_new(batch, tb->topic, CW_PARTITION_ANY, tb->partition,
                                             rds_cursor_format(t->s.mode, c, off, sizeof off));
    if (!r) {
        /* the row was not handed over: the next query must start before it again */
        *c = before;
        snprintf(errstr, n, "%s: the worker could not create a record (out of memory?)",
                 tb->partition);
        return CW_ERR_RETRIABLE;
    }
    /* The row's JSON is the SDK's writing (escaped strings, the server's digits): vouched
     * for, so that JsonConverter does not check every row again (see rds_json.c). */
    if (CW_HOST_HAS(t->h, record_set_value_json_text))
        t->h->record_set_value_json_text(r, t->pend.json.data, t->pend.json.len);
    else
        t->h->record_set_value(r, t->pend.json.data, t->pend.json.len);
    t->pend.set = 0;
    rds_metrics_row(&t->metrics); /* one atomic add */
    return CW_OK;
}

static int sql_error(rds_task_t *t, const char *doing, char *errstr, size_t n) {
    unsigned e = mysql_errno(t->db);
    rds_table_t *tb = t->tables[t->cur];
    snprintf(errstr, n, "%s %s: %s (error %u)", doing, tb->name ? tb->name : "the query",
             mysql_error(t->db), e);
    if (rds_error_is_connection(e)) {
        rds_metrics_conn_error(&t->metrics);
        t->h->log(t->ctx, CW_LOG_WARN,
                  "%s; will reconnect and resume after the last row "
                  "handed over",
                  errstr);
        drop_connection(t);
        return CW_ERR_RETRIABLE;
    }
    return CW_ERR_FATAL;
}

enum { FETCH_OPEN = 1, FETCH_DONE = 2, FETCH_SKIP = 3 };

static int open_result(rds_task_t *t, size_t idx, char *errstr, size_t n) {
    rds_table_t *tb = t->tables[idx];
    t->cur = idx;
    if (rds_query_build(&t->sql, &t->s, tb, &t->limited) != 0) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    if (!t->s.query_secret) t->h->log(t->ctx, CW_LOG_DEBUG, "query: %s", t->sql.data);
    double started = rds_metrics_now();
    if (mysql_real_query(t->db, t->sql.data, t->sql.len) != 0) {
        unsigned e = mysql_errno(t->db);
        if (e == ER_NO_SUCH_TABLE && tb->name) {
            t->h->log(t->ctx, CW_LOG_WARN,
                      "table '%s' no longer exists; dropping it from this "
                      "task",
                      tb->name);
            remove_table(t, idx);
            return FETCH_SKIP;
        }
        return sql_error(t, "querying", errstr, n);
    }
    t->res = mysql_use_result(t->db);
    if (!t->res) return sql_error(t, "reading", errstr, n);
    rds_metrics_query(&t->metrics, started);
    t->nfields = mysql_num_fields(t->res);
    t->fields = mysql_fetch_fields(t->res);
    t->ts_idx = ts_mode(&t->s) ? (int)t->nfields - 1 : -1;
    t->out_fields = ts_mode(&t->s) ? t->nfields - 1 : t->nfields;
    size_t before = t->utf8_replaced;
    if (rds_row_keys_build(&t->keys, t->fields, t->out_fields, &t->utf8_replaced) != 0) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    if (before == 0 && t->utf8_replaced > 0)
        t->h->log(t->ctx, CW_LOG_WARN,
                  "%s: a column name is not valid UTF-8; invalid bytes are "
                  "written as U+FFFD (logged once per task)",
                  tb->partition);
    t->inc_idx = -1;
    for (unsigned i = 0; tb->inc_col && i < t->out_fields; i++)
        if (strcasecmp(t->fields[i].name, tb->inc_col) == 0) t->inc_idx = (int)i;
    t->rows_in_result = 0;
    return CW_OK;
}

static int fetch(rds_task_t *t, cw_batch_t *batch, int64_t *added, int64_t deadline, char *errstr,
                 size_t n) {
    while (*added < t->s.batch_max_rows) {
        if ((t->rows_in_result & 255) == 0 && rds_now_ms() >= deadline) return FETCH_OPEN;
        MYSQL_ROW row = mysql_fetch_row(t->res);
        if (!row) {
            if (mysql_errno(t->db)) return sql_error(t, "reading", errstr, n);
            if (t->pend.set) {
                int rc = emit_pending(t, batch, NULL, errstr, n);
                if (rc != CW_OK) {
                    drop_connection(t);
                    return rc;
                }
                (*added)++;
            }
            mysql_free_result(t->res);
            t->res = NULL;
            rds_table_t *tb = t->tables[t->cur];
            int full_page = t->limited && t->rows_in_result >= rds_query_page_rows(&t->s);
            tb->next_due_ms = full_page ? 0 : rds_now_ms() + t->s.poll_interval_ms;
            return FETCH_DONE;
        }
        unsigned long *len = mysql_fetch_lengths(t->res);
        cw_sdk_buf_reset(&t->next.json);
        size_t before = t->utf8_replaced;
        if (rds_row_to_json(&t->next.json, &t->keys, t->fields, t->out_fields, row, len, &t->jopts,
                            &t->utf8_replaced) != 0) {
            snprintf(errstr, n, "out of memory encoding a row of %s", t->tables[t->cur]->partition);
            return CW_ERR_FATAL;
        }
        if (before == 0 && t->utf8_replaced > 0)
            t->h->log(t->ctx, CW_LOG_WARN,
                      "%s: a text value is not valid UTF-8; invalid bytes "
                      "are written as U+FFFD (logged once per task)",
                      t->tables[t->cur]->partition);
        int rc = row_key(t, row, &t->next.key, errstr, n);
        if (rc != CW_OK) return rc;
        t->rows_in_result++;
        if (t->pend.set) {
            rc = emit_pending(t, batch, &t->next.key, errstr, n);
            if (rc != CW_OK) {
                drop_connection(t);
                return rc;
            }
            (*added)++;
        }
        rds_row_t tmp = t->pend;
        t->pend = t->next;
        t->next = tmp;
        t->pend.set = 1;
    }
    return FETCH_OPEN;
}

/* The due table after the round-robin position, or -1. */
static long next_due(rds_task_t *t, int64_t now) {
    for (size_t k = 0; k < t->n; k++) {
        size_t i = (t->rr + k) % t->n;
        if (t->tables[i]->next_due_ms <= now) {
            t->rr = (i + 1) % t->n;
            return (long)i;
        }
    }
    return -1;
}

int rds_task_poll(void *state, cw_batch_t *batch, int timeout_ms, char *errstr, size_t n) {
    rds_task_t *t = state;
    int64_t deadline = rds_now_ms() + (timeout_ms > 0 ? timeout_ms : 1000);
    if (!t->db) {
        int rc = reconnect(t, errstr, n);
        if (rc != CW_OK) return rc == CW_ERR_FATAL ? CW_ERR_FATAL : CW_ERR_RETRIABLE;
    }
    int64_t added = 0;
    while (!t->h->stopping(t->ctx)) {
        if (!t->res) {
            int64_t now = rds_now_ms();
            if (added >= t->s.batch_max_rows || now >= deadline) break;
            if (!t->s.query && now >= t->next_discovery_ms) {
                int rc = discover(t, 0, errstr, n);
                if (rc != CW_OK) {
                    if (rc == CW_ERR_RETRIABLE) {
                        rds_metrics_conn_error(&t->metrics);
                        t->h->log(t->ctx, CW_LOG_WARN, "%s; reconnecting", errstr);
                        drop_connection(t);
                    }
                    return rc;
                }
                t->next_discovery_ms = now + t->s.table_poll_interval_ms;
            }
            long idx = next_due(t, now);
            if (idx < 0) break;
            int rc = open_result(t, (size_t)idx, errstr, n);
            if (rc == FETCH_SKIP) continue;
            if (rc != CW_OK) return rc;
        }
        int rc = fetch(t, batch, &added, deadline, errstr, n);
        if (rc == FETCH_OPEN) break;
        if (rc != FETCH_DONE) return rc;
    }
    /* caught up (nothing due): the worker waits a little before the next poll, and in batch
     * mode (--exit-when-caught-up) this ends the task */
    if (added > 0)
        t->h->log(t->ctx, CW_LOG_DEBUG, "poll: %lld rows (batch.max.rows %lld)", (long long)added,
                  (long long)t->s.batch_max_rows);
    return added > 0 || t->res ? CW_OK : CW_IDLE;
}

static void task_free(rds_task_t *t) {
    close_result(t, 1);
    if (t->db) mysql_close(t->db);
    for (size_t i = 0; i < t->n; i++) rds_table_free(t->tables[i]);
    free(t->tables);
    cw_sdk_buf_free(&t->pend.json);
    cw_sdk_buf_free(&t->next.json);
    cw_sdk_buf_free(&t->sql);
    rds_row_keys_free(&t->keys);
    rds_settings_free(&t->s);
    free(t);
}

int rds_task_start(cw_ctx_t *ctx, const cw_config_t *cfg, void **state, char *errstr, size_t n) {
    const cw_host_t *h = rds_host;
    rds_task_t *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    t->h = h;
    t->ctx = ctx;
    int rc = rds_settings_load(h, cfg, &t->s, errstr, n);
    if (rc != CW_OK) {
        free(t);
        return rc;
    }
    t->jopts.numeric = t->s.numeric;
    t->jopts.dtformat = t->s.dtformat;
    t->jopts.tsgran = t->s.tsgran;
    t->jopts.tz_offset_s = t->s.tz_offset_s;
    t->jopts.decfmt = t->s.decfmt;
    t->task_id = h->task_id(ctx);
    t->task_count = (int)h->config_get_int(cfg, "rds.task.count", 0);
    if (t->task_count < 1) t->task_count = 1;
    const char *const *mine = h->config_get_list(cfg, "tables", NULL);
    t->known = h->config_get_list(cfg, "rds.task.known.tables", NULL);
    rds_metrics_register(&t->metrics, h, ctx);
    mysql_thread_init();
    rc = rds_connect(h, ctx, &t->s, (int)t->s.attempts, &t->db, errstr, n);
    if (rc != CW_OK) {
        rds_metrics_conn_error(&t->metrics);
        goto fail;
    }
    if (t->s.query) {
        rc = add_table(t, NULL, errstr, n);
    } else if (mine) {
        for (size_t i = 0; mine[i] && rc == CW_OK; i++) rc = add_table(t, mine[i], errstr, n);
        t->next_discovery_ms = rds_now_ms() + t->s.table_poll_interval_ms;
    } else {
        rc = discover(t, 1, errstr, n);
        t->next_discovery_ms = rds_now_ms() + t->s.table_poll_interval_ms;
    }
    if (rc != CW_OK) goto fail;
    cw_sdk_buf_t names = {0};
    for (size_t i = 0; i < t->n; i++)
        cw_sdk_buf_printf(&names, "%s%s", i ? ", " : "",
                          t->tables[i]->name ? t->tables[i]->name : "(query)");
    h->log(ctx, CW_LOG_INFO, "mode %s, %zu table(s): %s", rds_mode_name(t->s.mode), t->n,
           names.data ? names.data : "none yet");
    cw_sdk_buf_free(&names);
    *state = t;
    return CW_OK;
fail:
    task_free(t);
    mysql_thread_end();
    return rc;
}

void rds_task_stop(void *state) {
    if (!state) return;
    task_free(state);
    mysql_thread_end();
}
