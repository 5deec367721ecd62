/* EKS IAM roles for service accounts (IRSA): the pod's projected service-account token,
 * traded for temporary credentials by STS AssumeRoleWithWebIdentity (an unsigned call). The
 * token file is read on every fetch because the kubelet rotates it. Token, form body and
 * answer are zeroed after use; messages name the role ARN, the STS endpoint and STS's error
 * code, never the token or a secret. Also STS AssumeRole (signed, by libcurl) for roles
 * assumed with credentials of the chain (MSK IAM's awsRoleArn). */
#define _GNU_SOURCE /* memmem */
#include "connect-worker/sdk_aws.h"
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STS_ACTION "AssumeRoleWithWebIdentity"
#define MAX_TOKEN 20000 /* STS's limit on WebIdentityToken */

static void wipe_free(char *s) {
    if (s) memset(s, 0, strlen(s));
    free(s);
}

int cw_sdk_aws_xml_tag(const char *xml, size_t len, const char *tag, char *out, size_t out_size) {
    char open[80], close[80];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    if (!xml || !out_size) return 0;
    /* Answers are short; memmem keeps us within len (bodies are not NUL-terminated). */
    const char *a = memmem(xml, len, open, strlen(open));
    if (!a) return 0;
    a += strlen(open);
    const char *b = memmem(a, len - (size_t)(a - xml), close, strlen(close));
    if (!b) return 0;
    size_t n = (size_t)(b - a);
    if (n >= out_size) n = out_size - 1;
    memcpy(out, a, n);
    out[n] = 0;
    return 1;
}

/* The text of <tag> in xml[0..len), in a buffer of its own; NULL when absent or empty. */
static char *xml_dup(const char *xml, size_t len, const char *tag) {
    char *buf = malloc(len + 1);
    if (!buf) return NULL;
    buf[0] = 0; /* cw_sdk_aws_xml_tag writes nothing when the tag is absent */
    if (!cw_sdk_aws_xml_tag(xml, len, tag, buf, len + 1) || !buf[0]) {
        wipe_free(buf);
        buf = NULL;
    }
    return buf;
}

/* STS messages do not quote the token, but a message that would is dropped all the same. */
static int quotes_token(const char *msg, const char *token) {
    char head[17];
    if (!token || strlen(token) < 8) return 0;
    snprintf(head, sizeof head, "%s", token);
    return strstr(msg, head) != NULL;
}

int cw_sdk_aws_creds_parse_sts_xml(const char *body, size_t len, long status, const char *token,
                                   cw_sdk_aws_creds_t *out, char *code, size_t code_size, char *why,
                                   size_t why_size) {
    if (!body) len = 0;
    if (code_size) code[0] = 0;
    char msg[300] = "";
    char *e = body ? xml_dup(body, len, "Error") : NULL;
    if (e) {
        cw_sdk_aws_xml_tag(e, strlen(e), "Code", code, code_size);
        cw_sdk_aws_xml_tag(e, strlen(e), "Message", msg, sizeof msg);
        wipe_free(e);
        if (quotes_token(msg, token))
            snprintf(msg, sizeof msg, "(message withheld: it quotes the token)");
    }
    if (status != 200 || (code_size && code[0])) {
        snprintf(why, why_size, "HTTP %ld, %s%s%s", status,
                 code_size && code[0] ? code : "no STS error code", msg[0] ? ": " : "", msg);
        return -1;
    }
    char *cr = body ? xml_dup(body, len, "Credentials") : NULL;
    if (!cr) {
        snprintf(why, why_size, "the answer has no Credentials");
        return -1;
    }
    size_t cl = strlen(cr);
    char *ak = xml_dup(cr, cl, "AccessKeyId"), *sk = xml_dup(cr, cl, "SecretAccessKey"),
         *tok = xml_dup(cr, cl, "SessionToken"), *exp = xml_dup(cr, cl, "Expiration");
    wipe_free(cr);
    int64_t exp_ms = exp ? cw_sdk_aws_iso8601_ms(exp) : -1;
    int rc = -1;
    if (!ak || !sk || !tok)
        snprintf(why, why_size, "the answer lacks AccessKeyId, SecretAccessKey or SessionToken");
    else if (exp_ms < 0)
        snprintf(why, why_size, "Expiration '%.40s' is no ISO-8601 time", exp ? exp : "");
    else
        rc = 0;
    if (rc == 0) {
        out->access_key = ak;
        out->secret_key = sk;
        out->session_token = tok;
        out->expires_ms = exp_ms;
    } else {
        wipe_free(ak);
        wipe_free(sk);
        wipe_free(tok);
    }
    free(exp);
    return rc;
}

