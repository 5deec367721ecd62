#!/usr/bin/env bash
# Secrets never reach the logs (even at debug level, with librdkafka's config debugging on),
# --describe or --validate output.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cw_start_mock_cluster --topic quiet:1
export CW_TEST_SECRET=TopSecretEnv4
cw_worker_properties "$CW_TMP/worker.properties" \
    "producer.sasl.password=TopSecretW1" \
    "consumer.sasl.password=\${env:CW_TEST_SECRET}" \
    "consumer.sasl.username=alice" \
    "consumer.debug=conf,security"
cat >"$CW_TMP/sink.properties" <<P
name=secret-sink
connector.class=FileStreamSink
topics=quiet
file=$CW_TMP/out.txt
transforms=s
transforms.s.type=test-secret
transforms.s.api.password=TopSecretT2
db.password=TopSecretU3
consumer.override.ssl.key.password=TopSecretO5
P
echo "one line" | cw_kcat -P -t quiet -p 0
"$CW_WORKER" --plugin-path "$CW_TEST_PLUGINS" --log-level trace --exit-when-caught-up \
    "$CW_TMP/worker.properties" "$CW_TMP/sink.properties" >"$CW_TMP/run.log" 2>&1 ||
    { cat "$CW_TMP/run.log" >&2; cw_fail "the worker failed"; }
grep -qx "one line" "$CW_TMP/out.txt" || cw_fail "the pipeline did not run"
# The keys are shown, the values are not.
grep -q "consumer.sasl.password = \[hidden\]" "$CW_TMP/run.log" || cw_fail "secret key not listed as hidden"
grep -q "transforms.s.api.password = \[hidden\]" "$CW_TMP/run.log" || cw_fail "transform secret not hidden"
grep -q "consumer.sasl.username = alice" "$CW_TMP/run.log" || cw_fail "non-secret keys should be shown"

"$CW_WORKER" --plugin-path "$CW_TEST_PLUGINS" --describe test-secret >"$CW_TMP/describe.txt" 2>&1 ||
    cw_fail "--describe failed: $(cat "$CW_TMP/describe.txt")"
grep -q "api.password" "$CW_TMP/describe.txt" || cw_fail "--describe does not list the key"
grep -q "secret" "$CW_TMP/describe.txt" || cw_fail "--describe does not flag the secret"
grep -q "default: \[hidden\]" "$CW_TMP/describe.txt" || cw_fail "--describe shows a secret default"

"$CW_WORKER" --plugin-path "$CW_TEST_PLUGINS" --validate "$CW_TMP/worker.properties" \
    "$CW_TMP/sink.properties" >"$CW_TMP/validate.txt" 2>&1 || cw_fail "--validate failed"

for f in run.log describe.txt validate.txt; do
    for s in TopSecretW1 TopSecretEnv4 TopSecretT2 TopSecretU3 TopSecretO5 DefaultSecretValue42; do
        if grep -q "$s" "$CW_TMP/$f"; then
            grep -n "$s" "$CW_TMP/$f" >&2
            cw_fail "secret $s printed in $f"
        fi
    done
done
echo ok >&2
