/* The AWS credential chain the Confluent connector and the MSK IAM library use
 * (DefaultAWSCredentialsProviderChain): explicit keys, environment, shared credentials file,
 * then temporary credentials: web identity (EKS IRSA, aws_sts.c), container endpoint, EC2
 * instance metadata (aws_credentials_remote.c), in the order of the AWS SDKs. Secrets are
 * never written to errstr. */
#include "connect-worker/sdk_aws.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) { return (s && *s) ? strdup(s) : NULL; }

void cw_sdk_aws_creds_clear(cw_sdk_aws_creds_t *c) {
    if (!c) return;
    if (c->secret_key) memset(c->secret_key, 0, strlen(c->secret_key));
    free(c->access_key);
    free(c->secret_key);
    if (c->session_token) memset(c->session_token, 0, strlen(c->session_token));
    free(c->session_token);
    memset(c, 0, sizeof *c);
}

int cw_sdk_aws_creds_copy(cw_sdk_aws_creds_t *dst, const cw_sdk_aws_creds_t *src) {
    *dst = *src;
    dst->access_key = src->access_key ? strdup(src->access_key) : NULL;
    dst->secret_key = src->secret_key ? strdup(src->secret_key) : NULL;
    dst->session_token = src->session_token ? strdup(src->session_token) : NULL;
    if ((src->access_key && !dst->access_key) || (src->secret_key && !dst->secret_key) ||
        (src->session_token && !dst->session_token)) {
        cw_sdk_aws_creds_clear(dst);
        return -1;
    }
    return 0;
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

/* Reads [profile] of an INI-style credentials file. Returns 1 when both keys were found. */
static int read_profile(const char *path, const char *profile, cw_sdk_aws_creds_t *out) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[1024];
    int in = 0;
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line);
        if (*s == '#' || *s == ';' || !*s) continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (e) *e = 0;
            char *name = trim(s + 1);
            if (!strncmp(name, "profile ", 8)) name = trim(name + 8);
            in = !strcmp(name, profile);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in || !eq) continue;
        *eq = 0;
        char *k = trim(s), *v = trim(eq + 1);
        char **dst = !strcmp(k, "aws_access_key_id")       ? &out->access_key
                     : !strcmp(k, "aws_secret_access_key") ? &out->secret_key
                     : !strcmp(k, "aws_session_token")     ? &out->session_token
                                                           : NULL;
        if (dst) {
            free(*dst);
            *dst = dup_or_null(v);
        }
    }
    fclose(f);
    return out->access_key && out->secret_key;
}

/* Explicit keys of the caller's config: 1 when used, 0 when unset, -1 with errstr. */
static int from_config(const cw_sdk_aws_chain_opts_t *o, cw_sdk_aws_creds_t *out, char *errstr,
                       size_t errstr_size) {
    if (!o->access_key || !*o->access_key) return 0;
    const char *ak = o->access_key_name ? o->access_key_name : "the access key";
    if (!o->secret_key || !*o->secret_key) {
        snprintf(errstr, errstr_size, "%s: is required when %s is set",
                 o->secret_key_name ? o->secret_key_name : "the secret key", ak);
        return -1;
    }
    out->access_key = strdup(o->access_key);
    out->secret_key = strdup(o->secret_key);
    out->session_token = dup_or_null(o->session_token);
    snprintf(out->source, sizeof out->source, "connector config (%.60s)", ak);
    return 1;
}

int cw_sdk_aws_creds_resolve_chain(const cw_sdk_aws_chain_opts_t *o, cw_sdk_aws_creds_t *out,
                                   char *errstr, size_t errstr_size) {
    static const cw_sdk_aws_chain_opts_t none = {0};
    if (!o) o = &none;
    memset(out, 0, sizeof *out);
    int cfg = from_config(o, out, errstr, errstr_size);
    if (cfg) return cfg > 0 ? 0 : -1;
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
    const char *profile = o->profile && *o->profile ? o->profile : getenv("AWS_PROFILE");
    if (!profile || !*profile) profile = "default";
    if (read_profile(path, profile, out)) {
        snprintf(out->source, sizeof out->source, "shared credentials file, profile %.40s",
                 profile);
        return 0;
    }
    cw_sdk_aws_creds_clear(out);
    /* The platform's temporary credentials: each source says why it gave nothing. */
    char web[600], container[400], instance[400], cfgwhy[200] = "";
    if (cw_sdk_aws_creds_from_web_identity(out, web, sizeof web) == CW_SDK_AWS_SRC_OK) return 0;
    cw_sdk_aws_creds_clear(out);
    if (cw_sdk_aws_creds_from_container(out, container, sizeof container) == CW_SDK_AWS_SRC_OK)
        return 0;
    cw_sdk_aws_creds_clear(out);
    if (cw_sdk_aws_creds_from_instance(out, instance, sizeof instance) == CW_SDK_AWS_SRC_OK)
        return 0;
    cw_sdk_aws_creds_clear(out);
    if (o->access_key_name)
        snprintf(cfgwhy, sizeof cfgwhy, "connector config (%.80s is unset); ", o->access_key_name);
    snprintf(errstr, errstr_size,
             "no AWS credentials found; tried: %senvironment (AWS_ACCESS_KEY_ID/"
             "AWS_SECRET_ACCESS_KEY are unset); shared credentials file (%s has no profile "
             "[%s] with both keys); web identity (%s); container credentials (%s); instance "
             "metadata (%s)",
             cfgwhy, path, profile, web, container, instance);
    return -1;
}

int cw_sdk_aws_creds_resolve(const char *cfg_access, const char *cfg_secret, const char *cfg_token,
                             cw_sdk_aws_creds_t *out, char *errstr, size_t errstr_size) {
    const cw_sdk_aws_chain_opts_t o = {
        .access_key = cfg_access,
        .secret_key = cfg_secret,
        .session_token = cfg_token,
        .access_key_name = "aws.access.key.id",
        .secret_key_name = "aws.secret.access.key",
    };
    return cw_sdk_aws_creds_resolve_chain(&o, out, errstr, errstr_size);
}
