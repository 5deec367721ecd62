/* JDBC connection URLs (connect-worker/sdk_db.h): scheme, authority, database and the
 * drivers' query parameters, percent-decoded; the password never reaches a message. */
#include "connect-worker/sdk_db.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *prefix;
    cw_sdk_db_kind_t kind;
} schemes[] = {{"jdbc:mysql://", CW_SDK_DB_MYSQL},
               {"jdbc:mariadb://", CW_SDK_DB_MYSQL},
               {"mysql://", CW_SDK_DB_MYSQL},
               {"mariadb://", CW_SDK_DB_MYSQL},
               {"jdbc:postgresql://", CW_SDK_DB_POSTGRES},
               {"postgresql://", CW_SDK_DB_POSTGRES},
               {"postgres://", CW_SDK_DB_POSTGRES},
               {NULL, 0}};

static const char *skip_scheme(const char *url, cw_sdk_db_kind_t *kind) {
    for (size_t i = 0; schemes[i].prefix; i++)
        if (strncasecmp(url, schemes[i].prefix, strlen(schemes[i].prefix)) == 0) {
            *kind = schemes[i].kind;
            return url + strlen(schemes[i].prefix);
        }
    return NULL;
}

cw_sdk_db_kind_t cw_sdk_db_url_kind(const char *url) {
    cw_sdk_db_kind_t k = 0;
    return url && skip_scheme(url, &k) ? k : 0;
}

/* Percent-decodes s[0..len) into a new string. */
static char *decode(const char *s, size_t len) {
    char *o = malloc(len + 1), *w = o;
    if (!o) return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hx[3] = {s[i + 1], s[i + 2], 0};
            *w++ = (char)strtol(hx, NULL, 16);
            i += 2;
        } else {
            *w++ = s[i];
        }
    }
    *w = '\0';
    return o;
}

static int truthy(const char *v) {
    return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0;
}

static void set_str(char **dst, char *v) {
    free(*dst);
    *dst = v;
}

static int apply_param(cw_sdk_db_url_t *u, const char *k, char *v, char *errstr, size_t n) {
    if (strcasecmp(k, "user") == 0) {
        set_str(&u->user, v);
        return 0;
    }
    if (strcasecmp(k, "password") == 0) {
        set_str(&u->password, v);
        return 0;
    }
    if (strcasecmp(k, "sslMode") == 0 || strcasecmp(k, "ssl-mode") == 0) {
        static const char *const modes[] = {"DISABLED",  "PREFERRED",       "REQUIRED",
                                            "VERIFY_CA", "VERIFY_IDENTITY", NULL};
        /* MariaDB Connector/J and PgJDBC (sslmode) spellings */
        if (strcasecmp(v, "disable") == 0)
            u->ssl_mode = CW_SDK_DB_SSL_DISABLED;
        else if (strcasecmp(v, "allow") == 0 || strcasecmp(v, "prefer") == 0)
            u->ssl_mode = CW_SDK_DB_SSL_PREFERRED;
        else if (strcasecmp(v, "trust") == 0 || strcasecmp(v, "require") == 0)
            u->ssl_mode = CW_SDK_DB_SSL_REQUIRED;
        else if (strcasecmp(v, "verify-ca") == 0)
            u->ssl_mode = CW_SDK_DB_SSL_VERIFY_CA;
        else if (strcasecmp(v, "verify-full") == 0)
            u->ssl_mode = CW_SDK_DB_SSL_VERIFY_IDENTITY;
        else {
            int found = 0;
            for (int i = 0; modes[i]; i++)
                if (strcasecmp(v, modes[i]) == 0) {
                    u->ssl_mode = i;
                    found = 1;
                }
            if (!found) {
                snprintf(errstr, n,
                         "sslMode '%s' is not one of DISABLED, "
                         "PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY (or disable, "
                         "prefer, require, verify-ca, verify-full)",
                         v);
                free(v);
                return -1;
            }
        }
        free(v);
        return 0;
    }
    if (strcasecmp(k, "useSSL") == 0) {
        if (!truthy(v))
            u->ssl_mode = CW_SDK_DB_SSL_DISABLED;
        else if (u->ssl_mode < CW_SDK_DB_SSL_PREFERRED)
            u->ssl_mode = CW_SDK_DB_SSL_PREFERRED;
        free(v);
        return 0;
    }
    if (strcasecmp(k, "requireSSL") == 0) {
        if (truthy(v) && u->ssl_mode < CW_SDK_DB_SSL_REQUIRED) u->ssl_mode = CW_SDK_DB_SSL_REQUIRED;
        free(v);
        return 0;
    }
    if (strcasecmp(k, "verifyServerCertificate") == 0) {
        if (truthy(v) && u->ssl_mode >= CW_SDK_DB_SSL_PREFERRED)
            u->ssl_mode = CW_SDK_DB_SSL_VERIFY_IDENTITY;
        free(v);
        return 0;
    }
    if (strcasecmp(k, "serverSslCert") == 0 || strcasecmp(k, "sslCa") == 0 ||
        strcasecmp(k, "sslrootcert") == 0) {
        set_str(&u->ssl_ca, v);
        return 0;
    }
    if (strcasecmp(k, "connectTimeout") == 0 || strcasecmp(k, "socketTimeout") == 0) {
        char *end;
        long ms = strtol(v, &end, 10);
        if (*v == '\0' || *end != '\0' || ms < 0) {
            snprintf(errstr, n, "%s '%s' is not a number of milliseconds", k, v);
            free(v);
            return -1;
        }
        /* PgJDBC reads both in seconds, the MySQL drivers in milliseconds */
        unsigned s = u->kind == CW_SDK_DB_POSTGRES ? (unsigned)ms : (unsigned)((ms + 999) / 1000);
        if (strcasecmp(k, "connectTimeout") == 0)
            u->connect_timeout_s = s;
        else
            u->read_timeout_s = s;
        free(v);
        return 0;
    }
    free(v);
    return 0;
}

