#!/usr/bin/env bash
# Through the real worker: connect-worker runs rds-source (connection from ${env:...}) into a
# mock Kafka cluster; kcat reads back exactly the table's rows; a second batch run after new
# inserts adds only the new rows (offsets stored by the worker after Kafka acked).
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
cw_start_mock_cluster --topic w.pin:1 --topic w.geo:1
cw_sql "CREATE TABLE pin (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(100), n BIGINT UNSIGNED);
  CREATE TABLE geo (ind INT AUTO_INCREMENT PRIMARY KEY, latitude DOUBLE, ts DATETIME);
  INSERT INTO pin (title, n) SELECT CONCAT('pin \"', seq, '\"'), 18446744073709551615 - seq FROM seq_1_to_1500;
  INSERT INTO geo (latitude, ts) SELECT -89.9787 + seq / 10000, '2020-08-28 03:52:47' FROM seq_1_to_700;"
cw_worker_properties "$CW_TMP/worker.properties"
cat >"$CW_TMP/rds.properties" <<P
name=rds
connector.class=io.confluent.connect.jdbc.JdbcSourceConnector
tasks.max=2
connection.url=\${env:T_RDS_URL}
connection.user=\${env:T_RDS_USER}
connection.password=\${env:T_RDS_PASSWORD}
table.whitelist=pin,geo
mode=incrementing
topic.prefix=w.
batch.max.rows=200
poll.interval.ms=200
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
P
export T_RDS_URL="$CW_DB_URL" T_RDS_USER="$CW_DB_USER" T_RDS_PASSWORD="$CW_DB_PASSWORD"

run_batch() {
    cw_start_worker worker --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/rds.properties"
    cw_wait_exit "$CW_WORKER_PID" 60
    [ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "worker exit code $CW_EXIT_CODE"; }
}
check_topics() {  # every row of both tables exactly once, in order, byte-exact values
    cw_kcat -C -t w.pin -e -f '%s\n' >"$CW_TMP/pin.kafka"
    cw_sql_raw "SELECT CONCAT('{\"id\":', id, ',\"title\":', JSON_QUOTE(title), ',\"n\":', n, '}') FROM pin ORDER BY id" >"$CW_TMP/pin.db"
    cmp "$CW_TMP/pin.db" "$CW_TMP/pin.kafka" || { diff "$CW_TMP/pin.db" "$CW_TMP/pin.kafka" | head -5; cw_fail "topic w.pin differs from table pin"; }
    cw_kcat -C -t w.geo -e -f '%s\n' >"$CW_TMP/geo.kafka"
    cw_sql_raw "SELECT CONCAT('{\"ind\":', ind, ',\"latitude\":', latitude, ',\"ts\":\"', ts, '\"}') FROM geo ORDER BY ind" >"$CW_TMP/geo.db"
    cmp "$CW_TMP/geo.db" "$CW_TMP/geo.kafka" || { diff "$CW_TMP/geo.db" "$CW_TMP/geo.kafka" | head -5; cw_fail "topic w.geo differs from table geo"; }
}

cw_note "batch run 1: 1500 + 700 rows"
run_batch
check_topics
grep -q '"-89.9786"\|-89.9786' "$CW_TMP/geo.kafka" || cw_fail "latitude digits"
cw_note "batch run 2 after inserts: only the new rows"
cw_sql "INSERT INTO pin (title, n) VALUES ('late one', 1), ('late two', 2); INSERT INTO geo (latitude, ts) VALUES (-173.293, NOW())"
run_batch
check_topics
! grep -qF "$CW_DB_PASSWORD" "$CW_TMP"/*.log || cw_fail "the password reached a log"
echo "worker ok"
