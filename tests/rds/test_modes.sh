#!/usr/bin/env bash
# bulk, incrementing, timestamp, timestamp+incrementing and query modes: what each run reads,
# and what a second run reads after the first one's stored offsets.
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
off="$CW_TMP/offsets"

cw_note "incrementing: 250 rows in polls of 7, then only the 5 new ones"
cw_sql "CREATE TABLE pin (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20));
  INSERT INTO pin (v) SELECT CONCAT('v', seq) FROM seq_1_to_250;"
rds_run --until-idle --offsets "$off" mode=incrementing topic.prefix=t. batch.max.rows=7 \
    >"$CW_TMP/inc1" 2>"$CW_TMP/err" || { cat "$CW_TMP/err"; cw_fail "run 1"; }
[ "$(cut -f2 "$CW_TMP/inc1" | jq -r .id | tr '\n' ' ')" = "$(seq -s ' ' 1 250) " ] ||
    cw_fail "incrementing run 1 must give ids 1..250 in order"
[ "$(rds_offset "$off" '{"table":"pin"}')" = '{"incrementing":250}' ] || cw_fail "offset after run 1: $(cat "$off")"
cw_sql "INSERT INTO pin (v) SELECT CONCAT('w', seq) FROM seq_1_to_5"
rds_run --until-idle --offsets "$off" mode=incrementing topic.prefix=t. \
    >"$CW_TMP/inc2" 2>>"$CW_TMP/err" || cw_fail "run 2"
# (INSERT ... SELECT may leave AUTO_INCREMENT gaps: compare with what the table holds)
[ "$(cut -f2 "$CW_TMP/inc2" | jq -r .id | tr '\n' ' ')" = "$(cw_sql "SELECT id FROM pin WHERE id > 250 ORDER BY id" | tr '\n' ' ')" ] ||
    cw_fail "incrementing run 2 must give exactly the 5 new rows, got $(cut -f2 "$CW_TMP/inc2" | jq -r .v | tr '\n' ' ')"
[ "$(cut -f2 "$CW_TMP/inc2" | jq -r .v | tr '\n' ' ')" = "w1 w2 w3 w4 w5 " ] || cw_fail "run 2 values"
grep -q '^t\.pin	' "$CW_TMP/inc2" || cw_fail "topic must be topic.prefix + table"

cw_note "bulk: every run reads the whole table, and stores no offset"
rds_run --until-idle --offsets "$CW_TMP/off-bulk" mode=bulk topic.prefix=b. batch.max.rows=50 \
    >"$CW_TMP/bulk" 2>>"$CW_TMP/err" || cw_fail "bulk run"
[ "$(wc -l <"$CW_TMP/bulk")" = 255 ] || cw_fail "bulk must give 255 rows"
[ ! -s "$CW_TMP/off-bulk" ] || cw_fail "bulk mode stores no offsets"

cw_note "timestamp: groups with one timestamp across polls; future rows wait"
cw_sql "CREATE TABLE ev (id INT PRIMARY KEY, ts DATETIME NOT NULL, v VARCHAR(10));
  INSERT INTO ev VALUES (1,'2020-01-01 00:00:01','a'),(2,'2020-01-01 00:00:01','b'),
   (3,'2020-01-01 00:00:01','c'),(4,'2020-01-01 00:00:02','d'),(5,'2020-01-01 00:00:02','e'),
   (6,'2020-01-01 00:00:02','f'),(7,'2020-01-01 00:00:02','g'),(9,NOW() + INTERVAL 1 HOUR,'future');"
tsargs=(mode=timestamp timestamp.column.name=ts topic.prefix=ts. table.whitelist=ev batch.max.rows=2)
rds_run --until-idle --offsets "$CW_TMP/off-ts" "${tsargs[@]}" >"$CW_TMP/ts1" 2>>"$CW_TMP/err" || cw_fail "ts run 1"
[ "$(cut -f2 "$CW_TMP/ts1" | jq -r .v | tr '\n' ' ')" = "a b c d e f g " ] ||
    cw_fail "timestamp run 1: $(cut -f2 "$CW_TMP/ts1" | jq -r .v | tr '\n' ' ')"
[ "$(rds_offset "$CW_TMP/off-ts" '{"table":"ev"}')" = '{"timestamp":1577836802000,"timestamp_nanos":0}' ] ||
    cw_fail "timestamp offset: $(cat "$CW_TMP/off-ts")"
cw_sql "INSERT INTO ev VALUES (8,'2020-01-01 00:00:03','h')"
rds_run --until-idle --offsets "$CW_TMP/off-ts" "${tsargs[@]}" >"$CW_TMP/ts2" 2>>"$CW_TMP/err" || cw_fail "ts run 2"
[ "$(cut -f2 "$CW_TMP/ts2" | jq -r .v | tr '\n' ' ')" = "h " ] || cw_fail "timestamp run 2: $(cat "$CW_TMP/ts2")"

