/*
 * librdkafka's log lines and error events, at the level a person should read them at.
 *
 * librdkafka retries connection trouble by itself (a broker restarting, a DNS hiccup, a
 * request timing out) yet reports it at LOG_ERR / as an error event: a 20 s broker outage
 * that the worker rode out used to leave ~25 ERROR lines. Here, what librdkafka retries is a
 * WARN; ERROR is kept for what needs a person (authentication, TLS certificates,
 * authorisation, a fatal producer error, bad configuration).
 */
#ifndef CW_RDKAFKA_LOG_H
#define CW_RDKAFKA_LOG_H
#include <librdkafka/rdkafka.h>

#include "connect-worker/plugin.h"

/** Sets the log and error callbacks of a librdkafka configuration. The error callback uses no
 *  opaque, so the caller may set its own with rd_kafka_conf_set_opaque. */
void cw_kafka_log_setup(rd_kafka_conf_t *conf);

/** The level an error event `err` is logged at (exposed for the unit test). */
cw_log_level_t cw_kafka_error_level(rd_kafka_resp_err_t err);

/** The level of a librdkafka log line of syslog level `level`. */
cw_log_level_t cw_kafka_log_level(int level, const char *fac, const char *buf);
#endif
