/* Unit tests of the credential sources and the refreshing provider: ISO-8601 expirations,
 * the credentials JSON, the container endpoint's address policy and token file, STS's
 * AssumeRoleWithWebIdentity XML and the web identity source's settings, and refresh
 * timing with a fake clock and a fake fetcher (when a refresh happens, at most one per
 * second, keeping valid credentials when it fails, failing once they expired). */
#include "s3_credentials.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s3_check.h"

static char err[1024];

static void test_iso8601(void) {
    CHECK(s3_iso8601_ms("1970-01-01T00:00:00Z") == 0, "epoch");
    CHECK(s3_iso8601_ms("2026-11-21T07:27:55Z") == 1795246075000LL, "%lld",
          (long long)s3_iso8601_ms("2026-11-21T07:27:55Z"));
    CHECK(s3_iso8601_ms("2026-11-21T07:27:55.5Z") == 1795246075500LL, "fraction");
    CHECK(s3_iso8601_ms("2026-11-21T07:27:55.123456Z") == 1795246075123LL, "micro");
    CHECK(s3_iso8601_ms("2026-11-21T09:27:55+02:00") == 1795246075000LL, "offset");
    CHECK(s3_iso8601_ms("2026-11-21T02:27:55-05:00") == 1795246075000LL, "negative offset");
    CHECK(s3_iso8601_ms("2024-02-29T00:00:00Z") == 1709164800000LL, "leap day");
    const char *bad[] = {"",
                         "2026-11-21",
                         "2026-11-21T07:27:55",
                         "2026-13-01T00:00:00Z",
                         "2026-11-21T24:00:00Z",
                         "2026-11-21T07:27:55Zx",
                         " 2026-11-21T07:27:55Z",
                         "2026-11-21T07:27:55.Z",
                         "2026-11-21T07:27:55+2:00",
                         "tomorrow",
                         NULL};
    for (int i = 0; bad[i]; i++) CHECK(s3_iso8601_ms(bad[i]) == -1, "'%s' accepted", bad[i]);
    CHECK(s3_iso8601_ms(NULL) == -1, "NULL");
}

static void test_json(void) {
    s3_credentials_t c = {0};
    const char *ok = "{\"Code\":\"Success\",\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"sek\","
                     "\"Token\":\"tok\",\"Expiration\":\"2026-11-21T07:27:55Z\"}";
    CHECK(s3_creds_parse_json(ok, strlen(ok), &c, err, sizeof err) == 0, "%s", err);
    CHECK_STR(c.access_key, "AKID");
    CHECK_STR(c.secret_key, "sek");
    CHECK_STR(c.session_token, "tok");
    CHECK(c.expires_ms == 1795246075000LL, "expiration");
    s3_credentials_clear(&c);
    CHECK(c.access_key == NULL && c.expires_ms == 0, "clear");

    const char *nocode = "{\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"sek\"}";
    CHECK(s3_creds_parse_json(nocode, strlen(nocode), &c, err, sizeof err) == 0, "%s", err);
    CHECK(c.session_token == NULL && c.expires_ms == 0, "no token, no expiration");
    s3_credentials_clear(&c);

    const char *failed = "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"SecretAccessKey\":\"x\"}";
    CHECK(s3_creds_parse_json(failed, strlen(failed), &c, err, sizeof err) == -1 &&
              strstr(err, "AssumeRoleUnauthorizedAccess"),
          "err=%s", err);
    const char *nosecret = "{\"AccessKeyId\":\"AKID\"}";
    CHECK(s3_creds_parse_json(nosecret, strlen(nosecret), &c, err, sizeof err) == -1 &&
              strstr(err, "SecretAccessKey"),
          "err=%s", err);
    const char *badexp =
        "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"soon\"}";
    CHECK(s3_creds_parse_json(badexp, strlen(badexp), &c, err, sizeof err) == -1 &&
              strstr(err, "'soon'"),
          "err=%s", err);
    /* Broken JSON around a secret: the message must not quote it. */
    const char *broken = "{\"SecretAccessKey\":\"topsecret-value\" \"Token\"}";
    CHECK(s3_creds_parse_json(broken, strlen(broken), &c, err, sizeof err) == -1 &&
              !strstr(err, "topsecret"),
          "err=%s", err);
    CHECK(c.access_key == NULL, "nothing kept after a failure");
}

/* A source's outcome `got` must be `want`, with `needle` in its message. */
static void expect_source(int got, int want, const char *needle) {
    CHECK(got == want && strstr(err, needle), "want %d with '%s', got %d: %s", want, needle, got,
          err);
}

