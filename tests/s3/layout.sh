#!/usr/bin/env bash
# Object keys for every partitioner, as the Confluent S3 sink names them, listed by s3cmd.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/s3rver.sh"
. "$CW_SOURCE_DIR/tests/s3/lib.sh"

run_case() { # NAME PARTS RECORDS EXPECTED-KEYS CONFIG...
    local name=$1 parts=$2 n=$3 want=$4; shift 4
    cw_note "$name"
    cw_s3cmd del --recursive --force "s3://$CW_S3_BUCKET/" >/dev/null 2>&1 || true
    s3_config "$CW_TMP/$name.properties" "$@"
    "$S3_DRIVER" --config "$CW_TMP/$name.properties" --partitions "$parts" --records "$n" \
        --batch 7 2>"$CW_TMP/$name.log" || cw_fail "$name: driver failed: $(cat "$CW_TMP/$name.log")"
    local got
    got=$(cw_s3_keys)
    [ "$got" = "$(printf '%s\n' $want | sort)" ] || cw_fail "$name: keys differ:
got:
$got
want:
$(printf '%s\n' $want | sort)"
    s3_expect_exactly_once "$CW_TMP/dl-$name" "$parts" "$n"
}

cw_start_s3rver

run_case default 2 25 "
topics/events/partition=0/events+0+0000000000.json topics/events/partition=0/events+0+0000000010.json
topics/events/partition=0/events+0+0000000020.json topics/events/partition=1/events+1+0000000000.json
topics/events/partition=1/events+1+0000000010.json topics/events/partition=1/events+1+0000000020.json" \
    flush.size=10 partitioner.class=io.confluent.connect.storage.partitioner.DefaultPartitioner

# cat cycles c0 c1 c2; each object is named after its first record's offset.
run_case field 1 18 "
raw/events/cat=c0/events+0+00000.json raw/events/cat=c1/events+0+00001.json raw/events/cat=c2/events+0+00002.json
raw/events/cat=c0/events+0+00009.json raw/events/cat=c1/events+0+00010.json raw/events/cat=c2/events+0+00011.json" \
    flush.size=9 partitioner.class=io.confluent.connect.storage.partitioner.FieldPartitioner \
    partition.field.name=cat topics.dir=raw filename.offset.zero.pad.width=5

# Record time 2023-11-14T22:13:20Z + i seconds; one object per minute (rotate.interval.ms
# also rotates when the time partition changes).
run_case timebased 1 130 "
topics/events/day=2023-11-14/minute=22-13/events+0+0000000000.json
topics/events/day=2023-11-14/minute=22-14/events+0+0000000040.json
topics/events/day=2023-11-14/minute=22-15/events+0+0000000100.json" \
    flush.size=1000 partitioner.class=io.confluent.connect.storage.partitioner.TimeBasedPartitioner \
    "path.format='day'=YYYY-MM-dd/'minute'=HH-mm" partition.duration.ms=60000 \
    timestamp.extractor=Record rotate.interval.ms=60000 locale=en-US timezone=UTC

run_case hourly 1 5 "topics/events/year=2023/month=11/day=14/hour=22/events+0+0000000000.json" \
    flush.size=100 partitioner.class=io.confluent.connect.storage.partitioner.HourlyPartitioner \
    timestamp.extractor=Record timezone=UTC

# The value's "ts" field, in Tokyo: 22:13 UTC is 07:13 the next day.
run_case daily 1 5 "topics/events/year=2023/month=11/day=15/events+0+0000000000.json" \
    flush.size=100 partitioner.class=io.confluent.connect.storage.partitioner.DailyPartitioner \
    timestamp.extractor=RecordField timestamp.field=ts timezone=Asia/Tokyo
echo "layout ok"
