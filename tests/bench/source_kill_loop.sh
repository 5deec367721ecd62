#!/usr/bin/env bash
# Duplicates per kill -9 of a source worker (issue 18's crash-loop measure). Not a ctest test:
#   CW_BUILD_DIR=build CW_SOURCE_DIR=. CW_WORKER=build/core/connect-worker \
#       bash tests/bench/source_kill_loop.sh [KILLS] [FLUSH_INTERVAL_MS]
# A file-source reads a file that grows by 100 lines every 0.1 s (kill_restart.sh's harness);
# the worker is killed with -9 at a random moment 1 to 3 s after each start and restarted at
# once, KILLS times (default 20), with offset.flush.interval.ms as given (default 10000, the
# shipped etc/worker.properties value). Prints the records in the topic, the distinct lines,
# and the duplicates per kill. Lines are never lost (checked).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
kills=${1:-20}
flush=${2:-10000}
cw_start_mock_cluster --topic lines:1
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=$flush"
cat >"$CW_TMP/source.properties" <<P
name=loop-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=lines
P
: >"$CW_TMP/in.txt"
(
    i=0
    while :; do
        seq $((i * 100 + 1)) $((i * 100 + 100)) | sed 's/^/line /' >>"$CW_TMP/in.txt"
        i=$((i + 1))
        sleep 0.1
    done
) &
writer=$!
CW_PIDS+=("$writer")
for k in $(seq 1 "$kills"); do
    cw_start_worker "run$k" "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
    sleep "$(python3 -c 'import random; print(round(random.uniform(1, 3), 2))')"
    kill -9 "$CW_WORKER_PID"
    cw_wait_exit "$CW_WORKER_PID" 10
done
kill "$writer"
wait "$writer" 2>/dev/null || true
cw_start_worker final "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
lines=$(cw_lines "$CW_TMP/in.txt")
size=$(stat -c %s "$CW_TMP/in.txt")
caught_up() { [ "$(jq '.["loop-source"][] .position' "$CW_TMP/connect.offsets" 2>/dev/null)" = "$size" ]; }
cw_wait_for 120 "every line in the topic" caught_up
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 30
records=$(cw_topic_count lines)
distinct=$(cw_kcat -C -t lines -e -f '%s\n' 2>/dev/null | sort -u | wc -l)
[ "$distinct" = "$lines" ] || cw_fail "$distinct distinct lines in the topic, $lines in the file"
echo "kills=$kills flush.interval=$flush lines=$lines records=$records duplicates=$((records - lines)) per-kill=$(((records - lines) / kills)) copies=$(python3 -c "print(round($records/$lines, 2))")"
