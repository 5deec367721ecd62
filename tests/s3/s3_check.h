/* Assertions shared by the s3-sink unit tests: a failure prints file, line, the condition and
 * a printf-style explanation; the test counts failures and exits non-zero at the end. */
#ifndef S3_TEST_CHECK_H
#define S3_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)
#define CHECK_STR(got, want)                                                                       \
    CHECK((got) && !strcmp((got), (want)), "got '%s' want '%s'", (got) ? (got) : "(null)", (want))
#endif
