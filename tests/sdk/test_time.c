/* The SDK's civil dates and ISO-8601 parsing and formatting (connect-worker/sdk_time.h). */
#include <errno.h>

#include "check.h"
#include "connect-worker/sdk_time.h"

static void test_civil(void) {
    CHECK(cw_sdk_days_from_civil(1970, 1, 1) == 0);
    CHECK(cw_sdk_days_from_civil(1969, 12, 31) == -1);
    CHECK(cw_sdk_days_from_civil(2000, 3, 1) == 11017);
    CHECK(cw_sdk_days_from_civil(1, 1, 1) == -62135596800 / 86400);
    CHECK(cw_sdk_days_from_civil(2024, 3, 1) - cw_sdk_days_from_civil(2024, 2, 28) == 2);
    CHECK(cw_sdk_days_from_civil(2023, 3, 1) - cw_sdk_days_from_civil(2023, 2, 28) == 1);
    CHECK(cw_sdk_days_from_civil(1900, 3, 1) - cw_sdk_days_from_civil(1900, 2, 28) == 1);
    /* civil_from_days inverts it, across eras and before year 0 */
    int ok = 1;
    for (int64_t days = -1000000; days <= 1000000; days += 7) {
        int64_t y;
        int m, d;
        cw_sdk_civil_from_days(days, &y, &m, &d);
        ok &= m >= 1 && m <= 12 && d >= 1 && d <= cw_sdk_days_in_month(y, m) &&
              cw_sdk_days_from_civil(y, m, d) == days;
    }
    CHECK(ok);
    int64_t y;
    int m, d;
    cw_sdk_civil_from_days(19782, &y, &m, &d); /* 2024-02-29 */
    CHECK(y == 2024 && m == 2 && d == 29);
    cw_sdk_civil_from_days(0, NULL, NULL, &d);
    CHECK(d == 1);
    CHECK(cw_sdk_is_leap_year(2024) && cw_sdk_is_leap_year(2000) && !cw_sdk_is_leap_year(1900) &&
          !cw_sdk_is_leap_year(2023));
    CHECK(cw_sdk_days_in_month(2024, 2) == 29 && cw_sdk_days_in_month(2023, 2) == 28 &&
          cw_sdk_days_in_month(2100, 2) == 28 && cw_sdk_days_in_month(2024, 12) == 31 &&
          cw_sdk_days_in_month(2024, 4) == 30);
    CHECK(cw_sdk_days_in_month(2024, 0) == 0 && cw_sdk_days_in_month(2024, 13) == 0);
}

static int parse(const char *s, int flags, cw_sdk_iso8601_t *t, char *err, size_t size) {
    return cw_sdk_iso8601_parse(s, strlen(s), flags, t, err, size);
}

static void check_instant(const char *s, int64_t epoch_s, int32_t nanos, int has_time,
                          int has_offset, int32_t offset_s) {
    cw_sdk_iso8601_t t;
    char err[200] = "";
    int rc = parse(s, 0, &t, err, sizeof err);
    if (rc != 0) fprintf(stderr, "'%s': %s\n", s, err);
    CHECK(rc == 0);
    if (rc) return;
    if (t.epoch_s != epoch_s || t.nanos != nanos)
        fprintf(stderr, "'%s': got %lld.%09d\n", s, (long long)t.epoch_s, (int)t.nanos);
    CHECK(t.epoch_s == epoch_s && t.nanos == nanos);
    CHECK(t.has_time == has_time && t.has_offset == has_offset && t.offset_s == offset_s);
}

static void check_refused(const char *s, int flags, const char *why) {
    cw_sdk_iso8601_t t;
    char err[200] = "";
    CHECK(parse(s, flags, &t, err, sizeof err) == -1);
    CHECK_CONTAINS(err, why);
}

