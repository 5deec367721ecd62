#!/usr/bin/env bash
# The Pinterest pipeline demo, the README's first command. On a fresh Debian 12 machine, as
# root:   bash examples/pinterest/run-demo.sh [--rows N] [--ingest rds|http]
#
# Installs what is missing, builds, starts MariaDB (emulated Pinterest data set) and an S3
# server (s3rver) in a demo directory, runs connect-worker with embedded Kafka, the RDS source
# (three tables -> pinterest.pin / .geo / .user), the S3 sink with the three cleaning recipes
# and the JDBC sink (the same recipes, into tables pinterest_pin/geo/user of the same
# MariaDB), shows progress, prints a summary once every row is in S3, and answers the seed's
# eight questions from the tables (examples/pinterest/queries.sql). The files it runs are the
# shipped ones: etc/worker.properties and connectors/pinterest-*.properties.
# Servers stop on exit or Ctrl-C; the output stays in the demo directory (printed at the end).
# --ingest http: the seed's other ingest path instead of the database: datagen.py post does
# what the seed's user_posting_emulation.py does (POST each row to Kafka REST Proxy), here to
# the worker's http-source (connectors/pinterest-http-source.properties), whose records go
# through Kafka, the S3 sink's cleaning and into S3 (no MariaDB, JDBC sink or queries).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rows=3000
install=1
ingest=rds
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) rows=$2; shift 2 ;;
        --no-install) install=0; shift ;;
        --ingest) ingest=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run-demo.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
case "$rows" in ''|*[!0-9]*) echo "run-demo.sh: --rows takes a number" >&2; exit 2 ;; esac
case "$ingest" in rds|http) ;; *) echo "run-demo.sh: --ingest takes rds or http" >&2; exit 2 ;; esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
t_begin=$(now)

if [ "$install" = 1 ]; then
    say "installing dependencies (apt, npm) where missing"
    bash "$top/.ci/install-deps.sh"
fi
t_build=$(now)
say "building"
cmake -S "$top" -B "$top/build-demo" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCW_BUILD_TESTS=ON >/dev/null
cmake --build "$top/build-demo" -j"$(nproc)" >/dev/null
setup=(--setup "build=$(since "$t_build")")

demo=${CW_DEMO_DIR:-$top/build-demo/demo}
rm -rf "$demo"   # a second run starts clean: no leftover data, offsets or servers in the way
mkdir -p "$demo"

# Reuse the test suite's server helpers, with the demo directory kept after exit.
export CW_SOURCE_DIR=$top CW_BUILD_DIR=$top/build-demo
. "$top/tests/lib/common.sh"
rm -rf "$CW_TMP"; CW_TMP=$demo; CW_KEEP_TMP=1
. "$top/tests/lib/mariadb.sh"
. "$top/tests/lib/s3rver.sh"
on_exit() {
    local rc=$?
    cw_cleanup >/dev/null 2>&1 || true
    [ $rc -ne 0 ] && echo "demo failed (exit $rc); logs are in $demo" >&2
    exit $rc
}
trap on_exit EXIT
trap 'echo; say "interrupted: stopping servers"; exit 130' INT TERM

t_servers=$(now)
say "starting the S3 server (s3rver) with bucket pinterest-data"
CW_S3_DIR=$demo/s3; cw_start_s3rver pinterest-data
export CW_S3_BUCKET=pinterest-data CW_S3_ENDPOINT=$CW_S3_URL AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
if [ "$ingest" = http ]; then
    . "$top/examples/pinterest/demo-http.sh"
    exit 0
fi
say "starting MariaDB on 127.0.0.1 and loading $rows rows per table"
cw_start_mariadb
setup+=(--setup "servers (s3rver, MariaDB)=$(since "$t_servers")")
t_load=$(now)
python3 "$top/examples/pinterest/datagen.py" load --rows "$rows" --seed demo \
    --host 127.0.0.1 --port "$CW_DB_PORT" --user "$CW_DB_USER" --password "$CW_DB_PASSWORD" \
    --database "$CW_DB_NAME" >/dev/null
