#!/usr/bin/env bash
# bench-jdbc: rows/s from Kafka (mock cluster) into MariaDB through connect-worker and
# jdbc-sink, beside the `mariadb` client loading the same rows as multi-row INSERTs (1000 rows
# per statement) in the same run, and their ratio (target >= 0.5). Both write into the same
# pre-created table, emptied before each run. The sink runs as the pipeline's config does:
# JsonConverter without schemas, insert.mode=upsert on the value's `ind`.
# usage: bench_jdbc.sh [ROWS]   (default 100000)
. "$CW_SOURCE_DIR/tests/jdbc/jdbc_common.sh"
rows=${1:-100000}
JDBC_DB=mariadb
db_start
# the mock cluster keeps ~5 MiB per partition: spread the topic
cw_start_mock_cluster --topic bench:64 --topic one:1
cw_note "generating $rows Pinterest-like rows (Kafka records and INSERT statements)"
python3 - "$rows" "$CW_TMP/rows.jsonl" "$CW_TMP/rows.sql" <<'PY'
import json, sys, uuid, random
n, jl, sq = int(sys.argv[1]), open(sys.argv[2], "w"), open(sys.argv[3], "w")
r = random.Random(7)
cols = ["ind", "unique_id", "title", "description", "follower_count", "poster_name",
        "tag_list", "is_image_or_video", "image_src", "save_location", "category"]
def lit(v):
    if v is None: return "NULL"
    if isinstance(v, int): return str(v)
    return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
batch = []
for i in range(1, n + 1):
    v = {"ind": i, "unique_id": str(uuid.UUID(int=r.getrandbits(128))),
         "title": f"Title of pin {i}", "description": f'A description "quoted" of pin {i} with some more words in it',
         "follower_count": r.randrange(1, 10**7), "poster_name": "Poster Name",
         "tag_list": "tag one,tag two,tag three", "is_image_or_video": "image",
         "image_src": f"https://i.pinimg.com/originals/{i:032x}.jpg",
         "save_location": "/data/art", "category": "art"}
    jl.write(json.dumps(v, separators=(",", ":")) + "\n")
    batch.append("(" + ",".join(lit(v[c]) for c in cols) + ")")
    if len(batch) == 1000 or i == n:
        sq.write(f"INSERT INTO pin ({','.join(cols)}) VALUES " + ",".join(batch) + ";\n")
        batch = []
PY
cw_kcat -P -t bench <"$CW_TMP/rows.jsonl"
head -1 "$CW_TMP/rows.jsonl" | cw_kcat -P -t one
bytes=$(wc -c <"$CW_TMP/rows.jsonl")
db_sql "CREATE TABLE pin (ind BIGINT PRIMARY KEY, unique_id VARCHAR(36), title TEXT,
  description TEXT, follower_count BIGINT, poster_name TEXT, tag_list TEXT,
  is_image_or_video TEXT, image_src TEXT, save_location TEXT, category TEXT)"

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
expect_rows() { [ "$(db_count pin)" = "$1" ] || cw_fail "pin holds $(db_count pin) rows, want $1"; }
client_run() {  # one timed load of the INSERT file; prints its wall seconds
    db_sql "TRUNCATE TABLE pin"
    local t0 t1
    t0=$(now)
    mariadb --no-defaults -h127.0.0.1 -P"$CW_DB_PORT" -u"$CW_DB_USER" -p"$CW_DB_PASSWORD" \
        "$CW_DB_NAME" <"$CW_TMP/rows.sql" || cw_fail "the mariadb client failed"
    t1=$(now)
    expect_rows "$rows"
    awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}
# librdkafka's mock broker holds every fetch for fetch.wait.max.ms (500 ms by default) even
# when data is there, where a real broker answers at once (fetch.min.bytes=1): without this
# setting the sink waits ~0.45 s every few batches and the figure measures the mock broker.
cw_worker_properties "$CW_TMP/worker.properties" "value.converter=org.apache.kafka.connect.json.JsonConverter" \
    "value.converter.schemas.enable=false" "consumer.fetch.wait.max.ms=10"
worker_run() {  # worker_run TOPIC ROWS: one batch run from offset 0; prints its wall seconds
    db_sql "TRUNCATE TABLE pin"
    # a new consumer group each run (called in $(...): the count lives in a file)
    local run=$(( $(cat "$CW_TMP/runs" 2>/dev/null || echo 0) + 1 ))
    echo $run >"$CW_TMP/runs"
    jdbc_connector "$CW_TMP/bench.properties" "bench-$run" "$1" insert.mode=upsert \
        pk.mode=record_value pk.fields=ind 'table.name.format=pin'
    local t0 t1 rc=0
    t0=$(now)
    timeout 600 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" \
        "$CW_TMP/bench.properties" >>"$CW_TMP/worker.log" 2>&1 || rc=$?
    t1=$(now)
    [ "$rc" = 0 ] || { cw_dump_logs; cw_fail "worker exit code $rc"; }
    expect_rows "$2"
    awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}
# The machine is shared: client and worker take turns, five rounds, medians compared.
fixed_s=$(worker_run one 1)
loads=() runs=()
for round in 1 2 3 4 5; do
    loads+=("$(client_run)")
    runs+=("$(worker_run bench "$rows")")
done
cw_note "mariadb client: ${loads[*]} s; worker: ${runs[*]} s (medians below)"
load_s=$(median "${loads[@]}")
run_s=$(median "${runs[@]}")
awk -v r="$rows" -v b="$bytes" -v d="$load_s" -v w="$run_s" -v f="$fixed_s" 'BEGIN {
    printf "mariadb < multi-row INSERTs          : %8.0f rows/s (%.2f s, median of 5)\n", r/d, d
    printf "Kafka -> jdbc-sink -> MariaDB (upsert): %8.0f rows/s %6.1f MB/s of JSON (%.2f s wall, median of 5)\n", r/w, b/w/1e6, w
    printf "ratio (wall): %.2f (target >= 0.5)\n", d/w
    printf "worker start-up + group join + shutdown for a 1-record topic: %.2f s\n", f
    printf "jdbc-sink without it                  : %8.0f rows/s\n", r/(w-f)
    printf "ratio (steady state): %.2f\n", d/(w-f) }'
