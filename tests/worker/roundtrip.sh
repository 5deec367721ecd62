#!/usr/bin/env bash
# file -> Kafka -> file: lines read by file-source reach the topic (checked with kcat) and
# come out of file-sink complete and in order (one partition keeps the order).
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic lines:1 --topic lines-json:1
for i in $(seq 1 500); do echo "line $i with -89.9787 and caf$(printf '\xc3\xa9')"; done >"$CW_TMP/in.txt"
cw_worker_properties "$CW_TMP/worker.properties"
cat >"$CW_TMP/source.properties" <<P
name=rt-source
connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector
file=$CW_TMP/in.txt
topic=lines
P
# The sink as Kafka Connect's REST JSON form, with the JSON converter override to prove the
# string converter is what wrote the topic (values are plain text, not JSON).
cat >"$CW_TMP/sink.json" <<P
{"name": "rt-sink", "config": {"connector.class": "FileStreamSink", "topics": "lines",
 "file": "$CW_TMP/out.txt"}}
P
cw_start_worker worker "$CW_TMP/worker.properties" "$CW_TMP/source.properties" "$CW_TMP/sink.json"
pid=$CW_WORKER_PID
cw_wait_for 60 "500 lines in the sink file" cw_has_lines "$CW_TMP/out.txt" 500
cmp "$CW_TMP/in.txt" "$CW_TMP/out.txt" || { cw_dump_logs; cw_fail "sink output differs from input"; }

# The topic holds exactly the lines, as plain strings (StringConverter).
cw_kcat -C -t lines -e -f '%s\n' >"$CW_TMP/topic.txt"
cmp "$CW_TMP/in.txt" "$CW_TMP/topic.txt" || cw_fail "topic content differs from the input"

# Appended lines follow.
echo "appended line" >>"$CW_TMP/in.txt"
cw_wait_for 30 "the appended line" cw_has_lines "$CW_TMP/out.txt" 501
[ "$(tail -n 1 "$CW_TMP/out.txt")" = "appended line" ] || cw_fail "appended line missing"

kill -TERM "$pid"
cw_wait_exit "$pid" 20
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "worker exit code $CW_EXIT_CODE after SIGTERM"; }
# Source offsets stored: the position after the last line.
size=$(stat -c %s "$CW_TMP/in.txt")
jq -e --arg f "$CW_TMP/in.txt" --argjson s "$size" \
    '.["rt-source"][({filename: $f} | tojson)].position == $s' "$CW_TMP/connect.offsets" >/dev/null ||
    cw_fail "offset file does not hold position $size: $(cat "$CW_TMP/connect.offsets")"
grep -q "INFO  \[rt-sink/0\] sink task started" "$CW_TMP/worker.log" || cw_fail "log lines lack connector/task"

# With JsonConverter the lines are JSON strings in the topic (as Kafka's FileStreamSource).
cat >"$CW_TMP/json-source.properties" <<P
name=rt-json-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=lines-json
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
P
cw_start_worker worker-json --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/json-source.properties"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "JSON source worker exit code $CW_EXIT_CODE"; }
cw_kcat -C -t lines-json -e -f '%s\n' >"$CW_TMP/topic-json.txt"
jq -R . "$CW_TMP/in.txt" | cmp - "$CW_TMP/topic-json.txt" ||
    cw_fail "with JsonConverter the topic must hold each line as a JSON string"
echo ok >&2
