/* http-source internals shared by its files: the settings, one HTTP produce request and the
 * state the HTTP threads (server.c) and the task thread (http_source.c) share. */
#ifndef HS_H
#define HS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "connect-worker/plugin.h"

extern const cw_host_t *hs_host;

typedef struct hs_settings {
    char *bind_address;
    int64_t port;
    char *tls_cert_file, *tls_key_file;
    char *auth_file, *auth_realm;
    int64_t max_body_bytes;
    int64_t max_in_flight;      /* requests accepted and not yet freed */
    int64_t request_timeout_ms; /* wait for Kafka before a 503 */
    int64_t retry_after_s;
    int64_t threads;
    int64_t max_records; /* records per request */
} hs_settings_t;

/* The API a request came in through: decides the body and the answer's shape. */
typedef enum hs_api {
    HS_API_REST = 0,        /* POST /topics/{t}[/partitions/{p}] */
    HS_API_KINESIS_ONE = 1, /* PUT /streams/{s}/record */
    HS_API_KINESIS_MANY = 2 /* PUT /streams/{s}/records */
} hs_api_t;

/* A key or value as parsed on an HTTP thread: JSON text (json.v2, Kinesis), exactly as the
 * client sent it, inside the request's body (hs_req_t.raw), or raw bytes (binary.v2, owned).
 * Both NULL: a null key / value. */
typedef struct hs_data {
    const char *json; /* borrowed from the request's raw body */
    char *bytes;
    size_t len;
} hs_data_t;

/* One record of a request: parsed on an HTTP thread; the end Kafka reported. */
typedef struct hs_rec {
    hs_data_t key, value;
    int32_t partition; /* CW_PARTITION_ANY: the producer's partitioner */
    /* the end (task thread, under the lock) */
    int done;
    int32_t out_partition;
    int64_t out_offset;
    int error_code; /* REST Proxy's per-record code; 0: none */
    char *error;    /* owned */
    int retriable;  /* not written for a reason a retry may fix: the request answers 503 */
} hs_rec_t;

enum hs_req_state { HS_QUEUED = 0, HS_POLLED, HS_ANSWERED };

/* One produce request. Owned by the shared state; freed when the HTTP side is done with it
 * (conn_done) and no record of it is still in the worker (outstanding 0). */
typedef struct hs_req {
    struct hs_req *next, *prev; /* the `live` list; `qnext`: the queue of unpolled ones */
    struct hs_req *qnext;
    struct MHD_Connection *conn;
    hs_api_t api;
    char *topic;           /* the URL's topic or stream */
    int32_t url_partition; /* /partitions/{p}, else CW_PARTITION_ANY */
    char *raw;             /* the body; the records' JSON texts point into it */
    hs_rec_t *recs;
    size_t n, ndone, outstanding;
    int state;
    int conn_done;
    int64_t deadline_ms, started_ms;
    size_t bytes;
    /* the answer, set once (any thread, under the lock); queued by the HTTP thread */
    int status;
    char *body;
    size_t body_len;
} hs_req_t;

typedef struct hs_metrics hs_metrics_t;

/* The state of one task: settings, server, queue. */
typedef struct hs_state {
    cw_ctx_t *ctx;
    hs_settings_t set;
    hs_metrics_t *metrics;
    struct hs_auth *auth;
    struct MHD_Daemon *daemon;
    char *tls_cert, *tls_key; /* PEM text for libmicrohttpd */
    uint16_t bound_port;

    pthread_mutex_t mu;
    pthread_cond_t cond;     /* a request was queued */
    hs_req_t *live;          /* every request not freed yet */
    hs_req_t *qhead, *qtail; /* queued, not polled yet */
    atomic_long in_flight;   /* requests counted against max_in_flight */
    size_t outstanding;      /* records handed to the worker, not acknowledged */
    atomic_int closing;      /* stop began: answer 503 to anything new */

    struct hs_ptrmap *map; /* record pointer -> request and index (task thread only) */
} hs_state_t;

int64_t hs_now_ms(void);

/* settings.c */
void hs_settings_check(const cw_config_t *config, cw_validation_t *v, hs_settings_t *out);
void hs_settings_free(hs_settings_t *s);

/* auth.c: the basic-auth credentials file */
struct hs_auth *hs_auth_load(const char *file, char *errstr, size_t errstr_size);
/* 1 when user/password match an entry (constant time in the password). */
int hs_auth_check(const struct hs_auth *a, const char *user, const char *password);
void hs_auth_free(struct hs_auth *a);

/* body.c: request bodies in, answers out */
/* Parses a produce body. Returns 0, or the HTTP status (400, 422) with the REST Proxy error
 * code and message in *code and why. The records' JSON texts point into `body`: on success
 * the caller hands it to r->raw (it must outlive the records' hs_data_t). */
int hs_parse_body(hs_req_t *r, const char *media, const char *body, size_t len, int64_t max_records,
                  int *code, char *why, size_t why_size);
/* The answer of a request whose records all ended: sets r->status and r->body. */
void hs_answer_build(hs_req_t *r, int retry_after_s);
/* An error answer {"error_code":code,"message":msg}; owned text. */
char *hs_error_json(int code, const char *msg, size_t *len);
void hs_req_free(hs_req_t *r);
void hs_data_clear(hs_data_t *d);
/* GET /topics (topic NULL: the list of names) or GET /topics/{topic} in REST Proxy v2's shape,
 * from host->kafka_metadata's JSON; NULL when the topic does not exist. */
struct json_t *hs_metadata_answer(struct json_t *md, const char *topic);

/* server.c */
int hs_server_start(hs_state_t *s, char *errstr, size_t errstr_size);
/* Sets the answer of r (under the lock) and wakes its connection. */
void hs_req_answer_locked(hs_state_t *s, hs_req_t *r);
/* Frees r when nothing refers to it any more (under the lock). */
void hs_req_release_locked(hs_state_t *s, hs_req_t *r);
void hs_queue_remove_locked(hs_state_t *s, hs_req_t *r);
void hs_server_stop(hs_state_t *s);

/* metrics.c */
hs_metrics_t *hs_metrics_new(cw_ctx_t *ctx);
void hs_metrics_request(hs_metrics_t *m, int status, double seconds, size_t bytes);
void hs_metrics_records(hs_metrics_t *m, size_t received, size_t written, size_t failed);
void hs_metrics_in_flight(hs_metrics_t *m, long n);
void hs_metrics_free(hs_metrics_t *m);

/* ptrmap.c: record pointer -> (request, index), used on the task thread only */
struct hs_ptrmap *hs_ptrmap_new(void);
int hs_ptrmap_put(struct hs_ptrmap *m, const void *key, hs_req_t *r, size_t idx);
/* Removes the entry; returns 1 with *r and *idx when found. */
int hs_ptrmap_take(struct hs_ptrmap *m, const void *key, hs_req_t **r, size_t *idx);
void hs_ptrmap_free(struct hs_ptrmap *m);

#endif
