#!/usr/bin/env bash
# Bad configurations fail with one clear sentence naming what is wrong, and never print the
# password: wrong password, unknown table, missing columns, no AUTO_INCREMENT column, an
# unreachable server.
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
cw_sql "CREATE TABLE pin (id INT AUTO_INCREMENT PRIMARY KEY, v INT); CREATE TABLE noai (k INT)"

expect_error() {  # expect_error PATTERN harness-args...: exit 2 and PATTERN on stderr
    local pattern=$1; shift
    local rc=0
    "$RDS_HARNESS" "$@" >"$CW_TMP/out" 2>"$CW_TMP/err" || rc=$?
    [ $rc = 2 ] || { cat "$CW_TMP/err"; cw_fail "expected exit 2 for '$pattern', got $rc"; }
    grep -qE "$pattern" "$CW_TMP/err" || { cat "$CW_TMP/err"; cw_fail "stderr lacks: $pattern"; }
    ! grep -qF "$CW_DB_PASSWORD" "$CW_TMP/err" "$CW_TMP/out" || cw_fail "the password was printed"
    ! grep -qF "wrong-Pw-123" "$CW_TMP/err" "$CW_TMP/out" || cw_fail "the wrong password was printed"
    [ ! -s "$CW_TMP/out" ] || cw_fail "records were produced on error"
}

cw_note "wrong password: names user, host and database"
expect_error "cannot connect to 127\.0\.0\.1:$CW_DB_PORT/$CW_DB_NAME as 'cwuser': Access denied for user 'cwuser'@'127\.0\.0\.1'" \
    "connection.url=$CW_DB_URL" connection.user=cwuser connection.password=wrong-Pw-123 \
    mode=incrementing topic.prefix=t.
cw_note "wrong password given in the URL"
expect_error "Access denied for user 'cwuser'" \
    "connection.url=$CW_DB_URL?user=cwuser&password=wrong-Pw-123" mode=incrementing topic.prefix=t.
cw_note "unknown database"
expect_error "nosuchdb" "connection.url=jdbc:mysql://127.0.0.1:$CW_DB_PORT/nosuchdb" \
    connection.user=cwuser "connection.password=$CW_DB_PASSWORD" mode=bulk topic.prefix=t.
cw_note "unknown table in the whitelist"
expect_error "table.whitelist: table 'nosuch' does not exist in database 'cwdb'" --tasks 1 \
    "connection.url=$CW_DB_URL" connection.user=cwuser "connection.password=$CW_DB_PASSWORD" \
    mode=bulk topic.prefix=t. table.whitelist=pin,nosuch
cw_note "missing incrementing column"
expect_error "incrementing.column.name: column 'nope' does not exist in table 'pin'" \
    "connection.url=$CW_DB_URL" connection.user=cwuser "connection.password=$CW_DB_PASSWORD" \
    mode=incrementing incrementing.column.name=nope topic.prefix=t. table.whitelist=pin
cw_note "missing timestamp column"
expect_error "timestamp.column.name: column 'updated_at' does not exist in table 'pin'" \
    "connection.url=$CW_DB_URL" connection.user=cwuser "connection.password=$CW_DB_PASSWORD" \
    mode=timestamp timestamp.column.name=updated_at topic.prefix=t. table.whitelist=pin
cw_note "no AUTO_INCREMENT column to default to"
expect_error "table 'noai' has no AUTO_INCREMENT column" \
    "connection.url=$CW_DB_URL" connection.user=cwuser "connection.password=$CW_DB_PASSWORD" \
    mode=incrementing topic.prefix=t. table.whitelist=noai
cw_note "a bad query"
expect_error "query: .*nosuchtable" \
    "connection.url=$CW_DB_URL" connection.user=cwuser "connection.password=$CW_DB_PASSWORD" \
    mode=bulk "query=SELECT * FROM nosuchtable" topic.prefix=q
cw_note "timestamp mode without timestamp.column.name"
expect_error "timestamp.column.name: must be set" \
    "connection.url=$CW_DB_URL" connection.user=cwuser "connection.password=$CW_DB_PASSWORD" \
    mode=timestamp topic.prefix=t.
cw_note "not a MySQL URL"
expect_error "connection.url: must name a MySQL or MariaDB database" \
    "connection.url=jdbc:postgresql://127.0.0.1/x" connection.user=cwuser mode=bulk topic.prefix=t.
cw_note "unreachable server: connection.attempts tries with connection.backoff.ms between"
port=$(cw_free_port)
start=$SECONDS
expect_error "cannot connect to 127\.0\.0\.1:$port/cwdb as 'cwuser'" \
    "connection.url=jdbc:mysql://127.0.0.1:$port/cwdb" connection.user=cwuser \
    "connection.password=$CW_DB_PASSWORD" connection.attempts=3 connection.backoff.ms=300 \
    mode=bulk topic.prefix=t.
[ "$(grep -c 'retrying in 300 ms' "$CW_TMP/err")" = 2 ] || { cat "$CW_TMP/err"; cw_fail "expected 2 logged retries"; }
echo "errors ok"