cw_note "timestamp: timestamp.initial skips older rows"
rds_run --until-idle "${tsargs[@]}" timestamp.initial=1577836801500 >"$CW_TMP/ts3" 2>>"$CW_TMP/err" || cw_fail "ts run 3"
[ "$(cut -f2 "$CW_TMP/ts3" | jq -r .v | tr '\n' ' ')" = "d e f g h " ] || cw_fail "timestamp.initial: $(cat "$CW_TMP/ts3")"

cw_note "timestamp: timestamp.initial=-1 starts at the current time"
out=$(rds_run --until-idle "${tsargs[@]}" timestamp.initial=-1 2>/dev/null | wc -l)
[ "$out" = 0 ] || cw_fail "timestamp.initial=-1 must skip every existing row, got $out"

cw_note "timestamp+incrementing: a later row with an already-read timestamp is still read"
tiargs=(mode=timestamp+incrementing timestamp.column.name=ts incrementing.column.name=id
        topic.prefix=ti. table.whitelist=ev batch.max.rows=3)
rds_run --until-idle --offsets "$CW_TMP/off-ti" "${tiargs[@]}" >"$CW_TMP/ti1" 2>>"$CW_TMP/err" || cw_fail "ti run 1"
[ "$(cut -f2 "$CW_TMP/ti1" | jq -r .id | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 " ] || cw_fail "ts+inc run 1: $(cat "$CW_TMP/ti1")"
[ "$(rds_offset "$CW_TMP/off-ti" '{"table":"ev"}')" = '{"timestamp":1577836803000,"timestamp_nanos":0,"incrementing":8}' ] ||
    cw_fail "ts+inc offset: $(cat "$CW_TMP/off-ti")"
cw_sql "INSERT INTO ev VALUES (10,'2020-01-01 00:00:03','late'),(11,'2020-01-01 00:00:04','i')"
rds_run --until-idle --offsets "$CW_TMP/off-ti" "${tiargs[@]}" >"$CW_TMP/ti2" 2>>"$CW_TMP/err" || cw_fail "ti run 2"
[ "$(cut -f2 "$CW_TMP/ti2" | jq -r .id | tr '\n' ' ')" = "10 11 " ] || cw_fail "ts+inc run 2: $(cat "$CW_TMP/ti2")"

cw_note "db.timezone: DATETIME values are times in that zone (offsets are epoch based)"
cw_sql "CREATE TABLE tzt (id INT PRIMARY KEY, ts DATETIME NOT NULL);
  INSERT INTO tzt VALUES (1,'2020-01-01 00:00:01'),(2,'2020-01-01 00:00:04')"
rds_run --until-idle --offsets "$CW_TMP/off-tz" mode=timestamp timestamp.column.name=ts \
    topic.prefix=tz. table.whitelist=tzt db.timezone=+02:00 >"$CW_TMP/tz" 2>>"$CW_TMP/err" || cw_fail "tz run"
[ "$(rds_offset "$CW_TMP/off-tz" '{"table":"tzt"}')" = '{"timestamp":1577829604000,"timestamp_nanos":0}' ] ||
    cw_fail "db.timezone=+02:00 offset: $(cat "$CW_TMP/off-tz")"
[ "$(head -1 "$CW_TMP/tz" | cut -f2 | jq -r .ts)" = "2020-01-01 00:00:01" ] || cw_fail "DATETIME text must not shift"

cw_note "timestamp with two columns COALESCEd"
cw_sql "CREATE TABLE co (id INT PRIMARY KEY, upd DATETIME NULL, cre DATETIME NOT NULL);
  INSERT INTO co VALUES (1,NULL,'2021-05-05 10:00:00'),(2,'2021-05-05 09:00:00','2021-01-01 00:00:00')"
rds_run --until-idle mode=timestamp timestamp.column.name=upd,cre topic.prefix=co. table.whitelist=co \
    >"$CW_TMP/co" 2>>"$CW_TMP/err" || cw_fail "coalesce run"
[ "$(cut -f2 "$CW_TMP/co" | jq -r .id | tr '\n' ' ')" = "2 1 " ] || cw_fail "COALESCE order: $(cat "$CW_TMP/co")"

cw_note "query mode: the whole topic is topic.prefix, partition {\"query\":\"query\"}"
rds_run --until-idle --offsets "$CW_TMP/off-q" mode=incrementing incrementing.column.name=id \
    "query=SELECT id, v FROM ev WHERE v <> 'late'" topic.prefix=custom.topic batch.max.rows=4 \
    >"$CW_TMP/q" 2>>"$CW_TMP/err" || { cat "$CW_TMP/err"; cw_fail "query run"; }
