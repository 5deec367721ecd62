#!/usr/bin/env bash
# s3rver stopped mid-stream and started again: the task backs off (put returns
# CW_ERR_RETRIABLE, the runtime pauses), nothing is lost, nothing is written twice.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_s3rver
s3_config "$CW_TMP/c.properties" flush.size=25
"$S3_DRIVER" --config "$CW_TMP/c.properties" --partitions 4 --records 1500 --batch 20 \
    --put-delay-ms 15 --commit-file "$CW_TMP/commits" 2>"$CW_TMP/driver.log" &
driver=$!
CW_PIDS+=("$driver")
has_objects() { [ -n "$(find "$CW_S3_DIR" -name '*._S3rver_object' -print -quit)" ]; }
cw_wait_for 30 "first objects in S3" has_objects
cw_note "stopping s3rver mid-stream"
cw_stop_s3rver
cw_wait_for 30 "the task to notice the outage" grep -q "put retriable" "$CW_TMP/driver.log"
cw_note "starting s3rver again"
cw_start_s3rver
wait "$driver" || cw_fail "driver failed: $(tail -5 "$CW_TMP/driver.log")"
s3_expect_exactly_once "$CW_TMP/dl" 4 1500
grep -q "^3 1500$" "$CW_TMP/commits" || cw_fail "offsets not committed to the end"
echo "outage ok"
