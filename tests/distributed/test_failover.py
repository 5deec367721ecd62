"""Guarantee 2, failover: 3 workers, a source with 6 tasks at 100 records/s each. kill -9 one
worker (not the leader) mid-stream. Its tasks run elsewhere (status on the survivors, and a
start in the journal) within the session timeout plus a rebalance. No record is lost (every
task's seqs are contiguous from 0). Only the killed worker's tasks have duplicates, each one a
seq the killed process wrote past the offset it last stored, and at most what one offset flush
leaves open."""
from distlib import (MockCluster, Journal, start_workers, create_connector, journal_source,
                     settled, ready, wait_until, check, check_eq, done,
                     read_seqs, seq_report, produced_at_least, produced_past, offsets_topic, pid_of, agreed_leader,
                     now_ns, ms, SESSION_MS, REBALANCE_DELAY_MS, SLOW)

RATE = 100
cluster = MockCluster({"journal": 6})
ws = start_workers(cluster, 3)
journal = Journal()
create_connector(ws[0], "src", journal_source(6, rate=RATE), ws)


st = wait_until(ready(ws, {"src": 6}, journal), 90, "6 tasks RUNNING, balanced, as the journal says", ws)
wait_until(lambda: produced_at_least(cluster, range(6), 200), 30, "200 records per task", ws)
leader = wait_until(lambda: agreed_leader(ws), 30, "a leader all workers name", ws)

# The victim: a follower running at least one task.
st = settled(ws, {"src": 6}) or st
owners = {t["id"]: t["worker_id"] for t in st["src"]["tasks"]}
victim = [w for w in ws if w.worker_id != leader and w.worker_id in owners.values()][0]
victim_pid = str(victim.pid)
moved = sorted(t for t, wid in owners.items() if wid == victim.worker_id)
survivors = [w for w in ws if w is not victim]
t_kill = now_ns()
victim.kill9()
print("killed %s (pid %s) running tasks %s" % (victim.name, victim_pid, moved))


def moved_elsewhere():
    st = settled(survivors, {"src": 6})
    if not st:
        return None
    run = journal.running("src")
    pids = pid_of(survivors)
    if any(run.get(("src", t), [None])[-1] not in pids.values() for t in moved):
        return None
    return st


budget_s = (SESSION_MS + REBALANCE_DELAY_MS) / 1000.0 + 10
wait_until(moved_elsewhere, budget_s * 2, "tasks %s RUNNING on the survivors" % moved, ws)
for t in moved:
    starts = [s for l, s, e in journal.intervals("src")[("src", t)] if s > t_kill]
    took = ms(starts[0] - t_kill) / 1000.0 if starts else None
    check(took is not None and took <= budget_s * SLOW,
          "task %d started again %.1fs after the kill (session %.0fs + rebalance, limit %.0fs)"
          % (t, took or -1, SESSION_MS / 1000.0, budget_s * SLOW))

# Let every task produce past where it was, then read everything.
mark = {t: max(s for s, _ in recs) for t, recs in read_seqs(cluster).items()}
wait_until(lambda: produced_past(cluster, mark, 100), 60,
           "100 more records per task after the failover", ws)
rep = seq_report(read_seqs(cluster))
seqs = read_seqs(cluster)
flush_window = int(RATE * (0.5 + 1.0))  # offset.flush.interval.ms (0.5 s) + a second in flight
for t in range(6):
    r = rep[t]
    check_eq(r["gaps"][:5], [], "task %d: nothing lost (seqs 0..%d)" % (t, r["max"]))
    if t not in moved:
        check_eq(r["dups"], {}, "task %d (not on the killed worker): no duplicates" % t)
        continue
    # Duplicates: exactly the seqs the killed process wrote after the offset it last stored,
    # which is where the new owner resumed.
    stored = {seq for _, _, task, seq in offsets_topic(cluster, "src") if task == t}
    by_victim = [s for s, who in seqs[t] if who == victim_pid]
    resumed = min((s for s, who in seqs[t] if who != victim_pid and by_victim and
                   s > min(by_victim)), default=None)
    if resumed is None:
        check(False, "task %d: no record of a survivor follows the killed process's" % t)
        continue
    check(resumed - 1 in stored,
          "task %d: the survivor resumed at %d, after offset %d stored in connect-offsets"
          % (t, resumed, resumed - 1))
    open_run = set(range(resumed, max(by_victim) + 1))
    check_eq(sorted(r["dups"]), sorted(open_run),
             "task %d: the duplicates are the killed process's seqs past its last stored offset"
             % t)
    check(len(r["dups"]) <= flush_window,
          "task %d: %d duplicates, at most %d (one offset flush at %d/s)"
          % (t, len(r["dups"]), flush_window, RATE))
    check(all(n == 2 for n in r["dups"].values()), "task %d: no seq more than twice" % t)
check_eq(journal.overlaps(ends={victim_pid: t_kill}), [],
         "no unit ran in two live processes at once (the killed one's end at the kill)")
done()
