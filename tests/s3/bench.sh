#!/usr/bin/env bash
# bench-s3: Kafka (mock cluster) -> S3 (s3rver) through the worker and the S3 sink, beside
# `kcat -C -e` reading the same topic to /dev/null in the same run. Prints records/s, MB/s,
# peak RSS and the ratio to kcat, then three verdicts: WALL (the pipeline against the slower
# of its two peers, kcat and s3rver alone; goal >= 0.8), CPU (the worker's CPU seconds per GB
# beside kcat's for the same bytes; goal <= 1.5x) and MEMORY (the peak RSS against the bound
# of plugins/s3-sink/README.md, "Memory", computed by bench_memory.py, + 32 MiB: the bench
# fails when it is over). Not a test: numbers depend on the machine.
#   BENCH_RECORDS (default 299520), BENCH_PARTITIONS (default 64)
#   BENCH_FLUSH (default 2340: ~1.2 MB objects, two per partition)
#   BENCH_TASKS (default 1): the connector's tasks.max
#   BENCH_EXTRA: one more connector config line, e.g. BENCH_EXTRA=s3.upload.threads=1
#   BENCH_RUNS (default 3): kcat, the worker and s3rver alone are each measured this many times,
#     alternating, after one untimed warm-up round; the medians are compared (timings here vary
#     by up to 1.5x from run to run)
#   BENCH_WORKER_WRAPPER: a command prefix for the worker (profiling), e.g.
#     BENCH_WORKER_WRAPPER="perf record -F 2000 -g -o /tmp/worker.perf --"
#   BENCH_SKIP_DRIVER=1: skip the s3-sink-alone run.
# With the defaults every object is full (4680 records per partition = 2 x 2340), so all of
# them are written while streaming. "total" runs from the worker's start to the last object
# in S3; "pipeline" from the partition assignment (worker log) to the last object written.
# Each worker run is a new connector (new consumer group, own topics.dir), so it reads the
# topic from the start like kcat.
# The Kafka double (mock cluster) keeps its data in memory; the S3 double does too when
# /dev/shm has room: on disk, ext4's inode allocation was most of s3rver's cost per object.
shm_free_kib=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $4}')
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && [ "${shm_free_kib:-0}" -gt $((4 * 1024 * 1024)) ]; then
    export TMPDIR=/dev/shm
fi
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
records=${BENCH_RECORDS:-299520} parts=${BENCH_PARTITIONS:-64} flush=${BENCH_FLUSH:-2340}
tasks=${BENCH_TASKS:-1} runs=${BENCH_RUNS:-3}
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
line_max=$(cat "$CW_TMP"/bench-*.jsonl | awk '{ if (length($0) + 1 > m) m = length($0) + 1 } END { print m }')

# Runs a command, prints "<seconds> <peak RSS KiB> <CPU seconds (user + system)>".
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
log = open(__import__("os").environ.get("BENCH_STDERR", "/dev/null"), "w")
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=log).returncode
el = time.monotonic() - t
if rc != 0:
    sys.exit(f"command failed ({rc}): {sys.argv[1:]}")
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{el:.3f} {ru.ru_maxrss} {ru.ru_utime + ru.ru_stime:.3f}")
PY
}
# CPU seconds (user + system) a process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
sub() { python3 -c "print(round($1 - $2, 3))"; }
# A thread's scheduler counters (/proc/<pid>/task/<tid>/schedstat): seconds on a CPU and
# seconds runnable but waiting for one, "<run> <wait>". What is left of a window's wall time
# the thread slept: it had nothing to do (s3rver: no request, or waiting on its file pool).
sched_s() { awk '{printf "%.3f %.3f", $1 / 1e9, $2 / 1e9}' "/proc/$1/schedstat"; }
sched_sub() { python3 -c "a, b = '$1'.split(), '$2'.split(); print(f'{float(a[0]) - float(b[0]):.3f} {float(a[1]) - float(b[1]):.3f}')"; }

cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/offsets
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
log.level=debug
P
want_objects=$((records / flush))

