#!/usr/bin/env bash
# The same sink connector on two workers (one consumer group, connect-<name>) splits the
# partitions of a multi-partition topic: each worker writes some records, the union is
# complete, and no record is written by both.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic spread:4
cw_worker_properties "$CW_TMP/worker.properties"
for w in a b; do
    cat >"$CW_TMP/sink-$w.properties" <<P
name=shared-sink
connector.class=FileStreamSink
topics=spread
file=$CW_TMP/out-$w.txt
P
done
cw_start_worker a "$CW_TMP/worker.properties" "$CW_TMP/sink-a.properties"
pid_a=$CW_WORKER_PID
cw_wait_for 30 "worker a assigned" cw_log_has "$CW_TMP/a.log" "assigned 4 partition"
cw_start_worker b "$CW_TMP/worker.properties" "$CW_TMP/sink-b.properties"
pid_b=$CW_WORKER_PID
# Kafka (the group coordinator) rebalances: 2 partitions each with the range assignor.
cw_wait_for 60 "worker b assigned" cw_log_has "$CW_TMP/b.log" "assigned 2 partition"
cw_wait_for 30 "worker a reassigned" cw_log_has "$CW_TMP/a.log" "assigned 2 partition"

for p in 0 1 2 3; do
    seq 1 100 | sed "s/^/p$p-/" | cw_kcat -P -t spread -p $p
done
all() { [ $(($(cw_lines "$CW_TMP/out-a.txt") + $(cw_lines "$CW_TMP/out-b.txt"))) -ge 400 ]; }
cw_wait_for 60 "400 records across both files" all
kill -TERM "$pid_a" "$pid_b"
cw_wait_exit "$pid_a" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "worker a exit code $CW_EXIT_CODE"
cw_wait_exit "$pid_b" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "worker b exit code $CW_EXIT_CODE"

na=$(cw_lines "$CW_TMP/out-a.txt"); nb=$(cw_lines "$CW_TMP/out-b.txt")
cw_note "worker a wrote $na records, worker b $nb"
[ "$na" -gt 0 ] && [ "$nb" -gt 0 ] || cw_fail "one worker got nothing: a=$na b=$nb"
cat "$CW_TMP/out-a.txt" "$CW_TMP/out-b.txt" | sort >"$CW_TMP/union.txt"
for p in 0 1 2 3; do seq 1 100 | sed "s/^/p$p-/"; done | sort >"$CW_TMP/want.txt"
cmp "$CW_TMP/want.txt" "$CW_TMP/union.txt" || cw_fail "union incomplete or with duplicates"
# Whole partitions per worker: no partition's records are in both files.
for p in 0 1 2 3; do
    in_a=$(grep -c "^p$p-" "$CW_TMP/out-a.txt" || true)
    in_b=$(grep -c "^p$p-" "$CW_TMP/out-b.txt" || true)
    [ "$in_a" = 0 ] || [ "$in_b" = 0 ] || cw_fail "partition $p split across workers ($in_a/$in_b)"
done
echo ok >&2
