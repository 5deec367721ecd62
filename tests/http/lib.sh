# Helpers of the http-source tests. Source after tests/lib/common.sh.

# hs_start WORKER_NAME CONNECTOR_FILE [worker lines...]: a worker (mock cluster at
# $CW_BOOTSTRAP) running the connector; waits until the HTTP server listens. Sets HS_URL
# (scheme from HS_SCHEME, default http) and CW_WORKER_PID.
hs_start() {
    local name=$1 conn=$2
    shift 2
    cw_worker_properties "$CW_TMP/$name.properties" \
        "key.converter=org.apache.kafka.connect.storage.StringConverter" \
        "value.converter=org.apache.kafka.connect.json.JsonConverter" \
        "value.converter.schemas.enable=false" "$@"
    : >"$CW_TMP/$name.log"
    cw_start_worker "$name" ${HS_WORKER_ARGS:-} "$CW_TMP/$name.properties" "$conn"
    cw_wait_for 30 "http-source listening ($name)" cw_log_has "$CW_TMP/$name.log" \
        "http-source: listening on"
    local port
    port=$(sed -n 's/.*http-source: listening on .* port \([0-9]*\).*/\1/p' "$CW_TMP/$name.log" | tail -1)
    HS_URL=${HS_SCHEME:-http}://127.0.0.1:$port
}

# hs_connector FILE [lines...]: an http-source connector on a free port (http.port=0).
hs_connector() {
    local file=$1
    shift
    {
        echo "name=http"
        echo "connector.class=http-source"
        echo "http.port=0"
        echo "errors.tolerance=all"
        local line
        for line in "$@"; do echo "$line"; done
    } >"$file"
}
