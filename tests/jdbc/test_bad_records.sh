#!/usr/bin/env bash
# Records the table refuses follow errors.tolerance: with all they go to the dead letter queue
# with the database's error (naming the column where the database or its position does) in the context headers and the good rows are
# committed; with none the task stops naming topic, partition, offset and column, and commits
# nothing past the bad record.
. "$CW_SOURCE_DIR/tests/jdbc/jdbc_common.sh"
db_start
cw_start_mock_cluster --topic typed:1
db_sql "CREATE TABLE typed (id BIGINT PRIMARY KEY, qty INT NOT NULL, label VARCHAR(5))"
printf '%s\n' \
    '{"id":1,"qty":5,"label":"ok"}' \
    '{"id":2,"qty":"many","label":"x"}' \
    '{"id":3,"qty":7,"label":"waytoolong"}' \
    '[1,2]' \
    '{"id":5,"qty":1,"label":"a","color":"red"}' \
    '{"id":6,"qty":null}' \
    '{"id":7,"qty":9,"label":"fine"}' | cw_kcat -P -t typed -p 0

cw_note "errors.tolerance=all: the DLQ gets the five bad records with the database's error"
jdbc_connector "$CW_TMP/all.properties" all typed insert.mode=upsert pk.mode=record_value \
    pk.fields=id errors.tolerance=all errors.deadletterqueue.topic.name=typed-dlq \
    errors.deadletterqueue.topic.replication.factor=1 \
    errors.deadletterqueue.context.headers.enable=true
jdbc_batch all "$CW_TMP/all.properties"
[ "$(db_sql "SELECT id FROM typed ORDER BY id" | tr '\n' ' ')" = "1 7 " ] ||
    cw_fail "typed holds: $(db_sql "SELECT id FROM typed ORDER BY id" | tr '\n' ' ')"
cw_kcat -C -t typed-dlq -e -f '%h\n' >"$CW_TMP/dlq.txt"
[ "$(wc -l <"$CW_TMP/dlq.txt")" = 5 ] || cw_fail "want 5 DLQ records: $(cat "$CW_TMP/dlq.txt")"
expect_dlq() { # OFFSET REGEX
    grep "__connect.errors.offset=$1," "$CW_TMP/dlq.txt" | grep -Eq -- "__connect.errors.exception.message=.*$2" ||
        cw_fail "DLQ record of offset $1 lacks /$2/: $(grep "__connect.errors.offset=$1," "$CW_TMP/dlq.txt")"
}
expect_dlq 1 "column .*qty"
# PostgreSQL names no column for a value too long (SQLSTATE 22001), nor a position in the row
expect_dlq 2 "(column .*label|value too long for type character varying\\(5\\))"
expect_dlq 3 "not an object"
expect_dlq 4 "no column 'color' and auto.evolve is false"
expect_dlq 5 "[Cc]olumn .*qty"
[ "$(metric "$CW_TMP/all.prom" all jdbc_sink_bad_records_total)" = 5 ] ||
    cw_fail "metrics: $(metric "$CW_TMP/all.prom" all jdbc_sink_bad_records_total) bad records, want 5"
[ "$(metric "$CW_TMP/all.prom" all jdbc_sink_rows_written_total)" = 2 ] ||
    cw_fail "metrics: $(metric "$CW_TMP/all.prom" all jdbc_sink_rows_written_total) rows written, want 2"
[ "$(cw_committed connect-all typed:0)" = 7 ] || cw_fail "committed $(cw_committed connect-all typed:0), want 7"

cw_note "errors.tolerance=none: the task stops at offset 1, naming the column"
db_sql "DELETE FROM typed"
jdbc_connector "$CW_TMP/none.properties" none typed insert.mode=upsert pk.mode=record_value \
    pk.fields=id
cw_worker_properties "$CW_TMP/w.properties"
cw_start_worker none --exit-when-caught-up "$CW_TMP/w.properties" "$CW_TMP/none.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 1 ] || { cw_dump_logs; cw_fail "tolerance=none: exit code $CW_EXIT_CODE, want 1"; }
cw_log_has "$CW_TMP/none.log" "typed.*(partition[= ]0|-0).*(offset[= ]1|@1).*column .*qty" ||
    { cw_dump_logs; cw_fail "the stop does not name topic, partition, offset and column"; }
c=$(cw_committed connect-none typed:0)
[ "$c" -le 1 ] || cw_fail "committed $c: past the bad record at offset 1"
[ "$(db_sql "SELECT COUNT(*) FROM typed WHERE id > 1")" = 0 ] || cw_fail "rows after the bad one written"
echo "jdbc bad records ok ($JDBC_DB)"
