#!/usr/bin/env bash
# A stop during a slow upload (issue 18). S3 sits behind a 1 MB/s link; one partition's object
# grows past s3.part.size, so it goes up as a multipart upload whose 5 MiB part takes about
# 5 s. SIGTERM with task.shutdown.graceful.timeout.ms=3000: the final flush waits for the
# upload only while the stop budget lasts, then cuts it off, names the object it abandoned
# (key and bytes) and aborts its multipart upload, so that no incomplete upload is left; the
# worker stops in time (exit 0, not 5). s3rver 3.7.1 has neither ListMultipartUploads nor
# AbortMultipartUpload (it answers 405), so the aborts are counted in its request log: one
# DELETE ?uploadId= for every upload it still holds (its log cuts off the method: an abort is
# the request on ?uploadId= that it answers with 405).
#
#   stop_slow.sh            one SIGTERM, task.shutdown.graceful.timeout.ms=3000
#   stop_slow.sh abort      task.shutdown.graceful.timeout.ms=60000, then a second SIGTERM one
#                           second after the first: the sink gives up at once (host->stopping
#                           returns CW_STOP_ABORT).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
mode=${1:-budget}
budget_ms=3000
[ "$mode" = abort ] && budget_ms=60000
cw_start_mock_cluster --topic big:1
cw_start_s3rver
s3_start_throttle 1000000
# 2000 values of 2000 '"' (4 MB: the mock cluster keeps about 4.8 MB a partition) become an
# 8 MB object, as StringConverter values in JsonFormat are JSON strings (each '"' escaped):
# one 5 MiB part and a tail.
awk 'BEGIN { q = sprintf("%2000s", ""); gsub(/ /, "\"", q); for (i = 0; i < 2000; i++) print q }' \
    >"$CW_TMP/quotes.txt"
kcat -P -b "$CW_BOOTSTRAP" -t big -p 0 -l "$CW_TMP/quotes.txt" || cw_fail "kcat produce failed"
cw_worker_properties "$CW_TMP/worker.properties"
echo "task.shutdown.graceful.timeout.ms=$budget_ms" >>"$CW_TMP/worker.properties"
s3_ev_connector "$CW_TMP/s3.properties" s3-big "store.url=$CW_THROTTLE_URL" \
    "aws.access.key.id=S3RVER" "aws.secret.access.key=S3RVER" "s3.part.size=5242880"
sed -i 's/^topics=ev$/topics=big/; s/^flush.size=10$/flush.size=100000/' "$CW_TMP/s3.properties"
cw_start_worker worker "$CW_TMP/worker.properties" "$CW_TMP/s3.properties"
# The multipart upload was created: its first part is on its way through the slow link.
s3log() { sed 's/\x1b\[[0-9;]*m//g' "$CW_TMP/s3rver.log"; }
created() { s3log | grep -Eq 'topics/big/[^ ]*\?uploads=? '; }
cw_wait_for 60 "a multipart upload created" created
sleep 0.5 # let the part transfer be under way (not a synchronisation: any moment of it will do)
kill -TERM "$CW_WORKER_PID"
if [ "$mode" = abort ]; then
    cw_wait_for 10 "the final flush under way" cw_log_has "$CW_TMP/worker.log" "received SIGTERM"
    sleep 1 # the upload goes on for a while (not a synchronisation)
    kill -TERM "$CW_WORKER_PID"
fi
started=$SECONDS
cw_wait_exit "$CW_WORKER_PID" 20
took=$((SECONDS - started))
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "worker exit code $CW_EXIT_CODE after ${took}s (5: did not stop in time)"; }
[ "$took" -le 6 ] || cw_fail "the stop took ${took}s after the last signal"
key="topics/big/partition=0/big+0+0000000000.json"
grep -E "abandoned it at [0-9]+ of [0-9]+ bytes" "$CW_TMP/worker.log" | grep -qF "s3://test-bucket/$key" ||
    { cw_dump_logs; cw_fail "the log does not name the abandoned upload (key and bytes)"; }
cw_note "$(grep -m1 'abandoned it at' "$CW_TMP/worker.log")"
uploads=$(find "$CW_S3_DIR" -path '*uploads/*' -name key 2>/dev/null | wc -l)
aborts=$(s3log | grep -Ec 'topics/big/[^ ]*\?uploadId=[^ &]* 405 ' || true)
cw_note "incomplete uploads s3rver holds: $uploads; abort requests sent: $aborts"
[ "$uploads" -ge 1 ] || cw_fail "expected the cut-off upload to exist in s3rver"
[ "$aborts" -ge "$uploads" ] || cw_fail "$uploads incomplete multipart upload(s) left without an abort"
[ "$(cw_committed connect-s3-big big:0)" -le 0 ] || cw_fail "committed past records that are not in S3"
echo "stop_slow ok"
