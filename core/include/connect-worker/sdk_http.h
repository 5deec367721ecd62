/*
 * connect-worker SDK: small pieces of HTTP and base64 that plugins serving or calling HTTP
 * need (see sdk.h for the conventions). The HTTP server or client itself is a library's job
 * (libmicrohttpd, libcurl); these are the bits around it that would otherwise be copied.
 */
#ifndef CONNECT_WORKER_SDK_HTTP_H
#define CONNECT_WORKER_SDK_HTTP_H

#include <stddef.h>

#include "sdk_buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Writes the media type of a Content-Type header value, without parameters, white space
 *  or case ("Application/JSON; charset=utf-8" gives "application/json") to `out`.
 *  `header` may be NULL (no header: writes ""). Returns 0, or -1 when the type does not fit
 *  in out_size (out then holds ""). */
int cw_sdk_http_media_type(const char *header, char *out, size_t out_size);

/** Decodes standard base64 (RFC 4648 section 4, the alphabet Java's Base64 and Jackson use)
 *  and appends the bytes to `out`. Padding may be left out; white space and any other
 *  character are refused. Returns 0, or -1 with errstr naming the offending position (or
 *  ENOMEM: errno set, errstr "out of memory"); `out` keeps what it had on failure. */
int cw_sdk_base64_decode(const char *in, size_t n, cw_sdk_buf_t *out, char *errstr,
                         size_t errstr_size);

/** Appends the standard base64 encoding (with padding) of n bytes to `out`. Returns 0, or -1
 *  (ENOMEM) with `out` unchanged. */
int cw_sdk_base64_encode(const void *in, size_t n, cw_sdk_buf_t *out);

#ifdef __cplusplus
}
#endif

#endif
