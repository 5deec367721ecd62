"""The multi-process harness of the distributed-mode tests (issue 13).

- MockCluster: tests/lib/cw-mock-cluster in a process of its own, with Kafka Connect's three
  internal topics and the lease topic created up front (the mock cluster has no CreateTopics);
  down()/up() take every broker down and up again (SIGUSR1 / SIGUSR2).
- DistWorker: `connect-worker --distributed` with the journal plugins, on a free REST port;
  kill9(), term(), freeze() (SIGSTOP), thaw() (SIGCONT), restart().
- wait_until(): every synchronisation polls a condition (REST status, the journal, a topic);
  nothing sleeps for a fixed time to let something happen.
- Journal: the journal plugins' file (plugins/journal_source.c): per unit the intervals
  [start, stop] of each process, and the overlaps between processes.
- read_seqs() / seq_report(): the journal-source topic read with kcat: per task the seqs, who
  wrote them (the journal.worker header), gaps and duplicates.

Every process binds 127.0.0.1, dies with the test (PR_SET_PDEATHSIG) and is killed at exit.
The REST helpers of tests/rest/restlib.py (check, check_eq, done, free_port, Response) are
reused as they are."""
import atexit
import ctypes
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rest"))
import restlib  # noqa: E402
from restlib import check, check_eq, done, free_port, Response  # noqa: E402,F401

WORKER = os.environ.get("CW_WORKER", "connect-worker")
BUILD = os.environ.get("CW_BUILD_DIR", "build")
PLUGINS = os.environ.get("CW_DIST_TEST_PLUGINS", os.path.join(BUILD, "tests/distributed/test-plugins"))
SANITIZED = os.environ.get("CW_SANITIZE", "OFF").upper() in ("ON", "1", "TRUE")

# The timings every test runs with (the mock cluster refuses a session below 6000 ms).
SESSION_MS = 6000
HEARTBEAT_MS = 1000
REBALANCE_DELAY_MS = 1000
LEASE_PARTITIONS = 16
GROUP = "cw-dist"
# How much slower everything is under AddressSanitizer (start-up, rebalances).
SLOW = 2.0 if SANITIZED else 1.0

NO_LEADER = ("Cannot complete request momentarily due to no known leader URL, likely because a "
             "rebalance was underway.")

_PROCS = []
_TMP = restlib.tmpdir()


def tmp(*parts):
    return os.path.join(_TMP, *parts)


def _die_with_parent():
    # The workers and the cluster must not outlive a test killed by ctest's timeout.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _cleanup():
    for p in _PROCS:
        if p.poll() is None:
            try:
                p.kill()
                p.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass


atexit.register(_cleanup)


def spawn(args, log_path, stdin=None, env=None):
    log = open(log_path, "ab")
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=stdin, env=env,
                         preexec_fn=_die_with_parent)
    log.close()
    _PROCS.append(p)
    return p


def now_ns():
    """CLOCK_MONOTONIC, the journal's clock."""
    return time.monotonic_ns()


def fail(what, workers=()):
    """Ends the test: prints the tail of every log first."""
    print("FAIL - " + what)
    dump_logs(workers)
    sys.exit(1)


def dump_logs(workers=(), lines=60):
    for w in workers:
        print("===== %s (%s, pid %s)" % (w.name, w.worker_id, w.pid))
        print("\n".join(w.log().splitlines()[-lines:]))
    j = tmp("journal")
    if os.path.exists(j):
        print("===== journal (last %d lines)" % lines)
        with open(j) as f:
            print("".join(f.readlines()[-lines:]))


def wait_until(pred, timeout, what, workers=(), interval=0.2):
    """Polls pred() until it returns something truthy and returns that; fails the test (with
    the logs) after timeout seconds."""
    deadline = time.time() + timeout * SLOW
    while True:
        v = pred()
        if v:
            return v
        if time.time() >= deadline:
            fail("timed out after %.0fs waiting for: %s" % (timeout * SLOW, what), workers)
        time.sleep(interval)


# --- the Kafka cluster -------------------------------------------------------------------------

