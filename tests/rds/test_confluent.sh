#!/usr/bin/env bash
# Confluent JDBC source compatibility through the real worker (connect-worker, mock Kafka
# cluster, JsonConverter schemaless, read back with kcat): topics without topic.prefix,
# batch.max.rows' default, temporal columns as strings (default) and in Confluent's forms
# (datetime.format=connect_logical, timestamp.granularity), DECIMAL as numbers (default) and
# under numeric.mapping / value.converter.decimal.format, and upstream keys refused by
# --validate with the key named.
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
cw_start_mock_cluster --topic typ:1 --topic big:1 --topic c.typ:1 --topic n.typ:1 \
    --topic s.typ:1 --topic i.typ:1 --topic q:1 \
    --topic w.typ:1 --topic o.typ:1
cw_sql "SET time_zone = '+00:00';
  CREATE TABLE typ (id INT AUTO_INCREMENT PRIMARY KEY, dt DATETIME(6), ts TIMESTAMP(3) NULL,
    d DATE, t TIME(3), small DECIMAL(10,2), wide DECIMAL(30,10), whole DECIMAL(12,0));
  INSERT INTO typ (dt, ts, d, t, small, wide, whole) VALUES
    ('2020-08-28 03:52:47.123456', '2021-01-02 03:04:05.678', '2020-08-28', '13:45:30.250',
     12.34, 12345678901234567890.1234567891, 123456789012),
    ('1969-12-31 23:59:59.500000', '1970-01-01 00:00:01.000', '1969-12-31', '-01:00:00.000',
     -1.28, -0.0000000001, -5),
    ('2038-01-19 03:14:07.000000', NULL, '2000-02-29', '00:00:00.000', 0.00, 0, 0);
  CREATE TABLE big (id INT AUTO_INCREMENT PRIMARY KEY, v INT);
  INSERT INTO big (v) SELECT seq FROM seq_1_to_2500;"
cw_worker_properties "$CW_TMP/worker.properties"
export T_RDS_URL="$CW_DB_URL" T_RDS_USER="$CW_DB_USER" T_RDS_PASSWORD="$CW_DB_PASSWORD"

# connector NAME [key=value...]: a connector file with the connection, mode and converter.
connector() {
    local name=$1; shift
    {
        echo "name=$name"
        echo "connector.class=io.confluent.connect.jdbc.JdbcSourceConnector"
        echo "connection.url=\${env:T_RDS_URL}"
        echo "connection.user=\${env:T_RDS_USER}"
        echo "connection.password=\${env:T_RDS_PASSWORD}"
        echo "mode=incrementing"
        echo "poll.interval.ms=200"
        if [ -z "${NO_CONVERTER:-}" ]; then
            echo "value.converter=org.apache.kafka.connect.json.JsonConverter"
            echo "value.converter.schemas.enable=false"
        fi
        local kv
        for kv in "$@"; do echo "$kv"; done
    } >"$CW_TMP/$name.properties"
}
run_batch() {  # run_batch NAME: one batch run of connector NAME, debug log in NAME.log
    cw_start_worker "$1" --log-level debug --exit-when-caught-up "${WORKER_FILE:-$CW_TMP/worker.properties}" \
        "$CW_TMP/$1.properties"
    cw_wait_exit "$CW_WORKER_PID" 60
    [ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "$1: worker exit code $CW_EXIT_CODE"; }
}
expect_topic() {  # expect_topic TOPIC FILE: the topic's values are exactly FILE's lines
    cw_kcat -C -t "$1" -e -f '%s\n' >"$CW_TMP/$1.kafka"
    cmp "$2" "$CW_TMP/$1.kafka" || { diff "$2" "$CW_TMP/$1.kafka"; cw_fail "topic $1 differs"; }
}

cw_note "no topic.prefix: topics are the table names; default strings and numbers"
connector plain
run_batch plain
cat >"$CW_TMP/plain.want" <<'J'
{"id":1,"dt":"2020-08-28 03:52:47.123456","ts":"2021-01-02 03:04:05.678","d":"2020-08-28","t":"13:45:30.250","small":12.34,"wide":"12345678901234567890.1234567891","whole":123456789012}
{"id":2,"dt":"1969-12-31 23:59:59.500000","ts":"1970-01-01 00:00:01.000","d":"1969-12-31","t":"-01:00:00.000","small":-1.28,"wide":"-0.0000000001","whole":-5}
{"id":3,"dt":"2038-01-19 03:14:07.000000","ts":null,"d":"2000-02-29","t":"00:00:00.000","small":0.00,"wide":"0.0000000000","whole":0}
J
expect_topic typ "$CW_TMP/plain.want"
[ "$(cw_kcat -C -t big -e -f '%s\n' | wc -l)" = 2500 ] || cw_fail "topic big: not 2500 rows"