static void test_parse(void) {
    check_instant("2024-02-29", 1709164800, 0, 0, 0, 0); /* a leap day */
    check_instant("2024-02-29T12:34:56.789+02:00", 1709202896, 789000000, 1, 1, 7200);
    check_instant("2024-02-29 12:34", 1709210040, 0, 1, 0, 0);               /* RFC 3339 space */
    check_instant("2024-02-29t12:34:00,5z", 1709210040, 500000000, 1, 1, 0); /* comma, lower case */
    check_instant("2024-01-01T00:30:00+0530", 1704049200, 0, 1, 1, 19800);
    check_instant("2024-01-01T00:00:00-01", 1704070800, 0, 1, 1, -3600);
    check_instant("1969-12-31T23:59:59.999999999Z", -1, 999999999, 1, 1, 0);
    check_instant("1970-01-01T00:00:00.000000001Z", 0, 1, 1, 1, 0);
    check_instant("0001-01-01T00:00:00Z", -62135596800, 0, 1, 1, 0);
    check_instant("9999-12-31T23:59:59Z", 253402300799, 0, 1, 1, 0);
    check_instant("2024-03-01T00:30:00+01:00", 1709249400, 0, 1, 1, 3600); /* back over Feb 29 */

    check_refused("2023-02-29", 0, "day out of range");
    check_refused("1900-02-29", 0, "day out of range");
    check_refused("2024-04-31", 0, "day out of range");
    check_refused("2024-13-01", 0, "month out of range");
    check_refused("2024-00-10", 0, "month out of range");
    check_refused("2024-1-01", 0, "2-digit month");
    check_refused("24-01-01", 0, "4-digit year");
    check_refused("2024-01-01T24:00:00Z", 0, "time of day out of range");
    check_refused("2024-01-01T23:59:60Z", 0, "time of day out of range"); /* no leap seconds */
    check_refused("2024-01-01T", 0, "2-digit hour");
    check_refused("2024-01-01T10", 0, "':' after the hour");
    check_refused("2024-01-01T10:00:00.Z", 0, "fraction digits");
    check_refused("2024-01-01T10:00:00.1234567891Z", 0, "more than 9 fraction digits");
    check_refused("2024-01-01T10:00:00+19:00", 0, "offset out of range");
    check_refused("2024-01-01T10:00:00+2:00", 0, "2-digit offset hour");
    check_refused("2024-01-01Z", 0, "unexpected text at offset 10");
    check_refused("2024-01-01T10:00:00Zx", 0, "unexpected text at offset 20");
    check_refused(" 2024-01-01", 0, "4-digit year");
    check_refused("", 0, "4-digit year");
    check_refused("tomorrow", 0, "is not an ISO-8601 timestamp");

    /* the flags */
    check_refused("2024-01-01", CW_SDK_ISO8601_REQUIRE_TIME, "expected a time");
    check_refused("2024-01-01T10:00Z", CW_SDK_ISO8601_REQUIRE_TIME, "seconds");
    check_refused("2024-01-01T10:00:00", CW_SDK_ISO8601_REQUIRE_OFFSET, "Z or an offset");
    cw_sdk_iso8601_t t;
    CHECK(parse("2024-01-01T10:00:00+00:00",
                CW_SDK_ISO8601_REQUIRE_TIME | CW_SDK_ISO8601_REQUIRE_OFFSET, &t, NULL, 0) == 0);
    /* only len bytes are read */
    CHECK(cw_sdk_iso8601_parse("2024-01-01garbage", 10, 0, &t, NULL, 0) == 0 &&
          t.epoch_s == 1704067200);

    CHECK(parse("1969-12-31T23:59:59.999Z", 0, &t, NULL, 0) == 0 && cw_sdk_iso8601_ms(&t) == -1);
    CHECK(parse("2026-11-21T07:27:55.123456Z", 0, &t, NULL, 0) == 0 &&
          cw_sdk_iso8601_ms(&t) == 1795246075123LL);
}

static void check_format(int64_t s, int32_t ns, const char *want) {
    char out[40];
    int n = cw_sdk_iso8601_format(s, ns, out, sizeof out);
    CHECK_STR(out, want);
    CHECK(n == (int)strlen(want));
}

static void test_format(void) {
    check_format(0, 0, "1970-01-01T00:00:00Z");
    check_format(-1, 999999999, "1969-12-31T23:59:59.999999999Z");
    check_format(1709164800, 500000000, "2024-02-29T00:00:00.5Z");
    check_format(1709164800, 123000000, "2024-02-29T00:00:00.123Z");
    check_format(1709164800, 1000, "2024-02-29T00:00:00.000001Z");
    check_format(253402300799, 0, "9999-12-31T23:59:59Z");
    check_format(-62135596800, 0, "0001-01-01T00:00:00Z");
    char out[40] = "x";
    errno = 0;
    CHECK(cw_sdk_iso8601_format(253402300800, 0, out, sizeof out) == -1 && errno == ERANGE &&
          !out[0]);
    CHECK(cw_sdk_iso8601_format(-62135596801, 0, out, sizeof out) == -1);
    CHECK(cw_sdk_iso8601_format(0, 1000000000, out, sizeof out) == -1);
    CHECK(cw_sdk_iso8601_format(0, -1, out, sizeof out) == -1);
    strcpy(out, "x");
    CHECK(cw_sdk_iso8601_format(0, 0, out, 20) == -1 && !out[0]); /* one byte short */
    CHECK(cw_sdk_iso8601_format(0, 0, out, 21) == 20);
    /* parse and format round-trip, the offset applied */
    cw_sdk_iso8601_t t;
    CHECK(parse("2024-03-01T00:30:00.250+01:00", 0, &t, NULL, 0) == 0);
    CHECK(cw_sdk_iso8601_format(t.epoch_s, t.nanos, out, sizeof out) > 0);
    CHECK_STR(out, "2024-02-29T23:30:00.25Z");
}

int main(void) {
    test_civil();
    test_parse();
    test_format();
    CHECK_DONE();
}
