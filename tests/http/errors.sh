#!/usr/bin/env bash
# http-source's error answers (status and REST Proxy's {"error_code","message"} body) and
# the exact success shapes, against a worker on the mock cluster (tests/http/errors.py);
# then its metrics after a SIGTERM.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/http/lib.sh"
cw_start_mock_cluster --topic errs:2
hs_connector "$CW_TMP/http.properties" "http.max.body.bytes=2000" \
    "http.max.records.per.request=5"
HS_WORKER_ARGS="--metrics-file $CW_TMP/metrics.prom" hs_start worker "$CW_TMP/http.properties"
python3 "$CW_SOURCE_DIR/tests/http/errors.py" "$HS_URL" "$CW_BOOTSTRAP" ||
    { cw_dump_logs; cw_fail "errors.py"; }
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 30
[ "$CW_EXIT_CODE" -eq 0 ] || cw_fail "worker exited with $CW_EXIT_CODE"
value() {
    awk -v want="$1{connector=\"http\",task=\"0\"}" '$1 == want { v = $2 } END { print v + 0 }' \
        "$CW_TMP/metrics.prom"
}
[ "$(value http_source_requests_status_200_total)" -eq 9 ] || cw_fail "200s not counted"
[ "$(value http_source_requests_status_415_total)" -eq 4 ] || cw_fail "415s not counted"
[ "$(value http_source_requests_status_413_total)" -eq 2 ] || cw_fail "413s not counted"
[ "$(value http_source_records_written_total)" -eq 9 ] &&
    [ "$(value http_source_records_failed_total)" -eq 1 ] || { grep http_source "$CW_TMP/metrics.prom" >&2; cw_fail "written records not counted"; }
[ "$(value http_source_request_latency_seconds_count)" -ge 30 ] || cw_fail "latency not observed"
[ "$(value http_source_request_bytes_total)" -gt 3000 ] || cw_fail "bytes not counted: $(value http_source_request_bytes_total)"
echo "http errors OK"
