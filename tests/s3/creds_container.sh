#!/usr/bin/env bash
# Credentials from the container endpoint (ECS task roles, EKS Pod Identity), served by a fake
# endpoint that checks the Authorization header: with the token from
# AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE the task writes its objects (read back with s3cmd);
# a wrong token, and a FULL_URI that is neither https nor local, stop the task with a clear
# error that shows neither token.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
s3_clean_aws_env
export AWS_EC2_METADATA_DISABLED=true # the chain must stop at the container source
cw_start_s3rver
s3_start_fake_metadata 3600 "pod-identity-token-do-not-log"
cat >"$CW_TMP/c.properties" <<P
s3.bucket.name=$CW_S3_BUCKET
store.url=$CW_S3_URL
s3.region=us-east-1
s3.retry.backoff.ms=50
flush.size=10
P
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$CW_MD_URL/container/creds"
secrets="S3RVER|FAKE-SESSION-TOKEN|do-not-log"

cw_note "(1) EKS Pod Identity: token file"
printf 'pod-identity-token-do-not-log\n' >"$CW_TMP/token" # the newline is not part of it
export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$CW_TMP/token"
"$S3_DRIVER" --config "$CW_TMP/c.properties" --partitions 2 --records 30 2>"$CW_TMP/ok.log" ||
    cw_fail "driver failed: $(cat "$CW_TMP/ok.log")"
grep -q "credentials from container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)" "$CW_TMP/ok.log" ||
    cw_fail "the log does not name the container source: $(grep -m1 'writing to' "$CW_TMP/ok.log")"
[ "$(s3_md_count)" -ge 1 ] || cw_fail "the container endpoint served no credentials"
s3_expect_exactly_once "$CW_TMP/dl" 2 30
! grep -E "$secrets" "$CW_TMP/ok.log" || cw_fail "a secret reached the log"
served=$(s3_md_count)

start_fails() { # NAME TEXT...: the task must not start, with every TEXT in its error
    local name=$1 want rc=0; shift
    "$S3_DRIVER" --config "$CW_TMP/c.properties" --records 10 2>"$CW_TMP/$name.log" || rc=$?
    [ $rc = 3 ] || cw_fail "$name: want a failed start (3), got $rc: $(cat "$CW_TMP/$name.log")"
    for want in "$@"; do
        grep -qF -- "$want" "$CW_TMP/$name.log" || cw_fail "$name: the error lacks '$want': $(cat "$CW_TMP/$name.log")"
    done
    ! grep -E "$secrets" "$CW_TMP/$name.log" || cw_fail "$name: a secret reached the log"
    cw_note "$name: $(grep -o 'container credentials ([^)]*)[^;]*' "$CW_TMP/$name.log" | head -1)"
}

cw_note "(2) a wrong authorization token"
unset AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
export AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong-token-do-not-log"
start_fails wrong "HTTP 403 from $CW_MD_URL (AWS_CONTAINER_CREDENTIALS_FULL_URI)" \
    "authorization token was refused" "no AWS credentials found"
[ "$(s3_md_count)" = "$served" ] || cw_fail "credentials were served for a wrong token"

cw_note "(3) plain http to a host that is not local"
export AWS_CONTAINER_CREDENTIALS_FULL_URI="http://10.1.2.3/creds"
start_fails remote "must be https" "refusing http://10.1.2.3"
[ "$(cw_s3_keys | wc -l)" = 6 ] || cw_fail "objects after the failed starts: $(cw_s3_keys)"
echo "creds container ok"
