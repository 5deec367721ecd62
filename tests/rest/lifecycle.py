"""The connector endpoints over the herder, with Kafka's shapes and status codes: create,
status, tasks, pause, resume, restart, change config (PUT, PATCH), stop, topics, delete
(offsets: offsets.py); 404 / 409 / 400; initial_state; a secret behind ${env:...} never in any answer, log or
metric."""
import os
import time

from restlib import deadline_in, Worker, check, check_eq, done, is_error, tmpdir

SECRET = "s3cr3t-resolved-value-77"
env = dict(os.environ, CW_TEST_SECRET=SECRET)
w = Worker("lifecycle", connectors=[], env=env)
d = w.dir
wid = "127.0.0.1:%d" % w.port
seen = []  # every body, for the secret check


def req(*a, **k):
    r = w.request(*a, **k)
    seen.append(r.body.decode("utf-8", "replace"))
    return r


def wait_state(name, want, tasks_want=None, timeout=30):
    deadline = deadline_in(timeout)
    while True:
        r = req("GET", "/connectors/%s/status" % name)
        st = r.json
        tstates = [t["state"] for t in st.get("tasks", [])] if st else []
        if st and st["connector"]["state"] == want and (
                tasks_want is None or tstates == tasks_want):
            return st
        if time.time() > deadline:
            check(False, "%s reaches %s/%r (last %r)" % (name, want, tasks_want, st))
            return st
        time.sleep(0.1)


check_eq((req("GET", "/connectors").status, req("GET", "/connectors").json), (200, []),
         "no connectors at first")

infile = os.path.join(d, "in.txt")
open(infile, "w").write("a\nb\n")
cfg = {"connector.class": "FileStreamSource", "file": infile, "topic": "lines",
       "tasks.max": "1", "connection.password": "${env:CW_TEST_SECRET}"}
r = req("POST", "/connectors", {"name": "src", "config": cfg})
check_eq(r.status, 201, "POST /connectors: 201")
check_eq(r.headers.get("Location"), "http://127.0.0.1:%d/connectors/src" % w.port,
         "Location of the new connector (absolute, as JAX-RS)")
check_eq(sorted(r.json), ["config", "name", "tasks", "type"], "ConnectorInfo keys")
check_eq(r.json["config"], dict(cfg, name="src"), "ConnectorInfo config: as submitted + name")
check_eq(r.json["type"], "source", "ConnectorInfo type")
is_error(req("POST", "/connectors", {"name": "src", "config": cfg}), 409, "duplicate name")
is_error(req("POST", "/connectors", raw=b'{"name": "x", "config": {',
             headers={"Content-Type": "application/json"}), 400, "malformed JSON")
is_error(req("POST", "/connectors", {"name": "bad", "config": dict(cfg, **{"tasks.max": "0"})}),
         400, "an invalid configuration", "tasks.max")
is_error(req("POST", "/connectors", {"name": "x", "config": cfg, "initial_state": "SLEEPING"}),
         400, "an unknown initial_state")

st = wait_state("src", "RUNNING", ["RUNNING"])
check_eq(sorted(st), ["connector", "name", "tasks", "type"], "ConnectorStateInfo keys")
check_eq(st["connector"], {"state": "RUNNING", "worker_id": wid}, "connector state + worker_id")
check_eq(st["tasks"], [{"id": 0, "state": "RUNNING", "worker_id": wid}], "task states")

r = req("GET", "/connectors?expand=status&expand=info")
check_eq(sorted(r.json["src"]), ["info", "status"], "?expand=status&expand=info")
check_eq(r.json["src"]["info"]["name"], "src", "expanded info")
check_eq(sorted(req("GET", "/connectors?expand=status").json["src"]), ["status"],
         "?expand=status alone")
r = req("GET", "/connectors/src")
check_eq((r.status, r.json["tasks"]), (200, [{"connector": "src", "task": 0}]),
         "GET /connectors/src")
r = req("GET", "/connectors/src/config")
check_eq(r.json, dict(cfg, name="src"), "GET config: exactly the submitted map plus name")
r = req("GET", "/connectors/src/tasks")
check(r.status == 200 and r.json[0]["id"] == {"connector": "src", "task": 0}
      and "config" in r.json[0], "GET tasks: TaskInfo (%r)" % r.json)
