#!/usr/bin/env bash
# The validate hook through the real worker and the bundled plugins: each configuration below
# passes every key's row but fails a plugin's own check (a rule between keys, a value that must
# parse, a directory that must exist). `--validate` exits 3 with exactly one error line naming
# the file and the full key; a plain start refuses it the same way and starts nothing. A valid
# configuration of the same plugins still says "configuration is valid".
. "$CW_SOURCE_DIR/tests/lib/common.sh"

W="$CW_TMP/worker.properties"
echo "bootstrap.servers=127.0.0.1:1" >"$W"   # nothing may connect: validation is offline
T=org.apache.kafka.connect.transforms.

S3="connector.class=io.confluent.connect.s3.S3SinkConnector|topics=t|s3.bucket.name=b|flush.size=3"
RDS="connector.class=io.confluent.connect.jdbc.JdbcSourceConnector|connection.url=jdbc:mysql://127.0.0.1:1/db|connection.user=u|topic.prefix=p."
FSINK="connector.class=FileStreamSink|topics=t|file=$CW_TMP/out.txt"
mkdir -p "$CW_TMP/a-directory"

# name|expected key (as printed)|connector keys, separated by |
cases=(
  "s3 time-based without path.format|path.format|$S3|partitioner.class=TimeBasedPartitioner|partition.duration.ms=3600000|path.format="
  "s3 unknown timezone|timezone|$S3|timezone=Mars/Olympus"
  "s3 time-based without duration|partition.duration.ms|$S3|partitioner.class=io.confluent.connect.storage.partitioner.TimeBasedPartitioner|path.format=YYYY"
  "s3 path.format pattern|path.format|$S3|partitioner.class=TimeBasedPartitioner|partition.duration.ms=60000|path.format=YYYY/QQ"
  "s3 field partitioner without fields|partition.field.name|$S3|partitioner.class=FieldPartitioner"
  "s3 store.url scheme|store.url|$S3|store.url=ftp://127.0.0.1:1"
  "s3 key id without secret|aws.secret.access.key|$S3|aws.access.key.id=AKIAEXAMPLE"
  "s3 encryption algorithm|s3.ssea.name|$S3|s3.ssea.name=aes256"
  "rds timestamp without column|timestamp.column.name|$RDS|mode=timestamp"
  "rds timestamp+incrementing without column|timestamp.column.name|$RDS|mode=timestamp+incrementing|incrementing.column.name=id"
  "rds whitelist and blacklist|table.blacklist|$RDS|mode=bulk|table.whitelist=a|table.blacklist=b"
  "rds query with a whitelist|query|$RDS|mode=bulk|query=SELECT 1|table.whitelist=a"
  "rds query without incrementing column|incrementing.column.name|$RDS|mode=incrementing|query=SELECT 1"
  "rds url of another kind|connection.url|$RDS|mode=bulk|connection.url=jdbc:postgresql://h/db"
  "rds url without database|connection.url|$RDS|mode=bulk|connection.url=jdbc:mysql://127.0.0.1:1"
  "rds empty db.timezone|db.timezone|$RDS|mode=bulk|db.timezone="
  "Cast spec unknown type|transforms.c.spec|$FSINK|transforms=c|transforms.c.type=${T}Cast\$Value|transforms.c.spec=a:date"
  "TopicNameMatches pattern|predicates.p.pattern|$FSINK|transforms=f|transforms.f.type=Filter|transforms.f.predicate=p|predicates=p|predicates.p.type=TopicNameMatches|predicates.p.pattern=[a"
  "RegexRouter regex|transforms.r.regex|$FSINK|transforms=r|transforms.r.type=RegexRouter|transforms.r.regex=(|transforms.r.replacement=x"
  "RegexRouter replacement group|transforms.r.replacement|$FSINK|transforms=r|transforms.r.type=RegexRouter|transforms.r.regex=a(b)|transforms.r.replacement=\$2"
  "TimestampConverter format|transforms.t.format|$FSINK|transforms=t|transforms.t.type=${T}TimestampConverter\$Value|transforms.t.target.type=string|transforms.t.format=yyyy-QQ"
  "TimestampConverter string without format|transforms.t.format|$FSINK|transforms=t|transforms.t.type=${T}TimestampConverter\$Value|transforms.t.target.type=string"
  "TimestampRouter timestamp.format|transforms.t.timestamp.format|$FSINK|transforms=t|transforms.t.type=TimestampRouter|transforms.t.timestamp.format='open"
  "clean extract regex|transforms.c.extract.f|$FSINK|transforms=c|transforms.c.type=clean|transforms.c.extract.f=([0-9]"
  "clean separator without fields|transforms.c.concat.separator.x|$FSINK|transforms=c|transforms.c.type=clean|transforms.c.concat.separator.x=-"
  "file-sink file in a missing directory|file|connector.class=FileStreamSink|topics=t|file=$CW_TMP/no/such/dir/out.txt"
  "file-sink file is a directory|file|connector.class=FileStreamSink|topics=t|file=$CW_TMP/a-directory"
  "file-source file is a directory|file|connector.class=FileStreamSource|topic=t|file=$CW_TMP/a-directory"
)

