/* Request bodies in (REST Proxy v2 produce requests, the seed's Kinesis-style PUTs) and
 * answers out, in the shapes of confluentinc/kafka-rest (ProduceRequest, ProduceResponse,
 * PartitionOffset, ErrorMessage) and of Kinesis' PutRecord / PutRecords. Runs on the HTTP
 * threads (parse) and under the state lock (answers); no state of its own. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "connect-worker/sdk_http.h"
#include "hs.h"
#include "scan.h"

enum { FMT_JSON, FMT_BINARY };

char *hs_error_json(int code, const char *msg, size_t *len) {
    json_t *j = json_pack("{s:i,s:s}", "error_code", code, "message", msg ? msg : "");
    char *out = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (len) *len = out ? strlen(out) : 0;
    return out;
}

void hs_req_free(hs_req_t *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        hs_data_clear(&r->recs[i].key);
        hs_data_clear(&r->recs[i].value);
        free(r->recs[i].error);
    }
    free(r->recs);
    free(r->raw);
    free(r->topic);
    free(r->body);
    free(r);
}

void hs_data_clear(hs_data_t *d) {
    free(d->bytes);
    memset(d, 0, sizeof *d);
}

static void payload_error(char *why, size_t why_size, const char *what, size_t i, const char *err) {
    snprintf(why, why_size, "Payload error. records[%zu].%s: %s", i, what, err);
}

/* A binary.v2 key or value: a base64 JSON string, decoded. An escaped string (rare: base64
 * needs no escapes) is unescaped by jansson. Returns 0 or -1 with why. */
static int take_binary(const char *body, const hs_span_t *sp, hs_data_t *out, const char *what,
                       size_t i, char *why, size_t why_size) {
    if (sp->type == HS_JSON_NONE || sp->type == HS_JSON_NULL) return 0;
    if (sp->type != HS_JSON_STRING) {
        payload_error(why, why_size, what, i,
                      "the key or value of a binary record must be a "
                      "base64 string");
        return -1;
    }
    const char *text = body + sp->off + 1;
    size_t len = sp->len - 2;
    json_t *str = NULL;
    if (memchr(text, '\\', len)) {
        str = json_loadb(body + sp->off, sp->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        text = json_string_value(str);
        len = json_string_length(str);
        if (!text) {
            json_decref(str);
            payload_error(why, why_size, what, i, "not a JSON string");
            return -1;
        }
    }
    cw_sdk_buf_t b = {0};
    char err[200];
    int rc = cw_sdk_base64_decode(text, len, &b, err, sizeof err);
    json_decref(str);
    if (rc) {
        payload_error(why, why_size, what, i, err);
        cw_sdk_buf_free(&b);
        return -1;
    }
    if (!b.data) b.data = calloc(1, 1); /* an empty value is not a null one */
    out->bytes = b.data;
    out->len = b.len;
    return out->bytes ? 0 : -1;
}

/* A JSON key or value: its text in the body, as the client sent it. */
static void take_json(const char *body, const hs_span_t *sp, hs_data_t *out) {
    if (sp->type == HS_JSON_NONE || sp->type == HS_JSON_NULL) return;
    out->json = body + sp->off;
    out->len = sp->len;
}

/* A record's "partition": absent, null, or an integer from 0 to INT32_MAX. */
static int take_partition(const char *body, const hs_span_t *sp, int32_t *out) {
    if (sp->type == HS_JSON_NONE || sp->type == HS_JSON_NULL) return 0;
    if (sp->type != HS_JSON_NUMBER || sp->len > 20) return -1;
    char num[24];
    memcpy(num, body + sp->off, sp->len);
    num[sp->len] = '\0';
    if (strpbrk(num, ".eE")) return -1;
    char *end;
    long long v = strtoll(num, &end, 10);
    if (*end || v < 0 || v > INT32_MAX) return -1;
    *out = (int32_t)v;
    return 0;
}

static int alloc_recs(hs_req_t *r, size_t n, int32_t partition) {
    r->recs = calloc(n ? n : 1, sizeof *r->recs);
    if (!r->recs) return -1;
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        r->recs[i].partition = partition;
        r->recs[i].out_partition = CW_PARTITION_ANY;
        r->recs[i].out_offset = CW_OFFSET_INVALID;
    }
    return 0;
}

