#!/usr/bin/env bash
# librdkafka gets MSK IAM tokens: a worker configured with the Java client's MSK IAM lines
# (worker producer.* for a file source, a sink connector's consumer.override.* with awsRoleArn,
# assumed through the fake STS) calls the
# OAUTHBEARER refresh callback, which sets a token made from container credentials (the fake
# endpoint of tests/s3), and refreshes it before it expires (the credentials live 4 s, so the
# token does too and librdkafka asks again at 80% of that). With the endpoint down, a refresh
# fails, is logged, and is tried again until it works. The mock cluster has no SASL, so the
# brokers never see a token: what is shown is the client side only. --validate names the
# region and credentials source; with no credentials it names every source tried; nothing
# secret (keys, session tokens, the container token, the MSK token) reaches a log. The MSK IAM
# block of etc/worker.properties, uncommented, validates against MSK broker names.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
s3_clean_aws_env
export AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_REGION=eu-west-1
secrets="S3RVER|FAKE-SESSION-TOKEN|ASSUMED-SECRET|ASSUMED-SESSION-TOKEN|pod-auth-do-not-log|aHR0cHM6"
cw_start_mock_cluster --topic events:1
s3_start_fake_metadata 4 pod-auth-do-not-log
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$CW_MD_URL/container/creds"
export AWS_CONTAINER_AUTHORIZATION_TOKEN=pod-auth-do-not-log
export AWS_ENDPOINT_URL_STS="$CW_MD_URL/" # the fake STS, for the sink's awsRoleArn
role=arn:aws:iam::123456789012:role/msk-client
jaas='software.amazon.msk.auth.iam.IAMLoginModule required;'
handler=software.amazon.msk.auth.iam.IAMClientCallbackHandler
cw_worker_properties "$CW_TMP/worker.properties" \
    "producer.security.protocol=SASL_SSL" "producer.sasl.mechanism=AWS_MSK_IAM" \
    "producer.sasl.jaas.config=$jaas" "producer.sasl.client.callback.handler.class=$handler"
seq 1 5 >"$CW_TMP/in.txt"
cat >"$CW_TMP/source.properties" <<P
name=msk-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=events
P
cat >"$CW_TMP/sink.properties" <<P
name=msk-sink
connector.class=FileStreamSink
topics=events
file=$CW_TMP/out.txt
consumer.override.security.protocol=SASL_SSL
consumer.override.sasl.mechanism=AWS_MSK_IAM
consumer.override.sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="$role" awsRoleSessionName="cw-sink";
consumer.override.sasl.client.callback.handler.class=$handler
P
no_secrets() { ! grep -E "$secrets" "$1" || cw_fail "a secret reached $1"; }

cw_note "(1) --validate accepts the lines and names the region and credentials source"
"$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/source.properties" "$CW_TMP/sink.properties" \
    >"$CW_TMP/validate.log" 2>&1 || cw_fail "--validate refused the MSK IAM lines: $(cat "$CW_TMP/validate.log")"
grep -qF "worker producer clients: MSK IAM in eu-west-1 with credentials from container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)" "$CW_TMP/validate.log" ||
    cw_fail "--validate does not say what the producers would use: $(cat "$CW_TMP/validate.log")"
grep -qF "msk-sink consumer clients: MSK IAM in eu-west-1 with credentials from container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI), then STS AssumeRole of $role" "$CW_TMP/validate.log" ||
    cw_fail "--validate does not say what the sink's consumer would use: $(cat "$CW_TMP/validate.log")"
[ ! -s "$CW_TMP/assume.log" ] || cw_fail "--validate called STS"
no_secrets "$CW_TMP/validate.log"

