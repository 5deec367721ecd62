#!/usr/bin/env bash
# Every configuration of bad-configs.txt is refused when the chain is configured: exit 2 and
# a message naming the transform's key (under CW_SANITIZE=ON: without leaking what the
# refused configure had allocated).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
T=org.apache.kafka.connect.transforms.
n=0
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    cfg=${line%%=>*} want=${line#*=>}
    IFS='|' read -r -a parts <<<"$cfg"
    type=${parts[0]}; [ "$type" = clean ] || type="$T$type"
    {
        echo "transforms=x"
        echo "transforms.x.type=$type"
        for kv in "${parts[@]:1}"; do echo "transforms.x.${kv//\\/\\\\}"; done
    } >"$tmp/c.properties"
    rc=0
    echo '{"a":1}' | "$CW_CHAIN" --config "$tmp/c.properties" --plugin "$CW_PLUGIN_DIR/transforms.so" \
        --plugin "$CW_PLUGIN_DIR/clean-transform.so" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" = 2 ] || { echo "FAIL: $cfg: exit $rc, want 2 (refused)"; cat "$tmp/err"; exit 1; }
    grep -qF -- "error: transforms.x." "$tmp/err" && grep -qF -- "$want" "$tmp/err" \
        || { echo "FAIL: $cfg: message lacks '$want':"; cat "$tmp/err"; exit 1; }
    [ ! -s "$tmp/out" ] || { echo "FAIL: $cfg: records went through"; exit 1; }
    n=$((n + 1))
done <"$here/bad-configs.txt"
echo "ok: $n bad configurations refused with a message naming the key"