/* {"records":[{"key":..,"value":..,"partition":p}, ...]}, scanned: checked in order. */
static int parse_rest(hs_req_t *r, const char *body, const hs_scan_t *sc, int fmt,
                      int64_t max_records, int *code, char *why, size_t why_size) {
    *code = 422;
    if (!sc->saw_records || sc->elems == 0) {
        snprintf(why, why_size, "records must be a non-empty array");
        return 422;
    }
    if ((int64_t)sc->elems > max_records) {
        *code = 42208;
        snprintf(why, why_size,
                 "Too many entries in batch: %zu (http.max.records.per.request "
                 "is %" PRId64 ")",
                 sc->elems, max_records);
        return 422;
    }
    if (alloc_recs(r, sc->n, r->url_partition)) return 500;
    for (size_t i = 0; i < sc->n && i < sc->bad_elem; i++) {
        const hs_scan_rec_t *in = &sc->recs[i];
        hs_rec_t *o = &r->recs[i];
        if (take_partition(body, &in->partition, &o->partition)) {
            snprintf(why, why_size, "records[%zu].partition must be an integer >= 0", i);
            return 422;
        }
        if (fmt == FMT_JSON) {
            take_json(body, &in->key, &o->key);
            take_json(body, &in->value, &o->value);
        } else if (take_binary(body, &in->key, &o->key, "key", i, why, why_size) ||
                   take_binary(body, &in->value, &o->value, "value", i, why, why_size)) {
            *code = 42206;
            return 422;
        }
    }
    if (sc->bad_elem != SIZE_MAX) {
        snprintf(why, why_size, "records[%zu] must be an object", sc->bad_elem);
        return 422;
    }
    return 0;
}

/* Kinesis-style records: Data (any JSON; its JSON text is the value) and PartitionKey (a
 * string; the key, as JSON text). The API Gateway template's spellings are accepted too. */
static int parse_kinesis(hs_req_t *r, const char *body, const hs_scan_t *sc, int64_t max_records,
                         int *code, char *why, size_t why_size) {
    *code = 422;
    if (r->api == HS_API_KINESIS_MANY &&
        (!sc->saw_records || sc->elems == 0 || (int64_t)sc->elems > max_records)) {
        snprintf(why, why_size, "Records must be an array of 1 to %" PRId64 " records",
                 max_records);
        return 422;
    }
    if (alloc_recs(r, sc->n, CW_PARTITION_ANY)) return 500;
    for (size_t i = 0; i < sc->n && i < sc->bad_elem; i++) {
        const hs_scan_rec_t *in = &sc->recs[i];
        if (in->value.type == HS_JSON_NONE ||
            (in->key.type != HS_JSON_NONE && in->key.type != HS_JSON_STRING)) {
            snprintf(why, why_size, "record %zu needs Data and a string PartitionKey", i);
            return 422;
        }
        take_json(body, &in->value, &r->recs[i].value);
        take_json(body, &in->key, &r->recs[i].key);
    }
    if (sc->bad_elem != SIZE_MAX) {
        snprintf(why, why_size, "record %zu must be an object", sc->bad_elem);
        return 422;
    }
    return 0;
}

