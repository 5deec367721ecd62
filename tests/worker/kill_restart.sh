#!/usr/bin/env bash
# kill -9 in the middle and restart loses no line.
#  1. The sink worker is killed while consuming; after a restart every line is in the sink
#     file exactly once: offsets are only committed behind data file-sink reported durable,
#     and file-sink's state file cuts off / skips what was written after its last flush.
#  2. The source worker is killed while producing; after a restart every line reaches Kafka
#     (at least once: lines produced after the last stored offset are produced again, so the
#     topic may hold duplicates - Kafka Connect's standalone source semantics).
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic lines:2
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=200"
cat >"$CW_TMP/source.properties" <<P
name=kr-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=lines
batch.size=50
P
cat >"$CW_TMP/sink.properties" <<P
name=kr-sink
connector.class=FileStreamSink
topics=lines
file=$CW_TMP/out.txt
P
# The input grows while the workers run (60 chunks of 500 lines), so both kills land in the
# middle of the stream. The pause only paces the writer; nothing waits on it.
: >"$CW_TMP/in.txt"
(
    for chunk in $(seq 0 59); do
        seq $((chunk * 500 + 1)) $((chunk * 500 + 500)) | sed 's/^/line /' >>"$CW_TMP/in.txt"
        sleep 0.1
    done
) &
writer=$!
CW_PIDS+=("$writer")

cw_start_worker source "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
src_pid=$CW_WORKER_PID
cw_start_worker sink "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
sink_pid=$CW_WORKER_PID

# --- the source, killed mid-way ------------------------------------------------------------
cw_wait_for 30 "a stored source offset" test -s "$CW_TMP/connect.offsets"
kill -9 "$src_pid"
cw_wait_exit "$src_pid" 10
stored=$(jq '.["kr-source"][] .position' "$CW_TMP/connect.offsets")
cw_note "source killed; stored position $stored of $(stat -c %s "$CW_TMP/in.txt") bytes so far"
cw_start_worker source "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
src_pid=$CW_WORKER_PID
cw_wait_for 30 "resume message" cw_log_has "$CW_TMP/source.log" "resuming .* at byte"

# --- the sink, killed mid-way --------------------------------------------------------------
cw_wait_for 60 "the sink writing" cw_has_lines "$CW_TMP/out.txt" 5000
# file-sink's guarantee starts with its first flush (its state file); a crash before that
# appends again what it wrote, like Kafka's FileStreamSink.
cw_wait_for 30 "file-sink's first flush" test -s "$CW_TMP/out.txt.cw-sink-state"
kill -9 "$sink_pid"
cw_wait_exit "$sink_pid" 10
cw_note "sink killed with $(cw_lines "$CW_TMP/out.txt") lines written"
cw_start_worker sink "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
sink_pid=$CW_WORKER_PID
cw_wait_exit "$writer" 60

complete() { [ "$(sort -u "$CW_TMP/out.txt" | wc -l)" -ge 30000 ]; }
cw_wait_for 90 "all 30000 distinct lines in the sink file" complete
kill -TERM "$src_pid" "$sink_pid"
cw_wait_exit "$src_pid" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "source worker exit code $CW_EXIT_CODE"
cw_wait_exit "$sink_pid" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "sink worker exit code $CW_EXIT_CODE"

# No line lost: the distinct lines are exactly the input.
sort -u "$CW_TMP/out.txt" >"$CW_TMP/got.txt"
sort -u "$CW_TMP/in.txt" >"$CW_TMP/want.txt"
cmp "$CW_TMP/want.txt" "$CW_TMP/got.txt" || cw_fail "lines lost or invented"
# Duplicates can only come from the source's at-least-once re-production after kill -9, and
# then they are in the topic as separate records too: the sink adds none of its own.
in_topic=$(cw_topic_count lines)
out=$(cw_lines "$CW_TMP/out.txt")
cw_note "topic records: $in_topic, sink lines: $out, distinct: 30000"
[ "$out" = "$in_topic" ] || cw_fail "the sink file has $out lines but the topic $in_topic records"
echo ok >&2
