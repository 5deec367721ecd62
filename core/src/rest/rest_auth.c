/* Basic authentication (see rest_auth.h). */
#include "rest_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "props.h"

struct cw_rest_auth {
    cw_props_t *users; /* user -> password, as in the file (no config providers) */
};

cw_rest_auth_t *cw_rest_auth_new(const char *file, char *errstr, size_t errstr_size) {
    cw_rest_auth_t *a = calloc(1, sizeof *a);
    if (!a) abort();
    a->users = cw_props_new();
    char err[1024];
    if (cw_props_load_file(a->users, file, err, sizeof err)) {
        /* The parser's message names file and line, never a value. */
        snprintf(errstr, errstr_size, "basic authentication credentials: %s", err);
        cw_rest_auth_free(a);
        return NULL;
    }
    if (cw_props_count(a->users) == 0)
        cw_log_warn("basic authentication: credentials file %s is empty; every request is "
                    "let through (as Kafka's PropertyFileLoginModule does)",
                    file);
    else
        cw_log_info("basic authentication: %zu user(s) from %s", cw_props_count(a->users), file);
    return a;
}

void cw_rest_auth_free(cw_rest_auth_t *a) {
    if (!a) return;
    cw_props_free(a->users);
    free(a);
}

/* Equal strings, in time that depends on the lengths only. */
static int same_secret(const char *a, const char *b) {
    size_t n = strlen(a);
    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

int cw_rest_auth_check(const cw_rest_auth_t *a, const char *authorization) {
    if (cw_props_count(a->users) == 0) return 1;
    if (!authorization || strncasecmp(authorization, "Basic ", 6) != 0) return 0;
    const char *b64 = authorization + 6;
    while (*b64 == ' ') b64++;
    size_t n = strlen(b64);
    if (n == 0 || n > 4096 || n % 4) return 0;
    unsigned char *plain = malloc(n / 4 * 3 + 1);
    if (!plain) return 0;
    int len = EVP_DecodeBlock(plain, (const unsigned char *)b64, (int)n);
    int ok = 0;
    if (len > 0) {
        /* EVP_DecodeBlock counts the padding as output bytes. */
        if (b64[n - 1] == '=') len--;
        if (b64[n - 2] == '=') len--;
        plain[len] = '\0';
        char *colon = memchr(plain, ':', (size_t)len);
        if (colon && strlen((char *)plain) == (size_t)len) {
            *colon = '\0';
            const char *want = cw_props_get(a->users, (char *)plain);
            ok = want && same_secret(colon + 1, want);
        }
    }
    OPENSSL_cleanse(plain, n / 4 * 3 + 1);
    free(plain);
    return ok;
}
