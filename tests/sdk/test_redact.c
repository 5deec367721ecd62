/* Credentials inside URLs hidden before printing (connect-worker/sdk_redact.h; issue 18). */
#include <string.h>

#include "check.h"
#include "connect-worker/sdk_redact.h"

/* The redacted text, or the input itself when nothing was hidden. */
static void expect(const char *in, const char *want, int hidden) {
    cw_sdk_buf_t b = {0};
    int n = cw_sdk_redact_credentials(in, strlen(in), &b);
    if (n != hidden) fprintf(stderr, "'%s': %d hidden, expected %d\n", in, n, hidden);
    CHECK(n == hidden);
    CHECK_STR(n > 0 ? b.data : in, want);
    if (n == 0) CHECK(b.data == NULL); /* untouched */
    cw_sdk_buf_free(&b);
}

int main(void) {
    expect("connection.url = jdbc:mysql://app:s3cr3t@db:3306/shop",
           "connection.url = jdbc:mysql://app:[hidden]@db:3306/shop", 1);
    expect("jdbc:mysql://db:3306/shop?user=app&password=s3cr3t&useSSL=true",
           "jdbc:mysql://db:3306/shop?user=app&password=[hidden]&useSSL=true", 1);
    expect("jdbc:sqlserver://db;user=app;Password=s3cr3t;encrypt=true",
           "jdbc:sqlserver://db;user=app;Password=[hidden];encrypt=true", 1);
    expect("https://h/x?X-Amz-Security-Token=abc&client_secret=def&access_token=ghi",
           "https://h/x?X-Amz-Security-Token=[hidden]&client_secret=[hidden]&access_token=[hidden]",
           3);
    /* a password holding '@' and ':' is hidden whole; the user stays */
    expect("mongodb://u:p@ss:w@h1,h2/db", "mongodb://u:[hidden]@h1,h2/db", 1);
    expect("cannot connect to 'postgresql://u:pw@h/db': refused",
           "cannot connect to 'postgresql://u:[hidden]@h/db': refused", 1);
    /* both forms in one line, and two URLs */
    expect("a=http://u:x@h/?pwd=y b=http://v:z@k",
           "a=http://u:[hidden]@h/?pwd=[hidden] b=http://v:[hidden]@k", 3);
    /* a parameter-like text inside a hidden password: hidden once */
    expect("http://u:a;pwd=b@h/", "http://u:[hidden]@h/", 1);
    /* nothing to hide */
    expect("http://user@host/path?user=app", "http://user@host/path?user=app", 0);
    expect("plain line with password=abc", "plain line with password=abc", 0);
    expect("topic=t, partition=3", "topic=t, partition=3", 0);
    expect("", "", 0);
    expect("?password=", "?password=", 0);
    CHECK_DONE();
}
