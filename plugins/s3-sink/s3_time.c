/* Time zones (read from TZif files, never through the process-wide TZ) and the Joda-Time
 * patterns of path.format. */
#define _GNU_SOURCE /* memmem, tm_gmtoff */
#include "s3_sink.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int parse_fixed(const char *s, int64_t *off) {
    if (!*s) {
        *off = 0;
        return 0;
    }
    int sign = *s == '+' ? 1 : *s == '-' ? -1 : 0;
    if (!sign) return -1;
    s++;
    int h = 0, m = 0, nd = 0;
    while (isdigit((unsigned char)*s) && nd < 2) h = h * 10 + (*s++ - '0'), nd++;
    if (!nd) return -1;
    if (*s == ':') s++;
    if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]))
        m = (s[0] - '0') * 10 + (s[1] - '0'), s += 2;
    if (*s || h > 18 || m > 59) return -1;
    *off = (int64_t)sign * (h * 3600000LL + m * 60000LL);
    return 0;
}

struct s3_zone {
    int64_t fixed;    /* offset when there are no transitions */
    int64_t *times;   /* transition instants, seconds since the epoch, ascending */
    int32_t *offsets; /* UTC offset in seconds from each transition on */
    size_t n;
};

static int64_t be(const unsigned char *p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v = (v << 8) | p[i];
    if (bytes == 4) return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

/* Reads a TZif file (RFC 8536): the 64-bit block of version 2+ files, else version 1. Times
 * after the last transition keep its offset (Debian's tzdata lists transitions to 2037). */
static int read_tzif(const char *path, s3_zone_t *z) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    unsigned char *d = malloc(1 << 20);
    size_t len = d ? fread(d, 1, 1 << 20, f) : 0;
    fclose(f);
    int rc = -1;
    if (len < 44 || memcmp(d, "TZif", 4)) goto out;
    const unsigned char *h = d;
    int tsize = 4;
    for (int pass = 0; pass < 2; pass++) {
        int64_t isut = be(h + 20, 4), isstd = be(h + 24, 4), leap = be(h + 28, 4),
                timecnt = be(h + 32, 4), typecnt = be(h + 36, 4), charcnt = be(h + 40, 4);
        size_t block = (size_t)(timecnt * tsize + timecnt + typecnt * 6 + charcnt +
                                leap * (tsize + 4) + isstd + isut);
        if ((size_t)(h - d) + 44 + block > len || typecnt < 1) goto out;
        if (pass == 0 && d[4] >= '2') { /* skip the 32-bit block, use the 64-bit one */
            h += 44 + block;
            tsize = 8;
            if ((size_t)(h - d) + 44 > len || memcmp(h, "TZif", 4)) goto out;
            continue;
        }
        const unsigned char *times = h + 44, *idx = times + timecnt * tsize, *types = idx + timecnt;
        z->n = (size_t)timecnt;
        z->times = calloc(z->n + 1, sizeof *z->times);
        z->offsets = calloc(z->n + 1, sizeof *z->offsets);
        if (!z->times || !z->offsets) goto out;
        for (size_t i = 0; i < z->n; i++) {
            if (idx[i] >= typecnt) goto out;
            z->times[i] = be(times + i * (size_t)tsize, tsize);
            z->offsets[i] = (int32_t)be(types + idx[i] * 6, 4);
        }
        /* Before the first transition: the first standard-time type (RFC 8536 3.2). */
        z->fixed = be(types, 4) * 1000;
        for (int64_t t = 0; t < typecnt; t++)
            if (!types[t * 6 + 4]) {
                z->fixed = be(types + t * 6, 4) * 1000;
                break;
            }
        rc = 0;
        break;
    }
out:
    free(d);
    return rc;
}

