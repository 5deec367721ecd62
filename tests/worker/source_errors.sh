#!/usr/bin/env bash
# A transform failing on a source record: errors.tolerance=none stops the task naming the
# record's source partition and offset, and stores no offset past it; all skips the record
# (logged) and goes on, and the skipped record's offset still advances.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic src-none:1 --topic src-all:1
cw_worker_properties "$CW_TMP/worker.properties"
printf 'good 1\ngood 2\nBAD 3\ngood 4\n' >"$CW_TMP/in.txt"
for tol in none all; do
    cat >"$CW_TMP/$tol.properties" <<P
name=src-$tol
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=src-$tol
transforms=f
transforms.f.type=test-fail-on
transforms.f.fail.on=BAD
errors.tolerance=$tol
errors.log.enable=true
P
done

cw_start_worker none --plugin-path "$CW_TEST_PLUGINS" "$CW_TMP/worker.properties" "$CW_TMP/none.properties"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 1 ] || { cw_dump_logs; cw_fail "tolerance=none: exit code $CW_EXIT_CODE, want 1"; }
cw_log_has "$CW_TMP/none.log" \
    'task failed: record for topic src-none \(source partition \{"filename":"[^"]*in.txt"\}, source offset \{"position":20\}\) failed in stage TRANSFORMATION \(test-fail-on\): transform f \(test-fail-on\): value contains .BAD.' ||
    { cw_dump_logs; cw_fail "no clear error for the source record"; }
[ "$(cw_kcat -C -t src-none -e -f '%s\n' | tr '\n' ' ')" = "good 1 good 2 " ] || cw_fail "src-none holds more than the records before the bad one"
pos=$(jq '.["src-none"][] .position' "$CW_TMP/connect.offsets")
[ "$pos" = 14 ] || cw_fail "stored offset $pos, want 14 (after 'good 2', before the bad record)"

cw_start_worker all --plugin-path "$CW_TEST_PLUGINS" --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/all.properties"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "tolerance=all: exit code $CW_EXIT_CODE"; }
[ "$(cw_kcat -C -t src-all -e -f '%s\n' | tr '\n' ' ')" = "good 1 good 2 good 4 " ] || cw_fail "src-all content wrong"
cw_log_has "$CW_TMP/all.log" "error in stage TRANSFORMATION \(test-fail-on\)" || cw_fail "skipped record not logged"
pos=$(jq '.["src-all"][] .position' "$CW_TMP/connect.offsets")
[ "$pos" = 27 ] || cw_fail "stored offset $pos, want 27 (end of file)"
echo ok >&2