int cw_sdk_db_url_parse(const char *url, cw_sdk_db_url_t *u, char *errstr, size_t n) {
    memset(u, 0, sizeof *u);
    u->ssl_mode = CW_SDK_DB_SSL_PREFERRED;
    const char *p = url ? skip_scheme(url, &u->kind) : NULL;
    if (!p) {
        snprintf(errstr, n,
                 "must start with jdbc:mysql://, jdbc:mariadb://, "
                 "mysql://, jdbc:postgresql:// or postgresql:// (got a URL of another kind)");
        return -1;
    }
    u->port = u->kind == CW_SDK_DB_POSTGRES ? 5432 : 3306;
    size_t auth_end = strcspn(p, "/?");
    const char *at = memchr(p, '@', auth_end);
    /* the last '@' before the path: passwords may contain '@' when percent-encoded only */
    for (const char *q = p; q < p + auth_end; q++)
        if (*q == '@') at = q;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon) {
            u->user = decode(p, (size_t)(colon - p));
            u->password = decode(colon + 1, (size_t)(at - colon - 1));
        } else {
            u->user = decode(p, (size_t)(at - p));
        }
        p = at + 1;
        auth_end = strcspn(p, "/?");
    }
    /* host[:port]; IPv6 literals in brackets; a list (failover) keeps only the first host */
    const char *hend = p + auth_end;
    const char *comma = memchr(p, ',', auth_end);
    if (comma) hend = comma;
    const char *h = p, *hstop, *port = NULL;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(hend - h));
        if (!rb) {
            snprintf(errstr, n, "unterminated '[' in the host");
            cw_sdk_db_url_free(u);
            return -1;
        }
        u->host = decode(h + 1, (size_t)(rb - h - 1));
        hstop = rb + 1;
        if (hstop < hend && *hstop == ':') port = hstop + 1;
    } else {
        const char *c = memchr(h, ':', (size_t)(hend - h));
        hstop = c ? c : hend;
        if (c) port = c + 1;
        u->host = hstop > h ? decode(h, (size_t)(hstop - h)) : strdup("localhost");
    }
    if (port) {
        char buf[16];
        size_t plen = (size_t)(hend - port);
        char *end;
        if (plen == 0 || plen >= sizeof buf) goto badport;
        memcpy(buf, port, plen);
        buf[plen] = '\0';
        long v = strtol(buf, &end, 10);
        if (*end != '\0' || v <= 0 || v > 65535) goto badport;
        u->port = (unsigned)v;
    }
    p += auth_end;
    if (*p == '/') {
        p++;
        size_t dl = strcspn(p, "?");
        if (dl > 0) u->database = decode(p, dl);
        p += dl;
    }
    if (*p == '?') {
        p++;
        while (*p) {
            size_t pl = strcspn(p, "&");
            const char *eq = memchr(p, '=', pl);
            if (eq) {
                char *k = decode(p, (size_t)(eq - p));
                char *v = decode(eq + 1, pl - (size_t)(eq - p) - 1);
                if (!k || !v) {
                    free(k);
                    free(v);
                    goto oom;
                }
                int rc = apply_param(u, k, v, errstr, n);
                free(k);
                if (rc != 0) {
                    cw_sdk_db_url_free(u);
                    return -1;
                }
            }
            p += pl;
            if (*p == '&') p++;
        }
    }
    if (!u->host) goto oom;
    return 0;
badport:
    snprintf(errstr, n, "the port is not a number from 1 to 65535");
    cw_sdk_db_url_free(u);
    return -1;
oom:
    snprintf(errstr, n, "out of memory");
    cw_sdk_db_url_free(u);
    return -1;
}

void cw_sdk_db_url_free(cw_sdk_db_url_t *u) {
    free(u->host);
    free(u->database);
    free(u->user);
    if (u->password) {
        memset(u->password, 0, strlen(u->password));
        free(u->password);
    }
    free(u->ssl_ca);
    memset(u, 0, sizeof *u);
}
