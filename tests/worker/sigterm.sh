#!/usr/bin/env bash
# SIGTERM (and SIGHUP, as the JVM treats it): the worker stops polling, flushes, commits and
# exits 0 quickly, even with an offset flush interval far in the future; a second run finds
# nothing left to do.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic events:3
# Nothing is flushed or committed periodically within the test's time: only shutdown does it.
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=3600000" \
    "task.shutdown.graceful.timeout.ms=10000"
for p in 0 1 2; do
    seq 1 100 | sed "s/^/p$p-/" | cw_kcat -P -t events -p $p
done
cat >"$CW_TMP/sink.properties" <<P
name=term-sink
connector.class=FileStreamSink
topics=events
file=$CW_TMP/out.txt
P
seq 1 50 >"$CW_TMP/in.txt"
cat >"$CW_TMP/source.properties" <<P
name=term-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=numbers
P
cw_start_worker worker "$CW_TMP/worker.properties" "$CW_TMP/sink.properties" "$CW_TMP/source.properties"
pid=$CW_WORKER_PID
cw_wait_for 60 "300 lines in the sink file" cw_has_lines "$CW_TMP/out.txt" 300
cw_wait_for 30 "50 records in numbers" test "$(cw_topic_count numbers)" -ge 50
# Source offsets follow acknowledgements within a fraction of a second (issue 18), whatever
# offset.flush.interval.ms says; only the sink waits for the stop.
cw_wait_for 5 "the source offset stored before the stop" \
    jq -e '.["term-source"][] | .position == 141' "$CW_TMP/connect.offsets"

start=$SECONDS
kill -TERM "$pid"
cw_wait_exit "$pid" 20
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE after SIGTERM"; }
[ $((SECONDS - start)) -le 10 ] || cw_fail "stopping took $((SECONDS - start)) s"
cw_log_has "$CW_TMP/worker.log" "received SIGTERM" || cw_fail "no SIGTERM log line"
# Source offsets were stored at stop.
jq -e '.["term-source"][] | .position == 141' "$CW_TMP/connect.offsets" >/dev/null ||
    cw_fail "source offset not stored at stop: $(cat "$CW_TMP/connect.offsets" 2>&1)"

# Sink offsets were committed at stop: the same connector (same group) in batch mode, writing
# into another file, has nothing left to consume.
sed -i "s#^file=.*#file=$CW_TMP/again.txt#" "$CW_TMP/sink.properties"
cw_start_worker again --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "batch run exit code $CW_EXIT_CODE"; }
[ "$(cw_lines "$CW_TMP/again.txt")" = 0 ] ||
    cw_fail "records consumed again after a clean stop: $(cw_lines "$CW_TMP/again.txt")"
# ... and the source resumes at the stored position: nothing produced twice.
cw_start_worker again2 --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "source batch run exit code $CW_EXIT_CODE"; }
[ "$(cw_topic_count numbers)" = 50 ] || cw_fail "numbers has $(cw_topic_count numbers) records, want 50"
echo ok >&2
