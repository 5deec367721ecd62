/* Offsets of a connector (KIP-875): read in any state, altered or reset only when STOPPED.
 * Sinks: the committed offsets of consumer group connect-<name>, through librdkafka's admin
 * API (the group is empty once the connector is stopped). Sources: the worker's offset store
 * (offsets_file.c), written at once. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herder_internal.h"
#include "distributed/dist.h"
#include "json_encode.h"

#define ADMIN_TIMEOUT_MS 30000

static int ofail(char *errstr, size_t errstr_size, int code, const char *fmt, ...) CW_PRINTF(4, 5);
static int ofail(char *errstr, size_t errstr_size, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
    return code;
}

/* op_lock held on success (nothing may resume the connector meanwhile). */
static cw_hconn_t *enter(cw_herder_t *h, const char *name, int modify, int *code, char *errstr,
                         size_t errstr_size) {
    if (!atomic_load(&h->running)) {
        *code = ofail(errstr, errstr_size, 503, "the worker is starting or stopping");
        return NULL;
    }
    pthread_mutex_lock(&h->op_lock);
    cw_hconn_t *hc = cw_herder_find(h, name);
    if (!hc)
        *code = ofail(errstr, errstr_size, 404, "Connector %s not found", name ? name : "");
    else if (modify && (hc->target != CW_TARGET_STOPPED || (hc->c && hc->c->ntasks)))
        *code = ofail(errstr, errstr_size, 400,
                      "Connectors must be in the STOPPED state before their offsets can be "
                      "modified. This can be done for the specified connector by issuing a "
                      "'PUT' request to the '/connectors/%s/stop' endpoint",
                      name);
    else if (!hc->c)
        *code = ofail(errstr, errstr_size, 500,
                      "the configuration of connector %s cannot be used now: %s", name,
                      hc->trace ? hc->trace : "");
    else
        return hc;
    pthread_mutex_unlock(&h->op_lock);
    return NULL;
}

static int done(cw_herder_t *h, int code) {
    pthread_mutex_unlock(&h->op_lock);
    return code;
}

static json_t *message(int sink, const char *what) {
    char text[400];
    if (sink)
        snprintf(text, sizeof text, "The offsets for this connector have been %s successfully",
                 what);
    else
        snprintf(text, sizeof text,
                 "The Connect framework-managed offsets for this connector have been %s "
                 "successfully. However, if this connector manages offsets externally, they will "
                 "need to be manually %s in the system that the connector uses.",
                 what, what);
    return json_pack("{s:s}", "message", text);
}

/* ------------------------------------------------------------------------------------------
 * Sinks: the consumer group through the admin API
 * ---------------------------------------------------------------------------------------- */

static rd_kafka_t *admin(cw_herder_t *h, cw_hconn_t *hc, char *errstr, size_t errstr_size) {
    char id[300], cerr[512];
    snprintf(id, sizeof id, "connector-admin-%s", hc->name);
    rd_kafka_conf_t *conf = cw_worker_kafka_conf(h->w, hc->c, "consumer", id, errstr, errstr_size);
    if (!conf) return NULL;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, cerr, sizeof cerr);
    if (!rk) snprintf(errstr, errstr_size, "cannot create an admin client: %s", cerr);
    return rk;
}

