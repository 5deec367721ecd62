#!/usr/bin/env bash
# Through the real worker (mock cluster, kcat, s3rver read back with s3cmd): behaviours where
# Confluent's S3 sink (kafka-connect-storage-cloud / -common) is the reference, one case per
# topic. Each case states Confluent's result; the comment says what we did before.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
topics=(fieldnull maxopen pathslash nochange change numstr defrot tomb hdrs kbytes acl ssec tsclass)
args=()
for t in "${topics[@]}"; do args+=(--topic "$t:1"); done
cw_start_mock_cluster "${args[@]}"
cw_start_s3rver
s3_json_worker_properties "$CW_TMP/w.properties"

# produce TOPIC [kcat args...]: the lines of stdin as records "key|value" (empty value: null).
produce() {
    local t=$1; shift
    kcat -P -b "$CW_BOOTSTRAP" -t "$t" -p 0 -K '|' -Z "$@" || cw_fail "kcat produce to $t failed"
}
# connector TOPIC [key=value...]: the connector file of an s3 sink of TOPIC.
connector() {
    local t=$1; shift
    s3_ev_connector "$CW_TMP/$t.properties" "s3-$t" "aws.access.key.id=S3RVER" \
        "aws.secret.access.key=S3RVER" "$@"
    sed -i "s/^topics=ev$/topics=$t/" "$CW_TMP/$t.properties"
}
# run TOPIC [key=value...]: one batch run of an s3 sink of TOPIC.
run() {
    local t=$1; shift
    connector "$t" "$@"
    timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/w.properties" "$CW_TMP/$t.properties" \
        >"$CW_TMP/$t.log" 2>&1 || { cat "$CW_TMP/$t.log" >&2; cw_fail "worker run for $t failed"; }
}
# keys_of TOPIC: the object keys under topics/TOPIC/.
keys_of() { cw_s3_keys | grep "^topics/$1/" || true; }
expect_keys() { # TOPIC WANT...
    local t=$1; shift
    [ "$(keys_of "$t")" = "$(printf '%s\n' "$@" | sort)" ] ||
        cw_fail "$t: keys: [$(keys_of "$t" | tr '\n' ' ')] want [$*]"
}
expect_object() { # KEY WANT-LINES...
    local key=$1; shift
    cw_s3cmd get --force "s3://$CW_S3_BUCKET/$key" "$CW_TMP/got" >/dev/null || cw_fail "no object $key"
    printf '%s\n' "$@" >"$CW_TMP/want"
    cmp -s "$CW_TMP/want" "$CW_TMP/got" || cw_fail "$key: want [$(cat "$CW_TMP/want")] got [$(cat "$CW_TMP/got")]"
}
FIELD=io.confluent.connect.storage.partitioner.FieldPartitioner
TIME=io.confluent.connect.storage.partitioner.TimeBasedPartitioner

cw_note "FieldPartitioner: a null or missing field is <field>=null (we failed the task)"
printf '%s\n' '1|{"cat":"a"}' '2|{"cat":null}' '3|{"x":1}' | produce fieldnull
run fieldnull flush.size=3 partitioner.class=$FIELD partition.field.name=cat
expect_keys fieldnull topics/fieldnull/cat=a/fieldnull+0+0000000000.json \
    topics/fieldnull/cat=null/fieldnull+0+0000000001.json
expect_object topics/fieldnull/cat=null/fieldnull+0+0000000001.json '{"cat":null}' '{"x":1}'

cw_note "partitioner.max.open.files: -1 by default, unlimited (ours was 100: 1-record objects)"
for i in $(seq 0 299); do printf '%d|{"v":%d}\n' $i $((i % 150)); done | produce maxopen
run maxopen flush.size=300 partitioner.class=$FIELD partition.field.name=v
[ "$(keys_of maxopen | wc -l)" = 150 ] || cw_fail "maxopen: $(keys_of maxopen | wc -l) objects, want 150"
expect_object topics/maxopen/v=149/maxopen+0+0000000149.json '{"v":149}' '{"v":149}'
# ... and Confluent's own -1 is accepted.
connector maxopen flush.size=300 partitioner.class=$FIELD partition.field.name=v \
    partitioner.max.open.files=-1
