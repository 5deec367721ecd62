/* Error handling per task: tolerate or stop, log, dead letter queue. */
#include "errors.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "record.h"
#include "runtime/task_metrics.h"

const cw_config_def_t cw_errors_defs[] = {
    {"errors.tolerance", CW_CFG_STRING, "none", 0,
     "none: the first failing record stops the task (nothing is committed past it); all: "
     "failing records are skipped (logged and/or sent to the dead letter queue).",
     "none,all", 0, 0},
    {"errors.log.enable", CW_CFG_BOOL, "false", 0,
     "Log each failing record (topic, partition, offset, stage, reason) at ERROR level.", NULL, 0,
     0},
    {"errors.log.include.messages", CW_CFG_BOOL, "false", 0,
     "Also log the failing record's key and value (they may hold personal data).", NULL, 0, 0},
    {"errors.deadletterqueue.topic.name", CW_CFG_STRING, "", 0,
     "Sink connectors: topic that receives failing records with their original key, value "
     "and headers (errors.tolerance=all). Empty: no dead letter queue.",
     NULL, 0, 0},
    {"errors.deadletterqueue.topic.replication.factor", CW_CFG_INT, "3", 0,
     "Replication factor used when the worker creates the dead letter queue topic (capped "
     "at the number of brokers).",
     NULL, 1, 32767},
    {"errors.deadletterqueue.context.headers.enable", CW_CFG_BOOL, "false", 0,
     "Add __connect.errors.* headers (topic, partition, offset, connector name, task id, "
     "stage, class name, exception message) to dead letter queue records.",
     NULL, 0, 0},
    {"errors.retry.timeout", CW_CFG_INT, "0", 0,
     "Accepted for compatibility; retriable plugin errors are always retried with backoff.", NULL,
     0, 0},
    {"errors.retry.delay.max.ms", CW_CFG_INT, "60000", 0,
     "Upper bound of the backoff between retries of a retriable plugin error.", NULL, 1, 86400000},
    CW_CONFIG_END};

struct cw_errors {
    char *connector;
    int task;
    char *class_name;
    int tolerance_all, log_enable, log_messages, context_headers, replication_factor;
    char *dlq_topic;
    rd_kafka_conf_t *dlq_conf;
    rd_kafka_t *dlq;
    int dlq_topic_checked;
    rd_kafka_queue_t *admin_queue;
    char last_fatal[1200];
    long failed_deliveries;
    char last_delivery_error[512];
    long tolerated;
    cw_task_metrics_t *tm;
};

cw_errors_t *cw_errors_new(const char *connector, int task, const char *class_name,
                           const cw_config_t *config, rd_kafka_conf_t *dlq_conf) {
    cw_errors_t *e = calloc(1, sizeof *e);
    if (!e) abort();
    e->connector = strdup(connector);
    e->task = task;
    e->class_name = strdup(class_name ? class_name : "");
    const char *tol = cw_config_get(config, "errors.tolerance");
    e->tolerance_all = tol && strcasecmp(tol, "all") == 0;
    e->log_enable = cw_config_get_bool(config, "errors.log.enable", 0);
    e->log_messages = cw_config_get_bool(config, "errors.log.include.messages", 0);
    e->context_headers =
        cw_config_get_bool(config, "errors.deadletterqueue.context.headers.enable", 0);
    e->replication_factor =
        (int)cw_config_get_int(config, "errors.deadletterqueue.topic.replication.factor", 0);
    const char *dlq = cw_config_get(config, "errors.deadletterqueue.topic.name");
    if (dlq && *dlq && dlq_conf) {
        e->dlq_topic = strdup(dlq);
        e->dlq_conf = dlq_conf;
    } else if (dlq_conf) {
        rd_kafka_conf_destroy(dlq_conf);
    }
    return e;
}

void cw_errors_free(cw_errors_t *e) {
    if (!e) return;
    if (e->admin_queue) rd_kafka_queue_destroy(e->admin_queue);
    if (e->dlq) {
        rd_kafka_flush(e->dlq, 5000);
        rd_kafka_destroy(e->dlq);
    } else if (e->dlq_conf) {
        rd_kafka_conf_destroy(e->dlq_conf);
    }
    free(e->connector);
    free(e->class_name);
    free(e->dlq_topic);
    free(e);
}

int cw_errors_tolerant(const cw_errors_t *e) { return e->tolerance_all; }
void cw_errors_set_metrics(cw_errors_t *e, cw_task_metrics_t *tm) {
    if (e) e->tm = tm;
}
long cw_errors_count(const cw_errors_t *e) { return e->tolerated; }

static void dlq_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    cw_errors_t *e = opaque;
    if (m->err) {
        cw_task_metrics_error(e->tm, CW_TASK_ERROR_DLQ_FAILED);
        e->failed_deliveries++;
        snprintf(e->last_delivery_error, sizeof e->last_delivery_error, "%s",
                 rd_kafka_err2str(m->err));
    }
}