static void test_container_policy(void) {
    s3_credentials_t c = {0};
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    expect_source(s3_creds_from_container(&c, err, sizeof err), S3_SRC_SKIPPED, "unset");
    /* Refused addresses fail before any request; allowed ones get as far as connecting
     * (port 1 on loopback is closed). */
    const struct {
        const char *url;
        int allowed;
    } uris[] = {{"http://10.0.0.1/creds", 0},
                {"http://169.254.169.254/creds", 0},
                {"http://example.com/creds", 0},
                {"ftp://127.0.0.1/creds", 0},
                {"http://127.0.0.1:1/creds", 1},
                {"http://127.8.9.10:1/creds", 1},
                {"http://[::1]:1/creds", 1},
                {"http://localhost:1/creds", 1},
                {NULL, 0}};
    for (int i = 0; uris[i].url; i++) {
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", uris[i].url, 1);
        int rc = s3_creds_from_container(&c, err, sizeof err);
        CHECK(rc == S3_SRC_FAILED && (strstr(err, "refusing") == NULL) == uris[i].allowed &&
                  (!uris[i].allowed || strstr(err, ":1 ")),
              "%s: err=%s", uris[i].url, err);
    }
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent/token", 1);
    expect_source(s3_creds_from_container(&c, err, sizeof err), S3_SRC_FAILED,
                  "/nonexistent/token");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nInjected: yes", 1);
    expect_source(s3_creds_from_container(&c, err, sizeof err), S3_SRC_FAILED, "line break");
    CHECK(!strstr(err, "Injected"), "err=%s", err);
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");

    setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
    expect_source(s3_creds_from_instance(&c, err, sizeof err), S3_SRC_SKIPPED,
                  "AWS_EC2_METADATA_DISABLED");
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1/", 1);
    expect_source(s3_creds_from_instance(&c, err, sizeof err), S3_SRC_FAILED, "http://127.0.0.1:1");
    unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    CHECK(c.access_key == NULL, "nothing filled");
}

#define STS_OK_HEAD                                                                                \
    "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"      \
    "<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>system:serviceaccount:ns:sa"    \
    "</SubjectFromWebIdentityToken><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>"    \
    "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>"

static void test_sts_xml(void) {
    s3_credentials_t c = {0};
    char code[64];
    const char *ok =
        STS_OK_HEAD "<Credentials><SessionToken>sts-token</SessionToken>"
                    "<SecretAccessKey>sts-secret</SecretAccessKey>"
                    "<Expiration>2026-11-21T07:27:55Z</Expiration>"
                    "<AccessKeyId>ASIAKID</AccessKeyId></Credentials>"
                    "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
    CHECK(s3_creds_parse_sts_xml(ok, strlen(ok), 200, "tok", &c, code, sizeof code, err,
                                 sizeof err) == 0,
          "%s", err);
    CHECK_STR(c.access_key, "ASIAKID");
    CHECK_STR(c.secret_key, "sts-secret");
    CHECK_STR(c.session_token, "sts-token");
    CHECK(c.expires_ms == 1795246075000LL && code[0] == 0, "expiration, code '%s'", code);
    s3_credentials_clear(&c);

    /* Errors: HTTP status, STS code and message, never the token. */
    const char *bad = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                      "<Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Incorrect "
                      "token audience</Message></Error><RequestId>r</RequestId></ErrorResponse>";
    CHECK(s3_creds_parse_sts_xml(bad, strlen(bad), 400, "the-web-token", &c, code, sizeof code, err,
                                 sizeof err) == -1,
          "error accepted");
    CHECK(!strcmp(code, "InvalidIdentityToken"), "code %s", code);
    CHECK(strstr(err, "HTTP 400") && strstr(err, "InvalidIdentityToken: Incorrect token audience"),
          "err=%s", err);
    const char *echo = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>token "
                       "eyJhbGciOiJSUzI1NiJ9.payload.sig is bad</Message></Error></ErrorResponse>";
    CHECK(s3_creds_parse_sts_xml(echo, strlen(echo), 403, "eyJhbGciOiJSUzI1NiJ9.payload.sig", &c,
                                 code, sizeof code, err, sizeof err) == -1 &&
              strstr(err, "AccessDenied") && !strstr(err, "eyJhbG"),
          "err=%s", err);
    /* An error code with status 200, a status without XML, and broken answers. */
    const char *err200 = "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>";
    CHECK(s3_creds_parse_sts_xml(err200, strlen(err200), 200, NULL, &c, code, sizeof code, err,
                                 sizeof err) == -1 &&
              strstr(err, "Throttling"),
          "err=%s", err);
    CHECK(s3_creds_parse_sts_xml("oops", 4, 503, NULL, &c, code, sizeof code, err, sizeof err) ==
                  -1 &&
              strstr(err, "HTTP 503, no STS error code") && !code[0],
          "err=%s", err);
    CHECK(s3_creds_parse_sts_xml(NULL, 0, 200, NULL, &c, code, sizeof code, err, sizeof err) ==
                  -1 &&
              strstr(err, "no Credentials"),
          "err=%s", err);
    const char *nosecret =
        STS_OK_HEAD "<Credentials><AccessKeyId>A</AccessKeyId><SessionToken>t"
                    "</SessionToken><Expiration>2026-11-21T07:27:55Z</Expiration></Credentials>";
    CHECK(s3_creds_parse_sts_xml(nosecret, strlen(nosecret), 200, NULL, &c, code, sizeof code, err,
                                 sizeof err) == -1 &&
              strstr(err, "SecretAccessKey"),
          "err=%s", err);
    const char *badexp =
        STS_OK_HEAD "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>"
                    "secret-value</SecretAccessKey><SessionToken>t</SessionToken><Expiration>"
                    "later</Expiration></Credentials>";
    CHECK(s3_creds_parse_sts_xml(badexp, strlen(badexp), 200, NULL, &c, code, sizeof code, err,
                                 sizeof err) == -1 &&
              strstr(err, "'later'") && !strstr(err, "secret-value"),
          "err=%s", err);
    /* The fields count only inside Credentials. */
    const char *outside =
        STS_OK_HEAD "<AccessKeyId>A</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
                    "<SessionToken>t</SessionToken><Expiration>2026-11-21T07:27:55Z</Expiration>";
    CHECK(s3_creds_parse_sts_xml(outside, strlen(outside), 200, NULL, &c, code, sizeof code, err,
                                 sizeof err) == -1,
          "fields outside Credentials accepted");
    CHECK(c.access_key == NULL, "nothing kept after a failure");
}

