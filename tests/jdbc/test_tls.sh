#!/usr/bin/env bash
# TLS through connection.url parameters, with rds-source's names (the SDK's sdk_db.h): against
# a server with a test CA, sslMode/sslmode=verify-full with that CA (serverSslCert /
# sslrootcert) connects over TLS and writes; the same against another CA stops the task with
# an error about the certificate, and writes nothing.
. "$CW_SOURCE_DIR/tests/jdbc/jdbc_common.sh"
export CW_DB_TLS=1 CW_PG_TLS=1
db_start
if [ "$JDBC_DB" = mariadb ]; then dir=$CW_DB_DIR; ca=serverSslCert; else dir=$CW_PG_DIR; ca=sslrootcert; fi
cw_start_mock_cluster --topic sec:1
gen_orders 1 20 | cw_kcat -P -t sec -K$'\t'
base=$DB_URL
DB_URL="$base?sslmode=verify-full&$ca=$dir/ca.pem"
jdbc_connector "$CW_TMP/ok.properties" ok sec pk.mode=kafka auto.create=true
jdbc_batch ok "$CW_TMP/ok.properties"
[ "$(db_count sec)" = 20 ] || cw_fail "sec holds $(db_count sec) rows, want 20"
cw_log_has "$CW_TMP/ok.log" "connected to 127\.0\.0\.1:[0-9]+/cwdb as 'cwuser' \(.*TLS\)" ||
    { cw_dump_logs; cw_fail "the connection log line does not say TLS"; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" -keyout "$CW_TMP/o.key" \
    -out "$CW_TMP/other-ca.pem" 2>/dev/null
DB_URL="$base?sslmode=verify-full&$ca=$CW_TMP/other-ca.pem"
jdbc_connector "$CW_TMP/bad.properties" bad sec pk.mode=kafka auto.create=true \
    'table.name.format=bad_${topic}' connection.attempts=1
cw_worker_properties "$CW_TMP/w.properties"
cw_start_worker bad --exit-when-caught-up "$CW_TMP/w.properties" "$CW_TMP/bad.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" != 0 ] || cw_fail "a server certificate from another CA was accepted"
grep -qiE "certificate|verify" "$CW_TMP/bad.log" || { cw_dump_logs; cw_fail "the error does not say why (certificate)"; }
[ "$(db_count bad_sec)" = 0 ] || cw_fail "rows written over an unverified connection"
echo "jdbc tls ok ($JDBC_DB)"
