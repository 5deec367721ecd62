#!/usr/bin/env bash
# Acknowledgements for sources (cw_source_ops_t.ack, Kafka Connect's commitRecord): through the
# real worker and the mock cluster, a source learns of each record that Kafka acknowledged
# (with the topic, partition and offset Kafka gave it), that a transform dropped, and that
# Kafka refused (the cluster answers the first Produce request with MESSAGE_TOO_LARGE), and that
# a transform failed on. errors.tolerance=all skips the refused and failed records and goes on;
# none stops the task, and every record still gets its one ack before stop.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

# One ProduceRequest per round: linger long enough for a round's three records to share it.
connector() {  # NAME TOPIC TOLERANCE
    cat >"$CW_TMP/$1.properties" <<P
name=$1
connector.class=test-lc-source
file=$CW_TMP/$1.events
topic=$2
drop.topic=dropme
rounds=2
producer.override.linger.ms=200
errors.tolerance=$3
transforms=d,f
transforms.f.type=test-fail-on
transforms.f.fail.on=r2-1
transforms.d.type=test-drop
transforms.d.predicate=isdrop
predicates=isdrop
predicates.isdrop.type=test-topic-is
predicates.isdrop.topic=dropme
P
}
acks() { grep '^ack ' "$CW_TMP/$1.events" | sed 's/ error=.*//'; }

cw_start_mock_cluster --topic acked:1 --topic dropme:1 --produce-errors 1:10
cw_worker_properties "$CW_TMP/worker.properties"
connector all acked all
cw_start_worker all --plugin-path "$CW_TEST_PLUGINS" --exit-when-caught-up \
    "$CW_TMP/worker.properties" "$CW_TMP/all.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "tolerance=all: exit code $CW_EXIT_CODE"; }
cat >"$CW_TMP/want-all" <<W
ack DROPPED r1-3 dropme -1 -1001 skipped=0
ack FAILED r1-0 acked -1 -1001 skipped=1
ack FAILED r1-1 acked -1 -1001 skipped=1
ack FAILED r1-2 acked -1 -1001 skipped=1
ack FAILED r2-1 acked -1 -1001 skipped=1
ack DROPPED r2-3 dropme -1 -1001 skipped=0
ack WRITTEN r2-0 acked 0 0 skipped=0
ack WRITTEN r2-2 acked 0 1 skipped=0
W
acks all | diff "$CW_TMP/want-all" - || { cw_dump_logs; cw_fail "tolerance=all: wrong acks"; }
grep -q "^ack FAILED r1-0 .*error=delivery to topic acked partition 0 failed: .*too large" \
    "$CW_TMP/all.events" || cw_fail "a refused record's ack does not say why"
grep -q "^ack FAILED r2-1 .*error=error in stage TRANSFORMATION: .*value contains 'r2-1'" \
    "$CW_TMP/all.events" || cw_fail "a record a transform failed on: the ack does not say why"
[ "$(cw_kcat -C -t acked -e -f '%o:%s\n' | tr '\n' ' ')" = "0:r2-0 1:r2-2 " ] ||
    cw_fail "topic acked does not hold what the acks say"
[ "$(tail -n 1 "$CW_TMP/all.events")" = "stop pending=0" ] || cw_fail "stop came before an ack"
# The skipped records' offsets are stored too: n=8 is the last record of round 2.
[ "$(jq -c '.all[]' "$CW_TMP/connect.offsets")" = '{"n":8}' ] || cw_fail "stored offset wrong"

cw_note "errors.tolerance=none"
cw_start_mock_cluster --topic acked2:1 --topic dropme:1 --produce-errors 1:10
cw_worker_properties "$CW_TMP/worker2.properties" "offset.storage.file.filename=$CW_TMP/none.offsets"
connector none acked2 none
cw_start_worker none --plugin-path "$CW_TEST_PLUGINS" --exit-when-caught-up \
    "$CW_TMP/worker2.properties" "$CW_TMP/none.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 1 ] || { cw_dump_logs; cw_fail "tolerance=none: exit code $CW_EXIT_CODE, want 1"; }
cat >"$CW_TMP/want-none" <<W
ack DROPPED r1-3 dropme -1 -1001 skipped=0
ack FAILED r1-0 acked2 -1 -1001 skipped=0
ack FAILED r1-1 acked2 -1 -1001 skipped=0
ack FAILED r1-2 acked2 -1 -1001 skipped=0
W
acks none | diff "$CW_TMP/want-none" - || { cw_dump_logs; cw_fail "tolerance=none: wrong acks"; }
[ "$(tail -n 1 "$CW_TMP/none.events")" = "stop pending=0" ] || cw_fail "none: stop came before an ack"
cw_log_has "$CW_TMP/none.log" "task failed: delivery to topic acked2 partition 0 failed" ||
    cw_fail "the task did not fail naming the refused delivery"
[ ! -s "$CW_TMP/none.offsets" ] || [ "$(jq -c '.none // empty' "$CW_TMP/none.offsets")" = "" ] ||
    cw_fail "an offset was stored past a refused record"
echo ok >&2
