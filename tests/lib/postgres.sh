# Starts a real PostgreSQL server for a test, in $CW_TMP, on 127.0.0.1 and a free port, with a
# real user and password (scram-sha-256, so bad-credential tests are real). Source after
# common.sh:
#   . "$CW_SOURCE_DIR/tests/lib/postgres.sh"
#   cw_start_postgres           # sets CW_PG_PORT CW_PG_USER CW_PG_PASSWORD CW_PG_NAME CW_PG_URL
#   cw_psql "SELECT 1"          # runs SQL as that user in that database (unaligned, no headers)
#   cw_stop_postgres / cw_restart_postgres (same data dir and port)
# With CW_PG_TLS=1 set before cw_start_postgres the server also speaks TLS with a certificate
# for 127.0.0.1 signed by a test CA ($CW_PG_DIR/ca.pem).
# The server is stopped by common.sh's cleanup trap (its pid is in CW_PIDS).

CW_PG_USER=cwuser
CW_PG_PASSWORD='S3cret-pw_9'
CW_PG_NAME=cwdb

_cw_pg_bin() {
    local b
    for b in "$(pg_config --bindir 2>/dev/null)" /usr/lib/postgresql/*/bin; do
        [ -x "$b/$1" ] && { echo "$b/$1"; return; }
    done
    command -v "$1"
}

# PostgreSQL refuses to run as root: in CI (root) the server runs as the 'nobody' user.
_cw_pg_as() {
    if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

_cw_postgres() {
    _cw_pg_as "$(_cw_pg_bin postgres)" -D "$CW_PG_DIR/data" -p "$CW_PG_PORT" -h 127.0.0.1 \
        -k "$CW_PG_DIR" -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=50 -c shared_buffers=32MB ${CW_PG_TLS_ARGS:-} \
        >>"$CW_PG_DIR/server.log" 2>&1 &
    CW_PG_PID=$!
    CW_PIDS+=("$CW_PG_PID")
    cw_wait_for 60 "postgres on port $CW_PG_PORT" \
        env PGPASSWORD="$CW_PG_PASSWORD" psql -h 127.0.0.1 -p "$CW_PG_PORT" -U "$CW_PG_USER" \
        -d "$CW_PG_NAME" -Atc 'SELECT 1'
}

cw_start_postgres() {
    CW_PG_DIR="$CW_TMP/postgres"
    mkdir -p "$CW_PG_DIR"
    CW_PG_PORT=$(cw_free_port)
    printf '%s\n' "$CW_PG_PASSWORD" >"$CW_PG_DIR/pw"
    if [ "${CW_PG_TLS:-0}" = 1 ]; then
        cw_make_certs "$CW_PG_DIR"
        chmod 600 "$CW_PG_DIR/server.key"   # the server refuses a key others may read
        CW_PG_TLS_ARGS="-c ssl=on -c ssl_cert_file=$CW_PG_DIR/server.pem -c ssl_key_file=$CW_PG_DIR/server.key"
    fi
    if [ "$(id -u)" = 0 ]; then chmod o+x "$CW_TMP"; chown -R nobody "$CW_PG_DIR"; fi
    _cw_pg_as "$(_cw_pg_bin initdb)" -D "$CW_PG_DIR/data" -U "$CW_PG_USER" \
        --pwfile="$CW_PG_DIR/pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
        >"$CW_PG_DIR/initdb.log" 2>&1 || { cat "$CW_PG_DIR/initdb.log" >&2; cw_fail "initdb"; }
    # the bootstrap user owns template1; the test database is created over TCP like a client
    CW_PG_NAME_REAL=$CW_PG_NAME
    CW_PG_NAME=postgres
    _cw_postgres
    CW_PG_NAME=$CW_PG_NAME_REAL
    PGPASSWORD="$CW_PG_PASSWORD" psql -h 127.0.0.1 -p "$CW_PG_PORT" -U "$CW_PG_USER" -d postgres \
        -qAtc "CREATE DATABASE $CW_PG_NAME" || cw_fail "CREATE DATABASE"
    CW_PG_URL="jdbc:postgresql://127.0.0.1:$CW_PG_PORT/$CW_PG_NAME"
    export CW_PG_PORT CW_PG_USER CW_PG_PASSWORD CW_PG_NAME CW_PG_URL
}

# cw_psql SQL...: runs SQL as the test user over TCP: unaligned, tab-separated, no headers.
cw_psql() {
    PGPASSWORD="$CW_PG_PASSWORD" psql -h 127.0.0.1 -p "$CW_PG_PORT" -U "$CW_PG_USER" \
        -d "$CW_PG_NAME" -v ON_ERROR_STOP=1 -qAtF $'\t' -c "$*"
}

# cw_psql_file FILE: runs the statements of FILE as the test user (aligned output).
cw_psql_file() {
    PGPASSWORD="$CW_PG_PASSWORD" psql -h 127.0.0.1 -p "$CW_PG_PORT" -U "$CW_PG_USER" \
        -d "$CW_PG_NAME" -v ON_ERROR_STOP=1 -f "$1"
}

cw_stop_postgres() {
    _cw_pg_as "$(_cw_pg_bin pg_ctl)" -D "$CW_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 ||
        kill "$CW_PG_PID" 2>/dev/null || true
    wait "$CW_PG_PID" 2>/dev/null || true
}

cw_restart_postgres() {
    cw_stop_postgres
    _cw_postgres
}
