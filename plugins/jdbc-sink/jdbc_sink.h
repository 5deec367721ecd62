/* jdbc-sink internals: the task, its table cache and the rows a put turns records into. */
#ifndef JDBC_SINK_H
#define JDBC_SINK_H
#include <jansson.h>
#include "connect-worker/plugin.h"
#include "jdbc_config.h"
#include "jdbc_db.h"

/* A destination table as the database describes it (plus what the sink created). */
typedef struct jdbc_table {
    char *name;   /* table.name.format's result, e.g. "pin" or "db.pin" */
    char *schema; /* before the first dot; NULL when none */
    char *bare;   /* after it */
    jdbc_col_t *cols;
    size_t ncols;
    int known; /* described (or created) on this connection's database */
} jdbc_table_t;

typedef enum { JDBC_OP_WRITE = 0, JDBC_OP_DELETE, JDBC_OP_SKIP } jdbc_op_t;

/* A value's top-level fields (jdbc_fields.c): borrowed from a jansson object, or made by the
 * yajl path (owned: values and the names' text). */
typedef struct jdbc_fields {
    size_t n, cap;
    const char **names;
    json_t **vals;
    char *text;
    int owned;
} jdbc_fields_t;

/* One record as columns: the key columns first. Names are the table's own spelling once
 * mapped (jdbc_table_map); values are borrowed from the record's JSON or owned by `own`. */
typedef struct jdbc_row {
    cw_record_t *rec;
    jdbc_table_t *table;
    jdbc_op_t op;
    size_t n, nkeys;
    const char **names;
    json_t **vals;
    jdbc_type_t *types;   /* from the JSON types, or the record's Kafka Connect schema */
    json_t *own;          /* values made for this row (Kafka coordinates, a primitive key) */
    json_t *parsed;       /* the value parsed from StringConverter text, when it was */
    json_t *decoded;      /* bytes and Decimal values decoded from their schema (jdbc_schema.c) */
    jdbc_fields_t fields; /* the value's fields, which vals point into */
    char *own_names;      /* ... and a name made for it */
    char *bad;            /* why the row cannot be written (op is then JDBC_OP_SKIP) */
    int reported;         /* bad was handed to report_bad_record */
} jdbc_row_t;

/* Offsets durable in the database, per consumed (original) topic partition. */
typedef struct jdbc_pos {
    char *topic;
    int32_t partition;
    int64_t next; /* offset after the last record committed (or skipped as bad) */
} jdbc_pos_t;

typedef struct jdbc_task {
    const cw_host_t *h;
    cw_ctx_t *ctx;
    jdbc_settings_t s;
    const jdbc_dialect_t *d;
    void *conn; /* NULL while disconnected */
    jdbc_table_t **tables;
    size_t ntables;
    char *last_topic; /* the topic jdbc_table_get last mapped, to last_table */
    jdbc_table_t *last_table;
    jdbc_pos_t *pos;
    size_t npos, last_pos;
    jdbc_row_t *rows; /* this put's rows */
    size_t rows_cap;
    cw_sdk_buf_t scratch; /* escaping room for string literals */
    struct jdbc_metrics *metrics;
} jdbc_task_t;

/* jdbc_task.c: the sink callbacks. */
int jdbc_task_start(cw_ctx_t *ctx, const cw_config_t *cfg, void **state, char *errstr, size_t n);
int jdbc_task_open(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr, size_t en);
int jdbc_task_close(void *state, const cw_topic_partition_t *tps, size_t n, char *errstr,
                    size_t en);
int jdbc_task_put(void *state, cw_record_t *const *records, size_t n, char *errstr, size_t en);
int jdbc_task_flush(void *state, cw_topic_partition_t *tps, size_t n, int final, char *errstr,
                    size_t en);
void jdbc_task_stop(void *state);

/* jdbc_row.c: turns a record into a row per pk.mode, pk.fields, fields.whitelist and
 * delete.enabled. CW_OK; CW_ERR_RECORD with errstr (the record is bad: errors.tolerance);
 * CW_ERR_FATAL (a configuration the records contradict, e.g. a primitive key with no
 * pk.fields). */
