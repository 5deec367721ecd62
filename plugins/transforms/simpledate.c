/* SimpleDateFormat subset (see simpledate.h). Numbers are handled here because Java's
 * widths (d vs dd, SSS) have no strftime spelling; names of months, week days and AM/PM
 * go through strftime/strptime in the C locale. Time zone is always UTC, as in Kafka's
 * TimestampConverter. */
#define _GNU_SOURCE
#include "simpledate.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void sdf_free(sdf_t *f) {
    for (size_t i = 0; i < f->n; i++) free(f->tok[i].lit);
    free(f->tok);
    f->tok = NULL;
    f->n = 0;
}

static int push(sdf_t *f, char letter, int count, const char *lit, size_t len) {
    sdf_tok_t *t = realloc(f->tok, (f->n + 1) * sizeof(*t));
    if (!t) return -1;
    f->tok = t;
    t[f->n].letter = letter;
    t[f->n].count = count;
    t[f->n].lit = lit ? strndup(lit, len) : NULL;
    f->n++;
    return 0;
}

int sdf_compile(const char *pattern, sdf_t *out, char *errstr, size_t n) {
    memset(out, 0, sizeof(*out));
    const char *p = pattern;
    while (*p) {
        if (*p == '\'') {
            if (p[1] == '\'') {
                push(out, 0, 0, "'", 1);
                p += 2;
                continue;
            }
            /* Quoted text up to the closing quote; '' inside is a quote. */
            char buf[256];
            size_t o = 0;
            p++;
            while (*p && o + 1 < sizeof(buf)) {
                if (*p == '\'' && p[1] == '\'') {
                    buf[o++] = '\'';
                    p += 2;
                    continue;
                }
                if (*p == '\'') break;
                buf[o++] = *p++;
            }
            if (*p != '\'') {
                snprintf(errstr, n, "format '%s': unterminated quote", pattern);
                sdf_free(out);
                return -1;
            }
            p++;
            push(out, 0, 0, buf, o);
        } else if (isalpha((unsigned char)*p)) {
            char c = *p;
            int count = 0;
            while (*p == c) {
                p++;
                count++;
            }
            if (!strchr("yMdHhmsSaEDZXz", c)) {
                snprintf(errstr, n,
                         "format '%s': pattern letter '%c' is not supported "
                         "(supported: y M d H h m s S a E D Z X z)",
                         pattern, c);
                sdf_free(out);
                return -1;
            }
            push(out, c, count, NULL, 0);
        } else {
            const char *start = p;
            while (*p && *p != '\'' && !isalpha((unsigned char)*p)) p++;
            push(out, 0, 0, start, (size_t)(p - start));
        }
    }
    return 0;
}

static int is_numeric(const sdf_tok_t *t) {
    return t->letter && strchr("yMdHhmsSD", t->letter) && !(t->letter == 'M' && t->count >= 3);
}

int sdf_format(const sdf_t *f, int64_t ms, char *buf, size_t size) {
    int64_t secs = ms / 1000, milli = ms % 1000;
    if (milli < 0) {
        milli += 1000;
        secs--;
    }
    time_t tt = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) return -1;
    size_t o = 0;
    for (size_t i = 0; i < f->n; i++) {
        const sdf_tok_t *t = &f->tok[i];
        long val = -1;
        const char *conv = NULL;
        char tmp[64];
        switch (t->letter) {
        case 0: snprintf(tmp, sizeof(tmp), "%s", t->lit); break;
        case 'y': val = t->count == 2 ? (tm.tm_year + 1900) % 100 : tm.tm_year + 1900; break;
        case 'M':
            if (t->count >= 4)
                conv = "%B";
            else if (t->count == 3)
                conv = "%b";
            else
                val = tm.tm_mon + 1;
            break;
        case 'd': val = tm.tm_mday; break;
        case 'D': val = tm.tm_yday + 1; break;
        case 'H': val = tm.tm_hour; break;
        case 'h': val = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12; break;
        case 'm': val = tm.tm_min; break;
        case 's': val = tm.tm_sec; break;
        case 'S': val = milli; break;
        case 'a': conv = "%p"; break;
        case 'E': conv = t->count >= 4 ? "%A" : "%a"; break;
        case 'Z': snprintf(tmp, sizeof(tmp), "+0000"); break;
        case 'X': snprintf(tmp, sizeof(tmp), "Z"); break;
        case 'z':
            snprintf(tmp, sizeof(tmp), t->count >= 4 ? "Coordinated Universal Time" : "UTC");
            break;
        }
        if (val >= 0) {
            int width = t->count;
            if (t->letter == 'S' && width > 3) width = 3; /* more S than millis: pad left */
            snprintf(tmp, sizeof(tmp), "%0*ld", t->letter == 'S' ? t->count : width, val);
        } else if (conv) {
            if (!strftime(tmp, sizeof(tmp), conv, &tm)) return -1;
        }
        size_t len = strlen(tmp);
        if (o + len + 1 > size) return -1;
        memcpy(buf + o, tmp, len);
        o += len;
    }
    buf[o] = 0;
    return 0;
}