cw_note "batch.max.rows defaults to 1000 (Confluent 10.8.5+)"
max=$(grep -o 'poll: [0-9]* rows (batch.max.rows [0-9]*)' "$CW_TMP/plain.log" |
      awk '{ if ($2 > m) m = $2; lim = $5 } END { print m, lim }')
[ "$max" = "1000 1000)" ] || { grep 'poll:' "$CW_TMP/plain.log" | head; cw_fail "largest poll / limit: $max"; }

cw_note "datetime.format=connect_logical, decimal.format=BASE64: JsonConverter's forms"
# dt/ts: epoch ms; d: days; t: ms of the day; DECIMAL: BigInteger.toByteArray of the unscaled
# value in base64 (1234 = 04 d2, -128 = 80, 0 = 00, as Kafka's DecimalTest)
connector conn topic.prefix=c. table.whitelist=typ datetime.format=connect_logical \
    value.converter.decimal.format=BASE64
run_batch conn
cat >"$CW_TMP/conn.want" <<'J'
{"id":1,"dt":1598586767123,"ts":1609556645678,"d":18502,"t":49530250,"small":"BNI=","wide":"AY7pD/bDc+DuTj8K0w==","whole":"HL6ZGhQ="}
{"id":2,"dt":-500,"ts":1000,"d":-1,"t":-3600000,"small":"gA==","wide":"/w==","whole":"+w=="}
{"id":3,"dt":2147483647000,"ts":null,"d":11016,"t":0,"small":"AA==","wide":"AA==","whole":"AA=="}
J
expect_topic c.typ "$CW_TMP/conn.want"

cw_note "timestamp.granularity=nanos_long, numeric.mapping=best_fit, decimal.format=NUMERIC"
connector nanos topic.prefix=n. table.whitelist=typ timestamp.granularity=nanos_long \
    numeric.mapping=best_fit value.converter.decimal.format=NUMERIC
run_batch nanos
cat >"$CW_TMP/nanos.want" <<'J'
{"id":1,"dt":1598586767123456000,"ts":1609556645678000000,"d":"2020-08-28","t":"13:45:30.250","small":12.34,"wide":12345678901234567890.1234567891,"whole":123456789012}
{"id":2,"dt":-500000000,"ts":1000000000,"d":"1969-12-31","t":"-01:00:00.000","small":-1.28,"wide":-0.0000000001,"whole":-5}
{"id":3,"dt":2147483647000000000,"ts":null,"d":"2000-02-29","t":"00:00:00.000","small":0.0,"wide":0.0000000000,"whole":0}
J
expect_topic n.typ "$CW_TMP/nanos.want"

cw_note "value.converter.decimal.format in the WORKER file: used by a connector that keeps the worker's converter"
cw_worker_properties "$CW_TMP/worker-dec.properties" \
    value.converter=org.apache.kafka.connect.json.JsonConverter value.converter.schemas.enable=false \
    value.converter.decimal.format=BASE64
NO_CONVERTER=1 connector wdec topic.prefix=w. table.whitelist=typ
WORKER_FILE="$CW_TMP/worker-dec.properties" run_batch wdec
cw_kcat -C -t w.typ -e -f '%s\n' | jq -c '[.small, .wide, .whole]' >"$CW_TMP/wdec.got"
printf '%s\n' '["BNI=","AY7pD/bDc+DuTj8K0w==","HL6ZGhQ="]' '["gA==","/w==","+w=="]' '["AA==","AA==","AA=="]' >"$CW_TMP/wdec.want"
cmp "$CW_TMP/wdec.want" "$CW_TMP/wdec.got" || { diff "$CW_TMP/wdec.want" "$CW_TMP/wdec.got"; cw_fail "worker decimal.format=BASE64 not applied"; }
! grep -qi "unknown.*decimal.format\|decimal.format.*unknown" "$CW_TMP/wdec.log" || cw_fail "the worker's decimal.format warned as unknown"
# As in Kafka, a connector that overrides value.converter configures it from its own keys only.
connector odec topic.prefix=o. table.whitelist=typ
WORKER_FILE="$CW_TMP/worker-dec.properties" run_batch odec
cw_kcat -C -t o.typ -e -f '%s\n' | jq -c '[.small, .wide, .whole]' | head -1 >"$CW_TMP/odec.got"
echo '[12.34,"12345678901234567890.1234567891",123456789012]' | cmp - "$CW_TMP/odec.got" ||
    cw_fail "an overriding converter took the worker's decimal.format: $(cat "$CW_TMP/odec.got")"

