#!/usr/bin/env bash
# The Pinterest emulated data set (examples/pinterest/datagen.py) and the ready connector
# config (connectors/pinterest-rds-source.properties): reproducible rows with the seed's
# quirks, read into the three topics exactly; the live mode's new rows follow.
. "$CW_SOURCE_DIR/tests/rds/rds_common.sh"
cw_start_mariadb
gen="$CW_SOURCE_DIR/examples/pinterest/datagen.py"
dbargs=(--host 127.0.0.1 --port "$CW_DB_PORT" --user "$CW_DB_USER" --database "$CW_DB_NAME")

cw_note "reproducible: the same seed gives the same rows, whatever the chunking"
python3 "$gen" sql --rows 300 --seed 42 | grep '^(' | sed 's/[,;]$//' >"$CW_TMP/a.sql"
{ python3 "$gen" sql --rows 120 --seed 42; python3 "$gen" sql --rows 180 --start-ind 121 --seed 42 --no-create; } |
    grep '^(' | sed 's/[,;]$//' | sort >"$CW_TMP/b.sql"
sort "$CW_TMP/a.sql" | cmp - "$CW_TMP/b.sql" || cw_fail "rows depend on chunking"
python3 "$gen" sql --rows 50 --seed 43 | grep '^(' | cmp -s - <(head -150 "$CW_TMP/a.sql") &&
    cw_fail "another seed must give other rows"

cw_note "load 300 rows per table"
MYSQL_PWD="$CW_DB_PASSWORD" python3 "$gen" load --rows 300 --seed 42 "${dbargs[@]}" ||
    cw_fail "datagen load"
for t in pinterest_data geolocation_data user_data; do
    [ "$(cw_sql "SELECT COUNT(*) FROM $t")" = 300 ] || cw_fail "$t must have 300 rows"
