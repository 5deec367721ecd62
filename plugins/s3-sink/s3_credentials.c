/* The AWS credential chain the Confluent connector uses (DefaultAWSCredentialsProviderChain):
 * explicit keys, environment, shared credentials file, then temporary credentials: web
 * identity (EKS IRSA, s3_credentials_sts.c), container endpoint, EC2 instance metadata
 * (s3_credentials_remote.c), in the order of the AWS SDKs. Secrets
 * are never written to errstr. */
#include "s3_credentials.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) { return (s && *s) ? strdup(s) : NULL; }

void s3_credentials_clear(s3_credentials_t *c)
{
    if (!c)
        return;
    if (c->secret_key)
        memset(c->secret_key, 0, strlen(c->secret_key));
    free(c->access_key);
    free(c->secret_key);
    if (c->session_token)
        memset(c->session_token, 0, strlen(c->session_token));
    free(c->session_token);
    memset(c, 0, sizeof *c);
}

int s3_credentials_copy(s3_credentials_t *dst, const s3_credentials_t *src)
{
    *dst = *src;
    dst->access_key = src->access_key ? strdup(src->access_key) : NULL;
    dst->secret_key = src->secret_key ? strdup(src->secret_key) : NULL;
    dst->session_token = src->session_token ? strdup(src->session_token) : NULL;
    if ((src->access_key && !dst->access_key) || (src->secret_key && !dst->secret_key) ||
        (src->session_token && !dst->session_token)) {
        s3_credentials_clear(dst);
        return -1;
    }
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

/* Reads [profile] of an INI-style credentials file. Returns 1 when both keys were found. */
static int read_profile(const char *path, const char *profile, s3_credentials_t *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    int in = 0;
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line);
        if (*s == '#' || *s == ';' || !*s)
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (e)
                *e = 0;
            char *name = trim(s + 1);
            if (!strncmp(name, "profile ", 8))
                name = trim(name + 8);
            in = !strcmp(name, profile);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in || !eq)
            continue;
        *eq = 0;
        char *k = trim(s), *v = trim(eq + 1);
        char **dst = !strcmp(k, "aws_access_key_id") ? &out->access_key
                   : !strcmp(k, "aws_secret_access_key") ? &out->secret_key
                   : !strcmp(k, "aws_session_token") ? &out->session_token : NULL;
        if (dst) {
            free(*dst);
            *dst = dup_or_null(v);
        }
    }
    fclose(f);
    return out->access_key && out->secret_key;
}

const char *s3_credentials_config_problem(const char *cfg_access, const char *cfg_secret)
{
    if (cfg_access && *cfg_access && (!cfg_secret || !*cfg_secret))
        return "is required when aws.access.key.id is set";
    return NULL;
}

int s3_credentials_resolve(const char *cfg_access, const char *cfg_secret,
                           const char *cfg_token, s3_credentials_t *out, char *errstr,
                           size_t errstr_size)
{
    memset(out, 0, sizeof *out);
    if (cfg_access && *cfg_access) {
        const char *why = s3_credentials_config_problem(cfg_access, cfg_secret);
        if (why) {
            snprintf(errstr, errstr_size, "aws.secret.access.key: %s", why);
            return -1;
        }
        out->access_key = strdup(cfg_access);
        out->secret_key = strdup(cfg_secret);
        out->session_token = dup_or_null(cfg_token);
        snprintf(out->source, sizeof out->source, "connector config (aws.access.key.id)");
        return 0;
    }
    const char *ea = getenv("AWS_ACCESS_KEY_ID"), *es = getenv("AWS_SECRET_ACCESS_KEY");
    if (ea && *ea && es && *es) {
        out->access_key = strdup(ea);
        out->secret_key = strdup(es);
        out->session_token = dup_or_null(getenv("AWS_SESSION_TOKEN"));
        snprintf(out->source, sizeof out->source, "environment (AWS_ACCESS_KEY_ID)");
        return 0;
    }
    char path[1024];
    const char *file = getenv("AWS_SHARED_CREDENTIALS_FILE");
    if (file && *file) {
        snprintf(path, sizeof path, "%s", file);
    } else {
        const char *home = getenv("HOME");
        snprintf(path, sizeof path, "%s/.aws/credentials", home ? home : "");
    }
    const char *profile = getenv("AWS_PROFILE");
    if (!profile || !*profile)
        profile = "default";
    if (read_profile(path, profile, out)) {
        snprintf(out->source, sizeof out->source, "shared credentials file, profile %.40s",
                 profile);
        return 0;
    }
    s3_credentials_clear(out);
    /* The platform's temporary credentials: each source says why it gave nothing. */
    char web[600], container[400], instance[400];
    if (s3_creds_from_web_identity(out, web, sizeof web) == S3_SRC_OK)
        return 0;
    s3_credentials_clear(out);
    if (s3_creds_from_container(out, container, sizeof container) == S3_SRC_OK)
        return 0;
    s3_credentials_clear(out);
    if (s3_creds_from_instance(out, instance, sizeof instance) == S3_SRC_OK)
        return 0;
    s3_credentials_clear(out);
    snprintf(errstr, errstr_size,
             "no AWS credentials found; tried: connector config (aws.access.key.id is unset); "
             "environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are unset); shared "
             "credentials file (%s has no profile [%s] with both keys); web identity (%s); "
             "container credentials (%s); instance metadata (%s)",
             path, profile, web, container, instance);
    return -1;
}
