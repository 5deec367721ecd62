#!/usr/bin/env bash
# A routing transform in front of file-sink, through the real worker (KIP-793), with
# RegexRouter (m1, m2 -> merged) and TimestampRouter (m1, m2 -> merged-<year>): two topics of
# 500 records each, both at offsets 0..499, merged into one. file-sink's crash state must
# keep the offsets of the topic partition a record was consumed from, not the routed one
# (where the second topic's records would look written already):
#  (a) a batch run writes all 1000 lines once and its state names m1 and m2;
#  (b) kill -9 before any flush, then a restart: every line exactly once;
#  (c) streaming: the committed offsets never pass a line that is not in the file, and a
#      replay from offset 0 (another group) adds no line.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

n=500
cw_start_mock_cluster --topic m1:1 --topic m2:1
for t in m1 m2; do seq -f "$t-%.0f" 0 $((n - 1)) | cw_kcat -P -t $t -p 0; done
seq -f "m1-%.0f" 0 $((n - 1)) >"$CW_TMP/want"
seq -f "m2-%.0f" 0 $((n - 1)) >>"$CW_TMP/want"
sort -o "$CW_TMP/want" "$CW_TMP/want"
cw_worker_properties "$CW_TMP/fast.properties" "offset.flush.interval.ms=200"
# No periodic flush (nor commit) within the test's time.
cw_worker_properties "$CW_TMP/slow.properties" "offset.flush.interval.ms=600000"

# connector NAME FILE ROUTER
connector() {
    {
        echo "name=$1"
        echo "connector.class=FileStreamSink"
        echo "topics=m1,m2"
        echo "file=$2"
        echo "transforms=route"
        case $3 in
            regex)
                echo "transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter"
                echo "transforms.route.regex=m[0-9]"
                echo "transforms.route.replacement=merged" ;;
            timestamp)
                echo "transforms.route.type=org.apache.kafka.connect.transforms.TimestampRouter"
                echo 'transforms.route.topic.format=merged-${timestamp}'
                echo "transforms.route.timestamp.format=yyyy" ;;
        esac
    } >"$CW_TMP/$1.properties"
}
# expect_all FILE: every record's line exactly once.
expect_all() {
    sort "$1" >"$CW_TMP/got"
    cw_expect_exactly_once "$1" "$CW_TMP/want" "$CW_TMP/got"
}
# expect_durable GROUP FILE: for m1 and m2, every line below the committed offset is in FILE.
expect_durable() {
    sort "$2" >"$CW_TMP/got"
    cw_expect_durable "$1" "$CW_TMP/got" m1 m2
}
committed_both() { cw_committed_at_least "$1" "$2" m1 m2; } # GROUP MIN
run_batch() { # LOGNAME WORKER_PROPERTIES CONNECTOR
    cw_start_worker "$1" --exit-when-caught-up "$CW_TMP/$2.properties" "$CW_TMP/$3.properties"
    cw_wait_exit "$CW_WORKER_PID" 90
    [ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "$1: worker exit code $CW_EXIT_CODE"; }
}

for router in regex timestamp; do
    cw_note "(a) $router: batch run"
    connector "batch-$router" "$CW_TMP/a-$router.txt" $router
    run_batch "batch-$router" fast "batch-$router"
    expect_all "$CW_TMP/a-$router.txt"
    jq -e --argjson n $n '[.offsets[] | "\(.topic)/\(.partition)/\(.["next.offset"])"] | sort ==
        ["m1/0/\($n)", "m2/0/\($n)"]' "$CW_TMP/a-$router.txt.cw-sink-state" >/dev/null ||
        cw_fail "state does not name the consumed partitions: $(cat "$CW_TMP/a-$router.txt.cw-sink-state")"

    cw_note "(b) $router: kill -9 before any flush, then a restart"
    connector "crash-$router" "$CW_TMP/b-$router.txt" $router
    cw_start_worker "crash1-$router" "$CW_TMP/slow.properties" "$CW_TMP/crash-$router.properties"
    cw_wait_for 60 "lines written" cw_has_lines "$CW_TMP/b-$router.txt" $n
    kill -9 "$CW_WORKER_PID"
    cw_wait_exit "$CW_WORKER_PID" 10
    expect_durable "connect-crash-$router" "$CW_TMP/b-$router.txt"
    run_batch "crash2-$router" fast "crash-$router"
    expect_all "$CW_TMP/b-$router.txt"

    cw_note "(c) $router: streaming commits, then a replay from offset 0"
    connector "stream-$router" "$CW_TMP/c-$router.txt" $router
    cw_start_worker "stream-$router" "$CW_TMP/fast.properties" "$CW_TMP/stream-$router.properties"
    cw_wait_for 60 "commits of both partitions" committed_both "connect-stream-$router" 1
    expect_durable "connect-stream-$router" "$CW_TMP/c-$router.txt"
    kill -TERM "$CW_WORKER_PID"
    cw_wait_exit "$CW_WORKER_PID" 30
    [ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "stream-$router: exit code $CW_EXIT_CODE"; }
    sed "s/^name=.*/name=replay-$router/" "$CW_TMP/stream-$router.properties" >"$CW_TMP/replay-$router.properties"
    run_batch "replay-$router" fast "replay-$router"
    expect_all "$CW_TMP/c-$router.txt"
done
echo ok >&2
