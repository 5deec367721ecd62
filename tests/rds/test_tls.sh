#!/usr/bin/env bash
# TLS through connection.url parameters (Connector/J names): a user that REQUIREs SSL is
# refused without TLS, accepted with sslMode=REQUIRED, and with VERIFY_IDENTITY against the
# right CA; a wrong CA is refused.
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
CW_DB_TLS=1 cw_start_mariadb
mariadb --no-defaults -uroot --socket="$CW_DB_DIR/sock" -e \
    "ALTER USER '$CW_DB_USER'@'127.0.0.1' REQUIRE SSL"
cw_sql "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY); INSERT INTO t VALUES (1),(2)" 2>/dev/null ||
    mariadb --no-defaults -uroot --socket="$CW_DB_DIR/sock" "$CW_DB_NAME" -e \
        "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY); INSERT INTO t VALUES (1),(2)"
base="jdbc:mysql://127.0.0.1:$CW_DB_PORT/$CW_DB_NAME"
run() {  # run URL-SUFFIX: one batch run; exit code in RC
    RC=0
    "$RDS_HARNESS" --until-idle "connection.url=$base$1" "connection.user=$CW_DB_USER" \
        "connection.password=$CW_DB_PASSWORD" mode=incrementing topic.prefix=tls. \
        connection.attempts=1 >"$CW_TMP/out" 2>"$CW_TMP/err" || RC=$?
}
run "?sslMode=DISABLED"
[ $RC = 2 ] && grep -q "Access denied" "$CW_TMP/err" || { cat "$CW_TMP/err"; cw_fail "without TLS the REQUIRE SSL user must be refused"; }
run "?useSSL=true&requireSSL=true"
[ $RC = 0 ] && [ "$(wc -l <"$CW_TMP/out")" = 2 ] || { cat "$CW_TMP/err"; cw_fail "useSSL/requireSSL"; }
grep -q "TLS)" "$CW_TMP/err" || cw_fail "the connection log line must say TLS"
run "?sslMode=VERIFY_IDENTITY&serverSslCert=$CW_DB_DIR/ca.pem"
[ $RC = 0 ] && [ "$(wc -l <"$CW_TMP/out")" = 2 ] || { cat "$CW_TMP/err"; cw_fail "VERIFY_IDENTITY with the right CA"; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" -keyout "$CW_TMP/o.key" \
    -out "$CW_TMP/other-ca.pem" 2>/dev/null
run "?sslMode=VERIFY_CA&serverSslCert=$CW_TMP/other-ca.pem"
[ $RC = 2 ] || { cat "$CW_TMP/err"; cw_fail "a server certificate from another CA must be refused"; }
grep -qiE "certificate|verify|TLS|SSL" "$CW_TMP/err" || { cat "$CW_TMP/err"; cw_fail "the error must say why (certificate)"; }
echo "tls ok"