done
[ "$(cw_sql "SELECT COUNT(*) FROM pinterest_data p JOIN geolocation_data g ON g.ind = p.\`index\`
    JOIN user_data u ON u.ind = p.\`index\`")" = 300 ] || cw_fail "rows not tied by ind"
q() { cw_sql "$1"; }
[ "$(q "SELECT COUNT(*) > 0 FROM pinterest_data WHERE poster_name = 'User Info Error' AND follower_count = 'User Info Error'")" = 1 ] || cw_fail "no 'User Info Error' rows"
[ "$(q "SELECT COUNT(*) > 0 FROM pinterest_data WHERE title = 'No Title Data Available'")" = 1 ] || cw_fail "no title placeholders"
[ "$(q "SELECT COUNT(*) > 0 FROM pinterest_data WHERE description = 'No description available Story format'")" = 1 ] || cw_fail "no description placeholders"
[ "$(q "SELECT COUNT(*) > 0 FROM pinterest_data WHERE tag_list = 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e'")" = 1 ] || cw_fail "no tag placeholders"
[ "$(q "SELECT COUNT(*) > 0 FROM pinterest_data WHERE image_src = 'Image src error.'")" = 1 ] || cw_fail "no image src errors"
[ "$(q "SELECT COUNT(*) > 0 FROM pinterest_data WHERE description = ''")" = 1 ] || cw_fail "no empty strings"
for re in '^[0-9]+$' '^[0-9]+k$' '^[0-9]+\\.[0-9]k$' '^[0-9]+M$'; do
    [ "$(q "SELECT COUNT(*) > 0 FROM pinterest_data WHERE follower_count REGEXP '$re'")" = 1 ] || cw_fail "no follower_count like $re"
done
[ "$(q "SELECT COUNT(*) FROM pinterest_data WHERE save_location <> CONCAT('Local save in /data/', category)")" = 0 ] || cw_fail "save_location"
[ "$(q "SELECT MIN(YEAR(timestamp)) >= 2015 AND MAX(YEAR(timestamp)) <= 2022 AND MIN(latitude) >= -90 AND MAX(latitude) <= 90 AND MIN(longitude) >= -180 AND MAX(longitude) <= 180 FROM geolocation_data")" = 1 ] || cw_fail "geo ranges"
[ "$(q "SELECT MIN(age) >= 18 AND MAX(age) <= 70 AND MIN(YEAR(date_joined)) >= 2015 FROM user_data")" = 1 ] || cw_fail "user ranges"

cw_note "the ready connector config reads the three tables into pinterest.<table>"
export RDS_URL="$CW_DB_URL" RDS_USER="$CW_DB_USER" RDS_PASSWORD="$CW_DB_PASSWORD"
props=()
while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}; val=${line#*=}
    case "$key" in name|connector.class|tasks.max|*converter*) continue ;; esac
    [[ "$val" =~ ^\$\{env:([A-Z_]+)\}$ ]] && val=${!BASH_REMATCH[1]}
    props+=("$key=$val")
done <"$CW_SOURCE_DIR/connectors/pinterest-rds-source.properties"
"$RDS_HARNESS" --until-idle --offsets "$CW_TMP/off" "${props[@]}" >"$CW_TMP/out" 2>"$CW_TMP/err" ||
    { cat "$CW_TMP/err"; cw_fail "plugin run with the ready config"; }
for t in pinterest_data geolocation_data user_data; do
    [ "$(grep -c "^pinterest\.$t	" "$CW_TMP/out")" = 300 ] || cw_fail "topic pinterest.$t must get 300 rows"
done
# coordinates keep the database's digits (e.g. -89.9787, never -89.978700000000003)
grep "^pinterest.geolocation_data	" "$CW_TMP/out" | cut -f2 | jq -r '"\(.ind) \(.latitude) \(.longitude) \(.timestamp)"' >"$CW_TMP/geo.kafka"
cw_sql "SELECT ind, latitude, longitude, timestamp FROM geolocation_data ORDER BY ind" | tr '\t' ' ' >"$CW_TMP/geo.db"
cmp "$CW_TMP/geo.db" "$CW_TMP/geo.kafka" || { diff "$CW_TMP/geo.db" "$CW_TMP/geo.kafka" | head; cw_fail "geo rows differ from the database"; }
grep -m1 "^pinterest.pinterest_data	" "$CW_TMP/out" | cut -f2 |
    jq -e 'keys_unsorted == ["index","unique_id","title","description","poster_name","follower_count","tag_list","is_image_or_video","image_src","downloaded","save_location","category"]' >/dev/null ||
    cw_fail "pin columns/order"

cw_note "live mode: new rows follow"
"$RDS_HARNESS" --offsets "$CW_TMP/off" "${props[@]}" >"$CW_TMP/live" 2>"$CW_TMP/live.err" &
pid=$!
CW_PIDS+=("$pid")
MYSQL_PWD="$CW_DB_PASSWORD" python3 "$gen" live --rate 40 --duration 1.5 --seed 42 --no-create "${dbargs[@]}" 2>"$CW_TMP/gen.err" ||
    cw_fail "datagen live"
added=$(( $(cw_sql "SELECT COUNT(*) FROM user_data") - 300 ))
[ "$added" -ge 20 ] || cw_fail "live mode inserted only $added rows"
deadline=$((SECONDS + 30))
until rds_lines_ge "$CW_TMP/live" $((3 * added)); do
    [ $SECONDS -lt $deadline ] || { cat "$CW_TMP/live.err" >&2; cw_fail "timed out: $(wc -l <"$CW_TMP/live") of $((3 * added)) live rows"; }
    sleep 0.1
done
kill $pid; wait $pid 2>/dev/null || true
[ "$(grep -c '^pinterest.user_data	' "$CW_TMP/live")" = "$added" ] || cw_fail "live user rows: want $added"
[ "$(grep '^pinterest.user_data	' "$CW_TMP/live" | head -1 | cut -f2 | jq .ind)" = 301 ] || cw_fail "live rows must start at ind 301"
echo "pinterest ok"
