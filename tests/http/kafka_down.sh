#!/usr/bin/env bash
# A stopped Kafka (the mock cluster's brokers down: rd_kafka_mock_broker_set_down): 503s
# after http.request.timeout.ms, 429s once the in-flight limit is held, bounded memory, and
# recovery (tests/http/kafka_down.py).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/http/lib.sh"
cw_start_mock_cluster --topic down:2
hs_connector "$CW_TMP/http.properties" "http.request.timeout.ms=1500" \
    "http.max.requests.in.flight=4"
# Under AddressSanitizer freed memory sits in its quarantine (256 MB by default) and RSS
# would only show that: keep it small so that RSS still says what the worker holds.
[ "${CW_SANITIZE:-OFF}" = ON ] && export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:quarantine_size_mb=1"
hs_start worker "$CW_TMP/http.properties"
python3 "$CW_SOURCE_DIR/tests/http/kafka_down.py" "$HS_URL" "$CW_WORKER_PID" "$CW_MOCK_PID" ||
    { cw_dump_logs; cw_fail "kafka_down.py"; }
echo "http kafka down OK"
