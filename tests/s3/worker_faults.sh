#!/usr/bin/env bash
# Faults through the real worker: (1) s3rver stopped mid-stream and started again: an upload
# fails, the sink pushes back on the records after it, the worker pauses, and nothing is
# lost or duplicated once S3 is back; the worker stops cleanly; (2) a wrong bucket stops the
# task with an error naming bucket, endpoint and S3 error code, and commits nothing.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
parts=3 n=200
cw_start_mock_cluster --topic ev:$parts
cw_start_s3rver
produce() { s3_produce_ids ev $parts "$1" "$2"; } # FROM TO
# Half now, the rest once S3 is down, so that the outage always falls in the middle of the
# stream (a fast worker could otherwise be done before S3 goes away).
produce 0 $((n / 2))
cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
offset.flush.interval.ms=300
consumer.session.timeout.ms=6000
P
connector() { # FILE BUCKET
    cat >"$1" <<P
name=s3-ev
connector.class=s3-sink
topics=ev
s3.bucket.name=$2
s3.region=us-east-1
store.url=$CW_S3_URL
aws.access.key.id=S3RVER
aws.secret.access.key=S3RVER
s3.retry.backoff.ms=50
s3.part.retries=1
flush.size=40
P
}

cw_note "(1) S3 outage while streaming"
connector "$CW_TMP/s3.properties" "$CW_S3_BUCKET"
"$CW_WORKER" --metrics-file "$CW_TMP/metrics.prom" "$CW_TMP/worker.properties" \
    "$CW_TMP/s3.properties" >"$CW_TMP/worker.log" 2>&1 &
w=$!
CW_PIDS+=("$w")
has_objects() { [ -n "$(find "$CW_S3_DIR" -name '*._S3rver_object' -print -quit)" ]; }
cw_wait_for 30 "first objects" has_objects
cw_stop_s3rver
# Records that complete an object: its upload fails in the background...
produce $((n / 2)) $((3 * n / 4))
cw_wait_for 30 "a failed upload" grep -q "will try again" "$CW_TMP/worker.log"
# ...and the sink pushes back on the records that come after it.
produce $((3 * n / 4)) $n
cw_wait_for 30 "the worker to pause for back-pressure" grep -q "back-pressure" "$CW_TMP/worker.log"
cw_start_s3rver
# Complete objects only: a PUT cut off by the outage can leave a partial object file behind
# (the sink writes it again).
full() { [ "$(s3_complete_objects)" -ge $((parts * (n / 40))) ]; }
cw_wait_for 60 "every full object" full
kill -TERM $w
wait $w || cw_fail "worker exit code $? after SIGTERM: $(tail -5 "$CW_TMP/worker.log")"
s3_expect_exactly_once "$CW_TMP/dl" $parts $n
kill -0 $w 2>/dev/null && cw_fail "worker still running"
# The outage in the S3 sink's metrics: requests retried, uploads failed and tried again, and
# nothing left in the upload queue once every object is written.
cw_check_metrics "$CW_TMP/metrics.prom" || cw_fail "promtool rejects the metrics file"
metric() { awk -v want="$1{connector=\"s3-ev\",task=\"0\"}" '$1 == want { print $2 }' "$CW_TMP/metrics.prom"; }
[ "$(metric s3_sink_request_retries_total)" -gt 0 ] || cw_fail "no retried request counted"
[ "$(metric s3_sink_upload_failures_total)" -gt 0 ] || cw_fail "no failed upload counted"
[ "$(metric s3_sink_upload_queue_bytes)" = 0 ] || cw_fail "upload queue bytes at the end: $(metric s3_sink_upload_queue_bytes)"
[ "$(metric s3_sink_objects_uploaded_total)" -eq "$(s3_complete_objects)" ] ||
    cw_fail "objects uploaded: $(metric s3_sink_objects_uploaded_total), bucket: $(s3_complete_objects)"

cw_note "(2) wrong bucket"
connector "$CW_TMP/bad.properties" no-such-bucket
sed -i 's/^name=s3-ev$/name=s3-bad/' "$CW_TMP/bad.properties"
set +e
timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/bad.properties" \
    >"$CW_TMP/bad.log" 2>&1
rc=$?
set -e
[ $rc = 1 ] || cw_fail "want exit code 1 (a task failed), got $rc: $(tail -5 "$CW_TMP/bad.log")"
for want in NoSuchBucket "s3://no-such-bucket/" "$CW_S3_URL"; do
    grep -q -- "$want" "$CW_TMP/bad.log" || cw_fail "error lacks '$want': $(grep -i error "$CW_TMP/bad.log" | head -3)"
done
! grep -q "S3RVER" "$CW_TMP/bad.log" || cw_fail "a credential reached the log"
! grep -q "connect-s3-bad" "$CW_TMP/offsets" 2>/dev/null || cw_fail "offsets were committed for the failed connector"
echo "worker faults ok"
