/* MSK IAM tokens and their settings.
 * 1. SigV4 presigning reproduces AWS's published presigned-URL example (S3 documentation,
 *    "Example: a presigned URL", signature aeeed9bb...).
 * 2. The MSK token, byte for byte, against botocore presigning the same request as
 *    aws-msk-iam-sasl-signer-python does (tests/msk/botocore_token.py, run with python3):
 *    long-term keys, a session token with characters that need encoding, other regions and
 *    times; and the structure the signer libraries' own tests assert.
 * 3. Regions of MSK broker names; the JAAS line of the Java client and its errors.
 * 4. Tokens of cw_msk_iam_token on a fake clock: the lifetime follows the signing time, is
 *    cut to the credentials' expiry, and a later refresh signs anew. With the fake endpoints
 *    of tests/s3/fake_metadata.py (MSK_MD_URL set by token.sh): container credentials, an
 *    assumed role through the fake STS, a role STS refuses, and no credentials at all (the
 *    error names every source; no secret in any message). */
#define _GNU_SOURCE
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/check.h"
#include "connect-worker/sdk_aws.h"
#include "kafka_msk_iam.h"

static const char *ua = "connect-worker/" CW_VERSION;

/* base64url without padding, decoded (tokens are URLs: text). */
static char *unb64url(const char *t) {
    size_t n = strlen(t);
    char *s = calloc(n + 4, 1), *out = calloc(n + 4, 1);
    for (size_t i = 0; i < n; i++) s[i] = t[i] == '-' ? '+' : t[i] == '_' ? '/' : t[i];
    while (n % 4) s[n++] = '=';
    int len = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)s, (int)n);
    if (len >= 0) out[len - (s[n - 1] == '=') - (s[n - 2] == '=')] = 0;
    free(s);
    return out;
}

