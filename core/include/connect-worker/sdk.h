/*
 * connect-worker plugin SDK: the helpers plugins need in common
 *
 * plugin.h is the contract between the worker and a plugin; this library is what a plugin
 * would otherwise copy into itself. It is a static archive compiled as position-independent
 * code (libconnect-worker-sdk.a), so a plugin links it into its own shared object and needs
 * no run-time path: `pkg-config --cflags --libs connect-worker`. The worker links the same
 * archive for its own use. The archive is compiled with hidden visibility, so its functions
 * stay inside the object that links them: two plugins built against different SDK versions
 * never interfere, and none of them is exported.
 *
 *   connect-worker/sdk_buf.h    growable byte buffers (cw_sdk_buf_t)
 *   connect-worker/sdk_json.h   UTF-8 checks, the fast plain-text scan, JSON string escaping
 *   connect-worker/sdk_time.h   civil dates (days_from_civil ...), ISO-8601 parse and format
 *   connect-worker/sdk_regex.h  regular expressions (PCRE2, java.util.regex semantics)
 *   connect-worker/sdk_aws.h    AWS credentials chain, STS, SigV4 presigning, MSK IAM tokens
 *   connect-worker/sdk_db.h     JDBC connection URLs (MySQL, MariaDB, PostgreSQL; TLS options)
 *   connect-worker/sdk_db_mysql.h  MySQL/MariaDB sessions with retries (its own archive,
 *                               libconnect-worker-sdk-mysql.a, needs libmariadb; not included
 *                               here)
 *   connect-worker/sdk_http.h   HTTP media types, base64
 *   connect-worker/sdk_redact.h credentials inside URLs hidden before text is printed
 *
 * Conventions, as in plugin.h: functions that can fail return 0 (or a documented
 * non-negative value) on success and -1 on failure; those that can fail for a reason other
 * than memory take `char *errstr, size_t errstr_size` and write one sentence there. A failure
 * to allocate returns -1 and sets errno to ENOMEM; nothing returns a NULL without saying why.
 * No function keeps global state: all of them may be called from any thread, concurrently,
 * on distinct objects (and on one shared object where a function says so).
 */
#ifndef CONNECT_WORKER_SDK_H
#define CONNECT_WORKER_SDK_H

/** Version of the SDK's API: raised when a function is added or changes meaning. */
#define CW_SDK_VERSION 5 /* 3: sdk_http.h, sdk_redact.h; 4: sdk_db.h, sdk_db_mysql.h, the AssumeRole provider; 5: cw_sdk_format_int64 */

#include "sdk_buf.h"
#include "sdk_json.h"
#include "sdk_time.h"
#include "sdk_regex.h"
#include "sdk_aws.h"
#include "sdk_db.h"
#include "sdk_http.h"
#include "sdk_redact.h"

#endif