/* Waits for the admin result; NULL with errstr on a timeout or a request error. */
static rd_kafka_event_t *admin_wait(rd_kafka_queue_t *q, const char *what, char *errstr,
                                    size_t errstr_size) {
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 1000);
    if (!ev) {
        snprintf(errstr, errstr_size, "%s: no answer from Kafka", what);
        return NULL;
    }
    if (rd_kafka_event_error(ev)) {
        snprintf(errstr, errstr_size, "%s: %s", what, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

/* The partitions of the connector's topics (its topics list and the topics it was seen
 * consuming), for brokers that list nothing for a group asked without partitions (librdkafka's
 * mock cluster). NULL when there are none. */
static rd_kafka_topic_partition_list_t *known_partitions(rd_kafka_t *rk, cw_hconn_t *hc) {
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(rk, 1, NULL, &md, ADMIN_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return NULL;
    const char *const *topics = cw_config_get_list(hc->c->config, "topics", NULL);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    for (int i = 0; i < md->topic_cnt; i++) {
        const char *t = md->topics[i].topic;
        int wanted = json_object_get(hc->topics, t) != NULL;
        for (size_t k = 0; topics && topics[k] && !wanted; k++) wanted = strcmp(topics[k], t) == 0;
        for (int p = 0; wanted && p < md->topics[i].partition_cnt; p++)
            rd_kafka_topic_partition_list_add(l, t, md->topics[i].partitions[p].id);
    }
    rd_kafka_metadata_destroy(md);
    if (l->cnt) return l;
    rd_kafka_topic_partition_list_destroy(l);
    return NULL;
}

/* The group's committed offsets (a copy), of `parts` or of every partition when NULL; NULL
 * with errstr. */
static rd_kafka_topic_partition_list_t *list_offsets(rd_kafka_t *rk, const char *group,
                                                     const rd_kafka_topic_partition_list_t *parts,
                                                     char *errstr, size_t errstr_size) {
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, parts);
    rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, NULL, q);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_event_t *ev = admin_wait(q, "listing the group's offsets", errstr, errstr_size);
    rd_kafka_topic_partition_list_t *out = NULL;
    if (ev) {
        size_t n = 0;
        const rd_kafka_group_result_t **g = rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
        const rd_kafka_error_t *e = n ? rd_kafka_group_result_error(g[0]) : NULL;
        if (!n || e)
            snprintf(errstr, errstr_size, "listing the offsets of group %s: %s", group,
                     e ? rd_kafka_error_string(e) : "no result");
        else
            out = rd_kafka_topic_partition_list_copy(rd_kafka_group_result_partitions(g[0]));
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    return out;
}

static rd_kafka_topic_partition_list_t *
group_offsets(rd_kafka_t *rk, cw_hconn_t *hc, const char *group, char *errstr, size_t errstr_size) {
    rd_kafka_topic_partition_list_t *l = list_offsets(rk, group, NULL, errstr, errstr_size);
    if (!l || l->cnt) return l;
    rd_kafka_topic_partition_list_t *known = known_partitions(rk, hc);
    if (!known) return l;
    rd_kafka_topic_partition_list_destroy(l);
    l = list_offsets(rk, group, known, errstr, errstr_size);
    rd_kafka_topic_partition_list_destroy(known);
    return l;
}

static int sink_get(cw_herder_t *h, cw_hconn_t *hc, json_t **out, char *errstr, size_t sz) {
    char group[300];
    snprintf(group, sizeof group, "connect-%s", hc->name);
    rd_kafka_t *rk = admin(h, hc, errstr, sz);
    rd_kafka_topic_partition_list_t *l = rk ? group_offsets(rk, hc, group, errstr, sz) : NULL;
    if (rk) rd_kafka_destroy(rk);
    if (!l) return 500;
    json_t *arr = json_array();
    for (int i = 0; i < l->cnt; i++) {
        if (l->elems[i].offset < 0 || l->elems[i].err) continue;
        json_array_append_new(arr, json_pack("{s:{s:s, s:i}, s:{s:I}}", "partition", "kafka_topic",
                                             l->elems[i].topic, "kafka_partition",
                                             (int)l->elems[i].partition, "offset", "kafka_offset",
                                             (json_int_t)l->elems[i].offset));
    }
    rd_kafka_topic_partition_list_destroy(l);
    *out = json_pack("{s:o}", "offsets", arr);
    return 0;
}

/* One entry of a sink alteration, checked as Kafka's SinkUtils does. offset -1: remove. */
static int sink_entry(const json_t *e, const char **topic, int32_t *partition, int64_t *offset,
                      char *errstr, size_t sz) {
    const json_t *p = json_object_get(e, "partition"), *o = json_object_get(e, "offset");
    if (!json_is_object(p))
        return ofail(errstr, sz, 400,
                     "The partition for a sink connector offset cannot be null or missing");
    const json_t *t = json_object_get(p, "kafka_topic"),
                 *pn = json_object_get(p, "kafka_partition");
    if (!t || !pn)
        return ofail(errstr, sz, 400,
                     "The partition for a sink connector offset must contain the keys "
                     "'kafka_topic' and 'kafka_partition'");
    if (!json_is_string(t))
        return ofail(errstr, sz, 400,
                     "Kafka topic names must be valid strings and may not be null");
    char *end = NULL;
    long long v = json_is_integer(pn)  ? json_integer_value(pn)
                  : json_is_string(pn) ? strtoll(json_string_value(pn), &end, 10)
                                       : -1;
    if (v < 0 || v > INT32_MAX || (end && *end))
        return ofail(errstr, sz, 400,
                     "Failed to parse the following Kafka partition value in the provided offsets: "
                     "'%s'. Partition values for sink connectors need to be integers.",
                     json_is_string(pn) ? json_string_value(pn) : "(not a number)");
    *topic = json_string_value(t);
    *partition = (int32_t)v;
    *offset = -1;
    if (json_is_null(o) || !o) return 0;
    const json_t *ko = json_object_get(o, "kafka_offset");
    if (!json_is_object(o) || !ko)
        return ofail(errstr, sz, 400,
                     "The offset for a sink connector should either be null or contain the key "
                     "'kafka_offset'");
    end = NULL;
    v = json_is_integer(ko)  ? json_integer_value(ko)
        : json_is_string(ko) ? strtoll(json_string_value(ko), &end, 10)
                             : -1;
    if (v < 0 || (end && *end))
        return ofail(errstr, sz, 400,
                     "Failed to parse the following Kafka offset value in the provided offsets: "
                     "'%s'. Offset values for sink connectors need to be integers.",
                     json_is_string(ko) ? json_string_value(ko) : "(not a number)");
    *offset = v;
    return 0;
}

/* Commits `set` and deletes `del` for the group; 0 or 500 with errstr naming the partition. */
static int sink_apply(rd_kafka_t *rk, const char *group, rd_kafka_topic_partition_list_t *set,
                      rd_kafka_topic_partition_list_t *del, char *errstr, size_t sz) {
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    int code = 0;
    if (set->cnt) {
        rd_kafka_AlterConsumerGroupOffsets_t *req =
            rd_kafka_AlterConsumerGroupOffsets_new(group, set);
        rd_kafka_AlterConsumerGroupOffsets(rk, &req, 1, NULL, q);
        rd_kafka_AlterConsumerGroupOffsets_destroy(req);
        rd_kafka_event_t *ev = admin_wait(q, "altering the group's offsets", errstr, sz);
        size_t n = 0;
        const rd_kafka_group_result_t **g =
            ev ? rd_kafka_AlterConsumerGroupOffsets_result_groups(
                     rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n)
               : NULL;
        const rd_kafka_topic_partition_list_t *r =
            n ? rd_kafka_group_result_partitions(g[0]) : NULL;
        if (!ev) code = 500;
        for (int i = 0; r && i < r->cnt && !code; i++)
            if (r->elems[i].err)
                code = ofail(errstr, sz, 500, "committing %s [%d] offset %" PRId64 ": %s",
                             r->elems[i].topic, (int)r->elems[i].partition, r->elems[i].offset,
                             rd_kafka_err2str(r->elems[i].err));
        if (ev) rd_kafka_event_destroy(ev);
    }
    if (!code && del->cnt) {
        rd_kafka_DeleteConsumerGroupOffsets_t *req =
            rd_kafka_DeleteConsumerGroupOffsets_new(group, del);
        rd_kafka_DeleteConsumerGroupOffsets(rk, &req, 1, NULL, q);
        rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
        rd_kafka_event_t *ev = admin_wait(q, "deleting the group's offsets", errstr, sz);
        size_t n = 0;
        const rd_kafka_group_result_t **g =
            ev ? rd_kafka_DeleteConsumerGroupOffsets_result_groups(
                     rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &n)
               : NULL;
        const rd_kafka_error_t *e = n ? rd_kafka_group_result_error(g[0]) : NULL;
        if (!ev)
            code = 500;
        else if (e)
            code = ofail(errstr, sz, 500, "deleting the offsets of group %s: %s", group,
                         rd_kafka_error_string(e));
        if (ev) rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    return code;
}

/* body NULL: reset (every committed offset deleted). */
static int sink_change(cw_herder_t *h, cw_hconn_t *hc, const json_t *offsets, char *errstr,
                       size_t sz) {
    char group[300];
    snprintf(group, sizeof group, "connect-%s", hc->name);
    rd_kafka_topic_partition_list_t *set = rd_kafka_topic_partition_list_new(4),
                                    *del = rd_kafka_topic_partition_list_new(4);
    int code = 0;
    size_t i;
    json_t *e;
    json_array_foreach(offsets, i, e) {
        const char *topic = NULL; /* set by sink_entry; initialised for -O2's analysis */
        int32_t part = -1;
        int64_t off = -1;
        if ((code = sink_entry(e, &topic, &part, &off, errstr, sz))) break;
        if (off >= 0)
            rd_kafka_topic_partition_list_add(set, topic, part)->offset = off;
        else
            rd_kafka_topic_partition_list_add(del, topic, part);
    }
    rd_kafka_t *rk = code ? NULL : admin(h, hc, errstr, sz);
    if (!code && !rk) code = 500;
    if (rk && !offsets) {
        rd_kafka_topic_partition_list_t *all = group_offsets(rk, hc, group, errstr, sz);
        if (!all) code = 500;
        for (int k = 0; all && k < all->cnt; k++)
            if (all->elems[k].offset >= 0)
                rd_kafka_topic_partition_list_add(del, all->elems[k].topic,
                                                  all->elems[k].partition);
        if (all) rd_kafka_topic_partition_list_destroy(all);
    }
    if (!code) code = sink_apply(rk, group, set, del, errstr, sz);
    if (rk) rd_kafka_destroy(rk);
    rd_kafka_topic_partition_list_destroy(set);
    rd_kafka_topic_partition_list_destroy(del);
    return code;
}

/* ------------------------------------------------------------------------------------------
 * Sources: the offset store
 * ---------------------------------------------------------------------------------------- */

static int source_change(cw_herder_t *h, cw_hconn_t *hc, const json_t *offsets, char *errstr,
                         size_t sz) {
    cw_offsets_t *o = h->w->offsets;
    size_t i;
    json_t *e, *all = NULL;
    json_array_foreach(offsets, i, e) {
        const json_t *p = json_object_get(e, "partition"), *v = json_object_get(e, "offset");
        if (!json_is_object(p))
            return ofail(errstr, sz, 400, "Source partitions may not be null (entry %zu)", i);
        if (v && !json_is_null(v) && !json_is_object(v))
            return ofail(errstr, sz, 400, "Source offsets must be objects or null (entry %zu)", i);
    }
    if (!offsets) {
        /* Reset: every stored partition gets a null offset (a tombstone in Kafka). */
        char *text = cw_offsets_list(o, hc->name);
        all = text ? json_loads(text, 0, NULL) : NULL;
        free(text);
        if (!all) return ofail(errstr, sz, 500, "the offset store cannot list its offsets");
        json_array_foreach(all, i, e) json_object_set_new(e, "offset", json_null());
        offsets = all;
    }
    json_array_foreach(offsets, i, e) {
        char *p = cw_json_encode(json_object_get(e, "partition"), NULL);
        const json_t *v = json_object_get(e, "offset");
        char *text = v && !json_is_null(v) ? cw_json_encode(v, NULL) : NULL;
        cw_offsets_put(o, hc->name, p, text);
        free(text);
        free(p);
    }
    json_decref(all);
    return cw_offsets_flush(o, errstr, sz) ? 500 : 0;
}

/* ------------------------------------------------------------------------------------------
 * herder.h
 * ---------------------------------------------------------------------------------------- */

int cw_herder_offsets_get(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                          size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_offsets_get(d_, name, out, errstr, errstr_size);
    int code;
    cw_hconn_t *hc = enter(h, name, 0, &code, errstr, errstr_size);
    if (!hc) return code;
    if (hc->c->plugin->kind == CW_PLUGIN_SINK)
        return done(h, sink_get(h, hc, out, errstr, errstr_size));
    char *text = h->w->offsets ? cw_offsets_list(h->w->offsets, hc->name) : NULL;
    json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!arr) return done(h, ofail(errstr, errstr_size, 500, "cannot read the offset store"));
    *out = json_pack("{s:o}", "offsets", arr);
    return done(h, 0);
}

int cw_herder_offsets_alter(cw_herder_t *h, const char *name, const json_t *body, json_t **out,
                            char *errstr, size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_unsupported(errstr, errstr_size);
    const json_t *offsets = json_object_get(body, "offsets");
    if (!json_is_array(offsets) || json_array_size(offsets) == 0)
        return ofail(errstr, errstr_size, 400,
                     "Partitions / offsets need to be provided for an alter offsets request");
    int code;
    cw_hconn_t *hc = enter(h, name, 1, &code, errstr, errstr_size);
    if (!hc) return code;
    int sink = hc->c->plugin->kind == CW_PLUGIN_SINK;
    code = sink ? sink_change(h, hc, offsets, errstr, errstr_size)
                : source_change(h, hc, offsets, errstr, errstr_size);
    if (code == 0) *out = message(sink, "altered");
    return done(h, code);
}

int cw_herder_offsets_reset(cw_herder_t *h, const char *name, json_t **out, char *errstr,
                            size_t errstr_size) {
    cw_dist_t *d_ = cw_dist_of(h->w);
    if (d_) return cw_dist_unsupported(errstr, errstr_size);
    int code;
    cw_hconn_t *hc = enter(h, name, 1, &code, errstr, errstr_size);
    if (!hc) return code;
    int sink = hc->c->plugin->kind == CW_PLUGIN_SINK;
    code = sink ? sink_change(h, hc, NULL, errstr, errstr_size)
                : source_change(h, hc, NULL, errstr, errstr_size);
    if (code == 0) *out = message(sink, "reset");
    return done(h, code);
}
