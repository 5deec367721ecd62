#!/usr/bin/env bash
# The Pinterest pipeline end to end, with the shipped files (etc/worker.properties,
# connectors/pinterest-rds-source.properties, connectors/pinterest-s3-sink.properties):
# MariaDB (emulated data set) -> RDS source -> Kafka (mock cluster, outliving the worker) ->
# three cleaning recipes -> S3 sink -> s3rver. The output is read back with s3cmd and checked
# by check_pipeline.py against MariaDB's own rendering of the rows. Then: a second batch run
# over the same data must add nothing (offsets held), and new rows must arrive exactly once.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/mariadb.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
ROWS=${CW_E2E_ROWS:-2000}
src=$CW_SOURCE_DIR

cw_start_mariadb
cw_start_s3rver pinterest-data
cw_start_mock_cluster --topic pinterest.pin:3 --topic pinterest.geo:3 --topic pinterest.user:3

python3 "$src/examples/pinterest/datagen.py" load --rows "$ROWS" --seed e2e \
    --host 127.0.0.1 --port "$CW_DB_PORT" --user "$CW_DB_USER" --password "$CW_DB_PASSWORD" \
    --database "$CW_DB_NAME" >/dev/null

# Exactly the variables the README tells a user to set for real services.
. "$src/tests/e2e/e2e_env.sh"
run_worker() {
    e2e_run_worker "$1" "$CW_DB_PASSWORD" "$src/connectors/pinterest-rds-source.properties" \
        "$src/connectors/pinterest-s3-sink.properties"
}

dump_rows() {
    mkdir -p "$CW_TMP/rows"
    cw_sql_raw "SELECT JSON_OBJECT('index',\`index\`,'unique_id',unique_id,'title',title,'description',description,'poster_name',poster_name,'follower_count',follower_count,'tag_list',tag_list,'is_image_or_video',is_image_or_video,'image_src',image_src,'downloaded',downloaded,'save_location',save_location,'category',category) FROM pinterest_data" >"$CW_TMP/rows/pin.jsonl"
    cw_sql_raw "SELECT JSON_OBJECT('ind',ind,'timestamp',\`timestamp\`,'latitude',latitude,'longitude',longitude,'country',country) FROM geolocation_data" >"$CW_TMP/rows/geo.jsonl"
    cw_sql_raw "SELECT JSON_OBJECT('ind',ind,'first_name',first_name,'last_name',last_name,'age',age,'date_joined',date_joined) FROM user_data" >"$CW_TMP/rows/user.jsonl"
}

check_bucket() {
    rm -rf "$CW_TMP/bucket"; mkdir -p "$CW_TMP/bucket"
    cw_s3cmd sync --quiet "s3://pinterest-data/" "$CW_TMP/bucket/" >/dev/null
    python3 "$src/tests/e2e/check_pipeline.py" "$CW_TMP/bucket" "$CW_TMP/rows"
}

cw_note "run 1: $ROWS rows per table"
run_worker 1
dump_rows
[ "$(wc -l <"$CW_TMP/rows/pin.jsonl")" -eq "$ROWS" ] || cw_fail "datagen did not load $ROWS rows"
check_bucket
keys1=$(cw_s3_keys)

cw_note "run 2: same data, nothing new may appear"
run_worker 2
keys2=$(cw_s3_keys)
[ "$keys1" = "$keys2" ] || cw_fail "a second run over the same data changed the bucket"
check_bucket

cw_note "run 3: 150 new rows arrive exactly once"
python3 "$src/examples/pinterest/datagen.py" load --rows 150 --start-ind $((ROWS + 1)) \
    --seed e2e --no-create --host 127.0.0.1 --port "$CW_DB_PORT" --user "$CW_DB_USER" \
    --password "$CW_DB_PASSWORD" --database "$CW_DB_NAME" >/dev/null
run_worker 3
dump_rows
check_bucket
echo "e2e pipeline OK"