"$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/maxopen.properties" >"$CW_TMP/v.log" 2>&1 ||
    cw_fail "partitioner.max.open.files=-1 refused: $(cat "$CW_TMP/v.log")"
connector maxopen flush.size=3 partitioner.max.open.files=0
! "$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/maxopen.properties" >"$CW_TMP/v.log" 2>&1 &&
    grep -q "partitioner.max.open.files" "$CW_TMP/v.log" || cw_fail "partitioner.max.open.files=0 accepted"

cw_note "path.format ending in the delimiter: stripped (ours wrote '//' keys, and S3 said 404)"
printf '%s\n' '1|{"ts":1700000000000}' | produce pathslash
run pathslash flush.size=1 partitioner.class=$TIME "path.format='d'=YYYY-MM-dd/" \
    partition.duration.ms=86400000 timestamp.extractor=RecordField timestamp.field=ts
expect_keys pathslash topics/pathslash/d=2023-11-14/pathslash+0+0000000000.json

cw_note "rotate.file.on.partition.change=false: one object per partition while rotate.interval.ms runs"
# 22:13:20, 22:14:20, 22:13:30 UTC: the third record goes back to the first minute.
printf '%s\n' '1|{"ts":1700000000000}' '2|{"ts":1700000060000}' '3|{"ts":1700000010000}' |
    produce nochange
printf '%s\n' '1|{"ts":1700000000000}' '2|{"ts":1700000060000}' '3|{"ts":1700000010000}' |
    produce change
minute=(flush.size=3 partitioner.class=$TIME "path.format='m'=HH-mm" partition.duration.ms=60000
    timestamp.extractor=RecordField timestamp.field=ts rotate.interval.ms=600000)
run nochange "${minute[@]}" rotate.file.on.partition.change=false
expect_keys nochange topics/nochange/m=22-13/nochange+0+0000000000.json \
    topics/nochange/m=22-14/nochange+0+0000000001.json
run change "${minute[@]}"
expect_keys change topics/change/m=22-13/change+0+0000000000.json \
    topics/change/m=22-14/change+0+0000000001.json topics/change/m=22-13/change+0+0000000002.json
grep -q "rotate.file.on.partition.change" "$CW_TMP/nochange.log" && cw_fail "the key is warned as unknown"

cw_note "RecordField: a numeric string is epoch milliseconds (it killed our task)"
printf '%s\n' '1|{"ts":"1427962800000"}' | produce numstr
run numstr flush.size=1 partitioner.class=io.confluent.connect.storage.partitioner.DailyPartitioner \
    timestamp.extractor=RecordField timestamp.field=ts timezone=UTC
expect_keys numstr topics/numstr/year=2015/month=04/day=02/numstr+0+0000000000.json

cw_note "timestamp.extractor as Confluent's full class name (it fell back to the wall clock)"
printf '%s\n' '1|{"ts":1700000000000}' | produce tsclass
run tsclass flush.size=1 partitioner.class=io.confluent.connect.storage.partitioner.DailyPartitioner \
    'timestamp.extractor=io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordFieldTimestampExtractor' \
    timestamp.field=ts timezone=UTC
expect_keys tsclass topics/tsclass/year=2023/month=11/day=14/tsclass+0+0000000000.json
connector tsclass flush.size=1 partitioner.class=io.confluent.connect.storage.partitioner.DailyPartitioner \
    timestamp.extractor=com.example.MyExtractor
! "$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/tsclass.properties" >"$CW_TMP/v.log" 2>&1 &&
    grep -q "timestamp.extractor" "$CW_TMP/v.log" || cw_fail "a custom extractor class was accepted"

