/* The REST server (see rest.h): libmicrohttpd daemons, one per listener, that read a request
 * (its body bounded by rest.request.max.bytes), authenticate it, route it and send the
 * handler's response. */
#define _GNU_SOURCE
#include "rest_internal.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "herder.h"
#include "log.h"
#include "runtime/task.h"
#include "worker.h"

/* What one connection's current request has gathered so far. */
typedef struct reqstate {
    char *body;
    size_t len, cap;
    int too_big;
} reqstate_t;

static void add_header(struct MHD_Response *resp, const char *name, const char *value) {
    if (MHD_add_response_header(resp, name, value) != MHD_YES)
        cw_log_debug("REST: cannot add header %s", name);
}

/* Location as JAX-RS writes it: absolute, on the scheme and Host the request came with. */
static void add_location(struct MHD_Connection *c, struct MHD_Response *resp, const char *path) {
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    char *abs = NULL;
    if (host && *host && !strpbrk(host, "\r\n /") &&
        asprintf(&abs, "%s://%s%s", ci && ci->tls_session ? "https" : "http", host, path) > 0) {
        add_header(resp, MHD_HTTP_HEADER_LOCATION, abs);
        free(abs);
        return;
    }
    add_header(resp, MHD_HTTP_HEADER_LOCATION, path);
}

/* Serialises r and queues it; frees what r owns. */
static enum MHD_Result send_resp(struct MHD_Connection *c, cw_rest_resp_t *r) {
    char *buf = NULL;
    size_t len = 0;
    const char *type = r->content_type;
    if (r->json) {
        buf = json_dumps(r->json, JSON_COMPACT);
        json_decref(r->json);
        r->json = NULL;
        if (!buf) {
            r->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
            buf = strdup("{\"error_code\":500,\"message\":\"out of memory\"}");
        }
        len = buf ? strlen(buf) : 0;
        type = "application/json";
    } else if (r->text) {
        buf = r->text;
        len = r->text_len;
        r->text = NULL;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, buf ? buf : (void *)"", buf ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(buf);
        return MHD_NO;
    }
    if (type) add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (r->location) add_location(c, resp, r->location);
    free(r->location);
    r->location = NULL;
    if (r->status == MHD_HTTP_UNAUTHORIZED)
        add_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"connect-worker\"");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *msg) {
    cw_rest_resp_t r = {0};
    cw_rest_error(&r, status, "%s", msg);
    return send_resp(c, &r);
}

/* ssl.client.auth: is the client's certificate (if any) signed by the truststore? */
static int client_cert_ok(const cw_rest_t *rest, struct MHD_Connection *c) {
    if (rest->cfg.client_auth == CW_REST_CLIENT_AUTH_NONE) return 1;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session) return 1; /* a plain http listener */
    gnutls_session_t s = (gnutls_session_t)ci->tls_session;
    unsigned n = 0;
    if (!gnutls_certificate_get_peers(s, &n) || n == 0)
        return rest->cfg.client_auth == CW_REST_CLIENT_AUTH_REQUESTED;
    unsigned status = 0;
    return gnutls_certificate_verify_peers2(s, &status) == 0 && status == 0;
}

/* First call of a request: headers only. Answers at once when it must be refused. */
static enum MHD_Result first_call(cw_rest_t *rest, struct MHD_Connection *c, reqstate_t *st,
                                  int *answered) {
    (void)st;
    *answered = 1;
    if (!client_cert_ok(rest, c))
        return send_error(c, MHD_HTTP_UNAUTHORIZED, "A trusted client certificate is required.");
    if (rest->auth) {
        const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        if (!cw_rest_auth_check(rest->auth, h))
            return send_error(c, MHD_HTTP_UNAUTHORIZED, "User cannot access the resource.");
    }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoll(cl, NULL, 10) > rest->cfg.max_body) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "Request body of %s bytes is larger than rest.request.max.bytes (%lld)", cl,
                 (long long)rest->cfg.max_body);
        return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, msg);
    }
    *answered = 0;
    return MHD_YES;
}

static void append_body(const cw_rest_t *rest, reqstate_t *st, const char *data, size_t n) {
    if (st->too_big || st->len + n > (size_t)rest->cfg.max_body) {
        st->too_big = 1; /* keep reading (and dropping) so that the 413 reaches the client */
        return;
    }
    if (st->len + n + 1 > st->cap) {
        st->cap = (st->len + n + 1) * 2;
        char *nb = realloc(st->body, st->cap);
        if (!nb) abort();
        st->body = nb;
    }
    memcpy(st->body + st->len, data, n);
    st->len += n;
    st->body[st->len] = '\0';
}

