#!/usr/bin/env bash
# offset.storage.topic in a standalone worker: source offsets in Kafka, in Kafka Connect's format.
#  1. An offset written by kcat exactly as a Java worker writes it (key ["<connector>",{partition}],
#     value {"position":N}, Java's murmur2 key partitioning) is read at start and resumed from:
#     FileStreamSource's partition and offset are file-source's.
#  2. The worker writes its offsets to the same key (same bytes, same partition) and resumes
#     from them after a restart; the offset file is never touched.
#  3. A tombstone for the key (a deleted offset) makes the next start read the file again.
#  4. --validate knows the storage keys; --describe worker lists them.
#  5. With embedded Kafka (no CreateTopics) the worker creates the topic itself.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic lines:1 --topic connect-offsets:25
cw_worker_properties "$CW_TMP/worker.properties" "offset.flush.interval.ms=200" \
    "offset.storage.topic=connect-offsets" "offset.storage.replication.factor=1"
cat >"$CW_TMP/source.properties" <<P
name=fs
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=lines
P
seq 1 10 | sed 's/^/line /' >"$CW_TMP/in.txt"
pos4=$(head -4 "$CW_TMP/in.txt" | wc -c)
key="[\"fs\",{\"filename\":\"$CW_TMP/in.txt\"}]"

# What a Java worker (FileStreamSourceTask) leaves behind: position after line 4.
printf '%s\t{"position":%s}\n' "$key" "$pos4" |
    cw_kcat -P -t connect-offsets -K $'\t' -X partitioner=murmur2_random
# offsets KEY: "<partition> <value>" of every record with KEY, in order (tombstones print "-").
offsets() {
    cw_kcat -C -t connect-offsets -e -f '%p\t%k\t%s\n' -Z 2>/dev/null |
        awk -F '\t' -v k="$1" '$2 == k { print $1, (($3 == "" || $3 == "NULL") ? "-" : $3) }'
}
java_partition=$(offsets "$key" | head -1 | cut -d' ' -f1)
[ -n "$java_partition" ] || cw_fail "the Java-form record is not in connect-offsets"

lines() { cw_kcat -C -t lines -e -f '%s\n' 2>/dev/null; }
has_records() { [ "$(lines | wc -l)" -ge "$1" ]; }
stored_position() { offsets "$key" | tail -1 | grep -q "{\"position\":$1}"; }

# --- 1. resume from the Java worker's offset ------------------------------------------------
cw_start_worker w1 "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "lines 5-10 in the topic" has_records 6
cw_log_has "$CW_TMP/w1.log" "resuming $CW_TMP/in.txt at byte $pos4" ||
    cw_fail "did not resume at byte $pos4"
size=$(stat -c %s "$CW_TMP/in.txt")
cw_wait_for 30 "the worker's offset $size in connect-offsets" stored_position "$size"
kill -TERM "$pid"
cw_wait_exit "$pid" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "worker exit code $CW_EXIT_CODE"
diff <(seq 5 10 | sed 's/^/line /') <(lines) || cw_fail "expected exactly lines 5-10"
# The worker's records have the Java worker's key bytes, hence its partition.
bad=$(offsets "$key" | awk -v p="$java_partition" '$1 != p' | head -1)
[ -z "$bad" ] || cw_fail "an offset record on another partition than Java's ($java_partition): $bad"
[ ! -e "$CW_TMP/connect.offsets" ] || cw_fail "the offset file was written"

# --- 2. resume from its own offset ----------------------------------------------------------
seq 11 15 | sed 's/^/line /' >>"$CW_TMP/in.txt"
cw_start_worker w2 "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "lines 11-15 in the topic" has_records 11
size=$(stat -c %s "$CW_TMP/in.txt")
cw_wait_for 30 "offset $size in connect-offsets" stored_position "$size"
kill -TERM "$pid"
cw_wait_exit "$pid" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "worker exit code $CW_EXIT_CODE"
diff <(seq 5 15 | sed 's/^/line /') <(lines) || cw_fail "expected lines 5-15 once each"
cw_log_has "$CW_TMP/w2.log" "offset.storage.topic connect-offsets: 1 source partition offset" ||
    cw_fail "the store did not report the offset it read"

# --- 3. a tombstone deletes the offset: the next start reads the file from its beginning -------
printf '%s\t\n' "$key" | cw_kcat -P -t connect-offsets -K $'\t' -Z -X partitioner=murmur2_random
offsets "$key" | tail -1 | grep -q -- ' -$' || cw_fail "the tombstone is not the last record"
cw_start_worker w3 "$CW_TMP/worker.properties" "$CW_TMP/source.properties"
pid=$CW_WORKER_PID
cw_wait_for 30 "all 15 lines again" has_records 26
kill -TERM "$pid"
cw_wait_exit "$pid" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "worker exit code $CW_EXIT_CODE"
diff <(seq 5 15 | sed 's/^/line /'; seq 1 15 | sed 's/^/line /') <(lines) ||
    cw_fail "after the tombstone the file should be read from byte 0"

# --- 4. the keys are known to --validate and --describe ------------------------------------
cw_worker_properties "$CW_TMP/bad.properties" "offset.storage.topic=connect-offsets" \
    "offset.storage.partitions=0" "status.storage.replication.factor=-2" "admin.linger.ms=x"
set +e
out=$("$CW_WORKER" --validate "$CW_TMP/bad.properties" "$CW_TMP/source.properties" 2>&1)
rc=$?
set -e
[ "$rc" = 3 ] || cw_fail "--validate exit code $rc, want 3: $out"
for k in offset.storage.partitions status.storage.replication.factor admin.linger.ms; do
    grep -Fq "$CW_TMP/bad.properties: $k" <<<"$out" || cw_fail "--validate does not name $k: $out"
done
grep -q "unknown key" <<<"$out" && cw_fail "a storage key is unknown to --validate: $out"
desc=$("$CW_WORKER" --describe worker)
for k in offset.storage.topic offset.storage.partitions config.storage.topic status.storage.topic admin.; do
    grep -Fq "$k" <<<"$desc" || cw_fail "--describe worker does not list $k"
done

# --- 5. embedded Kafka has no CreateTopics: the worker creates the topic through the mock API --
cat >"$CW_TMP/embedded.properties" <<P
embedded.kafka.enable=true
offset.storage.topic=connect-offsets
offset.storage.file.filename=$CW_TMP/embedded.offsets
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
P
timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/embedded.properties" \
    "$CW_TMP/source.properties" >"$CW_TMP/embedded.log" 2>&1 ||
    { cat "$CW_TMP/embedded.log" >&2; cw_fail "the embedded run failed"; }
cw_log_has "$CW_TMP/embedded.log" "offset.storage.topic connect-offsets: 0 source partition" ||
    cw_fail "the embedded run did not use offset.storage.topic"
cw_log_has "$CW_TMP/embedded.log" "offset.storage.topic .*(not written|not acknowledged|cannot)" &&
    cw_fail "the embedded run could not write its offsets: $(grep offset.storage "$CW_TMP/embedded.log")"
[ ! -e "$CW_TMP/embedded.offsets" ] || cw_fail "the embedded run wrote the offset file"
exit 0
