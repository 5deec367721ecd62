/* errors.tolerance, error logging and the dead letter queue (Kafka Connect's error handling). */
#ifndef CW_ERRORS_H
#define CW_ERRORS_H
#include <librdkafka/rdkafka.h>
#include "connect-worker/plugin.h"

/* Kafka Connect's stage names, written to __connect.errors.stage. */
#define CW_STAGE_KEY_CONVERTER "KEY_CONVERTER"
#define CW_STAGE_VALUE_CONVERTER "VALUE_CONVERTER"
#define CW_STAGE_TRANSFORMATION "TRANSFORMATION"
#define CW_STAGE_TASK_PUT "TASK_PUT"
#define CW_STAGE_TASK_POLL "TASK_POLL"
#define CW_STAGE_KAFKA_PRODUCE "KAFKA_PRODUCE"

typedef struct cw_errors cw_errors_t;

/** The errors.* keys every connector accepts (part of the connector key table). */
extern const cw_config_def_t cw_errors_defs[];

/** Reads errors.* from the connector config. `dlq_conf` (owned by the reporter; may be NULL
 *  for source connectors, which have no dead letter queue in Kafka Connect) is the producer
 *  configuration for the dead letter queue; the producer is created on first use.
 *  `class_name` names the connector's plugin in context headers. */
cw_errors_t *cw_errors_new(const char *connector, int task, const char *class_name,
                           const cw_config_t *config, rd_kafka_conf_t *dlq_conf);
void cw_errors_free(cw_errors_t *e);

/** One failed record. With errors.tolerance=all: logs it (errors.log.enable), sends its
 *  ORIGINAL key/value bytes and headers to the dead letter queue when one is configured, and
 *  returns CW_OK (skip the record). With none: returns CW_ERR_FATAL and writes into errstr
 *  a sentence naming topic, partition, offset, stage and reason. `class_name` NULL means the
 *  connector's class. */
int cw_errors_report(cw_errors_t *e, cw_record_t *r, const char *stage, const char *class_name,
                     const char *reason, char *errstr, size_t errstr_size);

/** Non-zero when errors.tolerance=all. */
int cw_errors_tolerant(const cw_errors_t *e);

/** Waits until the dead letter queue acknowledged everything sent so far (before committing
 *  offsets past those records). Returns CW_OK or CW_ERR_FATAL with errstr. */
int cw_errors_flush(cw_errors_t *e, int timeout_ms, char *errstr, size_t errstr_size);

/** The message of the last record that stopped the task (errors.tolerance=none) through
 *  cw_errors_report, or NULL: a sink returning CW_ERR_FATAL after report_bad_record is
 *  reported with it, so the error names the record. */
const char *cw_errors_last_fatal(const cw_errors_t *e);

struct cw_task_metrics;
/** The task's metrics (task-error-metrics), updated from now on; NULL: none. Not owned. */
void cw_errors_set_metrics(cw_errors_t *e, struct cw_task_metrics *tm);

/** Number of records tolerated so far (logged/skipped or sent to the DLQ). */
long cw_errors_count(const cw_errors_t *e);
#endif
