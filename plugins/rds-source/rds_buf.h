/* The JSON text primitives the row encoder writes with, beyond the SDK's buffer and string
 * escaping (connect-worker/sdk.h). Values are written as JSON text directly (never through
 * jansson), so numbers keep the exact digits the server sent. */
#ifndef RDS_BUF_H
#define RDS_BUF_H
#include <stddef.h>

#include "connect-worker/sdk.h"

/* Appends the bytes as a quoted standard base64 string (RFC 4648, with padding). Returns 0,
 * or -1 when memory ran out (the buffer is then unchanged). */
int rds_buf_json_base64(cw_sdk_buf_t *b, const unsigned char *s, size_t len);
/* Is s[0..len) a number in JSON's grammar (what MariaDB prints for DOUBLE usually is)? */
int rds_json_number_ok(const char *s, size_t len);
#endif
