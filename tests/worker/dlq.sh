#!/usr/bin/env bash
# A malformed JSON record: with errors.tolerance=all it goes to the dead letter queue with its
# original bytes and Kafka Connect's context headers and the task goes on; with none the task
# stops with an error naming topic, partition and offset, and commits nothing past it.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic json-in:1
cw_worker_properties "$CW_TMP/worker.properties" \
    "value.converter=org.apache.kafka.connect.json.JsonConverter" \
    "value.converter.schemas.enable=false"
printf '%s\n' '{"n":1,"lat":-89.9787}' '{"n":2, broken' '{"n":3}' |
    cw_kcat -P -t json-in -p 0 -k key1 -H origin=test

# --- errors.tolerance=all ------------------------------------------------------------------
cat >"$CW_TMP/all.properties" <<P
name=dlq-all
connector.class=FileStreamSink
topics=json-in
file=$CW_TMP/all.txt
errors.tolerance=all
errors.log.enable=true
errors.deadletterqueue.topic.name=json-dlq
errors.deadletterqueue.topic.replication.factor=1
errors.deadletterqueue.context.headers.enable=true
P
cw_start_worker all --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/all.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "tolerance=all: exit code $CW_EXIT_CODE"; }
printf '%s\n' '{"n":1,"lat":-89.9787}' '{"n":3}' >"$CW_TMP/want.txt"
cmp "$CW_TMP/want.txt" "$CW_TMP/all.txt" || cw_fail "good records not written: $(cat "$CW_TMP/all.txt")"
cw_log_has "$CW_TMP/all.log" "error in stage TASK_PUT .* topic=json-in partition=0 offset=1" ||
    { cw_dump_logs; cw_fail "errors.log.enable did not log the record"; }

cw_kcat -C -t json-dlq -e -f 'key=%k\nvalue=%s\nheaders=%h\n' >"$CW_TMP/dlq.txt"
cat "$CW_TMP/dlq.txt" >&2
[ "$(grep -c '^value=' "$CW_TMP/dlq.txt")" = 1 ] || cw_fail "want exactly one DLQ record"
grep -qx 'key=key1' "$CW_TMP/dlq.txt" || cw_fail "DLQ key is not the original"
grep -qx 'value={"n":2, broken' "$CW_TMP/dlq.txt" || cw_fail "DLQ value is not the original bytes"
headers=$(grep '^headers=' "$CW_TMP/dlq.txt")
for h in "origin=test" "__connect.errors.topic=json-in" "__connect.errors.partition=0" \
         "__connect.errors.offset=1" "__connect.errors.connector.name=dlq-all" \
         "__connect.errors.task.id=0" "__connect.errors.stage=TASK_PUT" \
         "__connect.errors.class.name=file-sink" "__connect.errors.exception.message=.*JSON"; do
    echo "$headers" | grep -Eq -- "$h" || cw_fail "DLQ header $h missing in: $headers"
done

# --- errors.tolerance=none (Kafka Connect's default) -----------------------------------------
cat >"$CW_TMP/none.properties" <<P
name=dlq-none
connector.class=FileStreamSink
topics=json-in
file=$CW_TMP/none.txt
P
cw_start_worker none "$CW_TMP/worker.properties" "$CW_TMP/none.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 1 ] || { cw_dump_logs; cw_fail "tolerance=none: exit code $CW_EXIT_CODE, want 1"; }
cw_log_has "$CW_TMP/none.log" \
    "ERROR \[dlq-none/0\] task failed: .*topic json-in partition 0 offset 1 .*invalid JSON" ||
    { cw_dump_logs; cw_fail "no clear error naming topic, partition and offset"; }
# Nothing committed past the bad record: a tolerant run of the same group starts at or before it.
sed -i "s#^file=.*#file=$CW_TMP/none2.txt#" "$CW_TMP/none.properties"
echo "errors.tolerance=all" >>"$CW_TMP/none.properties"
cw_start_worker none2 --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/none.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "second run exit code $CW_EXIT_CODE"; }
grep -qx '{"n":3}' "$CW_TMP/none2.txt" || cw_fail "the record after the bad one was skipped by a commit"
echo ok >&2
