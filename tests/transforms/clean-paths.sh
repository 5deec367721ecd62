#!/usr/bin/env bash
# clean's streaming and tree paths through the worker's records and host table
# (transforms-clean-paths) on hostile values, generated pins and the recipes' records, for
# each configuration in clean-paths/: same bytes or same error, and the streaming path used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  python3 "$here/hostile.py" 7
  python3 "$CW_SOURCE_DIR/tests/bench/gen_pins.py" 2000
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    v = json.loads(line).get("value")
    if v is not None: print(json.dumps(v, separators=(",", ":")))' "$here/recipes/input.jsonl"
} >"$tmp/in"
for cfg in "$here"/clean-paths/*.properties; do
  echo "$(basename "$cfg"): $("$CW_CLEAN_PATHS" "$CW_PLUGIN_DIR/clean-transform.so" "$cfg" <"$tmp/in")"
done