cw_note "timestamp.granularity=nanos_string with db.timezone=+02:00"
connector nstr topic.prefix=s. table.whitelist=typ timestamp.granularity=nanos_string \
    db.timezone=+02:00
run_batch nstr
# DATETIME is a wall-clock time in db.timezone (2 h east: 7200 s earlier in epoch terms);
# TIMESTAMP is shown by the server in the session zone, so it keeps its instant
cw_kcat -C -t s.typ -e -f '%s\n' | jq -c '{dt, ts}' >"$CW_TMP/nstr.got"
printf '%s\n' '{"dt":"1598579567123456000","ts":"1609556645678000000"}' \
    '{"dt":"-7200500000000","ts":"1000000000"}' '{"dt":"2147476447000000000","ts":null}' >"$CW_TMP/nstr.want"
cmp "$CW_TMP/nstr.want" "$CW_TMP/nstr.got" || { diff "$CW_TMP/nstr.want" "$CW_TMP/nstr.got"; cw_fail "nanos_string"; }

cw_note "timestamp.granularity=nanos_iso_datetime_string"
connector iso topic.prefix=i. table.whitelist=typ timestamp.granularity=nanos_iso_datetime_string
run_batch iso
cw_kcat -C -t i.typ -e -f '%s\n' | jq -c '{dt, ts}' >"$CW_TMP/iso.got"
printf '%s\n' '{"dt":"2020-08-28T03:52:47.123456000","ts":"2021-01-02T03:04:05.678000000"}' \
    '{"dt":"1969-12-31T23:59:59.500000000","ts":"1970-01-01T00:00:01.000000000"}' \
    '{"dt":"2038-01-19T03:14:07.000000000","ts":null}' >"$CW_TMP/iso.want"
cmp "$CW_TMP/iso.want" "$CW_TMP/iso.got" || { diff "$CW_TMP/iso.want" "$CW_TMP/iso.got"; cw_fail "nanos_iso_datetime_string"; }

cw_note "query.masked: runs as query, never logged (the run logs at debug)"
connector masked topic.prefix=q mode=bulk "query.masked=SELECT v AS masked_col_xyz FROM big WHERE v <= 3"
run_batch masked
[ "$(cw_kcat -C -t q -e -f '%s\n' | tr '\n' ' ')" = '{"masked_col_xyz":1} {"masked_col_xyz":2} {"masked_col_xyz":3} ' ] ||
    cw_fail "query.masked rows"
! grep -q "masked_col_xyz" "$CW_TMP/masked.log" || { grep masked_col_xyz "$CW_TMP/masked.log"; cw_fail "query.masked reached the log"; }

cw_note "--validate: upstream keys we cannot honour are refused, naming the key"
connector bad query="SELECT 1" transaction.isolation.mode=SERIALIZABLE \
    timestamp.columns.mapping='.*:ts' datetime.format=connect_logical db.timezone=Europe/Paris \
    jdbc.credentials.provider.class=com.example.Provider
set +e
"$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/bad.properties" >"$CW_TMP/bad.out" 2>&1
rc=$?
set -e
[ "$rc" = 3 ] || { cat "$CW_TMP/bad.out"; cw_fail "--validate exit $rc, want 3"; }
for key in topic.prefix transaction.isolation.mode timestamp.columns.mapping datetime.format \
    jdbc.credentials.provider.class; do
    grep -q "$key" "$CW_TMP/bad.out" || { cat "$CW_TMP/bad.out"; cw_fail "--validate does not name $key"; }
done
! grep -qi "unknown.*decimal.format" "$CW_TMP"/*.log || cw_fail "decimal.format warned as unknown"
cw_note "accepted keys without effect are warned, naming the key"
connector linger topic.prefix=l. table.whitelist=typ poll.linger.ms=100 catalog.pattern=otherdb
"$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/linger.properties" >"$CW_TMP/linger.out" 2>&1 ||
    { cat "$CW_TMP/linger.out"; cw_fail "--validate refused poll.linger.ms"; }
grep -q "poll.linger.ms=100 has no effect" "$CW_TMP/linger.out" || { cat "$CW_TMP/linger.out"; cw_fail "poll.linger.ms not warned"; }
grep -q "catalog.pattern=otherdb has no effect" "$CW_TMP/linger.out" || { cat "$CW_TMP/linger.out"; cw_fail "catalog.pattern not warned"; }
echo "confluent ok"
