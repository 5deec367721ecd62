#!/usr/bin/env bash
# Through the real worker: the S3 sink's metrics (registered through the host table) count
# what it wrote, labelled with its connector and task, and --metrics-file writes them in the
# Prometheus text format (checked with promtool) when the tasks have stopped.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_mock_cluster --topic ev:2
cw_start_s3rver
s3_produce_ids ev 2 0 25
s3_json_worker_properties "$CW_TMP/worker.properties"
# One task, so that no rebalance can make it write an object twice: the counts are exact.
s3_ev_connector "$CW_TMP/s3.properties" s3-metrics "tasks.max=1" \
    "aws.access.key.id=S3RVER" "aws.secret.access.key=S3RVER"
timeout 60 "$CW_WORKER" --exit-when-caught-up --metrics-file "$CW_TMP/metrics.prom" \
    "$CW_TMP/worker.properties" "$CW_TMP/s3.properties" >"$CW_TMP/worker.log" 2>&1 ||
    { cat "$CW_TMP/worker.log" >&2; cw_fail "worker run failed"; }
[ -s "$CW_TMP/metrics.prom" ] || cw_fail "no metrics file"
cw_check_metrics "$CW_TMP/metrics.prom" || cw_fail "promtool rejects the metrics file"
s3_expect_exactly_once "$CW_TMP/dl" 2 25

# value TASK NAME: the sample of NAME for task TASK of connector s3-metrics (0 when absent).
value() {
    awk -v want="$2{connector=\"s3-metrics\",task=\"$1\"}" '$1 == want { v = $2 } END { print v + 0 }' \
        "$CW_TMP/metrics.prom"
}
# 25 records a partition, 10 an object: 3 objects each.
objects=$(value 0 s3_sink_objects_uploaded_total)
[ "$objects" -eq "$(cw_s3_keys | wc -l)" ] && [ "$objects" -eq 6 ] ||
    cw_fail "objects uploaded: metrics say $objects, the bucket holds $(cw_s3_keys | wc -l)"
want_bytes=$(cw_s3cmd ls -r "s3://$CW_S3_BUCKET/" | awk '{ s += $3 } END { print s }')
bytes=$(value 0 s3_sink_bytes_uploaded_total)
[ "$bytes" -eq "$want_bytes" ] || cw_fail "bytes uploaded: metrics say $bytes, the bucket holds $want_bytes"
requests=$(value 0 s3_sink_request_duration_seconds_count)
[ "$requests" -eq 6 ] || cw_fail "request durations observed: $requests, want 6 PUTs"
grep -q '^s3_sink_request_duration_seconds_bucket{connector="s3-metrics",task="0",le="+Inf"} 6$' \
    "$CW_TMP/metrics.prom" || cw_fail "no histogram buckets: $(cat "$CW_TMP/metrics.prom")"
[ "$(value 0 s3_sink_request_retries_total)" -eq 0 ] || cw_fail "retries counted on a healthy S3"
[ "$(value 0 s3_sink_upload_queue_bytes)" -eq 0 ] || cw_fail "bytes left in the upload queue"
grep -q '^s3_sink_upload_queue_bytes{connector="s3-metrics",task="0"} 0$' "$CW_TMP/metrics.prom" ||
    cw_fail "no upload queue gauge"
echo "metrics ok"
