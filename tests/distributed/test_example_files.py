"""examples/distributed runs as documented: two workers started with its worker.properties
(per-machine values from the environment, as the systemd unit's EnvironmentFile gives them)
form one cluster: a connector created through one worker runs, and the other worker shows
its status with the first's advertised host:port as worker_id. kubernetes.yaml is a ConfigMap
holding a worker file whose advertised host is the pod IP, a 3-replica Deployment with
readiness on GET /health, and a Service."""
import os
import re

from distlib import (MockCluster, DistWorker, Journal, create_connector, journal_source,
                     settled, wait_until, check, check_eq, done, GROUP)

SRC = os.environ.get("CW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EX = os.path.join(SRC, "examples", "distributed")

# kubernetes.yaml, read as text (no YAML parser among the test dependencies).
k8s = open(os.path.join(EX, "kubernetes.yaml")).read()
kinds = re.findall(r"^kind: (\w+)$", k8s, re.M)
check_eq(kinds, ["ConfigMap", "Deployment", "Service"], "kubernetes.yaml's objects")
check(re.search(r"^  replicas: 3$", k8s, re.M), "3 replicas")
check(re.search(r"readinessProbe:\n\s+httpGet:\n\s+path: /health\n", k8s), "readiness on GET /health")
check('args: ["--distributed", "/etc/connect-worker/worker.properties"]' in k8s and
      re.search(r"mountPath: /etc/connect-worker\n", k8s), "the container runs --distributed "
      "with the ConfigMap's worker file")
check(re.search(r"- name: POD_IP\n\s+valueFrom:\n\s+fieldRef:\n\s+fieldPath: status.podIP", k8s),
      "POD_IP from the downward API")
check("    rest.advertised.host.name=${env:POD_IP}\n" in k8s, "the advertised host is the pod IP")

# The example file keeps cw.leases.partitions at its default, 64.
cluster = MockCluster({"journal": 2}, lease_partitions=64)
env = {"KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap, "CONNECT_GROUP_ID": GROUP,
       "CONNECT_LISTENERS": "http://127.0.0.1:{port}", "CONNECT_ADVERTISED_HOST": "127.0.0.1",
       "CONNECT_ADVERTISED_PORT": "{port}", "CONNECT_REBALANCE_DELAY_MS": "1000"}
props = os.path.join(EX, "worker.properties")
ws = [DistWorker("w%d" % i, cluster, props=props, env=env) for i in (1, 2)]
journal = Journal()
# The example file's converters are JsonConverter; the journal's values ("<task>:<seq>") are text.
create_connector(ws[0], "src", journal_source(2, rate=20,
                                              key_converter="org.apache.kafka.connect.storage.StringConverter",
                                              value_converter="org.apache.kafka.connect.storage.StringConverter"), ws)
st = wait_until(lambda: settled(ws, {"src": 2}), 90, "2 tasks RUNNING on the example workers", ws)
ids = {w.worker_id for w in ws}
check(all(t["worker_id"] in ids for t in st["src"]["tasks"]),
      "worker_ids are the advertised host:port: %s" % [t["worker_id"] for t in st["src"]["tasks"]])
for w in ws:
    r = w.request("GET", "/health")
    check(r is not None and r.status == 200, "%s: GET /health 200 (%r)" % (w.name, r))
done()
