/* The SDK's regexes: PCRE2 with java.util.regex semantics (connect-worker/sdk_regex.h). */
#include <pthread.h>

#include "check.h"
#include "connect-worker/sdk.h"

static char err[512];

static cw_sdk_regex_t *re_new(const char *p, int flags) {
    err[0] = '\0';
    cw_sdk_regex_t *re = cw_sdk_regex_new(p, flags, err, sizeof err);
    if (!re) fprintf(stderr, "'%s': %s\n", p, err);
    return re;
}

/* 1/0/-1 as cw_sdk_regex_match, on a fresh regex. */
static int matches(const char *p, int flags, const char *s) {
    cw_sdk_regex_t *re = re_new(p, flags);
    if (!re) return -2;
    int rc = cw_sdk_regex_match(re, s, strlen(s), NULL, 0, err, sizeof err);
    cw_sdk_regex_destroy(re);
    return rc;
}

#define FULL CW_SDK_REGEX_FULL

static void test_semantics(void) {
    /* Matcher.matches(): the whole subject, with backtracking into alternatives */
    CHECK(matches("a|ab", FULL, "ab") == 1);
    CHECK(matches("pin", FULL, "pinterest") == 0);
    CHECK(matches("pin", FULL, "xpin") == 0);
    CHECK(matches("pin", 0, "xpinx") == 1); /* Matcher.find() */
    CHECK(matches("^pin", 0, "xpin") == 0);
    /* Java syntax POSIX ERE did not have */
    CHECK(matches("topic-\\d+", FULL, "topic-42") == 1);
    CHECK(matches("\\w+\\s\\w+", FULL, "a_1 b") == 1);
    CHECK(matches("a.*?b", FULL, "axxbxxb") == 1);
    CHECK(matches("(?<year>\\d{4})-(?!00)\\d\\d", FULL, "2024-05") == 1);
    CHECK(matches("(?<year>\\d{4})-(?!00)\\d\\d", FULL, "2024-00") == 0);
    CHECK(matches("a++b", FULL, "aab") == 1);                                /* possessive */
    CHECK(matches("\\u0041\\x{42}\\x43", FULL, "ABC") == 1);                 /* Java's escapes */
    CHECK(matches("\\uD83D\\uDE00|\\u00e9", FULL, "\xf0\x9f\x98\x80") == 1); /* a surrogate pair */
    CHECK(matches("\\uD83D\\uDE00|\\u00e9", FULL, "\xc3\xa9") == 1);
    CHECK(matches("\\\\u0041", FULL, "\\u0041") == 1);     /* an escaped backslash, then u0041 */
    CHECK(matches("\\Q\\u0041\\E", FULL, "\\u0041") == 1); /* quoted */
    CHECK(matches("(?i)topic", FULL, "TOPIC") == 1);
    CHECK(matches("topic", FULL | CW_SDK_REGEX_ICASE, "ToPiC") == 1);
    CHECK(matches("topic", FULL, "TOPIC") == 0);
    /* \d \w are ASCII (Java's default); UTF-8 subjects and patterns are characters */
    CHECK(matches("\\d", FULL, "\xd9\xa3") == 0);     /* ARABIC-INDIC DIGIT THREE */
    CHECK(matches("caf.", FULL, "caf\xc3\xa9") == 1); /* . is one character, two bytes */
    CHECK(matches("\xc3\xa9+", FULL, "\xc3\xa9\xc3\xa9") == 1);
    /* line terminators as Java's: . stops at \r and U+2028; $ before a final line end */
    CHECK(matches("a.b", FULL, "a\rb") == 0);
    CHECK(matches("a.b", FULL,
                  "a\xe2\x80\xa8"
                  "b") == 0);
    CHECK(matches("a.b", FULL, "a\tb") == 1);
    CHECK(matches("abc$", 0, "abc\n") == 1);
    /* invalid UTF-8 in a subject never matches a character, and is no error */
    CHECK(matches("a.c", FULL,
                  "a\xff"
                  "c") == 0);
    CHECK(matches("a", 0,
                  "\xff"
                  "a") == 1);
}

