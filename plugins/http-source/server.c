/* The HTTP side of http-source: a libmicrohttpd daemon with its own threads. A produce
 * request is checked (auth, path, media type, size, in-flight limit), parsed, queued for the
 * task's poll, and its connection suspended; the task thread sets the answer once Kafka
 * acknowledged every record (or the request timed out, or the task stops) and resumes the
 * connection, and the answer goes out on the HTTP thread. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect-worker/sdk_http.h"
#include "hs.h"
#include "route.h"

/* Per connection and request, MHD's *con_cls. */
typedef struct conn {
    hs_state_t *s;
    int64_t started_ms;
    hs_endpoint_t ep;
    hs_route_t route;
    char media[128];
    cw_sdk_buf_t body;
    int too_large;
    size_t bytes_in; /* body bytes received (counted even when discarded) */
    int slot;        /* holds one of max_in_flight */
    hs_req_t *req;
} conn_t;

static const char *content_type(hs_endpoint_t ep) {
    return ep == HS_EP_KINESIS_ONE || ep == HS_EP_KINESIS_MANY ? "application/x-amz-json-1.1"
                                                               : "application/vnd.kafka.v2+json";
}

static enum MHD_Result send_body(conn_t *c, struct MHD_Connection *mc, int status, const char *body,
                                 size_t len) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(c->ep));
    if (status == 503 || status == 429) {
        char ra[24];
        snprintf(ra, sizeof ra, "%" PRId64, c->s->set.retry_after_s);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    enum MHD_Result rc;
    if (status == 401) {
        rc = MHD_queue_basic_auth_fail_response(
            mc, c->s->set.auth_realm ? c->s->set.auth_realm : "connect-worker", resp);
    } else {
        rc = MHD_queue_response(mc, (unsigned)status, resp);
    }
    MHD_destroy_response(resp);
    hs_metrics_request(c->s->metrics, status, (double)(hs_now_ms() - c->started_ms) / 1000.0,
                       c->bytes_in);
    return rc;
}

static enum MHD_Result send_error(conn_t *c, struct MHD_Connection *mc, int status, int code,
                                  const char *msg) {
    size_t len;
    char *b = hs_error_json(code, msg, &len);
    enum MHD_Result rc = send_body(c, mc, status, b ? b : "", b ? len : 0);
    free(b);
    return rc;
}

/* The checks that need no body. Returns 0 to go on, else the status already queued. */
static int precheck(conn_t *c, struct MHD_Connection *mc, const char *method, const char *url,
                    enum MHD_Result *rc) {
    hs_state_t *s = c->s;
    int code = 0;
    const char *msg = NULL;
    int status = 0;
    if (s->auth) {
        char *pass = NULL;
        char *user = MHD_basic_auth_get_username_password(mc, &pass);
        int ok = hs_auth_check(s->auth, user, pass);
        if (pass) {
            memset(pass, 0, strlen(pass));
            MHD_free(pass);
        }
        if (user) MHD_free(user);
        if (!ok) status = 401, code = 40101, msg = "Unauthorized";
    }
    if (!status) c->ep = hs_route(method, url, &c->route);
    if (status) {
    } else if (atomic_load(&s->closing) || hs_host->stopping(s->ctx)) {
        status = 503, code = 50301, msg = "Service Unavailable: the worker is stopping";
    } else if (c->ep == HS_EP_NOT_FOUND) {
        status = 404, code = 404, msg = "HTTP 404 Not Found";
    } else if (c->ep == HS_EP_BAD_METHOD) {
        status = 405, code = 405, msg = "HTTP 405 Method Not Allowed";
    } else if (c->ep != HS_EP_LIST_TOPICS && c->ep != HS_EP_GET_TOPIC) {
        const char *ct = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Type");
        const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
        if (cw_sdk_http_media_type(ct, c->media, sizeof c->media) != 0) c->media[0] = '?';
        status = hs_media_check(c->ep, c->media, &code, &msg);
        if (!status && cl && strtoll(cl, NULL, 10) > s->set.max_body_bytes)
            status = 413, code = 413, msg = "Request Entity Too Large";
        if (!status && atomic_fetch_add(&s->in_flight, 1) >= s->set.max_in_flight) {
            atomic_fetch_sub(&s->in_flight, 1);
            status = 429, code = 429,
            msg = "Too many requests in flight (http.max.requests.in.flight): retry later";
        } else if (!status) {
            c->slot = 1;
            hs_metrics_in_flight(s->metrics, atomic_load(&s->in_flight));
        }
    }
    if (!status) return 0;
    *rc = send_error(c, mc, status, code, msg);
    return status;
}

