/*
 * A sink task's thread: set-up, the consume/put/commit loop, batch mode, stop.
 *
 * Back-pressure: when put returns CW_ERR_RETRIABLE the assigned partitions are paused and the
 * same records are offered again after a capped exponential backoff. Meanwhile
 * rd_kafka_consumer_poll keeps being called, which keeps the group membership alive and
 * serves rebalances, but returns no records for paused partitions: memory stays bounded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime/sink_task.h"

typedef struct {
    int resubscribed;
    int64_t resub_deadline;
    long resub_gen;
} catchup_t;

/* Backing off: the consumer keeps being polled (membership, rebalances). A paused partition
 * returns nothing; a record still arriving joins the batch, in order, so the next attempt
 * offers it too. */
static void serve_consumer(void *opaque, int ms) {
    cw_sink_t *s = opaque;
    rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, ms);
    if (m && cw_sink_take_message(s, m)) {
        cw_task_metrics_read(s->t->tm, 1);
        cw_sink_transform_one(s, s->nbatch - 1);
    }
}

/* The connector is paused (herder.h): what earlier puts made durable is committed, then the
 * consumer is paused and only polled (membership, rebalances: partitions assigned meanwhile
 * are paused too) until resumed. Nothing is put meanwhile; a record fetched before the pause
 * waits in the batch. */
static void pause_consumer(cw_sink_t *s) {
    if (cw_sink_flush_commit_all(s, 0) == CW_ERR_FATAL) return;
    cw_sink_set_paused(s, 1, "the connector is paused");
    cw_task_pause_wait(s->t, serve_consumer, s);
    if (!cw_task_stopping(s->t)) cw_sink_set_paused(s, 0, "the connector is resumed");
}

/* Batch mode: a caught-up task stays in its group (paused, serving rebalances) until every
 * sink task of the worker is caught up too. Leaving at once would make the group rebalance
 * under the others, whose offset commits the coordinator then refuses until they rejoin.
 * Returns 1 when everyone is done, 0 when a rebalance gave this task partitions again (or it
 * is told to stop before). */
static int wait_for_other_sinks(cw_sink_t *s) {
    long gen = s->assign_gen;
    cw_sink_set_paused(s, 1, "caught up, waiting for the other sink tasks");
    atomic_store(&s->t->waiting, 1);
    int done = 0;
    while (!cw_task_stopping(s->t) && !cw_task_failed(s->t)) {
        if (s->t->sinks_caught_up(s->t->opaque)) {
            done = 1;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, 100);
        if (m && cw_sink_take_message(s, m)) {
            cw_task_metrics_read(s->t->tm, 1);
            cw_sink_transform_one(s, s->nbatch - 1);
            s->batch_ready = 1; /* offered to put as it is, not transformed again */
        }
        if ((s->assign_gen != gen && s->ntps > 0) || s->nbatch > 0) break;
    }
    atomic_store(&s->t->waiting, 0);
    if (!done) cw_sink_set_paused(s, 0, "new records to consume");
    return done || cw_task_stopping(s->t);
}

/* Batch mode with a topics.regex that matches no topic: the consumer is subscribed to
 * nothing, never joins its group, and so never gets an assignment to judge. Once the topic
 * list read again (the sources may have created topics) still matches nothing, the task is
 * caught up on zero partitions. Returns 1 when done, 0 to go on. */
static int caught_up_on_nothing(cw_sink_t *s) {
    if (cw_now_ms() < s->next_catchup_check) return 0;
    s->next_catchup_check = cw_now_ms() + 500;
    cw_sink_refresh_topics(s);
    if (!cw_sink_matches_nothing(s)) return 0; /* subscribed now: judged after the join */
    cw_log(s->t->connector, s->t->id, CW_LOG_INFO,
           "caught up on zero partitions: topics.regex '%s' matches no topic of the cluster",
           cw_config_get(s->t->config, "topics.regex"));
    if (!wait_for_other_sinks(s)) return 0;
    atomic_store(&s->t->state, CW_TASK_DONE);
    return 1;
}

/* Batch mode, once this worker's sources are done: is this task finished? Returns 1 when it
 * is (or failed), 0 to go on consuming. */