static void test_published_presign(void) {
    /* docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html */
    cw_sdk_aws_creds_t c = {.access_key = "AKIAIOSFODNN7EXAMPLE",
                            .secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
    cw_sdk_aws_presign_t p = {.method = "GET",
                              .host = "examplebucket.s3.amazonaws.com",
                              .path = "/test.txt",
                              .service = "s3",
                              .region = "us-east-1",
                              .time_s = 1369353600 /* 2013-05-24T00:00:00Z */,
                              .expires_s = 86400,
                              .payload_hash = "UNSIGNED-PAYLOAD"};
    char err[256];
    char *url = cw_sdk_aws_presign_url(&p, &c, err, sizeof err);
    CHECK_STR(url, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-"
                   "SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
                   "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
                   "SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330"
                   "da4c265957d157751f604d404");
    free(url);
}

/* The token botocore computes; expiry into *exp. */
static char *botocore_token(const char *ak, const char *sk, const char *tok, const char *region,
                            long long epoch, long long *exp) {
    char cmd[2048], line[4096];
    snprintf(cmd, sizeof cmd,
             "python3 '%s/tests/msk/botocore_token.py' '%s' '%s' '%s' '%s' %lld '%s'",
             getenv("CW_SOURCE_DIR"), ak, sk, tok ? tok : "-", region, epoch, ua);
    FILE *f = popen(cmd, "r");
    char *t = NULL;
    if (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        t = strdup(line);
        char e[64];
        *exp = fgets(e, sizeof e, f) ? atoll(e) : -1;
    }
    CHECK(f && pclose(f) == 0);
    return t;
}

static void one_token(const char *ak, const char *sk, const char *tok, const char *region,
                      long long epoch, int64_t ms_past) {
    cw_sdk_aws_creds_t c = {
        .access_key = (char *)ak, .secret_key = (char *)sk, .session_token = (char *)tok};
    char *mine = NULL, err[256];
    int64_t exp = 0;
    long long want_exp = 0;
    CHECK(cw_sdk_aws_msk_token(&c, region, epoch * 1000 + ms_past, ua, &mine, &exp, err,
                               sizeof err) == 0);
    char *theirs = botocore_token(ak, sk, tok, region, epoch, &want_exp);
    CHECK_STR(mine, theirs);
    CHECK(exp == want_exp && exp == (epoch + 900) * 1000);
    /* What the signer libraries' tests assert of the decoded URL. */
    char *url = mine ? unb64url(mine) : NULL;
    char want[200];
    snprintf(want, sizeof want, "https://kafka.%s.amazonaws.com/?Action=kafka-cluster%%3AConnect&",
             region);
    CHECK(url && strncmp(url, want, strlen(want)) == 0);
    CHECK_CONTAINS(url, "&X-Amz-Algorithm=AWS4-HMAC-SHA256&");
    CHECK_CONTAINS(url, "&X-Amz-Expires=900&");
    CHECK_CONTAINS(url, "&X-Amz-SignedHeaders=host&");
    CHECK_CONTAINS(url, "&User-Agent=connect-worker%2F");
    snprintf(want, sizeof want, "%%2F%s%%2Fkafka-cluster%%2Faws4_request&", region);
    CHECK_CONTAINS(url, want);
    CHECK((strstr(url ? url : "", "X-Amz-Security-Token=") != NULL) == (tok != NULL));
    CHECK(mine && !strchr(mine, '=') && !strchr(mine, '+') && !strchr(mine, '/'));
    free(url);
    free(mine);
    free(theirs);
}

static void test_tokens_vs_botocore(void) {
    one_token("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL, "us-east-1",
              1796405400, 0);
    /* A session token with characters URLs encode; a fraction of a second is dropped. */
    one_token("ASIAEXAMPLE", "secret/with+chars=", "IQoJb3JpZ2luX2Vj/token+with=chars~ok",
              "eu-west-1", 1796405400, 999);
    one_token("ASIAEXAMPLE", "s", "t", "ap-southeast-2", 1709164799 /* 2024-02-28T23:59:59Z */, 0);
}

static void test_regions(void) {
    char r[48];
    CHECK(cw_sdk_aws_msk_region("b-1.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,"
                                "b-2.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:9098",
                                r, sizeof r) == 0);
    CHECK_STR(r, "eu-west-1");
    CHECK(cw_sdk_aws_msk_region("localhost:9092, boot-x.c3.kafka-serverless.us-east-2."
                                "amazonaws.com:9098",
                                r, sizeof r) == 0);
    CHECK_STR(r, "us-east-2");
    CHECK(cw_sdk_aws_msk_region("b-1.x.kafka.cn-north-1.amazonaws.com.cn:9098", r, sizeof r) == 0);
    CHECK_STR(r, "cn-north-1");
    CHECK(cw_sdk_aws_msk_region("127.0.0.1:9092,kafka.example.com:9092", r, sizeof r) == -1);
    CHECK(cw_sdk_aws_msk_region("b-1.kafka.eu-west-1.amazonaws.com.evil.com:9098", r, sizeof r) ==
          -1);
}

static void test_jaas(void) {
    cw_msk_iam_t m = {0};
    char err[256];
    CHECK(cw_msk_iam_parse_jaas("software.amazon.msk.auth.iam.IAMLoginModule required;", &m, err,
                                sizeof err) == 0);
    CHECK(!m.role_arn[0] && !m.profile[0]);
    memset(&m, 0, sizeof m);
    CHECK(cw_msk_iam_parse_jaas(
              "software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn=\"arn:aws:iam::1:"
              "role/r\" awsRoleSessionName=\"s\" awsStsRegion=\"eu-west-1\" awsDebugCreds=true;",
              &m, err, sizeof err) == 0);
    CHECK_STR(m.role_arn, "arn:aws:iam::1:role/r");
    CHECK_STR(m.session_name, "s");
    CHECK_STR(m.sts_region, "eu-west-1");
    memset(&m, 0, sizeof m);
    CHECK(cw_msk_iam_parse_jaas("software.amazon.msk.auth.iam.IAMLoginModule required "
                                "awsProfileName=\"prod\";",
                                &m, err, sizeof err) == 0);
    CHECK_STR(m.profile, "prod");
    CHECK(cw_msk_iam_parse_jaas("org.apache.kafka.common.security.plain.PlainLoginModule "
                                "required;",
                                &m, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "IAMLoginModule");
    CHECK(cw_msk_iam_parse_jaas("software.amazon.msk.auth.iam.IAMLoginModule required", &m, err,
                                sizeof err) == -1);
    CHECK_CONTAINS(err, "';'");
    CHECK(cw_msk_iam_parse_jaas("software.amazon.msk.auth.iam.IAMLoginModule mandatory;", &m, err,
                                sizeof err) == -1);
    CHECK(cw_msk_iam_parse_jaas("software.amazon.msk.auth.iam.IAMLoginModule required "
                                "awsStsRegion=\"Mars 1\";",
                                &m, err, sizeof err) == -1);
    CHECK(cw_msk_iam_java_key("sasl.mechanism", "AWS_MSK_IAM"));
    CHECK(!cw_msk_iam_java_key("sasl.mechanism", "SCRAM-SHA-512"));
    CHECK(cw_msk_iam_java_key("sasl.client.callback.handler.class",
                              "software.amazon.msk.auth.iam.IAMClientCallbackHandler"));
}

static void clean_env(void) {
    static const char *const vars[] = {"AWS_ACCESS_KEY_ID",
                                       "AWS_SECRET_ACCESS_KEY",
                                       "AWS_SESSION_TOKEN",
                                       "AWS_PROFILE",
                                       "AWS_ROLE_ARN",
                                       "AWS_WEB_IDENTITY_TOKEN_FILE",
                                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                       "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                       "AWS_ENDPOINT_URL_STS",
                                       "AWS_EC2_METADATA_SERVICE_ENDPOINT"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) unsetenv(vars[i]);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
}

static void test_fake_clock(void) {
    clean_env();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret-do-not-log", 1);
    cw_msk_iam_t m = {.region = "eu-west-1"};
    char *t1 = NULL, *t2 = NULL, src[200], err[2000];
    int64_t l1 = 0, l2 = 0, t0 = 1796405400000LL;
    CHECK(cw_msk_iam_token(&m, t0, &t1, &l1, src, sizeof src, err, sizeof err) == 0);
    CHECK(l1 == t0 + 900000);
    CHECK_STR(src, "environment (AWS_ACCESS_KEY_ID)");
    /* librdkafka refreshes at 80% of the lifetime: 720 s later a new signature and expiry. */
    CHECK(cw_msk_iam_token(&m, t0 + 720000, &t2, &l2, src, sizeof src, err, sizeof err) == 0);
    CHECK(l2 == t0 + 720000 + 900000);
    CHECK(t1 && t2 && strcmp(t1, t2) != 0);
    char *u = t2 ? unb64url(t2) : NULL;
    CHECK_CONTAINS(u, "X-Amz-Date=20261204T174200Z");
    CHECK_CONTAINS(u, "X-Amz-Credential=AKIDENV%2F20261204%2Feu-west-1%2F");
    free(u);
    free(t1);
    free(t2);
}

/* With the fake endpoints of token.sh. */
static void test_fake_endpoints(const char *md) {
    char url[256], *t = NULL, src[200], err[3000];
    int64_t life = 0, now = 1796405400000LL;
    clean_env();
    snprintf(url, sizeof url, "%s/container/creds", md);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth-token", 1);
    /* Temporary credentials (session token); they expire 60 s after the answer (wall clock),
     * so a token signed "now" on the real clock lives as long as they do. */
    cw_msk_iam_t m = {.region = "us-east-1"};
    int64_t real = (int64_t)time(NULL) * 1000;
    CHECK(cw_msk_iam_token(&m, real, &t, &life, src, sizeof src, err, sizeof err) == 0);
    CHECK(life > real && life <= real + 61000);
    CHECK_CONTAINS(src, "container credentials");
    char *u = t ? unb64url(t) : NULL;
    CHECK_CONTAINS(u, "X-Amz-Security-Token=FAKE-SESSION-TOKEN-");
    CHECK_CONTAINS(u, "X-Amz-Credential=S3RVER%2F");
    free(u);
    free(t);

    /* awsRoleArn: the container's credentials sign STS AssumeRole (in awsStsRegion); the
     * token is signed with the role's. */
    snprintf(url, sizeof url, "%s/", md);
    setenv("AWS_ENDPOINT_URL_STS", url, 1);
    snprintf(m.role_arn, sizeof m.role_arn, "arn:aws:iam::123456789012:role/msk-client");
    snprintf(m.sts_region, sizeof m.sts_region, "eu-central-1");
    CHECK(cw_msk_iam_token(&m, now, &t, &life, src, sizeof src, err, sizeof err) == 0);
    CHECK_CONTAINS(src, "STS AssumeRole of arn:aws:iam::123456789012:role/msk-client with "
                        "container credentials");
    u = t ? unb64url(t) : NULL;
    CHECK_CONTAINS(u, "X-Amz-Credential=ASSUMED-KEY%2F20261204%2Fus-east-1%2Fkafka-cluster");
    CHECK_CONTAINS(u, "X-Amz-Security-Token=ASSUMED-SESSION-TOKEN-");
    free(u);
    free(t);
    FILE *f = fopen(getenv("MSK_ASSUME_LOG"), "r");
    char line[1024] = "";
    while (f && fgets(line, sizeof line, f)) {}
    if (f) fclose(f);
    CHECK_CONTAINS(line, "\"key\": \"S3RVER\"");
    CHECK_CONTAINS(line, "\"region\": \"eu-central-1\"");
    CHECK_CONTAINS(line, "\"token\": \"FAKE-SESSION-TOKEN-");
    CHECK_CONTAINS(line, "\"session\": \"MSKSASLDefaultSession\"");

    /* A role STS refuses: the error names the role, the endpoint and STS's code. */
    snprintf(m.role_arn, sizeof m.role_arn, "arn:aws:iam::123456789012:role/not-mine");
    CHECK(cw_msk_iam_token(&m, now, &t, &life, src, sizeof src, err, sizeof err) == -1);
    CHECK(t == NULL);
    CHECK_CONTAINS(err, "STS AssumeRole of role arn:aws:iam::123456789012:role/not-mine");
    CHECK_CONTAINS(err, "HTTP 403, AccessDenied");
    CHECK_NOT_CONTAINS(err, "S3RVER");
    CHECK_NOT_CONTAINS(err, "FAKE-SESSION-TOKEN");

    /* A refused container token, and no credentials anywhere: every source is named. */
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token-do-not-log", 1);
    m.role_arn[0] = 0;
    CHECK(cw_msk_iam_token(&m, now, &t, &life, src, sizeof src, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "the authorization token was refused");
    CHECK_NOT_CONTAINS(err, "wrong-token-do-not-log");
    clean_env();
    CHECK(cw_msk_iam_token(&m, now, &t, &life, src, sizeof src, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "no AWS credentials found; tried: environment");
    CHECK_CONTAINS(err, "shared credentials file (/nonexistent/credentials has no profile "
                        "[default]");
    CHECK_CONTAINS(err, "web identity (");
    CHECK_CONTAINS(err, "container credentials (");
    CHECK_CONTAINS(err, "instance metadata (disabled by AWS_EC2_METADATA_DISABLED=true)");
    /* awsProfileName picks the profile the message names. */
    snprintf(m.profile, sizeof m.profile, "analytics");
    CHECK(cw_msk_iam_token(&m, now, &t, &life, src, sizeof src, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "has no profile [analytics]");
}

int main(void) {
    test_published_presign();
    test_tokens_vs_botocore();
    test_regions();
    test_jaas();
    test_fake_clock();
    const char *md = getenv("MSK_MD_URL");
    if (md)
        test_fake_endpoints(md);
    else {
        fprintf(stderr, "MSK_MD_URL is unset: run through tests/msk/token.sh\n");
        return 1;
    }
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
