#!/usr/bin/env bash
# --exit-when-caught-up: a sink exits 0 once every assigned partition is consumed to its end
# and committed (topics.regex subscription here); a source + sink in one worker: the sink
# waits for the sources before deciding, so a topic the source creates is not missed.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic batch-a:3 --topic batch-b:2 --topic other:1 --topic xbatch-c:1
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=3600000"
for p in 0 1 2; do seq 1 100 | sed "s/^/a$p-/" | cw_kcat -P -t batch-a -p $p; done
for p in 0 1; do seq 1 50 | sed "s/^/b$p-/" | cw_kcat -P -t batch-b -p $p; done
echo "not matched" | cw_kcat -P -t other -p 0
echo "not matched either" | cw_kcat -P -t xbatch-c -p 0
cat >"$CW_TMP/sink.properties" <<P
name=batch-sink
connector.class=FileStreamSink
topics.regex=batch-.*
file=$CW_TMP/out.txt

P
start=$SECONDS
cw_start_worker sink --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "batch sink exit code $CW_EXIT_CODE"; }
cw_note "batch sink took $((SECONDS - start)) s"
[ "$(cw_lines "$CW_TMP/out.txt")" = 400 ] || cw_fail "want 400 lines, got $(cw_lines "$CW_TMP/out.txt")"
grep -q "not matched" "$CW_TMP/out.txt" && cw_fail "topics.regex matched other or xbatch-c (must match whole names)"
grep -q "\[batch-sink/0\] caught up" "$CW_TMP/sink.log" || cw_fail "no caught-up log line"

# Source and sink in one worker, on a topic that does not exist yet (auto-created: the sink's
# consumer cannot see it at start).
seq 1 300 >"$CW_TMP/in.txt"
cat >"$CW_TMP/source.properties" <<P
name=batch-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=fresh
P
cat >"$CW_TMP/sink2.properties" <<P
name=batch-sink2
connector.class=FileStreamSink
topics=fresh
file=$CW_TMP/out2.txt
P
cw_start_worker both --exit-when-caught-up "$CW_TMP/worker.properties" \
    "$CW_TMP/source.properties" "$CW_TMP/sink2.properties"
cw_wait_exit "$CW_WORKER_PID" 90
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "source+sink batch exit code $CW_EXIT_CODE"; }
sort -n "$CW_TMP/out2.txt" >"$CW_TMP/got2.txt"
cmp "$CW_TMP/in.txt" "$CW_TMP/got2.txt" || { cw_dump_logs; cw_fail "the sink missed records the source produced"; }
echo ok >&2
