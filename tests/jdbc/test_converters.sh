#!/usr/bin/env bash
# What the converter view tells the sink: a value in JsonConverter's schemas envelope is
# written from its payload with the column types of its Kafka Connect schema (int32 -> INT,
# Timestamp -> a timestamp column holding that instant in db.timezone, Date -> DATE, ...), and
# a StringConverter value holding a JSON object is that object's row (text that is not JSON
# is a bad record).
. "$CW_SOURCE_DIR/tests/jdbc/jdbc_common.sh"
db_start
cw_start_mock_cluster --topic withschema:1 --topic astext:1 --topic dec:1
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

# bytes and Decimal (JsonConverter's envelope; Kafka's Decimal is base64 of the unscaled value,
# big-endian two's complement, with the schema's scale; decimal.format=NUMERIC gives a
# number): written as BLOB/BYTEA and DECIMAL/NUMERIC values, as Confluent's sink binds them.
# 12.34 = 04d2 "BNI=", -1.28 = 80 "gA==", -1e-10 = ff "/w==" (the vectors of Kafka's
# DecimalTest and the rds-source test); bytes 00 ff 10 41 = "AP8QQQ==".
dschema='{"type":"struct","fields":[{"field":"id","type":"int32"},{"field":"raw","type":"bytes","optional":true},{"field":"amount","type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},{"field":"big","type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"10","connect.decimal.precision":"30"}}]}'
printf '%s\n' \
    "{\"schema\":$dschema,\"payload\":{\"id\":1,\"raw\":\"AP8QQQ==\",\"amount\":\"BNI=\",\"big\":\"AY7pD/bDc+DuTj8K0w==\"}}" \
    "{\"schema\":$dschema,\"payload\":{\"id\":2,\"raw\":\"\",\"amount\":\"gA==\",\"big\":\"/w==\"}}" \
    "{\"schema\":$dschema,\"payload\":{\"id\":3,\"raw\":null,\"amount\":7.5,\"big\":0}}" \
    "{\"schema\":$dschema,\"payload\":{\"id\":4,\"raw\":\"not base64!\",\"amount\":\"AA==\",\"big\":\"AA==\"}}" |
    cw_kcat -P -t dec
jdbc_connector "$CW_TMP/dec.properties" dec dec value.converter.schemas.enable=true \
    insert.mode=upsert pk.mode=record_value pk.fields=id auto.create=true errors.tolerance=all \
    errors.deadletterqueue.topic.name=dec-dlq errors.deadletterqueue.topic.replication.factor=1 \
    errors.deadletterqueue.context.headers.enable=true
jdbc_batch dec "$CW_TMP/dec.properties"
if [ "$JDBC_DB" = mariadb ]; then
    types=$(db_sql "SELECT GROUP_CONCAT(CONCAT(COLUMN_NAME,':',COLUMN_TYPE) ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_NAME='dec'")
    want="id:int(11),raw:longblob,amount:decimal(65,2),big:decimal(65,10)"
    got=$(db_sql "SELECT id, HEX(raw), amount, big FROM \`dec\` ORDER BY id" | tr '\t\n' '| ')
    want_rows="1|00FF1041|12.34|12345678901234567890.1234567891 2||-1.28|-0.0000000001 3|NULL|7.50|0.0000000000 "
else
    types=$(db_sql "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name='dec'")
    want="id:integer,raw:bytea,amount:numeric,big:numeric"
    got=$(db_sql "SELECT id, upper(encode(raw, 'hex')), amount, big FROM dec ORDER BY id" | tr '\t\n' '| ')
    want_rows="1|00FF1041|12.34|12345678901234567890.1234567891 2||-1.28|-0.0000000001 3||7.50|0.0000000000 "
fi
[ "$types" = "$want" ] || cw_fail "bytes/Decimal column types: $types, want $want"
[ "$got" = "$want_rows" ] || cw_fail "bytes/Decimal rows: '$got', want '$want_rows'"
cw_kcat -C -t dec-dlq -e -f '%h\n' | grep -q "field 'raw' is not base64" ||
    cw_fail "bad base64 is not in the DLQ with the reason: $(cw_kcat -C -t dec-dlq -e -f '%h\n')"
echo "jdbc converters ok ($JDBC_DB)"
