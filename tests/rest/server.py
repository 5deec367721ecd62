"""The REST server without the connector endpoints: GET /, /health, plugins, validate,
loggers, Kafka's error shape for 400/404/405/413/415, a bounded body, and a slow client that
does not hold up anyone else."""
import re
import socket
import time

from restlib import deadline_in, Worker, check, check_eq, done, is_error

w = Worker("server", extra=["rest.request.max.bytes=2048", "rest.threads=2"])

# GET /: ServerInfo
r = w.request("GET", "/")
check_eq(r.status, 200, "GET / status")
check_eq(sorted(r.json), ["commit", "kafka_cluster_id", "version"], "GET / keys")
check(re.fullmatch(r"\d+\.\d+\.\d+", r.json["version"]) is not None,
      "GET / version parses as X.Y.Z (%r)" % r.json["version"])
check(isinstance(r.json["kafka_cluster_id"], str) and r.json["kafka_cluster_id"],
      "GET / kafka_cluster_id from the embedded cluster")
check(r.headers.get("Content-Type", "").startswith("application/json"), "JSON content type")

# GET /health: WorkerStatus
r = w.request("GET", "/health")
check_eq((r.status, sorted(r.json)), (200, ["message", "status"]), "GET /health shape")
check_eq(r.json["status"], "healthy", "GET /health status")

# Errors in Kafka's shape
is_error(w.request("GET", "/no/such/path"), 404, "unknown path")
is_error(w.request("DELETE", "/health"), 405, "method not allowed")
is_error(w.request("PUT", "/admin/loggers/root", raw=b'{"level": "DEBUG"',
                   headers={"Content-Type": "application/json"}), 400, "malformed JSON")
is_error(w.request("PUT", "/admin/loggers/root", raw=b'["DEBUG"]',
                   headers={"Content-Type": "application/json"}), 400, "JSON of the wrong type")
is_error(w.request("PUT", "/admin/loggers/root", raw=b'level=DEBUG',
                   headers={"Content-Type": "application/x-www-form-urlencoded"}), 415,
         "a form body")
big = b'{"level": "' + b"x" * 4096 + b'"}'
is_error(w.request("PUT", "/admin/loggers/root", raw=big,
                   headers={"Content-Type": "application/json"}), 413,
         "a body over rest.request.max.bytes (Content-Length)", "rest.request.max.bytes")


