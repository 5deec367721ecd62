/* The SELECT each mode runs (Confluent JDBC source shapes, plus keyset LIMIT where the order
 * key is unique). */
#ifndef RDS_QUERY_H
#define RDS_QUERY_H
#include "rds_buf.h"
#include "rds_config.h"
#include "rds_table.h"

/* Name of the extra last column carrying UNIX_TIMESTAMP(<timestamp expression>) in the
 * timestamp modes; it is read for the offset and never written into the record. */
#define RDS_TS_EPOCH_COLUMN "__connect_worker_ts_epoch"

/* Rows per keyset page: batch.max.rows, but at least RDS_MIN_PAGE_ROWS (a page is streamed
 * over as many polls as it takes, so a small batch.max.rows need not mean many queries).
 * Each page's end leaves the server idle while the task drains the socket and asks again:
 * 10 000-row pages cost 15-20 % of the rate (plugin README, "Keyset pages"). */
#define RDS_MIN_PAGE_ROWS 100000
int64_t rds_query_page_rows(const rds_settings_t *s);

/* Builds the query for table `t` from its cursor. *limited is set when the query has a
 * LIMIT (rds_query_page_rows) (a full page means: query again right away). Returns 0 or -1. */
int rds_query_build(cw_sdk_buf_t *q, const rds_settings_t *s, const rds_table_t *t, int *limited);
#endif
