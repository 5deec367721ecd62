/* The sink task: each put is written and committed before it returns (Confluent's
 * JdbcSinkTask), so flush reports as durable exactly what put committed; transient database
 * errors are retried inside put, max.retries times with retry.backoff.ms between, on a new
 * connection. Replays after a crash are harmless with upserts on a key (pk.mode=kafka,
 * record_key or record_value): every record lands exactly once. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "connect-worker/sdk_db_mysql.h"
#include "jdbc_sink.h"

static void disconnect(jdbc_task_t *t) {
    if (t->conn) t->d->disconnect(t->conn);
    t->conn = NULL;
}

void jdbc_task_stop(void *state) {
    jdbc_task_t *t = state;
    if (!t) return;
    disconnect(t);
    jdbc_tables_free(t);
    for (size_t i = 0; i < t->npos; i++) free(t->pos[i].topic);
    free(t->pos);
    free(t->rows);
    cw_sdk_buf_free(&t->scratch);
    jdbc_metrics_close(t);
    jdbc_settings_free(&t->s);
    free(t);
}

int jdbc_task_start(cw_ctx_t *ctx, const cw_config_t *cfg, void **state, char *errstr, size_t n) {
    jdbc_task_t *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(errstr, n, "out of memory");
        return CW_ERR_FATAL;
    }
    t->h = jdbc_host;
    t->ctx = ctx;
    jdbc_report_t r = {.h = t->h, .errstr = errstr, .errstr_size = n};
    if (jdbc_settings_parse(t->h, cfg, &r, &t->s) != 0) {
        jdbc_task_stop(t);
        return CW_ERR_CONFIG;
    }
    t->d = t->s.url.kind == CW_SDK_DB_POSTGRES ? &jdbc_pg_dialect : &jdbc_mysql_dialect;
    int rc = t->d->connect(t->h, ctx, &t->s, &t->conn, errstr, n);
    if (rc != CW_OK) {
        jdbc_task_stop(t);
        return rc;
    }
    jdbc_metrics_open(t);
    *state = t;
    return CW_OK;
}

static jdbc_pos_t *pos_find(jdbc_task_t *t, const char *topic, int32_t partition, int create,
                            int64_t next) {
    /* records come in runs of one partition: try the last one first */
    if (t->last_pos < t->npos && t->pos[t->last_pos].partition == partition &&
        strcmp(t->pos[t->last_pos].topic, topic) == 0)
        return &t->pos[t->last_pos];
    for (size_t i = 0; i < t->npos; i++)
        if (t->pos[i].partition == partition && strcmp(t->pos[i].topic, topic) == 0) {
            t->last_pos = i;
            return &t->pos[i];
        }
    if (!create) return NULL;
    jdbc_pos_t *grown = realloc(t->pos, (t->npos + 1) * sizeof *grown);
    if (!grown) return NULL;
    t->pos = grown;
    jdbc_pos_t *p = &t->pos[t->npos];
    if (!(p->topic = strdup(topic))) return NULL;
    p->partition = partition;
    p->next = next;
    t->npos++;
    return p;
}

int jdbc_task_open(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                   size_t en) {
    (void)state;
    (void)tps;
    (void)n;
    (void)errstr;
    (void)en;
    return CW_OK;
}

int jdbc_task_close(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                    size_t en) {
    jdbc_task_t *t = state;
    (void)errstr;
    (void)en;
    /* whoever gets these partitions starts from the committed offsets */
    for (size_t i = 0; i < n; i++) {
        jdbc_pos_t *p = pos_find(t, tps[i].topic, tps[i].partition, 0, 0);
        if (!p) continue;
        free(p->topic);
        *p = t->pos[--t->npos];
    }
    return CW_OK;
}

