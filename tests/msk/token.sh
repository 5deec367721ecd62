#!/usr/bin/env bash
# Runs msk-token-tests (test_msk.c) with the fake credential endpoints of tests/s3 on
# 127.0.0.1: a container endpoint and STS (AssumeRole), credentials valid 60 s.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
s3_start_fake_metadata 60
MSK_MD_URL=$CW_MD_URL MSK_ASSUME_LOG="$CW_TMP/assume.log" "$CW_BUILD_DIR/tests/msk/msk-token-tests" ||
    cw_fail "msk-token-tests failed"
