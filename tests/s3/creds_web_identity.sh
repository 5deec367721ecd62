#!/usr/bin/env bash
# Credentials from EKS IAM roles for service accounts (IRSA): STS AssumeRoleWithWebIdentity
# (a fake STS on 127.0.0.1 via AWS_ENDPOINT_URL_STS) trades the projected token file for
# temporary credentials, through the real worker. With no keys anywhere the sink writes every
# record (read back with s3cmd), fetches again while it writes (the credentials expire within
# the refresh window) and reads the token file again each time: the token is rotated
# midway and STS accepts only the new one. A wrong token and a wrong role stop the task
# with errors naming the role and STS's code; s3.client=libs3 refuses these credentials; no
# token, key or secret reaches a log.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
s3_clean_aws_env
export AWS_EC2_METADATA_DISABLED=true # the chain must not go past web identity
parts=2
role=arn:aws:iam::123456789012:role/cw-irsa-role
secrets="S3RVER|FAKE-SESSION-TOKEN|irsa-token"
cw_start_mock_cluster --topic ev:$parts
cw_start_s3rver
printf 'irsa-token-1-do-not-log\n' >"$CW_TMP/sts-token" # the token STS accepts
s3_start_fake_metadata 3 # valid for 3 s: inside the refresh window from the start
cp "$CW_TMP/sts-token" "$CW_TMP/pod-token"
export AWS_ROLE_ARN=$role AWS_WEB_IDENTITY_TOKEN_FILE="$CW_TMP/pod-token"
export AWS_ENDPOINT_URL_STS="$CW_MD_URL/" AWS_REGION=us-east-1
produce() { s3_produce_ids ev $parts "$1" "$2"; } # FROM TO
s3_json_worker_properties "$CW_TMP/worker.properties"
connector() { s3_ev_connector "$@"; } # FILE NAME [key=value...]
objects() { [ "$(s3_complete_objects)" -ge "$1" ]; }

cw_note "(1) IRSA credentials, refreshed with a rotated token while writing"
connector "$CW_TMP/s3.properties" s3-irsa
produce 0 50
cw_start_worker irsa "$CW_TMP/worker.properties" "$CW_TMP/s3.properties"
cw_wait_for 30 "the first objects" objects $((parts * 5))
first=$(s3_md_count)
[ "$first" -ge 1 ] || cw_fail "STS served no credentials"
# EKS rotates the token: from now on STS takes only the new one, read from the same file.
printf 'irsa-token-2-do-not-log\n' >"$CW_TMP/sts-token"
printf 'irsa-token-2-do-not-log\n' >"$CW_TMP/pod-token"
rotated=$(s3_md_count)
# Elapsed time, not synchronisation: refreshes are at most one per second.
sleep 1.2
produce 50 100
cw_wait_for 30 "the objects of the second batch" objects $((parts * 10))
later=$(s3_md_count)
[ "$later" -gt "$rotated" ] || cw_fail "no credentials were fetched with the rotated token ($first, $rotated, then $later)"
cw_note "STS answers: $first at the first objects, $later after the second batch"
kill -TERM "$CW_WORKER_PID"
wait "$CW_WORKER_PID" || cw_fail "worker exit code $? after SIGTERM: $(tail -5 "$CW_TMP/irsa.log")"
s3_expect_exactly_once "$CW_TMP/dl" $parts 100
grep -qF "credentials from web identity (role $role)" "$CW_TMP/irsa.log" ||
    cw_fail "the log does not name the credential source: $(grep -m1 'writing to' "$CW_TMP/irsa.log")"
grep -qF "refreshed AWS credentials from web identity (role $role)" "$CW_TMP/irsa.log" || cw_fail "no refresh logged"
! grep -qE "could not|keeping the current" "$CW_TMP/irsa.log" ||
    cw_fail "a refresh failed: $(grep -m1 -E 'could not|keeping the current' "$CW_TMP/irsa.log")"
! grep -E "$secrets" "$CW_TMP/irsa.log" || cw_fail "a secret reached the log"

start_fails() { # NAME CONNECTOR-FILE TEXT...: batch mode must fail with every TEXT in the log
    local name=$1 f=$2 want rc=0; shift 2
    timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$f" >"$CW_TMP/$name.log" 2>&1 || rc=$?
    [ $rc != 0 ] && [ $rc != 124 ] || cw_fail "$name: want a failed start, got exit code $rc: $(tail -3 "$CW_TMP/$name.log")"
    for want in "$@"; do
        grep -qF -- "$want" "$CW_TMP/$name.log" || cw_fail "$name: the error lacks '$want': $(grep -i error "$CW_TMP/$name.log" | head -3)"
    done
    ! grep -E "$secrets" "$CW_TMP/$name.log" || cw_fail "$name: a secret reached the log"
    cw_note "$name: $(grep -o 'web identity (STS[^;]*' "$CW_TMP/$name.log" | head -1)"
}
served=$(s3_md_count)

cw_note "(2) a wrong token"
printf 'irsa-token-stale-do-not-log\n' >"$CW_TMP/pod-token"
start_fails wrong "$CW_TMP/s3.properties" "no AWS credentials found" \
    "STS AssumeRoleWithWebIdentity for role $role" "HTTP 400, InvalidIdentityToken"

cw_note "(3) a role the token may not assume"
cp "$CW_TMP/sts-token" "$CW_TMP/pod-token"
export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/someone-else
start_fails role "$CW_TMP/s3.properties" "role arn:aws:iam::123456789012:role/someone-else" \
    "HTTP 403, AccessDenied"
[ "$(s3_md_count)" = "$served" ] || cw_fail "STS served credentials for a wrong token or role"

cw_note "(4) s3.client=libs3 with IRSA credentials"
export AWS_ROLE_ARN=$role
connector "$CW_TMP/libs3.properties" s3-libs3 s3.client=libs3
start_fails libs3 "$CW_TMP/libs3.properties" "s3.client=libs3" "web identity (role $role)" "session token"
echo "creds web identity ok"
