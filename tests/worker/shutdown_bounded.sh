#!/usr/bin/env bash
# SIGTERM while Kafka is unreachable: stopping stays bounded by
# task.shutdown.graceful.timeout.ms. A source gives up on unacknowledged records without
# storing their offsets (exit 0); a sink whose commit cannot reach the coordinator makes the
# worker exit with code 5 after the timeout, naming the task.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic lines:1
cw_worker_properties "$CW_TMP/worker.properties" "task.shutdown.graceful.timeout.ms=3000" \
    "offset.flush.timeout.ms=2000" "offset.flush.interval.ms=3600000"
seq 1 100 >"$CW_TMP/in.txt"
cat >"$CW_TMP/source.properties" <<P
name=down-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=lines
P
cat >"$CW_TMP/sink.properties" <<P
name=down-sink
connector.class=FileStreamSink
topics=lines
file=$CW_TMP/out.txt
P
cw_start_worker source --log-level trace "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
src=$CW_WORKER_PID
cw_start_worker sink "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
sink=$CW_WORKER_PID
cw_wait_for 60 "100 lines through" cw_has_lines "$CW_TMP/out.txt" 100

polls_before=$(grep -Ec "poll returned [0-9]+ record" "$CW_TMP/source.log")
kill "$CW_MOCK_PID"
cw_wait_exit "$CW_MOCK_PID" 10
seq 101 200 >>"$CW_TMP/in.txt"
polled() { [ "$(grep -Ec "poll returned [0-9]+ record" "$CW_TMP/source.log")" -gt "$polls_before" ]; }
cw_wait_for 20 "the source reading the lines appended after the broker went away" polled
start=$SECONDS
kill -TERM "$src" "$sink"
cw_wait_exit "$src" 15
src_rc=$CW_EXIT_CODE
cw_wait_exit "$sink" 15
sink_rc=$CW_EXIT_CODE
took=$((SECONDS - start))
cw_note "source exit $src_rc, sink exit $sink_rc, after ${took}s"
[ "$took" -le 6 ] || cw_fail "stopping took ${took}s with a 3 s shutdown timeout"
[ "$src_rc" = 0 ] || { cw_dump_logs; cw_fail "source worker exit code $src_rc, want 0"; }
cw_log_has "$CW_TMP/source.log" "not acknowledged at stop; their offsets are not stored" ||
    cw_fail "the source did not say what it gave up"
# Only what Kafka acknowledged is in the offset file: at most the first 100 lines (292 bytes).
pos=$(jq '.["down-source"][] .position' "$CW_TMP/connect.offsets")
[ "$pos" -le 292 ] || cw_fail "offset $pos stored past the acknowledged records"
case "$sink_rc" in
    0) ;;  # the commit happened to be answered before the broker went away
    5) cw_log_has "$CW_TMP/sink.log" "\[down-sink/0\] did not stop within task.shutdown.graceful.timeout.ms" ||
           cw_fail "exit 5 without naming the task" ;;
    *) cw_dump_logs; cw_fail "sink worker exit code $sink_rc, want 0 or 5" ;;
esac
echo ok >&2
