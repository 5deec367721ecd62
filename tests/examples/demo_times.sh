#!/usr/bin/env bash
# The demo's timing summary (examples/pinterest/demo_times.py) reads the right clocks: the
# worker log's timestamps for the source and the sink's group join, s3rver's store times for
# the first, last full and last object, each relative to the worker's launch.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

d=$CW_TMP/demo
mkdir -p "$d/s3/topics/pinterest.pin/partition=0"
start=1796424682.0 # 2026-12-04T22:51:22Z
cat >"$d/worker.log" <<'LOG'
2026-12-04T22:51:22.100Z INFO  embedded Kafka (librdkafka mock cluster) listening on 127.0.0.1:1 - for trying things only
2026-12-04T22:51:22.200Z INFO  [pinterest-s3-sink/0] sink task started in consumer group connect-pinterest-s3-sink
2026-12-04T22:51:22.400Z INFO  [pinterest-rds-source/0] caught up: every record is acknowledged and its offset stored
2026-12-04T22:51:22.500Z INFO  [pinterest-rds-source/1] caught up: every record is acknowledged and its offset stored
2026-12-04T22:51:25.300Z INFO  [pinterest-s3-sink/0] assigned 12 partition(s)
2026-12-04T22:51:29.100Z INFO  worker stopped
LOG
# two full objects (100 records) and a partly filled one, stored at +4.0, +4.5 and +7.0 s
obj() {  # obj NAME RECORDS SECONDS_AFTER_START
    local f="$d/s3/topics/pinterest.pin/partition=0/$1._S3rver_object"
    seq "$2" >"$f"
    touch -d "@$(awk -v s="$start" -v o="$3" 'BEGIN { printf "%.1f", s + o }')" "$f"
}
obj a 100 4.0
obj b 100 4.5
obj c 30 7.0
python3 "$CW_SOURCE_DIR/examples/pinterest/demo_times.py" --log "$d/worker.log" \
    --objects "$d/s3" --start "$start" --exit "$(awk -v s="$start" 'BEGIN { printf "%.1f", s + 7.2 }')" \
    --rows 230 --setup "build=1.5" >"$CW_TMP/out" || cw_fail "demo_times.py failed"
cat "$CW_TMP/out"
has() { grep -qF -- "$1" "$CW_TMP/out" || cw_fail "missing in the summary: $1"; }
has "setup, not the pipeline: build 1.5 s"
has "  0.5 s  every row read from MariaDB"
has "  3.3 s  S3 sink in its consumer group: the join took 3.1 s, most of it"
has "  4.0 s  first object in S3"
has "  4.5 s  last full object (flush.size=100 records) in S3: 2 of them"
has "  7.0 s  last object in S3: 3 objects, 230 records in 3.7 s after the join"
has "  7.1 s  connect-worker exited" # its log's last line, not when the script noticed
has "start to last object: 7.0 s, 3.1 s of it the first group join"
echo "ok" >&2