int jdbc_row_build(jdbc_task_t *t, cw_record_t *r, jdbc_row_t *row, char *errstr, size_t n);
void jdbc_row_clear(jdbc_row_t *row);
jdbc_type_t jdbc_json_type(const json_t *v);

/* jdbc_fields.c. jdbc_fields_parse: 1 when the yajl path took the text (a flat object), 0
 * to parse it with jansson instead (f is then empty). from_object: -1 when out of memory. */
int jdbc_fields_parse(jdbc_fields_t *f, const char *text, size_t len);
int jdbc_fields_from_object(jdbc_fields_t *f, json_t *obj);
json_t *jdbc_fields_get(const jdbc_fields_t *f, const char *name);
void jdbc_fields_clear(jdbc_fields_t *f);

/* jdbc_schema.c: the record's value as JSON, read the way its converter made it (the text of
 * a StringConverter value parsed as JSON: *owned receives that tree, NULL otherwise), NULL
 * with errstr when it cannot be read. */
json_t *jdbc_value_object(jdbc_task_t *t, cw_record_t *r, json_t **owned, char *errstr,
                          size_t errstr_size);
/* For a value in JsonConverter's schemas envelope, the column types its schema gives; bytes and
 * Decimal values are decoded (base64 to hex digits; the unscaled value and the scale to
 * decimal text). 0, or -1 with errstr naming the field (a bad record). */
int jdbc_schema_apply(jdbc_task_t *t, jdbc_row_t *row, char *errstr, size_t errstr_size);

/* jdbc_decode.c: a bytes value (base64 text) as a JSON string of upper-case hex digits; a
 * Decimal (base64 of the unscaled two's complement value, or a JSON number) as a JSON string
 * of its decimal text with `scale` places. NULL with errstr ("is not base64") otherwise. */
json_t *jdbc_decode_bytes(const json_t *v, char *errstr, size_t errstr_size);
json_t *jdbc_decode_decimal(const json_t *v, int scale, char *errstr, size_t errstr_size);

/* jdbc_table.c */
jdbc_table_t *jdbc_table_get(jdbc_task_t *t, const char *topic);
void jdbc_tables_free(jdbc_task_t *t);
/* Makes sure each row's table exists (auto.create) and has its columns (auto.evolve), and
 * maps the rows' field names to column names. Rows that cannot be written become
 * JDBC_OP_SKIP after being reported (CW_ERR_FATAL when errors.tolerance=none).
 * CW_OK, CW_ERR_RETRIABLE (transient: *e), CW_ERR_FATAL (errstr). */
int jdbc_tables_prepare(jdbc_task_t *t, jdbc_row_t *rows, size_t n, jdbc_err_t *e, char *errstr,
                        size_t errstr_size);
/* Marks a row the database or the mapping refused: it is skipped, and reported by
 * jdbc_rows_report (in record order, so that errors.tolerance=none stops at the first). */
void jdbc_row_reject(jdbc_row_t *row, const char *reason);
/* Reports the rejected rows not reported yet, in order. CW_OK, or CW_ERR_FATAL (errstr names
 * topic, partition, offset and the reason) when errors.tolerance=none. */
int jdbc_rows_report(jdbc_task_t *t, jdbc_row_t *rows, size_t n, char *errstr, size_t errstr_size);

/* jdbc_write.c: writes the rows in one transaction. CW_OK; CW_ERR_RETRIABLE (transient: *e,
 * rolled back); CW_ERR_FATAL (errstr, rolled back). Rows the database refuses one by one are
 * rejected (jdbc_row_reject) and the rest committed. */
int jdbc_write(jdbc_task_t *t, jdbc_row_t *rows, size_t n, jdbc_err_t *e, char *errstr,
               size_t errstr_size);
/* Writes an SQL literal of a JSON value for a column of type `type`. */
int jdbc_value(jdbc_task_t *t, FILE *out, const json_t *v, jdbc_type_t type);

/* jdbc_metrics.c: rows, batches, latency and retries (no-ops on a host without metrics). */
void jdbc_metrics_open(jdbc_task_t *t);
void jdbc_metrics_batch(jdbc_task_t *t, size_t rows, double seconds);
void jdbc_metrics_retry(jdbc_task_t *t);
void jdbc_metrics_bad(jdbc_task_t *t);
void jdbc_metrics_close(jdbc_task_t *t);
#endif
