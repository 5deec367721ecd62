/* topics.regex: the subscription a sink gets from the cluster's topic names, with Java's
 * regex semantics (whole-name match, \d, lazy quantifiers, lookahead, (?i)), internal topics
 * left out, and a pattern that does not compile refused naming the key. */
#include "check.h"
#include "topic_match.h"

static const char *const cluster[] = {
    "index-20160117",      "index",         "pinterest.pin",  "pinterest.geo",
    "pinterest.user",      "PINTEREST.pin", "xpinterest.pin", "__consumer_offsets",
    "__transaction_state", "orders7",       "orders",         "pinterest.pin",
};
#define NCLUSTER (sizeof cluster / sizeof *cluster)

/* The names the pattern selects, joined by ','. */
static void selects(const char *regex, const char *want) {
    char err[256] = "", got[512] = "";
    cw_topic_match_t *m = cw_topic_match_new(regex, err, sizeof err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "  pattern %s: %s\n", regex, err);
        return;
    }
    size_t n = 0;
    char **list = cw_topic_match_select(m, cluster, NCLUSTER, &n);
    for (size_t i = 0; list && list[i]; i++) {
        if (i) strcat(got, ",");
        strcat(got, list[i]);
    }
    if (strcmp(got, want) != 0) fprintf(stderr, "  pattern %s\n", regex);
    CHECK_STR(got, want);
    CHECK(list && list[n] == NULL);
    cw_topic_match_free_list(list);
    cw_topic_match_destroy(m);
}

int main(void) {
    /* Java syntax that POSIX ERE misreads or refuses. */
    selects("index-\\d+", "index-20160117");
    selects("pinterest\\.(pin|geo)", "pinterest.geo,pinterest.pin");
    selects("(?i)pinterest\\.pin", "PINTEREST.pin,pinterest.pin");
    selects("pinterest\\.(?!user).*", "pinterest.geo,pinterest.pin");
    selects("orders\\d*?", "orders,orders7");
    /* matches(): the whole name, never a part of it. */
    selects("pinterest", "");
    selects("index", "index");
    /* internal topics are never picked, even by a pattern that matches everything. */
    selects(".*", "PINTEREST.pin,index,index-20160117,orders,orders7,pinterest.geo,pinterest.pin,"
                  "pinterest.user,xpinterest.pin");

    char err[256] = "";
    CHECK(cw_topic_match_new("pinterest.(pin", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "topics.regex");
    CHECK_CONTAINS(err, "missing closing parenthesis");

    char *a[] = {"a", "b", NULL}, *b[] = {"a", "b", NULL}, *c[] = {"a", NULL}, *e[] = {NULL};
    CHECK(cw_topic_match_same(a, b));
    CHECK(!cw_topic_match_same(a, c));
    CHECK(!cw_topic_match_same(c, a));
    CHECK(cw_topic_match_same(e, NULL));
    return check_failures ? 1 : 0;
}
