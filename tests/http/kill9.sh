#!/usr/bin/env bash
# A worker killed with -9 in the middle of a load: every record whose request was answered
# 200 is in Kafka (a 200 means acknowledged by Kafka, never "queued"). Records of requests
# that got no answer may or may not be there (the client retries them: at least once).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/http/lib.sh"
cw_start_mock_cluster --topic k9:3
hs_connector "$CW_TMP/http.properties"
hs_start worker "$CW_TMP/http.properties"
: >"$CW_TMP/acked"
python3 "$CW_SOURCE_DIR/tests/http/load.py" "$HS_URL" k9 8 "$CW_TMP/acked" &
load=$!
CW_PIDS+=("$load")
cw_wait_for 60 "2000 records acknowledged" cw_has_lines "$CW_TMP/acked" 2000
# Kafka stalls (brokers down) so that requests are surely in flight, unacknowledged, when the
# worker dies: a server answering before Kafka's acknowledgement would have said 200 to them.
kill -USR1 "$CW_MOCK_PID"
cw_wait_for 20 "the mock cluster's brokers down" cw_log_has "$CW_TMP/mock-cluster.log" "brokers down"
sleep 1 # requests pile up against the stalled Kafka (nothing to poll for: it is an absence)
kill -9 "$CW_WORKER_PID"
cw_wait_exit "$load" 60
kill -USR2 "$CW_MOCK_PID"
cw_wait_for 20 "the mock cluster's brokers up" cw_log_has "$CW_TMP/mock-cluster.log" "brokers up"
acked=$(sort -u "$CW_TMP/acked" | wc -l)
cw_kcat -C -t k9 -e -f '%s\n' | python3 -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        print(json.loads(line)["id"])' | sort -u >"$CW_TMP/in-kafka"
missing=$(comm -23 <(sort -u "$CW_TMP/acked") "$CW_TMP/in-kafka" | wc -l)
extra=$(comm -13 <(sort -u "$CW_TMP/acked") "$CW_TMP/in-kafka" | wc -l)
cw_note "$acked records answered 200 before the kill; $missing of them missing in Kafka; $extra records in Kafka without a 200"
[ "$acked" -ge 2000 ] || cw_fail "the load did not get going"
[ "$missing" -eq 0 ] || cw_fail "$missing records answered 200 are not in Kafka"
echo "http kill -9 OK"
