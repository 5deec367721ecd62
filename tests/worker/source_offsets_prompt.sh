#!/usr/bin/env bash
# Issue 18, source offsets after a crash: offsets are stored as soon as Kafka acknowledged
# their records (batched, within CW_OFFSET_STORE_INTERVAL_MS), not once per
# offset.flush.interval.ms. With Kafka Connect's default interval (60 s) a worker that dies
# within a minute used to store nothing and re-read everything after a restart.
#  1. A first start with no stored offset says so at INFO ("no stored offset for ...").
#  2. Every line acknowledged, the offsets file follows within about a second although
#     offset.flush.interval.ms is 60000.
#  3. kill -9 then a restart: nothing is produced twice, and no "no stored offset" line.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic lines:1
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=60000"
cat >"$CW_TMP/source.properties" <<P
name=prompt-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=lines
P
seq 1 2000 | sed 's/^/line /' >"$CW_TMP/in.txt"

cw_start_worker source "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "the INFO line for a start without offset" \
    cw_log_has "$CW_TMP/source.log" 'INFO .*\[prompt-source/0\] no stored offset for .*in\.txt.*: reading from the start'
all_in() { [ "$(cw_topic_count lines)" -ge 2000 ]; }
cw_wait_for 30 "2000 records in the topic" all_in
# The offsets file must follow promptly: well before offset.flush.interval.ms (60 s).
size=$(stat -c %s "$CW_TMP/in.txt")
stored() { [ "$(jq '.["prompt-source"][] .position' "$CW_TMP/connect.offsets" 2>/dev/null)" = "$size" ]; }
start=$SECONDS
cw_wait_for 3 "the offset of the last line stored (offset.flush.interval.ms=60000)" stored
cw_note "offset of byte $size stored $((SECONDS - start)) s after the records were in Kafka"

kill -9 "$pid"
cw_wait_exit "$pid" 10
cw_start_worker source2 "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "resume message" cw_log_has "$CW_TMP/source2.log" "resuming .* at byte $size"
seq 2001 2100 | sed 's/^/line /' >>"$CW_TMP/in.txt"
more() { [ "$(cw_topic_count lines)" -ge 2100 ]; }
cw_wait_for 30 "the 100 new lines" more
kill -TERM "$pid"
cw_wait_exit "$pid" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "exit code $CW_EXIT_CODE"
n=$(cw_topic_count lines)
[ "$n" = 2100 ] || cw_fail "$n records in the topic after kill -9 and restart, expected 2100 (no duplicates)"
! grep -q "no stored offset" "$CW_TMP/source2.log" || cw_fail "the restart claims no stored offset"
echo ok >&2
