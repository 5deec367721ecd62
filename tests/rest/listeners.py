"""Listener keys: port 0 (a free port, logged), several listeners, the deprecated
rest.host.name/rest.port fallback, rest.advertised.* in worker_id, listeners= turning the API
off, a taken default port (warning, the worker runs on) and a taken configured port (exit 4)."""
import re
import socket
import subprocess
import time

from restlib import deadline_in, WORKER, Worker, check, check_eq, done, free_port


def wait_log(w, pattern, timeout=30):
    deadline = deadline_in(timeout)
    while time.time() < deadline:
        m = re.search(pattern, w.log())
        if m:
            return m
        if w.proc.poll() is not None:
            break
        time.sleep(0.1)
    return None


# Port 0: the kernel picks; the log says which, and the API answers there.
w = Worker("port0", listeners="http://127.0.0.1:0", start=False).start(wait=False)
m = wait_log(w, r"REST API listening on http://127\.0\.0\.1:(\d+)/")
check(m is not None, "port 0: the chosen port is logged")
if m:
    w.port = int(m.group(1))
    w.wait_ready()
    check_eq(w.request("GET", "/").status, 200, "port 0: the API answers on the logged port")
w.stop()

# The deprecated fallback, with the advertised name and port in every worker_id.
port = free_port()
w = Worker("deprecated", listeners="-",
           extra=["rest.host.name=127.0.0.1", "rest.port=%d" % port,
                  "rest.advertised.host.name=connect-1.example.com",
                  "rest.advertised.port=9999"], start=False)
w.port = port
w.start()
check("rest.host.name and rest.port are deprecated" in w.log(), "the deprecation is logged")
r = w.request("GET", "/connectors/keepalive/status")
check_eq(r.json["connector"]["worker_id"] if r.json else r, "connect-1.example.com:9999",
         "worker_id is the advertised host:port")
check("REST API advertised URL http://connect-1.example.com:9999/" in w.log(),
      "the advertised URL is logged")
w.stop()

# listeners= (empty): no API, the worker runs its connectors all the same.
w = Worker("off", listeners="-", extra=["listeners="], start=False).start(wait=False)
check(wait_log(w, r"REST API off") is not None, "listeners= turns the API off")
check(wait_log(w, r"\[keepalive/0\] source task started") is not None, "the worker runs on")
check_eq(w.stop(), 0, "and stops cleanly")

# The default 127.0.0.1:8083 taken (by us, or by someone else already): warning, no API.
hold = socket.socket()
hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    hold.bind(("127.0.0.1", 8083))
    hold.listen(1)
except OSError:
    pass  # taken already: the same situation for the worker
w = Worker("default-taken", listeners="-", start=False).start(wait=False)
check(wait_log(w, r"WARN .*127\.0\.0\.1:8083 cannot be opened.*running without the REST API")
      is not None, "a taken default port: a warning")
check(wait_log(w, r"\[keepalive/0\] source task started") is not None,
      "a taken default port: the worker runs on")
check_eq(w.stop(), 0, "and stops cleanly")

# A configured listener that is taken: the worker does not start.
busy = socket.socket()
busy.bind(("127.0.0.1", 0))
busy.listen(1)
bport = busy.getsockname()[1]
w = Worker("taken", listeners="http://127.0.0.1:%d" % bport, start=False)
p = subprocess.run([WORKER, w.props] + w.connectors, capture_output=True, text=True, timeout=60)
check(p.returncode == 4 and "cannot be opened" in p.stderr,
      "a taken configured listener: exit 4 (%d: %s)" % (p.returncode, p.stderr.strip()[-200:]))
busy.close()
hold.close()
done()
