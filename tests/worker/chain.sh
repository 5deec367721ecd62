#!/usr/bin/env bash
# Transform chains with predicates: transforms.<alias>.predicate applies a transform only to
# matching records, .negate=true only to the others; keys reach each plugin without their
# transforms.<alias>. / predicates.<alias>. prefix; a dropped record's offset is committed.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic ta:1 --topic tb:1
cw_worker_properties "$CW_TMP/worker.properties"
printf 'a1\na2\na3\n' | cw_kcat -P -t ta -p 0
printf 'b1\nb2\n' | cw_kcat -P -t tb -p 0
for neg in true false; do
    cat >"$CW_TMP/$neg.properties" <<P
name=chain-$neg
connector.class=FileStreamSink
topics=ta,tb
file=$CW_TMP/out-$neg.txt
transforms=dropper,pass
transforms.dropper.type=test-drop
transforms.dropper.predicate=isA
transforms.dropper.negate=$neg
transforms.pass.type=test-fail-on
transforms.pass.fail.on=NEVER
predicates=isA
predicates.isA.type=test-topic-is
predicates.isA.topic=ta
P
done
cw_start_worker worker --plugin-path "$CW_TEST_PLUGINS" --exit-when-caught-up \
    "$CW_TMP/worker.properties" "$CW_TMP/true.properties" "$CW_TMP/false.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "exit code $CW_EXIT_CODE"; }
# negate=true: drop what is NOT from ta; negate=false: drop what is from ta.
[ "$(sort "$CW_TMP/out-true.txt" | tr '\n' ' ')" = "a1 a2 a3 " ] || cw_fail "negate=true wrote: $(cat "$CW_TMP/out-true.txt")"
[ "$(sort "$CW_TMP/out-false.txt" | tr '\n' ' ')" = "b1 b2 " ] || cw_fail "negate=false wrote: $(cat "$CW_TMP/out-false.txt")"
# Dropped records count as handled: a batch rerun of both connectors has nothing left.
rm -f "$CW_TMP"/out-*.txt*
cw_start_worker again --plugin-path "$CW_TEST_PLUGINS" --exit-when-caught-up \
    "$CW_TMP/worker.properties" "$CW_TMP/true.properties" "$CW_TMP/false.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "rerun exit code $CW_EXIT_CODE"; }
[ "$(cat "$CW_TMP"/out-*.txt 2>/dev/null | wc -l)" = 0 ] || cw_fail "records consumed again after a clean batch run"
echo ok >&2
