#!/usr/bin/env bash
# Credentials from EC2 instance metadata (IMDSv2, a fake server in place of 169.254.169.254),
# through the real worker: with no keys anywhere the sink writes every record (read back with
# s3cmd) on temporary credentials, fetches them again while it writes because they expire
# within five minutes, survives the metadata service going away until they expired (the
# uploads wait, nothing is lost), and never logs a key, secret or token. Then the failures: s3.client=
# libs3 refuses temporary credentials, and with no source at all the task fails naming each
# source, with the exit code of the other credential configuration errors.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
s3_clean_aws_env
parts=2
cw_start_mock_cluster --topic ev:$parts
cw_start_s3rver
s3_start_fake_metadata 3 # valid for 3 s: inside the refresh window from the start
export AWS_EC2_METADATA_SERVICE_ENDPOINT=$CW_MD_URL
produce() { s3_produce_ids ev $parts "$1" "$2"; } # FROM TO
s3_json_worker_properties "$CW_TMP/worker.properties"
connector() { s3_ev_connector "$@"; } # FILE NAME [key=value...]
objects() { [ "$(s3_complete_objects)" -ge "$1" ]; }

cw_note "(1) instance credentials, refreshed while writing"
connector "$CW_TMP/s3.properties" s3-imds
produce 0 50
cw_start_worker imds "$CW_TMP/worker.properties" "$CW_TMP/s3.properties"
cw_wait_for 30 "the first objects" objects $((parts * 5))
first=$(s3_md_count)
[ "$first" -ge 1 ] || cw_fail "no credentials were fetched"
# Elapsed time, not synchronisation: refreshes are at most one per second.
sleep 1.2
produce 50 100
cw_wait_for 30 "the objects of the second batch" objects $((parts * 10))
later=$(s3_md_count)
[ "$later" -gt "$first" ] || cw_fail "credentials were not fetched again ($first, then $later)"
cw_note "credentials answers: $first at the first objects, $later after the second batch"

cw_note "(1b) the metadata service is away until the credentials expired"
s3_stop_fake_metadata
last_expiry() { grep -o 'they expire at [0-9T:-]*Z' "$CW_TMP/imds.log" | tail -1 | cut -d' ' -f4; }
expired() { [ "$(date -u +%s)" -gt "$(date -u -d "$(last_expiry)" +%s)" ]; }
cw_wait_for 10 "the last credentials ($(last_expiry)) to expire" expired
produce 100 150
cw_wait_for 30 "the sink to report expired credentials" \
    cw_log_has "$CW_TMP/imds.log" "expired at .* and could not be refreshed"
s3_start_fake_metadata 3
cw_wait_for 30 "the objects of the third batch" objects $((parts * 15))
kill -TERM "$CW_WORKER_PID"
wait "$CW_WORKER_PID" || cw_fail "worker exit code $? after SIGTERM: $(tail -5 "$CW_TMP/imds.log")"
s3_expect_exactly_once "$CW_TMP/dl" $parts 150
grep -q "credentials from instance metadata (role cw-test-role)" "$CW_TMP/imds.log" ||
    cw_fail "the log does not name the credential source: $(grep -m1 'writing to' "$CW_TMP/imds.log")"
grep -q "refreshed AWS credentials from instance metadata" "$CW_TMP/imds.log" || cw_fail "no refresh logged"
! grep -E "S3RVER|FAKE-SESSION-TOKEN|imds-session-token" "$CW_TMP/imds.log" || cw_fail "a secret reached the log"

start_fails() { # NAME CONNECTOR-FILE: runs the worker in batch mode, which must fail; sets rc
    set +e
    timeout 60 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$2" >"$CW_TMP/$1.log" 2>&1
    rc=$?
    set -e
    [ $rc != 0 ] && [ $rc != 124 ] || cw_fail "$1: want a failed start, got exit code $rc: $(tail -3 "$CW_TMP/$1.log")"
    ! grep -E "S3RVER|FAKE-SESSION-TOKEN|imds-session-token" "$CW_TMP/$1.log" || cw_fail "$1: a secret reached the log"
}
expect_log() { # NAME TEXT...
    local name=$1 want; shift
    for want in "$@"; do
        grep -qF -- "$want" "$CW_TMP/$name.log" || cw_fail "$name: the error lacks '$want': $(grep -i error "$CW_TMP/$name.log" | head -3)"
    done
}

cw_note "(2) s3.client=libs3 with instance credentials"
connector "$CW_TMP/libs3.properties" s3-libs3 s3.client=libs3
start_fails libs3 "$CW_TMP/libs3.properties"
expect_log libs3 "s3.client=libs3" "instance metadata (role cw-test-role)" "session token"

cw_note "(3) no credentials anywhere"
connector "$CW_TMP/half.properties" s3-half aws.access.key.id=AKIDONLY
start_fails half "$CW_TMP/half.properties"
# A key id without its secret is a configuration mistake: refused before anything starts.
expect_log half "aws.secret.access.key: is required when aws.access.key.id is set"
[ $rc = 3 ] || cw_fail "half: exit code $rc, want 3 (invalid configuration)"
closed=$(cw_free_port)
export AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$closed"
connector "$CW_TMP/none.properties" s3-none
start_fails none "$CW_TMP/none.properties"
[ $rc = 1 ] || cw_fail "none: exit code $rc, want 1 (the task's start failed)"
expect_log none "no AWS credentials found" "connector config" "AWS_ACCESS_KEY_ID" \
    "$HOME/.aws/credentials" "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" "instance metadata" \
    "127.0.0.1:$closed"
cw_note "$(grep -m1 -o 'no AWS credentials found.*' "$CW_TMP/none.log")"
export AWS_EC2_METADATA_DISABLED=true
start_fails disabled "$CW_TMP/none.properties"
expect_log disabled "disabled by AWS_EC2_METADATA_DISABLED=true"
echo "creds instance ok"