[ "$(cut -f2 "$CW_TMP/q" | jq -r .id | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 11 " ] || cw_fail "query rows: $(cat "$CW_TMP/q")"
[ "$(cut -f1 "$CW_TMP/q" | sort -u)" = custom.topic ] || cw_fail "query topic"
[ "$(head -1 "$CW_TMP/q" | cut -f2)" = '{"id":1,"v":"a"}' ] || cw_fail "query columns: $(head -1 "$CW_TMP/q")"
[ "$(rds_offset "$CW_TMP/off-q" '{"query":"query"}')" = '{"incrementing":11}' ] || cw_fail "query offset: $(cat "$CW_TMP/off-q")"

cw_note "whitelist, blacklist and the split over tasks.max"
cw_sql "CREATE TABLE a1 (id INT AUTO_INCREMENT PRIMARY KEY); CREATE TABLE a2 LIKE a1; CREATE TABLE a3 LIKE a1;
  INSERT INTO a1 VALUES (1); INSERT INTO a2 VALUES (1),(2); INSERT INTO a3 VALUES (1),(2),(3);"
out=$(rds_run --tasks 2 --task 1 --until-idle mode=incrementing topic.prefix=s. table.whitelist=a1,a2,a3 2>"$CW_TMP/split")
grep -q '^split: task 0 tables=a1,a2$' "$CW_TMP/split" || cw_fail "split: $(cat "$CW_TMP/split")"
grep -q '^split: task 1 tables=a3$' "$CW_TMP/split" || cw_fail "split: $(cat "$CW_TMP/split")"
[ "$(printf '%s\n' "$out" | grep -c '^s\.a3	')" = 3 ] || cw_fail "task 1 must read a3 only: $out"
! printf '%s\n' "$out" | grep -q '^s\.a[12]	' || cw_fail "task 1 read a table of task 0"
out=$(rds_run --until-idle mode=bulk topic.prefix=s. table.blacklist=pin,ev,co,types,tzt 2>/dev/null | cut -f1 | sort | uniq -c | tr -s ' ')
[ "$out" = " 1 s.a1
 2 s.a2
 3 s.a3" ] || cw_fail "blacklist: $out"
cw_note "timestamp.delay.interval.ms: a row newer than NOW() - delay waits"
cw_sql "CREATE TABLE recent (id INT PRIMARY KEY, ts DATETIME NOT NULL);
  INSERT INTO recent VALUES (1, NOW() - INTERVAL 1 HOUR), (2, NOW() - INTERVAL 5 SECOND)"
out=$(rds_run --until-idle mode=timestamp timestamp.column.name=ts timestamp.delay.interval.ms=60000 \
    topic.prefix=d. table.whitelist=recent 2>/dev/null | cut -f2 | jq -r .id | tr '\n' ' ')
[ "$out" = "1 " ] || cw_fail "delay interval: got ids '$out', want only 1"

cw_note "table.poll.interval.ms: a table created while the task runs is picked up"
rds_run_bg "$CW_TMP/new" "$CW_TMP/new.err" mode=incrementing topic.prefix=n. table.poll.interval.ms=300 \
    poll.interval.ms=100 table.blacklist=ev,co,recent,tzt
cw_wait_for 20 "the first tables" rds_lines_ge "$CW_TMP/new" 1
cw_sql "CREATE TABLE brand_new (id INT AUTO_INCREMENT PRIMARY KEY, v INT); INSERT INTO brand_new (v) VALUES (42)"
cw_wait_for 20 "the new table's row" grep -q '^n\.brand_new	{"id":1,"v":42}$' "$CW_TMP/new"
grep -q "new table 'brand_new' picked up" "$CW_TMP/new.err" || cw_fail "pickup not logged"
kill "$RDS_PID"
cw_note "table.include.list / table.exclude.list (the newer names)"
out=$(rds_run --until-idle mode=bulk topic.prefix=s. table.include.list=a2,a3 2>/dev/null | cut -f1 | sort -u | tr '\n' ' ')
[ "$out" = "s.a2 s.a3 " ] || cw_fail "table.include.list: $out"
out=$(rds_run --until-idle mode=bulk topic.prefix=s. table.exclude.list=pin,ev,co,types,tzt,recent,brand_new,a1 2>/dev/null | cut -f1 | sort -u | tr '\n' ' ')
[ "$out" = "s.a2 s.a3 " ] || cw_fail "table.exclude.list: $out"
echo "modes ok"
