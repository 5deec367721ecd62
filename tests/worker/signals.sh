#!/usr/bin/env bash
# Issue 18, signals and stopping:
#  1. SIGHUP is treated like SIGTERM (the JVM's behaviour): logged, flushed, committed, exit 0
#     (it used to kill the worker with no flush and no line, exit 129).
#  2. A second SIGTERM shortens the graceful stop: the plugin sees host->stopping ==
#     CW_STOP_ABORT in its final flush, returns, the worker commits what is durable and
#     exits at once, long before task.shutdown.graceful.timeout.ms (30 s here).
#  3. A task still running at the deadline is named with what it was doing.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic ev:1
printf 'a\nb\nc\n' | cw_kcat -P -t ev -p 0
seq 1 50 >"$CW_TMP/in.txt"

# --- 1. SIGHUP -----------------------------------------------------------------------------
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=3600000"
cat >"$CW_TMP/source.properties" <<P
name=hup-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=numbers
P
cat >"$CW_TMP/sink.properties" <<P
name=hup-sink
connector.class=FileStreamSink
topics=ev
file=$CW_TMP/out.txt
P
cw_start_worker hup "$CW_TMP/worker.properties" "$CW_TMP/source.properties" "$CW_TMP/sink.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "3 lines in the sink file" cw_has_lines "$CW_TMP/out.txt" 3
cw_wait_for 30 "50 records in numbers" test "$(cw_topic_count numbers)" -ge 50
kill -HUP "$pid"
cw_wait_exit "$pid" 20
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE after SIGHUP"; }
cw_log_has "$CW_TMP/hup.log" "received SIGHUP: stopping tasks" || cw_fail "no SIGHUP log line"
[ "$(cw_committed connect-hup-sink ev:0)" = 3 ] || cw_fail "SIGHUP: the sink did not commit"
jq -e '.["hup-source"][] | .position == 141' "$CW_TMP/connect.offsets" >/dev/null ||
    cw_fail "SIGHUP: source offset not stored"

# --- 2. a second SIGTERM aborts the final flush --------------------------------------------
cw_worker_properties "$CW_TMP/worker2.properties" "task.shutdown.graceful.timeout.ms=30000"
cat >"$CW_TMP/slow.properties" <<P
name=slow-sink
connector.class=test-lc-sink
file=$CW_TMP/events
topics=ev
final.flush=until-abort
P
cw_start_worker slow --plugin-path "$CW_TEST_PLUGINS" "$CW_TMP/worker2.properties" "$CW_TMP/slow.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "the records put" grep -q "^put 3" "$CW_TMP/events"
kill -TERM "$pid"
cw_wait_for 20 "the final flush waiting" grep -q "flush final waits for the abort (stopping=1)" "$CW_TMP/events"
start=$SECONDS
kill -TERM "$pid"
cw_wait_exit "$pid" 10
took=$((SECONDS - start))
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE after the second SIGTERM"; }
[ "$took" -le 4 ] || cw_fail "the second SIGTERM took ${took}s to end the stop"
grep -q "flush final aborted (stopping=2)" "$CW_TMP/events" || cw_fail "the plugin never saw CW_STOP_ABORT"
cw_log_has "$CW_TMP/slow.log" "received SIGTERM again: aborting the graceful stop" ||
    cw_fail "no line for the second SIGTERM"
grep -q "^stop" "$CW_TMP/events" || cw_fail "the plugin's stop was not called"

# --- 3. what was still running at the deadline ---------------------------------------------
cw_worker_properties "$CW_TMP/worker3.properties" "task.shutdown.graceful.timeout.ms=2000"
sed -e 's/final.flush=.*/final.flush=ignore-abort/' -e 's/^name=.*/name=stuck-sink/' \
    "$CW_TMP/slow.properties" >"$CW_TMP/stuck.properties"
rm -f "$CW_TMP/events"
cw_start_worker stuck --plugin-path "$CW_TEST_PLUGINS" "$CW_TMP/worker3.properties" "$CW_TMP/stuck.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "the records put" grep -q "^put 3" "$CW_TMP/events"
kill -TERM "$pid"
cw_wait_exit "$pid" 15
[ "$CW_EXIT_CODE" = 5 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE, want 5"; }
cw_log_has "$CW_TMP/stuck.log" \
    "ERROR .*\[stuck-sink/0\] did not stop within task.shutdown.graceful.timeout.ms \(2000 ms\): still in the plugin's flush \(pre-commit\) \(sink plugin test-lc-sink\)" ||
    { cw_dump_logs; cw_fail "the deadline message does not say what was running"; }
echo ok >&2