/* The token from the file, whitespace trimmed; NULL with why. */
static char *read_token(const char *file, char *why, size_t why_size) {
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(why, why_size, "cannot read AWS_WEB_IDENTITY_TOKEN_FILE %.200s", file);
        return NULL;
    }
    char *tok = malloc(MAX_TOKEN + 2);
    size_t n = tok ? fread(tok, 1, MAX_TOKEN + 1, f) : 0;
    fclose(f);
    if (!tok) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    tok[n] = 0;
    while (n && isspace((unsigned char)tok[n - 1])) tok[--n] = 0;
    const char *bad = n > MAX_TOKEN ? "is longer than STS accepts (20000 bytes)"
                      : n == 0      ? "is empty"
                                    : NULL;
    if (bad) {
        snprintf(why, why_size, "AWS_WEB_IDENTITY_TOKEN_FILE %.200s %s", file, bad);
        memset(tok, 0, MAX_TOKEN + 2);
        free(tok);
        return NULL;
    }
    return tok;
}

/* The STS endpoint: AWS_ENDPOINT_URL_STS, else the regional one (of `region`, else of
 * AWS_REGION), else the global one. */
static int sts_url(const char *want_region, char *url, size_t url_size, char *why,
                   size_t why_size) {
    const char *ep = getenv("AWS_ENDPOINT_URL_STS");
    if (ep && *ep) {
        if (!cw_sdk_aws_creds_url_allowed(ep, "AWS_ENDPOINT_URL_STS", 0, why, why_size)) return -1;
        snprintf(url, url_size, "%s", ep);
        return 0;
    }
    const char *region = want_region && *want_region ? want_region : getenv("AWS_REGION");
    if (!region || !*region) region = getenv("AWS_DEFAULT_REGION");
    if (!region || !*region) {
        snprintf(url, url_size, "https://sts.amazonaws.com/");
        return 0;
    }
    if (!cw_sdk_aws_region_valid(region)) {
        snprintf(why, why_size, "AWS_REGION '%.40s' is no AWS region name", region);
        return -1;
    }
    snprintf(url, url_size, "https://sts.%s.amazonaws.com%s/", region,
             strncmp(region, "cn-", 3) ? "" : ".cn");
    return 0;
}

/* The form of the request; NULL when out of memory. The caller wipes it. */
static char *sts_form(const char *role, const char *session, const char *token) {
    char *r = curl_easy_escape(NULL, role, 0), *s = curl_easy_escape(NULL, session, 0),
         *t = curl_easy_escape(NULL, token, 0), *form = NULL;
    if (r && s && t) {
        size_t n = strlen(r) + strlen(s) + strlen(t) + 160;
        form = malloc(n);
        if (form)
            snprintf(form, n,
                     "Action=" STS_ACTION "&Version=2011-06-15&RoleArn=%s&RoleSessionName=%s"
                     "&WebIdentityToken=%s",
                     r, s, t);
    }
    if (t) memset(t, 0, strlen(t));
    curl_free(r);
    curl_free(s);
    curl_free(t);
    return form;
}

