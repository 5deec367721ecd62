/* The basic-auth credentials file, in the format of Jetty's PropertyFileLoginModule that
 * Confluent REST Proxy reads (`user: password[,role ...]`, '#' comments). Roles are read
 * and ignored. Passwords stay in memory only; nothing here logs them. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

typedef struct {
    char *user, *password;
} cred_t;

struct hs_auth {
    cred_t *c;
    size_t n;
};

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1])) s[--n] = '\0';
    return s;
}

void hs_auth_free(struct hs_auth *a) {
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) {
        OPENSSL_cleanse(a->c[i].password, strlen(a->c[i].password));
        free(a->c[i].user);
        free(a->c[i].password);
    }
    free(a->c);
    free(a);
}

/* One `user: password[,roles]` line into a; returns 0, or -1 with errstr (no secret). */
static int add_line(struct hs_auth *a, char *line, const char *file, int lineno, char *errstr,
                    size_t errstr_size) {
    char *colon = strchr(line, ':');
    if (!colon) {
        snprintf(errstr, errstr_size, "%s line %d: expected 'user: password'", file, lineno);
        return -1;
    }
    *colon = '\0';
    char *user = trim(line), *pw = colon + 1;
    char *comma = strchr(pw, ',');
    if (comma) *comma = '\0';
    pw = trim(pw);
    if (!*user || !*pw) {
        snprintf(errstr, errstr_size, "%s line %d: empty user or password", file, lineno);
        return -1;
    }
    cred_t *c = realloc(a->c, (a->n + 1) * sizeof *c);
    if (!c) {
        snprintf(errstr, errstr_size, "out of memory reading %s", file);
        return -1;
    }
    a->c = c;
    c[a->n].user = strdup(user);
    c[a->n].password = strdup(pw);
    a->n++;
    return 0;
}

struct hs_auth *hs_auth_load(const char *file, char *errstr, size_t errstr_size) {
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "cannot open the credentials file %s", file);
        return NULL;
    }
    struct hs_auth *a = calloc(1, sizeof *a);
    char line[4096];
    int lineno = 0, rc = a ? 0 : -1;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *t = trim(line);
        if (!*t || *t == '#' || *t == '!') continue;
        rc = add_line(a, t, file, lineno, errstr, errstr_size);
    }
    OPENSSL_cleanse(line, sizeof line);
    fclose(f);
    if (rc == 0 && a->n == 0) {
        snprintf(errstr, errstr_size, "the credentials file %s names no user", file);
        rc = -1;
    }
    if (rc != 0) {
        hs_auth_free(a);
        return NULL;
    }
    return a;
}

int hs_auth_check(const struct hs_auth *a, const char *user, const char *password) {
    if (!user || !password) return 0;
    size_t plen = strlen(password);
    int ok = 0;
    for (size_t i = 0; i < a->n; i++) {
        size_t l = strlen(a->c[i].password);
        int same = strcmp(a->c[i].user, user) == 0 && l == plen &&
                   CRYPTO_memcmp(a->c[i].password, password, l) == 0;
        ok |= same;
    }
    return ok;
}