# The same body chunked, with no Content-Length: read and dropped, then 413.
def chunked(body):
    s = socket.create_connection(("127.0.0.1", w.port), timeout=10)
    s.sendall(b"PUT /admin/loggers/root HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    for i in range(0, len(body), 1000):
        part = body[i:i + 1000]
        s.sendall(b"%x\r\n%s\r\n" % (len(part), part))
    s.sendall(b"0\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


resp = chunked(big)
check(resp.startswith(b"HTTP/1.1 413") and b'"error_code":413' in resp,
      "a chunked body over the limit: 413 (%r)" % resp[:200])

# Plugins
r = w.request("GET", "/connector-plugins")
check_eq(r.status, 200, "GET /connector-plugins")
types = {p["type"] for p in r.json}
check_eq(types, {"sink", "source"}, "connectorsOnly defaults to true")
check(all(sorted(p) == ["class", "type", "version"] for p in r.json), "PluginInfo keys")
classes = [p["class"] for p in r.json]
check("org.apache.kafka.connect.file.FileStreamSinkConnector" in classes,
      "FileStreamSink listed under its Kafka class name")
r = w.request("GET", "/connector-plugins?connectorsOnly=false")
types = {p["type"] for p in r.json}
check({"transformation", "predicate", "converter"} <= types,
      "connectorsOnly=false lists transformations, predicates, converters (%r)" % types)

r = w.request("GET", "/connector-plugins/FileStreamSink/config")
check_eq(r.status, 200, "GET plugin config")
keys = ["name", "type", "required", "default_value", "importance", "documentation", "group",
        "order", "width", "display_name", "dependents"]
check(all(sorted(k) == sorted(keys) for k in r.json), "ConfigKeyInfo keys")
names = [k["name"] for k in r.json]
check("file" in names and "connector.class" in names and "errors.tolerance" in names,
      "plugin keys, then the framework's")
is_error(w.request("GET", "/connector-plugins/NoSuchPlugin/config"), 404, "unknown plugin")

# Validate with errors
cfg = {"connector.class": "FileStreamSink", "name": "v", "topics": "t", "tasks.max": "0",
       "consumer.override.sasl.password": "hunter2-validate"}
r = w.request("PUT", "/connector-plugins/FileStreamSink/config/validate", cfg)
check_eq(r.status, 200, "validate status")
check_eq(sorted(r.json), ["configs", "error_count", "groups", "name"], "ConfigInfos keys")
check_eq(r.json["name"], "FileStreamSink", "ConfigInfos name is the connector.class")
by = {c["value"]["name"]: c for c in r.json["configs"]}
check_eq(sorted(by["tasks.max"]["value"]),
         ["errors", "name", "recommended_values", "value", "visible"], "ConfigValueInfo keys")
check(len(by["tasks.max"]["value"]["errors"]) == 1, "tasks.max=0 has an error")
check(len(by["file"]["value"]["errors"]) == 1, "the missing file has an error")
total = sum(len(c["value"]["errors"]) for c in r.json["configs"])
check_eq(r.json["error_count"], total, "error_count is the number of errors")
check(r.json["error_count"] >= 2, "at least two errors")
check_eq(by["consumer.override.sasl.password"]["value"]["value"], "[hidden]",
         "a secret comes back hidden")
check_eq(by["consumer.override.sasl.password"]["definition"]["type"], "PASSWORD",
         "a secret's type is PASSWORD")
check("hunter2-validate" not in r.body.decode(), "the secret is not in the response")
cfg_ok = {"connector.class": "FileStreamSink", "name": "v", "topics": "t", "file": "/tmp/x"}
r = w.request("PUT", "/connector-plugins/FileStreamSink/config/validate", cfg_ok)
check_eq(r.json["error_count"], 0, "a good configuration has no error")
is_error(w.request("PUT", "/connector-plugins/FileStreamSource/config/validate", cfg_ok), 400,
         "connector.class of another plugin", "does not match")

# Loggers
r = w.request("GET", "/admin/loggers")
check_eq(r.json, {"root": {"level": "INFO", "last_modified": None}}, "GET /admin/loggers")
r = w.request("PUT", "/admin/loggers/root", {"level": "DEBUG"})
check_eq((r.status, r.json), (200, ["root"]), "PUT /admin/loggers/root")
r = w.request("GET", "/admin/loggers/root")
check(r.json["level"] == "DEBUG" and isinstance(r.json["last_modified"], int),
      "the level changed at run time (%r)" % r.json)
w.request("GET", "/health")
check(re.search(r"DEBUG REST 127\.0\.0\.1 GET /health 200", w.log()) is not None,
      "DEBUG lines now reach the log")
is_error(w.request("PUT", "/admin/loggers/root", {"level": "LOUD"}), 404, "an unknown level")
is_error(w.request("PUT", "/admin/loggers/root", {}), 400, "no level")
is_error(w.request("GET", "/admin/loggers/org.apache.kafka"), 404, "an unknown logger")
w.request("PUT", "/admin/loggers/root", {"level": "INFO"})
# A connector's own logger (beyond Kafka): its lines at TRACE, everything else at INFO.
r = w.request("GET", "/admin/loggers/keepalive")
check_eq((r.status, r.json["level"] if r.json else r), (200, "INFO"),
         "an existing connector's logger has root's level")
r = w.request("PUT", "/admin/loggers/keepalive", {"level": "TRACE"})
check_eq((r.status, r.json), (200, ["keepalive"]), "PUT /admin/loggers/<connector>")
r = w.request("GET", "/admin/loggers")
check(r.json["root"]["level"] == "INFO" and r.json["keepalive"]["level"] == "TRACE"
      and isinstance(r.json["keepalive"]["last_modified"], int),
      "GET /admin/loggers lists root and the connector (%r)" % r.json)
with open(w.dir + "/in.txt", "a") as f:  # a record for the keepalive source to poll
    f.write("two\n")
deadline = deadline_in(10)
while time.time() < deadline and not re.search(r"TRACE \[keepalive/0\] poll returned", w.log()):
    time.sleep(0.1)
check(re.search(r"TRACE \[keepalive/0\] poll returned", w.log()) is not None,
      "the connector's TRACE lines reach the log")
w.request("GET", "/health")
after = w.log().split("log level of keepalive set to TRACE")
check(len(after) == 2 and "DEBUG REST" not in after[1], "lines of no connector stay at INFO")
r = w.request("PUT", "/admin/loggers/root", {"level": "INFO"})
check_eq(r.json, ["root", "keepalive"], "PUT root resets the connector's logger too")
check_eq(sorted(w.request("GET", "/admin/loggers").json), ["root"], "only root is left")

# A slow client (half a request, then nothing) holds up no one.
slow = []
for _ in range(4):  # more than rest.threads
    s = socket.create_connection(("127.0.0.1", w.port))
    s.sendall(b"PUT /admin/loggers/root HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"le")
    slow.append(s)
t0 = time.time()
for _ in range(20):
    r = w.request("GET", "/health", timeout=5)
elapsed = time.time() - t0
check(r.status == 200 and elapsed < 5,
      "20 requests beside 4 stalled clients took %.2fs" % elapsed)
# ... and the stalled connections are closed after rest.connection.timeout.ms (3 s here).
slow[0].settimeout(15)
t0 = time.time()
try:
    data = slow[0].recv(100)
except OSError:
    data = b""
check(data == b"" and time.time() - t0 < 10,
      "a stalled connection is closed by the server (%.1fs)" % (time.time() - t0))
for s in slow:
    s.close()

# GET /metrics: Prometheus text format
r = w.request("GET", "/metrics")
check_eq(r.status, 200, "GET /metrics")
check_eq(r.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8",
         "the Prometheus text content type")

check_eq(w.stop(), 0, "the worker stops cleanly with the REST server")
check("hunter2-validate" not in w.log(), "the secret is not in the log")
done()
