/* librdkafka's levels (rdkafka_log.c, issue 18): what librdkafka retries by itself is WARN,
 * what needs a person stays ERROR. */
#include <syslog.h>

#include "check.h"
#include "rdkafka_log.h"

int main(void) {
    /* error events */
    CHECK(cw_kafka_error_level(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) == CW_LOG_WARN);
    CHECK(cw_kafka_error_level(RD_KAFKA_RESP_ERR__TRANSPORT) == CW_LOG_WARN);
    CHECK(cw_kafka_error_level(RD_KAFKA_RESP_ERR__RESOLVE) == CW_LOG_WARN);
    CHECK(cw_kafka_error_level(RD_KAFKA_RESP_ERR__TIMED_OUT) == CW_LOG_WARN);
    CHECK(cw_kafka_error_level(RD_KAFKA_RESP_ERR__AUTHENTICATION) == CW_LOG_ERROR);
    CHECK(cw_kafka_error_level(RD_KAFKA_RESP_ERR__FATAL) == CW_LOG_ERROR);
    CHECK(cw_kafka_error_level(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) == CW_LOG_ERROR);
    CHECK(cw_kafka_error_level(RD_KAFKA_RESP_ERR__SSL) == CW_LOG_ERROR);
    /* log lines at LOG_ERR: a refused connection (retried) vs credentials and certificates */
    CHECK(cw_kafka_log_level(LOG_ERR, "FAIL",
                             "127.0.0.1:9092/1: Connect to ipv4#127.0.0.1:9092 failed: "
                             "Connection refused (after 0ms in state CONNECT)") == CW_LOG_WARN);
    CHECK(cw_kafka_log_level(LOG_ERR, "ERROR", "1/1 brokers are down") == CW_LOG_WARN);
    CHECK(cw_kafka_log_level(LOG_ERR, "FAIL",
                             "b:9093/1: SASL authentication error: Authentication failed") ==
          CW_LOG_ERROR);
    CHECK(cw_kafka_log_level(LOG_ERR, "FAIL",
                             "b:9093/1: SSL handshake failed: certificate verify failed") ==
          CW_LOG_ERROR);
    CHECK(cw_kafka_log_level(LOG_WARNING, "CONFWARN", "x") == CW_LOG_WARN);
    CHECK(cw_kafka_log_level(LOG_INFO, "x", "y") == CW_LOG_INFO);
    CHECK(cw_kafka_log_level(LOG_DEBUG, "x", "y") == CW_LOG_DEBUG);
    CHECK_DONE();
}
