#!/usr/bin/env bash
# bench-s3: Kafka (mock cluster) -> S3 (s3rver) through the worker and the S3 sink, beside
# `kcat -C -e` reading the same topic to /dev/null in the same run. Prints records/s, MB/s,
# peak RSS and the ratio to kcat. Not a test: numbers depend on the machine.
#   BENCH_RECORDS (default 299520), BENCH_PARTITIONS (default 64), BENCH_FLUSH (default 520)
# With the defaults every object is full (4680 records per partition = 9 x 520), so all of
# them are written while streaming. "total" runs from the worker's start to the last object
# in S3; "pipeline" from the partition assignment (worker log) to the last object written.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
records=${BENCH_RECORDS:-299520} parts=${BENCH_PARTITIONS:-64} flush=${BENCH_FLUSH:-520}
ASAN_OPTIONS=detect_leaks=0 "$CW_WORKER" --help 2>&1 | grep -q -- "--exit-when-caught-up" || cw_fail "the worker cannot run connectors yet"
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
t0=$(date +%s.%N)
"$CW_WORKER" "$CW_TMP/worker.properties" "$CW_TMP/s3.properties" 2>"$CW_TMP/worker.log" >/dev/null &
wpid=$!
CW_PIDS+=("$wpid")
all_written() { [ "$(count_objects)" -ge "$want_objects" ]; }
cw_wait_for 600 "$want_objects objects in S3" all_written
t1=$(date +%s.%N)
wrss=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
kill "$wpid"; wait "$wpid" 2>/dev/null || true
wt=$(python3 -c "print($t1 - $t0)")
objects=$(cw_s3_keys | wc -l)
# The sink alone (no Kafka): the same number of ~500-byte records through s3-driver.
cw_note "s3-sink alone (s3-driver, no Kafka)"
cw_s3cmd del --recursive --force "s3://$CW_S3_BUCKET/" >/dev/null 2>&1 || true
s3_config "$CW_TMP/driver.properties" flush.size=$flush
read -r dt drss < <(measure "$S3_DRIVER" --config "$CW_TMP/driver.properties" --partitions $parts \
    --records $((records / parts)) --pad 400 --batch 500 --flush-every 50)
python3 - "$records" "$bytes" "$kt" "$krss" "$wt" "$wrss" "$objects" "$CW_TMP/worker.log" "$dt" "$drss" <<'PY'
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
print(f"ratio pipeline/kcat: {kt/pt:.2f}   total/kcat: {kt/wt:.2f}   (target >= 0.5)")
PY
