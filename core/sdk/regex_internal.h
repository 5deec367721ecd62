/* The compiled regex, shared by regex.c and regex_replace.c (not installed). */
#ifndef CW_SDK_REGEX_INTERNAL_H
#define CW_SDK_REGEX_INTERNAL_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "connect-worker/sdk_regex.h"

struct cw_sdk_regex {
    pcre2_code *code;
    pcre2_match_context *mctx; /* read-only during matches, so shared by threads */
    size_t groups;             /* capturing groups, not counting group 0 */
    char *pattern;             /* for error messages */
};
#endif
