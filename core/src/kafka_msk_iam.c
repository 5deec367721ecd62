/* Amazon MSK IAM for the worker's Kafka clients (see kafka_msk_iam.h). The Java client signs
 * kafka-cluster:Connect inside its own SASL mechanism; librdkafka has no such mechanism, so
 * the signed request travels as an OAUTHBEARER token, which MSK accepts from non-Java clients
 * (what AWS's aws-msk-iam-sasl-signer libraries are for). The token is made in librdkafka's
 * refresh callback, from credentials looked up again each time (temporary ones rotate), and
 * librdkafka calls it again at 80% of the token's lifetime, or 10 s after a failure. */
#define _GNU_SOURCE
#include "kafka_msk_iam.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"

#define LOGIN_MODULE "software.amazon.msk.auth.iam.IAMLoginModule"
#define CALLBACK_HANDLER "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
/* The Java library's session name when awsRoleSessionName is not given. */
#define DEFAULT_SESSION "MSKSASLDefaultSession"

int cw_msk_iam_java_key(const char *key, const char *value) {
    if (!value) return 0;
    if (strcmp(key, "sasl.mechanism") == 0) return strcmp(value, "AWS_MSK_IAM") == 0;
    if (strcmp(key, "sasl.client.callback.handler.class") == 0)
        return strcmp(value, CALLBACK_HANDLER) == 0;
    if (strcmp(key, "sasl.jaas.config") == 0) return strstr(value, LOGIN_MODULE) != NULL;
    return 0;
}

/* One "name=value" or name="value" of a JAAS line (as Kafka's JaasConfig reads them: quoted
 * strings or bare words); *s is moved past it. 1 when one was read, 0 at the ';'/end, -1 on
 * a malformed option. */
static int next_option(const char **s, char *name, size_t nsize, char *value, size_t vsize) {
    const char *p = *s + strspn(*s, " \t\r\n");
    if (!*p || *p == ';') return 0;
    size_t nl = strcspn(p, "= \t\r\n;");
    if (!nl || p[nl] != '=' || nl >= nsize) return -1;
    snprintf(name, nsize, "%.*s", (int)nl, p);
    p += nl + 1;
    size_t vl;
    if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        if (!end) return -1;
        vl = (size_t)(end - p - 1);
        if (vl >= vsize) return -1;
        snprintf(value, vsize, "%.*s", (int)vl, p + 1);
        p = end + 1;
    } else {
        vl = strcspn(p, " \t\r\n;");
        if (vl >= vsize) return -1;
        snprintf(value, vsize, "%.*s", (int)vl, p);
        p += vl;
    }
    *s = p;
    return 1;
}

/* Copies an option value into dst, refusing what cannot stand in sasl.oauthbearer.config. */
static int set_opt(char *dst, size_t size, const char *name, const char *v, char *errstr,
                   size_t errstr_size) {
    if (strlen(v) >= size || strpbrk(v, " \t\r\n\"")) {
        snprintf(errstr, errstr_size, "%s: the value is too long or holds blanks or quotes", name);
        return -1;
    }
    snprintf(dst, size, "%s", v);
    return 0;
}

/* Where an option goes in *m; NULL for options that tune the Java library only
 * (awsDebugCreds, awsMaxRetries, awsMaxBackOffTimeMs). */
static char *option_field(cw_msk_iam_t *m, const char *name, size_t *size) {
    const struct {
        const char *name;
        char *field;
        size_t size;
    } opts[] = {
        {.name = "awsRoleArn", .field = m->role_arn, .size = sizeof m->role_arn},
        {.name = "awsRoleSessionName", .field = m->session_name, .size = sizeof m->session_name},
        {.name = "awsStsRegion", .field = m->sts_region, .size = sizeof m->sts_region},
        {.name = "awsProfileName", .field = m->profile, .size = sizeof m->profile},
        {.name = "region", .field = m->region, .size = sizeof m->region}, /* ours */
    };
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (strcmp(name, opts[i].name) == 0) {
            *size = opts[i].size;
            return opts[i].field;
        }
    return NULL;
}

