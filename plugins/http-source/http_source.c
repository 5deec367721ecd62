/* http-source: Confluent Kafka REST Proxy v2's produce API (and the seed's Kinesis-style
 * PUTs) as a source connector. An HTTP server (libmicrohttpd, server.c) parses requests on
 * its own threads and queues them; poll turns queued requests into records; the worker
 * transforms, converts and produces them; ack (ABI 2) reports each record's end, and a
 * request is answered once every record of it ended: a 200 means Kafka acknowledged them
 * (acks=all, idempotent producer). See README.md for the delivery guarantee. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "connect-worker/sdk_http.h"
#include "hs.h"

const cw_host_t *hs_host;

int64_t hs_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const cw_config_def_t hs_config[] = {
    {.name = "http.bind.address",
     .type = CW_CFG_STRING,
     .default_value = "127.0.0.1",
     .doc = "Address (or host name) the HTTP server listens on; 0.0.0.0 or :: for every "
            "interface."},
    {.name = "http.port",
     .type = CW_CFG_INT,
     .default_value = "8082",
     .min = 0,
     .max = 65535,
     .doc = "TCP port (REST Proxy's 8082 by default; 0: any free port, logged at start)."},
    {.name = "http.tls.cert.file",
     .type = CW_CFG_STRING,
     .doc = "PEM certificate (chain) for HTTPS; with http.tls.key.file. Unset: plain HTTP."},
    {.name = "http.tls.key.file",
     .type = CW_CFG_STRING,
     .doc = "PEM private key of http.tls.cert.file."},
    {.name = "http.auth.basic.file",
     .type = CW_CFG_STRING,
     .doc = "Basic-auth credentials, one 'user: password[,roles]' per line (REST Proxy's "
            "JAAS property file format). Unset: no authentication."},
    {.name = "http.auth.realm",
     .type = CW_CFG_STRING,
     .default_value = "connect-worker",
     .doc = "Realm named in the 401 answer's WWW-Authenticate header."},
    {.name = "http.max.body.bytes",
     .type = CW_CFG_INT,
     .default_value = "10485760",
     .min = 1,
     .max = 1073741824,
     .doc = "Largest request body accepted; larger ones get 413."},
    {.name = "http.max.requests.in.flight",
     .type = CW_CFG_INT,
     .default_value = "256",
     .min = 1,
     .max = 100000,
     .doc = "Produce requests accepted and not finished (including ones answered 503 whose "
            "records are still with Kafka); beyond it requests get 429 with Retry-After."},
    {.name = "http.request.timeout.ms",
     .type = CW_CFG_INT,
     .default_value = "30000",
     .min = 1,
     .max = 3600000,
     .doc = "How long a request waits for Kafka before it is answered 503 with Retry-After."},
    {.name = "http.retry.after.seconds",
     .type = CW_CFG_INT,
     .default_value = "1",
     .min = 0,
     .max = 3600,
     .doc = "The Retry-After value of 429 and 503 answers."},
    {.name = "http.threads",
     .type = CW_CFG_INT,
     .default_value = "2",
     .min = 1,
     .max = 256,
     .doc = "HTTP server threads (parsing happens on them)."},
    {.name = "http.max.records.per.request",
     .type = CW_CFG_INT,
     .default_value = "10000",
     .min = 1,
     .max = 1000000,
     .doc = "Most records one request may carry (422 beyond)."},
    CW_CONFIG_END,
};

static void hs_validate(cw_ctx_t *ctx, const cw_config_t *config, cw_validation_t *v) {
    (void)ctx;
    hs_settings_check(config, v, NULL);
}

static void state_free(hs_state_t *s) {
    hs_settings_free(&s->set);
    hs_auth_free(s->auth);
    hs_metrics_free(s->metrics);
    hs_ptrmap_free(s->map);
    while (s->live) {
        hs_req_t *r = s->live;
        s->live = r->next;
        hs_req_free(r);
    }
    free(s->tls_cert);
    free(s->tls_key);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int hs_start(cw_ctx_t *ctx, const cw_config_t *config, void **state, char *errstr,
                    size_t errstr_size) {
    hs_state_t *s = calloc(1, sizeof *s);
    if (!s) return CW_ERR_FATAL;
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cond, NULL);
    cw_validation_t *v = hs_host->validation_begin();
    hs_settings_check(config, v, &s->set);
    if (hs_host->validation_end(v, errstr, errstr_size)) {
        state_free(s);
        return CW_ERR_CONFIG;
    }
    if (s->set.auth_file && !(s->auth = hs_auth_load(s->set.auth_file, errstr, errstr_size))) {
        state_free(s);
        return CW_ERR_CONFIG;
    }
    s->metrics = hs_metrics_new(ctx);
    s->map = hs_ptrmap_new();
    int rc = s->map ? hs_server_start(s, errstr, errstr_size) : CW_ERR_FATAL;
    if (rc != CW_OK) {
        state_free(s);
        return rc;
    }
    *state = s;
    return CW_OK;
}

/* Requests that waited longer than http.request.timeout.ms get 503: a queued one is never
 * produced; a polled one's records may still be written (the client's retry then makes a
 * duplicate: at least once). Its slot stays taken until they ended. Under the lock. */
