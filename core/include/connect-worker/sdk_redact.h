/*
 * connect-worker SDK: hiding credentials inside URLs before text is printed (see sdk.h for the
 * conventions).
 *
 * A secret key (CW_CFG_F_SECRET) is hidden by the worker wherever it prints it. A password
 * inside a URL of a key that is not secret (`connection.url=jdbc:mysql://app:pw@db/x`,
 * `...?password=pw`) is not a key of its own: the worker passes every log line and every
 * configuration error through cw_sdk_redact_credentials. A plugin that prints text of its own
 * elsewhere (a status file, an HTTP reply) calls it too.
 */
#ifndef CONNECT_WORKER_SDK_REDACT_H
#define CONNECT_WORKER_SDK_REDACT_H

#include <stddef.h>

#include "sdk_buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What replaces a hidden credential. */
#define CW_SDK_REDACTED "[hidden]"

/** Copies text[0..len) to `out` (appending) with every credential inside a URL replaced by
 *  CW_SDK_REDACTED:
 *   - the password of a user-info part, `scheme://user:password@host` (the user stays);
 *   - the value of a query or JDBC parameter (after `?`, `&` or `;`) whose name contains
 *     `password`, `passwd`, `pwd`, `secret`, `token` or `credential` (case-insensitive),
 *     up to the next `&`, `;`, `#`, white space, quote or end.
 *  Returns the number of credentials hidden; 0 means nothing was found and `out` is left
 *  untouched (the caller prints `text` itself). -1 (errno ENOMEM) when `out` cannot grow: out
 *  may then hold a partial copy, which the caller must not print. Thread-safe; `text` need
 *  not be NUL-terminated. */
int cw_sdk_redact_credentials(const char *text, size_t len, cw_sdk_buf_t *out);

#ifdef __cplusplus
}
#endif

#endif