/* Kafka Connect creates the dead letter queue topic with the configured replication factor.
 * The request is asynchronous: producing does not wait for it (a cluster that auto-creates
 * topics, like the embedded mock cluster, which does not implement CreateTopics, needs none;
 * on one that does not, the producer retries until the topic exists). The outcome is logged
 * when the reporter next flushes. */
static void dlq_create_topic(cw_errors_t *e) {
    const struct rd_kafka_metadata *md = NULL;
    int brokers = 1;
    if (rd_kafka_metadata(e->dlq, 0, NULL, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        brokers = md->broker_cnt > 0 ? md->broker_cnt : 1;
        rd_kafka_metadata_destroy(md);
    }
    int rf = e->replication_factor < brokers ? e->replication_factor : brokers;
    char err[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(e->dlq_topic, 1, rf, err, sizeof err);
    if (!nt) return;
    e->admin_queue = rd_kafka_queue_new(e->dlq);
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(e->dlq, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(o, 10000, err, sizeof err);
    rd_kafka_CreateTopics(e->dlq, &nt, 1, o, e->admin_queue);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewTopic_destroy(nt);
}

static void dlq_create_topic_result(cw_errors_t *e) {
    if (!e->admin_queue) return;
    rd_kafka_event_t *ev = rd_kafka_queue_poll(e->admin_queue, 0);
    if (!ev) return;
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t **tr = res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
    if (rd_kafka_event_error(ev))
        cw_log(e->connector, e->task, CW_LOG_DEBUG, "creating dead letter queue topic %s: %s",
               e->dlq_topic, rd_kafka_event_error_string(ev));
    else if (n == 1 && rd_kafka_topic_result_error(tr[0]) &&
             rd_kafka_topic_result_error(tr[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        cw_log(e->connector, e->task, CW_LOG_WARN, "creating dead letter queue topic %s: %s",
               e->dlq_topic, rd_kafka_topic_result_error_string(tr[0]));
    else if (n == 1 && !rd_kafka_topic_result_error(tr[0]))
        cw_log(e->connector, e->task, CW_LOG_INFO, "created dead letter queue topic %s",
               e->dlq_topic);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(e->admin_queue);
    e->admin_queue = NULL;
}

static int dlq_send(cw_errors_t *e, cw_record_t *r, const char *stage, const char *cls,
                    const char *reason, char *errstr, size_t errstr_size) {
    if (!e->dlq) {
        char err[512];
        rd_kafka_conf_set_opaque(e->dlq_conf, e);
        rd_kafka_conf_set_dr_msg_cb(e->dlq_conf, dlq_delivered);
        e->dlq = rd_kafka_new(RD_KAFKA_PRODUCER, e->dlq_conf, err, sizeof err);
        if (!e->dlq) {
            snprintf(errstr, errstr_size, "cannot create the dead letter queue producer: %s", err);
            return CW_ERR_FATAL;
        }
        e->dlq_conf = NULL;
    }
    if (!e->dlq_topic_checked) {
        e->dlq_topic_checked = 1;
        dlq_create_topic(e);
    }
    /* The original bytes as consumed, not what the converter or a transform made of them. */
    const void *key = r->rkm ? r->rkm->key : r->key.data;
    size_t key_len = r->rkm ? r->rkm->key_len : r->key.len;
    const void *val = r->rkm ? r->rkm->payload : r->value.data;
    size_t val_len = r->rkm ? r->rkm->len : r->value.len;
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    rd_kafka_headers_t *orig = NULL;
    if (r->rkm && rd_kafka_message_headers(r->rkm, &orig) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *v;
        size_t len;
        for (size_t i = 0;
             rd_kafka_header_get_all(orig, i, &name, &v, &len) == RD_KAFKA_RESP_ERR_NO_ERROR; i++)
            rd_kafka_header_add(h, name, -1, v, (ssize_t)len);
    }
    if (e->context_headers) {
        char num[32];
        /* Where the record was consumed from, as Kafka's (the consumer record), not where a
         * routing transform sent it. */
        rd_kafka_header_add(h, "__connect.errors.topic", -1, cw_record_original_topic(r), -1);
        snprintf(num, sizeof num, "%" PRId32, cw_record_original_partition(r));
        rd_kafka_header_add(h, "__connect.errors.partition", -1, num, -1);
        snprintf(num, sizeof num, "%" PRId64, cw_record_original_offset(r));
        rd_kafka_header_add(h, "__connect.errors.offset", -1, num, -1);
        rd_kafka_header_add(h, "__connect.errors.connector.name", -1, e->connector, -1);
        snprintf(num, sizeof num, "%d", e->task);
        rd_kafka_header_add(h, "__connect.errors.task.id", -1, num, -1);
        rd_kafka_header_add(h, "__connect.errors.stage", -1, stage, -1);
        rd_kafka_header_add(h, "__connect.errors.class.name", -1, cls, -1);
        rd_kafka_header_add(h, "__connect.errors.exception.message", -1, reason, -1);
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        e->dlq, RD_KAFKA_V_TOPIC(e->dlq_topic), RD_KAFKA_V_KEY(key, key ? key_len : 0),
        RD_KAFKA_V_VALUE((void *)val, val ? val_len : 0), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
    cw_task_metrics_error(e->tm, CW_TASK_ERROR_DLQ_SENT);
    if (err) {
        cw_task_metrics_error(e->tm, CW_TASK_ERROR_DLQ_FAILED);
        rd_kafka_headers_destroy(h);
        snprintf(errstr, errstr_size,
                 "cannot send the record of topic %s partition %" PRId32 " offset %" PRId64
                 " to the dead letter queue %s: %s",
                 cw_record_original_topic(r), cw_record_original_partition(r),
                 cw_record_original_offset(r), e->dlq_topic, rd_kafka_err2str(err));
        return CW_ERR_FATAL;
    }
    rd_kafka_poll(e->dlq, 0);
    return CW_OK;
}

int cw_errors_report(cw_errors_t *e, cw_record_t *r, const char *stage, const char *class_name,
                     const char *reason, char *errstr, size_t errstr_size) {
    const char *cls = class_name ? class_name : e->class_name;
    cw_task_metrics_error(e->tm, CW_TASK_ERROR_FAILED);
    if (!e->tolerance_all) {
        if (r->rkm)
            snprintf(errstr, errstr_size,
                     "record of topic %s partition %" PRId32 " offset %" PRId64
                     " failed in stage %s (%s): %s; stopping the task (errors.tolerance=none)",
                     cw_record_original_topic(r), cw_record_original_partition(r),
                     cw_record_original_offset(r), stage, cls, reason);
        else /* a source record has no Kafka offset yet: name where it came from */
            snprintf(errstr, errstr_size,
                     "record for topic %s (source partition %s, source offset %s) failed in "
                     "stage %s (%s): %s; stopping the task (errors.tolerance=none)",
                     r->topic, r->source_partition ? r->source_partition : "none",
                     r->source_offset ? r->source_offset : "none", stage, cls, reason);
        snprintf(e->last_fatal, sizeof e->last_fatal, "%s", errstr);
        return CW_ERR_FATAL;
    }
    e->tolerated++;
    cw_task_metrics_error(e->tm, CW_TASK_ERROR_SKIPPED);
    if (e->log_enable) {
        cw_task_metrics_error(e->tm, CW_TASK_ERROR_LOGGED);
        if (e->log_messages) {
            size_t vlen = 0;
            const char *v = r->rkm ? r->rkm->payload : r->value.data;
            vlen = r->rkm ? r->rkm->len : r->value.len;
            cw_log(e->connector, e->task, CW_LOG_ERROR,
                   "error in stage %s (%s) for record topic=%s partition=%" PRId32
                   " offset=%" PRId64 ": %s; value: %.*s",
                   stage, cls, cw_record_original_topic(r), cw_record_original_partition(r),
                   cw_record_original_offset(r), reason, (int)(vlen > 4096 ? 4096 : vlen),
                   v ? v : "null");
        } else {
            cw_log(e->connector, e->task, CW_LOG_ERROR,
                   "error in stage %s (%s) for record topic=%s partition=%" PRId32
                   " offset=%" PRId64 ": %s",
                   stage, cls, cw_record_original_topic(r), cw_record_original_partition(r),
                   cw_record_original_offset(r), reason);
        }
    }
    if (e->dlq_topic) return dlq_send(e, r, stage, cls, reason, errstr, errstr_size);
    return CW_OK;
}

int cw_errors_flush(cw_errors_t *e, int timeout_ms, char *errstr, size_t errstr_size) {
    if (!e || !e->dlq) return CW_OK;
    dlq_create_topic_result(e);
    rd_kafka_resp_err_t err = rd_kafka_flush(e->dlq, timeout_ms);
    if (err) {
        snprintf(errstr, errstr_size,
                 "the dead letter queue %s did not acknowledge its records within %d ms",
                 e->dlq_topic, timeout_ms);
        return CW_ERR_FATAL;
    }
    if (e->failed_deliveries) {
        snprintf(errstr, errstr_size,
                 "%ld record(s) could not be delivered to the dead letter queue %s: %s",
                 e->failed_deliveries, e->dlq_topic, e->last_delivery_error);
        return CW_ERR_FATAL;
    }
    return CW_OK;
}

const char *cw_errors_last_fatal(const cw_errors_t *e) {
    return e && e->last_fatal[0] ? e->last_fatal : NULL;
}
