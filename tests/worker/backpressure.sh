#!/usr/bin/env bash
# A sink that answers put with CW_ERR_RETRIABLE (back-pressure): the worker pauses the
# partitions, keeps the consumer in its group, offers the same records again after a backoff,
# and loses or repeats nothing. Two tasks share the partitions of one topic.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic slow:2
cw_worker_properties "$CW_TMP/worker.properties"
for p in 0 1; do seq 1 200 | sed "s/^/p$p-/" | cw_kcat -P -t slow -p $p; done
cat >"$CW_TMP/sink.properties" <<P
name=slow-sink
connector.class=test-backpressure
topics=slow
tasks.max=2
retriable.puts=4
file=$CW_TMP/out
P
cw_start_worker worker --plugin-path "$CW_TEST_PLUGINS" --exit-when-caught-up \
    "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
cw_wait_exit "$CW_WORKER_PID" 90
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE"; }
grep -q "refusing a put" "$CW_TMP/worker.log" || cw_fail "the sink never refused (test is void)"
grep -q "pausing consumption (the sink asked for back-pressure)" "$CW_TMP/worker.log" || cw_fail "the worker did not pause"
cat "$CW_TMP"/out.* >"$CW_TMP/all.txt"
[ "$(cw_lines "$CW_TMP/all.txt")" = 400 ] || cw_fail "want 400 lines, got $(cw_lines "$CW_TMP/all.txt")"
for p in 0 1; do
    # Each partition's records are complete and in offset order (in whichever task had it).
    grep -h "^p$p-" "$CW_TMP"/out.* | sed "s/^p$p-//" >"$CW_TMP/p$p.txt"
    seq 1 200 | cmp - "$CW_TMP/p$p.txt" || cw_fail "partition $p incomplete, repeated or out of order"
done
echo ok >&2
