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
} rds_json_opts_t;

/* Appends the object for the first `nfields` columns of `row`. *replaced counts invalid UTF-8
 * sequences that were replaced by U+FFFD. Returns 0 or -1 (out of memory). */
int rds_row_to_json(rds_buf_t *b, const MYSQL_FIELD *fields, unsigned nfields, MYSQL_ROW row,
                    const unsigned long *lengths, const rds_json_opts_t *o, size_t *replaced);
#endif