class MockCluster:
    """cw-mock-cluster with connect-configs:1, connect-offsets:25, connect-status:5 and the
    lease topic, plus `topics` ({name: partitions}). Its stdin is a pipe of ours: it exits when
    the test goes away."""

    def __init__(self, topics=None, lease_partitions=LEASE_PARTITIONS):
        self.bootstrap_file = tmp("bootstrap")
        self.log_path = tmp("mock-cluster.log")
        args = [os.path.join(BUILD, "tests/lib/cw-mock-cluster"), "--bootstrap-file",
                self.bootstrap_file,
                "--topic", "connect-configs:1", "--topic", "connect-offsets:25",
                "--topic", "connect-status:5",
                "--topic", "%s-leases:%d" % (GROUP, lease_partitions)]
        for name, parts in (topics or {}).items():
            args += ["--topic", "%s:%d" % (name, parts)]
        self.proc = spawn(args, self.log_path, stdin=subprocess.PIPE)
        wait_until(lambda: os.path.exists(self.bootstrap_file), 20, "the mock cluster")
        with open(self.bootstrap_file) as f:
            self.bootstrap = f.read().strip()

    def _log_count(self, what):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace").count(what)

    def down(self):
        n = self._log_count("brokers down")
        self.proc.send_signal(signal.SIGUSR1)
        wait_until(lambda: self._log_count("brokers down") > n, 10, "the brokers down")

    def up(self):
        n = self._log_count("brokers up")
        self.proc.send_signal(signal.SIGUSR2)
        wait_until(lambda: self._log_count("brokers up") > n, 10, "the brokers up")

    def kcat(self, *args, data=None):
        r = subprocess.run(["timeout", "30", "kcat", "-b", self.bootstrap, "-q"] + list(args),
                           input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return r.stdout.decode("utf-8", "replace")

    def produce(self, topic, records):
        """Writes (key, value) pairs with Java's key partitioning (murmur2_random), as Kafka
        Connect places its internal records; value None is a tombstone."""
        for key, value in records:
            line = "%s\t%s\n" % (key, "" if value is None else value)
            extra = ["-Z"] if value is None else []
            r = subprocess.run(["timeout", "30", "kcat", "-b", self.bootstrap, "-q", "-P", "-t",
                                topic, "-K", "\t", "-X", "partitioner=murmur2_random"] + extra,
                               input=line.encode(), stderr=subprocess.PIPE)
            if r.returncode != 0:
                fail("kcat could not write %s to %s: %s" % (key, topic, r.stderr.decode()))


# --- workers -----------------------------------------------------------------------------------

class DistWorker:
    def __init__(self, name, cluster, extra=(), start=True, props=None, env=None):
        """A worker with the tests' file (the keys below plus `extra`), or with the file
        `props` as it is and `env` as its environment (e.g. the example files)."""
        self.name = name
        self.cluster = cluster
        self.dir = tmp(name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.worker_id = "127.0.0.1:%d" % self.port
        self.props = os.path.join(self.dir, "worker.properties")
        self.log_path = os.path.join(self.dir, "worker.log")
        self.env = None
        if env is not None:
            self.env = dict(os.environ)
            self.env.update({k: v.replace("{port}", str(self.port)) for k, v in env.items()})
        if props is not None:
            self.props = props
            self.proc = None
            self.pids = []
            if start:
                self.start()
            return
        lines = [
            "bootstrap.servers=" + cluster.bootstrap,
            "group.id=" + GROUP,
            "config.storage.topic=connect-configs",
            "offset.storage.topic=connect-offsets",
            "status.storage.topic=connect-status",
            "config.storage.replication.factor=1",
            "offset.storage.replication.factor=1",
            "status.storage.replication.factor=1",
            "cw.leases.partitions=%d" % LEASE_PARTITIONS,
            "cw.leases.replication.factor=1",
            "session.timeout.ms=%d" % SESSION_MS,
            "heartbeat.interval.ms=%d" % HEARTBEAT_MS,
            "scheduled.rebalance.max.delay.ms=%d" % REBALANCE_DELAY_MS,
            "offset.flush.interval.ms=500",
            "task.shutdown.graceful.timeout.ms=5000",
            "listeners=http://127.0.0.1:%d" % self.port,
            "rest.advertised.host.name=127.0.0.1",
            "rest.advertised.port=%d" % self.port,
            "key.converter=org.apache.kafka.connect.storage.StringConverter",
            "value.converter=org.apache.kafka.connect.storage.StringConverter",
            # Sink tasks' consumers: a killed worker's members go after the session timeout.
            "consumer.session.timeout.ms=%d" % SESSION_MS,
        ] + list(extra)
        with open(self.props, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None
        self.pids = []  # every process this worker ran, oldest first
        if start:
            self.start()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self, wait=True):
        with open(self.log_path, "ab") as f:
            f.write(b"===== start\n")
        self.proc = spawn([WORKER, "--distributed", "--plugin-path", PLUGINS, self.props],
                          self.log_path, env=self.env)
        self.pids.append(self.proc.pid)
        if wait:
            self.wait_ready()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_ready(self, timeout=30):
        def up():
            if self.proc.poll() is not None:
                fail("%s exited with %d" % (self.name, self.proc.returncode), [self])
            r = self.request("GET", "/", timeout=2)
            return r is not None and r.status == 200
        wait_until(up, timeout, "%s's REST API" % self.name, [self], interval=0.1)

    def request(self, method, path, body=None, timeout=10):
        """The answer, or None when the connection failed."""
        hdrs = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=data, headers=hdrs)
            r = c.getresponse()
            return Response(r.status, dict(r.getheaders()), r.read())
        except (OSError, http.client.HTTPException):
            return None
        finally:
            c.close()

    def get_json(self, path):
        r = self.request("GET", path)
        return r.json if r is not None and r.status == 200 else None

    def status(self, connector):
        return self.get_json("/connectors/%s/status" % connector)

    def leader(self):
        """The last `distributed: leader is <worker_id>` this process logged, or None."""
        log = self.log().split("===== start\n")[-1]
        found = re.findall(r"distributed: leader is (\S+)", log)
        return found[-1] if found else None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def term(self, timeout=30):
        """SIGTERM; waits for the exit and returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            fail("%s did not exit within %ds of SIGTERM" % (self.name, timeout * SLOW), [self])

    def freeze(self):
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.proc.send_signal(signal.SIGCONT)


def start_workers(cluster, n, extra=()):
    ws = [DistWorker("w%d" % (i + 1), cluster, extra, start=False) for i in range(n)]
    for w in ws:
        w.start(wait=False)
    for w in ws:
        w.wait_ready()
    return ws


def by_id(workers):
    return {w.worker_id: w for w in workers}


def pid_of(workers):
    """worker_id -> the pid of its current process (the journal's label)."""
    return {w.worker_id: str(w.pid) for w in workers}


def agreed_leader(workers):
    """The leader every live worker names, or None while they disagree or know none."""
    ids = {w.leader() for w in workers if w.alive()}
    return ids.pop() if len(ids) == 1 and None not in ids else None


# --- connectors --------------------------------------------------------------------------------

def journal_source(tasks, topic="journal", rate=100, **extra):
    cfg = {"connector.class": "journal-source", "tasks.max": str(tasks), "topic": topic,
           "journal.file": tmp("journal"), "records.per.second": str(rate)}
    cfg.update({k.replace("_", "."): str(v) for k, v in extra.items()})
    return cfg


def journal_sink(tasks, topics="journal"):
    return {"connector.class": "journal-sink", "tasks.max": str(tasks), "topics": topics,
            "journal.file": tmp("journal")}


def write_until_accepted(worker, method, path, body, ok, timeout=60, workers=()):
    """Sends the request until the answer's status is in `ok` (a cluster still forming answers
    409); returns every answer seen, in order."""
    seen = []

    def attempt():
        r = worker.request(method, path, body)
        seen.append(r)
        return r is not None and r.status in ok
    wait_until(attempt, timeout, "%s %s accepted by %s (answers: %s)" % (
        method, path, worker.name, [a.status if a else None for a in seen[-5:]]), workers,
        interval=0.25)
    return seen


def create_connector(worker, name, config, workers=()):
    return write_until_accepted(worker, "POST", "/connectors", {"name": name, "config": config},
                                (201,), workers=workers)


def put_config(worker, name, config, workers=()):
    return write_until_accepted(worker, "PUT", "/connectors/%s/config" % name, config,
                                (200, 201), workers=workers)


def placement(status, live_ids=None):
    """{task id: worker_id} when the connector and every task are RUNNING (on a live worker
    when live_ids is given), else None."""
    if not status or status.get("connector", {}).get("state") != "RUNNING":
        return None
    out = {}
    for t in status.get("tasks", []):
        if t.get("state") != "RUNNING":
            return None
        if live_ids is not None and t.get("worker_id") not in live_ids:
            return None
        out[t["id"]] = t["worker_id"]
    if live_ids is not None and status["connector"].get("worker_id") not in live_ids:
        return None
    return out


def settled(workers, tasks):
    """When every live worker's status of each connector in `tasks` ({name: n}) shows the
    connector and exactly n tasks RUNNING on live workers, all views alike: {name: status}."""
    live = [w for w in workers if w.alive()]
    ids = {w.worker_id for w in live}
    out = {}
    for name, n in tasks.items():
        views = []
        for w in live:
            st = w.status(name)
            p = placement(st, ids)
            if p is None or sorted(p) != list(range(n)):
                return None
            views.append((st["connector"]["worker_id"], p))
        if any(v != views[0] for v in views):
            return None
        out[name] = st
    return out


def units_per_worker(statuses, workers):
    """worker_id -> units (connectors and tasks) it runs, from statuses {name: status}."""
    count = {w.worker_id: 0 for w in workers if w.alive()}
    for st in statuses.values():
        count[st["connector"]["worker_id"]] = count.get(st["connector"]["worker_id"], 0) + 1
        for t in st["tasks"]:
            count[t["worker_id"]] = count.get(t["worker_id"], 0) + 1
    return count


def balanced(statuses, workers):
    c = units_per_worker(statuses, workers)
    return max(c.values()) - min(c.values()) <= 1


# --- the journal -------------------------------------------------------------------------------

class Journal:
    """Lines `<event> <connector> <task> <label> <ns> [extra]` (plugins/journal_source.c)."""

    def __init__(self, path=None):
        self.path = path or tmp("journal")

    def events(self):
        out = []
        try:
            with open(self.path) as f:
                for line in f:
                    p = line.split()
                    if len(p) < 5:
                        continue
                    out.append({"event": p[0], "connector": p[1], "task": int(p[2]),
                                "label": p[3], "ns": int(p[4]),
                                "extra": p[5] if len(p) > 5 else None})
        except FileNotFoundError:
            pass
        return out

    def intervals(self, connector=None):
        """{(connector, task): [[label, start_ns, stop_ns or None], ...]} in start order. A
        start while the same process still runs the unit is kept as a second interval (one
        unit running twice in one process)."""
        out = {}
        for e in self.events():
            if e["task"] < 0 or (connector and e["connector"] != connector):
                continue
            unit = (e["connector"], e["task"])
            iv = out.setdefault(unit, [])
            if e["event"] == "start":
                iv.append([e["label"], e["ns"], None])
            elif e["event"] == "stop":
                for i in iv:
                    if i[0] == e["label"] and i[2] is None:
                        i[2] = e["ns"]
                        break
        for iv in out.values():
            iv.sort(key=lambda i: i[1])
        return out

    def running(self, connector=None):
        """{(connector, task): [labels with an open interval]} (units with none left out)."""
        out = {}
        for unit, iv in self.intervals(connector).items():
            labels = [i[0] for i in iv if i[2] is None]
            if labels:
                out[unit] = labels
        return out

    def overlaps(self, ends=None, connector=None, min_ns=0):
        """Every pair of intervals of one unit that overlap by more than min_ns:
        [(unit, (label, start, stop), (label, start, stop), overlap_ns)]. An open interval of
        a label in `ends` ({label: ns}, e.g. a killed process) ends there; other open
        intervals run until now."""
        ends = ends or {}
        found = []
        for unit, iv in self.intervals(connector).items():
            closed = [(l, s, e if e is not None else ends.get(l, now_ns())) for l, s, e in iv]
            for a in range(len(closed)):
                for b in range(a + 1, len(closed)):
                    x, y = closed[a], closed[b]
                    ov = min(x[2], y[2]) - max(x[1], y[1])
                    if ov > min_ns:
                        found.append((unit, x, y, ov))
        return found

    def count(self, event, label=None, connector=None, after_ns=0):
        return sum(1 for e in self.events() if e["event"] == event and e["ns"] > after_ns
                   and (label is None or e["label"] == label)
                   and (connector is None or e["connector"] == connector))


def journal_agrees(journal, statuses, workers):
    """True when the units the journal shows running are exactly the tasks of `statuses`, each
    in the process of the worker its status names."""
    pids = pid_of(workers)
    want = {}
    for name, st in statuses.items():
        for t in st["tasks"]:
            want[(name, t["id"])] = [pids.get(t["worker_id"])]
    # A killed process never journals its stops: only live processes' open intervals count.
    live = set(pids.values())
    got = {u: [x for x in l if x in live] for u, l in journal.running().items() if u[0] in statuses}
    got = {u: l for u, l in got.items() if l}
    return got == want


# --- the data topic ------------------------------------------------------------------------

def read_seqs(cluster, topic="journal"):
    """{task: [(seq, writer label), ...]} in the topic's order per partition."""
    out = {}
    text = cluster.kcat("-C", "-t", topic, "-e", "-f", "%k\t%s\t%h\n")
    for line in text.splitlines():
        p = line.split("\t")
        if len(p) < 2 or ":" not in p[1]:
            continue
        task, seq = p[1].split(":", 1)
        m = re.search(r"journal\.worker=([^,\s]+)", p[2] if len(p) > 2 else "")
        out.setdefault(int(task), []).append((int(seq), m.group(1) if m else None))
    return out


def seq_report(seqs):
    """{task: {"max", "count", "gaps": [missing seqs], "dups": {seq: times}}}."""
    rep = {}
    for task, recs in seqs.items():
        counts = {}
        for s, _ in recs:
            counts[s] = counts.get(s, 0) + 1
        mx = max(counts)
        rep[task] = {"max": mx, "count": len(recs),
                     "gaps": [s for s in range(mx + 1) if s not in counts],
                     "dups": {s: n for s, n in counts.items() if n > 1}}
    return rep


def produced_past(cluster, marks, n, topic="journal"):
    """True when every task t of `marks` ({task: seq}) has a seq >= marks[t] + n (one read)."""
    seqs = read_seqs(cluster, topic)
    return all(t in seqs and max(s for s, _ in seqs[t]) >= m + n for t, m in marks.items())


def produced_at_least(cluster, tasks, n, topic="journal"):
    """True when every task in `tasks` has a seq >= n in the topic."""
    seqs = read_seqs(cluster, topic)
    return all(t in seqs and max(s for s, _ in seqs[t]) >= n for t in tasks)


def offsets_topic(cluster, connector):
    """[(partition, offset, task, seq or None)] of `connector`'s records in connect-offsets, in
    each partition's order."""
    out = []
    text = cluster.kcat("-C", "-t", "connect-offsets", "-e", "-Z", "-f", "%p\t%o\t%k\t%s\n")
    for line in text.splitlines():
        p = line.split("\t")
        if len(p) < 4:
            continue
        try:
            key = json.loads(p[2])
        except ValueError:
            continue
        if not (isinstance(key, list) and len(key) == 2 and key[0] == connector):
            continue
        try:
            val = json.loads(p[3]) if p[3] not in ("", "NULL") else None
        except ValueError:
            val = None
        seq = val.get("seq") if isinstance(val, dict) else None
        out.append((int(p[0]), int(p[1]), int(key[1].get("task", -1)), seq))
    return out


def ms(ns):
    return ns / 1e6


def ready(workers, want, journal, balance=True):
    """A predicate for wait_until: settled(workers, want), balanced when `balance`, and the
    journal running exactly those tasks where the status says; returns the statuses."""
    def pred():
        st = settled(workers, want)
        if not st or (balance and not balanced(st, workers)):
            return None
        return st if journal_agrees(journal, st, workers) else None
    return pred
