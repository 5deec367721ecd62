#!/usr/bin/env bash
# Kafka Connect's metrics from a real pipeline, under Strimzi's names (--metrics-file, checked
# with promtool): what kcat sent is what the sink task read, the bad record is counted as an
# error, skipped and sent to the dead letter queue, the consumer's lag per partition is 0 once
# caught up, the source task counts what it polled and wrote, the worker counts its connectors
# and tasks by state, and no secret appears anywhere in the file. A second run with
# errors.tolerance=none shows the failed task in the state counts.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic m-in:2
cw_worker_properties "$CW_TMP/worker.properties" \
    "value.converter=org.apache.kafka.connect.json.JsonConverter" \
    "value.converter.schemas.enable=false"
# 30 good records over both partitions, one bad one in partition 1.
for i in $(seq 1 15); do echo "{\"n\":$i}"; done | cw_kcat -P -t m-in -p 0
{ for i in $(seq 16 30); do echo "{\"n\":$i}"; done; echo '{"n":31, broken'; } |
    cw_kcat -P -t m-in -p 1
seq 1 40 | sed 's/.*/{"line":&}/' >"$CW_TMP/src.txt"

cat >"$CW_TMP/sink.properties" <<P
name=m-sink
connector.class=FileStreamSink
topics=m-in
file=$CW_TMP/out.txt
tasks.max=1
errors.tolerance=all
errors.log.enable=true
errors.deadletterqueue.topic.name=m-dlq
errors.deadletterqueue.topic.replication.factor=1
consumer.override.sasl.password=NotInMetrics-s3cr3t
# No statistics report during this short run: the lag checked below is the one taken from
# the consumer's position when the task stops (reports are tested in test_client_stats.c).
consumer.override.statistics.interval.ms=600000
P
cat >"$CW_TMP/source.properties" <<P
name=m-source
connector.class=FileStreamSource
file=$CW_TMP/src.txt
topic=m-src
producer.override.sasl.password=NotInMetrics-s3cr3t
P
prom=$CW_TMP/metrics.prom
cw_start_worker run --exit-when-caught-up --metrics-file "$prom" "$CW_TMP/worker.properties" \
    "$CW_TMP/sink.properties" "$CW_TMP/source.properties"
cw_wait_exit "$CW_WORKER_PID" 90
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "worker exit code $CW_EXIT_CODE"; }
[ -s "$prom" ] || cw_fail "no metrics file"
cw_check_metrics "$prom" || cw_fail "promtool rejects the metrics file"
! grep -q "s3cr3t" "$prom" || cw_fail "a secret is in the metrics: $(grep s3cr3t "$prom")"

# value NAME LABELS: the sample NAME{LABELS} (exact label text), or "absent".
value() {
    local want="$1{$2}"
    [ -n "$2" ] || want=$1
    awk -v want="$want" '$1 == want { v = $2; found = 1 } END { print found ? v : "absent" }' "$prom"
}
expect() { # expect NAME LABELS WANT
    local got
    got=$(value "$1" "$2")
    [ "$got" = "$3" ] || { cat "$prom" >&2; cw_fail "$1{$2} = $got, want $3"; }
}
sink='connector="m-sink",task="0"'
source='connector="m-source",task="0"'
expect kafka_connect_sink_task_sink_record_read_total "$sink" 31
expect kafka_connect_sink_task_sink_record_send_total "$sink" 30
expect kafka_connect_sink_task_partition_count "$sink" 2
expect kafka_connect_task_error_total_record_errors "$sink" 1
expect kafka_connect_task_error_total_record_failures "$sink" 1
expect kafka_connect_task_error_total_records_skipped "$sink" 1
expect kafka_connect_task_error_total_errors_logged "$sink" 1
expect kafka_connect_task_error_deadletterqueue_produce_requests "$sink" 1
expect kafka_connect_task_error_deadletterqueue_produce_failures "$sink" 0
expect kafka_connect_sink_task_sink_record_active_count "$sink" 0
[ "$(value kafka_connect_task_error_last_error_timestamp "$sink")" != 0 ] ||
    cw_fail "last_error_timestamp not set"
[ "$(value kafka_connect_sink_task_offset_commit_completion_total "$sink")" -ge 1 ] ||
    cw_fail "no offset commit counted"
expect kafka_connect_connector_task_offset_commit_success_percentage "$sink" 1
expect kafka_connect_connector_task_batch_size_max "$sink" \
    "$(value kafka_connect_connector_task_batch_size_max "$sink")"
# Consumer lag per partition, as the consumer connector-consumer-<connector>-<task>.
for p in 0 1; do
    expect kafka_consumer_fetch_manager_records_lag \
        "$sink,clientid=\"connector-consumer-m-sink-0\",topic=\"m-in\",partition=\"$p\"" 0