/* GET /topics and GET /topics/{t}, from host->kafka_metadata. */
static enum MHD_Result answer_metadata(conn_t *c, struct MHD_Connection *mc) {
    char err[512];
    if (!CW_HOST_HAS(hs_host, kafka_metadata))
        return send_error(c, mc, 500, 500, "the worker gives no Kafka metadata");
    char *text = hs_host->kafka_metadata(
        c->s->ctx, c->ep == HS_EP_GET_TOPIC ? c->route.topic : NULL, 5000, err, sizeof err);
    json_t *md = text ? json_loads(text, 0, NULL) : NULL;
    hs_host->free(text);
    if (!md) return send_error(c, mc, 500, 50002, text ? "Kafka error: bad metadata" : err);
    json_t *out = hs_metadata_answer(md, c->ep == HS_EP_GET_TOPIC ? c->route.topic : NULL);
    json_decref(md);
    if (!out) return send_error(c, mc, 404, 40401, "Topic not found.");
    char *b = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    enum MHD_Result rc = send_body(c, mc, 200, b ? b : "", b ? strlen(b) : 0);
    free(b);
    return rc;
}

/* The body is complete: parse it and queue the request, suspending the connection. */
static enum MHD_Result start_produce(conn_t *c, struct MHD_Connection *mc) {
    hs_state_t *s = c->s;
    hs_req_t *r = calloc(1, sizeof *r);
    if (!r || !(r->topic = strdup(c->route.topic))) {
        free(r);
        return send_error(c, mc, 500, 500, "out of memory");
    }
    r->api = c->ep == HS_EP_PRODUCE       ? HS_API_REST
             : c->ep == HS_EP_KINESIS_ONE ? HS_API_KINESIS_ONE
                                          : HS_API_KINESIS_MANY;
    r->url_partition = c->route.partition >= 0 ? c->route.partition : CW_PARTITION_ANY;
    int code;
    char why[700];
    int st = hs_parse_body(r, c->media, c->body.data ? c->body.data : "", c->body.len,
                           s->set.max_records, &code, why, sizeof why);
    if (st) {
        hs_req_free(r);
        return send_error(c, mc, st, code, why);
    }
    r->raw = c->body.data; /* the records' JSON texts point into it */
    c->body = (cw_sdk_buf_t){0};
    hs_metrics_records(s->metrics, r->n, 0, 0);
    r->conn = mc;
    r->started_ms = c->started_ms;
    r->deadline_ms = hs_now_ms() + s->set.request_timeout_ms;
    c->req = r;
    pthread_mutex_lock(&s->mu);
    r->next = s->live;
    if (s->live) s->live->prev = r;
    s->live = r;
    if (s->qtail)
        s->qtail->qnext = r;
    else
        s->qhead = r;
    s->qtail = r;
    /* suspended under the lock: the task thread resumes under it, never before this */
    MHD_suspend_connection(mc);
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return MHD_YES;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *mc, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls) {
    (void)version;
    conn_t *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) return MHD_NO;
        c->s = cls;
        c->started_ms = hs_now_ms();
        *con_cls = c;
        enum MHD_Result rc;
        if (precheck(c, mc, method, url, &rc)) return rc;
        return MHD_YES;
    }
    if (*upload_size) {
        c->bytes_in += *upload_size;
        if (!c->too_large && c->body.len + *upload_size > (size_t)c->s->set.max_body_bytes) {
            c->too_large = 1;
            cw_sdk_buf_free(&c->body);
        }
        if (!c->too_large && cw_sdk_buf_append(&c->body, upload, *upload_size) != 0)
            c->too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if (c->req) { /* resumed: the answer is there */
        pthread_mutex_lock(&c->s->mu);
        int status = c->req->status;
        char *body = c->req->body;
        size_t len = c->req->body_len;
        c->req->body = NULL;
        pthread_mutex_unlock(&c->s->mu);
        enum MHD_Result rc = send_body(c, mc, status, body ? body : "", body ? len : 0);
        free(body);
        return rc;
    }
    if (c->too_large) return send_error(c, mc, 413, 413, "Request Entity Too Large");
    if (c->ep == HS_EP_LIST_TOPICS || c->ep == HS_EP_GET_TOPIC) return answer_metadata(c, mc);
    return start_produce(c, mc);
}

static void completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
    (void)mc;
    (void)toe;
    hs_state_t *s = cls;
    conn_t *c = *con_cls;
    if (!c) return;
    *con_cls = NULL;
    if (c->req) {
        pthread_mutex_lock(&s->mu);
        c->req->conn_done = 1;
        c->req->conn = NULL;
        hs_req_release_locked(s, c->req);
        pthread_mutex_unlock(&s->mu);
    } else if (c->slot) {
        atomic_fetch_sub(&s->in_flight, 1);
        hs_metrics_in_flight(s->metrics, atomic_load(&s->in_flight));
    }
    cw_sdk_buf_free(&c->body);
    free(c);
}

