#!/usr/bin/env bash
# Lifecycle facts (plugin.h): records a source adds before returning CW_IDLE are produced like
# those of CW_OK (in batch mode the task then finishes once they are acknowledged and their
# offsets stored), and every poll gets timeout_ms = 1000.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic idle:1
cw_worker_properties "$CW_TMP/worker.properties"
cat >"$CW_TMP/src.properties" <<P
name=idle-src
connector.class=test-lc-source
file=$CW_TMP/src.events
topic=idle
records=5
round.return=idle
P
cw_start_worker worker --plugin-path "$CW_TEST_PLUGINS" --exit-when-caught-up \
    "$CW_TMP/worker.properties" "$CW_TMP/src.properties"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE"; }
# The single poll returned the five records with CW_IDLE: batch mode ended after it.
[ "$(grep -c '^poll' "$CW_TMP/src.events")" = 1 ] || cw_fail "want one poll (CW_IDLE ends batch mode)"
[ "$(cw_kcat -C -t idle -e -f '%s\n' | tr '\n' ' ')" = "r1-0 r1-1 r1-2 r1-3 r1-4 " ] ||
    cw_fail "the records added before CW_IDLE are not all in the topic"
[ "$(jq -c '.["idle-src"][]' "$CW_TMP/connect.offsets")" = '{"n":5}' ] ||
    cw_fail "their offsets were not stored"
[ "$(grep -c '^ack WRITTEN' "$CW_TMP/src.events")" = 5 ] || cw_fail "want 5 WRITTEN acks"
[ "$(grep '^poll' "$CW_TMP/src.events" | sort -u)" = "poll timeout=1000" ] ||
    cw_fail "a poll got a timeout other than 1000 ms"

# Not in batch mode, the task goes on polling after CW_IDLE, each poll with 1000 ms too.
cw_start_worker again --plugin-path "$CW_TEST_PLUGINS" "$CW_TMP/worker.properties" \
    "$CW_TMP/src.properties"
polls_at_least() { [ "$(grep -c '^poll' "$CW_TMP/src.events")" -ge "$1" ]; }
cw_wait_for 20 "three more polls" polls_at_least 4
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 20
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE after SIGTERM"; }
[ "$(grep '^poll' "$CW_TMP/src.events" | sort -u)" = "poll timeout=1000" ] ||
    cw_fail "a later poll got a timeout other than 1000 ms"
echo ok >&2
