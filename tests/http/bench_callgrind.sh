#!/usr/bin/env bash
# Instructions per record through http-source, counted by callgrind (stable on a loaded,
# shared machine where wall-clock figures swing): the worker runs under
# `valgrind --tool=callgrind`, its counters are zeroed once it listens, CW_CG_REQUESTS (200)
# REST Proxy v2 requests of the bench's 100 pin records are posted one after the other, and
# the instructions of every thread are divided by the records. Run through the
# bench-http-source-callgrind target (a Release build is what counts).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/http/lib.sh"
command -v valgrind >/dev/null || cw_fail "valgrind is not installed"
reqs=${CW_CG_REQUESTS:-200}
cw_start_mock_cluster --topic bench.http:1
hs_connector "$CW_TMP/http.properties" "http.threads=2"
cat >"$CW_TMP/cg-worker.sh" <<SH
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$CW_TMP/cg.out "$CW_WORKER" "\$@"
SH
chmod +x "$CW_TMP/cg-worker.sh"
CW_WORKER=$CW_TMP/cg-worker.sh hs_start worker "$CW_TMP/http.properties"
python3 - "$CW_SOURCE_DIR/examples/pinterest" "$CW_TMP/body.json" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import datagen
rows = [datagen.seed_rows("bench", i)["pin"] for i in range(1, 101)]
open(sys.argv[2], "w").write(json.dumps({"records": [{"value": r} for r in rows]}))
PY
post() { # post N: N requests on one connection, each must be a 200
    python3 - "$HS_URL" "$CW_TMP/body.json" "$1" <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
body = open(sys.argv[2], "rb").read()
c = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
for _ in range(int(sys.argv[3])):
    c.request("POST", "/topics/bench.http", body, {"Content-Type": "application/vnd.kafka.json.v2+json"})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
PY
}
post 5 || cw_fail "warm-up requests failed"
callgrind_control -z "$CW_WORKER_PID" >/dev/null
post "$reqs" || cw_fail "requests failed"
callgrind_control -d "$CW_WORKER_PID" >/dev/null
ir=$(for f in "$CW_TMP"/cg.out.*; do sed -n 's/^totals: \([0-9]*\).*/\1/p;s/^summary: \([0-9]*\).*/\1/p' "$f" | head -1; done | awk '{s += $1} END {print s}')
echo "http-source under callgrind: $((reqs * 100)) records, $ir instructions, $((ir / (reqs * 100))) per record"
