# run-demo.sh --ingest http (sourced by run-demo.sh, with s3rver started): the seed's
# emulation POSTing to the worker's http-source -> Kafka (embedded) -> clean -> S3.
setup+=(--setup "S3 server=$(since "$t_servers")")
http_port=${CW_HTTP_PORT:-$(cw_free_port)}
export CW_EMBEDDED_KAFKA=true CW_OFFSETS_FILE=$demo/connect.offsets CW_HTTP_PORT=$http_port
# The shipped sink uploads every 100 records of a partition; posted rows have no key and
# spread over the partitions, so the demo also rotates on the clock to get the last ones out.
{ cat "$top/connectors/pinterest-s3-sink.properties"; echo "rotate.schedule.interval.ms=2000"; } \
    >"$demo/pinterest-s3-sink.properties"
# The shipped worker file, with the REST API (and its metrics) on a free port.
rest_port=$(cw_free_port)
{ cat "$top/etc/worker.properties"; echo "listeners=http://127.0.0.1:$rest_port"; } >"$demo/worker.properties"
say "running connect-worker (embedded Kafka, http-source on 127.0.0.1:$http_port); log: $demo/worker.log"
"$CW_BUILD_DIR/core/connect-worker" "$demo/worker.properties" \
    "$top/connectors/pinterest-http-source.properties" "$demo/pinterest-s3-sink.properties" \
    >"$demo/worker.log" 2>&1 &
worker=$!
CW_PIDS+=("$worker")
cw_wait_for 60 "http-source listening" cw_log_has "$demo/worker.log" "http-source: listening on"
say "the seed's user_posting_emulation: POST $rows random rows of each table (examples/pinterest/datagen.py post)"
echo "  e.g. POST http://127.0.0.1:$http_port/topics/0a1b2c3d4e5f.pin"
echo "       Content-Type: application/vnd.kafka.json.v2+json"
echo "       $(python3 -c "import sys, json; sys.path.insert(0, '$top/examples/pinterest'); import datagen; print(json.dumps({'records': [{'value': datagen.seed_rows('demo', 1)['pin']}]}, default=str)[:110])")..."
start=$(now)
python3 "$top/examples/pinterest/datagen.py" post --url "http://127.0.0.1:$http_port" \
    --rows "$rows" --pool "$rows" --distinct --seed demo --acked "$demo/answers.txt"
posted=$(now)
echo "  answers: $(awk '{print $3}' "$demo/answers.txt" | sort | uniq -c | tr '\n' ' ')"
objects_dir=$demo/s3/pinterest-data
s3_count() {
    local d=$objects_dir/topics/$1
    [ -d "$d" ] || { echo 0; return; }
    find "$d" -type f -name '*._S3rver_object' -exec cat {} + 2>/dev/null | wc -l
}
done_all() {
    [ "$(s3_count pinterest.pin)" -ge "$rows" ] && [ "$(s3_count pinterest.geo)" -ge "$rows" ] &&
        [ "$(s3_count pinterest.user)" -ge "$rows" ]
}
say "waiting for the cleaned rows in S3"
cw_wait_for 300 "$rows rows per topic in S3" done_all
# the worker's own time per request (its histogram: from the request's arrival to the answer)
latency=$(curl -s "http://127.0.0.1:$rest_port/metrics" | awk '
    /^http_source_request_latency_seconds_sum/ { s += $NF }
    /^http_source_request_latency_seconds_count/ { n += $NF }
    END { if (n) printf "%.2f ms over %d requests", s / n * 1000, n; else print "not available" }')
kill -TERM "$worker"
wait "$worker" || true
CW_PIDS=("${CW_PIDS[@]/$worker}")
say "reading the bucket back with s3cmd into $demo/bucket"
mkdir -p "$demo/bucket"
cw_s3cmd sync --quiet "s3://pinterest-data/" "$demo/bucket/" >/dev/null
printf '%-16s %8s %8s\n' topic records objects
for t in pinterest.pin pinterest.geo pinterest.user; do
    d=$demo/bucket/topics/$t
    printf '%-16s %8d %8d\n' "$t" "$(cat $(find "$d" -type f) | wc -l)" "$(find "$d" -type f | wc -l)"
done
python3 "$top/examples/pinterest/demo_times.py" --log "$demo/worker.log" --objects "$objects_dir" \
    --start "$start" --posted "$start" "$posted" --rows $((rows * 3)) "${setup[@]}" ||
    echo "(no timing summary: see the worker log)"
echo "  the client sends one row per request and waits for each answer (as the seed's emulation"
echo "  does): $(python3 -c "import sys; print(f'{float(sys.argv[1]) / (float(sys.argv[2]) - float(sys.argv[3])):.0f}')" $((rows * 3)) "$posted" "$start") requests/s; the worker's mean time per request, arrival to answer: $latency"
echo "  (each of the $((rows * 3)) requests was answered once Kafka had its row; the sink rotates"
echo "  every 2 s on the clock besides every 100 records, so the last objects wait up to 2 s)"
for t in pinterest.pin pinterest.geo pinterest.user; do
    echo; echo "a cleaned $t record:"
    head -n1 "$(find "$demo/bucket/topics/$t" -type f | sort | awk 'NR == 1')" | jq .
done
say "done: every posted row is in S3. Output: $demo/bucket, log: $demo/worker.log"