# write_connector FILE NAME KEYS...: one key=value per argument.
write_connector() {
    local file=$1 name=$2; shift 2
    { echo "name=$name"; printf '%s\n' "$@"; } >"$file"
}

# expect_one_error OUT RC FILE KEY WHAT: exit 3, exactly one error line, naming file and key
# (a KEY ending in '.' is a prefix: transforms.x.).
expect_one_error() {
    local out=$1 rc=$2 file=$3 key=$4 what=$5
    [ "$rc" = 3 ] || { echo "$out" >&2; cw_fail "$what: exit $rc, want 3"; }
    local errors
    errors=$(echo "$out" | grep '^error: ' || true)
    [ "$(echo "$errors" | grep -c .)" = 1 ] || { echo "$out" >&2; cw_fail "$what: want exactly one error line"; }
    local needle="error: $file: $key"
    case $key in *.) ;; *) needle="$needle: " ;; esac
    echo "$errors" | grep -Fq -- "$needle" || { echo "$out" >&2; cw_fail "$what: the error does not name $file: $key"; }
    if echo "$out" | grep -q "started [0-9]* task"; then cw_fail "$what: something started"; fi
}

n=0
for c in "${cases[@]}"; do
    IFS='|' read -r -a parts <<<"$c"
    what=${parts[0]} key=${parts[1]}
    f="$CW_TMP/case-$n.properties"
    write_connector "$f" "case-$n" "${parts[@]:2}"
    rc=0
    out=$("$CW_WORKER" --validate "$W" "$f" 2>&1) || rc=$?
    expect_one_error "$out" "$rc" "$f" "$key" "--validate: $what"
    n=$((n + 1))
done
cw_note "$n plugin checks refused by --validate, each with one line naming file and key"

# The worker's own directory key: a source's offsets file in a missing directory.
f="$CW_TMP/src.properties"
write_connector "$f" src "connector.class=FileStreamSource" "topic=t" "file=$CW_TMP/in.txt"
g="$CW_TMP/src2.properties"
write_connector "$g" src2 "connector.class=FileStreamSource" "topic=t" "file=$CW_TMP/in2.txt"
w2="$CW_TMP/worker-offsets.properties"
{ cat "$W"; echo "offset.storage.file.filename=$CW_TMP/no/such/dir/offsets"; } >"$w2"
rc=0
out=$("$CW_WORKER" --validate "$w2" "$f" "$g" 2>&1) || rc=$?
expect_one_error "$out" "$rc" "$w2" "offset.storage.file.filename" "offsets file directory"

# Issue 18: a directory given as the offsets file is said to be one (jansson alone said
# "'[' or '{' expected near end of file").
w3="$CW_TMP/worker-offsets-dir.properties"
{ cat "$W"; echo "offset.storage.file.filename=$CW_TMP/a-directory"; } >"$w3"
rc=0
out=$("$CW_WORKER" --validate "$w3" "$f" 2>&1) || rc=$?
expect_one_error "$out" "$rc" "$w3" "offset.storage.file.filename" "offsets file is a directory"
grep -q "is a directory" <<<"$out" || cw_fail "offsets directory: no 'is a directory' in: $out"

