/* The value parsers of the clean transform. Pure functions on strings, unit-tested
 * directly; none of them accepts a value it would have to guess at. */
#ifndef CLEAN_PARSE_H
#define CLEAN_PARSE_H
#include <stddef.h>
#include <stdint.h>

/** Human-written counts: '892', '10k', '1.5k', '3M', '2B' (k/K thousand, m/M million, b/B
 *  billion), optional sign, surrounding spaces ignored. The result must be a whole number
 *  ('1.2345k' is not) that fits in int64. Returns 0, or -1 when it is not such a number. */
int clean_human_number(const char *s, int64_t *out);

/** A decimal integer: optional sign and digits, surrounding spaces ignored, fits int64.
 *  Returns 0 or -1. */
int clean_integer(const char *s, int64_t *out);

/** A decimal number: an integer (*is_int set, *i) or a finite real (*d). Returns 0 or -1. */
int clean_number(const char *s, int *is_int, int64_t *i, double *d);

/** Timestamps 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS[.fff]]' or with 'T', optionally followed
 *  by 'Z' or an offset (+HH, +HHMM, +HH:MM, up to 18 hours); no zone means UTC. Writes ISO-8601 UTC
 *  'YYYY-MM-DDTHH:MM:SSZ' (with the fraction kept, trailing zeros removed, when it is not
 *  zero) to out (at least 32 bytes). Returns 0, or -1 for anything else, including
 *  impossible dates (2021-02-29) and years outside 0001-9999 after the shift to UTC. */
int clean_timestamp(const char *s, char *out, size_t size);
#endif