cw_note "rotate.interval.ms with the DefaultPartitioner: no rotation (ours rotated on every record)"
printf '%s\n' '1|{"ts":1000}' '2|{"ts":2000}' '3|{"ts":3000}' | produce defrot
run defrot flush.size=3 rotate.interval.ms=1000 timestamp.extractor=RecordField timestamp.field=ts
expect_keys defrot topics/defrot/partition=0/defrot+0+0000000000.json
grep -q "rotate.interval.ms=1000 has no effect" "$CW_TMP/defrot.log" || cw_fail "defrot: no warning"

cw_note "behavior.on.null.values=write: only the keys of tombstones, under <topic>/tombstone/"
printf '%s\n' 'k1|{"a":1}' 'k2|' 'k3|{"a":3}' | produce tomb
run tomb flush.size=3 behavior.on.null.values=write store.kafka.keys=true
expect_keys tomb topics/tomb/partition=0/tomb+0+0000000000.json \
    topics/tomb/partition=0/tomb+0+0000000000.keys.json topics/tomb/tombstone/tomb+0+0000000001.keys.json
expect_object topics/tomb/partition=0/tomb+0+0000000000.json '{"a":1}' '{"a":3}'
expect_object topics/tomb/tombstone/tomb+0+0000000001.keys.json '"k2"'
grep -q "keys.format.class is unset: keys are written as JsonFormat" "$CW_TMP/tomb.log" ||
    cw_fail "tomb: the log does not say what is written instead of Avro keys"
connector tomb flush.size=3 behavior.on.null.values=write
! "$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/tomb.properties" >"$CW_TMP/v.log" 2>&1 &&
    grep -q "store.kafka.keys" "$CW_TMP/v.log" || cw_fail "write without store.kafka.keys accepted"

cw_note "store.kafka.headers: Confluent's JSON shape"
printf '%s\n' '1|{"a":1}' | produce hdrs -H h1=a0 -H h2=b0
run hdrs flush.size=1 store.kafka.headers=true \
    headers.format.class=io.confluent.connect.s3.format.json.JsonFormat
expect_object topics/hdrs/partition=0/hdrs+0+0000000000.headers.json \
    '{"headers":[{"key":"h1","value":"a0"},{"key":"h2","value":"b0"}]}'

cw_note "keys.format.class=ByteArrayFormat: raw key bytes; AvroFormat refused naming the key"
printf '%s\n' 'k1|{"a":1}' 'k2|{"a":2}' | produce kbytes
run kbytes flush.size=2 store.kafka.keys=true \
    keys.format.class=io.confluent.connect.s3.format.bytearray.ByteArrayFormat
expect_object topics/kbytes/partition=0/kbytes+0+0000000000.keys.bin k1 k2
for k in keys.format.class headers.format.class; do
    connector kbytes flush.size=2 store.kafka.keys=true store.kafka.headers=true \
        "$k=io.confluent.connect.s3.format.avro.AvroFormat"
    ! "$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/kbytes.properties" >"$CW_TMP/v.log" 2>&1 &&
        grep -q "$k" "$CW_TMP/v.log" || cw_fail "$k=AvroFormat: $(cat "$CW_TMP/v.log")"
done

cw_note "s3.acl.canned and SSE-C (s3.sse.customer.key): sent with every object (they were ignored)"
# Through a recording proxy in front of s3rver (which accepts and ignores these headers).
proxy_port=$(cw_free_port)
python3 "$CW_SOURCE_DIR/tests/s3/header_proxy.py" --port "$proxy_port" \
    --upstream-port "$CW_S3_PORT" --log "$CW_TMP/requests.jsonl" 2>"$CW_TMP/proxy.log" &
