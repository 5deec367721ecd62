/* The rds-source module: a Confluent JDBC source compatible connector for MySQL and MariaDB
 * (RDS MySQL, Aurora MySQL) built on MariaDB Connector/C. */
#include <mysql.h>
#include <stddef.h>
#include <stdio.h>
#include "connect-worker/plugin.h"
#include "rds_config.h"
#include "rds_task.h"

static const char *const rds_aliases[] = {"io.confluent.connect.jdbc.JdbcSourceConnector",
                                          "JdbcSourceConnector", "RdsSourceConnector", NULL};

static const cw_source_ops_t rds_source_ops = {
    CW_SOURCE_OPS_HEADER,    .task_configs = rds_task_configs,
    .start = rds_task_start, .poll = rds_task_poll,
    .stop = rds_task_stop,
};

static const cw_plugin_t rds_source_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SOURCE,
    .name = "rds-source",
    .aliases = rds_aliases,
    .version = "0.1.0",
    .description = "Copies MySQL/MariaDB (RDS) tables into Kafka topics as JSON rows, "
                   "compatible with Confluent's JDBC source connector.",
    .config = rds_config_defs,
    .validate = rds_settings_validate,
    .source = &rds_source_ops,
};

static const cw_plugin_t *const rds_plugins[] = {&rds_source_plugin, NULL};

static int rds_module_init(const cw_host_t *host, char *errstr, size_t errstr_size) {
    /* not thread-safe: must run once before any task thread uses the library */
    if (mysql_library_init(0, NULL, NULL) != 0) {
        snprintf(errstr, errstr_size, "MariaDB Connector/C failed to initialise");
        return CW_ERR_FATAL;
    }
    rds_host = host;
    return CW_OK;
}

static void rds_module_fini(void) { mysql_library_end(); }

static const cw_module_t rds_module = {
    CW_MODULE_HEADER,        .name = "rds-source",    .plugins = rds_plugins,
    .init = rds_module_init, .fini = rds_module_fini,
};

CW_MODULE_ENTRY(rds_module)