int hs_parse_body(hs_req_t *r, const char *media, const char *body, size_t len, int64_t max_records,
                  int *code, char *why, size_t why_size) {
    hs_scan_t sc;
    int rc = hs_scan_body(&sc, r->api, body, len, (size_t)max_records);
    if (rc) {
        *code = rc;
        snprintf(why, why_size, "%s", sc.why);
    } else if (!sc.root_object) {
        *code = rc = 422;
        snprintf(why, why_size, "the body must be a JSON object");
    } else if (r->api == HS_API_REST) {
        /* REST Proxy 5.x and 6.x took the bare v2 type as binary */
        int fmt = strcmp(media, "application/vnd.kafka.binary.v2+json") == 0 ||
                          strcmp(media, "application/vnd.kafka.v2+json") == 0
                      ? FMT_BINARY
                      : FMT_JSON;
        rc = parse_rest(r, body, &sc, fmt, max_records, code, why, why_size);
    } else {
        rc = parse_kinesis(r, body, &sc, max_records, code, why, why_size);
    }
    hs_scan_free(&sc);
    if (rc == 500) snprintf(why, why_size, "out of memory");
    return rc;
}

/* Every record ended: the first one that failed for a retriable reason, or NULL. */
static const hs_rec_t *first_retriable(const hs_req_t *r) {
    for (size_t i = 0; i < r->n; i++)
        if (r->recs[i].retriable) return &r->recs[i];
    return NULL;
}

static int all_unknown_topic(const hs_req_t *r) {
    for (size_t i = 0; i < r->n; i++)
        if (r->recs[i].error_code != 40401) return 0;
    return 1;
}

#define GEN_KEY(g, k) yajl_gen_string(g, (const unsigned char *)k, sizeof k - 1)

/* REST Proxy's ProduceResponse, written with yajl's generator as it goes: one answer per
 * request, an entry per record, no tree (a jansson tree of it cost more than parsing the
 * request). Returns 0 with r->body set, or -1 (out of memory). */
static int rest_answer(hs_req_t *r) {
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g) return -1;
    yajl_gen_map_open(g);
    GEN_KEY(g, "offsets");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < r->n; i++) {
        const hs_rec_t *o = &r->recs[i];
        int written = !o->error_code && o->out_offset >= 0;
        yajl_gen_map_open(g);
        GEN_KEY(g, "partition");
        written ? yajl_gen_integer(g, o->out_partition) : yajl_gen_null(g);
        GEN_KEY(g, "offset");
        written ? yajl_gen_integer(g, o->out_offset) : yajl_gen_null(g);
        GEN_KEY(g, "error_code");
        o->error_code ? yajl_gen_integer(g, o->error_code) : yajl_gen_null(g);
        GEN_KEY(g, "error");
        o->error ? yajl_gen_string(g, (const unsigned char *)o->error, strlen(o->error))
                 : yajl_gen_null(g);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    GEN_KEY(g, "key_schema_id");
    yajl_gen_null(g);
    GEN_KEY(g, "value_schema_id");
    yajl_gen_null(g);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    int rc = -1;
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok && (r->body = malloc(len + 1))) {
        memcpy(r->body, buf, len);
        r->body[len] = '\0';
        r->body_len = len;
        rc = 0;
    }
    yajl_gen_free(g);
    return rc;
}

static json_t *rest_offsets(const hs_req_t *r) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const hs_rec_t *o = &r->recs[i];
        int written = !o->error_code && o->out_offset >= 0;
        json_array_append_new(
            a, json_pack("{s:o,s:o,s:o,s:o}", "partition",
                         written ? json_integer(o->out_partition) : json_null(), "offset",
                         written ? json_integer(o->out_offset) : json_null(), "error_code",
                         o->error_code ? json_integer(o->error_code) : json_null(), "error",
                         o->error ? json_string(o->error) : json_null()));
    }
    return a;
}

static json_t *kinesis_entry(const hs_rec_t *o) {
    if (o->error_code)
        return json_pack("{s:s,s:s}", "ErrorCode",
                         o->error_code == 40401 ? "ResourceNotFoundException" : "InternalFailure",
                         "ErrorMessage", o->error ? o->error : "");
    char seq[32], shard[40];
    snprintf(seq, sizeof seq, "%" PRId64, o->out_offset);
    snprintf(shard, sizeof shard, "shardId-%012" PRId32,
             o->out_partition >= 0 ? o->out_partition : 0);
    return json_pack("{s:o,s:s}", "SequenceNumber",
                     o->out_offset >= 0 ? json_string(seq) : json_null(), "ShardId", shard);
}