# One worker run (connector "run<N>", objects under run<N>/). Streaming mode, as in
# production: the clock stops when the last object is in S3, counted in s3rver's data
# directory; peak RSS is the worker's VmHWM at that moment. Appends one line to runs.txt.
worker_run() {
    local n=$1 dir="$CW_S3_DIR/$CW_S3_BUCKET/run$1"
    cat >"$CW_TMP/s3-$n.properties" <<P
name=run$n
connector.class=io.confluent.connect.s3.S3SinkConnector
topics=bench
topics.dir=run$n
tasks.max=$tasks
s3.bucket.name=$CW_S3_BUCKET
s3.region=us-east-1
store.url=$CW_S3_URL
aws.access.key.id=S3RVER
aws.secret.access.key=S3RVER
format.class=io.confluent.connect.s3.format.json.JsonFormat
flush.size=$flush
${BENCH_EXTRA:-}
P
    all_written() { [ "$(s3_complete_objects "$dir")" -ge "$want_objects" ]; }
    local s3cpu0 kcpu0 t0 t1 wpid wrss wcpu wcpu0
    local s3main0 s3sched0 s3sched
    s3cpu0=$(cpu_s "$CW_S3_PID") kcpu0=$(cpu_s "$CW_MOCK_PID") s3main0=$(cpu_s "$CW_S3_PID/task/$CW_S3_PID")
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086 # the wrapper is a command prefix, split on purpose
    ${BENCH_WORKER_WRAPPER:-} "$CW_WORKER" "$CW_TMP/worker.properties" "$CW_TMP/s3-$n.properties" \
        2>"$CW_TMP/worker-$n.log" >/dev/null &
    wpid=$!
    CW_PIDS+=("$wpid")
    if [ -n "${BENCH_WORKER_WRAPPER:-}" ] && [[ "$BENCH_WORKER_WRAPPER" != valgrind* ]]; then
        # Measure and stop the worker itself, not the wrapper (which ends with it; valgrind
        # runs the worker in its own process).
        cw_wait_for 20 "the worker under the wrapper" pgrep -P "$wpid"
        wpid=$(pgrep -P "$wpid" | head -1)
    fi
    # The CPU the worker used before its partitions were assigned (start-up, group join),
    # read within the 0.1 s this poll takes.
    assigned() { grep 'assigned' "$CW_TMP/worker-$n.log" | grep -q 'partition(s)'; }
    cw_wait_for 120 "the partition assignment (run $n)" assigned
    wcpu0=$(cpu_s "$wpid") s3sched0=$(sched_s "$CW_S3_PID/task/$CW_S3_PID")
    cw_wait_for 600 "$want_objects objects in S3 (run $n)" all_written
    t1=$(date +%s.%N)
    wrss=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
    wcpu=$(cpu_s "$wpid") s3sched=$(sched_sub "$(sched_s "$CW_S3_PID/task/$CW_S3_PID")" "$s3sched0")
    echo "$(sub "$t1" "$t0") $wrss $wcpu $(sub "$(cpu_s "$CW_S3_PID")" "$s3cpu0")" \
        "$(sub "$(cpu_s "$CW_MOCK_PID")" "$kcpu0") $CW_TMP/worker-$n.log $wcpu0" \
        "$(sub "$(cpu_s "$CW_S3_PID/task/$CW_S3_PID")" "$s3main0") $s3sched" >>"$CW_TMP/runs.txt"
    kill "$wpid"; wait "${CW_PIDS[-1]}" 2>/dev/null || true
}

# s3rver's CPU seconds so far: the whole process, and its main thread (the one JavaScript
# thread every request goes through; the rest are libuv's file-system pool and V8's helpers).
s3rver_cpu() { echo "$(cpu_s "$CW_S3_PID") $(cpu_s "$CW_S3_PID/task/$CW_S3_PID")"; }

