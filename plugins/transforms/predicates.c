/* Predicates: TopicNameMatches (the whole topic matches a Java-style regex, PCRE2), HasHeaderKey,
 * RecordIsTombstone. They only read the record. */
#include "tf.h"
#include "connect-worker/sdk.h"
#include <stdlib.h>
#include <string.h>

typedef struct tnm {
    cw_sdk_regex_t *re;
} tnm_t;

static void tnm_close(void *state) {
    tnm_t *s = state;
    if (s) cw_sdk_regex_destroy(s->re);
    free(s);
}

static void tnm_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    tnm_t *s = state;
    const char *pattern = tf_host->config_get(c, "pattern");
    char why[300];
    if (!pattern || !*pattern)
        tf_host->validation_error(v, "pattern", "a regular expression is required");
    else if (!(s->re = cw_sdk_regex_new(pattern, CW_SDK_REGEX_FULL, why, sizeof(why))))
        tf_host->validation_error(v, "pattern", "%s", why);
}
TF_CHECKED(tnm_configure, tnm_parse, tnm_t, tnm_close)

static int tnm_test(void *state, const cw_record_t *r) {
    const char *topic = tf_host->record_topic(r);
    /* A match that had to stop (PCRE2's backtracking limit) counts as no match: a predicate
     * has no error to report. */
    return topic &&
           cw_sdk_regex_match(((tnm_t *)state)->re, topic, strlen(topic), NULL, 0, NULL, 0) == 1;
}

static const cw_config_def_t tnm_defs[] = {
    {"pattern", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "Java-style regex (PCRE2) the whole topic name must match.", NULL, 0, 0},
    CW_CONFIG_END};
TF_PREDICATE(topic_name_matches, "TopicNameMatches", tnm_defs, tnm_configure,
             tnm_configure_validate, tnm_test, tnm_close,
             "True for records whose topic matches a regular expression")

typedef struct hhk {
    char *name;
} hhk_t;

static void hhk_close(void *state) {
    hhk_t *s = state;
    if (s) free(s->name);
    free(s);
}

static void hhk_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    hhk_t *s = state;
    const char *name = tf_host->config_get(c, "name");
    if (!name || !*name)
        tf_host->validation_error(v, "name", "the header name is required");
    else
        s->name = strdup(name);
}
TF_CHECKED(hhk_configure, hhk_parse, hhk_t, hhk_close)

static int hhk_test(void *state, const cw_record_t *r) {
    const void *v;
    size_t len;
    return tf_host->record_header_find(r, ((hhk_t *)state)->name, &v, &len);
}

static const cw_config_def_t hhk_defs[] = {
    {"name", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED, "Header name to look for.", NULL, 0, 0},
    CW_CONFIG_END};
TF_PREDICATE(has_header_key, "HasHeaderKey", hhk_defs, hhk_configure, hhk_configure_validate,
             hhk_test, hhk_close, "True for records with at least one header of the given name")

static int tomb_configure(cw_ctx_t *ctx, const cw_config_t *c, void **state, char *e, size_t n) {
    (void)ctx;
    (void)c;
    (void)e;
    (void)n;
    *state = NULL;
    return CW_OK;
}

static int tomb_test(void *state, const cw_record_t *r) {
    (void)state;
    size_t len = 0;
    /* record_value only reads; the ABI takes a non-const record because it may cache the
     * encoding of a changed value. */
    return tf_host->record_value((cw_record_t *)r, &len) == NULL;
}

static void tomb_close(void *state) { (void)state; }

TF_PREDICATE(record_is_tombstone, "RecordIsTombstone", NULL, tomb_configure, NULL, tomb_test,
             tomb_close, "True for records with a null value")
