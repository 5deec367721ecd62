#include "rds_confluent.h"
#include <inttypes.h>
#include <openssl/bn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 'YYYY-MM-DD[ HH:MM:SS[.f...]]' (the server's text). Returns the number of fields read
 * (3 or 6) or 0; *frac_us gets the fraction in microseconds. */
static int parse_datetime(const char *v, unsigned long len, struct tm *tm, long *frac_us) {
    char tmp[40];
    if (len >= sizeof tmp) return 0;
    memcpy(tmp, v, len);
    tmp[len] = 0;
    memset(tm, 0, sizeof *tm);
    *frac_us = 0;
    int y, mo, d, hh = 0, mi = 0, ss = 0, used = 0;
    int n = sscanf(tmp, "%4d-%2d-%2d%n %2d:%2d:%2d%n", &y, &mo, &d, &used, &hh, &mi, &ss, &used);
    if (n != 3 && n != 6) return 0;
    if (n == 6 && tmp[used] == '.') {
        long mult = 100000;
        for (const char *p = tmp + used + 1; *p >= '0' && *p <= '9' && mult > 0; p++, mult /= 10)
            *frac_us += (*p - '0') * mult;
    }
    tm->tm_year = y - 1900;
    tm->tm_mon = mo - 1;
    tm->tm_mday = d;
    tm->tm_hour = hh;
    tm->tm_min = mi;
    tm->tm_sec = ss;
    return y == 0 && mo == 0 && d == 0 ? -1 : n; /* -1: MySQL's zero date */
}

static int put_iso(cw_sdk_buf_t *b, const char *v, unsigned long len, long frac_us, int nanos) {
    /* Java's "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS" (or .SSSSSS): always every fraction digit */
    if (nanos) return cw_sdk_buf_printf(b, "\"%.10sT%.8s.%06ld000\"", v, v + 11, frac_us);
    (void)len;
    return cw_sdk_buf_printf(b, "\"%.10sT%.8s.%06ld\"", v, v + 11, frac_us);
}

int rds_put_timestamp(cw_sdk_buf_t *b, const char *v, unsigned long len, rds_tsgran_t g,
                      int64_t tz_offset_s) {
    struct tm tm;
    long us;
    int n = parse_datetime(v, len, &tm, &us);
    if (n == -1) return cw_sdk_buf_append(b, "null", 4);
    if (n != 6) return cw_sdk_buf_json_string(b, v, len, 0, NULL);
    if (g == RDS_TSG_NANOS_ISO || g == RDS_TSG_MICROS_ISO)
        return put_iso(b, v, len, us, g == RDS_TSG_NANOS_ISO);
    int64_t sec = (int64_t)timegm(&tm) - tz_offset_s;
    switch (g) {
    case RDS_TSG_NANOS_LONG: return cw_sdk_buf_printf(b, "%" PRId64, sec * 1000000000 + us * 1000);
    case RDS_TSG_NANOS_STRING:
        return cw_sdk_buf_printf(b, "\"%" PRId64 "\"", sec * 1000000000 + us * 1000);
    case RDS_TSG_MICROS_LONG: return cw_sdk_buf_printf(b, "%" PRId64, sec * 1000000 + us);
    case RDS_TSG_MICROS_STRING: return cw_sdk_buf_printf(b, "\"%" PRId64 "\"", sec * 1000000 + us);
    default: return cw_sdk_buf_printf(b, "%" PRId64, sec * 1000 + us / 1000);
    }
}

int rds_put_date(cw_sdk_buf_t *b, const char *v, unsigned long len) {
    struct tm tm;
    long us;
    int n = parse_datetime(v, len, &tm, &us);
    if (n == -1) return cw_sdk_buf_append(b, "null", 4);
    if (n != 3) return cw_sdk_buf_json_string(b, v, len, 0, NULL);
    return cw_sdk_buf_printf(b, "%" PRId64, (int64_t)timegm(&tm) / 86400);
}

