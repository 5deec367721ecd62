# Shared shell helpers for the integration tests. Source it: . "$CW_SOURCE_DIR/tests/lib/common.sh"
# Every server a test starts binds 127.0.0.1 on a free port and is stopped by cw_cleanup (trap).
set -euo pipefail

CW_PIDS=()
CW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cwtest.XXXXXX")

cw_cleanup() {
    local pid
    for pid in "${CW_PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${CW_PIDS[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
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

# cw_wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it succeeds.
cw_wait_for() {
    local limit=$1 what=$2; shift 2
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
