#!/usr/bin/env bash
# topics.regex is a java.util.regex pattern matched against whole topic names (Kafka's
# consumer: Pattern.matcher(topic).matches()), not librdkafka's POSIX one: `\d`, `(?i)`,
# lazy quantifiers and lookahead select the right topics; a topic created later that matches
# is picked up at the next metadata refresh; a pattern that does not compile is a
# `--validate` error naming topics.regex.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic index-20160117:1 --topic index:1 --topic xindex-1:1 \
    --topic ORDERS7:1 --topic orders.tmp:1 --topic pinterest.pin:1 --topic pinterest.user:1
for t in index-20160117 index xindex-1 ORDERS7 orders.tmp pinterest.pin pinterest.user; do
    echo "from $t" | cw_kcat -P -t "$t" -p 0
done
cw_worker_properties "$CW_TMP/worker.properties" "consumer.topic.metadata.refresh.interval.ms=500"
cat >"$CW_TMP/sink.properties" <<'P'
name=regex-sink
connector.class=FileStreamSink
topics.regex=index-\\d+|(?i)orders\\d*?|pinterest\\.(?!user).*
P
echo "file=$CW_TMP/out.txt" >>"$CW_TMP/sink.properties"

# --validate: a pattern that does not compile is refused, naming the key.
sed 's/^topics.regex=.*/topics.regex=index-(\\\\d+/' "$CW_TMP/sink.properties" >"$CW_TMP/bad.properties"
rc=0
out=$("$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/bad.properties" 2>&1) || rc=$?
[ "$rc" = 3 ] || { echo "$out"; cw_fail "--validate of a bad topics.regex: exit $rc, want 3"; }
echo "$out" | grep -q "bad.properties: topics.regex: invalid regex 'index-(\\\\d+'.*missing closing parenthesis" \
    || { echo "$out"; cw_fail "--validate does not name topics.regex and the reason"; }
rc=0
out=$("$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/sink.properties" 2>&1) || rc=$?
[ "$rc" = 0 ] || { echo "$out"; cw_fail "--validate of a Java pattern: exit $rc"; }

cw_start_worker sink "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
want=$'from ORDERS7\nfrom index-20160117\nfrom pinterest.pin'
cw_wait_for 30 "the three matching topics" cw_has_lines "$CW_TMP/out.txt" 3
# A topic created while the worker runs: consumed after a metadata refresh.
echo "from index-2" | cw_kcat -P -t index-2 -p 0
cw_wait_for 30 "the new topic index-2" grep -qx "from index-2" "$CW_TMP/out.txt"
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 30
sort "$CW_TMP/out.txt" >"$CW_TMP/got.txt"
printf '%s\n' "from ORDERS7" "from index-2" "from index-20160117" "from pinterest.pin" >"$CW_TMP/want.txt"
diff -u "$CW_TMP/want.txt" "$CW_TMP/got.txt" || { cw_dump_logs; cw_fail "topics.regex selected other topics"; }
grep -q "topics.regex .* matches 4 topic" "$CW_TMP/sink.log" || { cw_dump_logs; cw_fail "no log of the new subscription"; }

# Batch mode with a pattern that matches no topic: caught up on zero partitions after the
# topic list is read again, with an INFO line, beside a sink that has records to consume.
cat >"$CW_TMP/none.properties" <<P
name=regex-none
connector.class=FileStreamSink
topics.regex=nothing-\\\\d+
file=$CW_TMP/none.txt
P
cat >"$CW_TMP/some.properties" <<P
name=regex-some
connector.class=FileStreamSink
topics=ORDERS7
file=$CW_TMP/some.txt
P
cw_start_worker batch --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/none.properties" \
    "$CW_TMP/some.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "batch mode with an empty topics.regex: exit $CW_EXIT_CODE"; }
grep "regex-none" "$CW_TMP/batch.log" | grep -qF "INFO  [regex-none/0] caught up on zero partitions: topics.regex 'nothing-\d+' matches no topic" ||
    { cw_dump_logs; cw_fail "no INFO line for the empty topics.regex"; }
[ "$(cat "$CW_TMP/some.txt")" = "from ORDERS7" ] || cw_fail "the other sink did not finish its topic"
echo ok >&2