setup+=(--setup "loading $rows rows per table=$(since "$t_load")")

export CW_EMBEDDED_KAFKA=true CW_OFFSETS_FILE=$demo/connect.offsets
export RDS_URL=$CW_DB_URL RDS_USER=$CW_DB_USER RDS_PASSWORD=$CW_DB_PASSWORD
export JDBC_URL=$CW_DB_URL JDBC_USER=$CW_DB_USER JDBC_PASSWORD=$CW_DB_PASSWORD

say "running connect-worker (embedded Kafka, batch mode); log: $demo/worker.log"
start=$(now)
"$CW_BUILD_DIR/core/connect-worker" --exit-when-caught-up "$top/etc/worker.properties" \
    "$top/connectors/pinterest-rds-source.properties" \
    "$top/connectors/pinterest-s3-sink.properties" \
    "$top/connectors/pinterest-jdbc-sink.properties" >"$demo/worker.log" 2>&1 &
worker=$!
CW_PIDS+=("$worker")

# Progress: records in Kafka (rows the source has read, from the embedded cluster's end
# offsets) and records stored in S3 (s3rver's object files under its data directory).
objects_dir=$demo/s3/pinterest-data
bootstrap=
kafka_count() {  # records in one topic: sum of its partitions' end offsets
    # Once the worker is gone so is the embedded cluster: kcat would wait for it in vain.
    { [ -n "$bootstrap" ] && kill -0 "$worker" 2>/dev/null; } || { echo 0; return; }
    local parts p q=()
    parts=$(kcat -b "$bootstrap" -L -t "$1" 2>/dev/null | sed -n 's/^ *partition \([0-9]*\),.*/\1/p')
    [ -n "$parts" ] || { echo 0; return; }
    for p in $parts; do q+=(-t "$1:$p:-1"); done
    kcat -b "$bootstrap" -Q "${q[@]}" 2>/dev/null | awk '{s += $NF} END {print s + 0}'
}
s3_count() {  # records of one topic stored so far
    local d=$objects_dir/topics/$1
    [ -d "$d" ] || { echo 0; return; }
    find "$d" -type f -name '*._S3rver_object' -exec cat {} + 2>/dev/null | wc -l
}
last=
rest_url=
show_rest() {  # the worker logs its REST listener: print where the API and metrics are
    [ -z "$rest_url" ] || return 0
    rest_url=$(sed -n 's/.*REST API advertised URL \(http[^ ]*\).*/\1/p' "$demo/worker.log" \
        2>/dev/null | awk 'NR == 1')
    [ -n "$rest_url" ] || return 0
    [ -t 1 ] && echo
    say "REST API: ${rest_url}connectors (status: ${rest_url}connectors?expand=status)"
    say "metrics (Prometheus): ${rest_url}metrics"
}
declare -A in_kafka=([pinterest.pin]=0 [pinterest.geo]=0 [pinterest.user]=0)
progress() {
    [ -n "$bootstrap" ] || bootstrap=$(sed -n 's/.*embedded Kafka.* listening on \([0-9.:]*\).*/\1/p' \
        "$demo/worker.log" 2>/dev/null | awk 'NR == 1')
    local line objs t n
    for t in pinterest.pin pinterest.geo pinterest.user; do
        # The embedded cluster goes away with the worker: keep the last count seen.
        n=$(kafka_count "$t"); [ "$n" -gt "${in_kafka[$t]}" ] && in_kafka[$t]=$n
    done
    objs=$(find "$objects_dir" -type f -name '*._S3rver_object' 2>/dev/null | wc -l)
    line=$(printf 'of %d rows per table - read into Kafka: pin %d, geo %d, user %d | in S3: pin %d, geo %d, user %d in %d objects' \
        "$rows" "${in_kafka[pinterest.pin]}" "${in_kafka[pinterest.geo]}" \
        "${in_kafka[pinterest.user]}" "$(s3_count pinterest.pin)" "$(s3_count pinterest.geo)" \
        "$(s3_count pinterest.user)" "$objs")
    if [ -t 1 ]; then printf '\r  %s ' "$line"
    elif [ "$line" != "$last" ]; then echo "  $line"; fi
    last=$line
}
# A progress line a second; the worker's exit is seen within a tenth of one.
while kill -0 "$worker" 2>/dev/null; do
    show_rest; progress
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$worker" 2>/dev/null || break; sleep 0.1; done
done
[ -t 1 ] && echo
set +e; wait "$worker"; rc=$?; set -e
t_exit=$(now)
CW_PIDS=("${CW_PIDS[@]/$worker}")
if [ $rc -ne 0 ]; then
    tail -20 "$demo/worker.log" >&2
    echo "connect-worker exited with $rc" >&2
    exit 1
