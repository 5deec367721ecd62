# Shared pieces of the s3 integration tests. Source after common.sh and s3rver.sh.
S3_DRIVER="$CW_BUILD_DIR/tests/s3/s3-driver"

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