static int batch_mode_step(cw_sink_t *s, catchup_t *c) {
    if (s->assign_gen == 0 && cw_sink_matches_nothing(s)) return caught_up_on_nothing(s);
    if (!c->resubscribed) {
        /* The sources of this worker may have created topics this consumer has not seen yet.
         * A metadata request for all topics makes librdkafka compare the subscription with
         * the cluster and rejoin the group when it changed (topics.regex: picks again); give
         * that rebalance a moment to start before judging the assignment. Not while the first join is still under way:
         * a rejoin in the middle of it can leave a stale member the coordinator then waits
         * for. */
        if (s->assign_gen == 0) return 0;
        c->resubscribed = 1;
        cw_sink_refresh_topics(s);
        c->resub_gen = s->assign_gen + s->revoke_gen;
        c->resub_deadline = cw_now_ms() + 3000;
        return 0;
    }
    if (c->resub_deadline && s->assign_gen + s->revoke_gen == c->resub_gen &&
        cw_now_ms() < c->resub_deadline)
        return 0;
    if (s->ntps == 0 && s->revoke_gen > 0 && s->assign_gen <= s->revoke_gen) return 0;
    if (s->assign_gen == 0 || cw_now_ms() < s->next_catchup_check) return 0;
    s->next_catchup_check = cw_now_ms() + 500;
    if (s->nbatch != 0 || !cw_sink_caught_up(s)) return 0;
    int frc = cw_sink_flush_commit_all(s, 1);
    if (frc == CW_ERR_FATAL) return 1;
    if (frc != CW_OK) return 0;
    cw_log(s->t->connector, s->t->id, CW_LOG_INFO,
           "caught up: every assigned partition is consumed to its end and committed");
    if (wait_for_other_sinks(s)) {
        atomic_store(&s->t->state, CW_TASK_DONE);
        return 1;
    }
    cw_log(s->t->connector, s->t->id, CW_LOG_INFO,
           "new partitions assigned while waiting: consuming again");
    return 0;
}

/* Consume, transform, put, commit until stopped, failed or (batch mode) done. */
static void run_loop(cw_sink_t *s) {
    cw_task_env_t *t = s->t;
    int64_t next_flush = cw_now_ms() + t->flush_interval_ms, backoff = 100;
    catchup_t c = {.resubscribed = !t->batch_mode || atomic_load(t->sources_running) == 0};
    while (!cw_task_stopping(t) && !cw_task_failed(t)) {
        if (atomic_load(&t->pause)) {
            pause_consumer(s);
            continue;
        }
        cw_sink_refresh_due(s);
        if (!s->batch_ready) {
            cw_sink_consume_batch(s);
            if (cw_task_failed(t) || cw_sink_transform_batch(s)) break;
        }
        int rc = cw_sink_put_batch(s);
        if (rc == CW_ERR_FATAL) break;
        if (rc == CW_ERR_RETRIABLE) {
            cw_sink_set_paused(s, 1, "the sink asked for back-pressure");
            cw_log(t->connector, t->id, CW_LOG_DEBUG,
                   "put asked for back-pressure; retry in %" PRId64 " ms", backoff);
            cw_task_metrics_error(t->tm, CW_TASK_ERROR_RETRY);
            cw_task_wait(t, backoff, serve_consumer, s);
            backoff = cw_task_backoff_next(backoff, 10000);
        } else {
            backoff = 100;
            cw_sink_set_paused(s, 0, "the sink took the records");
        }
        /* Commits go on while paused: what earlier puts made durable since is committed (the
         * pending batch is not part of the positions). */
        if (cw_now_ms() >= next_flush && !cw_task_failed(t)) {
            if (cw_sink_flush_commit_all(s, 0) == CW_ERR_FATAL) break;
            next_flush = cw_now_ms() + t->flush_interval_ms;
        }
        if (rc == CW_OK && t->batch_mode && atomic_load(t->sources_running) == 0 &&
            batch_mode_step(s, &c))
            break;
    }
}

/* librdkafka's statistics report, served by rd_kafka_consumer_poll on the task thread. */
static int consumer_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    (void)rk;
    return cw_client_stats_json(((cw_sink_t *)opaque)->stats, json, len);
}

/* The consumer (and the dead letter queue's producer configuration, for the error reporter).
 * Returns 0, or -1 with err. */
