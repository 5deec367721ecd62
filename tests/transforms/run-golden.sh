#!/usr/bin/env bash
# Runs one golden case through cw-transform-chain with the transforms and clean plugins:
#   golden/<case>/config.properties  the transforms/predicates block of a connector
#   golden/<case>/input.txt          values, one per line   (or input.jsonl: envelopes)
#   golden/<case>/expected.txt       the values the sink gets (or expected.jsonl: envelopes)
#   golden/<case>/expected-error.txt (optional) a text the error message must contain
# and compares the output byte for byte.
set -euo pipefail
dir=$1
args=(--config "$dir/config.properties" --plugin "$CW_PLUGIN_DIR/transforms.so"
      --plugin "$CW_PLUGIN_DIR/clean-transform.so" --topic "$(cat "$dir/topic" 2>/dev/null || echo test)")
input=$dir/input.txt
expected=$dir/expected.txt
if [ -f "$dir/input.jsonl" ]; then input=$dir/input.jsonl; args+=(--envelope-in); fi
if [ -f "$dir/expected.jsonl" ]; then expected=$dir/expected.jsonl; args+=(--envelope-out); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
"$CW_CHAIN" "${args[@]}" --dlq "$tmp/dlq" <"$input" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ -f "$dir/expected-error.txt" ]; then
    [ "$rc" -ne 0 ] || { echo "FAIL: expected the chain to stop with an error"; exit 1; }
    grep -qF -- "$(cat "$dir/expected-error.txt")" "$tmp/err" || { echo "FAIL: error was:"; cat "$tmp/err"; exit 1; }
else
    [ "$rc" -eq 0 ] || { echo "FAIL: exit $rc"; cat "$tmp/err"; exit 1; }
fi
if ! diff -u "$expected" "$tmp/out"; then echo "FAIL: output differs from $expected"; exit 1; fi
if [ -f "$dir/expected-dlq.txt" ]; then
    diff -u "$dir/expected-dlq.txt" "$tmp/dlq" || { echo "FAIL: DLQ differs"; exit 1; }
fi
echo "ok: $(basename "$dir")"