/* The options of a JAAS line or of our sasl.oauthbearer.config ("region=..." too). */
static int parse_options(const char *s, cw_msk_iam_t *out, char *errstr, size_t errstr_size) {
    char name[64], value[300];
    int rc;
    while ((rc = next_option(&s, name, sizeof name, value, sizeof value)) == 1) {
        size_t size = 0;
        char *dst = option_field(out, name, &size);
        if (dst && set_opt(dst, size, name, value, errstr, errstr_size)) return -1;
        if (!dst) cw_log_debug("MSK IAM: JAAS option %s has no effect here", name);
    }
    if (rc < 0) {
        snprintf(errstr, errstr_size, "malformed option near '%.40s' (want name=\"value\")", s);
        return -1;
    }
    if (out->sts_region[0] && !cw_sdk_aws_region_valid(out->sts_region)) {
        snprintf(errstr, errstr_size, "awsStsRegion '%s' is no AWS region name", out->sts_region);
        return -1;
    }
    return 0;
}

int cw_msk_iam_parse_jaas(const char *jaas, cw_msk_iam_t *out, char *errstr, size_t errstr_size) {
    const char *p = jaas + strspn(jaas, " \t\r\n");
    size_t ml = strlen(LOGIN_MODULE);
    if (strncmp(p, LOGIN_MODULE, ml) != 0 || !isspace((unsigned char)p[ml])) {
        snprintf(errstr, errstr_size, "want '" LOGIN_MODULE " required [options];'");
        return -1;
    }
    p += ml + strspn(p + ml, " \t\r\n");
    static const char *const flags[] = {"required", "requisite", "sufficient", "optional"};
    size_t fl = strcspn(p, " \t\r\n;"), i;
    for (i = 0; i < 4; i++)
        if (strlen(flags[i]) == fl && strncmp(p, flags[i], fl) == 0) break;
    if (i == 4) {
        snprintf(errstr, errstr_size,
                 "the login module's flag must be required, requisite, "
                 "sufficient or optional");
        return -1;
    }
    p += fl;
    const char *semi = strrchr(p, ';');
    if (!semi || semi[1 + strspn(semi + 1, " \t\r\n")]) {
        snprintf(errstr, errstr_size, "the JAAS line must end with ';'");
        return -1;
    }
    int rc = parse_options(p, out, errstr, errstr_size);
    out->region[0] = 0; /* not a JAAS option: the region is the brokers' or AWS_REGION */
    return rc;
}

/* The effective value of key: the override's, else the worker's. */
static const char *effective(const cw_props_t *wp, const char *prefix, const cw_props_t *cp,
                             const char *cprefix, const char *key, const char **origin, char *shown,
                             size_t shown_size) {
    char k[160];
    const char *v = NULL;
    if (cp) {
        snprintf(k, sizeof k, "%s%s", cprefix, key);
        if ((v = cw_props_get(cp, k))) *origin = cw_props_origin(cp);
    }
    if (!v) {
        snprintf(k, sizeof k, "%s%s", prefix, key);
        if ((v = cw_props_get(wp, k))) *origin = cw_props_origin(wp);
    }
    snprintf(shown, shown_size, "%s", k);
    return v;
}

