#!/usr/bin/env bash
# s3.client=libs3 (Signature V2): objects PUT by libs3 are read back by s3cmd (V4) and by
# libs3's own GET. (s3rver rejects V2-signed listings, so only PUT/GET are V2 here.)
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_s3rver
s3_config "$CW_TMP/c.properties" flush.size=10 s3.client=libs3
"$S3_DRIVER" --config "$CW_TMP/c.properties" --partitions 2 --records 30 2>"$CW_TMP/driver.log" ||
    cw_fail "driver failed: $(cat "$CW_TMP/driver.log")"
grep -q "client libs3" "$CW_TMP/driver.log" || cw_fail "libs3 client not used"
[ "$(cw_s3_keys | wc -l)" = 6 ] || cw_fail "keys: $(cw_s3_keys)"
s3_expect_exactly_once "$CW_TMP/dl" 2 30
key="topics/events/partition=1/events+1+0000000010.json"
"$S3_DRIVER" --config "$CW_TMP/c.properties" --get "$key" >"$CW_TMP/libs3.get" 2>"$CW_TMP/get.log" ||
    cw_fail "libs3 GET failed: $(cat "$CW_TMP/get.log")"
cw_s3cmd get "s3://$CW_S3_BUCKET/$key" "$CW_TMP/s3cmd.get" >/dev/null
cmp -s "$CW_TMP/libs3.get" "$CW_TMP/s3cmd.get" || cw_fail "libs3 GET differs from s3cmd GET"
[ "$(wc -l <"$CW_TMP/libs3.get")" = 10 ] || cw_fail "GET returned $(wc -l <"$CW_TMP/libs3.get") lines"
echo "libs3 ok"