int jdbc_task_flush(void *state, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                    size_t en) {
    jdbc_task_t *t = state;
    (void) final;
    (void)errstr;
    (void)en;
    for (size_t i = 0; i < n; i++) {
        jdbc_pos_t *p = pos_find(t, tps[i].topic, tps[i].partition, 0, 0);
        if (p && (tps[i].offset == CW_OFFSET_INVALID || p->next < tps[i].offset))
            tps[i].offset = p->next;
    }
    return CW_OK;
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Rows for this put's records; records committed already (a redelivery) are left out. */
static int build_rows(jdbc_task_t *t, cw_record_t *const *records, size_t n, size_t *nrows,
                      char *errstr, size_t en) {
    if (n > t->rows_cap) {
        jdbc_row_t *grown = realloc(t->rows, n * sizeof *grown);
        if (!grown) {
            snprintf(errstr, en, "out of memory");
            return CW_ERR_FATAL;
        }
        t->rows = grown;
        t->rows_cap = n;
    }
    *nrows = 0;
    for (size_t i = 0; i < n; i++) {
        cw_record_t *r = records[i];
        int64_t off = t->h->record_original_offset(r);
        jdbc_pos_t *p =
            pos_find(t, t->h->record_original_topic(r), t->h->record_original_partition(r), 1, off);
        if (!p) {
            snprintf(errstr, en, "out of memory");
            return CW_ERR_FATAL;
        }
        if (off < p->next) continue;
        jdbc_row_t *row = &t->rows[(*nrows)++];
        char why[512];
        int rc = jdbc_row_build(t, r, row, why, sizeof why);
        if (rc == CW_OK && !(row->table = jdbc_table_get(t, t->h->record_topic(r)))) {
            snprintf(errstr, en, "out of memory");
            return CW_ERR_FATAL;
        }
        if (rc == CW_ERR_FATAL) {
            snprintf(errstr, en, "record %s-%d@%lld: %s", t->h->record_original_topic(r),
                     (int)t->h->record_original_partition(r), (long long)off, why);
            return CW_ERR_FATAL;
        }
        if (rc != CW_OK) jdbc_row_reject(row, why);
    }
    return CW_OK;
}

/* One attempt at the whole put: connect when needed, tables, rows, commit. */
static int attempt(jdbc_task_t *t, size_t nrows, jdbc_err_t *e, char *errstr, size_t en) {
    if (!t->conn) {
        int rc = t->d->connect(t->h, t->ctx, &t->s, &t->conn, errstr, en);
        if (rc != CW_OK) {
            e->transient = rc == CW_ERR_RETRIABLE;
            snprintf(e->msg, sizeof e->msg, "%s", errstr);
            return rc;
        }
    }
    int rc = jdbc_tables_prepare(t, t->rows, nrows, e, errstr, en);
    if (rc != CW_OK) return rc;
    int64_t start = now_us();
    rc = jdbc_write(t, t->rows, nrows, e, errstr, en);
    if (rc == CW_OK) {
        size_t written = 0;
        for (size_t i = 0; i < nrows; i++) written += t->rows[i].op != JDBC_OP_SKIP;
        double seconds = (double)(now_us() - start) / 1e6;
        jdbc_metrics_batch(t, written, seconds);
        t->h->log(t->ctx, CW_LOG_DEBUG, "committed %zu of %zu rows in %.1f ms", written, nrows,
                  seconds * 1e3);
    }
    return rc;
}

static void mark_written(jdbc_task_t *t, size_t nrows) {
    for (size_t i = 0; i < nrows; i++) {
        cw_record_t *r = t->rows[i].rec;
        jdbc_pos_t *p =
            pos_find(t, t->h->record_original_topic(r), t->h->record_original_partition(r), 0, 0);
        int64_t next = t->h->record_original_offset(r) + 1;
        if (p && next > p->next) p->next = next;
    }
}

static void clear_rows(jdbc_task_t *t, size_t nrows) {
    for (size_t i = 0; i < nrows; i++) jdbc_row_clear(&t->rows[i]);
}

int jdbc_task_put(void *state, cw_record_t *const *records, size_t n, char *errstr, size_t en) {
    jdbc_task_t *t = state;
    if (n == 0) return CW_OK;
    size_t nrows = 0;
    int rc = build_rows(t, records, n, &nrows, errstr, en);
    for (int retry = 0; rc == CW_OK; retry++) {
        jdbc_err_t e = {0};
        rc = attempt(t, nrows, &e, errstr, en);
        if (rc != CW_ERR_RETRIABLE) break;
        disconnect(t);
        if (retry >= t->s.max_retries) {
            snprintf(errstr, en,
                     "writing %zu records failed %d times (max.retries=%d), last: "
                     "%s",
                     nrows, retry + 1, t->s.max_retries, e.msg);
            rc = CW_ERR_FATAL;
            break;
        }
        jdbc_metrics_retry(t);
        t->h->log(t->ctx, CW_LOG_WARN,
                  "writing %zu records failed (%s); retry %d of %d in "
                  "%lld ms",
                  nrows, e.msg, retry + 1, t->s.max_retries, (long long)t->s.retry_backoff_ms);
        if (cw_sdk_db_sleep_ms(t->h, t->ctx, t->s.retry_backoff_ms)) {
            snprintf(errstr, en, "stopping while retrying: %s", e.msg);
            break; /* CW_ERR_RETRIABLE: nothing was kept */
        }
        rc = CW_OK;
    }
    if (rc == CW_OK) mark_written(t, nrows);
    clear_rows(t, nrows);
    return rc;
}