static void expire_locked(hs_state_t *s, int64_t now) {
    char msg[200];
    for (hs_req_t *r = s->live; r; r = r->next) {
        if (r->state == HS_ANSWERED || now < r->deadline_ms) continue;
        if (r->state == HS_QUEUED) hs_queue_remove_locked(s, r);
        snprintf(msg, sizeof msg,
                 "Kafka error: not acknowledged within %" PRId64
                 " ms (http.request.timeout.ms); retry the request",
                 s->set.request_timeout_ms);
        r->status = 503;
        r->body = hs_error_json(50003, msg, &r->body_len);
        hs_req_answer_locked(s, r);
    }
}

/* Waits up to `ms` for a queued request, in slices that notice a stop. Under the lock. */
static void wait_locked(hs_state_t *s, int64_t ms) {
    int64_t until = hs_now_ms() + ms;
    while (!s->qhead && !hs_host->stopping(s->ctx)) {
        int64_t left = until - hs_now_ms();
        if (left <= 0) break;
        if (left > 200) left = 200;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)(left % 1000) * 1000000L;
        ts.tv_sec += left / 1000 + ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->cond, &s->mu, &ts);
    }
}

/* A record that could not be created: it ends at once. Under the lock. */
static void rec_lost_locked(hs_state_t *s, hs_req_t *r, size_t i) {
    r->recs[i].done = 1;
    r->recs[i].error_code = 50002;
    r->recs[i].error = strdup("Kafka error: out of memory");
    r->ndone++;
    r->outstanding--;
    s->outstanding--;
}

/* A key or value into the record. JSON text goes in as the client sent it: JsonConverter
 * writes a plugin's JSON text as it is (it only checks it is JSON, which the body's parse
 * already made sure of), so -89.9787 reaches Kafka as -89.9787 and no tree is built; under
 * StringConverter and ByteArrayConverter it is written as its JSON text, as REST Proxy's
 * JSON serializer writes it ("k" as "k" with its quotes). Raw bytes (binary.v2) become a
 * base64 JSON string under JsonConverter, as Kafka Connect's JsonConverter writes a byte
 * array, and are written as they are otherwise. */
static void set_one(cw_record_t *rec, hs_data_t *d, int is_key) {
    const cw_host_t *h = hs_host;
    void (*set_bytes)(cw_record_t *, const void *, size_t) =
        is_key ? h->record_set_key : h->record_set_value;
    if (!d->bytes) {
        set_bytes(rec, d->json, d->len); /* NULL: a null key / value */
        return;
    }
    cw_data_format_t f = CW_DATA_FORMAT_INIT;
    if ((is_key ? h->record_key_format(rec, &f) : h->record_value_format(rec, &f)) == CW_OK &&
        f.converter == CW_CONVERTER_JSON) {
        cw_sdk_buf_t b = {0};
        cw_sdk_base64_encode(d->bytes, d->len, &b);
        (is_key ? h->record_set_key_json
                : h->record_set_value_json)(rec, json_stringn(b.data ? b.data : "", b.len));
        cw_sdk_buf_free(&b);
    } else {
        set_bytes(rec, d->bytes, d->len);
    }
}

/* The records of one polled request into the batch. */
static void add_records(hs_state_t *s, hs_req_t *r, cw_batch_t *batch) {
    for (size_t i = 0; i < r->n; i++) {
        hs_rec_t *o = &r->recs[i];
        cw_record_t *rec = hs_host->source_record_new(batch, r->topic, o->partition, NULL, NULL);
        if (rec) {
            set_one(rec, &o->key, 1);
            set_one(rec, &o->value, 0);
        }
        hs_data_clear(&o->key);
        hs_data_clear(&o->value);
        if (!rec || hs_ptrmap_put(s->map, rec, r, i) != 0) {
            /* without the map entry its ack cannot be matched: count it lost now */
            pthread_mutex_lock(&s->mu);
            rec_lost_locked(s, r, i);
            pthread_mutex_unlock(&s->mu);
        }
    }
}

