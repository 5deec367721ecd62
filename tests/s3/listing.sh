#!/usr/bin/env bash
# The overwrite protection lists each partition's key stem once instead of sending a HEAD
# before every object (issue 17), through a recording proxy in front of s3rver
# (tests/s3/header_proxy.py) that counts the requests and plays the stores s3rver is not.
#   1. a partition writing several objects: one LIST, no HEAD;
#   2. an object of another origin at a LATER offset of the partition (not its first object)
#      is still refused (on.conflict=fail) or renamed (rename), with one HEAD: the listed key;
#   3. a LIST refused (403, no s3:ListBucket): one warning, then a HEAD per object, which
#      still refuses the other origin's object;
#   4. a store that honours If-None-Match: an object of another origin that appears after
#      the listing is refused by the conditional PUT, not overwritten.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_s3rver

# start_proxy NAME [options]: a recording proxy logging to $CW_TMP/NAME.jsonl; sets PROXY_URL.
start_proxy() {
    local name=$1 port
    port=$(cw_free_port)
    shift
    python3 "$CW_SOURCE_DIR/tests/s3/header_proxy.py" --port "$port" --upstream-port "$CW_S3_PORT" \
        --log "$CW_TMP/$name.jsonl" "$@" 2>"$CW_TMP/$name.proxy.log" &
    CW_PIDS+=($!)
    cw_wait_for 20 "proxy $name" curl -sf -o /dev/null "http://127.0.0.1:$port/$CW_S3_BUCKET/?max-keys=0"
    PROXY_URL="http://127.0.0.1:$port"
}
# count LOG METHOD TOPIC [list]: requests of METHOD on the topic's objects (list: listings of
# its stems).
count() {
    local filter='select(.method==$m and (.path|test("/topics/" + $t + "/")))'
    [ "${4:-}" = list ] && filter='select(.method==$m and (.path|test("list-type=2&.*prefix=topics%2F" + $t + "%2F")))'
    jq -r --arg m "$2" --arg t "$3" "$filter | .path" "$1" | wc -l
}
drive() { # drive CONFIG TOPIC RECORDS PAD CLUSTER LOG
    S3_FAKE_CLUSTER_ID=$5 "$S3_DRIVER" --config "$1" --topic "$2" --records "$3" --pad "$4" \
        --commit-file "$CW_TMP/$2.$5.commit" 2>"$6"
}
md5_of() { cw_s3cmd get "s3://$CW_S3_BUCKET/$1" - 2>/dev/null | md5sum; }
dir=topics

# --- 1. one LIST, no HEAD ----------------------------------------------------------------
start_proxy plain
s3_config "$CW_TMP/plain.properties" "flush.size=10" "store.url=$PROXY_URL"
drive "$CW_TMP/plain.properties" a 45 10 cluster-A "$CW_TMP/a.log" || cw_fail "write failed: $(cat "$CW_TMP/a.log")"
puts=$(count "$CW_TMP/plain.jsonl" PUT a) lists=$(count "$CW_TMP/plain.jsonl" GET a list)
heads=$(count "$CW_TMP/plain.jsonl" HEAD a)
[ "$puts" -ge 4 ] || cw_fail "expected at least 4 objects written, saw $puts PUTs"
[ "$lists" = 1 ] && [ "$heads" = 0 ] ||
    cw_fail "$puts objects: expected 1 LIST and no HEAD, saw $lists LIST(s) and $heads HEAD(s)"
cw_note "$puts objects of one partition: $lists LIST, $heads HEAD"

# --- 2. another origin at a later offset: refused, or renamed --------------------------------
# cluster-B wrote b+0+0, +10, +20; the first two are gone, +20 stays.
drive "$CW_TMP/plain.properties" b 30 10 cluster-B "$CW_TMP/b1.log" || cw_fail "cluster-B write failed: $(cat "$CW_TMP/b1.log")"
cw_s3cmd del "s3://$CW_S3_BUCKET/$dir/b/partition=0/b+0+0000000000.json" "s3://$CW_S3_BUCKET/$dir/b/partition=0/b+0+0000000010.json" >/dev/null
theirs=$(md5_of "$dir/b/partition=0/b+0+0000000020.json")
: >"$CW_TMP/plain.jsonl"
if drive "$CW_TMP/plain.properties" b 30 10 cluster-A "$CW_TMP/b2.log"; then
    cw_fail "cluster-A's records overwrote cluster-B's object at a later offset"
fi
grep -q "not overwriting s3://$CW_S3_BUCKET/$dir/b/partition=0/b+0+0000000020.json: it holds records of another origin (Kafka cluster cluster-B" "$CW_TMP/b2.log" ||
    cw_fail "no refusal naming b+0+20 and cluster-B: $(cat "$CW_TMP/b2.log")"
