#!/usr/bin/env bash
# What the converter view tells the sink: a value in JsonConverter's schemas envelope is
# written from its payload with the column types of its Kafka Connect schema (int32 -> INT,
# Timestamp -> a timestamp column holding that instant in db.timezone, Date -> DATE, ...), and
# a StringConverter value holding a JSON object is that object's row (text that is not JSON
# is a bad record).
. "$CW_SOURCE_DIR/tests/jdbc/jdbc_common.sh"
db_start
cw_start_mock_cluster --topic withschema:1 --topic astext:1
schema='{"type":"struct","fields":[{"field":"id","type":"int32"},{"field":"ts","type":"int64","name":"org.apache.kafka.connect.data.Timestamp","optional":true},{"field":"d","type":"int32","name":"org.apache.kafka.connect.data.Date"},{"field":"price","type":"double"},{"field":"flag","type":"boolean"},{"field":"name","type":"string"}]}'
printf '%s\n' \
    "{\"schema\":$schema,\"payload\":{\"id\":1,\"ts\":1700000000123,\"d\":19675,\"price\":2,\"flag\":true,\"name\":\"x\"}}" \
    "{\"schema\":$schema,\"payload\":{\"id\":2,\"ts\":null,\"d\":0,\"price\":-0.5,\"flag\":false,\"name\":\"y\"}}" |
    cw_kcat -P -t withschema
jdbc_connector "$CW_TMP/env.properties" env withschema value.converter.schemas.enable=true \
    insert.mode=upsert pk.mode=record_value pk.fields=id auto.create=true
jdbc_batch env "$CW_TMP/env.properties"
if [ "$JDBC_DB" = mariadb ]; then
    types=$(db_sql "SELECT GROUP_CONCAT(CONCAT(COLUMN_NAME,':',DATA_TYPE) ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_NAME='withschema'")
    want="id:int,ts:datetime,d:date,price:double,flag:tinyint,name:text"
    got=$(db_sql "SELECT id, ts, d, price FROM withschema ORDER BY id" | tr '\t\n' '| ')
    want_rows="1|2023-11-14 22:13:20.123|2023-11-14|2 2|NULL|1970-01-01|-0.5 "
else
    types=$(db_sql "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name='withschema'")
    want="id:integer,ts:timestamp without time zone,d:date,price:double precision,flag:boolean,name:text"
    got=$(db_sql "SELECT id, ts, d, price FROM withschema ORDER BY id" | tr '\t\n' '| ')
    want_rows="1|2023-11-14 22:13:20.123|2023-11-14|2 2||1970-01-01|-0.5 "
fi
[ "$types" = "$want" ] || cw_fail "types from the schema: $types, want $want"
[ "$got" = "$want_rows" ] || cw_fail "rows: '$got', want '$want_rows'"

# db.timezone: the same instant written in the session's zone (+02:00, ISO sign)
jdbc_connector "$CW_TMP/tz.properties" tz withschema value.converter.schemas.enable=true \
    insert.mode=upsert pk.mode=record_value pk.fields=id auto.create=true \
    'table.name.format=tz_${topic}' db.timezone=+02:00
jdbc_batch tz "$CW_TMP/tz.properties"
[ "$(db_sql "SELECT ts FROM tz_withschema WHERE id = 1")" = "2023-11-15 00:13:20.123" ] ||
    cw_fail "db.timezone=+02:00: $(db_sql "SELECT ts FROM tz_withschema WHERE id = 1")"

printf '%s\n' '{"id":5,"v":"a"}' 'not json at all' '{"id":6,"v":"b"}' | cw_kcat -P -t astext
jdbc_connector "$CW_TMP/txt.properties" txt astext \
    value.converter=org.apache.kafka.connect.storage.StringConverter \
    insert.mode=upsert pk.mode=record_value pk.fields=id auto.create=true errors.tolerance=all \
    errors.deadletterqueue.topic.name=astext-dlq errors.deadletterqueue.topic.replication.factor=1 \
    errors.deadletterqueue.context.headers.enable=true
jdbc_batch txt "$CW_TMP/txt.properties"
[ "$(db_sql "SELECT id, v FROM astext ORDER BY id" | tr '\t\n' '| ')" = "5|a 6|b " ] ||
    cw_fail "astext: $(db_sql "SELECT id, v FROM astext ORDER BY id")"
cw_kcat -C -t astext-dlq -e -f '%s %h\n' | grep -q "^not json at all .*StringConverter text) is not JSON" ||
    cw_fail "the text that is not JSON is not in the DLQ with the reason: $(cw_kcat -C -t astext-dlq -e -f '%s %h\n')"
echo "jdbc converters ok ($JDBC_DB)"
