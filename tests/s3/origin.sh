#!/usr/bin/env bash
# Data in S3 is never overwritten by different data (issue 18): every object carries its
# origin (x-amz-meta-kafka-cluster-id, -topic, -partition, -offsets, -first-record), checked
# with a HEAD before the first write of its key.
#
#   origin.sh cluster   through the worker: a NEW mock cluster on the same ports (another
#                       cluster id, offsets from 0 again) must not overwrite the objects the
#                       first one's records made; the task stops naming the key and both
#                       origins. A replay on the same cluster (a new group, so from offset 0,
#                       with the last object cut elsewhere) still rewrites; with
#                       s3.object.behavior.on.conflict=rename the new records go under
#                       distinct names.
#   origin.sh topic     through s3-driver (the host's cluster id from S3_FAKE_CLUSTER_ID): a
#                       topic deleted and re-created on the same cluster (same cluster id,
#                       offsets from 0, other records) must not overwrite either; a replay of
#                       the same records does; also through s3.client=libs3 (Signature V2).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
mode=${1:?usage: origin.sh cluster|topic}
cw_start_s3rver

# md5sum of every object under PREFIX, by key.
snapshot() {
    rm -rf "$CW_TMP/snap"
    mkdir -p "$CW_TMP/snap"
    cw_s3cmd get --recursive "s3://$CW_S3_BUCKET/$1" "$CW_TMP/snap/" >/dev/null
    (cd "$CW_TMP/snap" && find . -type f | sort | xargs md5sum)
}
# lines of one object
obj_lines() { cw_s3cmd get "s3://$CW_S3_BUCKET/$1" - 2>/dev/null | wc -l; }

if [ "$mode" = topic ]; then
    cfg="$CW_TMP/s3.properties"
    s3_config "$cfg" "flush.size=10"
    export S3_FAKE_CLUSTER_ID=cluster-A
    drive() { "$S3_DRIVER" --config "$1" --topic "$2" --records "$3" --pad "$4" --commit-file "$5"; }
    drive "$cfg" t 25 10 "$CW_TMP/c1" 2>"$CW_TMP/d1.log" || cw_fail "first write failed: $(cat "$CW_TMP/d1.log")"
    # A replay of the same records, cut elsewhere (the offsets were never committed): rewrites.
    drive "$cfg" t 30 10 "$CW_TMP/c2" 2>"$CW_TMP/d2.log" || cw_fail "a replay was refused: $(cat "$CW_TMP/d2.log")"
    [ "$(obj_lines topics/t/partition=0/t+0+0000000020.json)" = 10 ] || cw_fail "the replay did not rewrite t+0+20"
    before=$(snapshot topics/t/)
    # The topic re-created: same cluster id, offsets from 0 again, other records.
    if drive "$cfg" t 30 20 "$CW_TMP/c3" 2>"$CW_TMP/d3.log"; then
        cw_fail "records of a re-created topic overwrote the old objects"
    fi
    grep -q "not overwriting s3://$CW_S3_BUCKET/topics/t/partition=0/t+0+0000000000.json: it holds records of another origin (Kafka cluster cluster-A, t-0 offsets 0-9, first record 1700000000000:" "$CW_TMP/d3.log" ||
        cw_fail "the error does not name the key and the stored origin: $(cat "$CW_TMP/d3.log")"
    grep -q "come from Kafka cluster cluster-A, t-0 offsets 0-, first record 1700000000000:" "$CW_TMP/d3.log" ||
        cw_fail "the error does not name the new origin: $(cat "$CW_TMP/d3.log")"
    [ "$(snapshot topics/t/)" = "$before" ] || cw_fail "objects changed"
    # rename: the re-created topic's objects go under distinct names, the old ones stay.
    s3_config "$CW_TMP/rename.properties" "flush.size=10" "s3.object.behavior.on.conflict=rename"
    drive "$CW_TMP/rename.properties" t 30 20 "$CW_TMP/c4" 2>"$CW_TMP/d4.log" ||
        cw_fail "rename failed: $(cat "$CW_TMP/d4.log")"
    renamed=$(cw_s3_keys | grep -Ec '^topics/t/partition=0/t\+0\+00000000[0-2]0\.[0-9a-f]{8}\.json$' || true)
    [ "$renamed" = 3 ] || cw_fail "expected 3 renamed objects: $(cw_s3_keys)"
    [ "$(snapshot topics/t/ | grep -v '\.[0-9a-f]\{8\}\.json$')" = "$before" ] || cw_fail "old objects changed"
    # libs3 (SigV2) reads and writes the same metadata.
    s3_config "$CW_TMP/libs3.properties" "flush.size=10" "s3.client=libs3"
    drive "$CW_TMP/libs3.properties" l 12 10 "$CW_TMP/c5" 2>"$CW_TMP/d5.log" || cw_fail "libs3 write failed: $(cat "$CW_TMP/d5.log")"
    if drive "$CW_TMP/libs3.properties" l 12 20 "$CW_TMP/c6" 2>"$CW_TMP/d6.log"; then
        cw_fail "libs3: records of a re-created topic overwrote the old objects"
    fi
    grep -q "not overwriting s3://$CW_S3_BUCKET/topics/l/partition=0/l+0+0000000000.json" "$CW_TMP/d6.log" ||
        cw_fail "libs3: $(cat "$CW_TMP/d6.log")"
    echo "origin topic ok"
    exit 0
