# Shared setup of the rds tests: common.sh + a MariaDB server + the harness invocation.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/mariadb.sh"
: "${RDS_HARNESS:=$CW_BUILD_DIR/tests/rds/rds-harness}"
export CW_PLUGIN_DIR

# rds_run [harness options and key=value...]: runs one task with the test database's
# connection keys; records on stdout ("topic<TAB>json"), log on stderr.
rds_run() {
    "$RDS_HARNESS" "$@" "connection.url=$CW_DB_URL" "connection.user=$CW_DB_USER" \
        "connection.password=$CW_DB_PASSWORD"
}

# rds_lines_ge FILE N: does FILE have at least N lines? (for cw_wait_for)
rds_lines_ge() { [ "$(wc -l <"$1")" -ge "$2" ]; }

# rds_run_bg OUT ERR [args...]: rds_run in the background; RDS_PID is the harness itself (so
# kill -9 hits it, not a subshell), registered for cleanup.
rds_run_bg() {
    local out=$1 err=$2; shift 2
    "$RDS_HARNESS" "$@" "connection.url=$CW_DB_URL" "connection.user=$CW_DB_USER" \
        "connection.password=$CW_DB_PASSWORD" >"$out" 2>"$err" &
    RDS_PID=$!
    CW_PIDS+=("$RDS_PID")
}

# rds_offset FILE PARTITION: the source offset the harness stored for PARTITION (JSON text as
# the plugin wrote it, e.g. {"table":"pin"}) in FILE, the worker's offsets file, compact.
rds_offset() { jq -c --arg p "$2" '.["rds-test"][$p] // empty' "$1" 2>/dev/null; }
