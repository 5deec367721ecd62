"""Guarantee 6, zombie: 3 workers, a source with 6 tasks. SIGSTOP a follower running tasks,
past its session timeout; the others take its tasks over (status and journal). Then SIGCONT:
the zombie stops those units within one heartbeat interval of waking up (its stop lines in
the journal, CLOCK_MONOTONIC, measured from the SIGCONT), and commits nothing after waking up
(no commit line of its pid; the stored offset of each of its tasks never goes backwards in
connect-offsets). Nothing is lost."""
from distlib import (MockCluster, Journal, start_workers, create_connector, journal_source,
                     ready, wait_until, check, check_eq, done, agreed_leader, read_seqs,
                     seq_report, produced_at_least, produced_past, offsets_topic, pid_of, now_ns, ms, settled,
                     HEARTBEAT_MS, SESSION_MS)

cluster = MockCluster({"journal": 6})
ws = start_workers(cluster, 3)
journal = Journal()
create_connector(ws[0], "src", journal_source(6, rate=100), ws)
st = wait_until(ready(ws, {"src": 6}, journal), 90, "6 tasks RUNNING, balanced", ws)
leader = wait_until(lambda: agreed_leader(ws), 30, "a leader all workers name", ws)
st = settled(ws, {"src": 6}) or st
owners = {t["id"]: t["worker_id"] for t in st["src"]["tasks"]}
zombie = [w for w in ws if w.worker_id != leader and w.worker_id in owners.values()][0]
zpid = str(zombie.pid)
taken = sorted(t for t, wid in owners.items() if wid == zombie.worker_id)
others = [w for w in ws if w is not zombie]
wait_until(lambda: produced_at_least(cluster, range(6), 100), 30, "100 records per task", ws)

t_stop = now_ns()
zombie.freeze()
print("SIGSTOP %s (pid %s) running tasks %s" % (zombie.name, zpid, taken))


def taken_over():
    st = settled(others, {"src": 6})
    if not st:
        return None
    run = journal.running("src")
    live = set(pid_of(others).values())
    return st if all(any(l in live for l in run.get(("src", t), [])) for t in taken) else None


wait_until(taken_over, (SESSION_MS / 1000.0) * 2 + 30, "the others run tasks %s" % taken, others)
print("taken over %.1f s after the SIGSTOP" % (ms(now_ns() - t_stop) / 1000.0))
t_cont = now_ns()
zombie.thaw()


def zombie_stopped():
    run = journal.running("src")
    return all(zpid not in run.get(("src", t), []) for t in taken)


wait_until(zombie_stopped, 30, "the zombie stops its units after SIGCONT", ws)
for t in taken:
    stops = [e for e in journal.events() if e["event"] == "stop" and e["label"] == zpid
             and e["task"] == t and e["connector"] == "src"]
    late = ms(stops[-1]["ns"] - t_cont) if stops else None
    check(late is not None and late <= HEARTBEAT_MS,
          "task %d: the zombie stopped it %.0f ms after SIGCONT (at most one heartbeat, %d ms)"
          % (t, late if late is not None else -1, HEARTBEAT_MS))
check_eq(journal.count("commit", label=zpid, after_ns=t_cont), 0,
         "no commit by the zombie after it woke up")
check(zombie.alive(), "the zombie process lives on")
for t in taken:
    stored = [seq for _, _, task, seq in offsets_topic(cluster, "src") if task == t]
    backwards = [(a, b) for a, b in zip(stored, stored[1:]) if b is not None and a is not None
                 and b < a]
    check_eq(backwards[:3], [], "task %d: the stored offset never goes backwards" % t)

marks = {t: max(s for s, _ in r) for t, r in read_seqs(cluster).items()}
wait_until(lambda: produced_past(cluster, marks, 50), 60,
           "every task goes on", ws)
for t, r in sorted(seq_report(read_seqs(cluster)).items()):
    check_eq(r["gaps"][:5], [], "task %d: nothing lost (seqs 0..%d)" % (t, r["max"]))
    if t not in taken:
        check_eq(dict(list(r["dups"].items())[:5]), {}, "task %d (not the zombie's): no duplicates" % t)
# Overlap: the zombie's units ran (as far as the zombie knew) from the takeover until its stop;
# it was frozen until t_cont, so its live overlap is stop - t_cont, checked above. Between live
# processes there is none.
check_eq([o for o in journal.overlaps() if zpid not in (o[1][0], o[2][0])], [],
         "no overlap between processes other than the zombie")
done()
