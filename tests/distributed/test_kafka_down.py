"""Guarantee 7, Kafka unreachable: 2 workers, a source with 4 tasks. Take every broker down
(SIGUSR1 to the mock cluster): every unit stops (a stop line for each running unit, within
the session timeout plus a margin: a worker that cannot reach the group gives its units up).
Bring them back (SIGUSR2): every unit runs again (status and journal) and produces; nothing is
lost, and no unit ran in two processes at once."""
from distlib import (MockCluster, Journal, start_workers, create_connector, journal_source,
                     ready, wait_until, check, check_eq, done, read_seqs, seq_report,
                     produced_at_least, produced_past, now_ns, ms, SESSION_MS)

cluster = MockCluster({"journal": 4})
ws = start_workers(cluster, 2)
journal = Journal()
create_connector(ws[0], "src", journal_source(4, rate=100), ws)
wait_until(ready(ws, {"src": 4}, journal), 90, "4 tasks RUNNING, balanced", ws)
wait_until(lambda: produced_at_least(cluster, range(4), 50), 30, "records flow", ws)
before = journal.running("src")
check_eq(len(before), 4, "4 units run before the outage")

t_down = now_ns()
cluster.down()
limit_s = SESSION_MS / 1000.0 + 15
wait_until(lambda: not journal.running("src"), limit_s, "every unit stopped with Kafka down", ws)
took = ms(now_ns() - t_down) / 1000.0
check(True, "every unit stopped %.1f s after the brokers went down (limit %.0f s)" % (took, limit_s))
check(all(w.alive() for w in ws), "the workers stay up while Kafka is down")
r = ws[1].request("GET", "/connectors")
check(r is not None and r.status == 200, "REST still answers GET /connectors (%r)" % r)

t_up = now_ns()
cluster.up()
wait_until(ready(ws, {"src": 4}, journal, balance=False), 120,
           "every unit RUNNING again after the brokers came back", ws)
restarted = sorted(u for u, iv in journal.intervals("src").items()
                   if any(s > t_up for _, s, _ in iv))
check_eq(restarted, [("src", t) for t in range(4)], "every unit started again after the outage")
marks = {t: max(s for s, _ in r) for t, r in read_seqs(cluster).items()}
wait_until(lambda: produced_past(cluster, marks, 50), 60,
           "every task produces again", ws)
for t, r in sorted(seq_report(read_seqs(cluster)).items()):
    check_eq(r["gaps"][:5], [], "task %d: nothing lost (seqs 0..%d)" % (t, r["max"]))
check_eq(journal.overlaps(), [], "no unit ran in two processes at once")
done()
