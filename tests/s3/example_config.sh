#!/usr/bin/env bash
# The shipped connectors/s3-sink.properties runs as it is: credentials and endpoint from the
# environment, the pinterest.* topics to Confluent's layout.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_mock_cluster --topic pinterest.pin:2 --topic pinterest.geo:1 --topic other:1
cw_start_s3rver
printf '{"index":%d,"lat":-89.9787}\n' 1 2 3 | kcat -P -b "$CW_BOOTSTRAP" -t pinterest.pin -p 1
printf '{"ind":%d,"country":"Chad"}\n' 7 8 | kcat -P -b "$CW_BOOTSTRAP" -t pinterest.geo -p 0
printf '{"x":1}\n' | kcat -P -b "$CW_BOOTSTRAP" -t other -p 0
# A short consumer session: librdkafka 2.0.2's mock cluster drops a departed or stale group
# member only when its session expires (45 s by default), which can stall the three tasks'
# group on a loaded machine.
cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
consumer.session.timeout.ms=6000
consumer.heartbeat.interval.ms=500
P
export CW_S3_BUCKET CW_S3_ENDPOINT=$CW_S3_URL AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
unset AWS_SESSION_TOKEN AWS_REGION
timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" \
    "$CW_SOURCE_DIR/connectors/s3-sink.properties" >"$CW_TMP/worker.log" 2>&1 ||
    { cat "$CW_TMP/worker.log" >&2; cw_fail "the worker failed with the example config"; }
want="raw/pinterest.geo/partition=0/pinterest.geo+0+0000000000.json
raw/pinterest.pin/partition=1/pinterest.pin+1+0000000000.json"
[ "$(cw_s3_keys)" = "$want" ] || cw_fail "keys: $(cw_s3_keys)"
[ "$(cw_s3cmd get "s3://$CW_S3_BUCKET/raw/pinterest.pin/partition=1/pinterest.pin+1+0000000000.json" - 2>/dev/null)" = \
  "$(printf '{"index":%d,"lat":-89.9787}\n' 1 2 3)" ] || cw_fail "object content differs"
echo "example config ok"