static json_t *success_body(hs_req_t *r) {
    if (r->api == HS_API_REST)
        return json_pack("{s:o,s:n,s:n}", "offsets", rest_offsets(r), "key_schema_id",
                         "value_schema_id");
    if (r->api == HS_API_KINESIS_ONE) {
        if (r->recs[0].error_code) {
            r->status = 500;
            return json_pack("{s:i,s:s}", "error_code", r->recs[0].error_code, "message",
                             r->recs[0].error ? r->recs[0].error : "");
        }
        return kinesis_entry(&r->recs[0]);
    }
    json_t *recs = json_array();
    int failed = 0;
    for (size_t i = 0; i < r->n; i++) {
        failed += r->recs[i].error_code != 0;
        json_array_append_new(recs, kinesis_entry(&r->recs[i]));
    }
    return json_pack("{s:i,s:o}", "FailedRecordCount", failed, "Records", recs);
}

void hs_answer_build(hs_req_t *r, int retry_after_s) {
    (void)retry_after_s;
    const hs_rec_t *bad = first_retriable(r);
    char msg[1200];
    if (bad) {
        r->status = 503;
        snprintf(msg, sizeof msg, "Kafka error: %s; the request may be retried",
                 bad->error ? bad->error : "not acknowledged");
        r->body = hs_error_json(50003, msg, &r->body_len);
        return;
    }
    if (all_unknown_topic(r)) {
        r->status = 404;
        r->body = hs_error_json(40401, "Topic not found.", &r->body_len);
        return;
    }
    r->status = 200;
    if (r->api == HS_API_REST && rest_answer(r) == 0) return;
    json_t *j = success_body(r);
    r->body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    r->body_len = r->body ? strlen(r->body) : 0;
    json_decref(j);
}

static int in_list(json_t *a, json_int_t v) {
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) if (json_integer_value(x) == v) return 1;
    return 0;
}

/* One partition as REST Proxy v2's GetPartitionResponse. */
static json_t *partition_answer(json_t *p) {
    json_int_t leader = json_integer_value(json_object_get(p, "leader"));
    json_t *isr = json_object_get(p, "isr"), *reps = json_array(), *b;
    size_t i;
    json_array_foreach(json_object_get(p, "replicas"), i, b) {
        json_int_t id = json_integer_value(b);
        json_array_append_new(reps, json_pack("{s:I,s:b,s:b}", "broker", id, "leader", id == leader,
                                              "in_sync", in_list(isr, id)));
    }
    return json_pack("{s:O,s:I,s:o}", "partition", json_object_get(p, "partition"), "leader",
                     leader, "replicas", reps);
}

json_t *hs_metadata_answer(json_t *md, const char *topic) {
    json_t *topics = json_object_get(md, "topics"), *t;
    size_t i;
    if (!topic) {
        json_t *names = json_array();
        json_array_foreach(topics, i, t) {
            const char *name = json_string_value(json_object_get(t, "name"));
            if (name && strncmp(name, "__", 2) != 0 && json_is_null(json_object_get(t, "error")))
                json_array_append_new(names, json_string(name));
        }
        return names;
    }
    json_array_foreach(topics, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        if (!name || strcmp(name, topic) != 0 || !json_is_null(json_object_get(t, "error")))
            continue;
        json_t *parts = json_array(), *p;
        size_t k;
        json_array_foreach(json_object_get(t, "partitions"), k, p)
            json_array_append_new(parts, partition_answer(p));
        return json_pack("{s:s,s:{},s:o}", "name", name, "configs", "partitions", parts);
    }
    return NULL;
}
