/* Unit tests of the REST server's parts that need no socket: listener URLs (Kafka's
 * protocol://host:port) and basic authentication against a credentials file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/check.h"
#include "rest/rest_auth.h"
#include "rest/rest_config.h"

static void test_listeners(void) {
    cw_rest_listener_t l;
    char err[256];
    CHECK(cw_rest_listener_parse("http://127.0.0.1:8083", &l, err, sizeof err) == 0);
    CHECK(!l.https && l.port == 8083);
    CHECK_STR(l.host, "127.0.0.1");
    CHECK(cw_rest_listener_parse("HTTPS://:8443", &l, err, sizeof err) == 0);
    CHECK(l.https && l.port == 8443 && l.host[0] == '\0');
    CHECK(cw_rest_listener_parse("http://[::1]:0", &l, err, sizeof err) == 0);
    CHECK_STR(l.host, "::1");
    CHECK(l.port == 0);
    CHECK(cw_rest_listener_parse("ftp://x:1", &l, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "http or https");
    CHECK(cw_rest_listener_parse("http://host", &l, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "no port");
    CHECK(cw_rest_listener_parse("http://host:99999", &l, err, sizeof err) < 0);
    CHECK(cw_rest_listener_parse("http://host:80x", &l, err, sizeof err) < 0);
    CHECK(cw_rest_listener_parse("127.0.0.1:8083", &l, err, sizeof err) < 0);
    CHECK(cw_rest_listener_parse("http://[::1:80", &l, err, sizeof err) < 0);
}

static void test_auth(void) {
    char path[] = "/tmp/cw-rest-creds.XXXXXX", err[512];
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char *text = "admin=pa:ss\\=word\nbob: builder\n";
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    cw_rest_auth_t *a = cw_rest_auth_new(path, err, sizeof err);
    CHECK(a != NULL);
    /* admin:pa:ss=word and bob:builder in base64 */
    CHECK(cw_rest_auth_check(a, "Basic YWRtaW46cGE6c3M9d29yZA==") == 1);
    CHECK(cw_rest_auth_check(a, "basic Ym9iOmJ1aWxkZXI=") == 1);
    CHECK(cw_rest_auth_check(a, "Basic Ym9iOmJ1aWxkZXJy") == 0); /* bob:builderr */
    CHECK(cw_rest_auth_check(a, "Basic Ym9iOg==") == 0);         /* bob: */
    CHECK(cw_rest_auth_check(a, "Basic Ym9i") == 0);             /* bob (no colon) */
    CHECK(cw_rest_auth_check(a, "Basic !!!!") == 0);
    CHECK(cw_rest_auth_check(a, "Bearer Ym9iOmJ1aWxkZXI=") == 0);
    CHECK(cw_rest_auth_check(a, NULL) == 0);
    cw_rest_auth_free(a);
    /* An empty file lets everyone in (Kafka's PropertyFileLoginModule). */
    FILE *f = fopen(path, "w");
    fclose(f);
    a = cw_rest_auth_new(path, err, sizeof err);
    CHECK(a && cw_rest_auth_check(a, NULL) == 1);
    cw_rest_auth_free(a);
    unlink(path);
    CHECK(cw_rest_auth_new(path, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, path);
}

int main(void) {
    test_listeners();
    test_auth();
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