static int hs_poll(void *state, cw_batch_t *batch, int timeout_ms, char *errstr,
                   size_t errstr_size) {
    (void)errstr;
    (void)errstr_size;
    hs_state_t *s = state;
    pthread_mutex_lock(&s->mu);
    expire_locked(s, hs_now_ms());
    /* Nothing with Kafka: wait here for a request. Records with Kafka: wait only briefly, so
     * that the worker serves their delivery reports and acks them soon. Never CW_IDLE: a
     * server has no end of its input, not even under --exit-when-caught-up. */
    if (!s->qhead) wait_locked(s, s->outstanding ? 2 : timeout_ms / 2);
    hs_req_t *taken = s->qhead;
    for (hs_req_t *r = taken; r; r = r->qnext) {
        r->state = HS_POLLED;
        r->outstanding = r->n;
        s->outstanding += r->n;
    }
    s->qhead = s->qtail = NULL;
    pthread_mutex_unlock(&s->mu);
    while (taken) {
        hs_req_t *next = taken->qnext;
        taken->qnext = NULL;
        add_records(s, taken, batch);
        free(taken->raw); /* the records hold copies now */
        taken->raw = NULL;
        taken = next;
    }
    return CW_OK;
}

/* REST Proxy's per-record error code for a record that was not written. */
static int error_code_of(const cw_source_ack_t *ack) {
    const char *e = ack->error ? ack->error : "";
    if (strstr(e, "Unknown topic") || strstr(e, "UNKNOWN_TOPIC")) return 40401;
    if (strstr(e, "Unknown partition")) return 40402;
    if (strncmp(e, "error in stage", 14) == 0) return 42207;
    if (strstr(e, "timed out")) return 50003;
    return 50002;
}

static void end_record(hs_rec_t *o, const cw_source_ack_t *ack) {
    o->done = 1;
    if (ack->status == CW_ACK_WRITTEN) {
        o->out_partition = ack->partition;
        o->out_offset = ack->offset;
    } else if (ack->status == CW_ACK_FAILED) {
        o->retriable = !ack->skipped; /* the task stops or stopped: not a verdict on it */
        o->error_code = error_code_of(ack);
        o->error = strdup(o->error_code == 40401 ? "Topic not found."
                          : ack->error           ? ack->error
                                                 : "failed");
    }
}

static void hs_ack(void *state, cw_record_t *record, const cw_source_ack_t *ack) {
    hs_state_t *s = state;
    hs_req_t *r;
    size_t i;
    if (!hs_ptrmap_take(s->map, record, &r, &i)) return;
    pthread_mutex_lock(&s->mu);
    end_record(&r->recs[i], ack);
    r->ndone++;
    r->outstanding--;
    s->outstanding--;
    if (r->ndone == r->n && r->state != HS_ANSWERED) {
        hs_answer_build(r, (int)s->set.retry_after_s);
        hs_req_answer_locked(s, r);
    }
    hs_req_release_locked(s, r);
    pthread_mutex_unlock(&s->mu);
    hs_metrics_records(s->metrics, 0, ack->status == CW_ACK_WRITTEN, ack->status != CW_ACK_WRITTEN);
}

static void hs_stop(void *state) {
    hs_state_t *s = state;
    hs_server_stop(s);
    state_free(s);
}

static const cw_source_ops_t hs_ops = {
    CW_SOURCE_OPS_HEADER, .start = hs_start, .poll = hs_poll, .ack = hs_ack, .stop = hs_stop,
};

static const char *const hs_aliases[] = {"HttpSource", "http-source", "KafkaRestProxySource", NULL};

static const cw_plugin_t hs_plugin = {
    CW_PLUGIN_HEADER,
    .kind = CW_PLUGIN_SOURCE,
    .name = "http-source",
    .aliases = hs_aliases,
    .version = "1.0.0",
    .description = "Kafka REST Proxy v2 produce API (and Kinesis-style PUTs) over HTTP; "
                   "answers once Kafka acknowledged every record",
    .config = hs_config,
    .validate = hs_validate,
    .source = &hs_ops,
};

static const cw_plugin_t *const hs_plugins[] = {&hs_plugin, NULL};

static int hs_init(const cw_host_t *h, char *errstr, size_t errstr_size) {
    if (!CW_HOST_HAS(h, validation_begin)) {
        snprintf(errstr, errstr_size, "http-source needs an ABI 2 worker");
        return CW_ERR_FATAL;
    }
    hs_host = h;
    return CW_OK;
}

static const cw_module_t hs_module = {
    CW_MODULE_HEADER,
    .name = "http-source",
    .plugins = hs_plugins,
    .init = hs_init,
};

CW_MODULE_ENTRY(hs_module)
