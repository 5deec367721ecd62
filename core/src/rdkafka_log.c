/* librdkafka's log lines and error events at the right level (see rdkafka_log.h). */
#define _GNU_SOURCE /* strcasestr */
#include "rdkafka_log.h"

#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "log.h"

/* Words in a librdkafka ERR-level line that mean a person must act: credentials, certificates,
 * permissions, configuration. Anything else at that level is retried by librdkafka. */
static int needs_a_person(const char *buf) {
    static const char *const words[] = {"authentication", "sasl",     "ssl",
                                        "certificate",    "authoriz", "fatal",
                                        "configuration",  "invalid",  "unsupported"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasestr(buf, words[i])) return 1;
    return 0;
}

cw_log_level_t cw_kafka_log_level(int level, const char *fac, const char *buf) {
    (void)fac;
    if (level <= LOG_ERR) return buf && needs_a_person(buf) ? CW_LOG_ERROR : CW_LOG_WARN;
    if (level <= LOG_WARNING) return CW_LOG_WARN;
    if (level <= LOG_INFO) return CW_LOG_INFO;
    return CW_LOG_DEBUG;
}

cw_log_level_t cw_kafka_error_level(rd_kafka_resp_err_t err) {
    switch (err) {
    /* transient: librdkafka reconnects, retries and times requests out by itself */
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__PARTITION_EOF:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND: return CW_LOG_WARN;
    default: return CW_LOG_ERROR; /* authentication, authorisation, fatal, ... */
    }
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    cw_log(NULL, -1, cw_kafka_log_level(level, fac, buf), "librdkafka %s %s: %s", rd_kafka_name(rk),
           fac, buf);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)opaque;
    rd_kafka_resp_err_t e = (rd_kafka_resp_err_t)err;
    cw_log_level_t level = cw_kafka_error_level(e);
    cw_log(NULL, -1, level, "librdkafka %s: %s%s", rd_kafka_name(rk), reason,
           level == CW_LOG_WARN ? " (retried by librdkafka)" : "");
}

void cw_kafka_log_setup(rd_kafka_conf_t *conf) {
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
}
