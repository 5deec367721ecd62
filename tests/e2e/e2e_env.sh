# Shared by the e2e tests: the environment the README tells a user to set for real services,
# pointed at the test's servers, and a batch run of the shipped worker file. Source after
# tests/lib/common.sh, mariadb.sh and s3rver.sh, with MariaDB, s3rver and the mock cluster
# started.
export CW_EMBEDDED_KAFKA=false KAFKA_BOOTSTRAP_SERVERS=$CW_BOOTSTRAP
export CW_OFFSETS_FILE=$CW_TMP/connect.offsets
export RDS_URL=$CW_DB_URL RDS_USER=$CW_DB_USER RDS_PASSWORD=$CW_DB_PASSWORD
export CW_S3_BUCKET=pinterest-data CW_S3_ENDPOINT=$CW_S3_URL AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER

# The shipped worker file plus one setting: librdkafka 2.0.2's mock cluster keeps a member
# that left the group until its session times out (kcat -G shows the same), so each later
# batch run would wait out the 45 s default before getting partitions.
cp "$CW_SOURCE_DIR/etc/worker.properties" "$CW_TMP/worker.properties"
printf '\nconsumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=500\n' \
    >>"$CW_TMP/worker.properties"

# e2e_run_worker N SECRET CONNECTOR_FILE...: a batch run that must exit 0 without SECRET in
# its log (worker-N.log).
e2e_run_worker() {
    local log=$CW_TMP/worker-$1.log secret=$2
    shift 2
    if ! timeout 240 "$CW_WORKER" --exit-when-caught-up "$CW_TMP/worker.properties" "$@" \
        >"$log" 2>&1; then
        tail -40 "$log" >&2
        cw_fail "worker run $(basename "$log" .log) did not exit 0"
    fi
    ! grep -qF -- "$secret" "$log" || cw_fail "a database password reached the log"
}
