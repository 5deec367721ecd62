#!/usr/bin/env bash
# Lifecycle fact (plugin.h): after a put that returned CW_ERR_FATAL, the worker still calls flush
# (final) with the offsets after the last put that succeeded, commits what it reports durable,
# then close and stop - as Kafka Connect's closing pre-commit does. The failed batch is not
# part of the offsets: a restart consumes it again. After a flush that failed, close and stop
# follow without another flush.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic fp:1
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=600000"
printf 'a\nb\nc\n' | cw_kcat -P -t fp
cat >"$CW_TMP/sink.properties" <<P
name=fp-sink
connector.class=test-lc-sink
file=$CW_TMP/events
topics=fp
fail.put.on=BAD
P
cw_start_worker worker --plugin-path "$CW_TEST_PLUGINS" "$CW_TMP/worker.properties" \
    "$CW_TMP/sink.properties"
put_all_three() { [ "$(awk '/^put [0-9]+$/ { n += $2 } END { print n + 0 }' "$CW_TMP/events" 2>/dev/null)" = 3 ]; }
cw_wait_for 30 "the first three records put" put_all_three
echo BAD | cw_kcat -P -t fp
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 1 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE, want 1"; }
# No periodic flush happened (600 s interval): what follows the failed put is the closing one.
sed -n '/^put [0-9]* failed$/,$p' "$CW_TMP/events" >"$CW_TMP/after"
printf 'put 1 failed\nflush final fp-0=3\nclose fp-0=3\nstop\n' | diff - "$CW_TMP/after" ||
    { cat "$CW_TMP/events" >&2; cw_fail "after a fatal put: want flush (offsets before the batch), close, stop"; }
cw_log_has "$CW_TMP/worker.log" "task failed: put failed: value contains 'BAD'" ||
    { cw_dump_logs; cw_fail "the task did not fail naming put's errstr"; }
[ "$(cw_committed connect-fp-sink fp:0)" = 3 ] ||
    cw_fail "committed $(cw_committed connect-fp-sink fp:0), want 3 (what the closing flush reported)"

cw_note "a failed flush"
cat >"$CW_TMP/ff.properties" <<P
name=ff-sink
connector.class=test-lc-sink
file=$CW_TMP/ff.events
topics=fp
fail.flush=true
P
cw_worker_properties "$CW_TMP/worker2.properties" "offset.flush.interval.ms=500"
cw_start_worker ff --plugin-path "$CW_TEST_PLUGINS" "$CW_TMP/worker2.properties" "$CW_TMP/ff.properties"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 1 ] || { cw_dump_logs; cw_fail "failed flush: exit code $CW_EXIT_CODE, want 1"; }
sed -n '/^flush failed$/,$p' "$CW_TMP/ff.events" >"$CW_TMP/ff.after"
printf 'flush failed\nclose fp-0=-1001\nstop\n' | diff - "$CW_TMP/ff.after" ||
    { cat "$CW_TMP/ff.events" >&2; cw_fail "after a failed flush: want close and stop, no other flush"; }
echo ok >&2
