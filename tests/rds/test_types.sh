#!/usr/bin/env bash
# Every common column type maps to the documented JSON value, byte for byte.
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
cw_sql "CREATE TABLE types (
  id INT AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, bi BIGINT, bu BIGINT UNSIGNED,
  f FLOAT, d DOUBLE, dec_small DECIMAL(10,4), dec_big DECIMAL(30,10), dec_int DECIMAL(18,0),
  c CHAR(3), vc VARCHAR(100), tx TEXT,
  dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP NULL, tm TIME, yr YEAR,
  bl BLOB, bn BINARY(3), vb VARBINARY(10), bt BIT(10), b1 BIT(1),
  en ENUM('small','large'), st SET('a','b','c'), js JSON, nul INT)"
cw_sql "INSERT INTO types VALUES (NULL,
  -128, 65535, -8388608, -9223372036854775808, 18446744073709551615,
  -89.9787, -89.9787, 123456.7891, 12345678901234567890.1234567891, 999999999999999999,
  'abc', 'quote\" back\\\\slash\nnewline\ttab', 'unicode: é ü 日本 😀',
  '2020-08-28', '2020-08-28 03:52:47', '2015-10-24 11:23:51.123456', '2021-01-02 03:04:05',
  '-12:34:56', 2022,
  x'00FF10', 'ab', x'DEADBEEF', b'1010101010', b'1',
  'large', 'a,c', '{\"k\": [1, 2.5, null]}', NULL)"
cw_sql "INSERT INTO types (id, dec_big) VALUES (NULL, 1.5)"
rds_run --until-idle mode=incrementing topic.prefix=rds. poll.interval.ms=100 \
    >"$CW_TMP/out" 2>"$CW_TMP/err" || { cat "$CW_TMP/err"; cw_fail "harness failed"; }
[ "$(wc -l <"$CW_TMP/out")" = 2 ] || { cat "$CW_TMP/out"; cw_fail "expected 2 records"; }
got=$(sed -n 1p "$CW_TMP/out")
want=$'rds.types\t{"id":1,"ti":-128,"si":65535,"mi":-8388608,"bi":-9223372036854775808,"bu":18446744073709551615,"f":-89.9787,"d":-89.9787,"dec_small":123456.7891,"dec_big":"12345678901234567890.1234567891","dec_int":999999999999999999,"c":"abc","vc":"quote\\" back\\\\slash\\nnewline\\ttab","tx":"unicode: é ü 日本 😀","dt":"2020-08-28","dtm":"2020-08-28 03:52:47","dtm6":"2015-10-24 11:23:51.123456","ts":"2021-01-02 03:04:05","tm":"-12:34:56","yr":2022,"bl":"AP8Q","bn":"YWIA","vb":"3q2+7w==","bt":682,"b1":1,"en":"large","st":"a,c","js":"{\\"k\\": [1, 2.5, null]}","nul":null}'
[ "$got" = "$want" ] || { printf 'got:  %s\nwant: %s\n' "$got" "$want"; cw_fail "row 1 mapping differs"; }
# every value is valid JSON that jq reads back with the same numbers
printf '%s\n' "$got" | cut -f2 | jq -e '.f == -89.9787 and .bu == 18446744073709551615 and .nul == null' >/dev/null ||
    cw_fail "jq does not read the row back"
got2=$(sed -n 2p "$CW_TMP/out" | cut -f2)
printf '%s' "$got2" | jq -e 'to_entries | map(select(.key != "id" and .key != "dec_big")) | all(.value == null)' >/dev/null ||
    cw_fail "an all-NULL row must map every column to null: $got2"
printf '%s' "$got2" | jq -e '.dec_big == "1.5000000000"' >/dev/null ||
    cw_fail "a DECIMAL(30,10) value is a string whatever its digits: $got2"
# datetime.format=iso8601
rds_run --until-idle mode=bulk topic.prefix=rds. datetime.format=iso8601 poll.interval.ms=100 \
    >"$CW_TMP/iso" 2>>"$CW_TMP/err" || cw_fail "harness failed (iso8601)"
head -1 "$CW_TMP/iso" | cut -f2 | jq -e '.dtm == "2020-08-28T03:52:47" and .dt == "2020-08-28"' >/dev/null ||
    cw_fail "iso8601 datetime format: $(head -1 "$CW_TMP/iso")"
# numeric.mapping=best_fit_eager_double writes every DECIMAL as a number
rds_run --until-idle mode=bulk topic.prefix=rds. numeric.mapping=best_fit_eager_double \
    poll.interval.ms=100 >"$CW_TMP/num" 2>>"$CW_TMP/err" || cw_fail "harness failed (numeric)"
grep -q '"dec_big":12345678901234567890.1234567891,' "$CW_TMP/num" || cw_fail "best_fit_eager_double"
# (invalid UTF-8 -> U+FFFD is covered by rds.unit: the server itself converts text to utf8mb4)
echo "types ok"
