#!/usr/bin/env bash
# bench-s3-soak: the worker with the S3 sink under a steady load for SOAK_SECONDS (default
# 600), its resident memory sampled every SOAK_EVERY seconds (default 10). Prints the samples,
# the least-squares slope of RSS over time after the first SOAK_WARMUP seconds (default 60:
# buffers and librdkafka's queues fill first) and the peak against the memory bound
# (tests/s3/bench_memory.py + 32 MiB). Its peer: the rate it was fed, and the rate it wrote.
# Not a test: it takes ten minutes.
#   SOAK_RATE records/s of ~500 bytes (default 4000, 2 MB/s), SOAK_PARTITIONS (default 64),
#   SOAK_FLUSH (default 2340: an object per partition every ~37 s at the default rate).
shm_free_kib=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $4}')
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && [ "${shm_free_kib:-0}" -gt $((4 * 1024 * 1024)) ]; then
    export TMPDIR=/dev/shm
fi
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
secs=${SOAK_SECONDS:-600} every=${SOAK_EVERY:-10} warm=${SOAK_WARMUP:-120}
rate=${SOAK_RATE:-4000} parts=${SOAK_PARTITIONS:-64} flush=${SOAK_FLUSH:-2340}
cw_start_mock_cluster --topic soak:$parts
cw_start_s3rver

cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
P
cat >"$CW_TMP/s3.properties" <<P
name=soak
connector.class=io.confluent.connect.s3.S3SinkConnector
topics=soak
tasks.max=1
s3.bucket.name=$CW_S3_BUCKET
s3.region=us-east-1
store.url=$CW_S3_URL
aws.access.key.id=S3RVER
aws.secret.access.key=S3RVER
format.class=io.confluent.connect.s3.format.json.JsonFormat
flush.size=$flush
${SOAK_EXTRA:-}
P

# The producer: records of ~500 bytes, paced in 100 ms steps, into kcat -P (random partitioner).
python3 - "$rate" "$secs" 2>/dev/null <<'PY' | kcat -P -b "$CW_BOOTSTRAP" -t soak -p -1 2>"$CW_TMP/producer.log" &
import sys, time
rate, secs = int(sys.argv[1]), int(sys.argv[2])
pad, step, i = "x" * 380, rate // 10, 0
start = time.monotonic()
while time.monotonic() - start < secs + 5:
    out = []
    for _ in range(step):
        out.append('{"index":%d,"unique_id":"%08x-5d1c-4c0a-9f3b-2f6d1a0e0000","lat":-89.9787,'
                   '"long":-173.7,"category":"c%d","description":"%s"}\n' % (i, i, i % 7, pad))
        i += 1
    sys.stdout.write("".join(out)); sys.stdout.flush()
    time.sleep(max(0, start + i / rate - time.monotonic()))
PY
CW_PIDS+=($!)

"$CW_WORKER" "$CW_TMP/worker.properties" "$CW_TMP/s3.properties" 2>"$CW_TMP/worker.log" >/dev/null &
wpid=$!
CW_PIDS+=("$wpid")
cw_note "soak: $rate records/s over $parts partitions for $secs s, RSS every $every s"
: >"$CW_TMP/rss.txt"
t0=$(date +%s)
while [ $(($(date +%s) - t0)) -lt "$secs" ]; do
    kill -0 "$wpid" 2>/dev/null || cw_fail "the worker died: $(tail -5 "$CW_TMP/worker.log")"
    echo "$(($(date +%s) - t0)) $(awk '/VmRSS/ {print $2}' "/proc/$wpid/status")" \
        "$(s3_complete_objects "$CW_S3_DIR/$CW_S3_BUCKET")" >>"$CW_TMP/rss.txt"
    sleep "$every"
done
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$wpid/stat")
kill "$wpid"; wait "$wpid" 2>/dev/null || true
read -r mem_bound mem_text < <(python3 "$CW_SOURCE_DIR/tests/s3/bench_memory.py" \
    "$CW_TMP/worker.properties" "$CW_TMP/s3.properties" "$parts" 520 1)
python3 - "$CW_TMP/rss.txt" "$warm" "$hwm" "$cpu" "$rate" "$secs" "$flush" "$mem_bound" "$mem_text" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
warm, hwm, cpu, rate, secs, flush = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), \
    int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
bound, text = int(sys.argv[8]), sys.argv[9]
print("  t(s)  RSS(MiB)  objects")
for t, rss, objs in rows:
    print(f"{t:6d} {rss/1024:9.1f} {objs:8d}")
pts = [(t, rss / 1024) for t, rss, _ in rows if t >= warm]
n = len(pts)
mx, my = sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n
slope = sum((t - mx) * (r - my) for t, r in pts) / sum((t - mx) ** 2 for t, _ in pts)
lo, hi = min(p[1] for p in pts), max(p[1] for p in pts)
written = rows[-1][2] * flush
print(f"fed {rate} records/s ({rate * 520 / 1e6:.1f} MB/s) for {secs} s; the sink wrote {rows[-1][2]} objects"
      f" ({written / rows[-1][0]:.0f} records/s of full objects); worker CPU {cpu:.1f} s"
      f" ({cpu / (rows[-1][0] * rate * 520 / 1e9):.2f} s/GB)")
print(f"RSS after {warm} s: {lo:.1f}-{hi:.1f} MiB, slope {slope * 60:+.3f} MiB/min"
      f" ({slope * 600:+.1f} MiB over 10 min); peak {hwm/1024:.0f} MiB, bound {text} + 32 MiB:"
      f" {'within' if hwm * 1024 <= bound + 32 * 1024 * 1024 else 'OVER'}")
PY
