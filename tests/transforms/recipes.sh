#!/usr/bin/env bash
# The seed's three cleaning recipes exactly as shipped: the predicates/transforms block is
# taken from connectors/pinterest-s3-sink.properties (with errors.tolerance=none, so that a
# recipe that fails any record fails the test) and run over pin, geo and user records.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
connector="$CW_SOURCE_DIR/connectors/pinterest-s3-sink.properties"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -E '^(predicates|transforms)[.=]' "$connector" >"$tmp/chain.properties"
echo "errors.tolerance=none" >>"$tmp/chain.properties"
[ "$(grep -c '^transforms\.clean[A-Za-z]*\.type=clean' "$tmp/chain.properties")" = 3 ] \
    || { echo "FAIL: expected three clean transforms in $connector"; exit 1; }
"$CW_CHAIN" --config "$tmp/chain.properties" --plugin "$CW_PLUGIN_DIR/transforms.so" \
    --plugin "$CW_PLUGIN_DIR/clean-transform.so" --envelope-in \
    <"$here/recipes/input.jsonl" >"$tmp/out"
diff -u "$here/recipes/expected.txt" "$tmp/out" || { echo "FAIL: recipe output differs"; exit 1; }

# A pin whose follower_count is not a number stops the chain naming topic, partition,
# offset, field and value.
echo '{"topic":"pinterest.pin","partition":2,"value":{"index":1,"follower_count":"many"}}' >"$tmp/bad.jsonl"
if "$CW_CHAIN" --config "$tmp/chain.properties" --plugin "$CW_PLUGIN_DIR/transforms.so" \
    --plugin "$CW_PLUGIN_DIR/clean-transform.so" --envelope-in <"$tmp/bad.jsonl" >"$tmp/out2" 2>"$tmp/err"; then
    echo "FAIL: an unparseable follower_count was accepted"; exit 1
fi
grep -qF "pinterest.pin/2/0: transform cleanPin: clean: field 'follower_count': cannot parse 'many'" "$tmp/err" \
    || { echo "FAIL: unexpected message:"; cat "$tmp/err"; exit 1; }
[ ! -s "$tmp/out2" ] || { echo "FAIL: the bad record reached the sink"; exit 1; }
echo "ok: recipes"
