#!/usr/bin/env bash
# The Pinterest pipeline into a database, with the shipped files: MariaDB (emulated data) ->
# RDS source -> Kafka -> the three cleaning recipes -> S3 sink and JDBC sink
# (connectors/pinterest-jdbc-sink.properties) in the same run. Then check_queries.py computes
# the seed's eight answers in Python from the S3 objects of that run and checks that
# examples/pinterest/queries.sql gives the same ones from the tables, on $JDBC_DB (mariadb:
# the source's own server; postgres: a PostgreSQL server). A second batch run adds nothing.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/mariadb.sh"
. "$CW_SOURCE_DIR/tests/lib/postgres.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
ROWS=${CW_E2E_ROWS:-1500}
src=$CW_SOURCE_DIR
JDBC_DB=${JDBC_DB:-mariadb}

cw_start_mariadb
cw_start_s3rver pinterest-data
cw_start_mock_cluster --topic pinterest.pin:3 --topic pinterest.geo:3 --topic pinterest.user:3
python3 "$src/examples/pinterest/datagen.py" load --rows "$ROWS" --seed queries \
    --host 127.0.0.1 --port "$CW_DB_PORT" --user "$CW_DB_USER" --password "$CW_DB_PASSWORD" \
    --database "$CW_DB_NAME" >/dev/null

. "$src/tests/e2e/e2e_env.sh"
if [ "$JDBC_DB" = postgres ]; then
    cw_start_postgres
    export JDBC_URL=$CW_PG_URL JDBC_USER=$CW_PG_USER JDBC_PASSWORD=$CW_PG_PASSWORD
    client=(env PGPASSWORD="$CW_PG_PASSWORD" psql -h 127.0.0.1 -p "$CW_PG_PORT" -U "$CW_PG_USER"
            -d "$CW_PG_NAME" -v ON_ERROR_STOP=1 -qAt -F $'\t')
    null_text=
    db_rows() { cw_psql "SELECT COUNT(*) FROM $1"; }
else
    export JDBC_URL=$CW_DB_URL JDBC_USER=$CW_DB_USER JDBC_PASSWORD=$CW_DB_PASSWORD
    client=(mariadb --no-defaults --default-character-set=utf8mb4 --batch --skip-column-names
            -h127.0.0.1 -P"$CW_DB_PORT" -u"$CW_DB_USER" -p"$CW_DB_PASSWORD" "$CW_DB_NAME")
    null_text=NULL
    db_rows() { cw_sql "SELECT COUNT(*) FROM $1"; }
fi
run_worker() {
    e2e_run_worker "$1" "$JDBC_PASSWORD" "$src/connectors/pinterest-rds-source.properties" \
        "$src/connectors/pinterest-s3-sink.properties" "$src/connectors/pinterest-jdbc-sink.properties"
}
check() {
    local t
    for t in pin geo user; do
        [ "$(db_rows pinterest_$t)" = "$ROWS" ] || cw_fail "pinterest_$t holds $(db_rows pinterest_$t) rows, want $ROWS"
    done
    rm -rf "$CW_TMP/bucket"; mkdir -p "$CW_TMP/bucket"
    cw_s3cmd sync --quiet "s3://pinterest-data/" "$CW_TMP/bucket/" >/dev/null
    python3 "$src/tests/e2e/check_queries.py" "$CW_TMP/bucket" "$src/examples/pinterest/queries.sql" \
        "$null_text" -- "${client[@]}" || cw_fail "the queries' answers differ (above)"
}
cw_note "run 1: $ROWS rows per table into S3 and $JDBC_DB"
run_worker 1
check
cw_note "run 2: nothing new; the tables and answers stay"
run_worker 2
check
echo "e2e jdbc pipeline OK ($JDBC_DB)"
