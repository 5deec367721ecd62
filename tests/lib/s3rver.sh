# s3rver helpers for integration tests. Source after common.sh.
#   cw_start_s3rver [BUCKET]  starts s3rver on 127.0.0.1 at a free port in a temp dir with
#                             BUCKET (default test-bucket). Sets CW_S3_URL, CW_S3_PORT,
#                             CW_S3_DIR, CW_S3_BUCKET, CW_S3_PID, CW_S3CMD_CFG. Calling it
#                             again after cw_stop_s3rver restarts on the same port and data.
#   cw_stop_s3rver            stops it (the data directory stays).
#   cw_s3cmd ARGS...          runs s3cmd (Signature V4) against it: an independent client.
# s3rver's credentials are S3RVER / S3RVER. Its request log is $CW_TMP/s3rver.log.

CW_S3RVER_BIN="${CW_S3RVER_BIN:-${CW_SOURCE_DIR}/tests/servers/node_modules/.bin/s3rver}"

cw_start_s3rver() {
    CW_S3_BUCKET=${1:-${CW_S3_BUCKET:-test-bucket}}
    [ -x "$CW_S3RVER_BIN" ] || cw_fail "s3rver missing: run (cd tests/servers && npm ci)"
    CW_S3_DIR=${CW_S3_DIR:-$CW_TMP/s3rver-data}
    mkdir -p "$CW_S3_DIR"
    CW_S3_PORT=${CW_S3_PORT:-$(cw_free_port)}
    CW_S3_URL="http://127.0.0.1:$CW_S3_PORT"
    "$CW_S3RVER_BIN" -d "$CW_S3_DIR" -a 127.0.0.1 -p "$CW_S3_PORT" \
        --configure-bucket "$CW_S3_BUCKET" >>"$CW_TMP/s3rver.log" 2>&1 &
    CW_S3_PID=$!
    CW_PIDS+=("$CW_S3_PID")
    CW_S3CMD_CFG="$CW_TMP/s3cmd.cfg"
    cat >"$CW_S3CMD_CFG" <<CFG
[default]
access_key = S3RVER
secret_key = S3RVER
host_base = 127.0.0.1:$CW_S3_PORT
host_bucket = 127.0.0.1:$CW_S3_PORT
use_https = False
signature_v2 = False
bucket_location = us-east-1
CFG
    cw_wait_for 20 "s3rver on port $CW_S3_PORT" curl -sf -o /dev/null "$CW_S3_URL/$CW_S3_BUCKET/?max-keys=0" \
        --aws-sigv4 "aws:amz:us-east-1:s3" -u S3RVER:S3RVER \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

cw_stop_s3rver() {
    if [ -n "${CW_S3_PID:-}" ]; then
        kill "$CW_S3_PID" 2>/dev/null || true
        wait "$CW_S3_PID" 2>/dev/null || true
        CW_S3_PID=
    fi
}

cw_s3cmd() {
    s3cmd -c "$CW_S3CMD_CFG" --no-progress "$@"
}

# cw_s3_keys: every key in the bucket, sorted, one per line (via s3cmd).
cw_s3_keys() {
    cw_s3cmd ls -r "s3://$CW_S3_BUCKET/" | awk '{print $4}' | sed "s#^s3://$CW_S3_BUCKET/##" | sort
}
