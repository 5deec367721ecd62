#!/usr/bin/env bash
# Incrementing mode across interruptions: a clean stop and restart repeats and loses nothing;
# kill -9 loses nothing; the database restarted mid-run loses nothing (the task logs the lost
# connection, reconnects and resumes from the last row it handed over).
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
off="$CW_TMP/offsets"
cw_sql "CREATE TABLE pin (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(30));
  INSERT INTO pin (v) SELECT CONCAT('row', seq) FROM seq_1_to_3000;"
args=(mode=incrementing topic.prefix=r. batch.max.rows=100 poll.interval.ms=100)

cw_note "clean stop after 1000 records, restart: the rest, no repeat"
rds_run --max-records 1000 --offsets "$off" "${args[@]}" >"$CW_TMP/a" 2>"$CW_TMP/err" || cw_fail "run a"
rds_run --until-idle --offsets "$off" "${args[@]}" >"$CW_TMP/b" 2>>"$CW_TMP/err" || cw_fail "run b"
[ "$(wc -l <"$CW_TMP/a")" = 1000 ] || cw_fail "run a: $(wc -l <"$CW_TMP/a") records"
cat "$CW_TMP/a" "$CW_TMP/b" | cut -f2 | jq -r .id >"$CW_TMP/ids"
[ "$(cat "$CW_TMP/ids" | tr '\n' ' ')" = "$(seq -s ' ' 1 3000) " ] || cw_fail "restart lost or repeated rows"

cw_note "kill -9 mid-run, restart: every row at least once, in order after the restart"
rm -f "$off"
rds_run_bg "$CW_TMP/c" "$CW_TMP/c.err" --offsets "$off" --poll-delay-ms 5 "${args[@]}" batch.max.rows=10
pid=$RDS_PID
cw_wait_for 20 "some records" rds_lines_ge "$CW_TMP/c" 200
kill -9 $pid; wait $pid 2>/dev/null || true
n_before=$(wc -l <"$CW_TMP/c")
[ "$n_before" -lt 3000 ] || cw_fail "the run finished before kill -9: nothing tested"
rds_run --until-idle --offsets "$off" "${args[@]}" >"$CW_TMP/d" 2>>"$CW_TMP/err" || cw_fail "run d"
sort -n -u <(cat "$CW_TMP/c" "$CW_TMP/d" | cut -f2 | jq -r .id) >"$CW_TMP/ids"
[ "$(wc -l <"$CW_TMP/ids")" = 3000 ] || cw_fail "rows lost after kill -9 ($(wc -l <"$CW_TMP/ids") distinct)"
first_after=$(head -1 "$CW_TMP/d" | cut -f2 | jq -r .id)
[ "$first_after" -le $((n_before + 1)) ] || cw_fail "restart skipped rows: first after restart is $first_after, $n_before seen before"

cw_note "database restarted mid-run: reconnect, nothing lost, nothing repeated"
rm -f "$off"
# big rows: the streamed result cannot sit in socket buffers, the restart cuts it mid-way
cw_sql "ALTER TABLE pin MODIFY v TEXT; INSERT INTO pin (v) SELECT REPEAT(CONCAT('more', seq), 400) FROM seq_1_to_2000"
total=$(cw_sql "SELECT COUNT(*) FROM pin")
rds_run_bg "$CW_TMP/e" "$CW_TMP/e.err" --offsets "$off" --poll-delay-ms 5 "${args[@]}" batch.max.rows=10
pid=$RDS_PID
cw_wait_for 20 "some records" rds_lines_ge "$CW_TMP/e" 100
cw_restart_mariadb
cw_wait_for 60 "all rows after the database restart" rds_lines_ge "$CW_TMP/e" "$total"
cw_wait_for 30 "the reconnect" grep -q reconnected "$CW_TMP/e.err"
kill $pid; wait $pid 2>/dev/null || true
grep -qiE "lost connection|server has gone away|shutdown|reading pin" "$CW_TMP/e.err" || { cat "$CW_TMP/e.err"; cw_fail "no log line about the lost connection"; }
grep -q "reconnected" "$CW_TMP/e.err" || cw_fail "no reconnect logged"
cut -f2 "$CW_TMP/e" | jq -r .id >"$CW_TMP/ids"
[ "$(sort -n -u "$CW_TMP/ids" | wc -l)" = "$total" ] || cw_fail "rows lost across the database restart"
[ "$(wc -l <"$CW_TMP/ids")" = "$total" ] || cw_fail "rows repeated across the database restart"
! grep -qF "$CW_DB_PASSWORD" "$CW_TMP/e.err" || cw_fail "password in the log"
cw_note "database down when the task starts: the split uses the whitelist, the start is retried"
cw_stop_mariadb
rds_run_bg "$CW_TMP/f" "$CW_TMP/f.err" --tasks 1 --start-retries 200 "${args[@]}" table.whitelist=pin \
    connection.attempts=1
cw_wait_for 20 "a failed start" grep -q "error: start: cannot connect" "$CW_TMP/f.err"
cw_restart_mariadb
cw_wait_for 60 "every row once the database is up" rds_lines_ge "$CW_TMP/f" "$total"
grep -q "splitting table.whitelist unchecked" "$CW_TMP/f.err" || cw_fail "no warning about the unchecked split"
kill "$RDS_PID"
echo "resume ok"
