/* See parse.h. Arithmetic is exact: human numbers are scaled in integers, never through a
 * double, so '1.15k' is 1150 and not 1149. */
#include "parse.h"
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
        if (*p == '.') { seen_dot = 1; continue; }
        if (++digits > 30) return -1;
        mant = mant * 10 + (unsigned)(*p - '0');
        if (seen_dot) frac++;
    }
    if (!digits || (seen_dot && !frac)) return -1;
    unsigned __int128 mult = 1;
    if (p < end) {
        switch (*p++) {
        case 'k': case 'K': mult = 1000; break;
        case 'm': case 'M': mult = 1000000; break;
        case 'b': case 'B': mult = 1000000000; break;
        default: return -1;
        }
    }
    if (p != end) return -1;
    unsigned __int128 div = 1;
    for (int i = 0; i < frac; i++) div *= 10;
    unsigned __int128 v = mant * mult;
    if (v % div) return -1;  /* not a whole number */
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
    if (clean_integer(s, i) == 0) { *is_int = 1; return 0; }
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

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int clean_timestamp(const char *s, char *out, size_t size) {
    size_t len;
    const char *p = trim(s, &len), *end = p + len;
    int y, mo, d, h = 0, mi = 0, sec = 0, offset_min = 0;
    char frac[10] = "";
    if (len < 10) return -1;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return -1;
    if (p < end && (*p == ' ' || *p == 'T' || *p == 't')) {
        p++;
        if (end - p < 5 || digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi)) return -1;
        if (p < end && *p == ':') {
            p++;
            if (end - p < 2 || digits(&p, 2, &sec)) return -1;
            if (p < end && (*p == '.' || *p == ',')) {
                p++;
                size_t k = 0;
                while (p < end && isdigit((unsigned char)*p)) {
                    if (k >= 9) return -1;
                    frac[k++] = *p++;
                }
                if (!k) return -1;
                frac[k] = 0;
                while (k && frac[k - 1] == '0') frac[--k] = 0;
            }
        }
        if (h > 23 || mi > 59 || sec > 59) return -1;
        if (p < end && (*p == 'Z' || *p == 'z')) {
            p++;
        } else if (p < end && (*p == '+' || *p == '-')) {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (end - p < 2 || digits(&p, 2, &oh)) return -1;
            if (p < end && *p == ':') p++;
            if (p < end && digits(&p, 2, &om)) return -1;
            if (oh > 23 || om > 59) return -1;
            offset_min = sign * (oh * 60 + om);
        }
    }
    if (p != end) return -1;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int64_t oy;
    int om2, od;
    civil_from_days(days, &oy, &om2, &od);
    if (oy < 1 || oy > 9999) return -1;
    int n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%s%sZ", (int)oy, om2, od,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), frac[0] ? "." : "", frac);
    return n > 0 && (size_t)n < size ? 0 : -1;
}
