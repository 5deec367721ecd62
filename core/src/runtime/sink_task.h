/*
 * A sink task (internal to the runtime): KafkaConsumer in group connect-<name> -> records (zero
 * copy) -> transform chain -> plugin put; flush (pre-commit) tells which offsets are durable
 * and only those are committed. Everything of one task, including librdkafka's rebalance
 * callback (served from rd_kafka_consumer_poll), runs on the task's thread.
 *
 * sink_task.c runs the loop, sink_subscribe.c subscribes (topics or topics.regex), sink_batch.c
 * consumes and hands records to put, sink_commit.c follows the assignment and commits what
 * flush reports durable.
 */
#ifndef CW_RUNTIME_SINK_TASK_H
#define CW_RUNTIME_SINK_TASK_H
#include <librdkafka/rdkafka.h>

#include "chain.h"
#include "errors.h"
#include "runtime/client_stats.h"
#include "runtime/task.h"
#include "topic_match.h"

#define CW_SINK_BATCH_MAX 500
#define CW_SINK_BATCH_WAIT_MS 100

typedef struct {
    char *topic;
    int32_t partition;
    int64_t position;  /* offset after the last record put (or skipped); INVALID: none */
    int64_t committed; /* last committed offset; INVALID: none */
} cw_sink_tp_t;

typedef struct {
    cw_record_t *r;
    int skip; /* dropped by a transform or handed to the error reporter */
} cw_sink_item_t;

typedef struct cw_sink {
    cw_task_env_t *t;
    const cw_sink_ops_t *ops;
    rd_kafka_t *rk;
    void *state;
    int started;
    int final_done;       /* the stop's final flush + commit already happened */
    int coordinator_lost; /* a commit timed out: the group coordinator is unreachable */
    int no_flush;         /* a flush, commit, open or close failed: no further flush */
    int64_t deadline;     /* stopping: when the shutdown budget runs out (0: none) */
    cw_chain_t *chain;
    cw_errors_t *errors;
    cw_sink_tp_t *tps;
    size_t ntps, captps;
    cw_sink_item_t *batch; /* consumed, not yet accepted by put */
    size_t nbatch, capbatch;
    int batch_ready; /* chain applied, waiting for put */
    int paused;
    long assign_gen, revoke_gen;
    int64_t next_catchup_check;
    cw_topic_match_t *match;  /* topics.regex, or NULL for a topics list */
    char **matched;           /* the topics subscribed for topics.regex (sorted) */
    int64_t regex_refresh_ms; /* the consumer's topic.metadata.refresh.interval.ms */
    int64_t next_regex_refresh;
    cw_client_stats_t *stats; /* the consumer's statistics: lag, bytes, connections */
    int regex_listed; /* topics.regex: the topic list was read at least once */
} cw_sink_t;

/* sink_subscribe.c */
/** Subscribes to `topics`, or to the topics `topics.regex` matches whole (Java syntax, the
 *  SDK's PCRE2 regex) among the cluster's. Returns 0, or -1 with err (a pattern that does
 *  not compile, a refused subscription). */
int cw_sink_subscribe(cw_sink_t *s, char *err, size_t errsz);
/** topics.regex: 1 when the last topic list read matched no topic (so the consumer is
 *  subscribed to nothing and never joins its group); 0 otherwise or before a list was read. */
int cw_sink_matches_nothing(const cw_sink_t *s);
/** topics.regex: picks again when regex_refresh_ms has passed since the last pick. */
void cw_sink_refresh_due(cw_sink_t *s);
/** Now: topics.regex picks again; a topics list makes librdkafka compare with the cluster. */
void cw_sink_refresh_topics(cw_sink_t *s);
/** The consumer's topic.metadata.refresh.interval.ms (read before rd_kafka_new). */
int64_t cw_sink_refresh_interval(rd_kafka_conf_t *conf);
void cw_sink_subscription_free(cw_sink_t *s);

/* sink_batch.c */
/** Consumes one message into the batch; returns 1 when a record was added. */
int cw_sink_take_message(cw_sink_t *s, rd_kafka_message_t *m);
/** Up to CW_SINK_BATCH_MAX records, waiting at most CW_SINK_BATCH_WAIT_MS for more. */
void cw_sink_consume_batch(cw_sink_t *s);
/** Runs the chain over batch[i] / the whole batch. Returns 0, or -1 when the task failed. */
int cw_sink_transform_one(cw_sink_t *s, size_t i);
int cw_sink_transform_batch(cw_sink_t *s);
/** Offers the batch to put: CW_OK (positions advanced, batch emptied), CW_ERR_RETRIABLE (batch
 *  kept) or CW_ERR_FATAL (task failed). */
int cw_sink_put_batch(cw_sink_t *s);
void cw_sink_batch_free(cw_sink_t *s);
/** Records of a partition taken away are dropped: its new owner consumes them again. */
void cw_sink_batch_drop_partition(cw_sink_t *s, const char *topic, int32_t partition);
/** Batch mode: every assigned partition consumed to its high watermark? */
int cw_sink_caught_up(cw_sink_t *s);

/* sink_commit.c */
cw_sink_tp_t *cw_sink_tp_find(cw_sink_t *s, const char *topic, int32_t partition);
/** Flush (pre-commit) for tps[idx[0..n)], then commit synchronously what the plugin reports
 *  durable. Returns CW_OK, CW_ERR_RETRIABLE or CW_ERR_FATAL (task failed). */
int cw_sink_flush_commit(cw_sink_t *s, const size_t *idx, size_t n, int final);
int cw_sink_flush_commit_all(cw_sink_t *s, int final);
/** The consumer's rebalance callback (opaque: the cw_sink_t). */
void cw_sink_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                       rd_kafka_topic_partition_list_t *parts, void *opaque);
/** Calls the plugin's close for every assigned partition (the consumer cannot leave the
 *  group cleanly). */
void cw_sink_close_all(cw_sink_t *s);
void cw_sink_set_paused(cw_sink_t *s, int pause, const char *why);
/** Sets sink_record_active_count: records read whose offsets are not committed. */
void cw_sink_metrics_active(cw_sink_t *s);
#endif
