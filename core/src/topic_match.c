/* topics.regex with java.util.regex semantics: see topic_match.h. */
#include "topic_match.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "connect-worker/sdk_regex.h"

struct cw_topic_match {
    cw_sdk_regex_t *re;
};

cw_topic_match_t *cw_topic_match_new(const char *regex, char *errstr, size_t errstr_size) {
    char why[512];
    cw_topic_match_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(errstr, errstr_size, "topics.regex: out of memory");
        return NULL;
    }
    /* FULL: Kafka's consumer subscribes with Pattern.matcher(topic).matches(). */
    m->re = cw_sdk_regex_new(regex, CW_SDK_REGEX_FULL, why, sizeof why);
    if (!m->re) {
        snprintf(errstr, errstr_size, "topics.regex: %s", why);
        free(m);
        return NULL;
    }
    return m;
}

void cw_topic_match_destroy(cw_topic_match_t *m) {
    if (!m) return;
    cw_sdk_regex_destroy(m->re);
    free(m);
}

static int internal_topic(const char *t) {
    return strcmp(t, "__consumer_offsets") == 0 || strcmp(t, "__transaction_state") == 0;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cw_topic_match_select(const cw_topic_match_t *m, const char *const *names, size_t n,
                             size_t *nout) {
    char **out = calloc(n + 1, sizeof *out);
    size_t k = 0;
    char err[256];
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || internal_topic(names[i])) continue;
        if (cw_sdk_regex_match(m->re, names[i], strlen(names[i]), NULL, 0, err, sizeof err) != 1)
            continue;
        if (!(out[k] = strdup(names[i]))) {
            cw_topic_match_free_list(out);
            return NULL;
        }
        k++;
    }
    qsort(out, k, sizeof *out, cmp_names);
    size_t u = 0; /* metadata lists each topic once; duplicates are dropped all the same */
    for (size_t i = 0; i < k; i++) {
        if (u && strcmp(out[u - 1], out[i]) == 0) {
            free(out[i]);
            continue;
        }
        out[u++] = out[i];
    }
    out[u] = NULL;
    if (nout) *nout = u;
    return out;
}

void cw_topic_match_free_list(char **list) {
    if (!list) return;
    for (size_t i = 0; list[i]; i++) free(list[i]);
    free(list);
}

int cw_topic_match_same(char *const *a, char *const *b) {
    size_t i = 0;
    for (; a && b && a[i] && b[i]; i++)
        if (strcmp(a[i], b[i]) != 0) return 0;
    return (!a || !a[i]) && (!b || !b[i]);
}
