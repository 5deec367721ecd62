#!/usr/bin/env bash
# bench-s3-scale: how the worker's cost with the S3 sink grows with the partition count (16,
# 64, 256, 1024; ~500-byte records) and with the record size (~100 B, 1 KB, 10 KB; 64
# partitions). Each row: a new mock cluster holding SCALE_MB (default 64) MB of records, kcat
# -C -e reading them (the peer), then the worker in batch mode (--exit-when-caught-up, which
# uploads the last, partial objects too) with flush.size set for two objects per partition.
# Prints records/s (partition assignment to the last object), CPU seconds per GB of the worker
# and of kcat, their ratio, the peak RSS and the memory bound (tests/s3/bench_memory.py).
# Not a test: numbers depend on the machine. SCALE_ROWS limits the rows, e.g. "p16 p64 s100".
# The mock cluster keeps about 5 MiB per partition besides the data (5 GiB at 1024).
shm_free_kib=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $4}')
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && [ "${shm_free_kib:-0}" -gt $((4 * 1024 * 1024)) ]; then
    export TMPDIR=/dev/shm
fi
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
mb=${SCALE_MB:-64}
rows=${SCALE_ROWS:-"p16 p64 p256 p1024 s100 s1000 s10000"}
cw_start_s3rver
: >"$CW_TMP/table.txt"

# <seconds> <peak RSS KiB> <CPU seconds> <exit code> <CPU seconds when the log first said
# "assigned ... partition(s)", or 0> of a command; its stderr to $BENCH_LOG.
measure() {
    python3 - "$@" <<'PY'
import os, resource, subprocess, sys, time
t = time.monotonic()
log = os.environ.get("BENCH_LOG", "/dev/null")
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=open(log, "w"))
at = 0.0
while p.poll() is None:
    if not at and log != "/dev/null":
        if any("assigned" in l and "partition(s)" in l for l in open(log, errors="replace")):
            try:
                f = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
                at = (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
    time.sleep(0.02)
el = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{el:.3f} {ru.ru_maxrss} {ru.ru_utime + ru.ru_stime:.3f} {p.returncode} {at:.3f}")
PY
}

row() { # <name> <partitions> <value bytes>
    local name=$1 parts=$2 size=$3 n flush
    n=$((mb * 1000000 / (size + 20)))
    flush=$(((n / parts + 1) / 2))
    [ "$flush" -ge 1 ] || flush=1
    cw_note "$name: $n records of ~$size bytes over $parts partitions, flush.size=$flush"
    cw_start_mock_cluster --topic scale:$parts
    local mock=$CW_MOCK_PID
    python3 - "$n" "$size" "$CW_TMP/bytes" <<'PY' | kcat -P -b "$CW_BOOTSTRAP" -t scale -p -1 -z none || cw_fail "produce failed"
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
pad = "x" * max(0, size - 60)
total = 0
for i in range(n):
    line = '{"index":%d,"category":"c%d","description":"%s"}\n' % (i, i % 7, pad)
    total += len(line)
    sys.stdout.write(line)
open(sys.argv[3], "w").write(str(total))
PY
    local line_max
    line_max=$((size + 20))
    read -r kt krss kcpu _ _ < <(measure kcat -C -e -q -b "$CW_BOOTSTRAP" -t scale -o beginning -f '%s\n')
    cat >"$CW_TMP/w-$name.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets-$name
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
log.level=debug
P
    cat >"$CW_TMP/s3-$name.properties" <<P
name=scale-$name
connector.class=io.confluent.connect.s3.S3SinkConnector
topics=scale
topics.dir=$name
tasks.max=1
s3.bucket.name=$CW_S3_BUCKET
s3.region=us-east-1
store.url=$CW_S3_URL
aws.access.key.id=S3RVER
aws.secret.access.key=S3RVER
format.class=io.confluent.connect.s3.format.json.JsonFormat
flush.size=$flush
${SCALE_EXTRA:-}
P
    local wt wrss wcpu rc wcpu0 bound text
    # shellcheck disable=SC2086 # a command prefix (profiling), split on purpose
    read -r wt wrss wcpu rc wcpu0 < <(BENCH_LOG="$CW_TMP/worker-$name.log" measure ${SCALE_WRAPPER:-} "$CW_WORKER" \
        --exit-when-caught-up "$CW_TMP/w-$name.properties" "$CW_TMP/s3-$name.properties")
    [ "$rc" = 0 ] || cw_fail "worker failed ($rc): $(tail -5 "$CW_TMP/worker-$name.log")"
    read -r bound text < <(python3 "$CW_SOURCE_DIR/tests/s3/bench_memory.py" \
        "$CW_TMP/w-$name.properties" "$CW_TMP/s3-$name.properties" "$parts" "$line_max" 1)
    local bytes objs
    bytes=$(cat "$CW_TMP/bytes")
    objs=$(s3_complete_objects "$CW_S3_DIR/$CW_S3_BUCKET/$name")
    echo "$name $parts $size $n $bytes $objs $kt $kcpu $krss $wt $wcpu $wrss $bound $CW_TMP/worker-$name.log $wcpu0" >>"$CW_TMP/table.txt"
    kill "$mock"; wait "$mock" 2>/dev/null || true
    rm -rf "${CW_S3_DIR:?}/$CW_S3_BUCKET/$name"
}

for r in $rows; do
    case $r in
    p*) row "$r" "${r#p}" 500 ;;
    s*) row "$r" 64 "${r#s}" ;;
    esac
done

python3 - "$CW_TMP/table.txt" <<'PY'
import sys, datetime
ts = lambda line: datetime.datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
def pipeline_s(log):
    assigned = wrote = None
    for line in open(log):
        if assigned is None and "assigned" in line and "partition(s)" in line: assigned = ts(line)
        if "wrote s3://" in line: wrote = ts(line)
    return (wrote - assigned) if assigned and wrote else float("nan")
print(f"{'row':7} {'parts':>5} {'rec B':>6} {'records':>8} {'objects':>7} | {'kcat rec/s':>10} {'CPU s/GB':>8}"
      f" | {'worker rec/s':>12} {'CPU s/GB':>8} {'CPU/kcat':>8} {'streaming':>9} {'peak RSS':>9} {'bound+32':>9}")
for l in open(sys.argv[1]):
    f = l.split()
    name, parts, size, n, b, objs = f[0], int(f[1]), int(f[2]), int(f[3]), int(f[4]), int(f[5])
    kt, kcpu, wt, wcpu, wrss, bound = float(f[6]), float(f[7]), float(f[9]), float(f[10]), int(f[11]), int(f[12])
    pt, w0 = pipeline_s(f[13]), float(f[14])
    gb = b / 1e9
    flag = "" if wrss * 1024 <= bound + 32 * 2**20 else " OVER"
    print(f"{name:7} {parts:5d} {size:6d} {n:8d} {objs:7d} | {n/kt:10.0f} {kcpu/gb:8.2f}"
          f" | {n/pt:12.0f} {wcpu/gb:8.2f} {wcpu/kcpu:8.2f} {(wcpu-w0)/gb:9.2f} {wrss/1024:7.0f} M"
          f" {(bound/2**20)+32:7.0f} M{flag}")
print("worker rec/s: partition assignment to the last object; CPU: the whole process (start-up,"
      " group join and final flush included); streaming: its CPU s/GB from the partition"
      " assignment on; kcat: -C -e of the same topic, same run.")
PY
