#!/usr/bin/env bash
# The journal plugins (plugins/journal_source.c) in a standalone worker, before anything
# distributed: what the guarantee tests rely on.
#  1. journal-source with tasks.max=2 journals "split" once and "start" for tasks 0 and 1 with
#     the worker's pid and a CLOCK_MONOTONIC time; each task produces <task>:<seq> keyed <task>
#     with seq 0, 1, 2 ... and a journal.worker header naming the pid.
#  2. SIGTERM: each task journals its last commit (the highest seq Kafka acknowledged) and then
#     stop; the offset file holds {"seq":N} for {"task":"<n>"} with that N.
#  3. A restart resumes each task at the committed seq + 1: across both runs every seq of each
#     task is in the topic exactly once, from 0 with no gap.
#  4. journal-sink journals the start and stop of its tasks.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic journal:3
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=300"
J=$CW_TMP/journal
cat >"$CW_TMP/source.properties" <<P
name=js
connector.class=journal-source
tasks.max=2
topic=journal
journal.file=$J
records.per.second=200
P
cat >"$CW_TMP/sink.properties" <<P
name=jk
connector.class=journal-sink
tasks.max=1
topics=journal
journal.file=$J
P
records() { cw_kcat -C -t journal -e -f '%k %s %h\n' 2>/dev/null; }
has_records() { [ "$(records | wc -l)" -ge "$1" ]; }
# journal_has REGEX [COUNT]: the journal has at least COUNT (1) lines matching REGEX.
journal_has() { [ -f "$J" ] && [ "$(grep -Ec -- "$1" "$J")" -ge "${2:-1}" ]; }
run() { # run NAME MIN_RECORDS: start a worker, wait for MIN_RECORDS in the topic, SIGTERM it
    cw_start_worker "$1" --plugin-path "$CW_DIST_TEST_PLUGINS" "$CW_TMP/worker.properties" \
        "$CW_TMP/source.properties" "$CW_TMP/sink.properties"
    pid=$CW_WORKER_PID
    cw_wait_for 30 "$1: both tasks started" journal_has "^start js [01] $pid [0-9]+$" 2
    cw_wait_for 30 "$1: $2 records" has_records "$2"
    cw_wait_for 30 "$1: a commit of each task" journal_has "^commit js [01] $pid [0-9]+ [0-9]+$" 2
    kill -TERM "$pid"
    cw_wait_exit "$pid" 30
    [ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "$1: exit code $CW_EXIT_CODE"; }
}

# --- 1 and 2 ---------------------------------------------------------------------------------
run w1 300
pid1=$pid
grep -Eq "^split js -1 $pid1 [0-9]+ 2$" "$J" || cw_fail "no 'split js -1 $pid1 <ns> 2' line"
grep -Eq "^start jk 0 $pid1 [0-9]+$" "$J" || cw_fail "journal-sink did not journal its start"
grep -Eq "^stop jk 0 $pid1 [0-9]+$" "$J" || cw_fail "journal-sink did not journal its stop"
records >"$CW_TMP/run1"
for t in 0 1; do
    # The stop comes after the last commit, which names the last seq in the topic.
    last=$(grep -E "^(commit|stop) js $t $pid1 " "$J" | tail -2)
    echo "$last" | head -1 | grep -q '^commit ' || cw_fail "task $t: no commit right before its stop: $last"
    echo "$last" | tail -1 | grep -q '^stop ' || cw_fail "task $t: no stop line: $last"
    committed=$(echo "$last" | head -1 | awk '{print $6}')
    max=$(awk -v t=$t '$1 == t { split($2, a, ":"); if (a[2] > m) m = a[2] } END { print m + 0 }' "$CW_TMP/run1")
    [ "$committed" = "$max" ] || cw_fail "task $t: last commit $committed, last seq in the topic $max"
    jq -e --arg p "{\"task\":\"$t\"}" --argjson n "$max" '.js[$p] == {"seq": $n}' \
        "$CW_TMP/connect.offsets" >/dev/null ||
        cw_fail "task $t: offset file lacks {\"seq\":$max}: $(cat "$CW_TMP/connect.offsets")"
    # The start and stop bracket the monotonic times of the commits.
    awk -v t=$t -v p=$pid1 '$2 == "js" && $3 == t && $4 == p { if ($5 < prev) exit 1; prev = $5 }' "$J" ||
        cw_fail "task $t: journal times go backwards"
done
bad=$(awk -v p="$pid1" '{ split($2, a, ":"); if ($1 != a[1] || $3 != "journal.worker=" p) print }' "$CW_TMP/run1" | head -3)
[ -z "$bad" ] || cw_fail "records not keyed <task> with journal.worker=$pid1: $bad"

# --- 3 ------------------------------------------------------------------------------------------
n1=$(wc -l <"$CW_TMP/run1")
run w2 $((n1 + 300))
pid2=$pid
for t in 0 1; do
    c=$(grep -E "^commit js $t $pid1 " "$J" | tail -1 | awk '{print $6}')
    cw_log_has "$CW_TMP/w2.log" "task $t resumes at seq $((c + 1))\$" ||
        cw_fail "task $t did not resume at seq $((c + 1))"
    records | awk -v t=$t '$1 == t { split($2, a, ":"); print a[2] }' | sort -n >"$CW_TMP/seqs$t"
    max=$(tail -1 "$CW_TMP/seqs$t")
    [ "$max" -gt "$c" ] || cw_fail "task $t: no new records after the restart"
    seq 0 "$max" | cmp -s - "$CW_TMP/seqs$t" ||
        cw_fail "task $t: seqs 0..$max not exactly once: dups $(uniq -d "$CW_TMP/seqs$t" | head -3 | tr '\n' ' ')gaps $(seq 0 "$max" | comm -23 - <(sort -u "$CW_TMP/seqs$t") | head -3 | tr '\n' ' ')"
    grep -Eq "^start js $t $pid2 " "$J" || cw_fail "task $t: no start on the second worker"
done
echo "ok: journal plugins: start/stop/commit journalled, seq resumed after restart, no gap or duplicate"
