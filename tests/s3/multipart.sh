#!/usr/bin/env bash
# An object over s3.part.size (5 MiB) goes up as a multipart upload: parts while the buffer
# grows, completed at rotation. s3cmd reads back one object with every record; s3rver's log
# shows the parts.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_s3rver
s3_config "$CW_TMP/c.properties" flush.size=13000 s3.part.size=5242880
"$S3_DRIVER" --config "$CW_TMP/c.properties" --partitions 1 --records 13000 --pad 450 --batch 500 \
    2>"$CW_TMP/driver.log" || cw_fail "driver failed: $(cat "$CW_TMP/driver.log")"
key="topics/events/partition=0/events+0+0000000000.json"
[ "$(cw_s3_keys)" = "$key" ] || cw_fail "keys: $(cw_s3_keys)"
size=$(cw_s3cmd ls "s3://$CW_S3_BUCKET/$key" | awk '{print $3}')
[ "$size" -gt 5242880 ] || cw_fail "object is only $size bytes"
# s3rver's own request log says how the object arrived (its ETags carry no part count).
grep -q 'events%2B0%2B0000000000.json?uploads=' "$CW_TMP/s3rver.log" || cw_fail "no CreateMultipartUpload"
grep -q 'Stored part 2 of' "$CW_TMP/s3rver.log" || cw_fail "fewer than 2 parts stored"
! grep -q 'Stored part 3 of' "$CW_TMP/s3rver.log" || cw_fail "more than 2 parts for ~6.5 MB"
s3_expect_exactly_once "$CW_TMP/dl" 1 13000
echo "multipart ok ($size bytes)"