int rds_put_time(cw_sdk_buf_t *b, const char *v, unsigned long len) {
    char tmp[32];
    if (len >= sizeof tmp) return cw_sdk_buf_json_string(b, v, len, 0, NULL);
    memcpy(tmp, v, len);
    tmp[len] = 0;
    int neg = tmp[0] == '-', used = 0;
    unsigned hh, mm, ss;
    if (sscanf(tmp + neg, "%u:%2u:%2u%n", &hh, &mm, &ss, &used) != 3)
        return cw_sdk_buf_json_string(b, v, len, 0, NULL);
    int64_t ms = ((int64_t)hh * 3600 + mm * 60 + ss) * 1000;
    const char *p = tmp + neg + used;
    if (*p == '.') {
        int mult = 100;
        for (p++; *p >= '0' && *p <= '9' && mult > 0; p++, mult /= 10) ms += (*p - '0') * mult;
    }
    return cw_sdk_buf_printf(b, "%" PRId64, neg ? -ms : ms);
}

/* The shortest text that reads back as the same double, with Java's ".0" on integers. */
static int put_double(cw_sdk_buf_t *b, const char *v, unsigned long len) {
    char tmp[80], out[40];
    if (len >= sizeof tmp) return cw_sdk_buf_json_string(b, v, len, 0, NULL);
    memcpy(tmp, v, len);
    tmp[len] = 0;
    double d = strtod(tmp, NULL);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, sizeof out, "%.*g", prec, d);
        if (strtod(out, NULL) == d) break;
    }
    if (!strpbrk(out, ".eEn")) strcat(out, ".0");
    return cw_sdk_buf_append(b, out, strlen(out));
}

/* Connect Decimal as BASE64: BigInteger.toByteArray of the unscaled value, i.e. the fewest
 * big-endian two's complement bytes that keep the sign. */
static int put_unscaled_base64(cw_sdk_buf_t *b, const char *v, unsigned long len) {
    char digits[80];
    size_t nd = 0;
    int neg = 0;
    for (unsigned long i = 0; i < len && nd + 1 < sizeof digits; i++) {
        if (v[i] == '-')
            neg = 1;
        else if (v[i] >= '0' && v[i] <= '9')
            digits[nd++] = v[i];
    }
    digits[nd] = 0;
    BIGNUM *n = NULL;
    unsigned char bytes[40];
    int rc = -1;
    if (nd == 0 || !BN_dec2bn(&n, digits)) goto out;
    if (neg && BN_is_zero(n)) neg = 0;
    if (neg && !BN_sub_word(n, 1)) goto out; /* -x = ~(x - 1) */
    int k = BN_num_bits(n) / 8 + 1;
    if (k > (int)sizeof bytes || BN_bn2binpad(n, bytes, k) != k) goto out;
    if (neg)
        for (int i = 0; i < k; i++) bytes[i] = (unsigned char)~bytes[i];
    rc = rds_buf_json_base64(b, bytes, (size_t)k);
out:
    BN_free(n);
    return rc;
}

int rds_put_decimal_confluent(cw_sdk_buf_t *b, const char *v, unsigned long len,
                              unsigned long precision, unsigned scale, rds_numeric_t mapping,
                              rds_decfmt_t fmt) {
    if (!rds_json_number_ok(v, len)) return cw_sdk_buf_json_string(b, v, len, 0, NULL);
    /* GenericDatabaseDialect's NUMERIC rules (MAX_INTEGER_TYPE_PRECISION = 18) */
    int fits = precision <= 18;
    switch (mapping) {
    case RDS_NUM_PRECISION_ONLY:
        if (scale == 0 && fits) return cw_sdk_buf_append(b, v, len);
        break;
    case RDS_NUM_BEST_FIT:
        if (fits) return scale == 0 ? cw_sdk_buf_append(b, v, len) : put_double(b, v, len);
        break;
    case RDS_NUM_BEST_FIT_EAGER_DOUBLE:
        if (scale > 0) return put_double(b, v, len);
        if (fits) return cw_sdk_buf_append(b, v, len);
        break;
    default: break;
    }
    if (fmt == RDS_DEC_NUMERIC) return cw_sdk_buf_append(b, v, len);
    return put_unscaled_base64(b, v, len);
}
