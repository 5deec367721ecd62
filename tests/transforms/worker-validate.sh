#!/usr/bin/env bash
# The configuration errors Kafka raises when a transform is configured, through the real
# worker's --validate (offline): every line of bad-configs.txt in a file-sink connector exits
# 3 with an error naming transforms.x.<key> and the message; the configurations Kafka accepts
# below are valid, without an "unknown key" warning.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
here=$(cd "$(dirname "$0")" && pwd)
T=org.apache.kafka.connect.transforms.
echo "bootstrap.servers=127.0.0.1:1" >"$CW_TMP/worker.properties"   # validation is offline

# connector FILE TYPE KEY=VALUE...: a file-sink connector with transform x.
connector() {
    local file=$1 type=$2; shift 2
    [ "$type" = clean ] || type="$T$type"
    {
        echo "name=v"; echo "connector.class=FileStreamSink"; echo "topics=t"
        echo "file=$CW_TMP/out.txt"; echo "transforms=x"; echo "transforms.x.type=$type"
        for kv in "$@"; do echo "transforms.x.${kv//\\/\\\\}"; done
    } >"$file"
}

n=0
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    cfg=${line%%=>*} want=${line#*=>}
    IFS='|' read -r -a parts <<<"$cfg"
    connector "$CW_TMP/c.properties" "${parts[@]}"
    rc=0
    out=$("$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/c.properties" 2>&1) || rc=$?
    [ "$rc" = 3 ] || { echo "$out"; cw_fail "$cfg: --validate exit $rc, want 3"; }
    # The worker checks the key's row first (an empty required key, a value not among the
    # allowed ones) in its own words: then the error must name that key.
    alt=$want
    [[ $want =~ ^([a-z.]+):\  ]] && alt="transforms.x.${BASH_REMATCH[1]}: "
    echo "$out" | grep -F "error: $CW_TMP/c.properties: transforms.x." | grep -qF -e "$want" -e "$alt" \
        || { echo "$out"; cw_fail "$cfg: no error naming the key with '$want'"; }
    n=$((n + 1))
done <"$here/bad-configs.txt"

good=(
    "InsertHeader|header=h|value.literal="
    "Cast\$Value|spec=a:int8|replace.null.with.default=false"
    "MaskField\$Value|fields=a|replace.null.with.default=true"
    "ExtractField\$Value|field=foo..|field.syntax.version=v2"
    "ExtractField\$Value|field=foo.\`bar\\\`.baz\`|field.syntax.version=V2"
    "ValueToKey|fields=a|replace.null.with.default=false"
    "Cast\$Value|spec= a : INT8 ,:string"
)
for cfg in "${good[@]}"; do
    IFS='|' read -r -a parts <<<"$cfg"
    connector "$CW_TMP/c.properties" "${parts[@]}"
    rc=0
    out=$("$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/c.properties" 2>&1) || rc=$?
    [ "$rc" = 0 ] || { echo "$out"; cw_fail "$cfg: --validate exit $rc, want 0 (Kafka accepts it)"; }
    echo "$out" | grep -q "unknown key" && { echo "$out"; cw_fail "$cfg: a Kafka key is unknown"; }
done
echo "ok: $n refused and ${#good[@]} accepted configurations through --validate"
