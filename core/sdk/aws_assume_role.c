/* A provider of a role's credentials (STS AssumeRole), for Confluent's
 * AwsAssumeRoleCredentialsProvider and anything else that assumes a role for a long time.
 * The role is assumed again by the provider's ordinary refresh (before Expiration, or when
 * the service rejects the credentials), each time with fresh credentials of the base
 * provider, which refreshes itself in turn (web identity, container, instance metadata). */
#include "connect-worker/sdk_aws.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct assume_ctx {
    cw_sdk_aws_creds_provider_t *base;
    uint64_t base_gen;
    cw_sdk_aws_creds_t base_cur; /* the base provider's credentials as last seen */
    char *role_arn, *session_name, *external_id, *sts_region;
} assume_ctx_t;

static void wipe_free(char *s) {
    if (s) memset(s, 0, strlen(s));
    free(s);
}

static void ctx_free(void *opaque) {
    assume_ctx_t *c = opaque;
    if (!c) return;
    cw_sdk_aws_creds_provider_free(c->base);
    cw_sdk_aws_creds_clear(&c->base_cur);
    free(c->role_arn);
    free(c->session_name);
    wipe_free(c->external_id);
    free(c->sts_region);
    free(c);
}

static char *dup_opt(const char *s, int *oom) {
    if (!s || !*s) return NULL;
    char *d = strdup(s);
    if (!d) *oom = 1;
    return d;
}

/* One AssumeRole with the base provider's current credentials. Runs on the provider's
 * refresh path (one fetch at a time), so ctx needs no lock of its own. */
static int assume_fetch(void *opaque, cw_sdk_aws_creds_t *out, char *why, size_t why_size) {
    assume_ctx_t *c = opaque;
    cw_sdk_aws_creds_t fresh = {0};
    int g = cw_sdk_aws_creds_provider_get(c->base, &c->base_gen, &fresh, why, why_size);
    if (g < 0) return CW_SDK_AWS_SRC_FAILED;
    if (g == 1) {
        cw_sdk_aws_creds_clear(&c->base_cur);
        c->base_cur = fresh;
    }
    const cw_sdk_aws_assume_role_t r = {
        .role_arn = c->role_arn,
        .session_name = c->session_name,
        .external_id = c->external_id,
        .sts_region = c->sts_region,
    };
    if (cw_sdk_aws_sts_assume_role_ex(&c->base_cur, &r, out, why, why_size) != 0) {
        /* Base credentials STS called expired are fetched again before the next try. */
        cw_sdk_aws_creds_provider_invalidate(c->base, c->base_gen);
        return CW_SDK_AWS_SRC_FAILED;
    }
    out->kind = CW_SDK_AWS_CREDS_ASSUMED_ROLE;
    return CW_SDK_AWS_SRC_OK;
}

cw_sdk_aws_creds_provider_t *
cw_sdk_aws_creds_provider_new_assume_role(cw_sdk_aws_creds_provider_t *base,
                                          const cw_sdk_aws_assume_role_t *r, char *errstr,
                                          size_t errstr_size) {
    assume_ctx_t *c = calloc(1, sizeof *c);
    int oom = !c;
    if (c) {
        c->base = base;
        base = NULL;
        c->role_arn = dup_opt(r->role_arn, &oom);
        c->session_name = dup_opt(r->session_name, &oom);
        c->external_id = dup_opt(r->external_id, &oom);
        c->sts_region = dup_opt(r->sts_region, &oom);
    }
    cw_sdk_aws_creds_provider_free(base);
    if (oom) {
        ctx_free(c);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    cw_sdk_aws_creds_t first = {0};
    if (assume_fetch(c, &first, errstr, errstr_size) != CW_SDK_AWS_SRC_OK) {
        ctx_free(c);
        return NULL;
    }
    cw_sdk_aws_creds_provider_t *p = cw_sdk_aws_creds_provider_new(&first);
    cw_sdk_aws_creds_clear(&first);
    if (!p) {
        ctx_free(c);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    cw_sdk_aws_creds_provider_set_fetcher(p, assume_fetch, c, ctx_free);
    return p;
}
