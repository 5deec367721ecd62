#!/usr/bin/env bash
# Exactly once: upserts keyed by the Kafka coordinates (pk.mode=kafka), one transaction per
# put, offsets committed only behind it.
#  (a) kill -9 of the worker mid-load, then a restart: every record is in the table exactly
#      once, and the committed offsets never passed a row that was not in the table;
#  (b) the database restarted mid-load: the write is retried with backoff on a new
#      connection and nothing is lost or doubled.
. "$CW_SOURCE_DIR/tests/jdbc/jdbc_common.sh"
n=40000
db_start
cw_start_mock_cluster --topic events:2
gen_orders 0 $((n - 1)) | cw_kcat -P -t events -K$'\t'
jdbc_connector "$CW_TMP/eo.properties" eo events insert.mode=upsert pk.mode=kafka \
    auto.create=true batch.size=500 max.retries=30 retry.backoff.ms=200 \
    connection.backoff.ms=200
# the worker hands put at most 500 records: the load takes many transactions
cw_worker_properties "$CW_TMP/worker.properties" \
    "offset.flush.interval.ms=200"

# expect_exact: n rows, each (partition, offset) once, and each id once.
expect_exact() {
    local got
    got=$(db_sql "SELECT COUNT(*), COUNT(DISTINCT id) FROM events")
    [ "$got" = "$(printf '%s\t%s' $n $n)" ] || cw_fail "$1: rows, distinct ids = $got, want $n"
    got=$(db_sql "SELECT COUNT(*) FROM (SELECT __connect_partition, __connect_offset FROM events GROUP BY __connect_partition, __connect_offset HAVING COUNT(*) > 1) d")
    [ "$got" = 0 ] || cw_fail "$1: $got coordinates written twice"
}
# expect_durable GROUP: every offset below the committed one is in the table.
expect_durable() {
    local p c rows
    for p in 0 1; do
        c=$(cw_committed "$1" events:$p)
        [ "$c" -le 0 ] && continue
        rows=$(db_sql "SELECT COUNT(*) FROM events WHERE __connect_partition = $p AND __connect_offset < $c")
        [ "$rows" = "$c" ] || cw_fail "offset $c committed for events-$p but only $rows rows below it"
    done
}

cw_note "(a) kill -9 mid-load"
cw_start_worker eo1 "$CW_TMP/worker.properties" "$CW_TMP/eo.properties"
cw_wait_for 90 "a third of the rows" db_has_rows events $((n / 3))
[ "$(cw_committed connect-eo events:0)" -gt 0 ] 2>/dev/null ||
    cw_wait_for 30 "a committed offset" test "$(cw_committed connect-eo events:0)" -gt 0
expect_durable connect-eo
kill -9 "$CW_WORKER_PID"
wait "$CW_WORKER_PID" 2>/dev/null || true
rows=$(db_count events)
[ "$rows" -lt "$n" ] || cw_fail "the load finished before the kill ($rows rows): nothing tested"
cw_note "killed at $rows rows; restarting"
jdbc_batch eo2 "$CW_TMP/eo.properties"
expect_exact "after kill -9 and restart"
expect_durable connect-eo

cw_note "(b) the database restarts mid-load"
db_sql "DELETE FROM events" >/dev/null
jdbc_connector "$CW_TMP/eo3.properties" eo3 events insert.mode=upsert pk.mode=kafka \
    batch.size=500 max.retries=100 retry.backoff.ms=100 connection.backoff.ms=100
cw_start_worker eo3 --log-level debug --metrics-file "$CW_TMP/eo3.prom" "$CW_TMP/worker.properties" \
    "$CW_TMP/eo3.properties"
cw_wait_for 90 "a fifth of the rows" db_has_rows events $((n / 5))
db_restart
cw_note "database restarted at $(db_count events) rows"
cw_wait_for 180 "every row after the restart" db_has_rows events $n
committed_all() { [ "$(( $(cw_committed connect-eo3 events:0) + $(cw_committed connect-eo3 events:1) ))" = $n ]; }
if ! (cw_wait_for 30 "offsets committed to the end" committed_all); then
    grep -E "committed events-|rows in" "$CW_TMP/eo3.log" | tail -5 >&2
    cw_fail "committed: $(cw_committed connect-eo3 events:0) + $(cw_committed connect-eo3 events:1), want $n"
fi
expect_exact "after the database restart"
expect_durable connect-eo3
cw_log_has "$CW_TMP/eo3.log" "retry 1 of 100" || { cw_dump_logs; cw_fail "no retry logged: the restart was not seen"; }
kill "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$(metric "$CW_TMP/eo3.prom" eo3 jdbc_sink_retries_total)" -ge 1 ] ||
    cw_fail "metrics: no retry counted: $(grep jdbc_sink_retries "$CW_TMP/eo3.prom")"
echo "jdbc exactly once ok ($JDBC_DB)"
