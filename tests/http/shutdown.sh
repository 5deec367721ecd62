#!/usr/bin/env bash
# SIGTERM: the worker stops accepting (new requests get 503 or a refused connection), answers
# the requests in flight once Kafka acknowledged them, and exits within the graceful timeout.
# Run 1: Kafka comes back during the shutdown: the request in flight gets 200 and its records
# are in Kafka. Run 2: Kafka stays down: it gets 503 and the worker still exits in time.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/http/lib.sh"
cw_start_mock_cluster --topic term:1
hs_connector "$CW_TMP/http.properties"

one_run() { # NAME KAFKA_BACK(0|1)
    local name=$1 back=$2
    hs_start "$name" "$CW_TMP/http.properties" "task.shutdown.graceful.timeout.ms=6000"
    python3 - "$HS_URL" "$CW_WORKER_PID" "$CW_MOCK_PID" "$back" <<'PY' ||
import os, signal, sys, threading, time
sys.path.insert(0, os.environ["CW_SOURCE_DIR"] + "/tests/http")
from hsclient import check, request
url, worker, mock, back = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
ct = "application/vnd.kafka.json.v2+json"
st, _, _ = request(url, "POST", "/topics/term", {"records": [{"value": {"warm": 1}}]}, ct)
check(st == 200, "warm-up %s" % st)
os.kill(mock, signal.SIGUSR1)
time.sleep(0.3)
res = {}
def inflight():
    res["r"] = request(url, "POST", "/topics/term",
                       {"records": [{"value": {"run": i}} for i in range(20)]}, ct)
t = threading.Thread(target=inflight)
t.start()
time.sleep(0.5)  # the request reaches the stalled producer (an absence cannot be polled)
t0 = time.monotonic()
os.kill(worker, signal.SIGTERM)
time.sleep(0.2)
try:
    st, h, b = request(url, "POST", "/topics/term", {"records": [{"value": 1}]}, ct, timeout=5)
    check(st == 503 and h.get("retry-after") == "1", "a request after SIGTERM: %s %r" % (st, b))
except OSError:
    pass  # refused: not accepted either
if back:
    os.kill(mock, signal.SIGUSR2)
t.join(30)
st, h, b = res["r"]
took = time.monotonic() - t0
if back:
    check(st == 200 and all(o["error_code"] is None for o in b["offsets"]),
          "in flight at SIGTERM, Kafka back: %s %r" % (st, b))
else:
    check(st == 503 and h.get("retry-after") == "1", "in flight at SIGTERM, Kafka down: %s %r" % (st, b))
check(took < 6.5, "answered %.1f s after SIGTERM" % took)
print("answered %s %.1f s after SIGTERM" % (st, took))
PY
        { cw_dump_logs; cw_fail "$name"; }
    cw_wait_exit "$CW_WORKER_PID" 8
    [ "$CW_EXIT_CODE" -eq 0 ] || cw_fail "$name: the worker exited with $CW_EXIT_CODE"
    kill -USR2 "$CW_MOCK_PID"
}
one_run back 1
[ "$(cw_kcat -C -t term -e -f '%s\n' | grep -c '"run"')" -eq 20 ] ||
    cw_fail "the records answered 200 at shutdown are not all in Kafka"
one_run down 0
echo "http shutdown OK"
