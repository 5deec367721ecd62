#!/usr/bin/env bash
# Kafka's RegexRouterTest.slice through the real worker: a FileStreamSource producing to
# index-20160117 with RegexRouter regex=(.*)-(\d\d\d\d\d\d\d\d), replacement=$1 writes to
# topic `index` (a POSIX regex would not know \d and leave the records on index-20160117);
# applied only when the Java pattern of a TopicNameMatches predicate matches the topic.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster
cw_worker_properties "$CW_TMP/worker.properties"
seq 1 5 >"$CW_TMP/in.txt"
cat >"$CW_TMP/source.properties" <<P
name=slice
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=index-20160117
transforms=slice
transforms.slice.type=org.apache.kafka.connect.transforms.RegexRouter
transforms.slice.regex=(.*)-(\\\\d\\\\d\\\\d\\\\d\\\\d\\\\d\\\\d\\\\d)
transforms.slice.replacement=\$1
transforms.slice.predicate=dated
predicates=dated
predicates.dated.type=org.apache.kafka.connect.transforms.predicates.TopicNameMatches
predicates.dated.pattern=(?i)INDEX-\\\\d{8}
P
grep -q 'regex=(.\*)-(\\\\d' "$CW_TMP/source.properties" || cw_fail "heredoc escaping"
rc=0
timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/source.properties" \
    >"$CW_TMP/worker.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || { tail -30 "$CW_TMP/worker.log"; cw_fail "worker exit code $rc"; }
# The auto-created topic may have several partitions: compare the sets, not the order.
cw_kcat -C -t index -e -f '%s\n' >"$CW_TMP/index.raw" || { tail -30 "$CW_TMP/worker.log"; cw_fail "no topic index"; }
sort -n "$CW_TMP/index.raw" >"$CW_TMP/index.txt"
cmp "$CW_TMP/in.txt" "$CW_TMP/index.txt" || { cat "$CW_TMP/index.txt"; cw_fail "topic index lacks the records"; }
left=$(cw_kcat -C -t index-20160117 -e -f '%s\n' 2>/dev/null | wc -l)
[ "$left" = 0 ] || cw_fail "$left records stayed on index-20160117"
echo "ok: index-20160117 routed to index"