int cw_msk_iam_settings(const cw_props_t *wp, const char *prefix, const cw_props_t *cp,
                        const char *cprefix, const char *bootstrap, cw_msk_iam_t *out, char *errstr,
                        size_t errstr_size) {
    const char *origin = "worker", *o2 = "worker", *o3 = "worker";
    char k1[160], k2[160], k3[160], err[400];
    const char *mech = effective(wp, prefix, cp, cprefix, "sasl.mechanism", &origin, k1, sizeof k1);
    if (!mech || strcmp(mech, "AWS_MSK_IAM") != 0) return 0;
    memset(out, 0, sizeof *out);
    const char *jaas = effective(wp, prefix, cp, cprefix, "sasl.jaas.config", &o2, k2, sizeof k2);
    const char *proto = effective(wp, prefix, cp, cprefix, "security.protocol", &o3, k3, sizeof k3);
    if (!proto || strncasecmp(proto, "SASL_", 5) != 0) {
        snprintf(errstr, errstr_size, "%s: %s: AWS_MSK_IAM needs %s=SASL_SSL", origin, k1, k3);
        return -1;
    }
    if (!jaas) {
        snprintf(errstr, errstr_size, "%s: %s: AWS_MSK_IAM needs %s=" LOGIN_MODULE " required;",
                 origin, k1, k2);
        return -1;
    }
    if (cw_msk_iam_parse_jaas(jaas, out, err, sizeof err)) {
        snprintf(errstr, errstr_size, "%s: %s: %s", o2, k2, err);
        return -1;
    }
    if (cw_sdk_aws_msk_region(bootstrap, out->region, sizeof out->region) != 0) {
        const char *env = getenv("AWS_REGION");
        if (!env || !*env) env = getenv("AWS_DEFAULT_REGION");
        if (!cw_sdk_aws_region_valid(env)) {
            snprintf(errstr, errstr_size,
                     "%s: %s: AWS_MSK_IAM needs the cluster's region: no "
                     "broker in bootstrap.servers is an MSK host name (...kafka.<region>."
                     "amazonaws.com) and AWS_REGION is %s",
                     origin, k1, env && *env ? "no region name" : "unset");
            return -1;
        }
        snprintf(out->region, sizeof out->region, "%s", env);
    }
    return 1;
}

int cw_msk_iam_credentials(const cw_msk_iam_t *m, cw_sdk_aws_creds_t *out, char *errstr,
                           size_t errstr_size) {
    const cw_sdk_aws_chain_opts_t o = {.profile = m->profile[0] ? m->profile : NULL};
    if (cw_sdk_aws_creds_resolve_chain(&o, out, errstr, errstr_size)) return -1;
    if (!m->role_arn[0]) return 0;
    cw_sdk_aws_creds_t base = *out;
    memset(out, 0, sizeof *out);
    int rc = cw_sdk_aws_sts_assume_role(&base, m->role_arn,
                                        m->session_name[0] ? m->session_name : DEFAULT_SESSION,
                                        m->sts_region, out, errstr, errstr_size);
    cw_sdk_aws_creds_clear(&base);
    return rc;
}

int cw_msk_iam_token(const cw_msk_iam_t *m, int64_t now_ms, char **token, int64_t *lifetime_ms,
                     char *source, size_t source_size, char *errstr, size_t errstr_size) {
    cw_sdk_aws_creds_t c;
    *token = NULL;
    if (cw_msk_iam_credentials(m, &c, errstr, errstr_size)) return -1;
    int rc = cw_sdk_aws_msk_token(&c, m->region, now_ms, "connect-worker/" CW_VERSION, token,
                                  lifetime_ms, errstr, errstr_size);
    /* A presigned request dies with its credentials: a token must not outlive them. */
    if (rc == 0 && c.expires_ms && c.expires_ms < *lifetime_ms) *lifetime_ms = c.expires_ms;
    if (source) snprintf(source, source_size, "%s", c.source);
    cw_sdk_aws_creds_clear(&c);
    return rc;
}

