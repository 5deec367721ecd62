"""Guarantee 1, placement: 3 workers; a source with 6 tasks and a sink with 4, created through
one worker. Every unit runs on exactly one worker: each worker's GET status shows every task
RUNNING with a live worker_id and all three views agree; the journal shows each task running
in exactly one process, the one its status names, and no unit ever ran in two processes at
once. The load is balanced: each worker runs within one unit (connector or task) of every
other."""
from distlib import (MockCluster, Journal, start_workers, create_connector, journal_source,
                     journal_sink, ready, units_per_worker,
                     wait_until, check, check_eq, done, produced_at_least, pid_of)

cluster = MockCluster({"journal": 6})
ws = start_workers(cluster, 3)
journal = Journal()

create_connector(ws[1], "src", journal_source(6), ws)
create_connector(ws[2], "snk", journal_sink(4), ws)
want = {"src": 6, "snk": 4}


st = wait_until(ready(ws, want, journal), 90,
                "6 + 4 tasks RUNNING, the same on every worker, balanced, as the journal says", ws)
counts = units_per_worker(st, ws)
check(max(counts.values()) - min(counts.values()) <= 1,
      "balanced: units per worker %s" % counts)
check_eq(sorted(counts), sorted(w.worker_id for w in ws), "every worker is in the statuses")
check_eq(sum(counts.values()), 12, "12 units (2 connectors, 10 tasks)")
ids = {w.worker_id for w in ws}
for name, s in st.items():
    check(s["connector"]["worker_id"] in ids,
          "%s: connector on a live worker (%s)" % (name, s["connector"]["worker_id"]))
    check_eq(s.get("type"), "source" if name == "src" else "sink", "%s: type" % name)
running = journal.running()
pids = pid_of(ws)
for name, n in want.items():
    for t in range(n):
        labels = running.get((name, t), [])
        check(len(labels) == 1, "%s-%d runs in exactly one process (%s)" % (name, t, labels))
        owner = [x["worker_id"] for x in st[name]["tasks"] if x["id"] == t][0]
        check_eq(labels[:1], [pids[owner]], "%s-%d runs where its status says (%s)" % (
            name, t, owner))
check_eq(journal.overlaps(), [], "no unit ever ran in two processes at once")
# The sources produce: each task's records reach the topic.
wait_until(lambda: produced_at_least(cluster, range(6), 20), 30, "records of every source task", ws)
check(True, "every source task produces")
done()
