#!/usr/bin/env bash
# Through the real worker: what the S3 sink writes for each converter, with the converters
# set in the worker file only (as AWS's MSK Connect examples do; the connector file names
# none, so the plugin cannot read them from its config) and once as a connector override.
# Expected lines are what Confluent's S3 sink writes: JsonFormat writes the Connect value
# (JsonRecordWriterProvider: Jackson for maps, strings and byte[], the payload of an
# envelope), ByteArrayFormat the bytes of a ByteArrayConverter value (or of an envelope's
# "bytes" payload).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_mock_cluster --topic str:1 --topic json:1 --topic env:1 --topic bytes:1 \
    --topic override:1 --topic babytes:1 --topic baenv:1
cw_start_s3rver

# produce TOPIC: the lines of stdin as records, "key|value".
produce() { kcat -P -b "$CW_BOOTSTRAP" -t "$1" -p 0 -K '|' || cw_fail "kcat produce to $1 failed"; }
# worker_file NAME KEY_CONVERTER VALUE_CONVERTER [SCHEMAS_ENABLE]
worker_file() {
    cat >"$CW_TMP/$1.worker" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
key.converter=$2
value.converter=$3
value.converter.schemas.enable=${4:-true}
key.converter.schemas.enable=false
consumer.session.timeout.ms=6000
P
}
# run TOPIC WORKER_NAME [connector key=value...]: one batch run of an s3 sink of TOPIC.
run() {
    local topic=$1 worker=$2; shift 2
    s3_ev_connector "$CW_TMP/$topic.properties" "s3-$topic" "flush.size=3" "store.kafka.keys=true" \
        "aws.access.key.id=S3RVER" "aws.secret.access.key=S3RVER" "$@"
    sed -i "s/^topics=ev$/topics=$topic/" "$CW_TMP/$topic.properties"
    timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/$worker.worker" \
        "$CW_TMP/$topic.properties" >"$CW_TMP/$topic.log" 2>&1 ||
        { cat "$CW_TMP/$topic.log" >&2; cw_fail "worker run for $topic failed"; }
}
# expect TOPIC SUFFIX WANT_FILE: the object of TOPIC's records 0..2 holds exactly WANT_FILE.
expect() {
    local key="topics/$1/partition=0/$1+0+0000000000$2"
    cw_s3cmd get --force "s3://$CW_S3_BUCKET/$key" "$CW_TMP/got" >/dev/null ||
        cw_fail "no object $key (keys: $(cw_s3_keys | tr '\n' ' '))"
    cmp -s "$3" "$CW_TMP/got" ||
        cw_fail "$key: want [$(cat "$3")] got [$(cat "$CW_TMP/got")]"
}
want() { printf '%s\n' "$@" >"$CW_TMP/want"; }

JSON=org.apache.kafka.connect.json.JsonConverter
STR=org.apache.kafka.connect.storage.StringConverter
BYTES=org.apache.kafka.connect.converters.ByteArrayConverter

# StringConverter in the worker file: text that looks like JSON is a string all the same.
worker_file str "$STR" "$STR"
printf '%s\n' '42|{"a":1}' 'k|plain "text"' '7|[1, 2]' | produce str
run str str
want '"{\"a\":1}"' '"plain \"text\""' '"[1, 2]"'
expect str .json "$CW_TMP/want"
want '"42"' '"k"' '"7"'
expect str .keys.json "$CW_TMP/want"

# JsonConverter without envelope: the JSON as produced, untouched.
worker_file json "$STR" "$JSON" false
printf '%s\n' '1|{"a":1,"lat":-89.9787}' '2|"s"' '3|[1,2]' | produce json
run json json
want '{"a":1,"lat":-89.9787}' '"s"' '[1,2]'
expect json .json "$CW_TMP/want"

# JsonConverter with envelope (schemas.enable=true, the default): the payload.
worker_file env "$STR" "$JSON" true
printf '%s\n' '1|{"schema":null,"payload":{"a":1}}' \
    '2|{"schema":{"type":"string","optional":false},"payload":"{\"b\":2}"}' \
    '3|{"schema":{"type":"bytes","optional":false},"payload":"aGk="}' | produce env
run env env
want '{"a":1}' '"{\"b\":2}"' '"aGk="'
expect env .json "$CW_TMP/want"

# ByteArrayConverter: Jackson writes a byte[] as its base64 string.
worker_file bytes "$BYTES" "$BYTES"
printf '%s\n' 'k1|{"a":1}' 'k2|x' 'k3|' | produce bytes
run bytes bytes
want '"eyJhIjoxfQ=="' '"eA=="' '""'
expect bytes .json "$CW_TMP/want"
want '"azE="' '"azI="' '"azM="'
expect bytes .keys.json "$CW_TMP/want"

# A connector override of the worker's JsonConverter.
printf '%s\n' '1|{"a":1}' '2|{"a":2}' '3|{"a":3}' | produce override
run override json "value.converter=$STR"
want '"{\"a\":1}"' '"{\"a\":2}"' '"{\"a\":3}"'
expect override .json "$CW_TMP/want"

# ByteArrayFormat: the bytes of a ByteArrayConverter value ...
printf '%s\n' '1|{"a":1}' '2|raw text' '3|z' | produce babytes
run babytes bytes "format.class=io.confluent.connect.s3.format.bytearray.ByteArrayFormat"
want '{"a":1}' 'raw text' 'z'
expect babytes .bin "$CW_TMP/want"
# ... and of an envelope's "bytes" payload, decoded.
printf '%s\n' '1|{"schema":{"type":"bytes"},"payload":"aGVsbG8="}' \
    '2|{"schema":{"type":"bytes"},"payload":"d29ybGQ="}' \
    '3|{"schema":{"type":"bytes"},"payload":""}' | produce baenv
run baenv env "format.class=ByteArrayFormat"
want 'hello' 'world' ''
expect baenv .bin "$CW_TMP/want"
echo "converters ok"
