/* Column values in the forms Confluent's JDBC source and Kafka's JsonConverter (schemaless)
 * give them: Connect Date (days), Time (ms of the day), Timestamp (epoch ms) or one of the
 * timestamp.granularity forms, and Decimal under decimal.format BASE64 or NUMERIC. Only used
 * when the keys ask for them; the default row path never calls these. */
#ifndef RDS_CONFLUENT_H
#define RDS_CONFLUENT_H
#include <mysql.h>
#include <stdint.h>
#include "rds_buf.h"
#include "rds_config.h"

/* DATETIME/TIMESTAMP text 'YYYY-MM-DD HH:MM:SS[.ffffff]' (a wall-clock time in db.timezone,
 * `tz_offset_s` east of UTC) in form `g` (not RDS_TSG_STRING). A zero date is null; text
 * that does not parse is written as a string. 0 or -1 (memory). */
int rds_put_timestamp(cw_sdk_buf_t *b, const char *v, unsigned long len, rds_tsgran_t g,
                      int64_t tz_offset_s);
/* DATE 'YYYY-MM-DD' as days since 1970-01-01 (proleptic Gregorian). */
int rds_put_date(cw_sdk_buf_t *b, const char *v, unsigned long len);
/* TIME '[-]HHH:MM:SS[.ffffff]' as milliseconds (of the day, negative or beyond 24 h when the
 * value is). */
int rds_put_time(cw_sdk_buf_t *b, const char *v, unsigned long len);
/* DECIMAL text with declared precision/scale as Confluent writes it: numeric.mapping's
 * integer or double forms, else Connect Decimal as decimal.format says (BASE64: the
 * unscaled value's big-endian two's complement bytes, as Java's BigInteger.toByteArray;
 * NUMERIC: the exact digits). */
int rds_put_decimal_confluent(cw_sdk_buf_t *b, const char *v, unsigned long len,
                              unsigned long precision, unsigned scale, rds_numeric_t mapping,
                              rds_decfmt_t fmt);
#endif
