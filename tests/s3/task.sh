#!/usr/bin/env bash
# Task behaviour (see test_task.c) with the resulting objects checked through s3cmd.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_s3rver
S3_URL=$CW_S3_URL S3_BUCKET=$CW_S3_BUCKET "$CW_BUILD_DIR/tests/s3/s3-task-tests" || cw_fail "task checks failed"
want="topics/maxopen/cat=c0/maxopen+0+0000000000.json
topics/maxopen/cat=c0/maxopen+0+0000000003.json
topics/maxopen/cat=c1/maxopen+0+0000000001.json
topics/maxopen/cat=c1/maxopen+0+0000000004.json
topics/maxopen/cat=c2/maxopen+0+0000000002.json
topics/maxopen/cat=c2/maxopen+0+0000000005.json
topics/rint/d=2023/rint+0+0000000000.json
topics/rint/d=2023/rint+0+0000000004.json
topics/rint/d=2023/rint+0+0000000008.json
topics/routed/partition=0/r1+0+0000000000.json
topics/routed/partition=0/r1+0+0000000003.json
topics/routed/partition=0/r2+1+0000000000.json
topics/routed/partition=0/r2+1+0000000003.json
topics/sched/partition=0/sched+0+0000000000.json
topics/side/partition=0/side+0+0000000001.headers.json
topics/side/partition=0/side+0+0000000001.json
topics/side/partition=0/side+0+0000000001.keys.json"
got=$(cw_s3_keys)
[ "$got" = "$want" ] || cw_fail "keys differ:
$got"
get() { cw_s3cmd get "s3://$CW_S3_BUCKET/$1" - 2>/dev/null; }
[ "$(get topics/sched/partition=0/sched+0+0000000000.json | wc -l)" = 5 ] || cw_fail "sched object"
[ "$(get topics/rint/d=2023/rint+0+0000000004.json | jq -s -c 'map(.i)')" = "[4,5,6,7]" ] || cw_fail "rint object"
[ "$(get topics/side/partition=0/side+0+0000000001.json)" = '{"v":1}' ] || cw_fail "side value"
[ "$(get topics/side/partition=0/side+0+0000000001.keys.json)" = '"k1"' ] || cw_fail "side keys"
[ "$(get topics/side/partition=0/side+0+0000000001.headers.json)" = '{"headers":[{"key":"source","value":"test"}]}' ] || cw_fail "side headers"
[ "$(get topics/routed/partition=0/r2+1+0000000000.json | jq -s -c 'map(.from + "-" + (.i|tostring))')" = '["r2-0","r2-1","r2-2"]' ] ||
    cw_fail "routed object"
echo "task ok"