done
[ "$(cw_kcat -C -t m-dlq -e -f '%s\n' | wc -l)" = 1 ] || cw_fail "the DLQ does not hold 1 record"

expect kafka_connect_source_task_source_record_poll_total "$source" 40
expect kafka_connect_source_task_source_record_write_total "$source" 40
expect kafka_connect_source_task_source_record_active_count "$source" 0
expect kafka_connect_task_error_total_record_errors "$source" 0
# The clients' byte counts come from librdkafka's statistics, every 5 s: this short run may
# end before the first report (tests/runtime/test_client_stats.c checks the values).
[ "$(value kafka_producer_outgoing_byte_total "$source,clientid=\"connector-producer-m-source-0\"")" != absent ] ||
    cw_fail "no producer byte count"

# The worker, at exit: both connectors, their tasks stopped (unassigned, as Kafka reports a
# task after its shutdown), none failed.
expect kafka_connect_worker_connector_count "" 2
expect kafka_connect_worker_task_count "" 2
expect kafka_connect_worker_connector_total_task_count 'connector="m-sink"' 1
expect kafka_connect_worker_connector_unassigned_task_count 'connector="m-sink"' 1
expect kafka_connect_worker_connector_failed_task_count 'connector="m-sink"' 0
expect kafka_connect_connector_task_status "$sink,status=\"unassigned\"" 1
expect kafka_connect_connector_connector_type 'connector="m-source",connector_type="source"' 1
expect kafka_connect_connector_connector_class 'connector="m-sink",connector_class="FileStreamSink"' 1
expect kafka_connect_worker_task_startup_success_total "" 2
expect kafka_connect_worker_connector_startup_attempts_total "" 2
rss=$(value process_resident_memory_bytes "")
[ "$rss" != absent ] && [ "${rss%.*}" -gt 1000000 ] || cw_fail "process RSS: $rss"

# The example Grafana dashboard: its queries parse (promtool checks them as recording rules)
# and every worker metric they name is in the file this run wrote (the plugins' are in their
# READMEs).
python3 - "$CW_SOURCE_DIR" "$prom" "$CW_TMP/rules.yml" <<'PY' || cw_fail "dashboard check failed"
import json, re, sys
src, prom, rules = sys.argv[1:]
dash = json.load(open(src + "/examples/monitoring/grafana-dashboard.json"))
exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
have = {l.split()[2] for l in open(prom) if l.startswith("# TYPE ")}
docs = open(src + "/plugins/s3-sink/README.md").read() + open(src + "/plugins/rds-source/README.md").read()
bad = []
with open(rules, "w") as f:
    f.write("groups:\n- name: dashboard\n  rules:\n")
    for i, e in enumerate(exprs):
        f.write("  - record: dashboard_%d\n    expr: %s\n" % (i, json.dumps(e.replace("$job", ".*").replace("$connector", ".*"))))
        for name in re.findall(r"\b((?:kafka|connect_worker|process|s3_sink|rds_source)_[a-z_]+)", e):
            base = re.sub(r"_bucket$", "", name)
            if name.startswith(("s3_sink", "rds_source")):
                ok = "`%s`" % base in docs
            else:
                ok = name in have
            if not ok: bad.append(name)
if bad: sys.exit("dashboard names not found: %s" % sorted(set(bad)))
PY
promtool check rules "$CW_TMP/rules.yml" >&2 || cw_fail "a dashboard query does not parse"

# --- errors.tolerance=none: the bad record fails the task ---------------------------------
sed -i -e "s/^errors.tolerance=all/errors.tolerance=none/" -e "s/^name=m-sink/name=m-fail/" \
    -e "s#^file=.*#file=$CW_TMP/fail.txt#" \
    "$CW_TMP/sink.properties"
cw_start_worker fail --metrics-file "$prom" "$CW_TMP/worker.properties" "$CW_TMP/sink.properties"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 1 ] || { cw_dump_logs; cw_fail "tolerance=none: exit code $CW_EXIT_CODE"; }
cw_check_metrics "$prom" || cw_fail "promtool rejects the metrics file"
fail='connector="m-fail",task="0"'
expect kafka_connect_connector_task_status "$fail,status=\"failed\"" 1
expect kafka_connect_worker_connector_failed_task_count 'connector="m-fail"' 1
expect kafka_connect_task_error_total_record_errors "$fail" 1
expect kafka_connect_task_error_total_records_skipped "$fail" 0
expect kafka_connect_task_error_deadletterqueue_produce_requests "$fail" 0
echo ok >&2
