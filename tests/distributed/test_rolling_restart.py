"""Guarantee 3, rolling restart: 3 workers, a source with 6 tasks. Worker by worker: SIGTERM
(exit code 0, every unit it ran journals a clean stop), its tasks RUNNING on the other two,
start it again (same worker_id), wait until the cluster is balanced again with it. Afterwards:
no seq of any task lost or duplicated, and no unit ever ran in two processes at once."""
from distlib import (MockCluster, Journal, start_workers, create_connector, journal_source,
                     ready, wait_until, check, check_eq, done,
                     read_seqs, seq_report, produced_at_least, produced_past)

cluster = MockCluster({"journal": 6})
ws = start_workers(cluster, 3)
journal = Journal()
create_connector(ws[0], "src", journal_source(6, rate=100), ws)


wait_until(ready(ws, {"src": 6}, journal), 90, "6 tasks RUNNING, balanced, as the journal says", ws)
for w in ws:
    wait_until(lambda: produced_at_least(cluster, range(6), 50), 30, "records flow", ws)
    pid = str(w.pid)
    had = sorted(u for u, labels in journal.running("src").items() if pid in labels)
    rc = w.term()
    check_eq(rc, 0, "%s: SIGTERM exit code" % w.name)
    running = journal.running("src")
    still = sorted(u for u, labels in running.items() if pid in labels)
    check_eq(still, [], "%s: every unit it ran (%s) journalled its stop" % (w.name, had))
    others = [x for x in ws if x is not w]
    wait_until(ready(others, {"src": 6}, journal), 60, "all tasks on the two others after %s stopped" % w.name, ws)
    w.start()
    wait_until(ready(ws, {"src": 6}, journal), 90, "balanced again with %s back" % w.name, ws)
    check(True, "%s restarted; the cluster is balanced again" % w.name)

marks = {t: max(s for s, _ in r) for t, r in read_seqs(cluster).items()}
wait_until(lambda: produced_past(cluster, marks, 50), 60,
           "50 more records per task after the last restart", ws)
for t, r in sorted(seq_report(read_seqs(cluster)).items()):
    check_eq(r["gaps"][:5], [], "task %d: nothing lost (seqs 0..%d)" % (t, r["max"]))
    check_eq(dict(list(r["dups"].items())[:5]), {}, "task %d: no duplicates" % t)
check_eq(journal.overlaps(), [], "no unit ran in two processes at once")
starts = journal.count("start", connector="src")
check(starts > 6, "tasks moved during the restarts (%d starts in the journal)" % starts)
done()