static void test_web_identity_settings(void) {
    s3_credentials_t c = {0};
    const char *vars[] = {"AWS_ROLE_ARN",
                          "AWS_WEB_IDENTITY_TOKEN_FILE",
                          "AWS_ENDPOINT_URL_STS",
                          "AWS_REGION",
                          "AWS_DEFAULT_REGION",
                          "AWS_ROLE_SESSION_NAME",
                          NULL};
    for (int i = 0; vars[i]; i++) unsetenv(vars[i]);
    expect_source(s3_creds_from_web_identity(&c, err, sizeof err), S3_SRC_SKIPPED,
                  "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are unset");
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/unit-role", 1);
    expect_source(s3_creds_from_web_identity(&c, err, sizeof err), S3_SRC_FAILED,
                  "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/irsa-token", 1);
    setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1/", 1);
    expect_source(s3_creds_from_web_identity(&c, err, sizeof err), S3_SRC_FAILED,
                  "cannot read AWS_WEB_IDENTITY_TOKEN_FILE /nonexistent/irsa-token");
    char path[] = "/tmp/cw-irsa-token-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    CHECK(write(fd, " \n", 2) == 2, "write");
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path, 1);
    expect_source(s3_creds_from_web_identity(&c, err, sizeof err), S3_SRC_FAILED, "is empty");
    CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, "unit-web-token-value\n", 21, 0) == 21, "rewrite");
    close(fd);
    /* http only to loopback: a remote plain-http endpoint is refused before any request. */
    const struct {
        const char *url;
        int allowed;
    } eps[] = {{"http://10.0.0.1/", 0},        {"http://169.254.170.2/", 0},
               {"http://sts.example.com/", 0}, {"http://127.0.0.1:1/", 1},
               {"http://[::1]:1/", 1},         {NULL, 0}};
    for (int i = 0; eps[i].url; i++) {
        setenv("AWS_ENDPOINT_URL_STS", eps[i].url, 1);
        int rc = s3_creds_from_web_identity(&c, err, sizeof err);
        CHECK(rc == S3_SRC_FAILED && (strstr(err, "refusing") == NULL) == eps[i].allowed &&
                  strstr(err, eps[i].allowed ? "arn:aws:iam::123456789012:role/unit-role"
                                             : "AWS_ENDPOINT_URL_STS"),
              "%s: err=%s", eps[i].url, err);
        CHECK(!strstr(err, "unit-web-token"), "the token leaked: %s", err);
    }
    /* Through refetch, as the provider calls it. */
    CHECK(s3_creds_refetch(S3_CREDS_WEB_IDENTITY, &c, err, sizeof err) == S3_SRC_FAILED &&
              strstr(err,
                     "AssumeRoleWithWebIdentity for role arn:aws:iam::123456789012:role/unit-role"),
          "refetch: %s", err);
    unsetenv("AWS_ENDPOINT_URL_STS");
    setenv("AWS_REGION", "us-east-1/../evil", 1);
    expect_source(s3_creds_from_web_identity(&c, err, sizeof err), S3_SRC_FAILED,
                  "is no AWS region name");
    unlink(path);
    for (int i = 0; vars[i]; i++) unsetenv(vars[i]);
    CHECK(c.access_key == NULL, "nothing filled");
}

