"""Guarantee 5, config change: 3 workers, a source with tasks.max=2. Through a follower (not
the leader): tasks.max 2 -> 4 (4 tasks RUNNING, in the journal where the status says), then
4 -> 2 (tasks 2 and 3 stopped everywhere and gone from the status). The journal never shows
one unit running twice, in two processes or twice in one; every unit a change stopped stopped
cleanly (no seq lost or duplicated)."""
from distlib import (MockCluster, Journal, start_workers, create_connector, put_config,
                     journal_source, ready, wait_until, check, check_eq, done, agreed_leader,
                     read_seqs, seq_report, produced_at_least, produced_past)

cluster = MockCluster({"journal": 6})
ws = start_workers(cluster, 3)
journal = Journal()
create_connector(ws[0], "src", journal_source(2, rate=100), ws)
wait_until(ready(ws, {"src": 2}, journal, balance=False), 90, "2 tasks RUNNING", ws)
leader = wait_until(lambda: agreed_leader(ws), 30, "a leader all workers name", ws)
follower = [w for w in ws if w.worker_id != leader][0]
print("leader %s; changes through %s" % (leader, follower.worker_id))

wait_until(lambda: produced_at_least(cluster, range(2), 50), 30, "records of tasks 0 and 1", ws)
answers = put_config(follower, "src", journal_source(4, rate=100), ws)
check_eq(answers[-1].status, 200, "PUT tasks.max=4 through the follower")
wait_until(ready(ws, {"src": 4}, journal, balance=False), 60,
           "4 tasks RUNNING, where the journal says", ws)
for w in ws:
    check_eq((w.get_json("/connectors/src/config") or {}).get("tasks.max"), "4",
             "%s's config says tasks.max=4" % w.name)
    check_eq(len(w.get_json("/connectors/src/tasks") or []), 4, "%s lists 4 task configs" % w.name)
wait_until(lambda: produced_at_least(cluster, range(4), 50), 30, "records of tasks 0-3", ws)

answers = put_config(follower, "src", journal_source(2, rate=100), ws)
check_eq(answers[-1].status, 200, "PUT tasks.max=2 through the follower")
wait_until(ready(ws, {"src": 2}, journal, balance=False), 60,
           "back to 2 tasks RUNNING, tasks 2 and 3 stopped everywhere", ws)
running = journal.running("src")
check_eq(sorted(u for u in running if u[1] >= 2), [], "tasks 2 and 3 run nowhere")
for w in ws:
    check_eq(len(w.get_json("/connectors/src/tasks") or []), 2, "%s lists 2 task configs" % w.name)

# One unit never runs twice: no two intervals of a unit overlap, whichever processes.
check_eq(journal.overlaps(), [], "no unit ran twice at once")
marks = {t: max(s for s, _ in r) for t, r in read_seqs(cluster).items() if t < 2}
wait_until(lambda: produced_past(cluster, marks, 50), 30,
           "tasks 0 and 1 go on", ws)
for t, r in sorted(seq_report(read_seqs(cluster)).items()):
    check_eq(r["gaps"][:5], [], "task %d: nothing lost (seqs 0..%d)" % (t, r["max"]))
    check_eq(dict(list(r["dups"].items())[:5]), {}, "task %d: no duplicates" % t)
done()
