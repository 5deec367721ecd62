#!/usr/bin/env bash
# Issue 18, secrets and logs, through the real worker:
#  1. A password inside connection.url (user:pw@host, ?password=, a token parameter) never
#     reaches the output of `--validate --log-level trace` (the debug dump of every key), nor
#     an error message quoting the value.
#  2. A NUL byte in a connector file is an error naming file, line and key (it used to cut the
#     value short: topics=a<NUL>,b ran on "a" only).
#  3. Connector names are bounded (1 MB name: one short error, not a megabyte per line), and
#     refused with a '/' or a control character, as in Kafka Connect.
. "$CW_SOURCE_DIR/tests/lib/common.sh"

W="$CW_TMP/worker.properties"
echo "bootstrap.servers=127.0.0.1:1" >"$W"

# --- 1. credentials inside URLs ------------------------------------------------------------
cat >"$CW_TMP/rds.properties" <<P
name=masked
connector.class=io.confluent.connect.jdbc.JdbcSourceConnector
connection.url=jdbc:mysql://app:Pw1Secret@127.0.0.1:1/shop?password=Pw2Secret&useSSL=false
mode=bulk
topic.prefix=p.
extra.url=https://h/x?access_token=Pw3Secret&a=1
P
rc=0
out=$("$CW_WORKER" --validate --log-level trace "$W" "$CW_TMP/rds.properties" 2>&1) || rc=$?
grep -q "connection.url = jdbc:mysql://app:\[hidden\]@127.0.0.1:1/shop?password=\[hidden\]&useSSL=false" <<<"$out" ||
    { echo "$out" >&2; cw_fail "the debug dump does not show connection.url masked"; }
if grep -n "Pw[0-9]Secret" <<<"$out"; then cw_fail "a password inside a URL was printed"; fi
# An error quoting such a value: an int key given a URL.
cat >"$CW_TMP/bad.properties" <<P
name=bad
connector.class=FileStreamSink
topics=t
file=$CW_TMP/out.txt
tasks.max=postgresql://u:Pw4Secret@h/db
P
rc=0
out=$("$CW_WORKER" --validate "$W" "$CW_TMP/bad.properties" 2>&1) || rc=$?
[ "$rc" = 3 ] || cw_fail "a URL as tasks.max: exit $rc, want 3"
grep -q "tasks.max: value 'postgresql://u:\[hidden\]@h/db'" <<<"$out" ||
    { echo "$out" >&2; cw_fail "the error does not quote the value masked"; }
if grep -q "Pw4Secret" <<<"$out"; then cw_fail "a password inside a URL was printed in an error"; fi

# --- 2. NUL bytes ---------------------------------------------------------------------------
printf 'name=nul\nconnector.class=FileStreamSink\ntopics=a\0,b\nfile=%s/o.txt\n' "$CW_TMP" >"$CW_TMP/nul.properties"
rc=0
out=$("$CW_WORKER" --validate "$W" "$CW_TMP/nul.properties" 2>&1) || rc=$?
[ "$rc" = 3 ] || cw_fail "a NUL byte: exit $rc, want 3"
grep -q "nul.properties: line 3: key topics: the value contains a NUL byte" <<<"$out" ||
    { echo "$out" >&2; cw_fail "the NUL error does not name file, line and key"; }

# --- 3. connector names ---------------------------------------------------------------------
long=$(head -c 1048576 /dev/zero | tr '\0' n)
for case in "long|$long|1048576 bytes long; at most 249" "slash|a/b|must not contain '/'" \
    "control|a$(printf '\t')b|control character"; do
    IFS='|' read -r what name expect <<<"$case"
    { echo "name=$name"; echo "connector.class=FileStreamSink"; echo "topics=t"; echo "file=$CW_TMP/o.txt"; } \
        >"$CW_TMP/name-$what.properties"
    rc=0
    out=$("$CW_WORKER" --validate "$W" "$CW_TMP/name-$what.properties" 2>&1) || rc=$?
    [ "$rc" = 3 ] || cw_fail "name $what: exit $rc, want 3"
    grep -q "name-$what.properties: name: the connector name .*$expect" <<<"$out" ||
        { echo "${out:0:2000}" >&2; cw_fail "name $what: no error saying '$expect'"; }
    [ "${#out}" -lt 20000 ] || cw_fail "name $what: ${#out} bytes of output"
done
# A name of 249 bytes is fine.
name249=$(head -c 249 /dev/zero | tr '\0' k)
{ echo "name=$name249"; echo "connector.class=FileStreamSink"; echo "topics=t"; echo "file=$CW_TMP/o.txt"; } >"$CW_TMP/ok.properties"
"$CW_WORKER" --validate "$W" "$CW_TMP/ok.properties" >/dev/null 2>&1 || cw_fail "a 249-byte name was refused"
echo ok >&2