static void client_address(struct MHD_Connection *c, char *buf, size_t size) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, size, "?");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)size);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls) {
    cw_rest_t *rest = cls;
    reqstate_t *st = *con_cls;
    (void)version;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        *con_cls = st;
        int answered;
        enum MHD_Result ret = first_call(rest, c, st, &answered);
        return answered ? ret : MHD_YES;
    }
    if (*upload_size) {
        append_body(rest, st, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "Request body is larger than rest.request.max.bytes (%lld)",
                 (long long)rest->cfg.max_body);
        return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, msg);
    }
    int64_t t0 = cw_now_ms();
    cw_rest_req_t q = {.rest = rest,
                       .conn = c,
                       .method = method,
                       .url = url,
                       .body = st->body ? st->body : "",
                       .body_len = st->len};
    cw_rest_resp_t r = {.status = 200};
    cw_rest_route(&q, &r);
    char addr[64];
    client_address(c, addr, sizeof addr);
    /* Kafka logs every request; the path only (never a body or a header). */
    cw_log(NULL, -1, r.status >= 500 ? CW_LOG_WARN : CW_LOG_DEBUG, "REST %s %s %s %d %lld ms", addr,
           method, url, r.status, (long long)(cw_now_ms() - t0));
    return send_resp(c, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)cls;
    (void)c;
    (void)toe;
    reqstate_t *st = *con_cls;
    if (!st) return;
    free(st->body);
    free(st);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    cw_vlog(NULL, -1, CW_LOG_DEBUG, fmt, ap);
}

/* --- starting and stopping --------------------------------------------------------------- */

/* The address of a listener: a numeric address or a name (first result), "" every IPv4
 * interface. */
static int listener_addr(const cw_rest_listener_t *l, struct sockaddr_storage *ss, char *errstr,
                         size_t errstr_size) {
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char port[8];
    snprintf(port, sizeof port, "%d", l->port);
    int rc = getaddrinfo(*l->host ? l->host : "0.0.0.0", port, &hints, &res);
    if (rc) {
        snprintf(errstr, errstr_size, "listener host '%s': %s", l->host, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

static struct MHD_Daemon *start_daemon(cw_rest_t *rest, const cw_rest_listener_t *l, char *errstr,
                                       size_t errstr_size) {
    struct sockaddr_storage ss = {0};
    if (listener_addr(l, &ss, errstr, errstr_size)) return NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (l->https) flags |= MHD_USE_TLS;
    const cw_rest_config_t *c = &rest->cfg;
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, c->tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, c->tls_cert},
        {c->tls_key_password ? MHD_OPTION_HTTPS_KEY_PASSWORD : MHD_OPTION_END, 0,
         c->tls_key_password},
        {MHD_OPTION_END, 0, NULL},
        {MHD_OPTION_END, 0, NULL}};
    struct MHD_OptionItem none[] = {{MHD_OPTION_END, 0, NULL}}; /* http listeners */
    if (c->tls_trust) { /* after the password, or in its place */
        size_t i = c->tls_key_password ? 3 : 2;
        tls[i] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, c->tls_trust};
    }
    unsigned timeout_s = (unsigned)((c->timeout_ms + 999) / 1000);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)l->port, NULL, NULL, on_access, rest, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)c->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, rest, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, rest, MHD_OPTION_ARRAY,
        l->https ? tls : none, MHD_OPTION_END);
    if (!d)
        snprintf(errstr, errstr_size,
                 "REST listener %s://%s:%d cannot be opened (address in use, not local, or a "
                 "bad key/certificate)",
                 l->https ? "https" : "http", *l->host ? l->host : "", l->port);
    return d;
}

static int daemon_port(struct MHD_Daemon *d, int configured) {
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return di && di->port ? di->port : configured;
}

/* Kafka's advertisedUrl: rest.advertised.listener, else http when any listener is http; the
 * advertised host and port, else those of the first listener of that protocol. */
