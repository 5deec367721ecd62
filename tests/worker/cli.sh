#!/usr/bin/env bash
# The command line: --help/--version, --list-plugins, --describe by alias, usage errors.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

"$CW_WORKER" --version | grep -Eq "^connect-worker [0-9]+\.[0-9]+\.[0-9]+" || cw_fail "--version"
help=$("$CW_WORKER" --help) || cw_fail "--help exit code"
for o in --validate --list-plugins --describe --plugin-path --exit-when-caught-up --log-level "exit codes"; do
    echo "$help" | grep -q -- "$o" || cw_fail "--help does not mention $o"
done

list=$("$CW_WORKER" --plugin-path "$CW_TEST_PLUGINS" --list-plugins) || cw_fail "--list-plugins failed"
echo "$list" >&2
echo "$list" | grep -Eq "^file-source +source +[^ ]+ +.*/file-source\.so$" || cw_fail "file-source row"
echo "$list" | grep -Eq "^file-sink +sink +[^ ]+ +.*/file-sink\.so$" || cw_fail "file-sink row"
echo "$list" | grep -Eq "^test-fail-on +transform +0\.1 +$CW_TEST_PLUGINS/worker-test-plugins\.so$" ||
    cw_fail "--plugin-path plugin not listed"

d=$("$CW_WORKER" --describe org.apache.kafka.connect.file.FileStreamSinkConnector) ||
    cw_fail "--describe by Kafka class name failed"
echo "$d" | grep -q "^file-sink (sink plugin" || cw_fail "--describe header: $d"
echo "$d" | grep -q "^file$" || cw_fail "--describe does not list the file key"
echo "$d" | grep -q "type: string, required" || cw_fail "--describe does not show type/required"
w=$("$CW_WORKER" --describe worker)
echo "$w" | grep -q "^offset.flush.interval.ms$" || cw_fail "--describe worker"
echo "$w" | grep -q "default: 60000" || cw_fail "--describe worker default"

set +e
"$CW_WORKER" --describe no-such-plugin >/dev/null 2>&1; [ $? = 2 ] || cw_fail "--describe unknown: want exit 2"
"$CW_WORKER" --no-such-option >/dev/null 2>&1; [ $? = 2 ] || cw_fail "unknown option: want exit 2"
"$CW_WORKER" >/dev/null 2>&1; [ $? = 2 ] || cw_fail "no worker file: want exit 2"
# A worker file alone is a worker driven through its REST API; a missing one is a config error.
"$CW_WORKER" no-such-worker-file.properties >/dev/null 2>&1; [ $? = 3 ] || cw_fail "missing worker file: want exit 3"
"$CW_WORKER" --log-level loud a b >/dev/null 2>&1; [ $? = 2 ] || cw_fail "bad --log-level: want exit 2"
out=$("$CW_WORKER" /nonexistent/worker.properties /nonexistent/c.properties 2>&1); rc=$?
set -e
[ "$rc" = 3 ] || cw_fail "missing files: exit $rc, want 3"
echo "$out" | grep -q "/nonexistent/worker.properties" || cw_fail "missing worker file not named: $out"
echo "$out" | grep -q "/nonexistent/c.properties" || cw_fail "missing connector file not named: $out"
echo ok >&2
