#!/usr/bin/env bash
# Lifecycle fact (plugin.h): after a start that returned CW_ERR_FATAL, the worker does not call
# stop (there is no state to stop), for a source and for a sink; the task fails naming why and
# the worker exits 1. A sink's consumer never joins the group: nothing is opened or put.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic lc:1
cw_worker_properties "$CW_TMP/worker.properties"
echo x | cw_kcat -P -t lc
cat >"$CW_TMP/src.properties" <<P
name=lc-src
connector.class=test-lc-source
file=$CW_TMP/src.events
topic=lc
fail.start=true
P
cat >"$CW_TMP/sink.properties" <<P
name=lc-sink
connector.class=test-lc-sink
file=$CW_TMP/sink.events
topics=lc
fail.start=true
P
cw_start_worker worker --plugin-path "$CW_TEST_PLUGINS" "$CW_TMP/worker.properties" \
    "$CW_TMP/src.properties" "$CW_TMP/sink.properties"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 1 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE, want 1"; }
for c in src sink; do
    [ "$(cat "$CW_TMP/$c.events")" = start ] ||
        { cat "$CW_TMP/$c.events" >&2; cw_fail "$c: want exactly one start and nothing else"; }
    cw_log_has "$CW_TMP/worker.log" "\[lc-$c/0\] task failed: start failed: told to fail \(fail.start\)" ||
        { cw_dump_logs; cw_fail "$c: the failure does not name start's errstr"; }
done
echo ok >&2