static void make_url(cw_rest_t *rest) {
    const cw_rest_config_t *c = &rest->cfg;
    int https = c->adv_proto ? strcasecmp(c->adv_proto, "https") == 0 : 1;
    for (size_t i = 0; !c->adv_proto && i < c->nlisteners; i++)
        if (!c->listeners[i].https) https = 0;
    size_t pick = 0;
    for (size_t i = 0; i < c->nlisteners; i++)
        if (c->listeners[i].https == https) {
            pick = i;
            break;
        }
    const cw_rest_listener_t *l = &c->listeners[pick];
    char host[300];
    if (c->adv_host)
        snprintf(host, sizeof host, "%s", c->adv_host);
    else if (*l->host)
        snprintf(host, sizeof host, strchr(l->host, ':') ? "[%s]" : "%s", l->host);
    else if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    int port = c->adv_port >= 0 ? c->adv_port : daemon_port(rest->daemons[pick], l->port);
    if (asprintf(&rest->url, "%s://%s:%d/", https ? "https" : "http", host, port) < 0)
        rest->url = NULL;
}

/* Kafka's worker_id is the advertised host:port. A worker with an API keeps running when no
 * task does (a server, as Kafka's) when its listeners were configured or it has no connector
 * to run yet; with the default listener and connector files it ends with its last task, as
 * the command line always did (so scripts and a second worker on the same host behave the
 * same whether or not 127.0.0.1:8083 was free). */
static void adopt_herder(cw_rest_t *rest) {
    cw_herder_t *h = cw_worker_herder(rest->worker);
    if (rest->url) {
        const char *hp = strstr(rest->url, "://");
        char id[320];
        snprintf(id, sizeof id, "%s", hp ? hp + 3 : rest->url);
        size_t n = strlen(id);
        if (n && id[n - 1] == '/') id[n - 1] = '\0';
        cw_herder_set_worker_id(h, id);
    }
    json_t *names = NULL;
    int none = cw_herder_connectors(h, 0, &names) == CW_HERDER_OK && json_array_size(names) == 0;
    json_decref(names);
    if (rest->cfg.explicit_listeners || none) cw_herder_set_keep_running(h, 1);
}

void cw_rest_validate(const struct cw_worker *w, const char *origin, cw_errlist_t *errs) {
    cw_rest_config_t rc;
    cw_rest_config_load(&rc, w->props, w->config, origin, errs);
    cw_rest_config_free(&rc);
}

cw_rest_t *cw_rest_start(struct cw_worker *w, char *errstr, size_t errstr_size) {
    cw_errlist_t errs = {0};
    errstr[0] = '\0';
    cw_rest_t *rest = calloc(1, sizeof *rest);
    if (!rest) abort();
    rest->worker = w;
    rest->started_ms = cw_now_ms();
    pthread_mutex_init(&rest->lock, NULL);
    cw_rest_config_load(&rest->cfg, w->props, w->config, cw_props_origin(w->props), &errs);
    if (errs.count) {
        snprintf(errstr, errstr_size, "%s", errs.items[0]);
        goto fail;
    }
    if (rest->cfg.nlisteners == 0) {
        cw_log_info("REST API off (listeners is empty)");
        goto fail;
    }
    if (rest->cfg.credentials_file &&
        !(rest->auth = cw_rest_auth_new(rest->cfg.credentials_file, errstr, errstr_size)))
        goto fail;
    for (size_t i = 0; i < rest->cfg.nlisteners; i++) {
        const cw_rest_listener_t *l = &rest->cfg.listeners[i];
        rest->daemons[i] = start_daemon(rest, l, errstr, errstr_size);
        if (!rest->daemons[i]) {
            if (!rest->cfg.explicit_listeners) {
                cw_log_warn("%s; running without the REST API (set listeners to choose another "
                            "address)",
                            errstr);
                errstr[0] = '\0';
            }
            goto fail;
        }
        rest->ndaemons++;
        cw_log_info("REST API listening on %s://%s:%d/", l->https ? "https" : "http",
                    *l->host ? l->host : "0.0.0.0", daemon_port(rest->daemons[i], l->port));
    }
    make_url(rest);
    cw_log_info("REST API advertised URL %s", rest->url ? rest->url : "?");
    adopt_herder(rest);
    cw_errlist_free(&errs);
    return rest;
fail:
    cw_errlist_free(&errs);
    cw_rest_stop(rest);
    return NULL;
}

void cw_rest_stop(cw_rest_t *r) {
    if (!r) return;
    for (size_t i = 0; i < r->ndaemons; i++) MHD_stop_daemon(r->daemons[i]);
    cw_rest_auth_free(r->auth);
    cw_rest_config_free(&r->cfg);
    pthread_mutex_destroy(&r->lock);
    free(r->url);
    free(r->cluster_id);
    free(r);
}

const char *cw_rest_url(const cw_rest_t *r) { return r ? r->url : NULL; }
