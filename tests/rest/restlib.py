"""Shared helpers of the REST API tests: a worker with a REST listener on a free port, requests
with http.client, and checks that say what they expected. Every server binds 127.0.0.1 and is
stopped at exit."""
import atexit
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

WORKER = os.environ.get("CW_WORKER", "connect-worker")
# Waits for a condition last CW_TIMEOUT_SCALE times longer in the sanitizer builds
# (tests/run-all.sh sets it), which do the same work several times slower.
TIMEOUT_SCALE = float(os.environ.get("CW_TIMEOUT_SCALE", "1"))


def deadline_in(seconds):
    """The time.time() at which a wait of `seconds` (scaled) gives up."""
    return time.time() + seconds * TIMEOUT_SCALE
FAILURES = []


def check(cond, what):
    if cond:
        print("ok   - " + what)
    else:
        print("FAIL - " + what)
        FAILURES.append(what)
    return cond


def check_eq(got, want, what):
    return check(got == want, "%s (got %r, want %r)" % (what, got, want))


def wait(what, fn, timeout=30):
    """Polls fn() every 0.1 s until it returns something true, and returns that; after
    `timeout` seconds (scaled) a failed check naming `what`, and None."""
    deadline = deadline_in(timeout)
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    check(False, "timed out waiting for " + what)
    return None


def done():
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        sys.exit(1)
    print("all checks passed")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


_TMP = tempfile.mkdtemp(prefix="cwrest.")
_PROCS = []


def tmpdir():
    return _TMP


def _cleanup():
    for p in _PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
    if os.environ.get("CW_KEEP_TMP") == "1":
        print("kept " + _TMP)
    else:
        shutil.rmtree(_TMP, ignore_errors=True)


atexit.register(_cleanup)


def spawn(args, log_path, env=None):
    log = open(log_path, "wb")
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    _PROCS.append(p)
    return p


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


class Worker:
    """A connect-worker with the embedded Kafka cluster and a FileStreamSource connector that
    keeps it running (until the herder keeps an idle worker alive)."""

    def __init__(self, name, extra=(), listeners=None, connectors=None, env=None, start=True):
        self.dir = os.path.join(_TMP, name)
        os.makedirs(self.dir)
        self.port = free_port()
        self.listeners = listeners or "http://127.0.0.1:%d" % self.port
        self.props = os.path.join(self.dir, "worker.properties")
        with open(self.props, "w") as f:
            f.write("embedded.kafka.enable=true\n")
            f.write("offset.storage.file.filename=%s/offsets\n" % self.dir)
            f.write("offset.flush.interval.ms=500\n")
            f.write("task.shutdown.graceful.timeout.ms=3000\n")
            f.write("rest.connection.timeout.ms=3000\n")
            if self.listeners != "-":
                f.write("listeners=%s\n" % self.listeners)
            for line in extra:
                f.write(line + "\n")
        if connectors is None:
            infile = os.path.join(self.dir, "in.txt")
            open(infile, "w").write("one\n")
            src = os.path.join(self.dir, "keepalive.properties")
            with open(src, "w") as f:
                f.write("name=keepalive\nconnector.class=FileStreamSource\n")
                f.write("file=%s\ntopic=keepalive\n" % infile)
            connectors = [src]
        self.connectors = connectors
        self.log_path = os.path.join(self.dir, "worker.log")
        self.env = env
        self.proc = None
        if start:
            self.start()

    def start(self, wait=True):
        self.proc = spawn([WORKER, self.props] + list(self.connectors), self.log_path, self.env)
        if wait:
            self.wait_ready()
        return self

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_ready(self, timeout=30, scheme="http", context=None):
        deadline = deadline_in(timeout)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("worker exited with %d:\n%s" % (self.proc.returncode, self.log()))
            try:
                r = self.request("GET", "/health", scheme=scheme, context=context, timeout=2)
                if r.status in (200, 401):
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise SystemExit("worker REST API not up after %ds:\n%s" % (timeout, self.log()))

    def request(self, method, path, body=None, headers=None, scheme="http", context=None,
                timeout=30, port=None, auth=None, raw=None):
        hdrs = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if auth:
            hdrs["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % auth).encode()).decode()
        port = port or self.port
        if scheme == "https":
            c = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=context)
        else:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            c.request(method, path, body=data, headers=hdrs)
            r = c.getresponse()
            return Response(r.status, dict(r.getheaders()), r.read())
        finally:
            c.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


def is_error(r, status, what, contains=None):
    """Kafka's ErrorMessage: exactly {"error_code": status, "message": "..."}."""
    ok = (r.status == status and isinstance(r.json, dict)
          and sorted(r.json) == ["error_code", "message"]
          and r.json["error_code"] == status and isinstance(r.json["message"], str)
          and (contains is None or contains in r.json["message"]))
    return check(ok, "%s: %d in Kafka's error shape%s (got %r)" % (
        what, status, " mentioning %r" % contains if contains else "", r))


def make_certs(d):
    """A throw-away CA and a server certificate for 127.0.0.1 (and a client certificate)."""
    def run(*args):
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=cw test CA", "-keyout", d + "/ca.key", "-out", d + "/ca.pem")
    with open(d + "/san.ext", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    for who in ("server", "client"):
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "%s/%s.key" % (d, who), "-out", "%s/%s.csr" % (d, who))
        run("openssl", "x509", "-req", "-in", "%s/%s.csr" % (d, who), "-CA", d + "/ca.pem",
            "-CAkey", d + "/ca.key", "-CAcreateserial", "-days", "2", "-extfile",
            d + "/san.ext", "-out", "%s/%s.pem" % (d, who))