static int create_consumer(cw_sink_t *s, const char *group, char *err, size_t errsz) {
    cw_task_env_t *t = s->t;
    char client_id[300], cerr[512];
    snprintf(client_id, sizeof client_id, "connector-consumer-%s-%d", t->connector, t->id);
    rd_kafka_conf_t *dlq_conf = t->kafka_conf(t->opaque, "producer", client_id, err, errsz);
    rd_kafka_conf_t *conf =
        dlq_conf ? t->kafka_conf(t->opaque, "consumer", client_id, err, errsz) : NULL;
    if (!conf) {
        if (dlq_conf) rd_kafka_conf_destroy(dlq_conf);
        return -1;
    }
    if (rd_kafka_conf_set(dlq_conf, "enable.idempotence", "true", cerr, sizeof cerr) ||
        rd_kafka_conf_set(conf, "group.id", group, cerr, sizeof cerr) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", cerr, sizeof cerr) ||
        rd_kafka_conf_set(conf, "enable.partition.eof", "false", cerr, sizeof cerr)) {
        rd_kafka_conf_destroy(conf);
        rd_kafka_conf_destroy(dlq_conf);
        snprintf(err, errsz, "consumer configuration: %s", cerr);
        return -1;
    }
    s->errors = cw_errors_new(t->connector, t->id, t->plugin->name, t->config, dlq_conf);
    cw_errors_set_metrics(s->errors, t->tm);
    t->ctx.errors = s->errors;
    s->regex_refresh_ms = cw_sink_refresh_interval(conf);
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_conf_set_rebalance_cb(conf, cw_sink_rebalance);
    s->stats = cw_client_stats_new(t->tm, client_id, 1, conf);
    if (s->stats) rd_kafka_conf_set_stats_cb(conf, consumer_stats);
    s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, cerr, sizeof cerr);
    if (!s->rk) {
        snprintf(err, errsz, "cannot create the consumer: %s", cerr);
        return -1;
    }
    rd_kafka_poll_set_consumer(s->rk);
    t->ctx.kafka_consumer = s->rk; /* host->kafka_cluster_id */
    return 0;
}

/* Leaves the group: after a lost coordinator without librdkafka's consumer close, which would
 * need the coordinator too (the group drops this member after its session timeout; destroying
 * the handle may still wait for the unanswered commit, which the worker's shutdown timeout
 * bounds, exit code 5). Otherwise the close revokes the partitions through the callback:
 * close, after the final flush and commit. */
static void leave_group(cw_sink_t *s) {
    cw_sink_batch_free(s);
    cw_client_stats_final(s->stats, s->rk); /* closing revokes the partitions */
    if (s->coordinator_lost) {
        s->t->ctx.kafka_consumer = NULL;
        cw_sink_close_all(s);
        rd_kafka_destroy_flags(s->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        s->rk = NULL;
    } else {
        rd_kafka_consumer_close(s->rk);
    }
}

static void sink_free(cw_sink_t *s) {
    cw_sink_batch_free(s);
    cw_chain_free(s->chain);
    cw_errors_free(s->errors);
    s->t->ctx.errors = NULL;
    s->t->ctx.kafka_consumer = NULL;
    if (s->rk) rd_kafka_destroy(s->rk);
    for (size_t i = 0; i < s->ntps; i++) free(s->tps[i].topic);
    free(s->tps);
    free(s->batch);
    cw_sink_subscription_free(s);
    cw_client_stats_free(s->stats);
}

void *cw_sink_task_run(void *arg) {
    cw_task_env_t *t = arg;
    cw_sink_t s = {.t = t, .ops = t->plugin->sink};
    char err[1024] = "", group[300];
    snprintf(group, sizeof group, "connect-%s", t->connector);
    if (!t->tm) t->tm = cw_task_metrics_new(t->ctx.metrics, t->connector, t->id, 0);
    if (create_consumer(&s, group, err, sizeof err) != 0 ||
        !(s.chain = cw_chain_new(t->conn_props, t->registry, &t->ctx, err, sizeof err)))
        cw_task_fail(t, "%s", err);
    else
        s.started = cw_task_start_plugin(t, s.ops->start, &s.state, NULL, NULL);
    if (s.started && cw_sink_subscribe(&s, err, sizeof err) != 0) cw_task_fail(t, "%s", err);
    if (s.started && !cw_task_failed(t)) {
        cw_log(t->connector, t->id, CW_LOG_INFO, "sink task started in consumer group %s", group);
        run_loop(&s);
        /* Stopping: everything below shares the worker's shutdown budget. As in Kafka
         * Connect, a task that failed in put or in a transform still flushes (and commits)
         * what earlier puts made durable; not after a failed flush, commit, open or close. */
        s.deadline = cw_now_ms() + t->shutdown_timeout_ms - 500;
        if (!s.no_flush && atomic_load(&t->state) != CW_TASK_DONE) cw_sink_flush_commit_all(&s, 1);
        s.final_done = 1;
    }
    cw_task_doing(t, "leaving the consumer group");
    if (s.rk) leave_group(&s);
    cw_task_doing(t, "the plugin's stop");
    if (s.started && s.ops->stop) s.ops->stop(s.state);
    sink_free(&s);
    if (atomic_load(&t->state) == CW_TASK_RUNNING) atomic_store(&t->state, CW_TASK_DONE);
    cw_log(t->connector, t->id, CW_LOG_INFO, "sink task stopped%s",
           cw_task_failed(t) ? " with an error" : "");
    return NULL;
}
