#!/usr/bin/env bash
# Hostile input through a real worker: the values of hostile.py produced with kcat, one
# file-sink connector per configuration of hostile-configs.txt (errors.tolerance=all, a dead
# letter queue each), batch mode. Checks: the worker runs to the end (no crash; under
# CW_SANITIZE=ON no memory error or leak either) and for every connector each record is
# either in its sink file or in its dead letter queue, nothing lost.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
here=$(cd "$(dirname "$0")" && pwd)

python3 "$here/hostile.py" 11 >"$CW_TMP/in.txt"
total=$(wc -l <"$CW_TMP/in.txt")
configs=()
while IFS= read -r line; do
  case $line in ''|'#'*) ;; *) configs+=("$line") ;; esac
done <"$here/hostile-configs.txt"

topics=(--topic hostile:1)
for i in "${!configs[@]}"; do topics+=(--topic "hostile.dlq.$i:1"); done
cw_start_mock_cluster "${topics[@]}"
# Empty lines are tombstones: kcat skips empty lines unless they carry a key (-Z: null).
sed 's/^/k\t/' "$CW_TMP/in.txt" | timeout 60 kcat -b "$CW_BOOTSTRAP" -q -P -Z -K '\t' -t hostile -p 0 \
    || cw_fail "kcat could not produce the hostile values"

cat >"$CW_TMP/worker.properties" <<P
bootstrap.servers=$CW_BOOTSTRAP
offset.storage.file.filename=$CW_TMP/connect.offsets
offset.flush.interval.ms=500
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
P
T=org.apache.kafka.connect.transforms.
connectors=()
for i in "${!configs[@]}"; do
    IFS='|' read -r -a parts <<<"${configs[$i]}"
    type=${parts[0]}; [ "$type" = clean ] || type="$T$type"
    {
        echo "name=hostile-$i"
        echo "connector.class=FileStreamSink"
        echo "topics=hostile"
        echo "file=$CW_TMP/out-$i.txt"
        echo "errors.tolerance=all"
        echo "errors.deadletterqueue.topic.name=hostile.dlq.$i"
        echo "transforms=x"
        echo "transforms.x.type=$type"
        for kv in "${parts[@]:1}"; do echo "transforms.x.${kv//\\/\\\\}"; done
    } >"$CW_TMP/hostile-$i.properties"
    connectors+=("$CW_TMP/hostile-$i.properties")
done

rc=0
timeout 240 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "${connectors[@]}" \
    >"$CW_TMP/worker.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || { tail -40 "$CW_TMP/worker.log"; cw_fail "worker exit code $rc"; }
for i in "${!configs[@]}"; do
    delivered=$(wc -l <"$CW_TMP/out-$i.txt")
    dead=$(timeout 30 kcat -b "$CW_BOOTSTRAP" -q -C -t "hostile.dlq.$i" -e -f 'x\n' | wc -l)
    [ $((delivered + dead)) = "$total" ] \
        || cw_fail "${configs[$i]}: $delivered delivered + $dead in the dead letter queue != $total"
    echo "ok: ${configs[$i]}: $delivered delivered, $dead to the dead letter queue"
done
echo "ok: hostile input through ${#configs[@]} transforms in a real worker"