# The floor S3 sets, measured after every worker run (the machine's load moves from one
# second to the next, so the peer gets as many samples as the pipeline): run N's objects PUT
# again by curl over one connection, nothing else running (without "Expect: 100-continue";
# the sink's requests carry it, it made no measurable difference here), then one LIST of an
# empty key stem per partition (what the overwrite protection's check costs the server: one
# listing per partition, no HEAD for a free key). Appends
# "<PUT s> <s3rver CPU> <its main thread> <LIST s> <s3rver CPU> <its main thread>" to floor.txt.
floor_run() {
    local n=$1 f i=0 args=() c0 c1 ft ht line
    while read -r f; do
        args+=(-T "$f" "$CW_S3_URL/$CW_S3_BUCKET/floor$n/$i"); i=$((i + 1))
    done < <(find "$CW_S3_DIR/$CW_S3_BUCKET/run$n" -name '*._S3rver_object' | sort)
    local s0
    c0=$(s3rver_cpu) s0=$(sched_s "$CW_S3_PID/task/$CW_S3_PID")
    read -r ft _ < <(measure curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" \
        -u S3RVER:S3RVER -H "Expect:" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "${args[@]}")
    c1=$(s3rver_cpu) s0=$(sched_sub "$(sched_s "$CW_S3_PID/task/$CW_S3_PID")" "$s0")
    line="$ft $(python3 -c "a, b = '$c0'.split(), '$c1'.split(); print(round(float(b[0]) - float(a[0]), 2), round(float(b[1]) - float(a[1]), 2))")"
    args=()
    for ((i = 0; i < parts; i++)); do
        args+=("$CW_S3_URL/$CW_S3_BUCKET/?list-type=2&max-keys=100&prefix=list$n%2Fbench%2B$i%2B&start-after=list$n%2Fbench%2B$i%2B0000000000.jso")
    done
    c0=$(s3rver_cpu)
    read -r ht _ < <(measure curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" -u S3RVER:S3RVER \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "${args[@]}")
    c1=$(s3rver_cpu)
    echo "$line $ht $(python3 -c "a, b = '$c0'.split(), '$c1'.split(); print(round(float(b[0]) - float(a[0]), 2), round(float(b[1]) - float(a[1]), 2))") $s0" >>"$CW_TMP/floor.txt"
}

# Run 0 warms up, untimed: s3rver's JavaScript is compiled while it runs, and the first
# workload it sees ran ~30% slower than the later ones.
cw_note "warm-up (not counted): kcat and one worker run"
measure kcat -C -e -q -b "$CW_BOOTSTRAP" -t bench -o beginning -f '%s\n' >/dev/null
worker_run 0
: >"$CW_TMP/runs.txt"; : >"$CW_TMP/kcat.txt"; : >"$CW_TMP/floor.txt"
for ((r = 1; r <= runs; r++)); do
    cw_note "run $r/$runs: kcat -C -e"
    measure kcat -C -e -q -b "$CW_BOOTSTRAP" -t bench -o beginning -f '%s\n' >>"$CW_TMP/kcat.txt"
    cw_note "run $r/$runs: connect-worker + s3-sink (tasks.max=$tasks, flush.size=$flush)"
    worker_run "$r"
    cw_note "run $r/$runs: s3rver alone, run $r's objects PUT by curl, then a LIST per partition"
    floor_run "$r"
done
objects=$(s3_complete_objects "$CW_S3_DIR/$CW_S3_BUCKET/run1")
# The sink alone (no Kafka): the same number of ~500-byte records through s3-driver.
dt=nan drss=0
if [ "${BENCH_SKIP_DRIVER:-0}" != 1 ]; then
    cw_note "s3-sink alone (s3-driver, no Kafka)"
    s3_config "$CW_TMP/driver.properties" flush.size=$flush topics.dir=driver
    read -r dt drss _ < <(measure "$S3_DRIVER" --config "$CW_TMP/driver.properties" \
        --partitions $parts --records $((records / parts)) --pad 400 --batch 500 --flush-every 50)
fi
read -r mem_bound mem_text < <(python3 "$CW_SOURCE_DIR/tests/s3/bench_memory.py" \
    "$CW_TMP/worker.properties" "$CW_TMP/s3-1.properties" "$parts" "$line_max" 1)
python3 - "$records" "$bytes" "$objects" "$CW_TMP/kcat.txt" "$CW_TMP/runs.txt" "$dt" "$drss" \
    "$CW_TMP/floor.txt" "$mem_bound" "$mem_text" "$parts" <<'PY'
import re, sys, datetime, statistics
n, b, objs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
kcat = [tuple(map(float, l.split())) for l in open(sys.argv[4])]
runs = [l.split() for l in open(sys.argv[5])]
dt, drss = float(sys.argv[6]), int(sys.argv[7])
floors = [tuple(map(float, l.split())) for l in open(sys.argv[8])]
mem_bound, mem_text = int(sys.argv[9]), sys.argv[10]
ts = lambda line: datetime.datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
WROTE = re.compile(r"wrote s3://\S+ \((\d+) bytes; queued ([\d.]+) ms, (?:HEAD|check) ([\d.]+) ms, PUT ([\d.]+) ms\)")
def timeline(log):
    """From the worker's debug log: the pipeline's seconds (assignment -> last object) and
    where they went: when objects were sealed (ready for upload) and written, and how long
    each waited in the queue, and took for its check (LIST or HEAD) and its PUT."""
    assigned, objs_ = None, []
    for line in open(log):
        if assigned is None and "assigned" in line and "partition(s)" in line: assigned = ts(line)
        m = WROTE.search(line)
        if m and assigned:
            q, h, p = (float(x) / 1e3 for x in m.groups()[1:])
            end = ts(line) - assigned
            objs_.append((end - p - h - q, end, q, h, p))
    if not objs_: return float("nan"), None
    sealed = sorted(o[0] for o in objs_)
    # Time with at least one upload request in flight (its check or PUT).
    iv = sorted((o[1] - o[3] - o[4], o[1]) for o in objs_)
    busy, cs, ce = 0.0, None, None
    for s_, e_ in iv:
        if cs is None or s_ > ce:
            busy += (ce - cs) if cs is not None else 0
            cs, ce = s_, e_
        else: ce = max(ce, e_)
    busy += ce - cs
    last = max(o[1] for o in objs_)
    return last, dict(first_sealed=sealed[0], last_sealed=sealed[-1], last=last, busy=busy,
                      queued=statistics.median(o[2] for o in objs_),
                      head=statistics.median(o[3] for o in objs_),
                      put=statistics.median(o[4] for o in objs_),
                      head_sum=sum(o[3] for o in objs_), put_sum=sum(o[4] for o in objs_))
med = statistics.median
kt = med(k[0] for k in kcat); krss = max(k[1] for k in kcat)
tls = [timeline(r[5]) for r in runs]
pts = [t[0] for t in tls]
pt, wt = med(pts), med(float(r[0]) for r in runs)
wrss = max(int(r[1]) for r in runs)
ft, fcpu, fmain = (med(f[i] for f in floors) for i in (0, 1, 2))
ht, hcpu, hmain = (med(f[i] for f in floors) for i in (3, 4, 5))
rng = lambda xs: f"{min(xs):.2f}-{max(xs):.2f}"
print(f"records: {n}, {b/1e6:.1f} MB, {objs} objects per run, {len(runs)} runs (medians below)")
print(f"kcat -C -e              : {n/kt:9.0f} records/s {b/kt/1e6:7.1f} MB/s  peak RSS {krss/1024:6.1f} MiB  ({kt:.2f} s)")
print(f"worker+s3-sink pipeline : {n/pt:9.0f} records/s {b/pt/1e6:7.1f} MB/s  peak RSS {wrss/1024:6.1f} MiB  ({pt:.2f} s assignment -> last object)")
print(f"worker+s3-sink total    : {n/wt:9.0f} records/s {b/wt/1e6:7.1f} MB/s  ({wt:.2f} s incl. start and the group join)")
if dt == dt:
    print(f"s3-sink alone (driver)  : {n/dt:9.0f} records/s {b/dt/1e6:7.1f} MB/s  peak RSS {drss/1024:6.1f} MiB  ({dt:.2f} s, generating records included)")
print(f"s3rver alone (curl PUTs): {objs/ft:9.0f} objects/s {b/ft/1e6:7.1f} MB/s  ({ft:.2f} s, runs {rng([f[0] for f in floors])};"
      f" {fcpu:.2f} s of s3rver CPU, {fmain:.2f} s of it in its main thread)")
parts = int(sys.argv[11])
print(f"s3rver alone (curl LISTs): {parts} LISTs of empty key stems in {ht:.2f} s (runs {rng([f[3] for f in floors])}),"
      f" {hcpu:.2f} s of s3rver CPU: {ht/objs*1000:.1f} ms per object, {ht/ft*100:.0f} % of the PUTs' time (the overwrite"
      f" protection's check, one per partition; s3.object.behavior.on.conflict=overwrite skips it)")
for i, (r, p, k, f, tl) in enumerate(zip(runs, pts, kcat, floors, (t[1] for t in tls)), 1):
    print(f"run {i}: kcat {k[0]:.2f} s, pipeline {p:.2f} s (ratio {k[0]/p:.2f}), total {float(r[0]):.2f} s;"
          f" CPU worker {r[2]} s, s3rver {r[3]} s (main thread {r[7]} s), mock Kafka {r[4]} s;"
          f" s3rver alone {f[0]:.2f} s PUTs + {f[3]:.2f} s LISTs")
    # Is s3rver's one JavaScript thread the bound? Busy = on a CPU or runnable (waiting for
    # a core the pipeline's other threads hold); asleep = it had no request to work on.
    sr, sw = float(r[8]), float(r[9])
    print(f"       s3rver's main thread from the assignment on: on a CPU {sr:.2f} s, waiting for a"
          f" core {sw:.2f} s, asleep {max(p - sr - sw, 0):.2f} s of {p:.2f} s; alone (PUTs):"
          f" on a CPU {f[6]:.2f} s, waiting {f[7]:.2f} s, asleep {max(f[0] - f[6] - f[7], 0):.2f} s")
    if tl:
        print(f"       timeline: objects sealed from {tl['first_sealed']:.2f} s to {tl['last_sealed']:.2f} s (the last"
              f" record consumed), last written at {tl['last']:.2f} s; uploads in flight {tl['busy']:.2f} s;"
              f" per object (medians) queued {tl['queued']*1e3:.0f} ms, check {tl['head']*1e3:.1f} ms,"
              f" PUT {tl['put']*1e3:.1f} ms (sums over both threads: checks {tl['head_sum']:.2f} s,"
              f" PUTs {tl['put_sum']:.2f} s)")
print(f"ratio pipeline/kcat (median): {kt/pt:.2f}   total/kcat: {kt/wt:.2f}"
      f" (the mock cluster, like a broker, delays a new group's first join by 3 s)")
print(f"ratio kcat/s3rver alone: {kt/ft:.2f}   pipeline/s3rver alone: {ft/pt:.2f}"
      f"   pipeline/(s3rver alone, PUTs + LISTs): {(ft+ht)/pt:.2f}")
# Wall: against whichever peer is slower, kcat (Kafka) or s3rver alone (S3).
floor = max(kt, ft)
walls = [max(k[0], f[0]) / p for k, f, p in zip(kcat, floors, pts)]
print(f"WALL: pipeline {pt:.2f} s against the lower bound, {'kcat' if kt >= ft else 's3rver alone'} "
      f"{floor:.2f} s: ratio {floor/pt:.2f} (runs: {', '.join(f'{w:.2f}' for w in walls)}; target >= 0.8)")
# CPU: the worker's CPU seconds per GB beside kcat's for the same bytes (each run's worker
# CPU is from its start to the last object: start-up and the group join included).
gb = b / 1e9
wcpu = med(float(r[2]) for r in runs); kcpu = med(k[2] for k in kcat)
wstream = med(float(r[2]) - float(r[6]) for r in runs)
print(f"CPU: worker {wcpu/gb:.2f} s/GB (runs: {', '.join(f'{float(r[2])/gb:.2f}' for r in runs)}),"
      f" kcat {kcpu/gb:.2f} s/GB (runs: {', '.join(f'{k[2]/gb:.2f}' for k in kcat)}):"
      f" ratio {wcpu/kcpu:.2f} (target <= 1.5)")
print(f"     the worker from its partition assignment on (start-up and group join left out):"
      f" {wstream/gb:.2f} s/GB, ratio {wstream/kcpu:.2f}")
ok = wrss * 1024 <= mem_bound + 32 * 1024 * 1024
print(f"MEMORY: peak RSS {wrss/1024:.0f} MiB, bound {mem_text} + 32 MiB fixed:"
      f" {'within' if ok else 'OVER THE BOUND'}")
if not ok:
    sys.exit(1)
PY
