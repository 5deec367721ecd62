#!/usr/bin/env bash
# bench-rds: rows/s and MB/s from MariaDB into Kafka (mock cluster) through connect-worker and
# rds-source, beside `mariadb --batch --quick` dumping the same table to /dev/null in the same
# run, and their ratio (target >= 0.85). MB/s counts the table data as the client dumps it.
# The worker runs as a user runs it: in the foreground, with the ready config's converters
# (JsonConverter without schemas: every row's JSON is checked before it is produced).
# usage: [BENCH_RDS_SIZES="10000 100000 1000000"] bench_rds.sh [ROWS]   (default 300000)
# After the main figures it prints rows/s against the table size (BENCH_RDS_SIZES, empty: none).
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
rows=${1:-300000}
cw_start_mariadb
# make_table NAME ROWS: NAME with ROWS Pinterest-like rows
make_table() {
    cw_sql "CREATE TABLE $1 (\`index\` INT AUTO_INCREMENT PRIMARY KEY, unique_id VARCHAR(36),
  title TEXT, description TEXT, poster_name VARCHAR(255), follower_count VARCHAR(20), tag_list TEXT,
  is_image_or_video VARCHAR(40), image_src TEXT, downloaded INT, save_location VARCHAR(255),
  category VARCHAR(40), latitude DOUBLE);
  INSERT INTO $1 SELECT NULL, UUID(), CONCAT('Title of pin ', seq),
   CONCAT('A description \"quoted\" of pin ', seq, ' with some more words in it'), 'Poster Name',
   CONCAT(seq % 999, 'k'), 'tag one,tag two,tag three', 'image',
   CONCAT('https://i.pinimg.com/originals/', MD5(seq), '.jpg'), 1, 'Local save in /data/art', 'art',
   -89.9787 + seq / 100000 FROM seq_1_to_$2;"
}
cw_note "creating $rows Pinterest-like rows"
make_table pinterest_data "$rows"
# how cost grows with the table: the same rows, 10k, 100k and 1M of them (BENCH_RDS_SIZES)
sizes=${BENCH_RDS_SIZES-10000 100000 1000000}
for n in $sizes; do
    cw_note "creating $n rows for the size table"
    make_table "pin_$n" "$n"