int cw_sdk_aws_creds_from_web_identity(cw_sdk_aws_creds_t *out, char *why, size_t why_size) {
    const char *role = getenv("AWS_ROLE_ARN"), *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    int has_role = role && *role, has_file = file && *file;
    if (!has_role && !has_file) {
        snprintf(why, why_size, "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are unset");
        return CW_SDK_AWS_SRC_SKIPPED;
    }
    if (!has_role || !has_file) {
        snprintf(why, why_size, "%s is set but %s is not",
                 has_role ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE",
                 has_role ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN");
        return CW_SDK_AWS_SRC_FAILED;
    }
    char url[1024], session[80], err[400] = "";
    if (sts_url(NULL, url, sizeof url, why, why_size) != 0) return CW_SDK_AWS_SRC_FAILED;
    const char *sn = getenv("AWS_ROLE_SESSION_NAME");
    if (sn && *sn)
        snprintf(session, sizeof session, "%.64s", sn);
    else
        snprintf(session, sizeof session, "connect-worker-%lld", (long long)time(NULL));
    char *token = read_token(file, why, why_size);
    if (!token) return CW_SDK_AWS_SRC_FAILED;
    char *form = sts_form(role, session, token);
    if (!form) {
        wipe_free(token);
        snprintf(why, why_size, "out of memory");
        return CW_SDK_AWS_SRC_FAILED;
    }
    cw_sdk_aws_creds_answer_t a = {0};
    /* 3 s to connect, 10 s in all: STS is a remote service, unlike the metadata endpoints. */
    long st = cw_sdk_aws_creds_http("POST", url, "Accept: text/xml", form, 1, 3000, 10000, url, &a,
                                    err, sizeof err);
    wipe_free(form);
    int rc = CW_SDK_AWS_SRC_FAILED;
    char code[80];
    if (st == 0)
        snprintf(why, why_size, "STS " STS_ACTION " for role %.200s: %s", role, err);
    else if (cw_sdk_aws_creds_parse_sts_xml(a.data, a.len, st, token, out, code, sizeof code, err,
                                            sizeof err) != 0)
        snprintf(why, why_size, "STS " STS_ACTION " for role %.200s at %.200s failed: %s", role,
                 url, err);
    else
        rc = CW_SDK_AWS_SRC_OK;
    cw_sdk_aws_creds_answer_free(&a);
    wipe_free(token);
    if (rc == CW_SDK_AWS_SRC_OK) {
        out->kind = CW_SDK_AWS_CREDS_WEB_IDENTITY;
        snprintf(out->source, sizeof out->source, "web identity (role %.74s)", role);
    }
    return rc;
}

int cw_sdk_aws_region_valid(const char *s) {
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The AssumeRole form; NULL when out of memory. The caller wipes it (it may hold the
 * external id, which trust policies use as a shared secret). */
static char *assume_form(const cw_sdk_aws_assume_role_t *r) {
    const char *sn = r->session_name && *r->session_name ? r->session_name : "connect-worker";
    const char *xi = r->external_id && *r->external_id ? r->external_id : NULL;
    char *a = curl_easy_escape(NULL, r->role_arn, 0), *s = curl_easy_escape(NULL, sn, 0);
    char *x = xi ? curl_easy_escape(NULL, xi, 0) : NULL, *form = NULL;
    if (a && s && (x || !xi)) {
        size_t n = strlen(a) + strlen(s) + (x ? strlen(x) : 0) + 120;
        form = malloc(n);
        if (form)
            snprintf(form, n,
                     "Action=AssumeRole&Version=2011-06-15&RoleArn=%s&RoleSessionName=%s%s%s", a, s,
                     x ? "&ExternalId=" : "", x ? x : "");
    }
    if (x) memset(x, 0, strlen(x));
    curl_free(a);
    curl_free(s);
    curl_free(x);
    return form;
}

int cw_sdk_aws_sts_assume_role_ex(const cw_sdk_aws_creds_t *base, const cw_sdk_aws_assume_role_t *r,
                                  cw_sdk_aws_creds_t *out, char *errstr, size_t errstr_size) {
    memset(out, 0, sizeof *out);
    char url[1024], why[400] = "", sigv4[96], code[80];
    const char *role_arn = r ? r->role_arn : NULL, *sts_region = r ? r->sts_region : NULL;
    if (!role_arn || !*role_arn || !base || !base->access_key || !base->secret_key) {
        snprintf(errstr, errstr_size, "STS AssumeRole needs a role ARN and credentials");
        return -1;
    }
    if (sts_url(sts_region, url, sizeof url, why, sizeof why) != 0) {
        snprintf(errstr, errstr_size, "STS AssumeRole of role %.200s: %s", role_arn, why);
        return -1;
    }
    /* The signing region: the endpoint's, us-east-1 for the global endpoint. */
    const char *region = sts_region && *sts_region ? sts_region : getenv("AWS_REGION");
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:sts",
             cw_sdk_aws_region_valid(region) ? region : "us-east-1");
    char *form = assume_form(r);
    if (!form) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    cw_sdk_aws_creds_answer_t a = {0};
    long st = cw_sdk_aws_http_signed("POST", url, "Accept: text/xml", form, 1, 3000, 10000, url,
                                     base, sigv4, &a, why, sizeof why);
    wipe_free(form);
    int rc = -1;
    if (st == 0)
        snprintf(errstr, errstr_size, "STS AssumeRole of role %.200s: %s", role_arn, why);
    else if (cw_sdk_aws_creds_parse_sts_xml(a.data, a.len, st, r->external_id, out, code,
                                            sizeof code, why, sizeof why) != 0)
        snprintf(errstr, errstr_size, "STS AssumeRole of role %.200s at %.200s failed: %s",
                 role_arn, url, why);
    else
        rc = 0;
    cw_sdk_aws_creds_answer_free(&a);
    if (rc == 0) {
        out->kind = CW_SDK_AWS_CREDS_FIXED;
        snprintf(out->source, sizeof out->source, "STS AssumeRole of %.70s with %.65s", role_arn,
                 base->source);
    }
    return rc;
}

int cw_sdk_aws_sts_assume_role(const cw_sdk_aws_creds_t *base, const char *role_arn,
                               const char *session_name, const char *sts_region,
                               cw_sdk_aws_creds_t *out, char *errstr, size_t errstr_size) {
    const cw_sdk_aws_assume_role_t r = {
        .role_arn = role_arn,
        .session_name = session_name,
        .sts_region = sts_region,
    };
    return cw_sdk_aws_sts_assume_role_ex(base, &r, out, errstr, errstr_size);
}
