/* The REST server's worker keys (see rest_config.h). */
#include "rest_config.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* A whole file as a NUL-terminated string, or NULL with errno set. */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) abort();
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    int err = ferror(f) ? EIO : 0;
    fclose(f);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

int cw_rest_listener_parse(const char *url, cw_rest_listener_t *l, char *errstr,
                           size_t errstr_size) {
    memset(l, 0, sizeof *l);
    const char *sep = strstr(url, "://");
    if (!sep) {
        snprintf(errstr, errstr_size, "'%s' is not protocol://host:port", url);
        return -1;
    }
    size_t plen = (size_t)(sep - url);
    if (plen == 4 && strncasecmp(url, "http", 4) == 0)
        l->https = 0;
    else if (plen == 5 && strncasecmp(url, "https", 5) == 0)
        l->https = 1;
    else {
        snprintf(errstr, errstr_size, "'%s': the protocol must be http or https", url);
        return -1;
    }
    const char *host = sep + 3, *colon;
    size_t hlen;
    if (*host == '[') { /* IPv6 literal */
        const char *close = strchr(host, ']');
        if (!close || close[1] != ':') {
            snprintf(errstr, errstr_size, "'%s' is not protocol://[address]:port", url);
            return -1;
        }
        host++;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(host, ':');
        if (!colon) {
            snprintf(errstr, errstr_size, "'%s' has no port (protocol://host:port)", url);
            return -1;
        }
        hlen = (size_t)(colon - host);
    }
    if (hlen >= sizeof l->host) {
        snprintf(errstr, errstr_size, "'%s': host name too long", url);
        return -1;
    }
    memcpy(l->host, host, hlen);
    l->host[hlen] = '\0';
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port < 0 || port > 65535) {
        snprintf(errstr, errstr_size, "'%s': the port must be 0 to 65535", url);
        return -1;
    }
    l->port = (int)port;
    return 0;
}

static void load_listeners(cw_rest_config_t *rc, const cw_props_t *props, const cw_config_t *config,
                           const char *origin, cw_errlist_t *errs) {
    const char *raw = cw_props_get(props, "listeners");
    const char *host = cw_props_get(props, "rest.host.name");
    const char *port = cw_props_get(props, "rest.port");
    char err[512], fallback[300];
    const char *const *urls = NULL;
    const char *one[2] = {fallback, NULL};
    rc->explicit_listeners = raw || host || port;
    if (raw) {
        urls = cw_config_get_list(config, "listeners", NULL);
    } else {
        /* Kafka before 4.0: without listeners, http://rest.host.name:rest.port. */
        snprintf(fallback, sizeof fallback, "http://%s:%s", host ? host : "127.0.0.1",
                 port ? port : "8083");
        if (!host && !port) snprintf(fallback, sizeof fallback, "%s", CW_REST_DEFAULT_LISTENER);
        urls = one;
        if (host || port)
            cw_log_warn("%s: rest.host.name and rest.port are deprecated (removed in Kafka 4.0): "
                        "use listeners=%s",
                        origin, fallback);
    }
    for (size_t i = 0; urls && urls[i]; i++) {
        if (!*urls[i]) continue;
        if (rc->nlisteners == CW_REST_MAX_LISTENERS) {
            cw_errlist_add_key(errs, "listeners", "%s: listeners: at most %d listeners", origin,
                               CW_REST_MAX_LISTENERS);
            break;
        }
        if (cw_rest_listener_parse(urls[i], &rc->listeners[rc->nlisteners], err, sizeof err))
            cw_errlist_add_key(errs, "listeners", "%s: listeners: %s", origin, err);
        else
            rc->nlisteners++;
    }
}

/* Kafka's rule (SSLUtils): the listeners.https.ssl.* keys when any is set, else the worker's
 * top-level ssl.* keys. Returns the value of ssl.<name> from the chosen set. */
static const char *ssl_key(const cw_props_t *props, int prefixed, const char *name) {
    char k[128];
    snprintf(k, sizeof k, "%sssl.%s", prefixed ? "listeners.https." : "", name);
    return cw_props_get(props, k);
}

static char *read_pem(const char *path, const char *key, const char *origin, cw_errlist_t *errs) {
    char *text = slurp(path);
    if (!text)
        cw_errlist_add_key(errs, key, "%s: %s: cannot read %s: %s", origin, key, path,
                           strerror(errno));
    return text;
}