done
now() { date +%s.%N; }
# CPU seconds (user + system) a process has used so far: the MariaDB server and the mock
# cluster, read before and after each run, so that the bench shows where the CPU goes.
proc_cpu() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) / t }' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_log=$CW_TMP/cpu.txt
: >"$cpu_log"
# timed WHO CMD...: runs CMD (output discarded), prints its wall seconds; appends WHO, its own
# CPU seconds and the server's and the mock cluster's to $cpu_log.
# The server's threads' scheduler counters, "<tid> <ns on a CPU> <ns runnable, waiting for one>"
# (/proc/<pid>/task/<tid>/schedstat), to tell the server's connection thread waiting for a
# core (the machine) from it sleeping until the client reads (the client).
server_sched() {
    local f
    for f in /proc/"$CW_DB_PID"/task/*/schedstat; do
        [ -r "$f" ] && echo "$(basename "$(dirname "$f")") $(cat "$f" 2>/dev/null)"
    done
}
# "<s on a CPU> <s waiting for a core>" of the thread that ran most between snapshot $1 and now
server_busiest() {
    server_sched | awk 'NR == FNR { r[$1] = $2; w[$1] = $3; next }
        { d = $2 - r[$1]; if (d > best) { best = d; bw = $3 - w[$1] } }
        END { printf "%.3f %.3f", best / 1e9, bw / 1e9 }' "$1" -
}
timed() {
    local who=$1 s0 m0 t; shift
    s0=$(proc_cpu "$CW_DB_PID") m0=$(proc_cpu "${CW_MOCK_PID:-0}")
    server_sched >"$CW_TMP/sched0"
    t=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>>"$CW_TMP/worker.log"; } 2>&1 ) ||
        { echo "$t" >&2; return 1; }
    awk -v w="$who" -v t="$t" -v s0="$s0" -v s1="$(proc_cpu "$CW_DB_PID")" -v m0="$m0" \
        -v m1="$(proc_cpu "${CW_MOCK_PID:-0}")" -v sched="$(server_busiest "$CW_TMP/sched0")" \
        'BEGIN { split(t, a, " "); split(sched, b, " ");
        printf "%s %.3f %.3f %.3f %.3f %.3f %.3f\n", w, a[2] + a[3], s1 - s0, m1 - m0, b[1], b[2],
            a[1] }' >>"$cpu_log"
    echo "${t%% *}"
}
dump_run() {  # dump_run [TABLE]: one timed dump of TABLE to /dev/null; prints its wall seconds
    local table=${1:-pinterest_data}
    timed dump mariadb --no-defaults --batch --quick -h127.0.0.1 -P"$CW_DB_PORT" -u"$CW_DB_USER" \
        -p"$CW_DB_PASSWORD" "$CW_DB_NAME" -e "SELECT * FROM $table"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# the size of what was dumped (measured in a second, untimed run)
bytes=$(mariadb --no-defaults --batch --quick -h127.0.0.1 -P"$CW_DB_PORT" -u"$CW_DB_USER" \
    -p"$CW_DB_PASSWORD" "$CW_DB_NAME" -e 'SELECT * FROM pinterest_data' | wc -c)

cw_sql "CREATE TABLE one_row LIKE pinterest_data; INSERT INTO one_row SELECT * FROM pinterest_data LIMIT 1"
# the mock cluster keeps ~5 MiB per partition: spread the topic
# (1M rows: 192 partitions)
size_topics=()
for n in $sizes; do size_topics+=(--topic "bench.pin_$n:$((n > 300000 ? 192 : 96))"); done
cw_start_mock_cluster --topic bench.pinterest_data:96 --topic bench.one_row:1 "${size_topics[@]}"
cw_worker_properties "$CW_TMP/worker.properties"
worker_run() {  # worker_run TABLE: one batch run over TABLE; prints its wall seconds
    rm -f "$CW_TMP/connect.offsets"
    cat >"$CW_TMP/rds.properties" <<P
name=bench-rds
connector.class=rds-source
connection.url=$CW_DB_URL
connection.user=$CW_DB_USER
connection.password=\${env:CW_DB_PASSWORD}
mode=incrementing
table.whitelist=$1
topic.prefix=bench.
batch.max.rows=5000
# the converters of the ready config (connectors/pinterest-rds-source.properties)
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
P
    local wall
    # in the foreground, as a user runs it: the wall time is the command's own
    wall=$(timed "worker $1" timeout 600 "$CW_WORKER" --exit-when-caught-up \
        "$CW_TMP/worker.properties" "$CW_TMP/rds.properties") ||
        { cw_dump_logs; cw_fail "worker failed"; }
    # every row acknowledged by Kafka: the worker stored the last row's offset
    jq -e --argjson n "$(cw_sql "SELECT MAX(\`index\`) FROM $1")" --arg p "{\"table\":\"$1\"}" \
        '.["bench-rds"][$p].incrementing == $n' "$CW_TMP/connect.offsets" >/dev/null ||
        cw_fail "not every row of $1 was acknowledged: $(cat "$CW_TMP/connect.offsets")"
    echo "$wall"
}
# The machine is shared: dump and worker take turns, BENCH_RDS_ROUNDS rounds (default 5),
# medians compared.
rounds=${BENCH_RDS_ROUNDS:-5}
fixed_s=$(worker_run one_row)
dumps=() runs=()
for ((round = 1; round <= rounds; round++)); do
    dumps+=("$(dump_run)")
    runs+=("$(worker_run pinterest_data)")
done
cw_note "dump: ${dumps[*]} s; worker: ${runs[*]} s (medians below)"
dump_s=$(median "${dumps[@]}")
run_s=$(median "${runs[@]}")
# the plugin alone, through the test harness (no Kafka)
t0=$(now)
rds_run --until-idle mode=incrementing topic.prefix=bench. batch.max.rows=5000 \
    table.whitelist=pinterest_data 2>"$CW_TMP/err" | wc -l >"$CW_TMP/got"
t1=$(now)
[ "$(cat "$CW_TMP/got")" = "$rows" ] || cw_fail "harness: $(cat "$CW_TMP/got") records, want $rows"
alone_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
awk -v n="$rounds" -v r="$rows" -v b="$bytes" -v d="$dump_s" -v w="$run_s" -v f="$fixed_s" -v h="$alone_s" 'BEGIN {
    printf "mariadb --batch --quick > /dev/null : %8.0f rows/s %7.1f MB/s (%.2f s, median of %d)\n", r/d, b/d/1e6, d, n
    printf "rds-source -> Kafka (connect-worker): %8.0f rows/s %7.1f MB/s (%.2f s wall, median of %d)\n", r/w, b/w/1e6, w, n
    printf "ratio (wall): %.2f\n", d/w
    printf "worker start-up + shutdown for a 1-row table: %.2f s\n", f
    printf "rds-source -> Kafka without it         : %8.0f rows/s %7.1f MB/s\n", r/(w-f), b/(w-f)/1e6
    printf "ratio (steady state): %.2f (target >= 0.85)\n", d/(w-f)
    printf "rds-source + test harness (no Kafka)   : %8.0f rows/s (%.2f s)\n", r/h, h }'
# CPU seconds for the 300k rows (medians of the three rounds): what the peer and the worker
# cost the machine, and the server and the Kafka side beside them
cpu_median() { median $(awk -v w="$1" -v c="$2" '$1 == w || ($1 == "worker" && $2 == w) {
    print $(c + ($1 == "worker")) }' "$cpu_log"); }
printf 'CPU s (median): mariadb client %s, its server %s | worker %s, its server %s, Kafka (mock cluster) %s\n' \
    "$(cpu_median dump 2)" "$(cpu_median dump 3)" "$(cpu_median pinterest_data 2)" \
    "$(cpu_median pinterest_data 3)" "$(cpu_median pinterest_data 4)"
# The server's busiest thread (the connection's): on a CPU, runnable but waiting for a core
# (the machine's two cores are taken), and asleep (waiting for its client to read; the rest
# of the wall time), medians over the rounds.
server_line() {
    printf '%s: on a CPU %s s, waiting for a core %s s, asleep %s s of %s s' "$1" \
        "$(cpu_median "$2" 5)" "$(cpu_median "$2" 6)" \
        "$(median $(awk -v w="$2" '$1 == w || ($1 == "worker" && $2 == w) {
            o = ($1 == "worker"); a = $(7 + o) - $(5 + o) - $(6 + o); print (a > 0 ? a : 0) }' \
            "$cpu_log"))" "$(cpu_median "$2" 7)"
}
echo "MariaDB server's connection thread (medians) | $(server_line "mariadb client" dump) |" \
    "$(server_line worker pinterest_data)"

# How cost grows: rows/s against the table size, dump and worker in turns (median of 3; one
# run each at 1M rows, to keep the bench within a few minutes)
[ -n "$sizes" ] && printf '%-10s %14s %14s %6s\n' rows "mariadb rows/s" "worker rows/s" ratio
for n in $sizes; do
    d=() w=()
    for round in $( ((n > 300000)) && echo 1 || echo 1 2 3); do
        d+=("$(dump_run "pin_$n")")
        w+=("$(worker_run "pin_$n")")
    done
    awk -v r="$n" -v d="$(median "${d[@]}")" -v w="$(median "${w[@]}")" \
        'BEGIN { printf "%-10d %14.0f %14.0f %6.2f\n", r, r/d, r/w, d/w }'
done