# Every configure-time refusal of the transforms (tests/transforms/bad-configs.txt) is seen by
# --validate too, on the transform's full key.
m=0
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    cfg=${line%%=>*}
    IFS='|' read -r -a parts <<<"$cfg"
    type=${parts[0]}; [ "$type" = clean ] || type="$T$type"
    f="$CW_TMP/smt-$m.properties"
    keys=("transforms=x" "transforms.x.type=$type")
    for kv in "${parts[@]:1}"; do keys+=("transforms.x.$kv"); done
    write_connector "$f" "smt-$m" "connector.class=FileStreamSink" "topics=t" "file=$CW_TMP/out.txt" "${keys[@]}"
    rc=0
    out=$("$CW_WORKER" --validate "$W" "$f" 2>&1) || rc=$?
    expect_one_error "$out" "$rc" "$f" "transforms.x." "--validate: $cfg"
    m=$((m + 1))
done <"$CW_SOURCE_DIR/tests/transforms/bad-configs.txt"
[ "$m" -ge 20 ] || cw_fail "only $m lines read from bad-configs.txt"
cw_note "$m transform configurations refused by --validate"

# Start-up runs the same checks before anything starts: exit 3, nothing created.
f="$CW_TMP/start.properties"
write_connector "$f" start "connector.class=FileStreamSink" "topics=t" "file=$CW_TMP/out.txt" \
    "transforms=c" "transforms.c.type=${T}Cast\$Value" "transforms.c.spec=a:date"
rc=0
out=$(timeout 60 "$CW_WORKER" --exit-when-caught-up "$W" "$f" 2>&1) || rc=$?
expect_one_error "$out" "$rc" "$f" "transforms.c.spec" "start-up"
echo "$out" | grep -q "nothing was started" || cw_fail "start-up: no summary line: $out"
test ! -e "$CW_TMP/out.txt" || cw_fail "start-up created the sink's file"

# All problems of one file at once: one line each.
f="$CW_TMP/many.properties"
write_connector "$f" many "${S3//|/$'\n'}" "partitioner.class=TimeBasedPartitioner" \
    "path.format=" "timezone=Mars/Olympus" "transforms=c" "transforms.c.type=${T}Cast\$Key" \
    "transforms.c.spec=a:date"
rc=0
out=$("$CW_WORKER" --validate "$W" "$f" 2>&1) || rc=$?
[ "$rc" = 3 ] || cw_fail "many: exit $rc"
for k in path.format partition.duration.ms timezone transforms.c.spec; do
    echo "$out" | grep -Fq "error: $f: $k: " || { echo "$out" >&2; cw_fail "many: no line for $k"; }
done
[ "$(echo "$out" | grep -c '^error: ')" = 4 ] || { echo "$out" >&2; cw_fail "many: want 4 error lines"; }

# The same plugins, configured right: valid.
f="$CW_TMP/ok-s3.properties"
write_connector "$f" ok-s3 "${S3//|/$'\n'}" "partitioner.class=TimeBasedPartitioner" \
    "partition.duration.ms=3600000" "path.format='year'=YYYY/'month'=MM" "timezone=Europe/Paris" \
    "transforms=c,r,t,k" "transforms.c.type=${T}Cast\$Value" "transforms.c.spec=a:int64" \
    "transforms.r.type=RegexRouter" "transforms.r.regex=(.*)" "transforms.r.replacement=\$1-x" \
    "transforms.r.predicate=p" "predicates=p" "predicates.p.type=TopicNameMatches" \
    "predicates.p.pattern=t.*" "transforms.t.type=TimestampRouter" \
    "transforms.k.type=clean" "transforms.k.extract.f=([0-9]+)"
g="$CW_TMP/ok-rds.properties"
write_connector "$g" ok-rds "${RDS//|/$'\n'}" "mode=timestamp+incrementing" \
    "timestamp.column.name=updated_at" "incrementing.column.name=id" "table.whitelist=a,b"
h="$CW_TMP/ok-file.properties"
write_connector "$h" ok-file "connector.class=FileStreamSink" "topics=t" "file=$CW_TMP/out.txt"
out=$("$CW_WORKER" --validate "$W" "$f" "$g" "$h" 2>&1) || { echo "$out" >&2; cw_fail "valid configuration rejected"; }
echo "$out" | grep -q "configuration is valid" || cw_fail "no 'configuration is valid': $out"
test ! -e "$CW_TMP/out.txt" || cw_fail "--validate started the sink"
echo ok >&2
