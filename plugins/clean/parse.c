/* See parse.h. Arithmetic is exact: human numbers are scaled in integers, never through a
 * double, so '1.15k' is 1150 and not 1149. */
#include "parse.h"

#include "connect-worker/sdk_time.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Trims ASCII spaces and tabs; returns the start and sets *len. */
static const char *trim(const char *s, size_t *len) {
    while (*s == ' ' || *s == '\t') s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t')) l--;
    *len = l;
    return s;
}

int clean_human_number(const char *s, int64_t *out) {
    size_t len;
    const char *p = trim(s, &len), *end = p + len;
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    unsigned __int128 mant = 0;
    int digits = 0, frac = 0, seen_dot = 0;
    for (; p < end && (isdigit((unsigned char)*p) || (*p == '.' && !seen_dot)); p++) {
        if (*p == '.') {
            seen_dot = 1;
            continue;
        }
        if (++digits > 30) return -1;
        mant = mant * 10 + (unsigned)(*p - '0');
        if (seen_dot) frac++;
    }
    if (!digits || (seen_dot && !frac)) return -1;
    unsigned __int128 mult = 1;
    if (p < end) {
        switch (*p++) {
        case 'k':
        case 'K': mult = 1000; break;
        case 'm':
        case 'M': mult = 1000000; break;
        case 'b':
        case 'B': mult = 1000000000; break;
        default: return -1;
        }
    }
    if (p != end) return -1;
    unsigned __int128 div = 1;
    for (int i = 0; i < frac; i++) div *= 10;
    unsigned __int128 v = mant * mult;
    if (v % div) return -1; /* not a whole number */
    v /= div;
    if (v > (unsigned __int128)INT64_MAX + (neg ? 1 : 0)) return -1;
    *out = neg ? (int64_t)(-(__int128)v) : (int64_t)v;
    return 0;
}

int clean_integer(const char *s, int64_t *out) {
    size_t len;
    const char *p = trim(s, &len);
    char buf[32];
    if (!len || len >= sizeof(buf)) return -1;
    memcpy(buf, p, len);
    buf[len] = 0;
    const char *q = buf;
    if (*q == '+' || *q == '-') q++;
    if (!*q) return -1;
    for (; *q; q++)
        if (!isdigit((unsigned char)*q)) return -1;
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno) return -1;
    *out = v;
    return 0;
}

int clean_number(const char *s, int *is_int, int64_t *i, double *d) {
    if (clean_integer(s, i) == 0) {
        *is_int = 1;
        return 0;
    }
    size_t len;
    const char *p = trim(s, &len);
    char buf[64];
    if (!len || len >= sizeof(buf)) return -1;
    memcpy(buf, p, len);
    buf[len] = 0;
    /* Decimal notation only: strtod would also take hex, inf and nan. */
    for (const char *q = buf; *q; q++)
        if (!isdigit((unsigned char)*q) && !strchr("+-.eE", *q)) return -1;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno || !isfinite(v)) return -1;
    *is_int = 0;
    *d = v;
    return 0;
}

int clean_timestamp(const char *s, char *out, size_t size) {
    size_t len;
    const char *p = trim(s, &len);
    cw_sdk_iso8601_t t;
    if (cw_sdk_iso8601_parse(p, len, 0, &t, NULL, 0) != 0) return -1;
    return cw_sdk_iso8601_format(t.epoch_s, t.nanos, out, size) < 0 ? -1 : 0;
}
