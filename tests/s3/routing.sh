#!/usr/bin/env bash
# A routing transform in front of the S3 sink, through the real worker (KIP-793). Usage:
#   routing.sh regex|timestamp
# Two topics m1 and m2, 500 records each at offsets 0..499, are merged into one topic by
# RegexRouter (-> merged) or TimestampRouter (-> merged-<year>). The sink must key what is
# durable by the topic partition a record was consumed from, and name objects so that the
# two merged partitions never overwrite each other:
#  (a) a batch run writes all 1000 records, once, under the routed topic, named after the
#      original topic, partition and start offset; a replay names them the same;
#  (b) kill -9 before anything is uploaded: nothing was committed past S3, and a restart
#      leaves every record in the bucket exactly once;
#  (c) while streaming with a partial object set open, the committed offset of each topic is
#      the start of that set, never past a record that is not in S3.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
router=${1:?usage: routing.sh regex|timestamp}
n=500
cw_start_mock_cluster --topic m1:1 --topic m2:1
cw_start_s3rver
for t in m1 m2; do
    for ((i = 0; i < n; i++)); do printf '{"id":"%s-%d","i":%d}\n' $t $i $i; done >"$CW_TMP/$t.jsonl"
    kcat -P -b "$CW_BOOTSTRAP" -t $t -p 0 -l "$CW_TMP/$t.jsonl" || cw_fail "kcat produce failed"
done
case $router in
    regex)
        routed=merged
        route=("transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter"
            "transforms.route.regex=m[0-9]" "transforms.route.replacement=merged") ;;
    timestamp)
        # kcat stamps records with the produce time (UTC year; the test does not run across
        # New Year's midnight).
        routed=merged-$(date -u +%Y)
        route=("transforms.route.type=org.apache.kafka.connect.transforms.TimestampRouter"
            'transforms.route.topic.format=merged-${timestamp}' "transforms.route.timestamp.format=yyyy") ;;
    *) cw_fail "unknown router $router" ;;
esac
s3_json_worker_properties "$CW_TMP/worker.properties"
echo "offset.flush.interval.ms=200" >>"$CW_TMP/worker.properties"

# connector NAME DIR FLUSH_SIZE: the routed S3 sink writing under topics.dir DIR.
connector() {
    s3_config "$CW_TMP/$1.properties" "name=$1" "connector.class=s3-sink" "topics=m1,m2" \
        "topics.dir=$2" "flush.size=$3" "transforms=route" "${route[@]}"
}
# ids_under DIR: the ids of every record in the objects under topics.dir DIR, sorted.
ids_under() {
    rm -rf "$CW_TMP/dl"; mkdir -p "$CW_TMP/dl"
    cw_s3cmd get --recursive "s3://$CW_S3_BUCKET/$1/" "$CW_TMP/dl/" >/dev/null 2>&1 || true
    find "$CW_TMP/dl" -type f -exec cat {} + | jq -r .id | sort
}
# expect_all DIR: every record of m1 and m2 exactly once under DIR.
expect_all() {
    ids_under "$1" >"$CW_TMP/got"
    for t in m1 m2; do seq -f "$t-%.0f" 0 $((n - 1)); done | sort >"$CW_TMP/want"
    cw_expect_exactly_once "$1" "$CW_TMP/want" "$CW_TMP/got"
}
# expect_durable GROUP DIR: for m1 and m2, every record below the committed offset is in S3.
expect_durable() {
    ids_under "$2" >"$CW_TMP/got"
    cw_expect_durable "$1" "$CW_TMP/got" m1 m2
}
committed_both() { cw_committed_at_least "$1" "$2" m1 m2; } # GROUP MIN
run_batch() { # LOGNAME CONNECTOR
    cw_start_worker "$1" --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/$2.properties"
    cw_wait_exit "$CW_WORKER_PID" 90
    [ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "$1: worker exit code $CW_EXIT_CODE"; }
}

cw_note "(a) batch run, $router router"
connector batch a 100
run_batch batch batch
expect_all a
want=$(for t in m1 m2; do for o in 0 100 200 300 400; do
    printf 'a/%s/partition=0/%s+0+%010d.json\n' "$routed" $t $o; done; done | sort)
cw_s3_keys | grep '^a/' >"$CW_TMP/keys.a" || true
[ "$(cat "$CW_TMP/keys.a")" = "$want" ] || cw_fail "keys: $(tr '\n' ' ' <"$CW_TMP/keys.a")"
[ "$(cw_committed connect-batch m1:0) $(cw_committed connect-batch m2:0)" = "$n $n" ] ||
    cw_fail "committed: m1 $(cw_committed connect-batch m1:0), m2 $(cw_committed connect-batch m2:0)"
# A replay (another group, from offset 0) names every object the same: no second copy.
sed 's/^name=batch$/name=replay/' "$CW_TMP/batch.properties" >"$CW_TMP/replay.properties"
run_batch replay replay
expect_all a
cw_s3_keys | grep '^a/' | cmp -s - "$CW_TMP/keys.a" || cw_fail "the replay wrote other keys: $(cw_s3_keys | tr '\n' ' ')"

cw_note "(b) kill -9 before any upload, then a restart"
connector crash b 100000
cw_start_worker crash1 "$CW_TMP/worker.properties" "$CW_TMP/crash.properties"
# A commit of both partitions means records of both were handed to the sink.
cw_wait_for 60 "commits of both partitions" committed_both connect-crash 0
kill -9 "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 10
[ -z "$(cw_s3_keys | grep '^b/')" ] || cw_fail "objects uploaded before the kill: the test needs none"
expect_durable connect-crash b
run_batch crash2 crash
expect_all b
[ "$(cw_committed connect-crash m1:0) $(cw_committed connect-crash m2:0)" = "$n $n" ] ||
    cw_fail "committed after the restart: m1 $(cw_committed connect-crash m1:0), m2 $(cw_committed connect-crash m2:0)"

cw_note "(c) streaming: committed offsets stay behind the open object set"
connector stream c 200
cw_start_worker stream "$CW_TMP/worker.properties" "$CW_TMP/stream.properties"
# Objects 0..199 and 200..399 of each topic go up; 400..499 stay open.
cw_wait_for 60 "commits past the first object of both partitions" committed_both connect-stream 1
expect_durable connect-stream c
cw_wait_for 60 "commits at 400" committed_both connect-stream 400
expect_durable connect-stream c
[ "$(cw_committed connect-stream m1:0) $(cw_committed connect-stream m2:0)" = "400 400" ] ||
    cw_fail "committed past the open set: m1 $(cw_committed connect-stream m1:0), m2 $(cw_committed connect-stream m2:0)"
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "stream: worker exit code $CW_EXIT_CODE"; }
expect_all c
echo "routing ($router) ok" >&2
