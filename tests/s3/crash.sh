#!/usr/bin/env bash
# kill -9 at a random moment, twice, then a clean run from the committed offsets: every
# record is in exactly one object (replays rebuild the same keys with the same content).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_s3rver
s3_config "$CW_TMP/c.properties" flush.size=17 s3.compression.type=gzip
args=(--config "$CW_TMP/c.properties" --partitions 3 --records 300 --batch 10 --flush-every 4
      --commit-file "$CW_TMP/commits")
for round in 1 2; do
    at=$((RANDOM % 50 + 1))
    cw_note "round $round: SIGKILL after $at puts"
    set +e
    "$S3_DRIVER" "${args[@]}" --kill-after-puts "$at" 2>>"$CW_TMP/driver.log"
    rc=$?
    set -e
    [ $rc = 137 ] || cw_fail "driver was not killed (rc $rc): $(tail -3 "$CW_TMP/driver.log")"
    s3_drop_cut_off_objects # S3 keeps nothing of a PUT cut off; s3rver does
done
cw_note "committed before the last run: $(tr '\n' ' ' <"$CW_TMP/commits" 2>/dev/null)"
"$S3_DRIVER" "${args[@]}" 2>>"$CW_TMP/driver.log" || cw_fail "final run failed: $(tail -3 "$CW_TMP/driver.log")"
grep -q "^0 300$" "$CW_TMP/commits" || cw_fail "offsets not committed to the end: $(cat "$CW_TMP/commits")"
s3_expect_exactly_once "$CW_TMP/dl" 3 300
# Every object but the last of each partition holds exactly flush.size records.
n=$(cw_s3_keys | wc -l)
[ "$n" = $((3 * 18)) ] || cw_fail "$n objects, want 54 (17 full + 1 partial per partition)"
echo "crash ok"
