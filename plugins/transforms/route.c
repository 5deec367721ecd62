/* RegexRouter (rename the topic when it matches a regex) and Filter (drop the record;
 * combine it with a predicate to drop only some). */
#include "tf.h"
#include "connect-worker/sdk.h"
#include <stdlib.h>
#include <string.h>

typedef struct rr {
    cw_sdk_regex_t *re; /* full match, as Kafka's RegexRouter uses Matcher.matches() */
    char *replacement;
} rr_t;

static void rr_close(void *state) {
    rr_t *s = state;
    if (!s) return;
    cw_sdk_regex_destroy(s->re);
    free(s->replacement);
    free(s);
}

/* regex must compile and replacement may only name groups the regex has. */
static void rr_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    rr_t *s = state;
    const char *regex = tf_host->config_get(c, "regex");
    const char *rep = tf_host->config_get(c, "replacement");
    char why[300];
    if (!regex) tf_host->validation_error(v, "regex", "a regular expression is required");
    if (!rep) tf_host->validation_error(v, "replacement", "the replacement topic is required");
    if (!regex || !rep) return;
    if (!(s->re = cw_sdk_regex_new(regex, CW_SDK_REGEX_FULL, why, sizeof(why)))) {
        tf_host->validation_error(v, "regex", "%s", why);
        return;
    }
    if (cw_sdk_regex_check_replacement(s->re, rep, why, sizeof(why)))
        tf_host->validation_error(v, "replacement", "%s", why);
    s->replacement = strdup(rep);
}
TF_CHECKED(rr_configure, rr_parse, rr_t, rr_close)

static int rr_apply(void *state, cw_record_t *r, char *e, size_t n) {
    rr_t *s = state;
    const char *topic = tf_host->record_topic(r);
    cw_sdk_buf_t out = {0};
    char why[300];
    int rc =
        cw_sdk_regex_replace(s->re, topic, strlen(topic), s->replacement, &out, why, sizeof(why));
    if (rc == 1) tf_host->record_set_topic(r, out.data);
    cw_sdk_buf_free(&out);
    if (rc < 0) return tf_err(e, n, CW_ERR_RECORD, "RegexRouter on topic '%s': %s", topic, why);
    return CW_OK;
}

static const cw_config_def_t rr_defs[] = {
    {"regex", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "Java-style regex (PCRE2) the whole topic must match.", NULL, 0, 0},
    {"replacement", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "New topic; $n and ${name} insert groups, \\$ a dollar.", NULL, 0, 0},
    CW_CONFIG_END};

TF_PLUGIN(regex_router, "RegexRouter", rr_defs, rr_configure, rr_configure_validate, rr_apply,
          rr_close, "Renames the topic of records whose topic matches a regular expression")

static int filter_configure(cw_ctx_t *ctx, const cw_config_t *c, void **state, char *e, size_t n) {
    (void)ctx;
    (void)c;
    (void)e;
    (void)n;
    *state = NULL;
    return CW_OK;
}
static int filter_apply(void *state, cw_record_t *r, char *e, size_t n) {
    (void)state;
    (void)r;
    (void)e;
    (void)n;
    return CW_DROP;
}
static void filter_close(void *state) { (void)state; }

TF_PLUGIN(filter, "Filter", NULL, filter_configure, NULL, filter_apply, filter_close,
          "Drops every record (use with a predicate to drop some)")