s3_zone_t *s3_zone_load(const char *tz, char *errstr, size_t errstr_size) {
    s3_zone_t *z = calloc(1, sizeof *z);
    if (!z) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    int rc;
    if (!tz || !*tz || !strcasecmp(tz, "UTC") || !strcasecmp(tz, "GMT") || !strcmp(tz, "Z") ||
        !strcasecmp(tz, "Etc/UTC"))
        rc = 0;
    else if (*tz == '+' || *tz == '-')
        rc = parse_fixed(tz, &z->fixed);
    else if ((!strncasecmp(tz, "UTC", 3) || !strncasecmp(tz, "GMT", 3)) &&
             (tz[3] == '+' || tz[3] == '-'))
        rc = parse_fixed(tz + 3, &z->fixed);
    else {
        char path[512];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
        rc = (strstr(tz, "..") || *tz == '/') ? -1 : read_tzif(path, z);
    }
    if (rc != 0) {
        s3_zone_free(z);
        snprintf(errstr, errstr_size,
                 "not a known time zone (UTC, an offset like +05:30, or a name from "
                 "/usr/share/zoneinfo)");
        return NULL;
    }
    return z;
}

void s3_zone_free(s3_zone_t *z) {
    if (!z) return;
    free(z->times);
    free(z->offsets);
    free(z);
}

int64_t s3_zone_offset(const s3_zone_t *z, int64_t ms) {
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    if (!z->n || secs < z->times[0]) return z->fixed;
    size_t lo = 0, hi = z->n; /* last transition <= secs */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (z->times[mid] <= secs)
            lo = mid;
        else
            hi = mid;
    }
    return (int64_t)z->offsets[lo] * 1000;
}

static const char *const MONTHS[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
static const char *const DAYS[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                   "Thursday", "Friday", "Saturday"};

int s3_joda_format(const char *p, int64_t local_ms, char *out, size_t out_size, char *errstr,
                   size_t errstr_size) {
    int64_t secs = local_ms >= 0 ? local_ms / 1000 : -((-local_ms + 999) / 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t o = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(out + o, out_size - o, __VA_ARGS__);                                     \
        if (w_ < 0 || (size_t)w_ >= out_size - o) {                                                \
            snprintf(errstr, errstr_size, "formatted path is too long");                           \
            return -1;                                                                             \
        }                                                                                          \
        o += (size_t)w_;                                                                           \
    } while (0)
    out[0] = 0;
    while (*p) {
        if (*p == '\'') {
            p++;
            if (*p == '\'') { /* '' is a literal quote */
                PUT("'");
                p++;
                continue;
            }
            while (*p) {
                if (*p == '\'' && p[1] == '\'') {
                    PUT("'");
                    p += 2;
                } else if (*p == '\'') {
                    p++;
                    break;
                } else {
                    PUT("%c", *p++);
                }
            }
            continue;
        }
        if (!isalpha((unsigned char)*p)) {
            PUT("%c", *p++);
            continue;
        }
        char ch = *p;
        int n = 0;
        while (*p == ch) n++, p++;
        switch (ch) {
        case 'y':
        case 'Y':
        case 'u':
            if (n == 2)
                PUT("%02d", (tm.tm_year + 1900) % 100);
            else
                PUT("%0*d", n, tm.tm_year + 1900);
            break;
        case 'M':
            if (n >= 4)
                PUT("%s", MONTHS[tm.tm_mon]);
            else if (n == 3)
                PUT("%.3s", MONTHS[tm.tm_mon]);
            else
                PUT("%0*d", n, tm.tm_mon + 1);
            break;
        case 'd': PUT("%0*d", n, tm.tm_mday); break;
        case 'H': PUT("%0*d", n, tm.tm_hour); break;
        case 'm': PUT("%0*d", n, tm.tm_min); break;
        case 's': PUT("%0*d", n, tm.tm_sec); break;
        case 'D': PUT("%0*d", n, tm.tm_yday + 1); break;
        case 'E':
            if (n >= 4)
                PUT("%s", DAYS[tm.tm_wday]);
            else
                PUT("%.3s", DAYS[tm.tm_wday]);
            break;
        default:
            snprintf(
                errstr, errstr_size,
                "unsupported pattern letter '%c' (supported: y Y M d H m s D E and quoted text)",
                ch);
            return -1;
        }
    }
#undef PUT
    return 0;
}
