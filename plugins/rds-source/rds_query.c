#include "rds_query.h"
#include <inttypes.h>

static int ts_expr(cw_sdk_buf_t *q, const rds_settings_t *s) {
    if (s->n_ts_columns == 1) return rds_quote_ident(q, s->ts_columns[0]);
    cw_sdk_buf_puts(q, "COALESCE(");
    for (size_t i = 0; i < s->n_ts_columns; i++) {
        if (i) cw_sdk_buf_puts(q, ",");
        rds_quote_ident(q, s->ts_columns[i]);
    }
    return cw_sdk_buf_puts(q, ")");
}

static void ts_literal(cw_sdk_buf_t *q, const rds_cursor_t *c) {
    /* FROM_UNIXTIME renders in the session time_zone (= db.timezone), as DATETIME values
     * are stored; MariaDB keeps microseconds */
    cw_sdk_buf_printf(q, "FROM_UNIXTIME(%" PRId64 ".%06d)", c->ts_sec, (int)(c->ts_nanos / 1000));
}

int64_t rds_query_page_rows(const rds_settings_t *s) {
    return s->batch_max_rows > RDS_MIN_PAGE_ROWS ? s->batch_max_rows : RDS_MIN_PAGE_ROWS;
}

int rds_query_build(cw_sdk_buf_t *q, const rds_settings_t *s, const rds_table_t *t, int *limited) {
    int ts_mode = s->mode == RDS_MODE_TIMESTAMP || s->mode == RDS_MODE_TIMESTAMP_INCREMENTING;
    int inc_mode = s->mode == RDS_MODE_INCREMENTING || s->mode == RDS_MODE_TIMESTAMP_INCREMENTING;
    const rds_cursor_t *c = &t->cursor;
    cw_sdk_buf_reset(q);
    *limited = 0;
    if (t->name) {
        cw_sdk_buf_puts(q, "SELECT ");
        rds_quote_ident(q, t->name);
        cw_sdk_buf_puts(q, ".*");
    } else {
        cw_sdk_buf_puts(q, "SELECT `cw_query`.*");
    }
    if (ts_mode) {
        cw_sdk_buf_puts(q, ", UNIX_TIMESTAMP(");
        ts_expr(q, s);
        cw_sdk_buf_puts(q, ") AS `" RDS_TS_EPOCH_COLUMN "`");
    }
    cw_sdk_buf_puts(q, " FROM ");
    if (t->name)
        rds_quote_ident(q, t->name);
    else
        cw_sdk_buf_printf(q, "(%s) AS `cw_query`", s->query);

    if (s->mode == RDS_MODE_INCREMENTING) {
        if (c->has_inc) {
            cw_sdk_buf_puts(q, " WHERE ");
            rds_quote_ident(q, t->inc_col);
            cw_sdk_buf_printf(q, " > %" PRId64, c->inc);
        }
    } else if (ts_mode) {
        cw_sdk_buf_puts(q, " WHERE ");
        ts_expr(q, s);
        cw_sdk_buf_printf(q, " < NOW(6) - INTERVAL %" PRId64 " MICROSECOND", s->ts_delay_ms * 1000);
        if (c->has_ts && s->mode == RDS_MODE_TIMESTAMP) {
            cw_sdk_buf_puts(q, " AND ");
            ts_expr(q, s);
            cw_sdk_buf_puts(q, " > ");
            ts_literal(q, c);
        } else if (c->has_ts) {
            cw_sdk_buf_puts(q, " AND ((");
            ts_expr(q, s);
            cw_sdk_buf_puts(q, " = ");
            ts_literal(q, c);
            cw_sdk_buf_puts(q, " AND ");
            rds_quote_ident(q, t->inc_col);
            cw_sdk_buf_printf(q, " > %" PRId64 ") OR ", c->has_inc ? c->inc : INT64_MIN);
            ts_expr(q, s);
            cw_sdk_buf_puts(q, " > ");
            ts_literal(q, c);
            cw_sdk_buf_puts(q, ")");
        }
    }
    if (ts_mode) {
        cw_sdk_buf_puts(q, " ORDER BY ");
        ts_expr(q, s);
        cw_sdk_buf_puts(q, inc_mode ? ", " : " ASC");
    } else if (inc_mode) {
        cw_sdk_buf_puts(q, " ORDER BY ");
    }
    if (inc_mode) {
        rds_quote_ident(q, t->inc_col);
        cw_sdk_buf_puts(q, " ASC");
        /* (timestamp, incrementing) and incrementing are unique keys: a LIMIT page followed
         * by a query from the last row's key neither skips nor repeats rows */
        cw_sdk_buf_printf(q, " LIMIT %" PRId64, rds_query_page_rows(s));
        *limited = 1;
    }
    if (*s->query_suffix) cw_sdk_buf_printf(q, " %s", s->query_suffix);
    return q->data ? 0 : -1;
}
