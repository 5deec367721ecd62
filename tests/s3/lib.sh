# Shared pieces of the s3 integration tests. Source after common.sh and s3rver.sh.
S3_DRIVER="${S3_DRIVER:-$CW_BUILD_DIR/tests/s3/s3-driver}"

# s3_config FILE [key=value ...]: a connector config for the running s3rver.
s3_config() {
    local f=$1; shift
    {
        echo "s3.bucket.name=$CW_S3_BUCKET"
        echo "store.url=$CW_S3_URL"
        echo "s3.region=us-east-1"
        echo "aws.access.key.id=S3RVER"
        echo "aws.secret.access.key=S3RVER"
        echo "s3.retry.backoff.ms=50"
        echo "s3.part.retries=2"
        printf '%s\n' "$@"
    } >"$f"
}

# s3_all_ids DIR: downloads every object of the bucket with s3cmd into DIR and prints the
# "id" of every record line (decompressing .gz / .zst), one per line.
s3_all_ids() {
    local dir=$1 f
    rm -rf "$dir"; mkdir -p "$dir"
    cw_s3cmd get --recursive "s3://$CW_S3_BUCKET/" "$dir/" >/dev/null
    find "$dir" -type f | sort | while read -r f; do
        case "$f" in
            *.gz) gzip -dc "$f" ;;
            *.zst) zstd -dcq "$f" ;;
            *) cat "$f" ;;
        esac
    done | jq -r .id
}

# s3_expect_exactly_once DIR PARTITIONS RECORDS: every generated record exactly once.
s3_expect_exactly_once() {
    local dir=$1 parts=$2 n=$3
    s3_all_ids "$dir" | sort >"$CW_TMP/ids.got"
    for ((p = 0; p < parts; p++)); do seq -f "$p-%.0f" 0 $((n - 1)); done | sort >"$CW_TMP/ids.want"
    local dups
    dups=$(uniq -d "$CW_TMP/ids.got" | head -5)
    [ -z "$dups" ] || cw_fail "duplicated records: $dups"
    diff -q "$CW_TMP/ids.want" "$CW_TMP/ids.got" >/dev/null ||
        cw_fail "records missing or unexpected: $(comm -3 "$CW_TMP/ids.want" "$CW_TMP/ids.got" | head -5 | tr '\n' ' ')"
}

# s3_clean_aws_env: no AWS_* variable and an empty HOME, so that the credential chain finds
# only what the test gives it.
s3_clean_aws_env() {
    local v
    for v in $(compgen -e); do
        case $v in AWS_*) unset "$v" ;; esac
    done
    export HOME="$CW_TMP/home"
    mkdir -p "$HOME"
}

# s3_start_fake_metadata EXPIRES_IN [AUTH_TOKEN]: starts tests/s3/fake_metadata.py (IMDSv2,
# a container endpoint, STS AssumeRole (calls logged in $CW_TMP/assume.log) and STS
# AssumeRoleWithWebIdentity, which accepts the token in
# $CW_TMP/sts-token, handing out s3rver's keys with a session token that expires
# EXPIRES_IN seconds after each answer). Sets CW_MD_URL, CW_MD_PORT, CW_MD_PID and
# CW_MD_COUNT (a file holding the number of credentials answers, kept across restarts).
# Called again after s3_stop_fake_metadata it restarts on the same port. CW_MD_ARGS: more
# options of fake_metadata.py (--assume-base, --assumed-keys, --assume-external-id...).
s3_start_fake_metadata() {
    CW_MD_PORT=${CW_MD_PORT:-$(cw_free_port)}
    CW_MD_URL="http://127.0.0.1:$CW_MD_PORT"
    CW_MD_COUNT="$CW_TMP/metadata.count"
    python3 "$CW_SOURCE_DIR/tests/s3/fake_metadata.py" --port "$CW_MD_PORT" --expires-in "$1" \
        --auth-token "${2:-container-auth-token}" --count-file "$CW_MD_COUNT" \
        --web-token-file "$CW_TMP/sts-token" --assume-log "$CW_TMP/assume.log" \
        ${CW_MD_ARGS:-} \
        >>"$CW_TMP/metadata.log" 2>&1 &
    CW_MD_PID=$!
    CW_PIDS+=("$CW_MD_PID")
    cw_wait_for 20 "fake metadata server on port $CW_MD_PORT" \
        curl -sf -o /dev/null -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 1" "$CW_MD_URL/latest/api/token"
}

s3_stop_fake_metadata() {
    kill "$CW_MD_PID" 2>/dev/null || true
    wait "$CW_MD_PID" 2>/dev/null || true
}

# s3_md_count: credentials answers served so far.
s3_md_count() { cat "$CW_MD_COUNT"; }