static void test_errors(void) {
    CHECK(!re_new("a(b", 0));
    CHECK_CONTAINS(err, "invalid regex 'a(b': missing closing parenthesis at offset 3");
    CHECK(!re_new("a+++", 0));
    CHECK_CONTAINS(err, "quantifier does not follow a repeatable item");
    CHECK(!re_new("[a-z&&[^e]]", 0)); /* Java's class intersection: refused, never misread */
    CHECK_CONTAINS(err, "class intersection");
    CHECK(matches("\\Q[a&&b]\\E", FULL, "[a&&b]") == 1); /* quoted: no class at all */
    CHECK(!re_new("\\p{javaLowerCase}", 0));
    CHECK(!re_new("\xff", 0)); /* the pattern itself must be UTF-8 */
    /* what made glibc's regcomp allocate without bound is refused at once */
    CHECK(!re_new("((a{100}){100}){100}", 0));
    CHECK_CONTAINS(err, "too large");
    /* catastrophic backtracking fails the match instead of hanging */
    const char *subject = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
    cw_sdk_regex_t *re = re_new("(a|a)+$", FULL);
    CHECK(re && cw_sdk_regex_match(re, subject, strlen(subject), NULL, 0, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "matching stopped");
    cw_sdk_regex_destroy(re);
    cw_sdk_regex_destroy(NULL);
}

static void test_spans(void) {
    cw_sdk_regex_t *re = re_new("(a)|(b)(x)?", 0);
    cw_sdk_span_t m[5];
    CHECK(re && cw_sdk_regex_groups(re) == 3);
    CHECK_STR(cw_sdk_regex_pattern(re), "(a)|(b)(x)?");
    CHECK(cw_sdk_regex_match(re, "zzb", 3, m, 5, err, sizeof err) == 1);
    CHECK(m[0].start == 2 && m[0].end == 3);
    CHECK(m[1].start == -1 && m[1].end == -1); /* took no part */
    CHECK(m[2].start == 2 && m[2].end == 3);
    CHECK(m[3].start == -1 && m[4].start == -1); /* unset, and beyond the groups */
    /* the subject need not be NUL-terminated, and only len bytes count */
    CHECK(cw_sdk_regex_match(re, "zzbx", 2, m, 5, err, sizeof err) == 0);
    cw_sdk_regex_destroy(re);
}

static char *replace(const char *p, int flags, const char *s, const char *r, int *rc) {
    cw_sdk_regex_t *re = re_new(p, flags);
    cw_sdk_buf_t out = {0};
    err[0] = '\0';
    *rc = re ? cw_sdk_regex_replace(re, s, strlen(s), r, &out, err, sizeof err) : -2;
    cw_sdk_regex_destroy(re);
    return out.data;
}

static void check_replace(const char *p, int flags, const char *s, const char *r,
                          const char *want) {
    int rc;
    char *got = replace(p, flags, s, r, &rc);
    CHECK(rc == 1);
    CHECK_STR(got, want);
    free(got);
}

static int check_replacement(const char *p, const char *r) {
    cw_sdk_regex_t *re = re_new(p, 0);
    err[0] = '\0';
    int rc = re ? cw_sdk_regex_check_replacement(re, r, err, sizeof err) : -2;
    cw_sdk_regex_destroy(re);
    return rc;
}

static void test_replace(void) {
    /* RegexRouter: matches() then replaceFirst */
    check_replace("pinterest\\.(.*)", FULL, "pinterest.pin", "clean-$1", "clean-pin");
    check_replace("(te)(st)", FULL, "test", "$2-$1-$0", "st-te-test");
    check_replace("(?<kind>\\w+)-(\\d+)", FULL, "orders-7", "${kind}_v$2", "orders_v7");
    check_replace("(a)|(b)", FULL, "b", "[$1|$2]", "[|b]"); /* an unset group: nothing */
    check_replace("(x)", FULL, "x", "cost\\$1 \\\\ $1", "cost$1 \\ x"); /* escapes */
    /* digits are read while they name a group: $12 with one group is group 1, then '2' */
    check_replace("(a)", FULL, "a", "$12", "a2");
    check_replace("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)", FULL, "abcdefghijkl", "$12$1", "la");
    /* find() mode: only the first match is replaced */
    check_replace("b+", 0, "aabbbcbb", "X", "aaXcbb");
    int rc;
    char *none = replace("x", FULL, "y", "z", &rc);
    CHECK(rc == 0 && none == NULL); /* no match: out untouched */

    CHECK(check_replacement("a(b)", "x$1 \\$ ${0}") == -1); /* ${0}: not a name */
    CHECK_CONTAINS(err, "is not a group name");
    CHECK(check_replacement("a(b)", "x$2") == -1);
    CHECK_CONTAINS(err, "refers to group $2 but the regex 'a(b)' has 1 group(s)");
    CHECK(check_replacement("a(b)", "x\\") == -1);
    CHECK_CONTAINS(err, "lone backslash");
    CHECK(check_replacement("a(b)", "x$") == -1);
    CHECK_CONTAINS(err, "'$' must be followed by a group number");
    CHECK(check_replacement("a(b)", "${nope}") == -1);
    CHECK_CONTAINS(err, "no group named 'nope'");
    CHECK(check_replacement("a(b)", "${nope") == -1);
    CHECK_CONTAINS(err, "missing its '}'");
    CHECK(check_replacement("a(?<g1>b)", "$0$1${g1}\\\\") == 0);
    free(replace("(a)", FULL, "a", "$5", &rc)); /* replace checks too */
    CHECK(rc == -1);
    CHECK_CONTAINS(err, "refers to group $5");
}

/* One compiled regex, many threads at once. */
static cw_sdk_regex_t *shared;
static void *worker(void *arg) {
    long ok = 0;
    char topic[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(topic, sizeof topic, "%s-%d", (i + (long)arg) % 2 ? "orders" : "users", i);
        cw_sdk_span_t m[2];
        int rc = cw_sdk_regex_match(shared, topic, strlen(topic), m, 2, NULL, 0);
        ok += rc == ((i + (long)arg) % 2 ? 1 : 0) &&
              (rc == 0 || m[1].end - m[1].start == (ssize_t)strlen(topic) - 7);
    }
    return (void *)ok;
}

static void test_threads(void) {
    shared = re_new("orders-(\\d+)", FULL);
    pthread_t th[4];
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    long total = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        total += (long)r;
    }
    CHECK(total == 4 * 5000);
    cw_sdk_regex_destroy(shared);
}

int main(void) {
    test_semantics();
    test_errors();
    test_spans();
    test_replace();
    test_threads();
    CHECK_DONE();
}
