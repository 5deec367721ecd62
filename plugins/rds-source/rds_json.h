/* One row of a text-protocol result as one JSON object: keys are the column names in column
 * order, values typed from the column metadata (see README "Records"). */
#ifndef RDS_JSON_H
#define RDS_JSON_H
#include <mysql.h>
#include "rds_buf.h"
#include "rds_config.h"

typedef struct rds_json_opts {
    rds_numeric_t numeric;
    rds_dtformat_t dtformat;
    rds_tsgran_t tsgran; /* RDS_TSG_STRING: dtformat's strings */
    int64_t tz_offset_s;
    rds_decfmt_t decfmt; /* RDS_DEC_OURS: numeric's numbers */
} rds_json_opts_t;

/* The JSON text between the values of a result's rows: `{"col1":`, `,"col2":`, ... (column
 * names are escaped once per result instead of once per row). */
typedef struct rds_row_keys {
    cw_sdk_buf_t text;
    size_t *end; /* end[i]: where the text before value i ends */
    unsigned n;
} rds_row_keys_t;

/* Builds the keys of the first `nfields` columns; *replaced as below. 0 or -1 (memory). */
int rds_row_keys_build(rds_row_keys_t *k, const MYSQL_FIELD *fields, unsigned nfields,
                       size_t *replaced);
void rds_row_keys_free(rds_row_keys_t *k);

/* Appends the object for the first `nfields` columns of `row`, with the keys built for
 * these fields. *replaced counts invalid UTF-8 sequences that were replaced by U+FFFD.
 * Returns 0 or -1 (out of memory). */
int rds_row_to_json(cw_sdk_buf_t *b, const rds_row_keys_t *keys, const MYSQL_FIELD *fields,
                    unsigned nfields, MYSQL_ROW row, const unsigned long *lengths,
                    const rds_json_opts_t *o, size_t *replaced);
#endif
