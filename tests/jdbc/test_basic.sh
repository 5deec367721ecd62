#!/usr/bin/env bash
# jdbc-sink through the real worker: auto.create from schemaless JSON (types per the README's
# rules), upserts on a value field, auto.evolve, exact strings, kafka coordinates as the key,
# tombstones deleting by record key, insert.mode=update, and offsets committed to the end.
. "$CW_SOURCE_DIR/tests/jdbc/jdbc_common.sh"
db_start
cw_start_mock_cluster --topic orders:2 --topic keyed:1
gen_orders 0 999 | cw_kcat -P -t orders -K$'\t'

cw_note "upsert on id into an auto-created table, in batches of 128"
jdbc_connector "$CW_TMP/up.properties" up orders insert.mode=upsert pk.mode=record_value \
    pk.fields=id auto.create=true auto.evolve=true batch.size=128
jdbc_batch up "$CW_TMP/up.properties"
[ "$(db_sql "SELECT COUNT(*), SUM(id) FROM orders")" = "$(printf '1000\t499500')" ] ||
    cw_fail "orders: $(db_sql "SELECT COUNT(*), SUM(id) FROM orders")"
got=$(db_sql "SELECT id, name, amount, CASE WHEN ok THEN 1 ELSE 0 END, CASE WHEN note IS NULL THEN 1 ELSE 0 END FROM orders WHERE id = 3")
[ "$got" = "$(printf '3\tn-3\t3.25\t1\t1')" ] || cw_fail "row 3: $got"
if [ "$JDBC_DB" = mariadb ]; then
    types=$(db_sql "SELECT GROUP_CONCAT(CONCAT(COLUMN_NAME,':',DATA_TYPE,':',COLUMN_KEY) ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_NAME='orders'")
    [ "$types" = "id:bigint:PRI,name:text:,amount:double:,ok:tinyint:,tags:longtext:,note:text:" ] ||
        cw_fail "column types: $types"
    [ "$(db_sql "SELECT tags FROM orders WHERE id = 5")" = '["a",5]' ] || cw_fail "JSON column"
else
    types=$(db_sql "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name='orders'")
    [ "$types" = "id:bigint,name:text,amount:double precision,ok:boolean,tags:jsonb,note:text" ] ||
        cw_fail "column types: $types"
    [ "$(db_sql "SELECT tags->>1 FROM orders WHERE id = 5")" = 5 ] || cw_fail "JSON column"
fi
[ "$(metric "$CW_TMP/up.prom" up jdbc_sink_rows_written_total)" = 1000 ] ||
    cw_fail "metrics: rows written $(metric "$CW_TMP/up.prom" up jdbc_sink_rows_written_total), want 1000"
batches=$(metric "$CW_TMP/up.prom" up jdbc_sink_batches_total)
[ "$batches" -ge 1 ] && [ "$(metric "$CW_TMP/up.prom" up jdbc_sink_batch_seconds_count)" = "$batches" ] ||
    cw_fail "metrics: $batches batches, $(metric "$CW_TMP/up.prom" up jdbc_sink_batch_seconds_count) latencies"
cw_check_metrics "$CW_TMP/up.prom" || cw_fail "promtool rejects the metrics file"
for p in 0 1; do
    end=$(cw_kcat -C -t orders -p $p -o -1 -c 1 -e -f '%o\n')
    [ "$(cw_committed connect-up orders:$p)" = $((end + 1)) ] || cw_fail "orders-$p committed $(cw_committed connect-up orders:$p), want $((end + 1))"
done

cw_note "updates of 50 ids with a new field: upserted, column added"
python3 -c '
import json
for i in range(50):
    print(f"k{i}\t" + json.dumps({"id": i, "name": f"upd-{i}", "extra": i * 2}))' |
    cw_kcat -P -t orders -K$'\t'
