# Shared setup of the rds tests: common.sh + a MariaDB server + the harness invocation.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/lib/mariadb.sh"
: "${RDS_HARNESS:=$CW_BUILD_DIR/tests/rds/rds-harness}"
export CW_PLUGIN_DIR

# rds_run [harness options and key=value...]: runs one task with the test database's
# connection keys; records on stdout ("topic<TAB>json"), log on stderr.
rds_run() {
    "$RDS_HARNESS" "$@" "connection.url=$CW_DB_URL" "connection.user=$CW_DB_USER" \
        "connection.password=$CW_DB_PASSWORD"
}