void hs_req_answer_locked(hs_state_t *s, hs_req_t *r) {
    (void)s;
    if (r->state == HS_ANSWERED) return;
    r->state = HS_ANSWERED;
    if (r->conn) MHD_resume_connection(r->conn);
}

void hs_queue_remove_locked(hs_state_t *s, hs_req_t *r) {
    hs_req_t **p = &s->qhead, *prev = NULL;
    while (*p && *p != r) {
        prev = *p;
        p = &(*p)->qnext;
    }
    if (!*p) return;
    *p = r->qnext;
    if (s->qtail == r) s->qtail = prev;
    r->qnext = NULL;
}

void hs_req_release_locked(hs_state_t *s, hs_req_t *r) {
    if (!r->conn_done || r->outstanding) return;
    if (r->state == HS_QUEUED) hs_queue_remove_locked(s, r);
    if (r->prev)
        r->prev->next = r->next;
    else
        s->live = r->next;
    if (r->next) r->next->prev = r->prev;
    hs_req_free(r);
    atomic_fetch_sub(&s->in_flight, 1);
    hs_metrics_in_flight(s->metrics, atomic_load(&s->in_flight));
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    hs_state_t *s = cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n') line[--n] = '\0';
    hs_host->log(s->ctx, CW_LOG_WARN, "http-source: libmicrohttpd: %s", line);
}

static char *slurp(const char *file, char *errstr, size_t errstr_size) {
    FILE *f = fopen(file, "rb");
    cw_sdk_buf_t b = {0};
    char chunk[4096];
    size_t n;
    if (!f) {
        snprintf(errstr, errstr_size, "http-source: cannot read %s", file);
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) cw_sdk_buf_append(&b, chunk, n);
    fclose(f);
    if (!b.data) snprintf(errstr, errstr_size, "http-source: %s is empty", file);
    return b.data;
}

/* http.bind.address and http.port as a socket address (IPv4 or IPv6, a name resolved). */
static int bind_addr(hs_state_t *s, struct sockaddr_storage *ss, char *errstr, size_t errstr_size) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%" PRId64, s->set.port);
    int e = getaddrinfo(s->set.bind_address, port, &hints, &ai);
    if (e || !ai) {
        snprintf(errstr, errstr_size, "http-source: http.bind.address '%s': %s",
                 s->set.bind_address, gai_strerror(e));
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    return 0;
}

int hs_server_start(hs_state_t *s, char *errstr, size_t errstr_size) {
    struct sockaddr_storage ss;
    if (bind_addr(s, &ss, errstr, errstr_size)) return CW_ERR_CONFIG;
    unsigned flags =
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (s->set.tls_cert_file) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(errstr, errstr_size, "http-source: this libmicrohttpd has no TLS");
            return CW_ERR_CONFIG;
        }
        s->tls_cert = slurp(s->set.tls_cert_file, errstr, errstr_size);
        s->tls_key = s->tls_cert ? slurp(s->set.tls_key_file, errstr, errstr_size) : NULL;
        if (!s->tls_key) return CW_ERR_CONFIG;
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon =
        MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
                         (unsigned)s->set.threads, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_ARRAY,
                         s->tls_cert ? tls : &tls[2], MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(errstr, errstr_size,
                 "http-source: cannot listen on %s port %" PRId64 " (in use, or a bad TLS "
                 "certificate or key)",
                 s->set.bind_address, s->set.port);
        return CW_ERR_RETRIABLE;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->bound_port = info ? info->port : (uint16_t)s->set.port;
    hs_host->log(s->ctx, CW_LOG_INFO, "http-source: listening on %s port %u (%s%s)",
                 s->set.bind_address, (unsigned)s->bound_port, s->tls_cert ? "https" : "http",
                 s->auth ? ", basic auth" : "");
    return CW_OK;
}

/* Stop: nothing new is accepted; every request still unanswered gets a 503 (its records,
 * if any were produced, were acknowledged or failed before stop was called); the answers
 * get a short while to go out, then the daemon stops. */
void hs_server_stop(hs_state_t *s) {
    atomic_store(&s->closing, 1);
    if (!s->daemon) return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    pthread_mutex_lock(&s->mu);
    for (hs_req_t *r = s->live; r; r = r->next) {
        if (r->state == HS_ANSWERED) continue;
        if (r->state == HS_QUEUED) hs_queue_remove_locked(s, r);
        r->status = 503;
        r->body = hs_error_json(50301,
                                "Service Unavailable: the worker stopped before this "
                                "request was written; retry it",
                                &r->body_len);
        hs_req_answer_locked(s, r);
    }
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < 200; i++) { /* up to 2 s for the answers to leave */
        pthread_mutex_lock(&s->mu);
        int pending = s->live != NULL;
        pthread_mutex_unlock(&s->mu);
        if (!pending) break;
        usleep(10000);
    }
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
}