CW_PIDS+=($!)
cw_wait_for 20 "recording proxy" curl -sf -o /dev/null "http://127.0.0.1:$proxy_port/$CW_S3_BUCKET/?max-keys=0"
printf '%s\n' '1|{"a":1}' '2|{"a":2}' | produce acl
run acl flush.size=1 store.url=http://127.0.0.1:$proxy_port s3.acl.canned=bucket-owner-full-control
expect_keys acl topics/acl/partition=0/acl+0+0000000000.json topics/acl/partition=0/acl+0+0000000001.json
acl_puts=$(jq -r 'select(.method=="PUT" and (.path|test("/topics/acl/"))) | .headers["x-amz-acl"]' \
    "$CW_TMP/requests.jsonl" | sort | uniq -c | awk '{print $1, $2}')
[ "$acl_puts" = "2 bucket-owner-full-control" ] || cw_fail "acl: x-amz-acl of the PUTs: [$acl_puts]"
# SSE-C on a multipart object (5.4 MB left open until the final flush, parts of 5 MiB; small records and a long
# ByteArrayFormat separator, since the mock cluster keeps only ~5 MB of a partition):
# CreateMultipartUpload and every UploadPart carry the key and its MD5; no
# x-amz-server-side-encryption header.
key_b64=$(head -c 32 /dev/urandom | base64)
md5_b64=$(printf '%s' "$key_b64" | base64 -d | openssl dgst -md5 -binary | base64)
sep=$(head -c 3000 /dev/zero | tr '\0' x)
for i in $(seq 0 1799); do printf '%d|{"i":%d}\n' $i $i; done | produce ssec
run ssec flush.size=100000 s3.part.size=5242880 store.url=http://127.0.0.1:$proxy_port \
    format.class=ByteArrayFormat "format.bytearray.separator=$sep" \
    s3.ssea.name=AES256 "s3.sse.customer.key=$key_b64"
expect_keys ssec topics/ssec/partition=0/ssec+0+0000000000.bin
jq -c 'select(.path|test("/topics/ssec/")) | select(.method=="PUT" or (.method=="POST" and (.path|test("uploads=$"))))' \
    "$CW_TMP/requests.jsonl" >"$CW_TMP/ssec.req"
[ "$(grep -c '"POST"' "$CW_TMP/ssec.req")" = 1 ] && grep -q '"PUT".*partNumber=1&' "$CW_TMP/ssec.req" ||
    cw_fail "ssec: want a CreateMultipartUpload and UploadParts: $(jq -c '[.method,.path]' "$CW_TMP/ssec.req" | tr '\n' ' ')"
bad=$(jq -r --arg k "$key_b64" --arg m "$md5_b64" 'select(.headers["x-amz-server-side-encryption-customer-algorithm"] != "AES256"
    or .headers["x-amz-server-side-encryption-customer-key"] != $k
    or .headers["x-amz-server-side-encryption-customer-key-md5"] != $m
    or .headers["x-amz-server-side-encryption"] != null) | .method + " " + .path' "$CW_TMP/ssec.req")
[ -z "$bad" ] || cw_fail "ssec: requests without the SSE-C headers: $bad"
! grep -qF "$key_b64" "$CW_TMP/ssec.log" || cw_fail "the SSE-C key reached the log"
for bad_cfg in "s3.sse.customer.key=$key_b64" "s3.ssea.name=AES256 s3.sse.customer.key=c2hvcnQ=" \
    "s3.acl.canned=owner-only"; do
    # shellcheck disable=SC2086
    connector ssec flush.size=1 $bad_cfg
    ! "$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/ssec.properties" >"$CW_TMP/v.log" 2>&1 &&
        grep -q "${bad_cfg%%=*}\|s3.sse.customer.key" "$CW_TMP/v.log" || cw_fail "accepted: $bad_cfg"
    ! grep -qF "$key_b64" "$CW_TMP/v.log" || cw_fail "the SSE-C key reached the validate output"
