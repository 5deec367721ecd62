#!/usr/bin/env bash
# The README's three-worker walk-through ("A three-worker cluster" in README.md), run as
# written with the ports, /tmp paths and build directory of this test: the mock cluster and
# three workers from examples/distributed/worker.properties, a FileStreamSource created
# through one worker, its status from another, kill -9 of the worker running its task. Every
# curl must succeed; the status shows the task RUNNING on a worker_id of the cluster, and after
# the kill RUNNING on another live worker.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

p1=$(cw_free_port) p2=$(cw_free_port) p3=$(cw_free_port)
awk '/<!-- dist-walkthrough/ {on=1; next} on && /^```sh/ {next} on && /^```/ {exit} on' \
    "$CW_SOURCE_DIR/README.md" |
    sed -e "s/8083/$p1/g" -e "s/8084/$p2/g" -e "s/8085/$p3/g" -e "s#/tmp/#$CW_TMP/#g" \
        -e "s#build/connect-worker#$CW_WORKER#g" \
        -e "s#build/tests/lib/cw-mock-cluster#$CW_BUILD_DIR/tests/lib/cw-mock-cluster#g" \
        >"$CW_TMP/walk.sh"
[ "$(grep -c 'curl' "$CW_TMP/walk.sh")" -ge 4 ] || cw_fail "walk-through not found in README.md"

# curl: fails the walk-through on an HTTP error. A status request waits (polling) for the task
# to be RUNNING, and once $owner is set (after the kill) for it to run on another worker.
status_ok() {
    local body
    body=$(command curl -sf "$@") || return 1
    echo "$body" | jq -e --arg o "${owner:-}" \
        '.connector.state == "RUNNING" and .tasks[0].state == "RUNNING" and .tasks[0].worker_id != $o' \
        >/dev/null || return 1
    echo "$body"
}
set +e
(
    set -e
    # The cluster and the workers are this subshell's jobs: they stop with it, whatever happens.
    # The workers first (their last status records need the cluster), then the cluster.
    # The walk-through's own status is kept: errexit is off in the trap, or a wait that returns
    # the killed worker's 137 would end the trap with it (when that worker came last in pid).
    trap 'rc=$?; set +e; kill ${pid[@]} 2>/dev/null; wait ${pid[@]} 2>/dev/null; kill $(jobs -p) 2>/dev/null; wait; exit $rc' EXIT
    curl() {
        case "$*" in
        */status*)
            local deadline=$((SECONDS + 60))
            until status_ok "$@"; do
                [ $SECONDS -lt $deadline ] || { echo "status never as expected: $*" >&2; return 1; }
                sleep 0.2
            done ;;
        *) command curl --fail-with-body --max-time 10 "$@" || return; echo ;;
        esac
    }
    cd "$CW_SOURCE_DIR"   # the README's paths are relative to the clone
    . "$CW_TMP/walk.sh"
    echo "owner=$owner"
) >"$CW_TMP/out.txt" 2>&1
rc=$?
set -e
out=$CW_TMP/out.txt
[ $rc = 0 ] || { cat "$out" >&2; tail -n 30 "$CW_TMP"/cw-w*.log >&2; cw_fail "the walk-through failed (exit $rc)"; }
owner=$(sed -n 's/^owner=//p' "$out")
case "$owner" in 127.0.0.1:$p1 | 127.0.0.1:$p2 | 127.0.0.1:$p3) ;; *) cw_fail "task ran on '$owner'" ;; esac
after=$(grep '"tasks"' "$out" | tail -1 | jq -r '.tasks[0].worker_id')
[ "$after" != "$owner" ] && [ -n "$after" ] || cw_fail "the task did not move from $owner ($after)"
echo "README walk-through: task on $owner, after kill -9 on $after"
