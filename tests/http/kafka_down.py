#!/usr/bin/env python3
"""A stopped Kafka: requests wait http.request.timeout.ms, then get 503 with Retry-After;
with the in-flight limit taken, later ones get 429 at once; the worker's memory stays
bounded under a flood; once Kafka is back, requests succeed again.
usage: kafka_down.py URL WORKER_PID MOCK_PID"""
import os
import signal
import sys
import threading
import time

from hsclient import check, request

url, worker, mock = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
JSONV2 = "application/vnd.kafka.json.v2+json"


def rss_kb():
    with open("/proc/%d/status" % worker) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def post(n, size=10):
    return request(url, "POST", "/topics/down", {"records": [
        {"value": {"i": i, "pad": "p" * size}} for i in range(n)]}, JSONV2, timeout=60)


st, _, b = post(5)
check(st == 200, "before the outage: %s %s" % (st, b))
os.kill(mock, signal.SIGUSR1)  # every broker down
time.sleep(0.3)  # let the producer see it (the signal is asynchronous)

results = []
def one():
    t0 = time.monotonic()
    st, h, b = post(100)
    results.append((st, h, b, time.monotonic() - t0))
threads = [threading.Thread(target=one) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for st, h, b, took in results:
    check(st == 503, "during the outage: %s %s" % (st, b))
    check(h.get("retry-after") == "1", "503 without Retry-After: %s" % h)
    check(b["error_code"] == 50003 and "http.request.timeout.ms" in b["message"], "503 body %r" % b)
    check(took >= 1.4, "a 503 came after %.2f s, before http.request.timeout.ms" % took)

# the four slots are held until Kafka ends their records: more requests get 429 at once
base = rss_kb()
t0 = time.monotonic()
codes = {}
for i in range(300):
    st, h, b = post(50, 1000)  # ~50 KB each: 15 MB offered in all
    codes[st] = codes.get(st, 0) + 1
    if st == 429:
        check(h.get("retry-after") == "1" and b["error_code"] == 429, "429: %s %r" % (h, b))
check(codes == {429: 300}, "flood during the outage: %s" % codes)
grown = rss_kb() - base
check(grown < 8 * 1024, "worker memory grew by %d kB under the flood" % grown)
print("flood: 300 requests answered 429 in %.2f s, RSS grew %d kB" % (time.monotonic() - t0,
                                                                     grown))

os.kill(mock, signal.SIGUSR2)  # back up
deadline = time.monotonic() + 60
while True:
    st, _, b = post(3)
    if st == 200:
        break
    check(st in (429, 503) and time.monotonic() < deadline, "after the outage: %s %s" % (st, b))
    time.sleep(0.2)
print("kafka down OK")
