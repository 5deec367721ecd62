#!/usr/bin/env python3
"""The demo's timing summary (run-demo.sh, demo-http.sh): what the worker itself took, apart
from the setup around it, from three clocks of the same machine: the wall clock times the
script took (seconds since the epoch), the worker log's timestamps (UTC, milliseconds) and
the modification times of the S3 server's object files (when s3rver stored each object).

  demo_times.py --log worker.log --objects DIR --start T [--exit T] [--posted T0 T1]
                [--setup NAME=SECONDS ...] [--rows N]

Prints, relative to --start (the worker's launch, or the first POST with --posted):
the setup steps, when the source had read everything (batch mode), the S3 sink's first
consumer group join, the first and the last object in S3, and the worker's exit."""
import argparse
import datetime
import os
import re
import sys


def log_events(path):
    """(epoch seconds, message) of each worker log line."""
    out = []
    pat = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z \S+\s+(.*)$")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = pat.match(line)
            if m:
                t = datetime.datetime.fromisoformat(m.group(1)).replace(
                    tzinfo=datetime.timezone.utc)
                out.append((t.timestamp(), m.group(2)))
    return out


def first(events, regex):
    for t, msg in events:
        if re.search(regex, msg):
            return t
    return None


def last(events, regex):
    found = None
    for t, msg in events:
        if re.search(regex, msg):
            found = t
    return found


def objects(top):
    """(store time, records) of every object, by time."""
    out = []
    for d, _, files in os.walk(top):
        for f in files:
            if f.endswith("._S3rver_object"):
                p = os.path.join(d, f)
                with open(p, "rb") as fh:
                    out.append((os.stat(p).st_mtime, fh.read().count(b"\n")))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--objects", required=True)
    ap.add_argument("--start", type=float, required=True)
    ap.add_argument("--exit", type=float)
    ap.add_argument("--posted", type=float, nargs=2)
    ap.add_argument("--setup", action="append", default=[])
    ap.add_argument("--rows", type=int, default=0)
    ap.add_argument("--flush-size", type=int, default=100)
    a = ap.parse_args()
    ev = log_events(a.log)
    stored = objects(a.objects)
    objs = [t for t, _ in stored]
    full = [t for t, n in stored if n >= a.flush_size]
    t0 = a.start
    rel = lambda t: "%5.1f s" % (t - t0) if t is not None else "    ?  "
    try:
        load = os.getloadavg()[0]
        cores = os.cpu_count()
        print("times (wall clock; load average %.1f on %d cores):" % (load, cores))
    except OSError:
        print("times (wall clock):")
    if a.setup:
        steps = [s.split("=", 1) for s in a.setup]
        print("  setup, not the pipeline: " +
              ", ".join("%s %.1f s" % (n, float(v)) for n, v in steps))
    launch = first(ev, r"embedded Kafka|connector .*: (source|sink) plugin")
    if a.posted:
        print("  the worker was started before the posting; times below count from the first POST")
    else:
        print("  %s  connect-worker started (its first log line at %s)" % (rel(t0), rel(launch)))
    src_done = last(ev, r"\[pinterest-rds-source/\d+\] caught up")
    if src_done:
        print("  %s  every row read from MariaDB and acknowledged by Kafka (offsets stored)"
              % rel(src_done))
    if a.posted:
        print("  %s  the last POST answered (the client posts one row per request)"
              % rel(a.posted[1]))
    joined = first(ev, r"\[pinterest-s3-sink/0\] sink task started in consumer group")
    assigned = first(ev, r"\[pinterest-s3-sink/0\] assigned \d+ partition")
    if joined and assigned:
        print("  %s  S3 sink in its consumer group: the join took %.1f s, most of it the"
              % (rel(assigned), assigned - joined))
        print("            coordinator waiting for more members of a new group (the embedded"
              " cluster's fixed 3 s,")
        print("            as a Kafka broker's default group.initial.rebalance.delay.ms=3000;"
              " Kafka's own")
        print("            config/server.properties sets 0, so there Kafka Connect"
              " has no wait)")
    if objs:
        print("  %s  first object in S3" % rel(objs[0]))
        if a.posted:
            what = ", %d records" % a.rows if a.rows else ""
        else:
            what = (", %d records in %.1f s after the join" % (a.rows, objs[-1] - assigned)
                    if a.rows and assigned else "")
        if full and not a.posted and len(full) < len(objs):
            print("  %s  last full object (flush.size=%d records) in S3: %d of them" % (
                rel(full[-1]), a.flush_size, len(full)))
            print("            the partly filled rest is written when the batch run ends: once"
                  " the sink is caught")
            print("            up, and at the earliest 3 s after its first assignment (time"
                  " for a rebalance that")
            print("            topics the sources created could start); Kafka Connect would"
                  " keep them open")
        print("  %s  last object in S3: %d objects%s" % (rel(objs[-1]), len(objs), what))
    stopped = last(ev, r"^worker stopped")
    if stopped or a.exit:
        print("  %s  connect-worker exited (batch mode: every sink caught up and committed)"
              % rel(stopped or a.exit))
    if objs and assigned and not a.posted:
        own = objs[-1] - t0
        print("  the worker's own time, start to last object: %.1f s, %.1f s of it the first"
              " group join" % (own, assigned - joined))
    return 0


if __name__ == "__main__":
    sys.exit(main())