[ "$(md5_of "$dir/b/partition=0/b+0+0000000020.json")" = "$theirs" ] || cw_fail "cluster-B's b+0+20 changed"
lists=$(count "$CW_TMP/plain.jsonl" GET b list) heads=$(count "$CW_TMP/plain.jsonl" HEAD b)
[ "$lists" = 1 ] && [ "$heads" = 1 ] || cw_fail "expected 1 LIST and 1 HEAD (of the listed key), saw $lists and $heads"
s3_config "$CW_TMP/rename.properties" "flush.size=10" "store.url=$PROXY_URL" "s3.object.behavior.on.conflict=rename"
drive "$CW_TMP/rename.properties" b 30 10 cluster-A "$CW_TMP/b3.log" || cw_fail "rename failed: $(cat "$CW_TMP/b3.log")"
cw_s3_keys | grep -Eq "^$dir/b/partition=0/b\+0\+0000000020\.[0-9a-f]{8}\.json$" ||
    cw_fail "b+0+20 not renamed: $(cw_s3_keys | grep /b/)"
[ "$(md5_of "$dir/b/partition=0/b+0+0000000020.json")" = "$theirs" ] || cw_fail "rename: cluster-B's b+0+20 changed"

# --- 3. LIST refused: HEADs, still protected ----------------------------------------------
drive "$CW_TMP/plain.properties" c 30 10 cluster-B "$CW_TMP/c1.log" || cw_fail "cluster-B write failed: $(cat "$CW_TMP/c1.log")"
cw_s3cmd del "s3://$CW_S3_BUCKET/$dir/c/partition=0/c+0+0000000000.json" >/dev/null
start_proxy deny --deny-list
s3_config "$CW_TMP/deny.properties" "flush.size=10" "store.url=$PROXY_URL"
if drive "$CW_TMP/deny.properties" c 30 10 cluster-A "$CW_TMP/c2.log"; then
    cw_fail "LIST refused: cluster-A's records overwrote cluster-B's object"
fi
grep -q "not overwriting s3://$CW_S3_BUCKET/$dir/c/partition=0/c+0+0000000010.json: it holds records of another origin (Kafka cluster cluster-B" "$CW_TMP/c2.log" ||
    cw_fail "LIST refused: no refusal naming c+0+10: $(cat "$CW_TMP/c2.log")"
[ "$(grep -c "listing bucket $CW_S3_BUCKET was refused (HTTP 403 AccessDenied): the credentials lack s3:ListBucket" "$CW_TMP/c2.log")" = 1 ] ||
    cw_fail "expected one warning naming the bucket and s3:ListBucket: $(cat "$CW_TMP/c2.log")"
heads=$(count "$CW_TMP/deny.jsonl" HEAD c)
[ "$heads" = 2 ] || cw_fail "LIST refused: expected a HEAD of c+0+0 and c+0+10, saw $heads"

# --- 4. If-None-Match honoured: an object that appears after the listing -------------------
start_proxy inm --honour-inm --plant-after-list "$dir/d/partition=0/d+0+0000000010.json=intruder"
s3_config "$CW_TMP/inm.properties" "flush.size=10" "store.url=$PROXY_URL"
if drive "$CW_TMP/inm.properties" d 30 10 cluster-A "$CW_TMP/d1.log"; then
    cw_fail "an object of another origin that appeared after the listing was overwritten"
fi
grep -q "not overwriting s3://$CW_S3_BUCKET/$dir/d/partition=0/d+0+0000000010.json: it holds records of another origin (Kafka cluster intruder" "$CW_TMP/d1.log" ||
    cw_fail "no refusal naming d+0+10 and the intruder: $(cat "$CW_TMP/d1.log")"
[ "$(cw_s3cmd get "s3://$CW_S3_BUCKET/$dir/d/partition=0/d+0+0000000010.json" - 2>/dev/null)" = '{"planted":1}' ] ||
    cw_fail "the planted object changed"
[ "$(count "$CW_TMP/inm.jsonl" HEAD d)" = 1 ] || cw_fail "expected only the HEAD after the 412"
# rename: the conditional PUT's refusal renames as a listed object does.
start_proxy inm2 --honour-inm --plant-after-list "$dir/e/partition=0/e+0+0000000010.json=intruder"
s3_config "$CW_TMP/inm-rename.properties" "flush.size=10" "store.url=$PROXY_URL" "s3.object.behavior.on.conflict=rename"
drive "$CW_TMP/inm-rename.properties" e 30 10 cluster-A "$CW_TMP/e1.log" || cw_fail "rename failed: $(cat "$CW_TMP/e1.log")"
cw_s3_keys | grep -Eq "^$dir/e/partition=0/e\+0\+0000000010\.[0-9a-f]{8}\.json$" ||
    cw_fail "e+0+10 not renamed: $(cw_s3_keys | grep /e/)"
[ "$(cw_s3cmd get "s3://$CW_S3_BUCKET/$dir/e/partition=0/e+0+0000000010.json" - 2>/dev/null)" = '{"planted":1}' ] ||
    cw_fail "rename: the planted object changed"
echo "listing ok"
