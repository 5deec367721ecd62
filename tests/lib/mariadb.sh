# Starts a real MariaDB server for a test, in $CW_TMP, on 127.0.0.1 and a free port, with a
# real user and password (so bad-credential tests are real). Source after common.sh:
#   . "$CW_SOURCE_DIR/tests/lib/mariadb.sh"
#   cw_start_mariadb            # sets CW_DB_PORT CW_DB_USER CW_DB_PASSWORD CW_DB_NAME CW_DB_URL
#   cw_sql "SELECT 1"           # runs SQL as that user in that database
#   cw_stop_mariadb / cw_restart_mariadb (same data dir and port)
# With CW_DB_TLS=1 set before cw_start_mariadb the server also speaks TLS with a certificate
# for 127.0.0.1 signed by a test CA ($CW_DB_DIR/ca.pem).
# The server is stopped by common.sh's cleanup trap (its pid is in CW_PIDS).

CW_DB_USER=cwuser
CW_DB_PASSWORD='S3cret-pw_9'
CW_DB_NAME=cwdb

_cw_mariadbd() {
    local mariadbd
    mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
    # tests run as root in CI: mariadbd refuses root unless told. connect-timeout: a TLS
    # handshake from an AddressSanitizer build with slow malloc unwinding (the test command's
    # ASAN_OPTIONS) takes more than the default 10 s on a loaded machine.
    "$mariadbd" --no-defaults --user="$(id -un)" --datadir="$CW_DB_DIR/data" \
        --socket="$CW_DB_DIR/sock" --port="$CW_DB_PORT" --bind-address=127.0.0.1 \
        --pid-file="$CW_DB_DIR/pid" --log-error="$CW_DB_DIR/error.log" --tmpdir="$CW_DB_DIR/tmp" \
        --innodb-buffer-pool-size=64M --innodb-log-file-size=48M --skip-log-bin \
        --innodb-flush-log-at-trx-commit=2 --max-connections=50 --connect-timeout=60 \
        --performance-schema=OFF --skip-name-resolve --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_general_ci ${CW_DB_TLS_ARGS:-} \
        >>"$CW_DB_DIR/stdout.log" 2>&1 &
    CW_DB_PID=$!
    CW_PIDS+=("$CW_DB_PID")
    cw_wait_for 60 "mariadbd on port $CW_DB_PORT" \
        mariadb --no-defaults -uroot --socket="$CW_DB_DIR/sock" -e 'SELECT 1'
}

cw_start_mariadb() {
    CW_DB_DIR="$CW_TMP/mariadb"
    mkdir -p "$CW_DB_DIR/data"
    CW_DB_PORT=$(cw_free_port)
    if [ "${CW_DB_TLS:-0}" = 1 ]; then
        cw_make_certs "$CW_DB_DIR"
        CW_DB_TLS_ARGS="--ssl-ca=$CW_DB_DIR/ca.pem --ssl-cert=$CW_DB_DIR/server.pem --ssl-key=$CW_DB_DIR/server.key"
    fi
    # a tmpdir of its own: concurrent bootstraps sharing /tmp clash on temporary tables
    mkdir -p "$CW_DB_DIR/tmp"
    TMPDIR="$CW_DB_DIR/tmp" mariadb-install-db --no-defaults --user="$(id -un)" \
        --datadir="$CW_DB_DIR/data" \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$CW_DB_DIR/install.log" 2>&1 || { cat "$CW_DB_DIR/install.log" >&2; cw_fail "mariadb-install-db"; }
    _cw_mariadbd
    mariadb --no-defaults -uroot --socket="$CW_DB_DIR/sock" <<SQL
CREATE DATABASE $CW_DB_NAME;
CREATE USER '$CW_DB_USER'@'127.0.0.1' IDENTIFIED BY '$CW_DB_PASSWORD';
CREATE USER '$CW_DB_USER'@'localhost' IDENTIFIED BY '$CW_DB_PASSWORD';
GRANT ALL ON $CW_DB_NAME.* TO '$CW_DB_USER'@'127.0.0.1';
GRANT ALL ON $CW_DB_NAME.* TO '$CW_DB_USER'@'localhost';
SQL
    CW_DB_URL="jdbc:mysql://127.0.0.1:$CW_DB_PORT/$CW_DB_NAME"
    export CW_DB_PORT CW_DB_USER CW_DB_PASSWORD CW_DB_NAME CW_DB_URL
}

# cw_sql SQL...: runs SQL as the test user over TCP (as a client would), batch output.
cw_sql() {
    mariadb --no-defaults --default-character-set=utf8mb4 --batch --skip-column-names -h127.0.0.1 -P"$CW_DB_PORT" \
        -u"$CW_DB_USER" -p"$CW_DB_PASSWORD" "$CW_DB_NAME" -e "$*"
}

# cw_sql_raw SQL...: as cw_sql, but values unescaped (--raw: a backslash stays one backslash).
cw_sql_raw() {
    mariadb --no-defaults --default-character-set=utf8mb4 --batch --raw --skip-column-names \
        -h127.0.0.1 -P"$CW_DB_PORT" -u"$CW_DB_USER" -p"$CW_DB_PASSWORD" "$CW_DB_NAME" -e "$*"
}

# cw_sql_file FILE: runs the statements of FILE (or stdin with -) as the test user.
cw_sql_file() {
    mariadb --no-defaults --default-character-set=utf8mb4 --batch -h127.0.0.1 -P"$CW_DB_PORT" -u"$CW_DB_USER" \
        -p"$CW_DB_PASSWORD" "$CW_DB_NAME" <"$1"
}

cw_stop_mariadb() {
    mariadb-admin --no-defaults -uroot --socket="$CW_DB_DIR/sock" shutdown 2>/dev/null ||
        kill "$CW_DB_PID" 2>/dev/null || true
    wait "$CW_DB_PID" 2>/dev/null || true
}

cw_restart_mariadb() {
    cw_stop_mariadb
    _cw_mariadbd
}
