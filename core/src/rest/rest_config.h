/* The REST server's worker keys (Kafka Connect's names where Kafka has one) and their parsed
 * form: listeners, advertised URL, TLS (PEM only), basic authentication and the limits that
 * keep a slow or hostile client from hurting the worker. */
#ifndef CW_REST_CONFIG_H
#define CW_REST_CONFIG_H
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "props.h"

/* The rows of the REST keys, spliced into cw_worker_defs (worker_defs.c). */
#define CW_REST_DEFAULT_LISTENER "http://127.0.0.1:8083"
#define CW_REST_WORKER_DEFS                                                                        \
    {"listeners",                                                                                  \
     CW_CFG_LIST,                                                                                  \
     NULL,                                                                                         \
     0,                                                                                            \
     "REST API listeners, protocol://host:port (http or https), comma-separated; an empty "        \
     "host binds every interface, port 0 a free port. Default " CW_REST_DEFAULT_LISTENER           \
     " (Kafka binds every interface by default; loopback is safer). 'listeners=' with no "         \
     "value turns the REST API off.",                                                              \
     NULL,                                                                                         \
     0,                                                                                            \
     0},                                                                                           \
        {"rest.host.name",                                                                         \
         CW_CFG_STRING,                                                                            \
         NULL,                                                                                     \
         0,                                                                                        \
         "Deprecated (as in Kafka): the host of the listener when listeners is not set.",          \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"rest.port",                                                                              \
         CW_CFG_INT,                                                                               \
         NULL,                                                                                     \
         0,                                                                                        \
         "Deprecated (as in Kafka): the port of the listener when listeners is not set.",          \
         NULL,                                                                                     \
         0,                                                                                        \
         65535},                                                                                   \
        {"rest.advertised.host.name",                                                              \
         CW_CFG_STRING,                                                                            \
         NULL,                                                                                     \
         0,                                                                                        \
         "Host name of the URL the worker advertises (logged; the worker_id of every state).",     \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"rest.advertised.port",        CW_CFG_INT, NULL, 0,                                       \
         "Port of the advertised URL.", NULL,       0,    65535},                                  \
        {"rest.advertised.listener",                                                               \
         CW_CFG_STRING,                                                                            \
         NULL,                                                                                     \
         0,                                                                                        \
         "Protocol of the advertised URL (http or https).",                                        \
         "http,https",                                                                             \
         0,                                                                                        \
         0},                                                                                       \
        {"listeners.https.",                                                                       \
         CW_CFG_STRING,                                                                            \
         NULL,                                                                                     \
         CW_CFG_F_PREFIX,                                                                          \
         "listeners.https.ssl.*: TLS of https listeners, PEM only: ssl.keystore.type=PEM, "        \
         "ssl.keystore.location (key and certificate chain in one PEM file) or "                   \
         "ssl.keystore.key + ssl.keystore.certificate.chain, ssl.key.password, "                   \
         "ssl.truststore.location or ssl.truststore.certificates, ssl.client.auth "                \
         "(none, requested, required).",                                                           \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"rest.extension.classes",                                                                 \
         CW_CFG_LIST,                                                                              \
         "",                                                                                       \
         0,                                                                                        \
         "REST extensions. Only Kafka's BasicAuthSecurityRestExtension is known: basic "           \
         "authentication against rest.basic.auth.credentials.file or the KafkaConnect entry of "   \
         "rest.basic.auth.jaas.config.",                                                           \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"rest.basic.auth.credentials.file",                                                       \
         CW_CFG_STRING,                                                                            \
         NULL,                                                                                     \
         0,                                                                                        \
         "Basic authentication: a .properties file of user=password lines (the file Kafka's "      \
         "PropertyFileLoginModule reads). Read once at start.",                                    \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"rest.basic.auth.jaas.config",                                                            \
         CW_CFG_STRING,                                                                            \
         NULL,                                                                                     \
         0,                                                                                        \
         "Basic authentication: a JAAS file as Kafka's java.security.auth.login.config; its "      \
         "KafkaConnect entry's PropertyFileLoginModule file=\"...\" option names the "             \
         "credentials file.",                                                                      \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"rest.threads",                                                                           \
         CW_CFG_INT,                                                                               \
         "4",                                                                                      \
         0,                                                                                        \
         "REST server threads (each serves many connections; a slow client holds none).",          \
         NULL,                                                                                     \
         1,                                                                                        \
         64},                                                                                      \
        {"rest.max.connections",                                                                   \
         CW_CFG_INT,                                                                               \
         "64",                                                                                     \
         0,                                                                                        \
         "Open REST connections at most; more are refused.",                                       \
         NULL,                                                                                     \
         1,                                                                                        \
         10000},                                                                                   \
        {"rest.connection.timeout.ms",                                                             \
         CW_CFG_INT,                                                                               \
         "30000",                                                                                  \
         0,                                                                                        \
         "An idle or slow REST connection is closed after this long.",                             \
         NULL,                                                                                     \
         1000,                                                                                     \
         3600000},                                                                                 \
    {                                                                                              \
        "rest.request.max.bytes", CW_CFG_INT, "1048576", 0,                                        \
            "Largest REST request body; a larger one gets 413.", NULL, 1024, 104857600             \
    }

#define CW_REST_MAX_LISTENERS 8

typedef struct cw_rest_listener {
    int https;
    char host[256]; /* "" = every interface */
    int port;       /* 0 = a free port */
} cw_rest_listener_t;

typedef enum {
    CW_REST_CLIENT_AUTH_NONE = 0,
    CW_REST_CLIENT_AUTH_REQUESTED,
    CW_REST_CLIENT_AUTH_REQUIRED
} cw_rest_client_auth_t;

typedef struct cw_rest_config {
    cw_rest_listener_t listeners[CW_REST_MAX_LISTENERS];
    size_t nlisteners;
    int explicit_listeners; /* listeners / rest.* set: a bind failure is fatal */
    const char *adv_host;   /* borrowed from the worker config; NULL: none */
    int adv_port;           /* -1: none */
    const char *adv_proto;  /* NULL: from the listeners */
    /* TLS (PEM text, malloc'd; NULL when no https listener) */
    char *tls_key, *tls_cert, *tls_trust, *tls_key_password;
    cw_rest_client_auth_t client_auth;
    /* basic authentication: the credentials file, or NULL when off */
    char *credentials_file;
    int threads, max_connections;
    int64_t timeout_ms, max_body;
} cw_rest_config_t;

/** Reads the REST keys of the worker (`props` resolved, `config` over cw_worker_defs). Every
 *  problem goes to `errs` naming `origin` and the key; files named by keys are read here. */
void cw_rest_config_load(cw_rest_config_t *rc, const cw_props_t *props, const cw_config_t *config,
                         const char *origin, cw_errlist_t *errs);
void cw_rest_config_free(cw_rest_config_t *rc);

/** Parses one listener URL (Kafka's protocol://host:port, IPv6 hosts in brackets). Returns 0,
 *  or -1 with errstr saying what is wrong. */
int cw_rest_listener_parse(const char *url, cw_rest_listener_t *l, char *errstr,
                           size_t errstr_size);
#endif
