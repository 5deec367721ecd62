#!/usr/bin/env bash
# Lifecycle fact (plugin.h): flush is offered, for a partition that received nothing since open,
# the offset consumption resumes from (its committed offset), as Kafka Connect offers
# consumer.position() - not CW_OFFSET_INVALID. A first batch run commits both partitions; a
# second run gets new records on partition 0 only: every flush of the second run offers
# partition 1 at its committed offset 2.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic fo:2
cw_worker_properties "$CW_TMP/worker.properties"
printf 'a\nb\nc\n' | cw_kcat -P -t fo -p 0
printf 'd\ne\n' | cw_kcat -P -t fo -p 1
cat >"$CW_TMP/sink.properties" <<P
name=fo-sink
connector.class=test-lc-sink
file=$CW_TMP/events
topics=fo
P
run() {
    cw_start_worker "$1" --plugin-path "$CW_TEST_PLUGINS" --exit-when-caught-up \
        "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
    cw_wait_exit "$CW_WORKER_PID" 60
    [ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "$1: exit code $CW_EXIT_CODE"; }
}
run first
[ "$(cw_committed connect-fo-sink fo:1)" = 2 ] || cw_fail "first run: fo-1 not committed at 2"
grep -q '^flush final.* fo-0=3' "$CW_TMP/events" && grep -q '^flush final.* fo-1=2' "$CW_TMP/events" ||
    { cat "$CW_TMP/events" >&2; cw_fail "first run: the final flush did not cover both partitions"; }
printf 'f\ng\n' | cw_kcat -P -t fo -p 0
mv "$CW_TMP/events" "$CW_TMP/first.events"
run second
grep -q '^open.* fo-1=2' "$CW_TMP/events" || { cat "$CW_TMP/events" >&2; cw_fail "open did not get fo-1's committed offset"; }
grep '^flush' "$CW_TMP/events" >"$CW_TMP/flushes" || cw_fail "no flush in the second run"
grep -q ' fo-0=5' "$CW_TMP/flushes" || cw_fail "partition 0 not offered after its new records"
if grep -v ' fo-1=2\( \|$\)' "$CW_TMP/flushes" | grep -q 'fo-1='; then
    cat "$CW_TMP/events" >&2
    cw_fail "a flush offered partition 1 (nothing received since open) another offset than 2"
fi
grep -q 'fo-1=' "$CW_TMP/flushes" || cw_fail "partition 1 was never offered (test is void)"
echo ok >&2
