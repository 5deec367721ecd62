"""GET /metrics is valid Prometheus text (promtool check metrics), and a real Prometheus
server on 127.0.0.1 scrapes a running worker (with basic authentication, as
examples/monitoring/prometheus.yml shows): up == 1 and the worker's series are queryable. The
shipped example configuration passes promtool check config."""
import json
import re
import os
import subprocess
import time
import urllib.parse
import urllib.request

from restlib import (deadline_in, Worker, check, check_eq, done, free_port, spawn, tmpdir)

src = os.environ.get("CW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
example = os.path.join(src, "examples", "monitoring", "prometheus.yml")
p = subprocess.run(["promtool", "check", "config", example], capture_output=True, text=True)
check(p.returncode == 0, "promtool check config %s (%s)" % (example, p.stdout + p.stderr))

d = tmpdir()
creds = os.path.join(d, "creds.properties")
open(creds, "w").write("prometheus=scrape-pw-1\n")
infile = os.path.join(d, "in.txt")
open(infile, "w").write("a\nb\nc\n")
conn = os.path.join(d, "counted.properties")
open(conn, "w").write("name=counted\nconnector.class=FileStreamSource\nfile=%s\ntopic=t\n"
                      "transforms=count\ntransforms.count.type=test-rest-count\n" % infile)
w = Worker("prom", connectors=[conn],
           extra=["plugin.path=" + os.environ["CW_REST_TEST_PLUGINS"],
                  "rest.extension.classes=BasicAuthSecurityRestExtension",
                  "rest.basic.auth.credentials.file=" + creds])
AUTH = ("prometheus", "scrape-pw-1")
series = 'test_rest_records_total{connector="counted",task="0"} 3'
deadline = deadline_in(30)
while True:
    r = w.request("GET", "/metrics", auth=AUTH)
    text = r.body.decode()
    if series in text or time.time() > deadline:
        break
    time.sleep(0.1)
check(series in text, "the plugin's counter counted the 3 records")
check_eq(w.request("GET", "/metrics").status, 401, "/metrics needs the credentials too")
p = subprocess.run(["promtool", "check", "metrics"], input=r.body, capture_output=True)
# Kafka's own names keep its units (_ms) and its *_count gauges (Strimzi's rules): promtool's
# two lints about those are accepted on kafka_* names, nothing else (as cw_check_metrics).
lint_ok = re.compile(r'^kafka_[a-z_]+ (metric names should not contain abbreviated units|'
                     r'non-histogram and non-summary metrics should not have "_count" suffix)$')
problems = [ln for ln in (p.stdout + p.stderr).decode().splitlines()
            if ln.strip() and not lint_ok.match(ln)]
check(p.returncode == 0 or not problems, "promtool check metrics: %s" % "\n".join(problems)[-500:])
families = [ln.split()[2] for ln in text.splitlines() if ln.startswith("# TYPE ")]
worker_metric = "kafka_connect_worker_connector_count"
check(len(families) >= 1, "metric families served: %d" % len(families))

# A real Prometheus server scraping the worker every second.
pport = free_port()
cfg = os.path.join(d, "prometheus.yml")
open(os.path.join(d, "scrape.pw"), "w").write("scrape-pw-1")
with open(cfg, "w") as f:
    f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: connect-worker\n"
            "    scrape_interval: 1s\n    basic_auth:\n      username: prometheus\n"
            "      password_file: %s/scrape.pw\n    static_configs:\n"
            "      - targets: ['127.0.0.1:%d']\n" % (d, w.port))
prom = spawn(["prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + d + "/tsdb",
              "--web.listen-address=127.0.0.1:%d" % pport, "--log.level=warn"],
             os.path.join(d, "prometheus.log"))


def query(expr):
    url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (pport, urllib.parse.quote(expr))
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return json.load(resp)["data"]["result"]
    except OSError:
        return []


def wait_value(expr, want, timeout=60):
    deadline = deadline_in(timeout)
    res = []
    while time.time() < deadline:
        if prom.poll() is not None:
            break
        res = query(expr)
        if res and res[0]["value"][1] == want:
            return res
        time.sleep(0.5)
    return res


res = wait_value('up{job="connect-worker"}', "1")
check(res and res[0]["value"][1] == "1", "Prometheus scraped the worker: up == 1 (%r)" % res)
res = wait_value('test_rest_records_total{connector="counted"}', "3")
check(res and res[0]["value"][1] == "3", "the plugin metric is queryable in Prometheus (%r)" % res)
check(worker_metric in families, "%s served" % worker_metric)
res = wait_value(worker_metric, "1")  # the worker's own metrics (Strimzi names)
check(res and res[0]["value"][1] == "1", "%s == 1 in Prometheus (%r)" % (worker_metric, res))
prom.terminate()
prom.wait(30)
check_eq(w.stop(), 0, "clean stop")
check("scrape-pw-1" not in w.log(), "the scrape password is not in the worker log")
done()
