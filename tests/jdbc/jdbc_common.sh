# Shared set-up of the jdbc-sink tests. Each test runs against the database named by $JDBC_DB
# (mariadb or postgres; ctest registers every test once per database):
#   db_start                 starts it (tests/lib/mariadb.sh or postgres.sh); sets DB_URL DB_USER
#                            DB_PASSWORD
#   db_sql SQL               runs SQL, tab-separated rows without headers
#   db_restart / db_stop     restarts / stops the server (same port and data)
#   jdbc_connector FILE NAME TOPICS [key=value...]: a jdbc-sink connector file
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/mariadb.sh"
. "$CW_SOURCE_DIR/tests/lib/postgres.sh"
JDBC_DB=${JDBC_DB:-mariadb}

db_start() {
    case $JDBC_DB in
        mariadb) cw_start_mariadb; DB_URL=$CW_DB_URL; DB_USER=$CW_DB_USER; DB_PASSWORD=$CW_DB_PASSWORD ;;
        postgres) cw_start_postgres; DB_URL=$CW_PG_URL; DB_USER=$CW_PG_USER; DB_PASSWORD=$CW_PG_PASSWORD ;;
        *) cw_fail "JDBC_DB must be mariadb or postgres" ;;
    esac
}
db_sql() { if [ "$JDBC_DB" = mariadb ]; then cw_sql "$@"; else cw_psql "$@"; fi; }
db_restart() { if [ "$JDBC_DB" = mariadb ]; then cw_restart_mariadb; else cw_restart_postgres; fi; }
db_stop() { if [ "$JDBC_DB" = mariadb ]; then cw_stop_mariadb; else cw_stop_postgres; fi; }
# db_count TABLE: rows in TABLE (0 while it does not exist), for cw_wait_for loops.
db_count() { db_sql "SELECT COUNT(*) FROM $1" 2>/dev/null || echo 0; }
db_has_rows() { [ "$(db_count "$1")" -ge "$2" ]; }

jdbc_connector() {
    local file=$1 name=$2 topics=$3; shift 3
    {
        echo "name=$name"
        echo "connector.class=io.confluent.connect.jdbc.JdbcSinkConnector"
        echo "topics=$topics"
        echo "connection.url=$DB_URL"
        echo "connection.user=$DB_USER"
        echo "connection.password=$DB_PASSWORD"
        echo "value.converter=org.apache.kafka.connect.json.JsonConverter"
        echo "value.converter.schemas.enable=false"
        local kv
        for kv in "$@"; do echo "$kv"; done
    } >"$file"
}

# jdbc_batch LOGNAME CONNECTOR_FILE [worker lines...]: a batch run that must exit 0; its
# metrics are in $CW_TMP/LOGNAME.prom.
jdbc_batch() {
    local log=$1 conn=$2; shift 2
    cw_worker_properties "$CW_TMP/$log.worker.properties" "$@"
    cw_start_worker "$log" --exit-when-caught-up --metrics-file "$CW_TMP/$log.prom" \
        "$CW_TMP/$log.worker.properties" "$conn"
    cw_wait_exit "$CW_WORKER_PID" 120
    [ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "$log: worker exit code $CW_EXIT_CODE"; }
}

# gen_orders FIRST LAST [NAME_PREFIX]: one JSON order per line, key<TAB>value for kcat -K$'\t'.
gen_orders() {
    python3 - "$@" <<'PY'
import json, sys
first, last = int(sys.argv[1]), int(sys.argv[2])
prefix = sys.argv[3] if len(sys.argv) > 3 else "n"
for i in range(first, last + 1):
    v = {"id": i, "name": f"{prefix}-{i}", "amount": i + 0.25, "ok": i % 3 == 0,
         "tags": ["a", i], "note": None}
    print(f"k{i}\t" + json.dumps(v, separators=(",", ":")))
PY
}

# metric FILE CONNECTOR NAME: the sample of NAME for task 0 of CONNECTOR (0 when absent).
metric() {
    awk -v want="$3{connector=\"$2\",task=\"0\"}" '$1 == want { v = $2 } END { print v + 0 }' "$1"
}