jdbc_batch up2 "$CW_TMP/up.properties"
[ "$(db_sql "SELECT COUNT(*), SUM(extra) FROM orders")" = "$(printf '1000\t2450')" ] ||
    cw_fail "after updates: $(db_sql "SELECT COUNT(*), SUM(extra) FROM orders")"
[ "$(db_sql "SELECT COUNT(*) FROM orders WHERE name LIKE 'upd-%'")" = 50 ] || cw_fail "names not updated"

cw_note "kafka coordinates as the key (insert mode), into kafka_orders"
jdbc_connector "$CW_TMP/k.properties" k orders pk.mode=kafka auto.create=true \
    'table.name.format=kafka_${topic}' fields.whitelist=id,name
jdbc_batch k "$CW_TMP/k.properties"
got=$(db_sql "SELECT COUNT(*), COUNT(DISTINCT __connect_partition), MIN(__connect_topic) FROM kafka_orders")
[ "$got" = "$(printf '1050\t2\torders')" ] || cw_fail "kafka_orders: $got"
[ "$(db_sql "SELECT COUNT(*) FROM kafka_orders WHERE amount IS NOT NULL" 2>/dev/null)" = "" ] ||
    cw_fail "fields.whitelist: amount must not be a column"

cw_note "strings survive exactly; tombstones delete by record key"
python3 -c '
import json
for k, name in [("a", "quote'"'"' back\\slash \"dq\""), ("b", "b"), ("c", "ünï 💡\nline2\ttab")]:
    print(f"{k}\t" + json.dumps({"name": name}))' | cw_kcat -P -t keyed -K$'\t'
printf 'b\t\n' | cw_kcat -P -t keyed -K$'\t' -Z
jdbc_connector "$CW_TMP/del.properties" del keyed insert.mode=upsert pk.mode=record_key \
    pk.fields=k delete.enabled=true auto.create=true
jdbc_batch del "$CW_TMP/del.properties"
[ "$(db_sql "SELECT k FROM keyed ORDER BY k" | tr '\n' ' ')" = "a c " ] ||
    cw_fail "keyed: $(db_sql "SELECT k FROM keyed ORDER BY k")"
want=$(printf '%s' "quote' back\\slash \"dq\"" | od -An -tx1 | tr -d ' \n')
if [ "$JDBC_DB" = mariadb ]; then got=$(db_sql "SELECT LOWER(HEX(name)) FROM keyed WHERE k='a'")
else got=$(db_sql "SELECT encode(convert_to(name, 'UTF8'), 'hex') FROM keyed WHERE k='a'"); fi
[ "$got" = "$want" ] || cw_fail "string a: $got, want $want"
want=$(printf 'ünï 💡\nline2\ttab' | od -An -tx1 | tr -d ' \n')
if [ "$JDBC_DB" = mariadb ]; then got=$(db_sql "SELECT LOWER(HEX(name)) FROM keyed WHERE k='c'")
else got=$(db_sql "SELECT encode(convert_to(name, 'UTF8'), 'hex') FROM keyed WHERE k='c'"); fi
[ "$got" = "$want" ] || cw_fail "string c: $got, want $want"

cw_note "insert.mode=update changes existing rows only"
python3 -c '
import json
print("a\t" + json.dumps({"name": "A2"}))
print("zz\t" + json.dumps({"name": "nobody"}))' | cw_kcat -P -t keyed -K$'\t'
jdbc_connector "$CW_TMP/upd.properties" upd keyed insert.mode=update pk.mode=record_key \
    pk.fields=k delete.enabled=true
jdbc_batch upd "$CW_TMP/upd.properties"
[ "$(db_sql "SELECT k, name FROM keyed WHERE k IN ('a','zz') ORDER BY k")" = "$(printf 'a\tA2')" ] ||
    cw_fail "update: $(db_sql "SELECT k, name FROM keyed ORDER BY k")"
echo "jdbc basic ok ($JDBC_DB)"
