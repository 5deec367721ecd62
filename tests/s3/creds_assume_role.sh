#!/usr/bin/env bash
# Confluent's AwsAssumeRoleCredentialsProvider through the real worker: the sink assumes
# s3.credentials.provider.sts.role.arn at a fake STS (127.0.0.1, AWS_ENDPOINT_URL_STS) with
# the connector's own keys, which s3rver refuses, and signs every S3 request with the
# assumed credentials (s3rver's keys plus a session token, SigV4 by the curl client). The
# fake STS checks the AssumeRole signature against the base keys and the external id against
# the trust policy's. The assumed credentials expire within the refresh window, so the role
# is assumed again while the sink writes. A wrong external id stops the task naming the role
# and STS's code; s3.client=libs3 is a config error; no secret reaches a log.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
s3_clean_aws_env
export AWS_EC2_METADATA_DISABLED=true
parts=2
role=arn:aws:iam::123456789012:role/cw-s3-writer
secrets="S3RVER|BASE-SECRET|ASSUMED-SESSION-TOKEN"
cw_start_mock_cluster --topic ev:$parts
cw_start_s3rver
CW_MD_ARGS="--assume-base BASE-KEY:BASE-SECRET --assumed-keys S3RVER:S3RVER \
 --assume-role-arn $role --assume-external-id ext-id-1234"
s3_start_fake_metadata 3 # the assumed credentials are valid for 3 s: refreshed while writing
export AWS_ENDPOINT_URL_STS="$CW_MD_URL/" AWS_REGION=us-east-1
s3_json_worker_properties "$CW_TMP/worker.properties"
connector() { # FILE NAME [key=value...]
    local f=$1 n=$2; shift 2
    s3_ev_connector "$f" "$n" aws.access.key.id=BASE-KEY aws.secret.access.key=BASE-SECRET \
        s3.credentials.provider.class=io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider \
        s3.credentials.provider.sts.role.arn=$role sts.role.session.name=cw-s3-session "$@"
}
objects() { [ "$(s3_complete_objects)" -ge "$1" ]; }

cw_note "(1) the base keys alone are refused by s3rver"
s3_ev_connector "$CW_TMP/plain.properties" s3-plain aws.access.key.id=BASE-KEY aws.secret.access.key=BASE-SECRET
s3_produce_ids ev $parts 0 50
rc=0
timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/plain.properties" \
    >"$CW_TMP/plain.log" 2>&1 || rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || cw_fail "the base keys wrote to s3rver (exit $rc)"
[ "$(s3_complete_objects)" = 0 ] || cw_fail "objects written with the base keys"

cw_note "(2) AssumeRole with the external id, assumed again while writing"
connector "$CW_TMP/s3.properties" s3-assume sts.role.external.id=ext-id-1234
cw_start_worker sink "$CW_TMP/worker.properties" "$CW_TMP/s3.properties"
cw_wait_for 30 "the first objects" objects $((parts * 5))
first=$(s3_md_count)
[ "$first" -ge 1 ] || cw_fail "STS assumed no role"
sleep 1.2 # elapsed time, not synchronisation: refreshes are at most one per second
s3_produce_ids ev $parts 50 100
cw_wait_for 30 "the objects of the second batch" objects $((parts * 10))
later=$(s3_md_count)
[ "$later" -gt "$first" ] || cw_fail "the role was not assumed again ($first, then $later)"
kill -TERM "$CW_WORKER_PID"
wait "$CW_WORKER_PID" || cw_fail "worker exit code $? after SIGTERM: $(tail -5 "$CW_TMP/sink.log")"
s3_expect_exactly_once "$CW_TMP/dl" $parts 100
want='{"key": "BASE-KEY", "region": "us-east-1", "token": null, "role": "'$role'", "session": "cw-s3-session", "external_id": "ext-id-1234"}'
[ "$(grep -cF "$want" "$CW_TMP/assume.log")" -ge 2 ] ||
    cw_fail "STS did not see two AssumeRole calls signed with the base keys: $(head -3 "$CW_TMP/assume.log")"
grep -qF "credentials from STS AssumeRole of $role with connector config" "$CW_TMP/sink.log" ||
    cw_fail "the log does not name the credential source: $(grep -m1 'writing to' "$CW_TMP/sink.log")"
grep -qF "refreshed AWS credentials from STS AssumeRole of $role" "$CW_TMP/sink.log" || cw_fail "no refresh logged"
! grep -qE "could not|keeping the current" "$CW_TMP/sink.log" ||
    cw_fail "a refresh failed: $(grep -m1 -E 'could not|keeping the current' "$CW_TMP/sink.log")"
! grep -E "$secrets" "$CW_TMP/sink.log" || cw_fail "a secret reached the log"

cw_note "(3) an external id the trust policy does not name"
served=$(s3_md_count)
connector "$CW_TMP/wrong.properties" s3-wrong sts.role.external.id=ext-id-other
rc=0
timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$CW_TMP/wrong.properties" \
    >"$CW_TMP/wrong.log" 2>&1 || rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || cw_fail "want a failed start, got exit code $rc: $(tail -3 "$CW_TMP/wrong.log")"
for want in "STS AssumeRole of role $role" "HTTP 403, AccessDenied"; do
    grep -qF -- "$want" "$CW_TMP/wrong.log" || cw_fail "the error lacks '$want': $(grep -i error "$CW_TMP/wrong.log" | head -3)"
done
[ "$(s3_md_count)" = "$served" ] || cw_fail "STS served credentials for a wrong external id"
! grep -E "$secrets|ext-id-other" "$CW_TMP/wrong.log" || cw_fail "a secret reached the log"

cw_note "(4) --validate: libs3 cannot send the session token; a bad region"
connector "$CW_TMP/libs3.properties" s3-libs3 s3.client=libs3 sts.region=not_a_region
rc=0
"$CW_WORKER" --validate "$CW_TMP/worker.properties" "$CW_TMP/libs3.properties" >"$CW_TMP/validate.log" 2>&1 || rc=$?
[ $rc != 0 ] || cw_fail "--validate accepted s3.client=libs3 with AssumeRole"
grep -q "s3.client.*session token" "$CW_TMP/validate.log" || cw_fail "--validate does not name s3.client: $(cat "$CW_TMP/validate.log")"
grep -q "s3.credentials.provider.sts.region" "$CW_TMP/validate.log" || cw_fail "--validate does not name sts.region"
echo "creds assume role ok"
