#!/usr/bin/env bash
# rotate.schedule.interval.ms through the worker: with flush.size far away and no new data,
# the object is written on the wall-clock boundary (the worker calls put with no records on
# idle polls), while the worker keeps running.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_mock_cluster --topic idle:1
cw_start_s3rver
printf '{"id":"0-%d"}\n' 0 1 2 3 4 | kcat -P -b "$CW_BOOTSTRAP" -t idle -p 0
cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.flush.interval.ms=500
P
s3_config "$CW_TMP/s3.properties" name=s3-idle connector.class=s3-sink topics=idle \
    flush.size=100000 rotate.schedule.interval.ms=2000
"$CW_WORKER" "$CW_TMP/worker.properties" "$CW_TMP/s3.properties" >"$CW_TMP/worker.log" 2>&1 &
w=$!
CW_PIDS+=("$w")
has_object() { [ "$(cw_s3_keys)" = "topics/idle/partition=0/idle+0+0000000000.json" ]; }
cw_wait_for 30 "the scheduled rotation to write the object" has_object
kill -0 $w || cw_fail "the worker stopped: $(tail -3 "$CW_TMP/worker.log")"
[ "$(cw_s3cmd get "s3://$CW_S3_BUCKET/topics/idle/partition=0/idle+0+0000000000.json" - 2>/dev/null | jq -r .id | tr '\n' ' ')" = "0-0 0-1 0-2 0-3 0-4 " ] ||
    cw_fail "object content"
kill -TERM $w
wait $w || cw_fail "worker exit code $?"
echo "scheduled rotation ok"
