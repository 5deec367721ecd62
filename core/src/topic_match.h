/* A sink's subscription as Kafka Connect reads it: the `topics` list, or `topics.regex`, a
 * java.util.regex pattern that must match a whole topic name (Matcher.matches()). The
 * pattern is compiled by the SDK's PCRE2 regex, not librdkafka's POSIX one: the worker reads
 * the cluster's topic names from metadata, picks the matching ones and subscribes to that
 * list, and picks again on each metadata refresh so that new topics are consumed. */
#ifndef CW_TOPIC_MATCH_H
#define CW_TOPIC_MATCH_H
#include <stddef.h>

typedef struct cw_topic_match cw_topic_match_t;

/** A matcher for `regex` (borrowed; java.util.regex syntax). NULL with errstr naming the
 *  key, the pattern, the offset and the reason when it does not compile, or out of memory.
 *  The result is immutable: any thread may select with it. */
cw_topic_match_t *cw_topic_match_new(const char *regex, char *errstr, size_t errstr_size);
void cw_topic_match_destroy(cw_topic_match_t *m);

/** The names among names[0..n) that the pattern matches whole, sorted and without
 *  duplicates, as a new NULL-terminated array (free with cw_topic_match_free_list), their
 *  count in *nout. The broker's internal topics (__consumer_offsets, __transaction_state)
 *  are left out, as Kafka's consumer does (exclude.internal.topics=true). A match stopped
 *  by PCRE2's limits counts as no match. NULL only when out of memory. */
char **cw_topic_match_select(const cw_topic_match_t *m, const char *const *names, size_t n,
                             size_t *nout);
void cw_topic_match_free_list(char **list);

/** 1 when the two sorted lists hold the same names. */
int cw_topic_match_same(char *const *a, char *const *b);

#endif
