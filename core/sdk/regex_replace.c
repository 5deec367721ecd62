/* Java's replacement syntax (Matcher.appendReplacement) over the SDK's regexes
 * (connect-worker/sdk_regex.h): $n, ${name}, and \ escapes. */
#include "regex_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ${name}: the group's number, or -1 with errstr. *p is at the '{'; it is left after '}'. */
static long named_group(const cw_sdk_regex_t *re, const char *r, const char **p, char *errstr,
                        size_t errstr_size) {
    const char *name = *p + 1, *close = strchr(name, '}');
    if (!close) {
        snprintf(errstr, errstr_size,
                 "replacement '%s': a named group reference is missing its '}'", r);
        return -1;
    }
    char buf[64];
    size_t n = (size_t)(close - name);
    int ok = n > 0 && n < sizeof buf && ((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z');
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= '0' && name[i] <= '9') ||
             ((name[i] | 0x20) >= 'a' && (name[i] | 0x20) <= 'z');
    if (!ok) {
        snprintf(
            errstr, errstr_size,
            "replacement '%s': '${%.*s}' is not a group name (a letter, then letters or digits)", r,
            (int)n, name);
        return -1;
    }
    memcpy(buf, name, n);
    buf[n] = '\0';
    int g = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)buf);
    if (g < 0) {
        snprintf(errstr, errstr_size, "replacement '%s': the regex '%s' has no group named '%s'", r,
                 re->pattern, buf);
        return -1;
    }
    *p = close + 1;
    return g;
}

/* $n: digits are taken while they still name an existing group (Java's rule). *p is at the
 * first digit; it is left after the last digit taken. */
static long numbered_group(const cw_sdk_regex_t *re, const char *r, const char **p, char *errstr,
                           size_t errstr_size) {
    long g = **p - '0';
    if ((size_t)g > re->groups) {
        snprintf(errstr, errstr_size,
                 "replacement '%s' refers to group $%ld but the regex '%s' has %zu group(s)", r, g,
                 re->pattern, re->groups);
        return -1;
    }
    (*p)++;
    while (**p >= '0' && **p <= '9') {
        long next = g * 10 + (**p - '0');
        if ((size_t)next > re->groups) break;
        g = next;
        (*p)++;
    }
    return g;
}

/* Walks the replacement: checks it, and appends its expansion to out when out is not NULL. */
static int expand(const cw_sdk_regex_t *re, const char *r, const char *s,
                  const cw_sdk_span_t *spans, cw_sdk_buf_t *out, char *errstr, size_t errstr_size) {
    const char *p = r;
    while (*p) {
        const char *lit = p;
        while (*p && *p != '\\' && *p != '$') p++;
        if (out && p > lit && cw_sdk_buf_append(out, lit, (size_t)(p - lit))) goto nomem;
        if (!*p) break;
        if (*p == '\\') {
            if (!p[1]) {
                snprintf(errstr, errstr_size, "replacement '%s' ends with a lone backslash", r);
                return -1;
            }
            if (out && cw_sdk_buf_putc(out, p[1])) goto nomem;
            p += 2;
            continue;
        }
        p++; /* the '$' */
        long g;
        if (*p == '{') {
            g = named_group(re, r, &p, errstr, errstr_size);
        } else if (*p >= '0' && *p <= '9') {
            g = numbered_group(re, r, &p, errstr, errstr_size);
        } else {
            snprintf(errstr, errstr_size,
                     "replacement '%s': '$' must be followed by a group number or {name} (write "
                     "\\$ for a dollar)",
                     r);
            return -1;
        }
        if (g < 0) return -1;
        if (out && spans[g].start >= 0 &&
            cw_sdk_buf_append(out, s + spans[g].start, (size_t)(spans[g].end - spans[g].start)))
            goto nomem;
    }
    return 0;
nomem:
    snprintf(errstr, errstr_size, "replacement '%s': out of memory", r);
    return -1;
}

int cw_sdk_regex_check_replacement(const cw_sdk_regex_t *re, const char *replacement, char *errstr,
                                   size_t errstr_size) {
    return expand(re, replacement, NULL, NULL, NULL, errstr, errstr_size);
}

int cw_sdk_regex_replace(const cw_sdk_regex_t *re, const char *s, size_t len,
                         const char *replacement, cw_sdk_buf_t *out, char *errstr,
                         size_t errstr_size) {
    size_t nspans = re->groups + 1;
    cw_sdk_span_t local[16], *spans = nspans <= 16 ? local : malloc(nspans * sizeof *spans);
    if (!spans) {
        snprintf(errstr, errstr_size, "regex '%s': out of memory", re->pattern);
        return -1;
    }
    int rc = cw_sdk_regex_match(re, s, len, spans, nspans, errstr, errstr_size);
    if (rc == 1) {
        size_t end = (size_t)spans[0].end;
        int nomem = cw_sdk_buf_append(out, s, (size_t)spans[0].start);
        if (!nomem && expand(re, replacement, s, spans, out, errstr, errstr_size))
            rc = -1;
        else if (!nomem)
            nomem = cw_sdk_buf_append(out, s + end, len - end);
        if (nomem) {
            snprintf(errstr, errstr_size, "regex '%s': out of memory", re->pattern);
            rc = -1;
        }
    }
    if (spans != local) free(spans);
    return rc;
}
