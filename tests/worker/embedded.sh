#!/usr/bin/env bash
# Embedded Kafka: the worker starts librdkafka's mock cluster itself, logs its address, and an
# outside client (kcat) can produce to it and read what the worker produced. etc/ ships a
# worker.properties that runs this way with no cluster.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

sed -e "s#^offset.storage.file.filename=.*#offset.storage.file.filename=$CW_TMP/offsets#" \
    "$CW_SOURCE_DIR/etc/worker.properties" >"$CW_TMP/worker.properties"
seq 1 20 | sed 's/^/demo /' >"$CW_TMP/in.txt"
cat >"$CW_TMP/source.properties" <<P
name=demo-source
connector.class=FileStreamSource
file=$CW_TMP/in.txt
topic=connect-test
P
cat >"$CW_TMP/sink.properties" <<P
name=demo-sink
connector.class=FileStreamSink
topics=from-kcat
file=$CW_TMP/out.txt
P
cw_start_worker worker "$CW_TMP/worker.properties" "$CW_TMP/source.properties" "$CW_TMP/sink.properties"
pid=$CW_WORKER_PID
cw_wait_for 20 "the embedded Kafka log line" cw_log_has "$CW_TMP/worker.log" \
    "embedded Kafka \(librdkafka mock cluster\) listening on 127\.0\.0\.1:[0-9]+ - for trying things only: keeps about 5 MiB per partition"
CW_BOOTSTRAP=$(grep -Eo "listening on 127\.0\.0\.1:[0-9]+" "$CW_TMP/worker.log" | head -1 | sed 's/listening on //')
cw_note "embedded Kafka at $CW_BOOTSTRAP"
# What the file source produced, read from outside.
got() { [ "$(cw_topic_count connect-test)" -ge 20 ]; }
cw_wait_for 30 "20 records in connect-test" got
cw_kcat -C -t connect-test -e -f '%s\n' | cmp - "$CW_TMP/in.txt" || cw_fail "connect-test differs from the input"
# Produced from outside, written by the sink. The topic is auto-created (4 partitions).
printf 'x1\nx2\nx3\n' | cw_kcat -P -t from-kcat
cw_wait_for 60 "3 lines from kcat in the sink file" cw_has_lines "$CW_TMP/out.txt" 3
[ "$(sort "$CW_TMP/out.txt" | tr '\n' ' ')" = "x1 x2 x3 " ] || cw_fail "sink wrote: $(cat "$CW_TMP/out.txt")"
kill -TERM "$pid"
cw_wait_exit "$pid" 20
[ "$CW_EXIT_CODE" = 0 ] || cw_fail "exit code $CW_EXIT_CODE"
# The listener is loopback only.
grep -Eq "listening on 127\.0\.0\.1:" "$CW_TMP/worker.log" || cw_fail "not bound to loopback"
echo ok >&2