static void load_tls(cw_rest_config_t *rc, const cw_props_t *props, const char *origin,
                     cw_errlist_t *errs) {
    int pre = 0;
    for (size_t i = 0; i < cw_props_count(props); i++)
        if (strncmp(cw_props_key_at(props, i), "listeners.https.ssl.", 20) == 0) pre = 1;
    const char *kp = pre ? "listeners.https.ssl." : "ssl.";
    char key[128];
    const char *type = ssl_key(props, pre, "keystore.type");
    if (type && strcasecmp(type, "PEM") != 0) {
        snprintf(key, sizeof key, "%skeystore.type", kp);
        cw_errlist_add_key(errs, key,
                           "%s: %s: only PEM keystores are supported (convert a %s keystore with "
                           "keytool -importkeystore and openssl pkcs12 -nodes)",
                           origin, key, type);
        return;
    }
    const char *loc = ssl_key(props, pre, "keystore.location");
    const char *inline_key = ssl_key(props, pre, "keystore.key");
    const char *chain = ssl_key(props, pre, "keystore.certificate.chain");
    snprintf(key, sizeof key, "%skeystore.location", kp);
    if (loc) {
        rc->tls_key = read_pem(loc, key, origin, errs);
        rc->tls_cert = rc->tls_key ? strdup(rc->tls_key) : NULL;
    } else if (inline_key && chain) {
        rc->tls_key = strdup(inline_key);
        rc->tls_cert = strdup(chain);
    } else {
        cw_errlist_add_key(errs, key,
                           "%s: %s: an https listener needs a PEM keystore (%skeystore.location, "
                           "or %skeystore.key and %skeystore.certificate.chain)",
                           origin, key, kp, kp, kp);
        return;
    }
    const char *pw = ssl_key(props, pre, "key.password");
    if (pw) rc->tls_key_password = strdup(pw);
    const char *tloc = ssl_key(props, pre, "truststore.location");
    const char *tcerts = ssl_key(props, pre, "truststore.certificates");
    snprintf(key, sizeof key, "%struststore.location", kp);
    if (tloc)
        rc->tls_trust = read_pem(tloc, key, origin, errs);
    else if (tcerts)
        rc->tls_trust = strdup(tcerts);
    const char *ca = ssl_key(props, pre, "client.auth");
    snprintf(key, sizeof key, "%sclient.auth", kp);
    if (!ca || strcasecmp(ca, "none") == 0)
        rc->client_auth = CW_REST_CLIENT_AUTH_NONE;
    else if (strcasecmp(ca, "requested") == 0)
        rc->client_auth = CW_REST_CLIENT_AUTH_REQUESTED;
    else if (strcasecmp(ca, "required") == 0)
        rc->client_auth = CW_REST_CLIENT_AUTH_REQUIRED;
    else
        cw_errlist_add_key(errs, key, "%s: %s: '%s' is not none, requested or required", origin,
                           key, ca);
    if (rc->client_auth != CW_REST_CLIENT_AUTH_NONE && !rc->tls_trust)
        cw_errlist_add_key(
            errs, key,
            "%s: %s: client authentication needs a truststore (%struststore.location "
            "or %struststore.certificates)",
            origin, key, kp, kp);
}

/* The `file` option of the PropertyFileLoginModule line in the KafkaConnect entry of a JAAS
 * file:  KafkaConnect { org.apache...PropertyFileLoginModule required file="/path"; };  */
static char *jaas_credentials_file(const char *text) {
    const char *entry = strstr(text, "KafkaConnect");
    const char *mod = entry ? strstr(entry, "PropertyFileLoginModule") : NULL;
    const char *end = mod ? strchr(mod, ';') : NULL;
    const char *opt = mod ? strstr(mod, "file") : NULL;
    if (!opt || (end && opt > end)) return NULL;
    opt += 4;
    while (isspace((unsigned char)*opt)) opt++;
    if (*opt++ != '=') return NULL;
    while (isspace((unsigned char)*opt)) opt++;
    if (*opt++ != '"') return NULL;
    const char *close = strchr(opt, '"');
    return close ? strndup(opt, (size_t)(close - opt)) : NULL;
}

