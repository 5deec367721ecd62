#!/usr/bin/env bash
# The README's curl walk-through of the REST API ("The REST API" in README.md), run as written
# against a worker started from etc/worker.properties (on a free port, files in a temp dir):
# every curl must get a 2xx answer, and the answers carry what the README's comments say.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

port=$(cw_free_port)
{ cat "$CW_SOURCE_DIR/etc/worker.properties"; echo "listeners=http://127.0.0.1:$port"; } \
    >"$CW_TMP/worker.properties"
export CW_OFFSETS_FILE=$CW_TMP/connect.offsets
# The README's lines between the marker and the end of its code block, less the line that
# starts the worker (started here), pointed at this worker and this temp dir.
awk '/<!-- rest-walkthrough/ {on=1; next} on && /^```sh/ {next} on && /^```/ {exit} on' \
    "$CW_SOURCE_DIR/README.md" | grep -v '^connect-worker ' |
    sed -e "s/8083/$port/g" -e "s#/tmp/cw-demo.txt#$CW_TMP/cw-demo.txt#g" >"$CW_TMP/walk.sh"
[ "$(grep -c '^curl' "$CW_TMP/walk.sh")" -ge 10 ] || cw_fail "walk-through not found in README.md"

"$CW_WORKER" "$CW_TMP/worker.properties" >"$CW_TMP/worker.log" 2>&1 &
CW_PIDS+=($!)
cw_wait_for 30 "the REST API" curl -sf "http://127.0.0.1:$port/health"

# Each curl fails the walk-through on an HTTP error; answers are kept one per line.
# (Not inside an || list: bash ignores set -e there.)
set +e
(
    curl() { command curl --fail-with-body "$@" || return; echo; }
    set -e
    . "$CW_TMP/walk.sh"
) >"$CW_TMP/out.txt" 2>&1
rc=$?
set -e
[ $rc = 0 ] || { cat "$CW_TMP/out.txt" >&2; cw_fail "a README curl failed (exit $rc)"; }

out=$CW_TMP/out.txt
grep -q '"version":"3.9.0"' "$out" || cw_fail "GET / has no version 3.9.0"
grep -q '"lines":{"status":{"name":"lines","connector":{"state":"RUNNING"' "$out" ||
    cw_fail "?expand=status does not show lines RUNNING"
grep -q "{\"id\":0,\"state\":\"RUNNING\",\"worker_id\":\"127.0.0.1:$port\"}" "$out" ||
    cw_fail "task status not as in the README"
grep -q '"error_count":1' "$out" || cw_fail "validate does not count one error"
grep -q '\["root"\]' "$out" || cw_fail "PUT /admin/loggers/root did not answer [\"root\"]"
echo "README walk-through: every request answered as documented"
