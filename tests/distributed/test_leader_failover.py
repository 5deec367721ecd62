"""Guarantee 4, leader failover: 3 workers, a source with 2 tasks. kill -9 the leader. While
writes are sent through a follower, each answer is 409 with Kafka's exact body (no leader
known), a 500 naming the forward to the dead leader (Kafka's answer before the loss is
noticed), or success; at least one 409 is seen. A new leader takes over (every survivor names
it), and a config change through a follower works afterwards: tasks.max 2 -> 3 is in the
config on every worker and 3 tasks run."""
import time

from distlib import (MockCluster, Journal, start_workers, create_connector, journal_source,
                     settled, ready, wait_until, check, check_eq, done, agreed_leader,
                     by_id, NO_LEADER, fail, SLOW, SESSION_MS)

cluster = MockCluster({"journal": 6})
ws = start_workers(cluster, 3)
journal = Journal()
create_connector(ws[0], "src", journal_source(2, rate=50), ws)
wait_until(lambda: settled(ws, {"src": 2}), 90, "2 tasks RUNNING", ws)
leader_id = wait_until(lambda: agreed_leader(ws), 30, "a leader all workers name", ws)
leader = by_id(ws)[leader_id]
followers = [w for w in ws if w is not leader]
print("leader %s (%s)" % (leader.name, leader_id))
leader.kill9()

# Writes through a follower: tasks.max=3 until one is accepted.
f = followers[0]
answers = []
deadline = time.time() + (SESSION_MS / 1000.0 + 60) * SLOW
while time.time() < deadline:
    r = f.request("PUT", "/connectors/src/config", journal_source(3, rate=50), timeout=15)
    answers.append(r)
    if r is not None and r.status in (200, 201):
        break
    time.sleep(0.05)
else:
    fail("no write accepted through %s within the session timeout + 60 s; answers: %s" % (
        f.name, sorted({(a.status if a else None) for a in answers})), ws)

statuses = [a.status if a else None for a in answers]
print("answers in order (collapsed): %s" % [s for i, s in enumerate(statuses)
                                           if i == 0 or statuses[i - 1] != s])
conflicts = [a for a in answers if a is not None and a.status == 409]
check(len(conflicts) >= 1, "at least one 409 while no leader was known (%d)" % len(conflicts))
check(all(a.json == {"error_code": 409, "message": NO_LEADER} for a in conflicts),
      "every 409 is Kafka's body: %r" % (conflicts[0].json if conflicts else None))
others = [a for a in answers if a is None or (a.status not in (409, 200, 201) and not (
    a.status == 500 and "forward" in (a.json or {}).get("message", "").lower()))]
check_eq(others[:3], [], "no answer but 409, success, or a 500 naming the failed forward")
first_409 = statuses.index(409) if 409 in statuses else len(statuses)
late_500 = [i for i, s in enumerate(statuses) if s == 500 and i > first_409]
check_eq(late_500, [], "no 500 once a 409 said no leader is known")

new_leader = wait_until(lambda: agreed_leader(followers), 30, "a new leader both survivors name", ws)
check(new_leader != leader_id and new_leader in by_id(followers),
      "the new leader %s is a survivor" % new_leader)
for w in followers:
    cfg = wait_until(lambda: (w.get_json("/connectors/src/config") or {}).get("tasks.max") == "3",
                     30, "tasks.max=3 in %s's config" % w.name, ws)
    check(cfg, "%s shows tasks.max=3" % w.name)
wait_until(ready(followers, {"src": 3}, journal, balance=False), 60,
           "3 tasks RUNNING on the survivors, where the journal says", ws)
# A second change through the other follower, with the new leader in place: 2xx at once.
g = [w for w in followers if w.worker_id != new_leader][0]
r = g.request("PUT", "/connectors/src/config", journal_source(2, rate=50))
check(r is not None and r.status == 200, "a follower's PUT with the new leader: 200 (%r)" % r)
wait_until(lambda: settled(followers, {"src": 2}), 60, "back to 2 tasks", ws)
done()