/* ---- the provider, on a fake clock and a fake fetcher ---- */
static int64_t now_ms;
static int64_t clock_fn(void) { return now_ms; }
static int fetches, fetch_fails;
static int64_t next_lifetime_ms; /* of what the next fetch hands out */

static int fake_fetch(s3_creds_kind_t kind, s3_credentials_t *out, char *why, size_t why_size) {
    fetches++;
    CHECK(kind == S3_CREDS_INSTANCE, "fetched kind %d", (int)kind);
    if (fetch_fails) {
        snprintf(why, why_size, "connection refused at http://fake");
        return S3_SRC_FAILED;
    }
    char ak[32];
    snprintf(ak, sizeof ak, "AKID%d", fetches);
    out->access_key = strdup(ak);
    out->secret_key = strdup("fresh-secret-value");
    out->session_token = strdup("fresh-token-value");
    out->expires_ms = now_ms + next_lifetime_ms;
    out->kind = kind;
    return S3_SRC_OK;
}

static char logged[4096];
static int warnings;
static void log_fn(void *opaque, int level, const char *msg) {
    (void)opaque;
    warnings += level == S3_CREDS_LOG_WARN;
    strncat(logged, msg, sizeof logged - strlen(logged) - 2);
    strcat(logged, "\n");
}

static s3_creds_provider_t *instance_provider(int64_t lifetime_ms) {
    s3_credentials_t c = {.access_key = strdup("AKID0"),
                          .secret_key = strdup("first-secret-value"),
                          .session_token = strdup("first-token-value"),
                          .expires_ms = now_ms + lifetime_ms,
                          .kind = S3_CREDS_INSTANCE};
    snprintf(c.source, sizeof c.source, "instance metadata (role r)");
    s3_creds_provider_t *p = s3_creds_provider_new(&c);
    CHECK(c.access_key == NULL, "initial credentials taken over");
    s3_creds_provider_set_hooks(p, clock_fn, fake_fetch);
    s3_creds_provider_set_log(p, log_fn, NULL);
    fetches = fetch_fails = warnings = 0;
    logged[0] = 0;
    return p;
}

/* get() as a client does it: returns its rc; *key gets the access key when it changed. */
static int get(s3_creds_provider_t *p, uint64_t *gen, char *key, size_t key_size) {
    s3_credentials_t c = {0};
    err[0] = 0;
    int rc = s3_creds_provider_get(p, gen, &c, err, sizeof err);
    if (rc == 1) snprintf(key, key_size, "%s", c.access_key);
    s3_credentials_clear(&c);
    return rc;
}

