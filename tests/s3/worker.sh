#!/usr/bin/env bash
# Through the real worker: records produced with kcat to a mock Kafka cluster, the S3 sink
# (Confluent class name and keys) writes them to s3rver; the worker is killed with SIGKILL
# at a random moment after the first objects appear, then run again in batch mode. s3cmd
# reads back every record exactly once, in Confluent's key layout, bytes untouched.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
parts=4 n=230
cw_start_mock_cluster --topic pins:$parts
cw_start_s3rver
for ((p = 0; p < parts; p++)); do
    for ((i = 0; i < n; i++)); do
        printf '{"id":"%d-%d","lat":-89.9787,"i":%d,"pad":"%s"}\n' $p $i $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
    done >"$CW_TMP/p$p.jsonl"
    kcat -P -b "$CW_BOOTSTRAP" -t pins -p $p -l "$CW_TMP/p$p.jsonl" || cw_fail "kcat produce failed"
done
cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.flush.interval.ms=200
consumer.session.timeout.ms=6000
P
cat >"$CW_TMP/s3.properties" <<P
name=s3-pins
connector.class=io.confluent.connect.s3.S3SinkConnector
tasks.max=1
topics=pins
s3.bucket.name=$CW_S3_BUCKET
s3.region=us-east-1
store.url=$CW_S3_URL
aws.access.key.id=S3RVER
aws.secret.access.key=S3RVER
storage.class=io.confluent.connect.s3.storage.S3Storage
format.class=io.confluent.connect.s3.format.json.JsonFormat
partitioner.class=io.confluent.connect.storage.partitioner.DefaultPartitioner
schema.compatibility=NONE
flush.size=50
P
has_objects() { [ -n "$(find "$CW_S3_DIR" -name '*._S3rver_object' -print -quit)" ]; }
"$CW_WORKER" "$CW_TMP/worker.properties" "$CW_TMP/s3.properties" >"$CW_TMP/worker1.log" 2>&1 &
w=$!
CW_PIDS+=("$w")
cw_wait_for 30 "first objects" has_objects
sleep "0.$((RANDOM % 10))" # a random moment, not a synchronisation
kill -9 $w
wait $w 2>/dev/null || true
s3_drop_cut_off_objects # S3 keeps nothing of a PUT cut off; s3rver does
cw_note "killed the worker with $(cw_s3_keys | wc -l) objects written"
timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/s3.properties" \
    >"$CW_TMP/worker2.log" 2>&1 || { cat "$CW_TMP/worker2.log" >&2; cw_fail "worker run failed"; }
s3_expect_exactly_once "$CW_TMP/dl" $parts $n
want=$(for ((p = 0; p < parts; p++)); do for o in 0 50 100 150 200; do
    printf 'topics/pins/partition=%d/pins+%d+%010d.json\n' $p $p $o; done; done | sort)
[ "$(cw_s3_keys)" = "$want" ] || cw_fail "keys: $(cw_s3_keys)"
cw_s3cmd get "s3://$CW_S3_BUCKET/topics/pins/partition=2/pins+2+0000000050.json" "$CW_TMP/one.json" >/dev/null
sed -n '51,100p' "$CW_TMP/p2.jsonl" | cmp -s - "$CW_TMP/one.json" || cw_fail "object bytes differ from what was produced"
! grep -q "S3RVER" "$CW_TMP/worker1.log" "$CW_TMP/worker2.log" || cw_fail "a credential reached the log"
echo "worker ok"