fi

# --- through the worker, a new cluster on the same ports -----------------------------------
cw_start_mock_cluster --topic ev:1
first_bootstrap=$CW_BOOTSTRAP
s3_json_worker_properties "$CW_TMP/worker.properties"
conn() { s3_ev_connector "$CW_TMP/$1.properties" "$1" aws.access.key.id=S3RVER aws.secret.access.key=S3RVER "${@:2}"; }
run() { timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/$1.properties" >"$CW_TMP/$1.$2.log" 2>&1; }
conn s3-a
conn s3-b
conn s3-r "s3.object.behavior.on.conflict=rename"
s3_produce_ids ev 1 0 25
run s3-a 1 || { cat "$CW_TMP/s3-a.1.log" >&2; cw_fail "first run failed"; }
# A replay on the same cluster (another group: from offset 0 again; 5 more records, so the
# last object is cut elsewhere): the same origin, rewritten.
s3_produce_ids ev 1 25 30
run s3-b 1 || { cat "$CW_TMP/s3-b.1.log" >&2; cw_fail "a replay on the same cluster was refused"; }
[ "$(obj_lines topics/ev/partition=0/ev+0+0000000020.json)" = 10 ] || cw_fail "the replay did not rewrite ev+0+20"
before=$(snapshot topics/ev/)
# A new cluster on the same address: empty, another cluster id, offsets from 0 again.
kill "$CW_MOCK_PID"
wait "$CW_MOCK_PID" 2>/dev/null || true
cw_start_mock_cluster --topic ev:1 --ports "$(echo "$first_bootstrap" | sed 's/127\.0\.0\.1://g')"
[ "$CW_BOOTSTRAP" = "$first_bootstrap" ] || cw_fail "the new cluster is at $CW_BOOTSTRAP, not $first_bootstrap"
for ((i = 0; i < 30; i++)); do printf '{"id":"new-%d","i":%d}\n' $i $i; done >"$CW_TMP/new.jsonl"
kcat -P -b "$CW_BOOTSTRAP" -t ev -p 0 -l "$CW_TMP/new.jsonl" || cw_fail "kcat produce failed"
if run s3-a 2; then
    cw_fail "the new cluster's records overwrote the old cluster's objects"
fi
key_re="s3://$CW_S3_BUCKET/topics/ev/partition=0/ev\\+0\\+0000000000\\.json"
grep -E "not overwriting $key_re: it holds records of another origin \(Kafka cluster [^,]+, ev-0 offsets 0-9, first record [0-9]+:[0-9a-f]+\); this task's records for it come from Kafka cluster [^,]+, ev-0" \
    "$CW_TMP/s3-a.2.log" >"$CW_TMP/conflict.txt" || { cat "$CW_TMP/s3-a.2.log" >&2; cw_fail "no error naming the key and both origins"; }
cw_note "$(cut -c1-400 "$CW_TMP/conflict.txt" | head -1)"
[ "$(snapshot topics/ev/)" = "$before" ] || cw_fail "objects of the first cluster changed"
run s3-r 2 || { cat "$CW_TMP/s3-r.2.log" >&2; cw_fail "rename run failed"; }
renamed=$(cw_s3_keys | grep -Ec '^topics/ev/partition=0/ev\+0\+00000000[0-2]0\.[0-9a-f]{8}\.json$' || true)
[ "$renamed" = 3 ] || cw_fail "expected 3 renamed objects: $(cw_s3_keys)"
[ "$(snapshot topics/ev/ | grep -v '\.[0-9a-f]\{8\}\.json$')" = "$before" ] || cw_fail "old objects changed"
got=$(for k in $(cw_s3_keys | grep -E '\.[0-9a-f]{8}\.json$'); do cw_s3cmd get "s3://$CW_S3_BUCKET/$k" - 2>/dev/null; done | jq -r .id | sort -V | tr '\n' ' ')
[ "$got" = "$(seq -f 'new-%.0f' 0 29 | tr '\n' ' ')" ] || cw_fail "renamed objects hold: $got"
echo "origin cluster ok"
