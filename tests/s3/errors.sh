#!/usr/bin/env bash
# Faults that will not heal stop the task with a clear error naming bucket, endpoint and the
# S3 error code, commit nothing, and never print the secret.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
cw_start_s3rver

expect_fatal() { # NAME CODE BUCKET CONFIG...
    local name=$1 code=$2 bucket=$3; shift 3
    s3_config "$CW_TMP/$name.properties" flush.size=5 s3.bucket.name=$bucket "$@"
    set +e
    timeout 60 "$S3_DRIVER" --config "$CW_TMP/$name.properties" --records 20 \
        --commit-file "$CW_TMP/$name.commits" 2>"$CW_TMP/$name.log"
    local rc=$?
    set -e
    [ $rc = 5 ] || [ $rc = 6 ] || cw_fail "$name: want a fatal put/flush error, rc $rc: $(cat "$CW_TMP/$name.log")"
    local msg
    msg=$(grep -E "failed" "$CW_TMP/$name.log" | head -1)
    for want in "$code" "$CW_S3_URL" "s3://$bucket/"; do
        case "$msg" in *"$want"*) ;; *) cw_fail "$name: error lacks '$want': $msg" ;; esac
    done
    ! grep -q "secret-do-not-print" "$CW_TMP/$name.log" || cw_fail "$name: secret in output"
    ! grep -qv "^0 0$" "$CW_TMP/$name.commits" 2>/dev/null || cw_fail "$name: offsets committed"
    cw_note "$name: $msg"
}
expect_fatal nobucket NoSuchBucket no-such-bucket
# s3rver 3.7.1 checks Signature V2 but accepts any well-formed V4 signature of a known key id
# (authentication.js: "Signature version 4 calculation is unimplemented"), so a wrong secret
# is tested through the V2 client; SigV4 itself is checked by s3.sigv4.
expect_fatal badsecret SignatureDoesNotMatch $CW_S3_BUCKET aws.secret.access.key=secret-do-not-print s3.client=libs3
expect_fatal badkey InvalidAccessKeyId $CW_S3_BUCKET aws.access.key.id=NOBODY aws.secret.access.key=secret-do-not-print
[ -z "$(cw_s3_keys)" ] || cw_fail "objects were written: $(cw_s3_keys)"
echo "errors ok"
