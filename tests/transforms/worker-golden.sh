#!/usr/bin/env bash
# The golden cases and the seed's recipes through a real worker: values produced with kcat
# into a mock Kafka cluster, consumed by file-sink connectors (one per case) whose
# transforms/predicates block is the case's config.properties (for the recipes: the block
# of connectors/pinterest-s3-sink.properties), in batch mode (--exit-when-caught-up); each
# sink file must equal the expected values. Cases with a `chain-only` file (reason inside),
# envelope input, or an expected stop are covered by the chain driver only.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
here=$(cd "$(dirname "$0")" && pwd)

cases=()
for dir in "$here"/golden/*/; do
    dir=${dir%/}
    [ -f "$dir/input.txt" ] && [ -f "$dir/expected.txt" ] || continue
    [ -f "$dir/expected-error.txt" ] || [ -f "$dir/chain-only" ] && continue
    cases+=("$(basename "$dir")")
done
topics=()
for c in "${cases[@]}"; do
    t=$(cat "$here/golden/$c/topic" 2>/dev/null || echo "golden.$c")
    topics+=(--topic "$t:1" --topic "golden.dlq.$c:1")
done
cw_start_mock_cluster "${topics[@]}" --topic pinterest.pin:1 --topic pinterest.geo:1 \
    --topic pinterest.user:1 --topic pinterest.other:1

cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/connect.offsets
offset.flush.interval.ms=500
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
P

connectors=()
for c in "${cases[@]}"; do
    dir=$here/golden/$c
    t=$(cat "$dir/topic" 2>/dev/null || echo "golden.$c")
    # An empty line is a null value (a tombstone), as the chain driver reads it: kcat skips
    # empty lines, but with a key (k<TAB>) and -Z an empty value is sent as null.
    sed 's/^/k\t/' "$dir/input.txt" | timeout 30 kcat -b "$CW_BOOTSTRAP" -q -P -Z -K '\t' -t "$t" -p 0 \
        || cw_fail "kcat could not produce $c"
    {
        echo "name=golden-$c"
        echo "connector.class=FileStreamSink"
        echo "topics=$t"
        echo "file=$CW_TMP/out-$c.txt"
        echo "errors.deadletterqueue.topic.name=golden.dlq.$c"
        grep -v '^errors\.deadletterqueue' "$dir/config.properties"
    } >"$CW_TMP/golden-$c.properties"
    connectors+=("$CW_TMP/golden-$c.properties")
done

# The recipes: one record per line of recipes/input.jsonl, produced to its topic.
python3 - "$here/recipes/input.jsonl" "$CW_TMP" <<'PY'
import json, sys
out = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    text = e["value_text"] if "value_text" in e else json.dumps(e["value"], separators=(",", ":"))
    out.setdefault(e["topic"], []).append(text)
for t, lines in out.items():
    open("%s/recipe-%s.txt" % (sys.argv[2], t), "w").write("".join(l + "\n" for l in lines))
PY
for t in pinterest.pin pinterest.geo pinterest.user pinterest.other; do
    timeout 30 kcat -b "$CW_BOOTSTRAP" -q -P -t "$t" -p 0 <"$CW_TMP/recipe-$t.txt" || cw_fail "kcat $t"
done
{
    echo "name=recipes"
    echo "connector.class=FileStreamSink"
    echo "topics=pinterest.pin,pinterest.geo,pinterest.user,pinterest.other"
    echo "file=$CW_TMP/out-recipes.txt"
    grep -E '^(predicates|transforms)[.=]' "$CW_SOURCE_DIR/connectors/pinterest-s3-sink.properties"
} >"$CW_TMP/recipes.properties"
connectors+=("$CW_TMP/recipes.properties")

rc=0
timeout 120 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "${connectors[@]}" \
    >"$CW_TMP/worker.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || { tail -40 "$CW_TMP/worker.log"; cw_fail "worker exit code $rc"; }

fails=0

for c in "${cases[@]}"; do
    # The file sink writes a string value as its text (not as a JSON string).
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    try:
        v = json.loads(line)
    except ValueError:
        v = None
    print(v if isinstance(v, str) else line)' "$here/golden/$c/expected.txt" >"$CW_TMP/expected-$c.txt"
    if diff -u "$CW_TMP/expected-$c.txt" "$CW_TMP/out-$c.txt"; then
        echo "ok: $c through the worker"
    else
        echo "FAIL: $c through the worker"; fails=$((fails + 1))
    fi
done
# One partition per topic keeps each topic's order; topics interleave, so compare sorted.
# The record of pinterest.other passes the transforms untouched, but the file sink writes
# it as compact JSON: compare that one line parsed.
grep -v '"untouched"' "$here/recipes/expected.txt" | sort >"$CW_TMP/recipes-expected.txt"
grep -v '"untouched"' "$CW_TMP/out-recipes.txt" | sort >"$CW_TMP/recipes-out.txt"
python3 -c '
import json, sys
want = [json.loads(l) for l in open(sys.argv[1]) if "untouched" in l]
got = [json.loads(l) for l in open(sys.argv[2]) if "untouched" in l]
sys.exit(0 if want == got and len(got) == 1 else 1)' "$here/recipes/expected.txt" "$CW_TMP/out-recipes.txt" \
    || { echo "FAIL: the record of another topic did not pass the recipes untouched"; fails=$((fails + 1)); }
if diff -u "$CW_TMP/recipes-expected.txt" "$CW_TMP/recipes-out.txt"; then
    echo "ok: recipes through the worker"
else
    echo "FAIL: recipes through the worker"; fails=$((fails + 1))
fi
# Every record a case did not deliver is in its dead letter queue (errors.tolerance=all),
# and a case without tolerance sent none there.
for c in "${cases[@]}"; do
    dir=$here/golden/$c
    dead=$(timeout 30 kcat -b "$CW_BOOTSTRAP" -q -C -t "golden.dlq.$c" -e -f 'x\n' | wc -l)
    if grep -q '^errors.tolerance=all' "$dir/config.properties"; then
        want=$(( $(wc -l <"$dir/input.txt") - $(wc -l <"$dir/expected.txt") ))
        [ -f "$dir/expected-dlq.txt" ] && [ "$want" != "$(wc -l <"$dir/expected-dlq.txt")" ] \
            && { echo "FAIL: $c: expected-dlq.txt and expected.txt disagree"; fails=$((fails + 1)); }
    else
        want=0
    fi
    [ "$dead" = "$want" ] || { echo "FAIL: $c: $dead records in the dead letter queue, want $want"; fails=$((fails + 1)); }
done
[ "$fails" = 0 ] || { tail -30 "$CW_TMP/worker.log"; cw_fail "$fails case(s) differ"; }
echo "ok: ${#cases[@]} golden cases and the recipes through the worker"
