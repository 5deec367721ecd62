/* Regular expressions over PCRE2, set as close to java.util.regex as it goes
 * (connect-worker/sdk_regex.h). */
#include "regex_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on one match: far above what a sane pattern needs on a topic name or field value,
 * low enough that catastrophic backtracking fails in well under a second. */
#define MATCH_LIMIT 1000000
#define HEAP_LIMIT_KIB 65536

static void pcre_error(int rc, char *buf, size_t size) {
    PCRE2_UCHAR msg[256];
    if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
        snprintf((char *)msg, sizeof msg, "error %d", rc);
    snprintf(buf, size, "%s", (const char *)msg);
}

/* Java's class intersection ([a-z&&[^e]]) means something else to PCRE2 (literal '&' and
 * '['): refuse it rather than match other strings than the pattern's author meant. */
static int java_only(const char *pattern, char *errstr, size_t errstr_size) {
    int in_class = 0;
    for (const char *p = pattern; *p; p++) {
        if (*p == '\\') {
            if (p[1] == 'Q') { /* \Q...\E quotes everything up to \E */
                const char *e = strstr(p + 2, "\\E");
                if (!e) return 0;
                p = e + 1;
            } else if (p[1]) {
                p++;
            }
        } else if (*p == '[') {
            in_class++;
        } else if (*p == ']' && in_class) {
            in_class--;
        } else if (in_class && p[0] == '&' && p[1] == '&') {
            snprintf(errstr, errstr_size,
                     "invalid regex '%s': class intersection (&&) is not supported at offset %zu",
                     pattern, (size_t)(p - pattern));
            return 1;
        }
    }
    return 0;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'                     ? c - '0'
                : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                         : -1;
        if (d < 0) return 0;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return 1;
}

/* Java writes a code point as \uhhhh (a surrogate pair for one beyond the BMP) and also as
 * \x{h..h}; PCRE2 reads one or the other (PCRE2_ALT_BSUX). Keep PCRE2's \x{...} and turn each
 * \uhhhh into it. Everything else is copied, \Q...\E untouched. Returns the text to compile
 * (malloc'd), or NULL when out of memory. */
static char *java_escapes(const char *pattern) {
    cw_sdk_buf_t out = {0};
    int nomem = 0;
    for (const char *p = pattern; *p && !nomem;) {
        unsigned u, lo;
        if (p[0] == '\\' && p[1] == 'Q') {
            const char *e = strstr(p + 2, "\\E");
            size_t n = e ? (size_t)(e + 2 - p) : strlen(p);
            nomem = cw_sdk_buf_append(&out, p, n);
            p += n;
        } else if (p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &u)) {
            p += 6;
            if (u >= 0xD800 && u <= 0xDBFF && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) &&
                lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            nomem = cw_sdk_buf_printf(&out, "\\x{%x}", u);
        } else {
            size_t n = p[0] == '\\' && p[1] ? 2 : 1;
            nomem = cw_sdk_buf_append(&out, p, n);
            p += n;
        }
    }
    if (nomem) {
        cw_sdk_buf_free(&out);
        return NULL;
    }
    return cw_sdk_buf_detach(&out, NULL);
}

static pcre2_code *compile(const char *pattern, int flags, char *errstr, size_t errstr_size) {
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!cctx) {
        snprintf(errstr, errstr_size, "regex '%s': out of memory", pattern);
        return NULL;
    }
    /* Java's line terminators for . and $. */
    pcre2_set_newline(cctx, PCRE2_NEWLINE_ANY);
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (flags & CW_SDK_REGEX_FULL) opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
    if (flags & CW_SDK_REGEX_ICASE) opts |= PCRE2_CASELESS;
    int rc;
    PCRE2_SIZE at;
    char *text = java_escapes(pattern);
    if (!text) {
        pcre2_compile_context_free(cctx);
        snprintf(errstr, errstr_size, "regex '%s': out of memory", pattern);
        return NULL;
    }
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, opts, &rc, &at, cctx);
    pcre2_compile_context_free(cctx);
    free(text);
    if (!code) {
        char why[256];
        pcre_error(rc, why, sizeof why);
        snprintf(errstr, errstr_size, "invalid regex '%s': %s at offset %zu", pattern, why,
                 (size_t)at);
    }
    return code;
}

cw_sdk_regex_t *cw_sdk_regex_new(const char *pattern, int flags, char *errstr, size_t errstr_size) {
    cw_sdk_regex_t *re = calloc(1, sizeof *re);
    if (!re || !(re->pattern = strdup(pattern)) || !(re->mctx = pcre2_match_context_create(NULL))) {
        snprintf(errstr, errstr_size, "regex '%s': out of memory", pattern);
        cw_sdk_regex_destroy(re);
        return NULL;
    }
    if (java_only(pattern, errstr, errstr_size) ||
        !(re->code = compile(pattern, flags, errstr, errstr_size))) {
        cw_sdk_regex_destroy(re);
        return NULL;
    }
    uint32_t n = 0;
    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &n);
    re->groups = n;
    pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
    pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
    /* JIT is an optimisation: without it (no JIT support, no executable memory) the
     * interpreter gives the same answers. */
    (void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
    return re;
}

void cw_sdk_regex_destroy(cw_sdk_regex_t *re) {
    if (!re) return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    free(re->pattern);
    free(re);
}

size_t cw_sdk_regex_groups(const cw_sdk_regex_t *re) { return re->groups; }

const char *cw_sdk_regex_pattern(const cw_sdk_regex_t *re) { return re->pattern; }

int cw_sdk_regex_match(const cw_sdk_regex_t *re, const char *s, size_t len, cw_sdk_span_t *spans,
                       size_t nspans, char *errstr, size_t errstr_size) {
    /* Match data per call: it is written by the match, so it cannot be shared by threads. */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    if (!md) {
        snprintf(errstr, errstr_size, "regex '%s': out of memory", re->pattern);
        return -1;
    }
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
        char why[256];
        pcre_error(rc, why, sizeof why);
        snprintf(errstr, errstr_size, "regex '%s': matching stopped: %s", re->pattern, why);
        pcre2_match_data_free(md);
        return -1;
    }
    if (rc >= 0 && spans) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        uint32_t pairs = pcre2_get_ovector_count(md);
        for (size_t i = 0; i < nspans; i++) {
            int set = i < pairs && ov[2 * i] != PCRE2_UNSET;
            spans[i].start = set ? (ssize_t)ov[2 * i] : -1;
            spans[i].end = set ? (ssize_t)ov[2 * i + 1] : -1;
        }
    }
    pcre2_match_data_free(md);
    return rc >= 0;
}
