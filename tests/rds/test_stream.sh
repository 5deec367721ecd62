#!/usr/bin/env bash
# Large tables stream: the task's peak memory does not grow with the table. The same run over
# N and 4N rows (about 16 MB and 64 MB of row data) must peak within a few MB of each other,
# in bulk mode (one unbuffered result) and in incrementing mode (keyset pages: 4N rows are
# two pages of RDS_MIN_PAGE_ROWS, so a page's end is crossed too).
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
# ASan's quarantine would otherwise hold every freed record buffer (up to 256 MB)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:detect_leaks=1"
cw_start_mariadb
n=32000
cw_sql "CREATE TABLE small (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(600));
  INSERT INTO small (body) SELECT REPEAT(MD5(seq), 16) FROM seq_1_to_$n;
  CREATE TABLE big LIKE small;
  INSERT INTO big (body) SELECT REPEAT(MD5(seq), 16) FROM seq_1_to_$((4 * n));"

peak() {  # peak TABLE MODE: runs to the end, checks the row count, prints peak RSS in kB
    rds_run --until-idle mode=$2 topic.prefix=s. table.whitelist=$1 batch.max.rows=500 \
        >"$CW_TMP/out" 2>"$CW_TMP/err" || { cat "$CW_TMP/err" >&2; cw_fail "run over $1 ($2)"; }
    local rows; rows=$(wc -l <"$CW_TMP/out")
    [ "$rows" = "$(cw_sql "SELECT COUNT(*) FROM $1")" ] || cw_fail "$1 ($2): $rows records"
    sed -n 's/^harness: peak rss kb //p' "$CW_TMP/err"
}
for mode in bulk incrementing; do
    a=$(peak small $mode)
    b=$(peak big $mode)
    cw_note "$mode: peak RSS ${a} kB for $n rows, ${b} kB for $((4 * n)) rows"
    [ -n "$a" ] && [ -n "$b" ] || cw_fail "no peak RSS reported"
    # 48 MB more rows; allow 6 MB of noise
    [ "$b" -lt $((a + 6144)) ] || cw_fail "$mode: memory grows with the table ($a kB -> $b kB)"
done
echo "stream ok"
