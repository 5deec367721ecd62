#!/usr/bin/env bash
# bench-http-source: records/s through http-source (wrk + bench.lua, REST Proxy v2 requests of
# 100 pin records each, every answer a 200 = acknowledged by Kafka) beside `kcat -P`
# producing the same records (acks=all) to the same mock cluster in the same run; prints the
# ratio (target >= 0.5). Environment: CW_BENCH_SECONDS (10), CW_BENCH_CONNECTIONS (32).
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/http/lib.sh"
secs=${CW_BENCH_SECONDS:-10}
conns=${CW_BENCH_CONNECTIONS:-32}
cw_start_mock_cluster --topic bench.http:1 --topic bench.kcat:1
hs_connector "$CW_TMP/http.properties" "http.threads=2" "http.max.requests.in.flight=1024"
hs_start worker "$CW_TMP/http.properties" # the producer as shipped (librdkafka: linger.ms 5)

# 100 of the seed's pin rows: one request body, and the same values one per line for kcat
python3 - "$CW_SOURCE_DIR/examples/pinterest" "$CW_TMP" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import datagen
rows = [datagen.seed_rows("bench", i)["pin"] for i in range(1, 101)]
with open(sys.argv[2] + "/body.json", "w") as f:
    json.dump({"records": [{"value": r} for r in rows]}, f)
with open(sys.argv[2] + "/values.jsonl", "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in rows)
PY

cw_note "wrk: $conns connections, ${secs}s, 100 records per request"
HS_BODY=$CW_TMP/body.json wrk -t2 -c"$conns" -d"${secs}s" -s "$CW_SOURCE_DIR/tests/http/bench.lua" \
    "$HS_URL/topics/bench.http" >"$CW_TMP/wrk.out" 2>&1 || { cat "$CW_TMP/wrk.out"; cw_fail "wrk"; }
read -r reqs bad dur p99 < <(sed -n 's/^BENCH requests=\([0-9]*\) non200=\([0-9]*\) duration_us=\([0-9]*\) p99_us=\([0-9]*\)/\1 \2 \3 \4/p' "$CW_TMP/wrk.out")
[ "${bad:-1}" -eq 0 ] || { cat "$CW_TMP/wrk.out"; cw_fail "$bad answers were not 200"; }
in_kafka=$(cw_kcat -Q -t bench.http:0:-1 | awk "{print \$NF}")
[ "$in_kafka" -ge $((reqs * 100)) ] || cw_fail "Kafka holds $in_kafka records, $((reqs * 100)) were answered 200"
http_rate=$(python3 -c "print(round($reqs * 100 / ($dur / 1e6)))")

n=$((http_rate * 5 / 100 * 100)) # about as many records as 5 s of http-source
[ "$n" -ge 10000 ] || n=10000
python3 -c "import sys; v=open(sys.argv[1]).read(); sys.stdout.write(v * ($n // 100))" \
    "$CW_TMP/values.jsonl" >"$CW_TMP/kcat.in"
cw_note "kcat -P: $n records"
t0=$(date +%s.%N)
kcat -b "$CW_BOOTSTRAP" -P -t bench.kcat -X acks=all -X enable.idempotence=true \
    -X linger.ms=5 <"$CW_TMP/kcat.in"
t1=$(date +%s.%N)
[ "$(cw_kcat -Q -t bench.kcat:0:-1 | awk "{print \$NF}")" -eq "$n" ] || cw_fail "kcat did not produce $n records"
kcat_rate=$(python3 -c "print(round($n / ($t1 - $t0)))")
ratio=$(python3 -c "print('%.2f' % ($http_rate / $kcat_rate))")
echo "http-source: $((reqs * 100)) records in ${secs}s = ${http_rate} records/s (p99 $((p99 / 1000)) ms per request of 100); kcat -P: ${kcat_rate} records/s; ratio ${ratio} (target >= 0.5)"
