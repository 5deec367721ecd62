/* A growable byte buffer and the JSON text primitives the row encoder writes with.
 * Values are written as JSON text directly (never through jansson), so numbers keep the
 * exact digits the server sent. */
#ifndef RDS_BUF_H
#define RDS_BUF_H
#include <stddef.h>

typedef struct rds_buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len, cap;
} rds_buf_t;

/* All appenders return 0, or -1 when memory ran out (the buffer is then unchanged). */
int rds_buf_reserve(rds_buf_t *b, size_t extra);
int rds_buf_append(rds_buf_t *b, const void *data, size_t len);
int rds_buf_puts(rds_buf_t *b, const char *s);
int rds_buf_printf(rds_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rds_buf_reset(rds_buf_t *b);
void rds_buf_free(rds_buf_t *b);

/* Appends `s` as a quoted JSON string. Invalid UTF-8 sequences become U+FFFD, so the output
 * is always valid JSON; *replaced (when not NULL) is incremented once per replacement. */
int rds_buf_json_string(rds_buf_t *b, const char *s, size_t len, size_t *replaced);
/* Appends the bytes as a quoted standard base64 string (RFC 4648, with padding). */
int rds_buf_json_base64(rds_buf_t *b, const unsigned char *s, size_t len);
/* Is s[0..len) a number in JSON's grammar (what MariaDB prints for DOUBLE usually is)? */
int rds_json_number_ok(const char *s, size_t len);
#endif
