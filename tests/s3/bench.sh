#!/usr/bin/env bash
# bench-s3: Kafka (mock cluster) -> S3 (s3rver) through the worker and the S3 sink, beside
# `kcat -C -e` reading the same topic to /dev/null in the same run. Prints records/s, MB/s,
# peak RSS and the ratio to kcat. Not a test: numbers depend on the machine.
#   BENCH_RECORDS (default 299520), BENCH_PARTITIONS (default 64), BENCH_FLUSH (default 520)
#   BENCH_WORKER_WRAPPER: a command prefix for the worker (profiling), e.g.
#     BENCH_WORKER_WRAPPER="perf record -F 2000 -g -o /tmp/worker.perf --"
#   BENCH_SKIP_DRIVER=1: skip the s3-sink-alone run.
# With the defaults every object is full (4680 records per partition = 9 x 520), so all of
# them are written while streaming. "total" runs from the worker's start to the last object
# in S3; "pipeline" from the partition assignment (worker log) to the last object written.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
records=${BENCH_RECORDS:-299520} parts=${BENCH_PARTITIONS:-64} flush=${BENCH_FLUSH:-520}
cw_start_mock_cluster --topic bench:$parts
cw_start_s3rver

cw_note "producing $records records of ~500 bytes over $parts partitions"
python3 - "$CW_TMP" "$records" "$parts" <<'PY'
import sys, json
tmp, n, parts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = [open(f"{tmp}/bench-{p}.jsonl", "w") for p in range(parts)]
pad = "x" * 380
for i in range(n):
    p = i % parts
    files[p].write('{"index":%d,"unique_id":"%08x-5d1c-4c0a-9f3b-2f6d1a0e%04x","lat":-89.9787,"long":-173.7,"category":"c%d","description":"%s"}\n'
                   % (i, i, p, i % 7, pad))
for f in files: f.close()
PY
for ((p = 0; p < parts; p++)); do
    kcat -P -b "$CW_BOOTSTRAP" -t bench -p $p -l "$CW_TMP/bench-$p.jsonl" || cw_fail "produce failed"
done
bytes=$(cat "$CW_TMP"/bench-*.jsonl | wc -c)

now() { date +%s.%N; }
# Runs a command, prints "<seconds> <peak RSS KiB>".
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
log = open(__import__("os").environ.get("BENCH_STDERR", "/dev/null"), "w")
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=log).returncode
el = time.monotonic() - t
if rc != 0:
    sys.exit(f"command failed ({rc}): {sys.argv[1:]}")
