# Shared shell helpers for the integration tests. Source it: . "$CW_SOURCE_DIR/tests/lib/common.sh"
# Every server a test starts binds 127.0.0.1 on a free port and is stopped by cw_cleanup (trap).
set -euo pipefail

CW_PIDS=()
CW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cwtest.XXXXXX")

# cw_alive PID: true while PID runs (a zombie waiting to be reaped does not count).
cw_alive() {
    [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

cw_cleanup() {
    local pid
    for pid in "${CW_PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    # A server that does not stop within 20 s of SIGTERM (e.g. the mock cluster tearing down
    # under ASan on a loaded machine) is killed: cleanup never hangs the test.
    local deadline=$((SECONDS + 20))
    for pid in "${CW_PIDS[@]:-}"; do
        [ -n "$pid" ] || continue
        while cw_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
        if cw_alive "$pid"; then
            echo "cleanup: process $pid ignored SIGTERM for 20 s: killed" >&2
            kill -9 "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    if [ "${CW_KEEP_TMP:-0}" = 1 ]; then echo "kept $CW_TMP" >&2; else rm -rf "$CW_TMP"; fi
}
trap cw_cleanup EXIT

cw_fail() { echo "FAIL: $*" >&2; exit 1; }
cw_note() { echo "--- $*" >&2; }

# cw_free_port: prints a TCP port on 127.0.0.1 that nothing listens on right now.
cw_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# cw_make_certs DIR: a throw-away CA (DIR/ca.pem) and a server certificate for 127.0.0.1 (SAN
# IP; DIR/server.pem, DIR/server.key) signed by it, for the test servers' TLS.
cw_make_certs() {
    local d=$1
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cw test CA" \
        -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" \
        -out "$d/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' >"$d/san.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 2 -extfile "$d/san.ext" -out "$d/server.pem" 2>/dev/null
}

# cw_wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it succeeds.
# SECONDS (here and in cw_wait_exit) is multiplied by CW_TIMEOUT_SCALE (default 1), which the
# test command sets for the sanitizer builds: they run the same work several times slower, and
# a limit sized for the normal build failed a healthy ASan run on a busy machine.
cw_wait_for() {
    local limit=$(($1 * ${CW_TIMEOUT_SCALE:-1})) what=$2; shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && cw_fail "timed out after ${limit}s waiting for: $what"
        sleep 0.1
    done
}

# cw_start_mock_cluster [cw-mock-cluster args...]: starts a mock Kafka cluster in the
# background; sets CW_BOOTSTRAP and CW_MOCK_PID.
cw_start_mock_cluster() {
    local bf="$CW_TMP/bootstrap.$RANDOM"
    "$CW_BUILD_DIR/tests/lib/cw-mock-cluster" --no-stdin --bootstrap-file "$bf" "$@" \
        >"$CW_TMP/mock-cluster.log" 2>&1 &
    CW_MOCK_PID=$!
    CW_PIDS+=("$CW_MOCK_PID")
    cw_wait_for 20 "mock cluster bootstrap file" test -s "$bf"
    CW_BOOTSTRAP=$(cat "$bf")
}

# ---------------------------------------------------------------------------------------------
# Worker helpers (tests/worker and every plugin's integration tests)
# ---------------------------------------------------------------------------------------------

# cw_worker_properties FILE [extra lines...]: a worker config against $CW_BOOTSTRAP with short
# flush intervals and group timeouts, so that tests don't wait on Kafka Connect's defaults.
cw_worker_properties() {
    local file=$1; shift
    {
        echo "bootstrap.servers=$CW_BOOTSTRAP"
        echo "offset.storage.file.filename=$CW_TMP/connect.offsets"
        echo "offset.flush.interval.ms=500"
        echo "key.converter=org.apache.kafka.connect.storage.StringConverter"
        echo "value.converter=org.apache.kafka.connect.storage.StringConverter"
        # A worker killed with -9 leaves its group member behind until the session times out.
        echo "consumer.session.timeout.ms=6000"
        echo "consumer.heartbeat.interval.ms=500"
        local line
        for line in "$@"; do echo "$line"; done
    } >"$file"
}

# cw_start_worker NAME ARGS...: runs connect-worker in the background with its log in
# $CW_TMP/NAME.log; sets CW_WORKER_PID (also registered for cleanup).
cw_start_worker() {
    local name=$1; shift
    "$CW_WORKER" "$@" >>"$CW_TMP/$name.log" 2>&1 &
    CW_WORKER_PID=$!
    CW_PIDS+=("$CW_WORKER_PID")
}

# cw_wait_exit PID SECONDS: waits for a background process of this shell to end and sets
# CW_EXIT_CODE (not in $(...): only this shell can wait for its children). Fails the test when
# it is still running after SECONDS.
cw_wait_exit() {
    local pid=$1 limit=$(($2 * ${CW_TIMEOUT_SCALE:-1}))
    local deadline=$((SECONDS + limit))
    while kill -0 "$pid" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            cw_dump_logs
            cw_fail "process $pid still running after ${limit}s"
        fi
        sleep 0.1
    done
    CW_EXIT_CODE=0
    wait "$pid" || CW_EXIT_CODE=$?
}

# cw_lines FILE: number of lines in FILE (0 when it does not exist).
cw_lines() {
    if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# cw_has_lines FILE N: true when FILE has at least N lines (for cw_wait_for).
cw_has_lines() { [ "$(cw_lines "$1")" -ge "$2" ]; }

# cw_check_metrics FILE: `promtool check metrics` accepts the Prometheus text in FILE. The only
# lints it may report are for Kafka's own names (kafka_*), which keep the spelling Strimzi's
# JMX exporter rules give them so that existing dashboards find them: abbreviated units
# (*_time_ms) and gauges ending in _count (kafka_connect_worker_task_count, ...).
cw_check_metrics() {
    local out rc=0
    out=$(promtool check metrics <"$1" 2>&1) || rc=$?
    [ "$rc" = 0 ] && return 0
    if echo "$out" | grep -Ev '^kafka_[a-z_]+ (metric names should not contain abbreviated units|non-histogram and non-summary metrics should not have "_count" suffix)$' |
        grep -q .; then
        echo "$out" >&2
        return 1
    fi
    return 0
}

# cw_log_has FILE PATTERN: true when the log contains the extended regex (for cw_wait_for).
cw_log_has() { [ -f "$1" ] && grep -Eq -- "$2" "$1"; }

# cw_kcat ARGS...: kcat against the test cluster (quiet, bounded).
cw_kcat() { timeout 30 kcat -b "$CW_BOOTSTRAP" -q "$@"; }

# cw_topic_count TOPIC: number of records in TOPIC (all partitions), read with kcat.
cw_topic_count() {
    cw_kcat -C -t "$1" -e -f 'x\n' 2>/dev/null | wc -l | tr -d ' '
}

# cw_committed GROUP TOPIC:PARTITION: the offset GROUP committed for the partition (-1: none),
# asked from the group coordinator without joining the group (tests/lib/committed.c).
cw_committed() {
    "$CW_BUILD_DIR/tests/lib/cw-committed" "$CW_BOOTSTRAP" "$1" "$2" | awk '{print $3}'
}

# cw_expect_exactly_once LABEL WANT GOT: GOT (sorted ids or lines) holds every line of WANT
# (sorted) once, and nothing twice.
cw_expect_exactly_once() {
    local dups
    dups=$(uniq -d "$3" | head -3 | tr '\n' ' ')
    [ -z "$dups" ] || cw_fail "$1: duplicated: $dups"
    cmp -s "$2" "$3" ||
        cw_fail "$1: $(comm -23 "$2" "$3" | wc -l) of $(wc -l <"$2") missing, e.g. $(comm -23 "$2" "$3" | head -3 | tr '\n' ' ')"
}

# cw_expect_durable GROUP GOT TOPIC...: for partition 0 of each TOPIC, every id TOPIC-<offset>
# below the offset GROUP committed is in GOT (sorted): commits never pass unwritten records.
cw_expect_durable() {
    local group=$1 got=$2 t c missing
    shift 2
    for t in "$@"; do
        c=$(cw_committed "$group" "$t:0")
        [ "$c" -le 0 ] && continue
        missing=$(seq -f "$t-%.0f" 0 $((c - 1)) | sort | comm -23 - "$got" | wc -l)
        [ "$missing" = 0 ] || cw_fail "$group: offset $c committed for $t-0 but $missing record(s) below it are not written"
    done
}

# cw_committed_at_least GROUP MIN TOPIC...: true when GROUP committed partition 0 of every
# TOPIC at MIN or more (for cw_wait_for).
cw_committed_at_least() {
    local group=$1 min=$2 t
    shift 2
    for t in "$@"; do [ "$(cw_committed "$group" "$t:0")" -ge "$min" ] || return 1; done
}

# cw_dump_logs: prints every log of the test (call before cw_fail when the cause is unclear).
cw_dump_logs() {
    local f
    for f in "$CW_TMP"/*.log; do
        [ -f "$f" ] || continue
        echo "===== $f" >&2
        tail -n 60 "$f" >&2
    done
}