cw_note "(2) the refresh callback sets tokens and librdkafka refreshes them"
# The producers sign with the container's credentials; the sink's consumer with its role's.
set_lines() {
    local from="container credentials"
    [ "$1" = consumer ] && from="STS AssumeRole of $role with container credentials"
    grep -c "MSK IAM: [^ ]*$1[^ ]*: set a token for kafka-cluster:Connect in eu-west-1, principal aws-msk-iam, credentials from $from" "$CW_TMP/worker.log"
}
tokens() { [ "$(set_lines "$1")" -ge "$2" ]; }
cw_start_worker worker "$CW_TMP/worker.properties" "$CW_TMP/source.properties" "$CW_TMP/sink.properties"
cw_wait_for 60 "three tokens for the producer" tokens producer 3
cw_wait_for 60 "three tokens for the sink's consumer" tokens consumer 3
# Each token expires with its credentials, 4 s after they were fetched: later tokens later.
grep -o "set a token.*expires at .*" "$CW_TMP/worker.log" | grep -o "expires at [0-9TZ:-]*" | sort -u |
    wc -l | { read -r n; [ "$n" -ge 2 ] || cw_fail "the tokens' expiries do not advance"; }

grep -q '"role": "'"$role"'", "session": "cw-sink"' "$CW_TMP/assume.log" || cw_fail "STS saw no AssumeRole of the sink's role"
cw_note "(3) a failed refresh is logged and tried again"
s3_stop_fake_metadata
cw_wait_for 30 "a failed refresh" cw_log_has "$CW_TMP/worker.log" \
    "MSK IAM: .*could not make a token: no AWS credentials found; tried: environment.*container credentials \(.*$CW_MD_PORT.*librdkafka tries again in 10 s"
before=$(set_lines producer)
s3_start_fake_metadata 4 pod-auth-do-not-log
cw_wait_for 40 "a token after the endpoint came back" tokens producer $((before + 1))
kill -0 "$CW_WORKER_PID" || cw_fail "the worker stopped: $(tail -5 "$CW_TMP/worker.log")"
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 30
no_secrets "$CW_TMP/worker.log"

cw_note "(4) no credentials: start-up fails naming every source tried"
unset AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN
rc=0
"$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/source.properties" >"$CW_TMP/none.log" 2>&1 || rc=$?
[ $rc != 0 ] || cw_fail "--validate passed without credentials"
for want in "worker producer clients, MSK IAM (sasl.mechanism=AWS_MSK_IAM): no AWS credentials found; tried:" \
    "environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are unset)" "shared credentials file (/nonexistent has no profile [default]" \
    "web identity (" "container credentials (" "instance metadata (disabled by AWS_EC2_METADATA_DISABLED=true)"; do
    grep -qF -- "$want" "$CW_TMP/none.log" || cw_fail "the error lacks '$want': $(cat "$CW_TMP/none.log")"
done
no_secrets "$CW_TMP/none.log"
cw_note "$(grep -m1 -o 'no AWS credentials found.*' "$CW_TMP/none.log" | cut -c1-200)..."

cw_note "(5) etc/worker.properties with its MSK IAM block uncommented, against MSK brokers"
sed 's/^#msk-iam#//' "$CW_SOURCE_DIR/etc/worker.properties" >"$CW_TMP/etc-worker.properties"
grep -q '^producer.sasl.mechanism=AWS_MSK_IAM' "$CW_TMP/etc-worker.properties" || cw_fail "etc/worker.properties has no MSK IAM block"
unset AWS_REGION
CW_EMBEDDED_KAFKA=false KAFKA_BOOTSTRAP_SERVERS=b-1.demo.a1b2c3.c2.kafka.ap-southeast-2.amazonaws.com:9098 \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example-secret-do-not-log \
    "$CW_WORKER" --validate "$CW_TMP/etc-worker.properties" >"$CW_TMP/etc.log" 2>&1 ||
    cw_fail "etc/worker.properties with MSK IAM does not validate: $(cat "$CW_TMP/etc.log")"
for kind in producer consumer; do
    grep -qF "worker $kind clients: MSK IAM in ap-southeast-2 with credentials from environment (AWS_ACCESS_KEY_ID)" "$CW_TMP/etc.log" ||
        cw_fail "no MSK IAM report for $kind clients: $(cat "$CW_TMP/etc.log")"
done
! grep -E "example-secret" "$CW_TMP/etc.log" || cw_fail "a secret reached the log"
