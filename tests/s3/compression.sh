#!/usr/bin/env bash
# gzip (.json.gz, Confluent's name) and zstd (.json.zst, our extension): objects are valid
# streams for the standard tools and hold every record exactly once.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_s3rver
for kind in gzip zstd; do
    ext=gz; [ $kind = zstd ] && ext=zst
    cw_s3cmd del --recursive --force "s3://$CW_S3_BUCKET/" >/dev/null 2>&1 || true
    s3_config "$CW_TMP/$kind.properties" flush.size=40 s3.compression.type=$kind
    "$S3_DRIVER" --config "$CW_TMP/$kind.properties" --partitions 2 --records 100 2>"$CW_TMP/$kind.log" ||
        cw_fail "$kind: driver failed: $(cat "$CW_TMP/$kind.log")"
    keys=$(cw_s3_keys)
    want="topics/events/partition=0/events+0+0000000000.json.$ext
topics/events/partition=0/events+0+0000000040.json.$ext
topics/events/partition=0/events+0+0000000080.json.$ext
topics/events/partition=1/events+1+0000000000.json.$ext
topics/events/partition=1/events+1+0000000040.json.$ext
topics/events/partition=1/events+1+0000000080.json.$ext"
    [ "$keys" = "$want" ] || cw_fail "$kind: keys: $keys"
    cw_s3cmd get "s3://$CW_S3_BUCKET/topics/events/partition=1/events+1+0000000040.json.$ext" "$CW_TMP/one.$ext" >/dev/null
    if [ $kind = gzip ]; then gzip -t "$CW_TMP/one.$ext" || cw_fail "not gzip"; lines=$(gzip -dc "$CW_TMP/one.$ext" | wc -l)
    else zstd -tq "$CW_TMP/one.$ext" || cw_fail "not zstd"; lines=$(zstd -dcq "$CW_TMP/one.$ext" | wc -l); fi
    [ "$lines" = 40 ] || cw_fail "$kind: $lines lines in one object, want 40"
    s3_expect_exactly_once "$CW_TMP/dl-$kind" 2 100
done
echo "compression ok"
