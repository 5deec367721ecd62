/* See regex_util.h. POSIX ERE differs from java.util.regex: no lazy quantifiers (*?),
 * no lookaround, no \d \w \s (use [0-9] [[:alnum:]_] [[:space:]]), no named groups, and
 * alternation picks the longest match rather than the first alternative. */
#include "regex_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glibc's regcomp copies the parse tree for every repetition, so stacked quantifiers
 * (a++++, undefined in POSIX ERE anyway) or large nested intervals ((a{100}){100}{100})
 * make it allocate without bound. Refuse both before compiling. */
static int check_pattern(const char *p, char *errstr, size_t n) {
    int prev_quant = 0;
    double product = 1;
    for (const char *c = p; *c; c++) {
        if (*c == '\\') {
            if (c[1]) c++;
            prev_quant = 0;
        } else if (*c == '[') {
            /* A bracket expression: ']' right after '[' or '[^' is a literal. */
            c++;
            if (*c == '^') c++;
            if (*c == ']') c++;
            while (*c && *c != ']') {
                if (*c == '[' && (c[1] == ':' || c[1] == '.' || c[1] == '=')) {
                    const char *end = strstr(c + 2, c[1] == ':' ? ":]" : c[1] == '.' ? ".]" : "=]");
                    c = end ? end + 1 : c + strlen(c) - 1;
                }
                c++;
            }
            if (!*c) break;
            prev_quant = 0;
        } else if (*c == '*' || *c == '+' || *c == '?' || *c == '{') {
            if (prev_quant) {
                snprintf(errstr, n, "regular expression '%.80s': a repetition operator follows another (undefined in POSIX extended regular expressions)", p);
                return -1;
            }
            if (*c == '{') {
                char *end;
                long lo = strtol(c + 1, &end, 10), hi = lo;
                if (*end == ',') hi = end[1] == '}' ? lo : strtol(end + 1, &end, 10);
                product *= (double)(hi > lo ? hi : lo) + 1;
                if (product > 10000) {
                    snprintf(errstr, n, "regular expression '%.80s': repetition counts are too large (their product must stay below 10000)", p);
                    return -1;
                }
                const char *close = strchr(c, '}');
                if (close) c = close;
            }
            prev_quant = 1;
        } else {
            prev_quant = 0;
        }
    }
    if (strlen(p) > 1000) {
        snprintf(errstr, n, "regular expression '%.80s...': longer than 1000 characters", p);
        return -1;
    }
    return 0;
}

int rx_compile(regex_t *re, const char *pattern, char *errstr, size_t n) {
    if (check_pattern(pattern, errstr, n)) return -1;
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