done
cw_note "s3.credentials.provider.class: AssumeRole keys checked"
# validate_refuses WANT-IN-OUTPUT key=value...: --validate fails and its output has WANT.
validate_refuses() {
    local want=$1; shift
    connector sts flush.size=1 "$@"
    ! "$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/sts.properties" >"$CW_TMP/v.log" 2>&1 &&
        grep -qF -- "$want" "$CW_TMP/v.log" || cw_fail "not refused with '$want': $* -> $(cat "$CW_TMP/v.log")"
}
AR=s3.credentials.provider.class=io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider
validate_refuses "s3.credentials.provider.sts.role.session.name: is required" "$AR" \
    s3.credentials.provider.sts.role.arn=arn:aws:iam::123456789012:role/writer
validate_refuses "s3.credentials.provider.sts.role.arn: must be a role ARN" "$AR" sts.role.session.name=s3sink
validate_refuses "s3.credentials.provider.sts.role.external.id: must be 2 to 1224" "$AR" \
    sts.role.arn=arn:aws:iam::123456789012:role/writer sts.role.session.name=s3sink sts.role.external.id=x
connector sts flush.size=1 "$AR" sts.role.arn=arn:aws:iam::123456789012:role/writer \
    sts.role.session.name=s3sink sts.role.external.id=ext-123 sts.region=eu-west-1
"$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/sts.properties" >"$CW_TMP/v.log" 2>&1 ||
    cw_fail "a complete AssumeRole config refused (it runs: s3.creds_assume_role): $(cat "$CW_TMP/v.log")"
validate_refuses "s3.credentials.provider.class: 'com.example.Creds' is not supported" \
    s3.credentials.provider.class=com.example.Creds
validate_refuses "is only read with s3.credentials.provider.class" \
    sts.role.arn=arn:aws:iam::123456789012:role/writer
cw_note "Confluent keys of features we lack: refused with the reason, not ignored"
validate_refuses "s3.proxy.url: is not supported: set https_proxy" s3.proxy.url=http://proxy:3128
validate_refuses "s3.object.tagging: true is not supported" s3.object.tagging=true
validate_refuses "s3.wan.mode: true is not supported" s3.wan.mode=true
validate_refuses "s3.schema.partition.affix.type: 'PREFIX' is not supported" s3.schema.partition.affix.type=PREFIX
cw_note "Hive keys: hive.integration=true refused; the others accepted and warned by name"
validate_refuses "hive.integration: true is not supported" hive.integration=true hive.metastore.uris=thrift://hms:9083
connector sts flush.size=1 hive.integration=false hive.metastore.uris=thrift://hms:9083 hive.database=lake \
    schema.generator.class=io.confluent.connect.storage.hive.schema.DefaultSchemaGenerator
"$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/sts.properties" >"$CW_TMP/v.log" 2>&1 ||
    cw_fail "hive keys with hive.integration=false refused: $(cat "$CW_TMP/v.log")"
for k in hive.metastore.uris=thrift://hms:9083 hive.database=lake schema.generator.class=; do
    grep -qF "$k" "$CW_TMP/v.log" && grep -F "$k" "$CW_TMP/v.log" | grep -q "has no effect" ||
        cw_fail "--validate does not warn about ${k%%=*}: $(cat "$CW_TMP/v.log")"
done
! grep -qi "unknown" "$CW_TMP/v.log" || cw_fail "a Hive key warned as unknown: $(grep -i unknown "$CW_TMP/v.log")"
connector sts flush.size=1 s3.credentials.provider.class=com.amazonaws.auth.DefaultAWSCredentialsProviderChain
"$CW_WORKER" --validate "$CW_TMP/w.properties" "$CW_TMP/sts.properties" >"$CW_TMP/v.log" 2>&1 ||
    cw_fail "DefaultAWSCredentialsProviderChain refused: $(cat "$CW_TMP/v.log")"
echo "confluent ok"
