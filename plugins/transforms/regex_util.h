/* POSIX extended regular expressions with Java's matches() semantics (the whole string must
 * match) and Java's replacement syntax ($0..$9 groups, \$ and \\ escapes). Pure logic. */
#ifndef TF_REGEX_UTIL_H
#define TF_REGEX_UTIL_H
#include <regex.h>
#include <stddef.h>

#define RX_MAX_GROUPS 10

/** Compiles with REG_EXTENDED. Returns 0, or -1 with errstr from regerror. */
int rx_compile(regex_t *re, const char *pattern, char *errstr, size_t n);
/** 1 when the whole of s matches (m receives the groups when not NULL), 0 when not. */
int rx_full_match(const regex_t *re, const char *s, regmatch_t m[RX_MAX_GROUPS]);
/** Checks a replacement against the number of groups: returns 0, or -1 with errstr naming
 *  a reference to a missing group or a dangling escape. */
int rx_check_replacement(const char *replacement, size_t ngroups, char *errstr, size_t n);
/** Expands replacement with the groups of s. Returns a malloc'd string (NULL: no memory). */
char *rx_expand(const char *replacement, const char *s, const regmatch_t m[RX_MAX_GROUPS]);
#endif