r = req("GET", "/connectors/src/tasks/0/status")
check_eq(r.json, {"id": 0, "state": "RUNNING", "worker_id": wid}, "GET tasks/0/status")
is_error(req("GET", "/connectors/src/tasks/7/status"), 404, "an unknown task")
is_error(req("GET", "/connectors/src/tasks/x/status"), 404, "a task id that is no number")
is_error(req("GET", "/connectors/nope"), 404, "an unknown connector", "nope")
is_error(req("GET", "/connectors/nope/status"), 404, "status of an unknown connector")
is_error(req("PUT", "/connectors/nope/pause"), 404, "pause an unknown connector")

r = req("PUT", "/connectors/src/pause")
check_eq((r.status, r.body), (202, b""), "pause: 202, no body")
wait_state("src", "PAUSED", ["PAUSED"])
r = req("PUT", "/connectors/src/resume")
check_eq((r.status, r.body), (202, b""), "resume: 202, no body")
wait_state("src", "RUNNING", ["RUNNING"])

r = req("POST", "/connectors/src/restart")
check_eq((r.status, r.body), (204, b""), "restart (connector only): 204")
r = req("POST", "/connectors/src/restart?includeTasks=true&onlyFailed=false")
check_eq(r.status, 202, "restart with tasks: 202")
check_eq(sorted(r.json or {}), ["connector", "name", "tasks", "type"],
         "restart with tasks answers ConnectorStateInfo")
wait_state("src", "RUNNING", ["RUNNING"])
r = req("POST", "/connectors/src/tasks/0/restart")
check_eq((r.status, r.body), (204, b""), "task restart: 204")
wait_state("src", "RUNNING", ["RUNNING"])

cfg2 = dict(cfg, topic="lines2")
r = req("PUT", "/connectors/src/config", cfg2)
check_eq((r.status, r.json["config"]), (200, dict(cfg2, name="src")),
         "PUT config of an existing connector: 200 + ConnectorInfo")
is_error(req("PUT", "/connectors/src/config", dict(cfg2, name="other")), 400,
         "a name that does not match the URL")
r = req("PATCH", "/connectors/src/config", {"topic": "lines3", "connection.password": None})
want = dict(cfg2, topic="lines3", name="src")
del want["connection.password"]
check_eq((r.status, r.json["config"] if r.json else None), (200, want),
         "PATCH config: merged, null removes a key")
is_error(req("PATCH", "/connectors/nope/config", {"topic": "x"}), 404,
         "PATCH never creates")
wait_state("src", "RUNNING", ["RUNNING"])
r = req("PUT", "/connectors/src/config", dict(cfg2, topic="lines3"))
check_eq(r.status, 200, "PUT config again (secret back in)")

r = req("GET", "/connectors/src/topics")
check(r.status == 200 and list(r.json) == ["src"] and "topics" in r.json["src"],
      "GET topics: {name: {topics: [...]}} (%r)" % r.json)
check_eq(req("PUT", "/connectors/src/topics/reset").status, 202, "topics reset: 202")

r = req("PUT", "/connectors/src/stop")
check_eq((r.status, r.body), (204, b""), "stop: 204")
st = wait_state("src", "STOPPED", [])
check_eq(req("GET", "/connectors/src").json["tasks"], [], "a STOPPED connector has no tasks")
check_eq(req("PUT", "/connectors/src/resume").status, 202, "resume a STOPPED connector")
wait_state("src", "RUNNING", ["RUNNING"])

# initial_state (KIP-980)
sink = {"connector.class": "FileStreamSink", "file": os.path.join(d, "out.txt"),
        "topics": "lines"}
r = req("POST", "/connectors", {"name": "snk", "config": sink, "initial_state": "PAUSED"})
check_eq(r.status, 201, "create with initial_state PAUSED")
wait_state("snk", "PAUSED")
r = req("POST", "/connectors", {"name": "stp", "config": sink, "initial_state": "STOPPED"})
wait_state("stp", "STOPPED", [])
check_eq(sorted(req("GET", "/connectors").json), ["snk", "src", "stp"], "three connectors")

r = req("DELETE", "/connectors/src")
check_eq((r.status, r.body), (204, b""), "DELETE: 204")
is_error(req("GET", "/connectors/src"), 404, "gone after DELETE")
is_error(req("DELETE", "/connectors/src"), 404, "DELETE twice")
for n in ("snk", "stp"):
    req("DELETE", "/connectors/" + n)
check_eq(req("GET", "/connectors").json, [], "no connectors at the end")

metrics = req("GET", "/metrics").body.decode()
check_eq(w.stop(), 0, "clean stop")
check(not any(SECRET in b for b in seen), "the resolved secret is in no response")
check(SECRET not in metrics, "the resolved secret is in no metric")
check(SECRET not in w.log(), "the resolved secret is not in the log")
done()