static void fmt_utc(int64_t ms, char *out, size_t size) {
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* librdkafka's refresh callback, on the thread that polls the client: makes a token, or
 * reports the failure, after which librdkafka calls again in 10 s and the connection keeps
 * its current token meanwhile. */
static void refresh_cb(rd_kafka_t *rk, const char *config, void *opaque) {
    (void)opaque;
    cw_msk_iam_t m = {0};
    char err[1500] = "", source[200] = "", when[32];
    char *token = NULL;
    int64_t lifetime = 0;
    int rc = parse_options(config ? config : "", &m, err, sizeof err);
    if (rc == 0)
        rc = cw_msk_iam_token(&m, wall_ms(), &token, &lifetime, source, sizeof source, err,
                              sizeof err);
    if (rc == 0) {
        char rkerr[512];
        /* The principal is informational for OAUTHBEARER; MSK reads the signed request. */
        if (rd_kafka_oauthbearer_set_token(rk, token, lifetime, "aws-msk-iam", NULL, 0, rkerr,
                                           sizeof rkerr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(err, sizeof err, "librdkafka refused the token: %s", rkerr);
            rc = -1;
        }
    }
    if (token) {
        memset(token, 0, strlen(token));
        free(token);
    }
    if (rc == 0) {
        fmt_utc(lifetime, when, sizeof when);
        cw_log_info("MSK IAM: %s: set a token for kafka-cluster:Connect in %s, principal "
                    "aws-msk-iam, credentials from %s; it expires at %s",
                    rd_kafka_name(rk), m.region, source, when);
        return;
    }
    cw_log_warn("MSK IAM: %s: could not make a token: %s (librdkafka tries again in 10 s)",
                rd_kafka_name(rk), err);
    rd_kafka_oauthbearer_set_token_failure(rk, err);
}

int cw_msk_iam_conf(rd_kafka_conf_t *conf, const cw_msk_iam_t *m, char *errstr,
                    size_t errstr_size) {
    char cfg[700], err[512];
    snprintf(cfg, sizeof cfg, "region=%s%s%s%s%s%s%s%s%s", m->region,
             m->role_arn[0] ? " awsRoleArn=" : "", m->role_arn,
             m->session_name[0] ? " awsRoleSessionName=" : "", m->session_name,
             m->sts_region[0] ? " awsStsRegion=" : "", m->sts_region,
             m->profile[0] ? " awsProfileName=" : "", m->profile);
    if (rd_kafka_conf_set(conf, "sasl.mechanism", "OAUTHBEARER", err, sizeof err) ||
        rd_kafka_conf_set(conf, "sasl.oauthbearer.config", cfg, err, sizeof err)) {
        snprintf(errstr, errstr_size, "MSK IAM: librdkafka: %s", err);
        return -1;
    }
    rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, refresh_cb);
    return 0;
}

void cw_msk_iam_check(const cw_props_t *wp, const char *prefix, const cw_props_t *cp,
                      const char *cprefix, const char *bootstrap, const char *what,
                      cw_errlist_t *errs) {
    cw_msk_iam_t m;
    char err[2000];
    int rc = cw_msk_iam_settings(wp, prefix, cp, cprefix, bootstrap, &m, err, sizeof err);
    if (rc < 0) cw_errlist_add(errs, "%s", err);
    if (rc <= 0) return;
    cw_sdk_aws_creds_t c;
    const cw_sdk_aws_chain_opts_t o = {.profile = m.profile[0] ? m.profile : NULL};
    if (cw_sdk_aws_creds_resolve_chain(&o, &c, err, sizeof err)) {
        cw_errlist_add(errs, "%s: %s, MSK IAM (sasl.mechanism=AWS_MSK_IAM): %s",
                       cp ? cw_props_origin(cp) : cw_props_origin(wp), what, err);
        return;
    }
    /* STS is not asked here: the role is assumed when the first token is made. */
    cw_log_info("%s: MSK IAM in %s with credentials from %s%s%s%s", what, m.region, c.source,
                m.role_arn[0] ? ", then STS AssumeRole of " : "", m.role_arn,
                m.role_arn[0] ? (m.sts_region[0] ? " (STS region set by awsStsRegion)" : "") : "");
    cw_sdk_aws_creds_clear(&c);
}
