#!/usr/bin/env bash
# Issue 18: a Kafka outage longer than the producer's delivery timeout must not kill a source.
# Every broker of the mock cluster goes down (rd_kafka_mock_broker_set_down, SIGUSR1 to
# cw-mock-cluster) while file-source produces, past producer.message.timeout.ms; then they come
# back (SIGUSR2). The task rewinds to its stored offsets, waits, and resumes by itself:
#  - every line reaches the topic (nothing lost), the task never fails, the worker stays up
#    and stops cleanly afterwards;
#  - one WARN "waiting for Kafka", no ERROR line at all (librdkafka's transient connection
#    errors are WARN too), and an INFO when Kafka answers again.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic lines:1
cw_worker_properties "$CW_TMP/worker.properties" "producer.message.timeout.ms=3000"
cat >"$CW_TMP/source.properties" <<P
name=outage-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=lines
errors.retry.delay.max.ms=1000
P
seq 1 1000 | sed 's/^/line /' >"$CW_TMP/in.txt"
cw_start_worker source --log-level debug "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
pid=$CW_WORKER_PID
have() { [ "$(cw_topic_count lines)" -ge "$1" ]; }
cw_wait_for 30 "the first 1000 lines" have 1000

kill -USR1 "$CW_MOCK_PID" # every broker down
cw_wait_for 10 "the brokers down" cw_log_has "$CW_TMP/mock-cluster.log" "brokers down"
seq 1001 3000 | sed 's/^/line /' >>"$CW_TMP/in.txt"
# The records produced now time out after 3 s: the task rewinds and waits.
cw_wait_for 30 "the WARN that the task waits for Kafka" \
    cw_log_has "$CW_TMP/source.log" "WARN .*\[outage-source/0\] waiting for Kafka"
seq 3001 4000 | sed 's/^/line /' >>"$CW_TMP/in.txt"
cw_wait_for 15 "two tries that find Kafka still down (backoff rounds)" \
    cw_log_has "$CW_TMP/source.log" "Kafka still unreachable; next try in 1000 ms"
kill -USR2 "$CW_MOCK_PID" # back up
cw_wait_for 30 "the INFO that Kafka answers again" \
    cw_log_has "$CW_TMP/source.log" "INFO .*\[outage-source/0\] Kafka answers again"
distinct() { [ "$(cw_kcat -C -t lines -e -f '%s\n' 2>/dev/null | sort -u | wc -l)" -ge 4000 ]; }
cw_wait_for 60 "all 4000 distinct lines in the topic" distinct
kill -0 "$pid" 2>/dev/null || cw_fail "the worker exited during the outage"
kill -TERM "$pid"
cw_wait_exit "$pid" 30
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE (a task failed?)"; }

cw_kcat -C -t lines -e -f '%s\n' | sort -u >"$CW_TMP/got.txt"
sort -u "$CW_TMP/in.txt" | cmp - "$CW_TMP/got.txt" || cw_fail "lines lost or invented"
n=$(grep -c "waiting for Kafka" "$CW_TMP/source.log")
[ "$n" = 1 ] || cw_fail "$n 'waiting for Kafka' lines, expected one"
grep -q "Kafka answers again after [1-9]" "$CW_TMP/source.log" || cw_fail "Kafka was not waited for"
if grep -E " ERROR " "$CW_TMP/source.log"; then cw_fail "ERROR lines during an outage the worker rode out"; fi
grep -q "task failed" "$CW_TMP/source.log" && cw_fail "the task failed"
cw_note "records in the topic: $(cw_topic_count lines) for 4000 lines; $(grep -c ' WARN ' "$CW_TMP/source.log") WARN lines"
echo ok >&2