fi

say "reading the bucket back with s3cmd (an independent S3 client) into $demo/bucket"
mkdir -p "$demo/bucket"
cw_s3cmd sync --quiet "s3://pinterest-data/" "$demo/bucket/" >/dev/null
missing=0
echo
printf '%-16s %8s %8s %10s\n' topic records objects bytes
for t in pinterest.pin pinterest.geo pinterest.user; do
    d=$demo/bucket/topics/$t
    n=$(cat $(find "$d" -type f) | wc -l); o=$(find "$d" -type f | wc -l)
    b=$(cat $(find "$d" -type f) | wc -c)
    printf '%-16s %8d %8d %10d\n' "$t" "$n" "$o" "$b"
    [ "$n" -eq "$rows" ] || missing=1
done
echo
python3 "$top/examples/pinterest/demo_times.py" --log "$demo/worker.log" --objects "$objects_dir" \
    --start "$start" --exit "$t_exit" --rows $((rows * 3)) "${setup[@]}" ||
    echo "(no timing summary: see the worker log)"
echo "  the demo script's own run so far: $(since "$t_begin") s"
echo "key layout (Confluent's): topics/<topic>/partition=<p>/<topic>+<p>+<start offset>.json, e.g."
(cd "$demo/bucket" && find topics -type f | sort | awk 'NR <= 4 { print "  " $0 }')
for t in pinterest.pin pinterest.geo pinterest.user; do
    echo; echo "a cleaned $t record:"
    head -n1 "$(find "$demo/bucket/topics/$t" -type f | sort | awk 'NR == 1')" | jq .
done
echo
if [ $missing -ne 0 ]; then
    echo "not every row reached S3: see $demo/worker.log" >&2
    exit 1
fi
say "the JDBC sink's tables in MariaDB ($CW_DB_URL)"
for t in pinterest_pin pinterest_geo pinterest_user; do
    n=$(cw_sql "SELECT COUNT(*) FROM $t")
    printf '%-16s %8d rows\n' "$t" "$n"
    [ "$n" -eq "$rows" ] || missing=1
done
[ $missing -eq 0 ] || { echo "not every row reached the tables: see $demo/worker.log" >&2; exit 1; }
say "the seed's eight questions, answered by examples/pinterest/queries.sql"
# one statement at a time, each under its own comment line ("-- 1. ...")
python3 - "$top/examples/pinterest/queries.sql" <<'PY' | while IFS= read -r -d '' stmt; do
import sys
title, body = "", []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.lstrip().startswith("--"):
        if line[3:4].isdigit():
            title = line[3:]
        continue
    body.append(line)
    if line.rstrip().endswith(";"):
        sys.stdout.write(title + "\n" + "\n".join(body).strip() + "\0")
        title, body = "", []
PY
    title=${stmt%%$'\n'*}
    case $title in 0.*) ;; *) echo; echo "$title" ;; esac
    mariadb --no-defaults --default-character-set=utf8mb4 --table -h127.0.0.1 -P"$CW_DB_PORT" \
        -u"$CW_DB_USER" -p"$CW_DB_PASSWORD" "$CW_DB_NAME" -e "${stmt#*$'\n'}"
done
echo
say "done: every row is in S3 and in MariaDB. Output: $demo/bucket (objects), $demo/worker.log (worker log)"