static void test_refresh_timing(void) {
    const int64_t H = 3600 * 1000, M = 60 * 1000;
    char key[32] = "";
    uint64_t gen = 0;
    now_ms = 1800000000000LL;
    s3_creds_provider_t *p = instance_provider(H);
    next_lifetime_ms = H;
    CHECK(get(p, &gen, key, sizeof key) == 1 && !strcmp(key, "AKID0"), "first get: %s", key);
    CHECK(get(p, &gen, key, sizeof key) == 0, "unchanged");
    now_ms += H - 5 * M - 1; /* just outside the refresh window */
    CHECK(get(p, &gen, key, sizeof key) == 0 && fetches == 0, "fetched %d too early", fetches);
    now_ms += 1; /* 5 minutes left: refresh */
    CHECK(get(p, &gen, key, sizeof key) == 1 && !strcmp(key, "AKID1") && fetches == 1,
          "refresh: %s after %d fetches", key, fetches);
    CHECK(strstr(logged, "refreshed AWS credentials from instance metadata (role r)"), "log: %s",
          logged);
    CHECK(get(p, &gen, key, sizeof key) == 0 && fetches == 1, "no second fetch");

    /* A second client sees the refresh through the generation. */
    uint64_t gen2 = 0;
    CHECK(get(p, &gen2, key, sizeof key) == 1 && !strcmp(key, "AKID1"), "second client: %s", key);

    /* Refresh fails while the credentials are valid: keep them, warn, retry once a second. */
    now_ms += H - 4 * M;
    fetch_fails = 1;
    CHECK(get(p, &gen, key, sizeof key) == 0 && fetches == 2 && warnings == 1,
          "failed refresh kept them: fetches %d warnings %d", fetches, warnings);
    CHECK(strstr(logged, "keeping the current ones") && strstr(logged, "connection refused"),
          "log: %s", logged);
    now_ms += 999;
    CHECK(get(p, &gen, key, sizeof key) == 0 && fetches == 2, "retried within a second");
    now_ms += 1;
    CHECK(get(p, &gen, key, sizeof key) == 0 && fetches == 3, "not retried after a second");

    /* Expired, and the refresh fails: a transient error naming the source, no secret. */
    now_ms += 4 * M;
    CHECK(get(p, &gen, key, sizeof key) == -1 && fetches == 4, "expired: rc, fetches %d", fetches);
    CHECK(strstr(err, "instance metadata (role r)") && strstr(err, "expired") &&
              strstr(err, "connection refused"),
          "err=%s", err);
    CHECK(get(p, &gen, key, sizeof key) == -1 && fetches == 4, "expired: no fetch within a second");
    CHECK(!strstr(err, "secret-value") && !strstr(err, "token-value") &&
              !strstr(logged, "secret-value") && !strstr(logged, "token-value"),
          "a secret leaked: %s / %s", err, logged);
    /* The endpoint is back: the next try after a second heals it. */
    fetch_fails = 0;
    now_ms += 1000;
    CHECK(get(p, &gen, key, sizeof key) == 1 && !strcmp(key, "AKID5"), "healed: %s", key);

    /* Credentials that live shorter than the window: a fetch on every request, but at most
     * one per second. */
    next_lifetime_ms = 2 * M;
    now_ms += H - 4 * M;
    CHECK(get(p, &gen, key, sizeof key) == 1 && fetches == 6, "short-lived 1");
    now_ms += 500;
    CHECK(get(p, &gen, key, sizeof key) == 0 && fetches == 6, "short-lived: twice in a second");
    now_ms += 500;
    CHECK(get(p, &gen, key, sizeof key) == 1 && fetches == 7, "short-lived 2");

    /* S3 called them expired: fetched on the next get although they look valid. */
    next_lifetime_ms = H;
    now_ms += 1000;
    get(p, &gen, key, sizeof key);
    int before = fetches;
    CHECK(s3_creds_provider_invalidate(p, gen) == 1, "invalidate");
    now_ms += 1000;
    CHECK(get(p, &gen, key, sizeof key) == 1 && fetches == before + 1, "after invalidate");
    CHECK(s3_creds_provider_invalidate(p, gen - 1) == 1 && get(p, &gen, key, sizeof key) == 0,
          "an old generation's rejection is ignored");
    CHECK(s3_creds_provider_refreshes(p) == fetches, "refreshes %d",
          s3_creds_provider_refreshes(p));
    s3_creds_provider_free(p);

    /* Fixed credentials never expire and are never fetched. */
    s3_credentials_t f = {.access_key = strdup("FIXED"), .secret_key = strdup("s")};
    p = s3_creds_provider_new(&f);
    s3_creds_provider_set_hooks(p, clock_fn, fake_fetch);
    fetches = 0;
    gen = 0;
    now_ms += 100 * H;
    CHECK(get(p, &gen, key, sizeof key) == 1 && !strcmp(key, "FIXED"), "fixed");
    CHECK(s3_creds_provider_invalidate(p, gen) == 0, "fixed credentials cannot be refreshed");
    CHECK(get(p, &gen, key, sizeof key) == 0 && fetches == 0, "fixed: fetched");
    CHECK(s3_creds_provider_kind(p) == S3_CREDS_FIXED, "kind");
    s3_creds_provider_free(p);
}

int main(void) {
    test_iso8601();
    test_json();
    test_container_policy();
    test_sts_xml();
    test_web_identity_settings();
    test_refresh_timing();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("credential tests passed\n");
    return 0;
}