# s3_produce_ids TOPIC PARTITIONS FROM TO: produces {"id":"<p>-<i>","i":<i>} for i in
# FROM..TO-1 into every partition p of TOPIC (the ids s3_expect_exactly_once looks for).
s3_produce_ids() {
    local topic=$1 parts=$2 from=$3 to=$4 p i
    for ((p = 0; p < parts; p++)); do
        for ((i = from; i < to; i++)); do printf '{"id":"%d-%d","i":%d}\n' $p $i $i; done >"$CW_TMP/ids.jsonl"
        kcat -P -b "$CW_BOOTSTRAP" -t "$topic" -p $p -l "$CW_TMP/ids.jsonl" || cw_fail "kcat produce failed"
    done
}

# s3_complete_objects [DIR]: how many objects s3rver holds completely under DIR (default: all
# of its data). s3rver writes an object's metadata after its bytes, and a PUT cut off can
# leave an object file without it.
s3_complete_objects() {
    find "${1:-$CW_S3_DIR}" -name '*._S3rver_metadata.json' 2>/dev/null | wc -l
}

# s3_json_worker_properties FILE: cw_worker_properties with schemaless JSON values.
s3_json_worker_properties() {
    cw_worker_properties "$1"
    sed -i 's/^value.converter=.*/value.converter=org.apache.kafka.connect.json.JsonConverter\nvalue.converter.schemas.enable=false/' "$1"
}

# s3_ev_connector FILE NAME [key=value...]: an S3 sink of topic "ev" into the running
# s3rver, 10 records an object, with no credentials of its own (the chain finds them).
s3_ev_connector() {
    local f=$1 name=$2; shift 2
    {
        echo "name=$name"
        echo "connector.class=io.confluent.connect.s3.S3SinkConnector"
        echo "topics=ev"
        echo "s3.bucket.name=$CW_S3_BUCKET"
        echo "s3.region=us-east-1"
        echo "store.url=$CW_S3_URL"
        echo "s3.retry.backoff.ms=50"
        echo "flush.size=10"
        printf '%s\n' "$@"
    } >"$f"
}

# s3_start_throttle RATE: a slow link to the running s3rver (tests/lib/throttle_proxy.py:
# RATE bytes/s shared by every connection, both ways). Sets CW_THROTTLE_URL and
# CW_THROTTLE_PID.
s3_start_throttle() {
    local port
    port=$(cw_free_port)
    python3 "$CW_SOURCE_DIR/tests/lib/throttle_proxy.py" --listen "$port" \
        --upstream "127.0.0.1:$CW_S3_PORT" --rate "$1" >>"$CW_TMP/throttle.log" 2>&1 &
    CW_THROTTLE_PID=$!
    CW_PIDS+=("$CW_THROTTLE_PID")
    CW_THROTTLE_URL="http://127.0.0.1:$port"
    cw_wait_for 20 "throttling proxy" grep -q ready "$CW_TMP/throttle.log"
}

# s3_produce_padded TOPIC PARTITIONS RECORDS PAD: produces {"id":"<p>-<i>","i":<i>,"pad":"x..."}
# (PAD bytes of padding) for i in 0..RECORDS-1 into every partition p of TOPIC.
s3_produce_padded() {
    local topic=$1 parts=$2 n=$3 pad p
    pad=$(head -c "$4" /dev/zero | tr '\0' x)
    for ((p = 0; p < parts; p++)); do
        awk -v p=$p -v n="$n" -v pad="$pad" 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\":\"%d-%d\",\"i\":%d,\"pad\":\"%s\"}\n", p, i, i, pad }' \
            >"$CW_TMP/padded.jsonl"
        kcat -P -b "$CW_BOOTSTRAP" -t "$topic" -p $p -l "$CW_TMP/padded.jsonl" || cw_fail "kcat produce failed"
    done
}

# s3_drop_cut_off_objects: deletes what s3rver keeps of PUTs a kill -9 cut off. s3rver writes
# an object's bytes before its metadata and keeps (and serves, and lists) the bytes of a PUT
# whose client died, without the request's x-amz-meta-* headers; on S3 a PUT is atomic and
# such an object never exists. The sink's overwrite protection takes an object without
# origin metadata for another writer's and stops, so kill -9 tests call this after a kill.
# s3rver notices the dead client a moment later: scans until two scans 0.3 s apart find none.
s3_drop_cut_off_objects() {
    local clean=0 found f deadline=$((SECONDS + 20))
    while [ $clean -lt 2 ]; do
        [ $SECONDS -lt $deadline ] || cw_fail "s3rver keeps making objects without metadata"
        found=0
        while read -r f; do
            [ -n "$f" ] || continue
            [ -f "${f%._S3rver_object}._S3rver_metadata.json" ] && continue
            rm -f "$f" "$f.md5"
            found=1
        done < <(find "$CW_S3_DIR" -name '*._S3rver_object')
        if [ $found = 0 ]; then clean=$((clean + 1)); else clean=0; fi
        sleep 0.3
    done
}
