/* Time zones and the Joda-Time patterns of path.format, without touching the process-wide
 * TZ except under a lock (named zones only). */
#define _GNU_SOURCE /* memmem, tm_gmtoff */
#include "s3_sink.h"
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int parse_fixed(const char *s, int64_t *off)
{
    if (!*s) {
        *off = 0;
        return 0;
    }
    int sign = *s == '+' ? 1 : *s == '-' ? -1 : 0;
    if (!sign)
        return -1;
    s++;
    int h = 0, m = 0, nd = 0;
    while (isdigit((unsigned char)*s) && nd < 2)
        h = h * 10 + (*s++ - '0'), nd++;
    if (!nd)
        return -1;
    if (*s == ':')
        s++;
    if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]))
        m = (s[0] - '0') * 10 + (s[1] - '0'), s += 2;
    if (*s || h > 18 || m > 59)
        return -1;
    *off = (int64_t)sign * (h * 3600000LL + m * 60000LL);
    return 0;
}

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static int named_offset(const char *tz, int64_t ms, int64_t *off)
{
    char path[512];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    if (strstr(tz, "..") || access(path, R_OK) != 0)
        return -1;
    /* Offsets only change at transitions; cache per quarter hour per thread. */
    static __thread char cached_tz[128];
    static __thread int64_t cached_slot = INT64_MIN, cached_off;
    int64_t slot = ms / 900000;
    if (cached_slot == slot && !strcmp(cached_tz, tz)) {
        *off = cached_off;
        return 0;
    }
    pthread_mutex_lock(&tz_lock);
    char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", tz, 1);
    tzset();
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
    pthread_mutex_unlock(&tz_lock);
    *off = (int64_t)tm.tm_gmtoff * 1000;
    snprintf(cached_tz, sizeof cached_tz, "%s", tz);
    cached_slot = slot;
    cached_off = *off;
    return 0;
}

int s3_tz_offset(const char *tz, int64_t ms, int64_t *offset_ms)
{
    if (!tz || !*tz || !strcasecmp(tz, "UTC") || !strcasecmp(tz, "GMT") || !strcmp(tz, "Z") ||
        !strcasecmp(tz, "Etc/UTC")) {
        *offset_ms = 0;
        return 0;
    }
    if (*tz == '+' || *tz == '-')
        return parse_fixed(tz, offset_ms);
    if (!strncasecmp(tz, "UTC", 3) && (tz[3] == '+' || tz[3] == '-'))
        return parse_fixed(tz + 3, offset_ms);
    if (!strncasecmp(tz, "GMT", 3) && (tz[3] == '+' || tz[3] == '-'))
        return parse_fixed(tz + 3, offset_ms);
    return named_offset(tz, ms, offset_ms);
}

static const char *const MONTHS[] = {"January", "February", "March", "April", "May", "June",
                                     "July", "August", "September", "October", "November",
                                     "December"};
static const char *const DAYS[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                                   "Friday", "Saturday"};

int s3_joda_format(const char *p, int64_t local_ms, char *out, size_t out_size, char *errstr,
                   size_t errstr_size)
{
    int64_t secs = local_ms >= 0 ? local_ms / 1000 : -((-local_ms + 999) / 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t o = 0;
#define PUT(...)                                                                           \
    do {                                                                                   \
        int w_ = snprintf(out + o, out_size - o, __VA_ARGS__);                             \
        if (w_ < 0 || (size_t)w_ >= out_size - o) {                                        \
            snprintf(errstr, errstr_size, "formatted path is too long");                   \
            return -1;                                                                     \
        }                                                                                  \
        o += (size_t)w_;                                                                   \
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
        while (*p == ch)
            n++, p++;
        switch (ch) {
        case 'y': case 'Y': case 'u':
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
            snprintf(errstr, errstr_size, "unsupported pattern letter '%c' (supported: y Y M d H m s D E and quoted text)", ch);
            return -1;
        }
    }
#undef PUT
    return 0;
}
