/*
 * connect-worker SDK: civil dates and ISO-8601 timestamps (see sdk.h for the conventions).
 *
 * Dates are proleptic Gregorian, as java.time uses them; times are UTC with no leap seconds
 * (as epoch milliseconds in Kafka are). All functions are pure and thread-safe, and none
 * depends on the process's time zone or locale (unlike mktime and strftime).
 */
#ifndef CONNECT_WORKER_SDK_TIME_H
#define CONNECT_WORKER_SDK_TIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Days from 1970-01-01 to the date y-m-d (negative before it). m is 1..12 and d 1..31;
 *  a day past the month's end counts on into the next month (d is not checked). */
int64_t cw_sdk_days_from_civil(int64_t y, int m, int d);

/** The date `days` days after 1970-01-01 (before it when negative); any of y, m, d may be
 *  NULL. The inverse of cw_sdk_days_from_civil. */
void cw_sdk_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/** 1 when y is a leap year of the Gregorian calendar, else 0. */
int cw_sdk_is_leap_year(int64_t y);

/** Days in month m (1..12) of year y (28 to 31); 0 when m is out of range. */
int cw_sdk_days_in_month(int64_t y, int m);

/** One instant read from ISO-8601 text. */
typedef struct cw_sdk_iso8601 {
    int64_t epoch_s;  /**< seconds since 1970-01-01T00:00:00Z (the offset applied) */
    int32_t nanos;    /**< 0..999999999, the fraction of a second */
    int32_t offset_s; /**< the offset written (+02:00 is 7200); 0 for Z or none */
    int has_time;     /**< a time of day was written (else midnight) */
    int has_offset;   /**< Z or an offset was written (else the text was read as UTC) */
} cw_sdk_iso8601_t;

/** Flags of cw_sdk_iso8601_parse. */
#define CW_SDK_ISO8601_REQUIRE_TIME 0x1   /**< refuse a date alone; seconds are required */
#define CW_SDK_ISO8601_REQUIRE_OFFSET 0x2 /**< refuse text without Z or an offset */

/** Reads s[0..len) as ISO-8601 (the forms java.time's ISO_DATE, ISO_DATE_TIME and
 *  ISO_INSTANT read, plus RFC 3339's space between date and time):
 *      YYYY-MM-DD[(T|t| )HH:MM[:SS[(.|,)F...]]][Z|z|(+|-)HH[[:]MM]]
 *  with 1 to 9 fraction digits, years 0000..9999, an offset only after a time, and without
 *  time, text is midnight UTC. Leap days are checked (2023-02-29 is refused); a second of 60
 *  is refused. Returns 0 and fills *out, or -1 with errstr saying what is wrong and where.
 *  Nothing is allocated. */
int cw_sdk_iso8601_parse(const char *s, size_t len, int flags, cw_sdk_iso8601_t *out, char *errstr,
                         size_t errstr_size);

/** Epoch milliseconds of a parsed instant (the fraction truncated to milliseconds). */
int64_t cw_sdk_iso8601_ms(const cw_sdk_iso8601_t *t);

/** Writes the instant epoch_s + nanos (0..999999999) as UTC text,
 *  YYYY-MM-DDTHH:MM:SS[.F...]Z, with the fraction's trailing zeros left out (no fraction when
 *  nanos is 0), NUL-terminated into out (36 bytes are always enough). Returns the length
 *  written, or -1 with errno ERANGE when the year falls outside 0001..9999 or nanos outside
 *  its range, or when `size` is too small (out then holds an empty string when size > 0). */
int cw_sdk_iso8601_format(int64_t epoch_s, int32_t nanos, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif
