/*
 * connect-worker SDK: regular expressions (see sdk.h for the conventions).
 *
 * Kafka Connect's configs take java.util.regex patterns (RegexRouter's `regex`,
 * TopicNameMatches' `pattern`, a sink's `topics.regex`), so patterns are compiled with PCRE2
 * set as close to java.util.regex as it goes: Perl syntax (\d \w \s, lazy and possessive
 * quantifiers, lookaround, named groups (?<name>...)), \uhhhh (surrogate pairs too) and
 * \x{h...} escapes, UTF-8
 * patterns and subjects, `.` and `$` treating \n, \r\n, \r, U+0085, U+2028 and U+2029 as
 * line ends, and \d \w \s \b ASCII-only (Java's default without UNICODE_CHARACTER_CLASS).
 * The known differences from Java: a few rarely used Java-only constructs (\p{javaLowerCase},
 * class intersection [a-z&&[^e]]) are refused at compile time rather than misread.
 *
 * Matching is JIT-compiled when PCRE2 offers it, and bounded: a pattern that backtracks
 * catastrophically on some subject fails that match with an error instead of hanging a task.
 *
 * A compiled cw_sdk_regex_t is immutable: any number of threads may match with one object at
 * once. The library links libpcre2-8 (pkg-config gives it); the PCRE2 header is not needed.
 */
#ifndef CONNECT_WORKER_SDK_REGEX_H
#define CONNECT_WORKER_SDK_REGEX_H

#include <stddef.h>
#include <sys/types.h>

#include "sdk_buf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cw_sdk_regex cw_sdk_regex_t;

/** Flags of cw_sdk_regex_new. */
#define CW_SDK_REGEX_FULL                                                                          \
    0x1                        /**< a match must span the whole subject, as Java's
                                          Matcher.matches() (RegexRouter, TopicNameMatches,
                                          topics.regex); without it a match may be found
                                          anywhere, as Matcher.find() */
#define CW_SDK_REGEX_ICASE 0x2 /**< case-insensitive (Pattern.CASE_INSENSITIVE) */

/** Compiles `pattern` (borrowed, NUL-terminated UTF-8). Returns a new regex, which the
 *  caller owns and frees with cw_sdk_regex_destroy, or NULL with errstr naming the pattern,
 *  the offset and PCRE2's reason (e.g. "regex 'a(b': missing closing parenthesis at offset
 *  3"), or "out of memory". */
cw_sdk_regex_t *cw_sdk_regex_new(const char *pattern, int flags, char *errstr, size_t errstr_size);

/** Frees a regex. NULL is ignored. No match may be running on it. */
void cw_sdk_regex_destroy(cw_sdk_regex_t *re);

/** The number of capturing groups in the pattern (group 0, the whole match, not counted). */
size_t cw_sdk_regex_groups(const cw_sdk_regex_t *re);

/** The pattern text the regex was compiled from (owned by re). */
const char *cw_sdk_regex_pattern(const cw_sdk_regex_t *re);

/** Where a group matched: byte offsets into the subject, [start, end); both -1 for a group
 *  that took no part in the match. */
typedef struct cw_sdk_span {
    ssize_t start, end;
} cw_sdk_span_t;

/** Matches subject s[0..len) (borrowed; need not be NUL-terminated; invalid UTF-8 never
 *  matches a multi-byte character but is no error). With CW_SDK_REGEX_FULL the whole
 *  subject must match; otherwise the leftmost match is found. When spans is not NULL,
 *  spans[0..nspans) receive the whole match and the groups 1..nspans-1 (unset ones as -1).
 *  Returns 1 on a match, 0 on none, -1 when the match had to stop (PCRE2's match or heap
 *  limit, out of memory) with errstr saying so. */
int cw_sdk_regex_match(const cw_sdk_regex_t *re, const char *s, size_t len, cw_sdk_span_t *spans,
                       size_t nspans, char *errstr, size_t errstr_size);

/** Checks a replacement in Java's syntax (Matcher.appendReplacement) against the regex:
 *  $n is group n (digits are read while they name an existing group, so with 11 groups
 *  $11 is group 11 and with 1 group it is group 1 followed by '1'), ${name} a named
 *  group, \x the character x (write \$ and \\ for a dollar and a backslash). Returns 0, or
 *  -1 with errstr naming a missing group, a malformed ${...} or a dangling \ or $. */
int cw_sdk_regex_check_replacement(const cw_sdk_regex_t *re, const char *replacement, char *errstr,
                                   size_t errstr_size);

/** Java's Matcher.replaceFirst: when s[0..len) matches, appends to out the subject with
 *  its first match replaced by `replacement` (see cw_sdk_regex_check_replacement for the
 *  syntax) and returns 1; with CW_SDK_REGEX_FULL the whole subject is replaced. Returns 0 on
 *  no match (out untouched), -1 with errstr on a match error, an invalid replacement or
 *  ENOMEM (out then holds what was appended so far; reset it). */
int cw_sdk_regex_replace(const cw_sdk_regex_t *re, const char *s, size_t len,
                         const char *replacement, cw_sdk_buf_t *out, char *errstr,
                         size_t errstr_size);

#ifdef __cplusplus
}
#endif
#endif
