#!/usr/bin/env bash
# Feeds random and hostile values (hostile.py) through every transform and predicate, with
# errors.tolerance=all and =none. Checks: nothing crashes (under CW_SANITIZE=ON also no
# memory error or leak), with `all` every record is either delivered or in the dead letter
# file with a reason (nothing lost), with `none` the chain stops with a message naming
# topic/partition/offset.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/hostile.py" 7 >"$tmp/in.txt"
total=$(wc -l <"$tmp/in.txt")
T=org.apache.kafka.connect.transforms.

configs=()
while IFS= read -r line; do
  case $line in ''|'#'*) ;; *) configs+=("$line") ;; esac
done <"$here/hostile-configs.txt"
preds=("TopicNameMatches|pattern=t.*" "HasHeaderKey|name=h" "RecordIsTombstone")

n=0
for cfg in "${configs[@]}"; do
  for tol in all none; do
    n=$((n + 1))
    IFS='|' read -r -a parts <<<"$cfg"
    pred=${preds[$((n % 3))]}
    IFS='|' read -r -a pparts <<<"$pred"
    {
      echo "errors.tolerance=$tol"
      echo "predicates=p"
      echo "predicates.p.type=${pparts[0]}"
      for kv in "${pparts[@]:1}"; do echo "predicates.p.$kv"; done
      echo "transforms=x,y"
      type=${parts[0]}; [ "$type" = clean ] || type="$T$type"
      echo "transforms.x.type=$type"
      for kv in "${parts[@]:1}"; do echo "transforms.x.${kv//\\/\\\\}"; done
      echo "transforms.y.type=$type"
      echo "transforms.y.predicate=p"
      echo "transforms.y.negate=$([ $((n % 2)) = 0 ] && echo true || echo false)"
      for kv in "${parts[@]:1}"; do echo "transforms.y.${kv//\\/\\\\}"; done
    } >"$tmp/c$n.properties"
    rc=0
    "$CW_CHAIN" --config "$tmp/c$n.properties" --plugin "$CW_PLUGIN_DIR/transforms.so" \
        --plugin "$CW_PLUGIN_DIR/clean-transform.so" --dlq "$tmp/dlq$n" \
        <"$tmp/in.txt" >"$tmp/out$n" 2>"$tmp/err$n" || rc=$?
    if [ "$tol" = all ]; then
      [ "$rc" = 0 ] || { echo "FAIL: $cfg (all): exit $rc"; tail -5 "$tmp/err$n"; exit 1; }
      delivered=$(wc -l <"$tmp/out$n"); dead=$(wc -l <"$tmp/dlq$n")
      # Filter-like drops do not exist in these chains: every record is accounted for.
      [ $((delivered + dead)) = "$total" ] || { echo "FAIL: $cfg: $delivered delivered + $dead dead != $total"; exit 1; }
      if grep -v '"error":"[^"]' "$tmp/dlq$n" | grep -q .; then echo "FAIL: $cfg: a DLQ entry without a reason"; exit 1; fi
      if [ "${parts[0]}" = clean ]; then
        # clean's streaming path must deliver and reject exactly what its tree path does,
        # byte for byte and with the same reasons.
        CW_TESTHOST_TREE_ONLY=1 "$CW_CHAIN" --config "$tmp/c$n.properties" \
            --plugin "$CW_PLUGIN_DIR/transforms.so" --plugin "$CW_PLUGIN_DIR/clean-transform.so" \
            --dlq "$tmp/dlq$n.tree" <"$tmp/in.txt" >"$tmp/out$n.tree" 2>"$tmp/err$n.tree" \
            || { echo "FAIL: $cfg (all, tree path): exit"; exit 1; }
        cmp -s "$tmp/out$n" "$tmp/out$n.tree" || { echo "FAIL: $cfg: streaming and tree outputs differ"; diff "$tmp/out$n" "$tmp/out$n.tree" | head -5; exit 1; }
        cmp -s "$tmp/dlq$n" "$tmp/dlq$n.tree" || { echo "FAIL: $cfg: streaming and tree DLQs differ"; diff "$tmp/dlq$n" "$tmp/dlq$n.tree" | head -5; exit 1; }
      fi
      echo "ok: $cfg (all): $delivered delivered, $dead to the DLQ"
    else
      case $rc in
        0) ;;
        3) grep -qE '^error: test[^/]*/0/[0-9]+: transform [xy]: .+' "$tmp/err$n" \
             || { echo "FAIL: $cfg (none): stop message lacks topic/partition/offset:"; cat "$tmp/err$n"; exit 1; } ;;
        *) echo "FAIL: $cfg (none): exit $rc (crash?)"; tail -5 "$tmp/err$n"; exit 1 ;;
      esac
      if grep -q 'ERROR: AddressSanitizer\|runtime error' "$tmp/err$n"; then cat "$tmp/err$n"; exit 1; fi
    fi
  done
done
echo "ok: hostile input through ${#configs[@]} transform configurations"
