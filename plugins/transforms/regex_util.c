/* See regex_util.h. POSIX ERE differs from java.util.regex: no lazy quantifiers (*?),
 * no lookaround, no \d \w \s (use [0-9] [[:alnum:]_] [[:space:]]), no named groups, and
 * alternation picks the longest match rather than the first alternative. */
#include "regex_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rx_compile(regex_t *re, const char *pattern, char *errstr, size_t n) {
    int rc = regcomp(re, pattern, REG_EXTENDED);
    if (rc == 0) return 0;
    char why[200];
    regerror(rc, re, why, sizeof(why));
    snprintf(errstr, n, "invalid POSIX extended regular expression '%s': %s", pattern, why);
    return -1;
}

int rx_full_match(const regex_t *re, const char *s, regmatch_t m[RX_MAX_GROUPS]) {
    regmatch_t local[RX_MAX_GROUPS];
    regmatch_t *mm = m ? m : local;
    if (regexec(re, s, RX_MAX_GROUPS, mm, 0) != 0) return 0;
    /* Leftmost-longest: if a match of the whole string exists, the match found at offset 0
     * is the longest one, so checking its span is enough. */
    return mm[0].rm_so == 0 && (size_t)mm[0].rm_eo == strlen(s);
}

int rx_check_replacement(const char *r, size_t ngroups, char *errstr, size_t n) {
    for (const char *p = r; *p; p++) {
        if (*p == '\\') {
            if (!p[1]) { snprintf(errstr, n, "replacement '%s' ends with a lone backslash", r); return -1; }
            p++;
        } else if (*p == '$') {
            if (p[1] < '0' || p[1] > '9') {
                snprintf(errstr, n, "replacement '%s': '$' must be followed by a group number (write \\$ for a dollar)", r);
                return -1;
            }
            if ((size_t)(p[1] - '0') > ngroups) {
                snprintf(errstr, n, "replacement '%s' refers to group $%c but the regex has %zu group(s)", r, p[1], ngroups);
                return -1;
            }
            p++;
        }
    }
    return 0;
}

char *rx_expand(const char *r, const char *s, const regmatch_t m[RX_MAX_GROUPS]) {
    size_t cap = strlen(r) + 1;
    for (const char *p = r; *p; p++)
        if (*p == '$' && p[1] >= '0' && p[1] <= '9') cap += strlen(s);
    char *out = malloc(cap);
    if (!out) return NULL;
    size_t o = 0;
    for (const char *p = r; *p; p++) {
        if (*p == '\\' && p[1]) {
            out[o++] = *++p;
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            int g = *++p - '0';
            if (m[g].rm_so >= 0) {
                size_t len = (size_t)(m[g].rm_eo - m[g].rm_so);
                memcpy(out + o, s + m[g].rm_so, len);
                o += len;
            }
        } else {
            out[o++] = *p;
        }
    }
    out[o] = 0;
    return out;
}