static void load_auth(cw_rest_config_t *rc, const cw_config_t *config, const char *origin,
                      cw_errlist_t *errs) {
    const char *const *ext = cw_config_get_list(config, "rest.extension.classes", NULL);
    int basic = 0;
    for (size_t i = 0; ext && ext[i]; i++) {
        const char *dot = strrchr(ext[i], '.');
        if (strcmp(dot ? dot + 1 : ext[i], "BasicAuthSecurityRestExtension") == 0)
            basic = 1;
        else if (*ext[i])
            cw_errlist_add_key(errs, "rest.extension.classes",
                               "%s: rest.extension.classes: '%s' is not known (only "
                               "BasicAuthSecurityRestExtension is built in)",
                               origin, ext[i]);
    }
    const char *cred = cw_config_get(config, "rest.basic.auth.credentials.file");
    const char *jaas = cw_config_get(config, "rest.basic.auth.jaas.config");
    if (!basic) {
        if (cred || jaas)
            cw_errlist_add_key(errs, "rest.extension.classes",
                               "%s: rest.extension.classes: basic authentication keys are set "
                               "but BasicAuthSecurityRestExtension is not listed",
                               origin);
        return;
    }
    if (cred) {
        rc->credentials_file = strdup(cred);
    } else if (jaas) {
        char *text = slurp(jaas);
        if (!text) {
            cw_errlist_add_key(errs, "rest.basic.auth.jaas.config",
                               "%s: rest.basic.auth.jaas.config: cannot read %s: %s", origin, jaas,
                               strerror(errno));
            return;
        }
        rc->credentials_file = jaas_credentials_file(text);
        free(text);
        if (!rc->credentials_file)
            cw_errlist_add_key(errs, "rest.basic.auth.jaas.config",
                               "%s: rest.basic.auth.jaas.config: %s has no KafkaConnect entry with "
                               "a PropertyFileLoginModule file=\"...\" option",
                               origin, jaas);
    } else {
        cw_errlist_add_key(errs, "rest.extension.classes",
                           "%s: rest.extension.classes: BasicAuthSecurityRestExtension needs "
                           "rest.basic.auth.credentials.file or rest.basic.auth.jaas.config",
                           origin);
    }
}

/* The credentials file must be readable now: --validate says so, not the first request. */
static void check_readable(const char *path, const char *key, const char *origin,
                           cw_errlist_t *errs) {
    if (path && access(path, R_OK) != 0)
        cw_errlist_add_key(errs, key, "%s: %s: cannot read credentials file %s: %s", origin, key,
                           path, strerror(errno));
}

void cw_rest_config_load(cw_rest_config_t *rc, const cw_props_t *props, const cw_config_t *config,
                         const char *origin, cw_errlist_t *errs) {
    memset(rc, 0, sizeof *rc);
    load_listeners(rc, props, config, origin, errs);
    rc->adv_host = cw_config_get(config, "rest.advertised.host.name");
    rc->adv_port = (int)cw_config_get_int(config, "rest.advertised.port", -1);
    if (!cw_config_get(config, "rest.advertised.port")) rc->adv_port = -1;
    rc->adv_proto = cw_config_get(config, "rest.advertised.listener");
    int https = 0;
    for (size_t i = 0; i < rc->nlisteners; i++) https |= rc->listeners[i].https;
    if (https) load_tls(rc, props, origin, errs);
    load_auth(rc, config, origin, errs);
    check_readable(rc->credentials_file,
                   cw_config_get(config, "rest.basic.auth.credentials.file")
                       ? "rest.basic.auth.credentials.file"
                       : "rest.basic.auth.jaas.config",
                   origin, errs);
    rc->threads = (int)cw_config_get_int(config, "rest.threads", 0);
    rc->max_connections = (int)cw_config_get_int(config, "rest.max.connections", 0);
    rc->timeout_ms = cw_config_get_int(config, "rest.connection.timeout.ms", 0);
    rc->max_body = cw_config_get_int(config, "rest.request.max.bytes", 0);
}

void cw_rest_config_free(cw_rest_config_t *rc) {
    free(rc->tls_key);
    free(rc->tls_cert);
    free(rc->tls_trust);
    if (rc->tls_key_password) {
        explicit_bzero(rc->tls_key_password, strlen(rc->tls_key_password));
        free(rc->tls_key_password);
    }
    free(rc->credentials_file);
    memset(rc, 0, sizeof *rc);
}