/* Reads an unsigned decimal of exactly `width` digits (width > 0) or 1 to 9 digits. */
static const char *read_num(const char *p, int width, long *out) {
    long v = 0;
    int k = 0;
    int max = width > 0 ? width : 9;
    while (k < max && isdigit((unsigned char)p[k])) {
        v = v * 10 + (p[k] - '0');
        k++;
    }
    if (k == 0 || (width > 0 && k != width)) return NULL;
    *out = v;
    return p + k;
}

int sdf_parse(const sdf_t *f, const char *text, int64_t *ms, char *errstr, size_t n) {
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_mday = 1;
    tm.tm_year = 70;
    long milli = 0, offset_s = 0, pm = -1, hour12 = -1, yday = -1;
    const char *p = text;
    for (size_t i = 0; i < f->n; i++) {
        const sdf_tok_t *t = &f->tok[i];
        if (!t->letter) {
            size_t len = strlen(t->lit);
            if (strncmp(p, t->lit, len) != 0) goto bad;
            p += len;
            continue;
        }
        if (is_numeric(t)) {
            /* Adjacent numeric fields (yyyyMMdd) are read with their exact widths. */
            int fixed = i + 1 < f->n && is_numeric(&f->tok[i + 1]) ? t->count : 0;
            long v;
            const char *q = read_num(p, fixed, &v);
            if (!q) goto bad;
            p = q;
            switch (t->letter) {
            case 'y':
                if (t->count == 2) v += v < 69 ? 2000 : 1900;
                tm.tm_year = (int)(v - 1900);
                break;
            case 'M':
                if (v < 1 || v > 12) goto bad;
                tm.tm_mon = (int)v - 1;
                break;
            case 'd':
                if (v < 1 || v > 31) goto bad;
                tm.tm_mday = (int)v;
                break;
            case 'D':
                if (v < 1 || v > 366) goto bad;
                yday = v;
                break;
            case 'H':
                if (v > 23) goto bad;
                tm.tm_hour = (int)v;
                break;
            case 'h':
                if (v < 1 || v > 12) goto bad;
                hour12 = v;
                break;
            case 'm':
                if (v > 59) goto bad;
                tm.tm_min = (int)v;
                break;
            case 's':
                if (v > 59) goto bad;
                tm.tm_sec = (int)v;
                break;
            case 'S': milli = v; break;
            }
            continue;
        }
        const char *q = NULL;
        struct tm tmp = tm;
        switch (t->letter) {
        case 'M':
            q = strptime(p, "%b", &tmp);
            if (q) tm.tm_mon = tmp.tm_mon;
            break;
        case 'E': q = strptime(p, "%a", &tmp); break; /* checked for form only */
        case 'a':
            if (strncasecmp(p, "AM", 2) == 0) {
                pm = 0;
                q = p + 2;
            } else if (strncasecmp(p, "PM", 2) == 0) {
                pm = 1;
                q = p + 2;
            }
            break;
        case 'z':
            if (strncmp(p, "UTC", 3) == 0 || strncmp(p, "GMT", 3) == 0) q = p + 3;
            break;
        case 'Z':
        case 'X': {
            if (*p == 'Z' && t->letter == 'X') {
                q = p + 1;
                break;
            }
            if (*p != '+' && *p != '-') break;
            int sign = *p == '-' ? -1 : 1;
            long hh, mm = 0;
            const char *r = read_num(p + 1, 2, &hh);
            if (!r) break;
            if (*r == ':') r++;
            const char *r2 = read_num(r, 2, &mm);
            if (r2)
                r = r2;
            else
                mm = 0;
            if (hh > 23 || mm > 59) break;
            offset_s = sign * (hh * 3600 + mm * 60);
            q = r;
            break;
        }
        }
        if (!q) goto bad;
        p = q;
    }
    if (*p) goto bad;
    if (hour12 >= 0)
        tm.tm_hour = (int)(hour12 % 12) + (pm == 1 ? 12 : 0);
    else if (pm == 1 && tm.tm_hour < 12)
        tm.tm_hour += 12;
    if (yday >= 0) {
        tm.tm_mon = 0;
        tm.tm_mday = (int)yday;
    }
    /* Reject dates that timegm would roll over (Feb 31). */
    struct tm check = tm;
    time_t secs = timegm(&check);
    if (yday < 0 && (check.tm_mday != tm.tm_mday || check.tm_mon != tm.tm_mon)) goto bad;
    *ms = ((int64_t)secs - offset_s) * 1000 + milli;
    return 0;
bad:
    snprintf(errstr, n, "does not match the format at character %ld", (long)(p - text) + 1);
    return -1;
}
