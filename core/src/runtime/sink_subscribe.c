/* A sink task's subscription: the `topics` list as given, or `topics.regex` as Kafka's
 * consumer reads it, a java.util.regex pattern matching whole topic names. librdkafka's own
 * pattern subscription would read it as POSIX ERE (no \d, (?i), lazy quantifiers or
 * lookahead), so the names come from the cluster's metadata, the SDK's PCRE2 regex picks
 * (topic_match.c) and the consumer subscribes to that list, picked again at every
 * topic.metadata.refresh.interval.ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime/sink_task.h"

/* Subscribes to the matching topics when they changed. A failed metadata request keeps the
 * current subscription and is retried within a second. */
static void refresh_regex(cw_sink_t *s) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(s->rk, 1, NULL, &md, 5000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        cw_log(s->t->connector, s->t->id, CW_LOG_WARN,
               "topics.regex: cannot read the topic list (%s); retrying", rd_kafka_err2str(e));
        s->next_regex_refresh = cw_now_ms() + 1000;
        return;
    }
    s->next_regex_refresh = cw_now_ms() + s->regex_refresh_ms;
    s->regex_listed = 1;
    const char **names = calloc((size_t)md->topic_cnt + 1, sizeof *names);
    size_t n = 0;
    for (int i = 0; names && i < md->topic_cnt; i++)
        if (!md->topics[i].err) names[n++] = md->topics[i].topic;
    char **list = names ? cw_topic_match_select(s->match, names, n, &n) : NULL;
    free(names);
    rd_kafka_metadata_destroy(md);
    if (!list || cw_topic_match_same(list, s->matched)) {
        cw_topic_match_free_list(list);
        return;
    }
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(n ? (int)n : 1);
    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(sub, list[i], RD_KAFKA_PARTITION_UA);
    e = n ? rd_kafka_subscribe(s->rk, sub) : rd_kafka_unsubscribe(s->rk);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        cw_log(s->t->connector, s->t->id, CW_LOG_WARN, "topics.regex: cannot subscribe: %s",
               rd_kafka_err2str(e));
        cw_topic_match_free_list(list);
        return;
    }
    cw_log(s->t->connector, s->t->id, CW_LOG_INFO, "topics.regex '%s' matches %zu topic(s)%s%s",
           cw_config_get(s->t->config, "topics.regex"), n, n ? ", first " : "", n ? list[0] : "");
    cw_topic_match_free_list(s->matched);
    s->matched = list;
}

int cw_sink_matches_nothing(const cw_sink_t *s) {
    return s->match && s->regex_listed && (!s->matched || !s->matched[0]);
}

void cw_sink_refresh_topics(cw_sink_t *s) {
    if (s->match) {
        refresh_regex(s);
        return;
    }
    /* A metadata request for all topics makes librdkafka compare the subscription with the
     * cluster and rejoin the group when it changed. */
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(s->rk, 1, NULL, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_metadata_destroy(md);
}

void cw_sink_refresh_due(cw_sink_t *s) {
    if (s->match && cw_now_ms() >= s->next_regex_refresh) refresh_regex(s);
}

int64_t cw_sink_refresh_interval(rd_kafka_conf_t *conf) {
    char v[32];
    size_t sz = sizeof v;
    if (rd_kafka_conf_get(conf, "topic.metadata.refresh.interval.ms", v, &sz) == RD_KAFKA_CONF_OK &&
        atoll(v) > 0)
        return atoll(v);
    return 300000; /* librdkafka's and Java's metadata.max.age.ms default */
}

int cw_sink_subscribe(cw_sink_t *s, char *err, size_t errsz) {
    const char *regex = cw_config_get(s->t->config, "topics.regex");
    if (regex && *regex) {
        if (!(s->match = cw_topic_match_new(regex, err, errsz))) return -1;
        refresh_regex(s);
        return 0;
    }
    size_t n = 0;
    const char *const *topics = cw_config_get_list(s->t->config, "topics", &n);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(n ? (int)n : 1);
    for (size_t i = 0; topics && i < n; i++)
        rd_kafka_topic_partition_list_add(sub, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        snprintf(err, errsz, "cannot subscribe: %s", rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

void cw_sink_subscription_free(cw_sink_t *s) {
    cw_topic_match_destroy(s->match);
    cw_topic_match_free_list(s->matched);
    s->match = NULL;
    s->matched = NULL;
}
