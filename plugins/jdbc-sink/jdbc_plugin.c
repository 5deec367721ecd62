/* The jdbc-sink module: a Confluent JdbcSinkConnector compatible sink for MySQL/MariaDB
 * (MariaDB Connector/C) and PostgreSQL (libpq). */
#include <dlfcn.h>
#include <mysql.h>
#include <stdio.h>
#include "connect-worker/plugin.h"
#include "jdbc_sink.h"

static const char *const jdbc_aliases[] = {"io.confluent.connect.jdbc.JdbcSinkConnector",
                                           "JdbcSinkConnector", NULL};

static const cw_sink_ops_t jdbc_sink_ops = {
    CW_SINK_OPS_HEADER,       .start = jdbc_task_start, .open = jdbc_task_open,
    .close = jdbc_task_close, .put = jdbc_task_put,     .flush = jdbc_task_flush,
    .stop = jdbc_task_stop,
};

static const cw_plugin_t jdbc_sink_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SINK,
    .name = "jdbc-sink",
    .aliases = jdbc_aliases,
    .version = "0.1.0",
    .description = "Writes JSON records into MySQL/MariaDB or PostgreSQL tables (insert, "
                   "upsert, update, delete), compatible with Confluent's JDBC sink connector.",
    .config = jdbc_config_defs,
    .validate = jdbc_validate,
    .sink = &jdbc_sink_ops,
};

static const cw_plugin_t *const jdbc_plugins[] = {&jdbc_sink_plugin, NULL};

static int jdbc_module_init(const cw_host_t *host, char *errstr, size_t errstr_size) {
    /* not thread-safe: must run once before any task thread uses the library */
    if (mysql_library_init(0, NULL, NULL) != 0) {
        snprintf(errstr, errstr_size, "MariaDB Connector/C failed to initialise");
        return CW_ERR_FATAL;
    }
    /* libpq keeps its TLS socket BIO method in a static it never frees: pin the library
     * (already loaded as our dependency) so that unloading this module does not strand
     * that allocation (LeakSanitizer reports it otherwise) */
    if (!dlopen("libpq.so.5", RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE))
        host->log(NULL, CW_LOG_DEBUG, "libpq.so.5 could not be pinned: %s", dlerror());
    jdbc_host = host;
    return CW_OK;
}

static void jdbc_module_fini(void) { mysql_library_end(); }

static const cw_module_t jdbc_module = {
    CW_MODULE_HEADER,         .name = "jdbc-sink",      .plugins = jdbc_plugins,
    .init = jdbc_module_init, .fini = jdbc_module_fini,
};

CW_MODULE_ENTRY(jdbc_module)
