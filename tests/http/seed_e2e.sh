#!/usr/bin/env bash
# The seed's ingest path end to end with the shipped files: the seed's exact requests (its
# user_posting_emulation POSTs and the streaming emulation's Kinesis-style PUTs, made by
# examples/pinterest/datagen.py with Python's standard library) -> http-source
# (connectors/pinterest-http-source.properties: the seed's <user>.pin and
# streaming-<user>-pin routed to pinterest.pin) -> Kafka (mock cluster; read back with kcat)
# -> the shipped S3 sink's cleaning -> s3rver, read back with s3cmd and checked by
# tests/e2e/check_pipeline.py against the rows datagen generates.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/http/lib.sh"
src=$CW_SOURCE_DIR
N=${CW_HTTP_ROWS:-150}

cw_start_s3rver pinterest-data
cw_start_mock_cluster --topic pinterest.pin:3 --topic pinterest.geo:3 --topic pinterest.user:3

export CW_EMBEDDED_KAFKA=false KAFKA_BOOTSTRAP_SERVERS=$CW_BOOTSTRAP
export CW_OFFSETS_FILE=$CW_TMP/connect.offsets CW_HTTP_PORT=$(cw_free_port)
export CW_S3_BUCKET=pinterest-data CW_S3_ENDPOINT=$CW_S3_URL AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
cp "$src/etc/worker.properties" "$CW_TMP/worker.properties"
printf '\nconsumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=500\n' \
    >>"$CW_TMP/worker.properties"
# The sink uploads every 100 records per partition; null keys spread the rows over the
# partitions, so the test also rotates on the clock to get the last few out.
{ cat "$src/connectors/pinterest-s3-sink.properties"; echo "rotate.schedule.interval.ms=1000"; } \
    >"$CW_TMP/sink.properties"
cw_start_worker worker "$CW_TMP/worker.properties" \
    "$src/connectors/pinterest-http-source.properties" "$CW_TMP/sink.properties"
cw_wait_for 30 "http-source listening" cw_log_has "$CW_TMP/worker.log" "http-source: listening on"
url=http://127.0.0.1:$CW_HTTP_PORT

cw_note "the seed's POSTs: $N rows of each table (ind 1..$N, random order)"
python3 "$src/examples/pinterest/datagen.py" post --url "$url" --rows "$N" --pool "$N" --distinct \
    --seed e2e --acked "$CW_TMP/acked-post" || { cw_dump_logs; cw_fail "not every POST got 200"; }
cw_note "the streaming emulation's Kinesis-style PUTs: $N more (ind $((N + 1))..$((2 * N)))"
python3 "$src/examples/pinterest/datagen.py" kinesis --url "$url" --rows "$N" --pool "$N" \
    --start-ind $((N + 1)) --distinct --seed e2e --acked "$CW_TMP/acked-put" ||
    { cw_dump_logs; cw_fail "not every PUT got 200"; }
[ "$(grep -c ' 200$' "$CW_TMP/acked-post")" -eq $((3 * N)) ] || cw_fail "POST answers missing"
[ "$(grep -c ' 200$' "$CW_TMP/acked-put")" -eq $((3 * N)) ] || cw_fail "PUT answers missing"

cw_note "every answered row is in Kafka (kcat)"
for t in pin geo user; do
    n=$(cw_topic_count pinterest.$t)
    [ "$n" -eq $((2 * N)) ] || cw_fail "pinterest.$t has $n records, expected $((2 * N))"
done
# A value exactly as the seed posted it (json.dumps(default=str): DATETIME as 'YYYY-MM-DD hh:mm:ss')
cw_kcat -C -t pinterest.geo -e -f '%s\n' | python3 -c '
import json, re, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
assert all(list(r) == ["ind", "timestamp", "latitude", "longitude", "country"] for r in rows), rows[0]
assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["timestamp"]) for r in rows), rows[0]
' || cw_fail "pinterest.geo values are not the seed's rows"
cw_kcat -C -t pinterest.pin -e -f '%k\n' | grep -qx '"partition-1"' ||
    cw_fail "the Kinesis PartitionKey did not become the Kafka key"

cw_note "the cleaned rows arrive in S3"
in_s3() {
    local t total=0
    for t in pin geo user; do
        total=$((total + $(find "$CW_S3_DIR/pinterest-data/topics/pinterest.$t" -type f \
            -name '*._S3rver_object' -exec cat {} + 2>/dev/null | wc -l)))
    done
    [ "$total" -ge $((6 * N)) ]
}
cw_wait_for 120 "$((6 * N)) records in S3" in_s3
mkdir -p "$CW_TMP/rows" "$CW_TMP/bucket"
python3 - "$src/examples/pinterest" "$CW_TMP/rows" $((2 * N)) <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import datagen
out = {t: open("%s/%s.jsonl" % (sys.argv[2], t), "w") for t in ("pin", "geo", "user")}
for ind in range(1, int(sys.argv[3]) + 1):
    for t, row in datagen.seed_rows("e2e", ind).items():
        out[t].write(json.dumps(row, default=str) + "\n")
PY
cw_s3cmd sync --quiet "s3://pinterest-data/" "$CW_TMP/bucket/" >/dev/null
python3 "$src/tests/e2e/check_pipeline.py" "$CW_TMP/bucket" "$CW_TMP/rows" ||
    { cw_dump_logs; cw_fail "S3 output differs from the rows posted"; }
echo "http seed e2e OK"
