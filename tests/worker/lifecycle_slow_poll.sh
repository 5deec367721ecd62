#!/usr/bin/env bash
# Lifecycle fact (plugin.h): source offsets are stored every offset.flush.interval.ms even while
# a poll blocks (Kafka Connect commits source offsets from a thread of its own). The source
# adds three records, then blocks in its next poll until it is stopped; the offsets file must
# get the third record's offset while it blocks. commit and ack wait for poll to return.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic slow:1
cw_worker_properties "$CW_TMP/worker.properties"   # offset.flush.interval.ms=500
cat >"$CW_TMP/src.properties" <<P
name=slow-src
connector.class=test-lc-source
file=$CW_TMP/src.events
topic=slow
records=3
then=block
P
cw_start_worker worker --plugin-path "$CW_TEST_PLUGINS" "$CW_TMP/worker.properties" \
    "$CW_TMP/src.properties"
cw_wait_for 20 "the source blocking in poll" cw_log_has "$CW_TMP/src.events" '^blocking$'
stored() { [ "$(jq -c '.["slow-src"][]' "$CW_TMP/connect.offsets" 2>/dev/null)" = '{"n":3}' ]; }
# The poll blocks for up to 60 s: 10 s are many flush intervals.
cw_wait_for 10 "offsets stored while poll blocks" stored
tail -n 1 "$CW_TMP/src.events" | grep -qx blocking || cw_fail "the poll returned before the offsets were stored (test is void)"
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 20
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE after SIGTERM"; }
# After the poll returned: the acks, the commit, then stop.
sed -n '/^blocking$/,$p' "$CW_TMP/src.events" | grep -v '^poll' >"$CW_TMP/after"
printf 'blocking\nack WRITTEN r1-0 slow 0 0 skipped=0 error=\nack WRITTEN r1-1 slow 0 1 skipped=0 error=\nack WRITTEN r1-2 slow 0 2 skipped=0 error=\ncommit\nstop pending=0\n' |
    diff - "$CW_TMP/after" || cw_fail "acks and commit are not delivered between the blocking poll and stop"
echo ok >&2
