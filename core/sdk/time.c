/* Civil dates and ISO-8601 timestamps (connect-worker/sdk_time.h). The date arithmetic is
 * Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms). */
#include "connect-worker/sdk_time.h"

#include <errno.h>
#include <stdio.h>

int64_t cw_sdk_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cw_sdk_civil_from_days(int64_t days, int64_t *y, int *m, int *d) {
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int month = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (d) *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    if (m) *m = month;
    if (y) *y = yoe + era * 400 + (month <= 2);
}

int cw_sdk_is_leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int cw_sdk_days_in_month(int64_t y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    return m == 2 && cw_sdk_is_leap_year(y) ? 29 : dm[m - 1];
}

/* --- parsing ------------------------------------------------------------------------------ */

typedef struct {
    const char *s, *p, *end;
    char *errstr;
    size_t errstr_size;
} cur_t;

static int fail(cur_t *c, const char *what) {
    snprintf(c->errstr, c->errstr_size, "'%.*s' is not an ISO-8601 timestamp: %s at offset %zu",
             (int)(c->end - c->s > 64 ? 64 : c->end - c->s), c->s, what, (size_t)(c->p - c->s));
    return -1;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* Exactly n digits. */
static int digits(cur_t *c, int n, int *out, const char *what) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (c->p + i >= c->end || !is_digit(c->p[i])) return fail(c, what);
        v = v * 10 + (c->p[i] - '0');
    }
    c->p += n;
    *out = v;
    return 0;
}

static int expect(cur_t *c, char ch, const char *what) {
    if (c->p >= c->end || *c->p != ch) return fail(c, what);
    c->p++;
    return 0;
}

static int parse_date(cur_t *c, int *y, int *mo, int *d) {
    if (digits(c, 4, y, "expected a 4-digit year") ||
        expect(c, '-', "expected '-' after the year") ||
        digits(c, 2, mo, "expected a 2-digit month") ||
        expect(c, '-', "expected '-' after the month"))
        return -1;
    const char *at = c->p;
    if (digits(c, 2, d, "expected a 2-digit day")) return -1;
    if (*mo < 1 || *mo > 12) {
        c->p = at - 3;
        return fail(c, "month out of range 01..12");
    }
    if (*d < 1 || *d > cw_sdk_days_in_month(*y, *mo)) {
        c->p = at;
        return fail(c, "day out of range for the month");
    }
    return 0;
}

/* [.,]F... with 1 to 9 digits, as nanoseconds. */
static int parse_fraction(cur_t *c, int32_t *nanos) {
    int n = 0;
    int32_t v = 0;
    c->p++;
    while (c->p < c->end && is_digit(*c->p)) {
        if (n == 9) return fail(c, "more than 9 fraction digits");
        v = v * 10 + (*c->p++ - '0');
        n++;
    }
    if (!n) return fail(c, "expected fraction digits");
    for (; n < 9; n++) v *= 10;
    *nanos = v;
    return 0;
}

static int parse_time(cur_t *c, int flags, int *h, int *mi, int *sec, int32_t *nanos) {
    if (digits(c, 2, h, "expected a 2-digit hour") ||
        expect(c, ':', "expected ':' after the hour") ||
        digits(c, 2, mi, "expected 2-digit minutes"))
        return -1;
    if (c->p < c->end && *c->p == ':') {
        c->p++;
        if (digits(c, 2, sec, "expected 2-digit seconds")) return -1;
        if (c->p < c->end && (*c->p == '.' || *c->p == ',') && parse_fraction(c, nanos)) return -1;
    } else if (flags & CW_SDK_ISO8601_REQUIRE_TIME) {
        return fail(c, "expected ':' and seconds");
    }
    if (*h > 23 || *mi > 59 || *sec > 59) return fail(c, "time of day out of range");
    return 0;
}

/* Z, or +HH, +HHMM, +HH:MM (and -). */
static int parse_offset(cur_t *c, int32_t *offset_s, int *has) {
    if (c->p >= c->end) return 0;
    if (*c->p == 'Z' || *c->p == 'z') {
        c->p++;
        *has = 1;
        return 0;
    }
    if (*c->p != '+' && *c->p != '-') return 0;
    int sign = *c->p++ == '-' ? -1 : 1, oh, om = 0;
    if (digits(c, 2, &oh, "expected a 2-digit offset hour")) return -1;
    if (c->p < c->end && *c->p == ':') {
        c->p++;
        if (digits(c, 2, &om, "expected 2-digit offset minutes")) return -1;
    } else if (c->p < c->end && is_digit(*c->p) &&
               digits(c, 2, &om, "expected 2-digit offset minutes")) {
        return -1;
    }
    if (oh > 18 || om > 59 || (oh == 18 && om > 0)) return fail(c, "offset out of range");
    *offset_s = sign * (oh * 3600 + om * 60);
    *has = 1;
    return 0;
}

int cw_sdk_iso8601_parse(const char *s, size_t len, int flags, cw_sdk_iso8601_t *out, char *errstr,
                         size_t errstr_size) {
    cur_t c = {.s = s, .p = s, .end = s + len, .errstr = errstr, .errstr_size = errstr_size};
    cw_sdk_iso8601_t t = {0};
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (parse_date(&c, &y, &mo, &d)) return -1;
    if (c.p < c.end && (*c.p == 'T' || *c.p == 't' || *c.p == ' ')) {
        c.p++;
        t.has_time = 1;
        if (parse_time(&c, flags, &h, &mi, &sec, &t.nanos)) return -1;
        if (parse_offset(&c, &t.offset_s, &t.has_offset)) return -1;
    }
    if (c.p != c.end) return fail(&c, "unexpected text");
    if (!t.has_time && (flags & CW_SDK_ISO8601_REQUIRE_TIME)) return fail(&c, "expected a time");
    if (!t.has_offset && (flags & CW_SDK_ISO8601_REQUIRE_OFFSET))
        return fail(&c, "expected Z or an offset");
    t.epoch_s = cw_sdk_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - t.offset_s;
    *out = t;
    return 0;
}

int64_t cw_sdk_iso8601_ms(const cw_sdk_iso8601_t *t) {
    return t->epoch_s * 1000 + t->nanos / 1000000;
}

/* --- formatting --------------------------------------------------------------------------- */

int cw_sdk_iso8601_format(int64_t epoch_s, int32_t nanos, char *out, size_t size) {
    if (size) out[0] = '\0';
    /* floor division: the day and the second within it, also before 1970 */
    int64_t days = epoch_s >= 0 ? epoch_s / 86400 : -((-epoch_s + 86399) / 86400);
    int64_t rem = epoch_s - days * 86400, y;
    int m, d;
    cw_sdk_civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999 || nanos < 0 || nanos > 999999999) {
        errno = ERANGE;
        return -1;
    }
    char frac[11] = "";
    if (nanos) {
        snprintf(frac, sizeof frac, ".%09d", (int)nanos);
        for (int k = 9; frac[k] == '0'; k--) frac[k] = '\0';
    }
    int n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", (int)y, m, d, (int)(rem / 3600),
                     (int)(rem / 60 % 60), (int)(rem % 60), frac);
    if (n < 0 || (size_t)n >= size) {
        if (size) out[0] = '\0';
        errno = ERANGE;
        return -1;
    }
    return n;
}
