#!/usr/bin/env python3
"""Load for the kill -9 test: THREADS threads POST requests of 10 records with unique ids
until the server stops answering; the id of every record whose request got 200 is appended
to ACKED (flushed per answer, before the next request).
usage: load.py URL TOPIC THREADS ACKED"""
import sys
import threading

from hsclient import request

url, topic, nthreads, acked_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
out = open(acked_file, "a")


def worker(t):
    n = 0
    while True:
        ids = ["%d-%d-%d" % (t, n, i) for i in range(10)]
        n += 1
        try:
            st, _, b = request(url, "POST", "/topics/" + topic,
                               {"records": [{"value": {"id": x}} for x in ids]},
                               "application/vnd.kafka.json.v2+json", timeout=30)
        except OSError:
            return  # the worker is gone
        if st == 200 and all(o["error_code"] is None for o in b["offsets"]):
            with lock:
                out.write("".join(x + "\n" for x in ids))
                out.flush()


threads = [threading.Thread(target=worker, args=(t,)) for t in range(nthreads)]
for t in threads:
    t.start()
for t in threads:
    t.join()
