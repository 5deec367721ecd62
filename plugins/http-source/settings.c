/* The keys of http-source, read and checked in one place for validate and start. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs.h"

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

static void check_file(cw_validation_t *v, const char *key, const char *file) {
    if (file && access(file, R_OK) != 0)
        hs_host->validation_error(v, key, "cannot read '%s'", file);
}

void hs_settings_check(const cw_config_t *c, cw_validation_t *v, hs_settings_t *out) {
    const cw_host_t *h = hs_host;
    hs_settings_t s = {
        .bind_address = dup_or_null(h->config_get(c, "http.bind.address")),
        .port = h->config_get_int(c, "http.port", 0),
        .tls_cert_file = dup_or_null(h->config_get(c, "http.tls.cert.file")),
        .tls_key_file = dup_or_null(h->config_get(c, "http.tls.key.file")),
        .auth_file = dup_or_null(h->config_get(c, "http.auth.basic.file")),
        .auth_realm = dup_or_null(h->config_get(c, "http.auth.realm")),
        .max_body_bytes = h->config_get_int(c, "http.max.body.bytes", 0),
        .max_in_flight = h->config_get_int(c, "http.max.requests.in.flight", 0),
        .request_timeout_ms = h->config_get_int(c, "http.request.timeout.ms", 0),
        .retry_after_s = h->config_get_int(c, "http.retry.after.seconds", 0),
        .threads = h->config_get_int(c, "http.threads", 0),
        .max_records = h->config_get_int(c, "http.max.records.per.request", 0),
    };
    if (!s.bind_address) h->validation_error(v, "http.bind.address", "must not be empty");
    if (!s.tls_cert_file != !s.tls_key_file)
        h->validation_error(v, s.tls_cert_file ? "http.tls.key.file" : "http.tls.cert.file",
                            "TLS needs both http.tls.cert.file and http.tls.key.file");
    check_file(v, "http.tls.cert.file", s.tls_cert_file);
    check_file(v, "http.tls.key.file", s.tls_key_file);
    check_file(v, "http.auth.basic.file", s.auth_file);
    if (s.auth_file) {
        char err[512];
        struct hs_auth *a = hs_auth_load(s.auth_file, err, sizeof err);
        if (!a)
            h->validation_error(v, "http.auth.basic.file", "%s", err);
        else
            hs_auth_free(a);
    }
    if (out)
        *out = s;
    else
        hs_settings_free(&s);
}

void hs_settings_free(hs_settings_t *s) {
    free(s->bind_address);
    free(s->tls_cert_file);
    free(s->tls_key_file);
    free(s->auth_file);
    free(s->auth_realm);
    memset(s, 0, sizeof *s);
}
