/* The connector's task split (Kafka Connect's Connector.taskConfigs): which tables each
 * task copies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rds_buf.h"
#include "rds_config.h"
#include "rds_conn.h"
#include "rds_table.h"
#include "rds_task.h"

int rds_task_configs(cw_ctx_t *ctx, const cw_config_t *cfg, int max_tasks, cw_task_split_t *split,
                     char *errstr, size_t n) {
    const cw_host_t *h = rds_host;
    rds_settings_t s;
    int rc = rds_settings_load(h, cfg, &s, errstr, n);
    if (rc != CW_OK) return rc;
    if (s.query) {
        rds_settings_free(&s);
        return 1;
    }
    MYSQL *db = NULL;
    char **names = NULL;
    size_t count = 0;
    rc = rds_connect(h, ctx, &s, (int)s.attempts, &db, errstr, n);
    if (rc == CW_OK) {
        rc = rds_tables_discover(db, &s, &names, &count, errstr, n);
        mysql_close(db);
    } else if (rc == CW_ERR_RETRIABLE && s.whitelist) {
        /* the database is down: split the whitelist as written; each task checks its tables
         * when it starts and retries its own connection with backoff */
        h->log(ctx, CW_LOG_WARN,
               "%s; splitting table.whitelist unchecked, the tasks will "
               "keep trying to connect",
               errstr);
        size_t k = 0;
        while (s.whitelist[k]) k++;
        names = calloc(k + 1, sizeof *names);
        for (size_t i = 0; names && i < k; i++) {
            const char *dot = strchr(s.whitelist[i], '.');
            const char *bare =
                dot && strncmp(s.whitelist[i], s.url.database, strlen(s.url.database)) == 0 &&
                        s.whitelist[i] + strlen(s.url.database) == dot
                    ? dot + 1
                    : s.whitelist[i];
            names[i] = strdup(bare);
            if (!names[i]) {
                rds_names_free(names);
                names = NULL;
                break;
            }
        }
        if (!names) {
            snprintf(errstr, n, "out of memory");
            rds_settings_free(&s);
            return CW_ERR_FATAL;
        }
        count = k;
        rc = CW_OK;
    }
    if (rc != CW_OK) {
        rds_settings_free(&s);
        return rc;
    }
    int tasks = (int)count < max_tasks ? (int)count : max_tasks;
    if (tasks < 1) tasks = 1;
    cw_sdk_buf_t all = {0};
    for (size_t i = 0; i < count; i++) cw_sdk_buf_printf(&all, "%s%s", i ? "," : "", names[i]);
    char cnt[16];
    snprintf(cnt, sizeof cnt, "%d", tasks);
    /* contiguous groups whose sizes differ by at most one (Kafka Connect's groupPartitions) */
    size_t pos = 0;
    for (int i = 0; i < tasks; i++) {
        size_t take = count / (size_t)tasks + ((size_t)i < count % (size_t)tasks ? 1 : 0);
        cw_sdk_buf_t mine = {0};
        cw_sdk_buf_puts(&mine, "");
        for (size_t j = 0; j < take; j++, pos++)
            cw_sdk_buf_printf(&mine, "%s%s", j ? "," : "", names[pos]);
        h->task_config_set(split, i, "tables", mine.data);
        h->task_config_set(split, i, "rds.task.count", cnt);
        h->task_config_set(split, i, "rds.task.known.tables", all.data ? all.data : "");
        cw_sdk_buf_free(&mine);
    }
    h->log(ctx, CW_LOG_INFO, "%zu table(s) over %d task(s)", count, tasks);
    cw_sdk_buf_free(&all);
    rds_names_free(names);
    rds_settings_free(&s);
    return tasks;
}
