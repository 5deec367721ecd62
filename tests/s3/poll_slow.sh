#!/usr/bin/env bash
# Sink tasks keep polling while S3 is slow (issue 18). S3 sits behind a 1 MB/s link
# (tests/lib/throttle_proxy.py) and 12 MB wait for upload (4 partitions of 3 MB: the mock cluster keeps about 4 MB a partition): far longer than the consumer's
# max.poll.interval.ms (8 s here). The worker's pre-commit (every offset.flush.interval.ms)
# must report what is in S3 now instead of waiting for the upload queue to drain, as
# Confluent's preCommit does: the consumer keeps polling, stays in its group (one assignment,
# no "maximum poll interval exceeded"), and the committed offsets advance object by object
# while the uploads run. Every record ends up in S3 exactly once.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"
parts=4 n=3000
cw_start_mock_cluster --topic slow:$parts
cw_start_s3rver
s3_start_throttle 1000000
s3_produce_padded slow $parts $n 1000
s3_json_worker_properties "$CW_TMP/worker.properties"
printf '%s\n' "consumer.max.poll.interval.ms=8000" "task.shutdown.graceful.timeout.ms=30000" \
    >>"$CW_TMP/worker.properties"
s3_ev_connector "$CW_TMP/s3.properties" s3-slow "topics=slow" "store.url=$CW_THROTTLE_URL" \
    "aws.access.key.id=S3RVER" "aws.secret.access.key=S3RVER" "flush.size=500" \
    "s3.upload.threads=1"
sed -i '/^topics=ev$/d; /^flush.size=10$/d' "$CW_TMP/s3.properties"
cw_start_worker worker "$CW_TMP/worker.properties" "$CW_TMP/s3.properties"
cw_wait_for 30 "partitions assigned" cw_log_has "$CW_TMP/worker.log" "assigned $parts partition"

# Committed offsets while the uploads run: they must move up in steps, object by object.
seen="$CW_TMP/committed.seen"
: >"$seen"
deadline=$((SECONDS + ${POLL_SLOW_LIMIT:-100}))
while :; do
    [ $SECONDS -lt $deadline ] || { cw_dump_logs; cw_fail "offsets did not reach the end in time"; }
    kill -0 "$CW_WORKER_PID" 2>/dev/null || { cw_dump_logs; cw_fail "the worker died"; }
    total=0
    for ((p = 0; p < parts; p++)); do
        c=$(cw_committed connect-s3-slow "slow:$p")
        [ "$c" -ge 0 ] 2>/dev/null && total=$((total + c))
    done
    echo "$total" >>"$seen"
    [ "$total" -ge $((parts * n)) ] && break
    sleep 0.5
done
kill -TERM "$CW_WORKER_PID"
cw_wait_exit "$CW_WORKER_PID" 60
[ "$CW_EXIT_CODE" = 0 ] || { cw_dump_logs; cw_fail "worker exit code $CW_EXIT_CODE"; }

steps=$(sort -un "$seen" | grep -vc '^0$' || true)
cw_note "committed offsets took $steps distinct values: $(sort -un "$seen" | tr '\n' ' ')"
[ "$steps" -ge 6 ] || cw_fail "committed offsets did not advance as objects landed ($steps values)"
assigned=$(grep -c "assigned $parts partition" "$CW_TMP/worker.log" || true)
[ "$assigned" = 1 ] || { cw_dump_logs; cw_fail "the group rebalanced: assigned $assigned times"; }
! grep -qi "maximum poll interval" "$CW_TMP/worker.log" ||
    cw_fail "the consumer exceeded max.poll.interval.ms: $(grep -i 'maximum poll interval' "$CW_TMP/worker.log" | head -1)"
s3_expect_exactly_once "$CW_TMP/dl" $parts $n
echo "poll_slow ok"
