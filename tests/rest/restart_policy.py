"""A failing task through the REST API: Kafka's behaviour (errors.restart.policy=none: FAILED
with its trace until POST .../tasks/0/restart) and the automatic restart beyond Kafka
(errors.restart.policy=always: back to RUNNING by itself, "restarts" counted in the status).
The sink (tests/worker's test-lc-sink) fails its first put of a record holding "boom"."""
import os
import time

from restlib import Worker, check, check_eq, done, wait

plugins = os.path.join(os.environ["CW_BUILD_DIR"], "tests", "worker", "test-plugins")
w = Worker("restarts", connectors=[], extra=["plugin.path=" + plugins,
                                             "embedded.kafka.topics=events:1"])
d = w.dir
open(d + "/in.txt", "w").write("ok-1\nboom\nok-2\n")
src = {"connector.class": "FileStreamSource", "file": d + "/in.txt", "topic": "events"}
check_eq(w.request("POST", "/connectors", {"name": "src", "config": src}).status, 201, "source")


def sink(name, policy):
    return {"name": name, "config": {
        "connector.class": "test-lc-sink", "topics": "events", "file": d + "/" + name + ".log",
        "fail.put.on": "boom", "fail.put.times": "1", "errors.restart.policy": policy,
        "errors.restart.initial.backoff.ms": "200"}}


def task(name):
    r = w.request("GET", "/connectors/%s/tasks/0/status" % name)
    return r.json if r.status == 200 else {}


# Kafka's behaviour: FAILED with the trace until someone restarts it.
check_eq(w.request("POST", "/connectors", sink("manual", "none")).status, 201, "manual sink")
st = wait("manual FAILED", lambda: task("manual").get("state") == "FAILED" and task("manual"))
if st:
    check_eq(sorted(st), ["id", "state", "trace", "worker_id"], "a FAILED TaskState has a trace")
    check("boom" in st["trace"] or "put" in st["trace"], "the trace says why (%r)" % st["trace"])
time.sleep(1)  # a FAILED task stays FAILED (no restart policy)
check_eq(task("manual").get("state"), "FAILED", "policy none: still FAILED a second later")
check_eq(w.request("POST", "/connectors/manual/tasks/0/restart").status, 204, "restart by hand")
wait("manual RUNNING after the restart", lambda: task("manual").get("state") == "RUNNING")

# Beyond Kafka: the task restarts itself and counts it.
check_eq(w.request("POST", "/connectors", sink("auto", "always")).status, 201, "auto sink")
st = wait("auto restarted", lambda: task("auto").get("restarts", 0) >= 1 and
          task("auto").get("state") == "RUNNING" and task("auto"))
check(bool(st), "policy always: RUNNING again with restarts counted (%r)" % st)
r = w.request("GET", "/connectors/auto/status")
check_eq(r.json["tasks"][0].get("restarts") if r.json else r, 1, "the status counts 1 restart")
check("restarting in" in w.log(), "the restart is logged")
check_eq(w.stop(), 0, "clean stop")
done()
