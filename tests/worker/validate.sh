#!/usr/bin/env bash
# --validate reports every problem at once, each naming file and key, starts nothing, and
# exits non-zero; a valid set exits 0; unknown keys are warnings only.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

cat >"$CW_TMP/worker.properties" <<'P'
bootstrap.servers=127.0.0.1:1
offset.flush.interval.ms=soon
value.converter=io.confluent.connect.avro.AvroConverter
producer.linger.ms=not-a-number
P
cat >"$CW_TMP/bad-sink.properties" <<'P'
name=bad-sink
connector.class=FileStreamSink
tasks.max=0
errors.tolerance=some
transforms=t1,t2,t3
transforms.t1.type=no-such-transform
transforms.t2.type=test-fail-on
transforms.t2.predicate=p9
predicates=p1,p2
predicates.p1.type=no-such-predicate
P
cat >"$CW_TMP/bad-source.properties" <<'P'
connector.class=org.example.NoSuchConnector
P
set +e
out=$("$CW_WORKER" --plugin-path "$CW_TEST_PLUGINS" --validate "$CW_TMP/worker.properties" \
      "$CW_TMP/bad-sink.properties" "$CW_TMP/bad-source.properties" 2>&1)
rc=$?
set -e
echo "$out" >&2
[ "$rc" = 3 ] || cw_fail "--validate exit code $rc, want 3"
W="$CW_TMP/worker.properties"; S="$CW_TMP/bad-sink.properties"; R="$CW_TMP/bad-source.properties"
expect() { echo "$out" | grep -Fq -- "$1" || cw_fail "missing message: $1"; }
expect "$W: offset.flush.interval.ms"
expect "$W: value.converter"
expect "$W: producer.linger.ms"
expect "$S: tasks.max"
expect "$S: errors.tolerance"
expect "$S: file"                                  # required key of file-sink missing
expect "$S: topics"                                # a sink needs topics or topics.regex
expect "$S: transforms.t1.type: no transform plugin called 'no-such-transform' is loaded"
expect "$S: transforms.t3.type: missing: transform 't3' is listed in transforms but has no type"
expect "$S: predicates.p1.type: no predicate plugin called 'no-such-predicate' is loaded"
expect "$S: predicates.p2.type: missing: predicate 'p2' is listed in predicates but has no type"
expect "$S: transforms.t2.fail.on"                 # required key of the transform, with prefix
expect "$S: transforms.t2.predicate"
expect "$R: name"
expect "$R: connector.class"
n=$(echo "$out" | grep -c '^error: ')
[ "$n" -ge 12 ] || cw_fail "only $n errors reported"
echo "$out" | grep -q "problem(s); nothing was started" || cw_fail "no summary line"
if echo "$out" | grep -q "task started\|started 1 task"; then cw_fail "something started"; fi

# Valid files: exit 0; an unknown key is a warning naming file and key.
cw_start_mock_cluster
cw_worker_properties "$CW_TMP/ok-worker.properties"
cat >"$CW_TMP/ok-sink.properties" <<P
name=ok-sink
connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector
topics=a,b
file=$CW_TMP/out.txt
transforms=f
transforms.f.type=test-fail-on
transforms.f.fail.on=xyz
some.unknown.key=1
P
out=$("$CW_WORKER" --plugin-path "$CW_TEST_PLUGINS" --validate "$CW_TMP/ok-worker.properties" \
      "$CW_TMP/ok-sink.properties" 2>&1) || cw_fail "valid configuration rejected: $out"
echo "$out" | grep -Fq "$CW_TMP/ok-sink.properties: some.unknown.key: unknown key" ||
    cw_fail "no warning for the unknown key: $out"
test ! -e "$CW_TMP/out.txt" || cw_fail "--validate started the sink"
echo ok >&2
