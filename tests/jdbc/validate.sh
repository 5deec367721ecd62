#!/usr/bin/env bash
# jdbc-sink's validate callback: every configuration-only mistake is refused by --validate
# (exit 3, one line naming the file and the key) before anything connects, and at start-up.
# Needs no database: nothing may connect.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
W="$CW_TMP/worker.properties"
echo "bootstrap.servers=127.0.0.1:1" >"$W"
J="connector.class=io.confluent.connect.jdbc.JdbcSinkConnector|topics=t|connection.url=jdbc:mysql://127.0.0.1:1/db|connection.user=u"
# name|expected key|connector keys, separated by |
cases=(
  "upsert without a key|pk.mode|$J|insert.mode=upsert"
  "update without a key|pk.mode|$J|insert.mode=update"
  "deletes without record_key|delete.enabled|$J|delete.enabled=true|pk.mode=record_value"
  "pk.fields with pk.mode=none|pk.fields|$J|pk.fields=id"
  "kafka pk with two fields|pk.fields|$J|pk.mode=kafka|pk.fields=a,b"
  "url of another database|connection.url|$J|connection.url=jdbc:sqlserver://h:1433;databaseName=x"
  "url without database|connection.url|$J|connection.url=jdbc:postgresql://127.0.0.1:1"
  "bad sslmode|connection.url|$J|connection.url=jdbc:postgresql://h/db?sslmode=sometimes"
  "no user|connection.user|connector.class=JdbcSinkConnector|topics=t|connection.url=jdbc:mariadb://h/db"
  "dialect against the url|dialect.name|$J|dialect.name=PostgreSqlDatabaseDialect"
  "unknown dialect|dialect.name|$J|dialect.name=OracleDatabaseDialect"
  "empty table.name.format|table.name.format|$J|table.name.format="
  "empty db.timezone|db.timezone|$J|db.timezone="
)
n=0
for c in "${cases[@]}"; do
    IFS='|' read -r -a parts <<<"$c"
    what=${parts[0]} key=${parts[1]}
    f="$CW_TMP/case-$n.properties"
    { echo "name=case-$n"; printf '%s\n' "${parts[@]:2}"; } >"$f"
    rc=0
    out=$("$CW_WORKER" --validate "$W" "$f" 2>&1) || rc=$?
    [ "$rc" = 3 ] || { echo "$out" >&2; cw_fail "$what: exit $rc, want 3"; }
    errors=$(echo "$out" | grep '^error: ' || true)
    [ "$(echo "$errors" | grep -c .)" = 1 ] || { echo "$out" >&2; cw_fail "$what: want exactly one error line"; }
    echo "$errors" | grep -Fq -- "error: $f: $key: " || { echo "$out" >&2; cw_fail "$what: the error does not name $f: $key"; }
    n=$((n + 1))
done
# a valid one passes without connecting anywhere
f="$CW_TMP/ok.properties"
printf '%s\n' name=ok "${J//|/$'\n'}" insert.mode=upsert pk.mode=kafka delete.enabled=false >"$f"
"$CW_WORKER" --validate "$W" "$f" >"$CW_TMP/ok.out" 2>&1 || { cat "$CW_TMP/ok.out" >&2; cw_fail "a valid configuration was refused"; }
echo "jdbc validate ok: $n configurations refused"
