#!/usr/bin/env bash
# Through the real worker: the database restarted while the connector runs (it reconnects
# and rows inserted afterwards arrive), then kill -9 of the worker and a restart (it resumes
# from the stored offset): the topic ends with every row exactly once, in order.
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
cw_start_mock_cluster --topic f.pin:1
cw_sql "CREATE TABLE pin (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40));
  INSERT INTO pin (v) SELECT CONCAT('first ', seq) FROM seq_1_to_1000;"
cw_worker_properties "$CW_TMP/worker.properties"
cat >"$CW_TMP/rds.properties" <<P
name=faults
connector.class=rds-source
connection.url=$CW_DB_URL
connection.user=$CW_DB_USER
connection.password=\${env:CW_DB_PASSWORD}
mode=incrementing
topic.prefix=f.
poll.interval.ms=200
P
stored() {  # stored N: the worker's offset file holds {"incrementing":N} for pin
    [ -f "$CW_TMP/connect.offsets" ] &&
        jq -e --argjson n "$1" '.faults["{\"table\":\"pin\"}"].incrementing == $n' \
            "$CW_TMP/connect.offsets" >/dev/null 2>&1
}
cw_start_worker worker "$CW_TMP/worker.properties" "$CW_TMP/rds.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "offset 1000 stored" stored 1000

cw_note "database restart while the connector runs"
cw_restart_mariadb
cw_sql "INSERT INTO pin (v) SELECT CONCAT('after restart ', seq) FROM seq_1_to_500"
cw_wait_for 60 "offset 1500 stored after the database restart" stored 1500
grep -q "reconnected" "$CW_TMP/worker.log" || { cw_dump_logs; cw_fail "no reconnect logged"; }
grep -qE "WARN.*(Lost connection|gone away|shutdown|cannot connect)" "$CW_TMP/worker.log" ||
    { cw_dump_logs; cw_fail "no warning about the lost database"; }

cw_note "kill -9, more rows, restart in batch mode"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
cw_sql "INSERT INTO pin (v) SELECT CONCAT('while down ', seq) FROM seq_1_to_500"
cw_start_worker worker2 --exit-when-caught-up --metrics-file "$CW_TMP/m2.prom" \
    "$CW_TMP/worker.properties" "$CW_TMP/rds.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "worker exit code $CW_EXIT_CODE"; }
cw_kcat -C -t f.pin -e -f '%s\n' | jq -r .id >"$CW_TMP/ids"
cw_sql "SELECT id FROM pin ORDER BY id" >"$CW_TMP/ids.db"
[ "$(wc -l <"$CW_TMP/ids.db")" = 2000 ] || cw_fail "the table should hold 2000 rows"
cmp "$CW_TMP/ids.db" "$CW_TMP/ids" || cw_fail "topic ids differ from the table (lost, repeated or out of order): $(diff "$CW_TMP/ids.db" "$CW_TMP/ids" | head -5)"

# The plugin's metrics (rds_metrics.c): the batch run handed over the 500 rows inserted while
# the worker was down, queried at least once, and met no connection error.
metric() { # FILE NAME
    awk -v want="$2{connector=\"faults\",task=\"0\"}" '$1 == want { print $2 }' "$1"
}
cw_check_metrics "$CW_TMP/m2.prom" || cw_fail "promtool rejects the metrics file"
[ "$(metric "$CW_TMP/m2.prom" rds_source_rows_total)" = 500 ] ||
    cw_fail "rows_total $(metric "$CW_TMP/m2.prom" rds_source_rows_total), want 500"
[ "$(metric "$CW_TMP/m2.prom" rds_source_query_duration_seconds_count)" -ge 1 ] || cw_fail "no query timed"
[ "$(metric "$CW_TMP/m2.prom" rds_source_connection_errors_total)" = 0 ] || cw_fail "connection errors in a healthy run"

cw_note "metrics: a database restart counts a connection error"
cw_start_worker worker3 --metrics-file "$CW_TMP/m3.prom" "$CW_TMP/worker.properties" \
    "$CW_TMP/rds.properties"
cw_wait_for 30 "the source task" grep -q "faults/0.*mode incrementing" "$CW_TMP/worker3.log"
cw_restart_mariadb
cw_sql "INSERT INTO pin (v) SELECT CONCAT('third ', seq) FROM seq_1_to_10"
last=$(cw_sql "SELECT MAX(id) FROM pin") # ids of INSERT ... SELECT may leave gaps
cw_wait_for 60 "offset $last stored" stored "$last"
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "worker3 exit code $CW_EXIT_CODE"; }
cw_check_metrics "$CW_TMP/m3.prom" || cw_fail "promtool rejects the metrics file"
[ "$(metric "$CW_TMP/m3.prom" rds_source_connection_errors_total)" -ge 1 ] ||
    { cw_dump_logs; cw_fail "the database restart counted no connection error"; }
[ "$(metric "$CW_TMP/m3.prom" rds_source_rows_total)" = 10 ] ||
    cw_fail "rows_total $(metric "$CW_TMP/m3.prom" rds_source_rows_total), want 10"
! grep -qF "$CW_DB_PASSWORD" "$CW_TMP"/*.log "$CW_TMP"/*.prom || cw_fail "the password reached a log or the metrics"
echo "worker faults ok"
