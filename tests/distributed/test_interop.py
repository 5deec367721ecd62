"""Guarantee 8, interop: a cluster takes over from Kafka Connect on the same topics. Before any
worker starts, kcat writes what a Java cluster leaves behind, in Kafka Connect's formats (the
shapes of KafkaConfigBackingStoreTest, KafkaStatusBackingStoreTest and OffsetStorageWriter;
JSON without schemas, Java's key partitioning):
  connect-configs: connector-legacy, task-legacy-0/1 (connector keys plus task.class),
                   commit-legacy {"tasks":2}; connector-paused, task-paused-0, commit-paused,
                   target-state-paused {"state":"PAUSED"} (TARGET_STATE_V0, the pre-KIP-875
                   form); connector-halted, commit-halted {"tasks":0}, target-state-halted
                   {"state":"PAUSED","state.v2":"STOPPED"} (a connector stopped with KIP-875);
  connect-offsets: ["legacy",{"task":"0"}] -> {"seq":41}, ["legacy",{"task":"1"}] -> {"seq":99},
                   ["paused",{"task":"0"}] -> {"seq":7};
  connect-status:  status-task-legacy-0 RUNNING on a Java worker 10.1.2.3:8083.
Then 3 workers start. Every worker lists both connectors; legacy runs 2 tasks that resume at
seq 42 and 100 (nothing earlier produced again); its status names our workers, not the Java
one; paused is PAUSED and its task never starts until a resume through REST, after which it
resumes at seq 8; halted is STOPPED with no task. The workers' own offsets go to the partition Java put each key on."""
import json

from distlib import (MockCluster, Journal, start_workers, journal_source, settled, wait_until,
                     check, check_eq, done, read_seqs, produced_at_least, offsets_topic,
                     write_until_accepted)

cluster = MockCluster({"journal": 4, "journal-paused": 1, "journal-halted": 1})


def compact(v):
    return json.dumps(v, separators=(",", ":"))


def connector_records(name, cfg, tasks, target=None, target_v2=None):
    props = dict(cfg, name=name)
    recs = [("connector-" + name, compact({"properties": props}))]
    for t in range(tasks):
        recs.append(("task-%s-%d" % (name, t),
                     compact({"properties": dict(props, **{"task.class": "JournalSourceTask"})})))
    recs.append(("commit-" + name, compact({"tasks": tasks})))
    if target:
        state = {"state": target}
        if target_v2:
            state["state.v2"] = target_v2
        recs.append(("target-state-" + name, compact(state)))
    return recs


legacy = journal_source(2, rate=50)
paused = journal_source(1, rate=50, topic="journal-paused")
cluster.produce("connect-configs", connector_records("legacy", legacy, 2) +
                connector_records("paused", paused, 1, target="PAUSED") +
                connector_records("halted", journal_source(1, topic="journal-halted"), 0,
                                  target="PAUSED", target_v2="STOPPED"))
cluster.produce("connect-offsets", [
    (compact(["legacy", {"task": "0"}]), compact({"seq": 41})),
    (compact(["legacy", {"task": "1"}]), compact({"seq": 99})),
    (compact(["paused", {"task": "0"}]), compact({"seq": 7}))])
cluster.produce("connect-status", [
    ("status-task-legacy-0", compact({"state": "RUNNING", "trace": None,
                                      "worker_id": "10.1.2.3:8083", "generation": 5}))])
java_partition = {task: p for p, _, task, seq in offsets_topic(cluster, "legacy")}
check_eq(sorted(java_partition), [0, 1], "the Java-form offsets are in connect-offsets")

ws = start_workers(cluster, 3)
journal = Journal()
for w in ws:
    names = wait_until(lambda: sorted(w.get_json("/connectors") or []) ==
                       ["halted", "legacy", "paused"], 60, "%s lists the 3 connectors" % w.name, ws)
    check(names, "%s lists the connectors of the config topic" % w.name)
    check_eq((w.get_json("/connectors/legacy/config") or {}).get("tasks.max"), "2",
             "%s: legacy's config from the topic" % w.name)
st = wait_until(lambda: settled(ws, {"legacy": 2}), 90, "legacy's 2 tasks RUNNING", ws)
ids = {w.worker_id for w in ws}
check(all(t["worker_id"] in ids for t in st["legacy"]["tasks"]),
      "legacy's tasks run on our workers, not 10.1.2.3:8083: %s" % st["legacy"]["tasks"])
wait_until(lambda: produced_at_least(cluster, [0, 1], 150), 60, "legacy produces", ws)
seqs = read_seqs(cluster)
check_eq(min(s for s, _ in seqs[0]), 42, "task 0 resumed after the Java worker's seq 41")
check_eq(min(s for s, _ in seqs[1]), 100, "task 1 resumed after the Java worker's seq 99")
for t, first in ((0, 42), (1, 100)):
    got = sorted(s for s, _ in seqs[t])
    check_eq(got[:5], list(range(first, first + 5)), "task %d: contiguous from %d" % (t, first))
own = [(p, task) for p, _, task, seq in offsets_topic(cluster, "legacy") if seq not in (41, 99)]
check(len(own) > 0, "the workers wrote legacy's offsets to connect-offsets (%d records)" % len(own))
check_eq(sorted({(p, task) for p, task in own if p != java_partition[task]}), [],
         "every offset record of legacy is on the partition Java put its key on")

# paused: PAUSED, its task never started, nothing produced; then resumed through REST.
pst = wait_until(lambda: (lambda s: s if s and s["connector"]["state"] == "PAUSED" else None)(
    ws[0].status("paused")), 30, "paused is PAUSED", ws)
check(all(t["state"] == "PAUSED" for t in pst.get("tasks", [])),
      "paused's tasks are PAUSED: %s" % pst.get("tasks"))
check_eq([e for e in journal.events() if e["connector"] == "paused" and e["event"] == "start"], [],
         "paused's task never started")
check_eq(read_seqs(cluster, "journal-paused"), {}, "paused produced nothing")
write_until_accepted(ws[2], "PUT", "/connectors/paused/resume", None, (200, 202), workers=ws)
wait_until(lambda: settled(ws, {"paused": 1}), 60, "paused RUNNING after the resume", ws)
wait_until(lambda: produced_at_least(cluster, [0], 10, topic="journal-paused"), 30,
           "paused produces", ws)
check_eq(min(s for s, _ in read_seqs(cluster, "journal-paused")[0]), 8,
         "paused resumed after its Java offset 7")
hst = wait_until(lambda: (lambda s: s if s and s["connector"]["state"] == "STOPPED" else None)(
    ws[1].status("halted")), 30, "halted is STOPPED", ws)
check_eq(hst.get("tasks"), [], "halted has no tasks")
check_eq([e for e in journal.events() if e["connector"] == "halted"], [], "halted never ran")
done()