print(f"{el:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}
cw_note "kcat -C -e"
read -r kt krss < <(measure kcat -C -e -q -b "$CW_BOOTSTRAP" -t bench -o beginning -f '%s\n')

cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
log.level=debug
P
cat >"$CW_TMP/s3.properties" <<P
name=bench-s3
connector.class=io.confluent.connect.s3.S3SinkConnector
topics=bench
s3.bucket.name=$CW_S3_BUCKET
s3.region=us-east-1
store.url=$CW_S3_URL
aws.access.key.id=S3RVER
aws.secret.access.key=S3RVER
format.class=io.confluent.connect.s3.format.json.JsonFormat
flush.size=$flush
P
cw_note "connect-worker + s3-sink"
# Streaming mode (as in production): the clock stops when the last object is in S3, counted
# in s3rver's data directory; peak RSS is the worker's VmHWM at that moment.
want_objects=$((records / flush))
count_objects() { find "$CW_S3_DIR" -name '*._S3rver_object' | wc -l; }
# CPU seconds (user + system) a process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
s3cpu0=$(cpu_s "$CW_S3_PID") kcpu0=$(cpu_s "$CW_MOCK_PID")
t0=$(date +%s.%N)
# shellcheck disable=SC2086 # the wrapper is a command prefix, split on purpose
${BENCH_WORKER_WRAPPER:-} "$CW_WORKER" "$CW_TMP/worker.properties" "$CW_TMP/s3.properties" \
    2>"$CW_TMP/worker.log" >/dev/null &
wpid=$!
CW_PIDS+=("$wpid")
if [ -n "${BENCH_WORKER_WRAPPER:-}" ]; then
    # Measure and stop the worker itself, not the wrapper (which ends with it).
    cw_wait_for 20 "the worker under the wrapper" pgrep -P "$wpid"
    wpid=$(pgrep -P "$wpid" | head -1)
fi
all_written() { [ "$(count_objects)" -ge "$want_objects" ]; }
cw_wait_for 600 "$want_objects objects in S3" all_written
t1=$(date +%s.%N)
wrss=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
wcpu=$(cpu_s "$wpid") s3cpu=$(python3 -c "print(round($(cpu_s "$CW_S3_PID") - $s3cpu0, 2))")
kcpu=$(python3 -c "print(round($(cpu_s "$CW_MOCK_PID") - $kcpu0, 2))")
kill "$wpid"; wait "${CW_PIDS[-1]}" 2>/dev/null || true
wt=$(python3 -c "print($t1 - $t0)")
objects=$(cw_s3_keys | wc -l)
# The floor S3 sets: s3rver answering one PUT at a time is the pipeline's slowest stage, so
# the same object files are PUT again by curl over one connection, nothing else running
# (without "Expect: 100-continue", which the sink does not send either).
cw_note "s3rver alone: the same $objects objects PUT by curl"
floor_args=()
while read -r f; do
    floor_args+=(-T "$f" "$CW_S3_URL/$CW_S3_BUCKET/floor/${#floor_args[@]}")
done < <(find "$CW_S3_DIR/$CW_S3_BUCKET" -name '*._S3rver_object' | sort)
read -r ft _ < <(measure curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" -u S3RVER:S3RVER -H "Expect:" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "${floor_args[@]}")
# The sink alone (no Kafka): the same number of ~500-byte records through s3-driver.
dt=nan drss=0
if [ "${BENCH_SKIP_DRIVER:-0}" != 1 ]; then
    cw_note "s3-sink alone (s3-driver, no Kafka)"
    cw_s3cmd del --recursive --force "s3://$CW_S3_BUCKET/" >/dev/null 2>&1 || true
    s3_config "$CW_TMP/driver.properties" flush.size=$flush
    read -r dt drss < <(measure "$S3_DRIVER" --config "$CW_TMP/driver.properties" \
        --partitions $parts --records $((records / parts)) --pad 400 --batch 500 --flush-every 50)
fi
python3 - "$records" "$bytes" "$kt" "$krss" "$wt" "$wrss" "$objects" "$CW_TMP/worker.log" "$dt" "$drss" "$wcpu" "$s3cpu" "$kcpu" "$ft" <<'PY'
import sys, datetime
n, b, kt, krss, wt, wrss, objs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
dt, drss = float(sys.argv[9]), int(sys.argv[10])
ts = lambda line: datetime.datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
assigned = wrote = None
for line in open(sys.argv[8]):
    if assigned is None and "assigned" in line and "partition(s)" in line: assigned = ts(line)
    if "wrote s3://" in line: wrote = ts(line)
pt = (wrote - assigned) if assigned and wrote else float("nan")
print(f"records: {n}, {b/1e6:.1f} MB, {objs} objects written")
print(f"kcat -C -e              : {n/kt:9.0f} records/s {b/kt/1e6:7.1f} MB/s  peak RSS {krss/1024:6.1f} MiB  ({kt:.2f} s)")
print(f"worker+s3-sink pipeline : {n/pt:9.0f} records/s {b/pt/1e6:7.1f} MB/s  peak RSS {wrss/1024:6.1f} MiB  ({pt:.2f} s assignment -> last object)")
print(f"worker+s3-sink total    : {n/wt:9.0f} records/s {b/wt/1e6:7.1f} MB/s  ({wt:.2f} s incl. start and group join)")
print(f"s3-sink alone (driver)  : {n/dt:9.0f} records/s {b/dt/1e6:7.1f} MB/s  peak RSS {drss/1024:6.1f} MiB  ({dt:.2f} s, generating records included)")
ft = float(sys.argv[14])
print(f"s3rver alone (curl PUTs): {objs/ft:9.0f} objects/s {b/ft/1e6:7.1f} MB/s                    ({ft:.2f} s for the same objects)")
print(f"CPU during the worker run: worker {sys.argv[11]} s, s3rver {sys.argv[12]} s, mock Kafka {sys.argv[13]} s")
print(f"ratio pipeline/kcat: {kt/pt:.2f}   total/kcat: {kt/wt:.2f}   (target >= 0.5)   s3rver alone/pipeline: {ft/pt:.2f}")
PY
