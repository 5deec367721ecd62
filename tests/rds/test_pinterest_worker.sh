#!/usr/bin/env bash
# The ready config connectors/pinterest-rds-source.properties, unchanged, run by connect-worker
# (three tasks, one per table) over the emulated data set: each topic (the table topics renamed
# by the file's RegexRouters) holds its table's rows.
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
cw_start_mock_cluster --topic pinterest.pin:1 --topic pinterest.geo:1 --topic pinterest.user:1
MYSQL_PWD="$CW_DB_PASSWORD" python3 "$CW_SOURCE_DIR/examples/pinterest/datagen.py" load --rows 400 \
    --seed 7 --host 127.0.0.1 --port "$CW_DB_PORT" --user "$CW_DB_USER" --database "$CW_DB_NAME" ||
    cw_fail "datagen load"
export RDS_URL="$CW_DB_URL" RDS_USER="$CW_DB_USER" RDS_PASSWORD="$CW_DB_PASSWORD"
cw_worker_properties "$CW_TMP/worker.properties"
cw_start_worker worker --exit-when-caught-up "$CW_TMP/worker.properties" \
    "$CW_SOURCE_DIR/connectors/pinterest-rds-source.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "worker exit code $CW_EXIT_CODE"; }
grep -q "3 table(s) over 3 task(s)" "$CW_TMP/worker.log" || { cw_dump_logs; cw_fail "expected one task per table"; }
for t in pin geo user; do
    n=$(cw_topic_count "pinterest.$t")
    [ "$n" = 400 ] || cw_fail "pinterest.$t holds $n records, want 400"
done
cw_kcat -C -t pinterest.geo -e -f '%s\n' | jq -r '"\(.ind) \(.latitude) \(.longitude) \(.country)"' >"$CW_TMP/geo.kafka"
cw_sql "SELECT ind, latitude, longitude, country FROM geolocation_data ORDER BY ind" | tr '\t' ' ' >"$CW_TMP/geo.db"
cmp "$CW_TMP/geo.db" "$CW_TMP/geo.kafka" || cw_fail "geolocation rows differ from the table"
cw_kcat -C -t pinterest.pin -o 0 -c 1 -e -f '%s\n' | grep -q '^{"index":1,"unique_id":"' ||
    cw_fail "pin rows must be plain JSON objects starting with index"
! grep -qF "$CW_DB_PASSWORD" "$CW_TMP/worker.log" || cw_fail "password in the worker log"
echo "pinterest worker ok"
