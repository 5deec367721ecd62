/* Credentials inside URLs, hidden before text is printed (see sdk_redact.h). */
#include "connect-worker/sdk_redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Ends a URL's authority (user-info and host): a path, query or fragment begins, or the URL
 * ends (white space, a quote, a comma between list items). */
static int ends_authority(char c) {
    return c == '/' || c == '?' || c == '#' || c == ',' || c == '"' || c == '\'' ||
           isspace((unsigned char)c);
}

/* Ends a parameter value. */
static int ends_param(char c) {
    return c == '&' || c == ';' || c == '#' || c == ',' || c == '"' || c == '\'' ||
           isspace((unsigned char)c);
}

static int is_name_char(char c) {
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* Does the parameter name [s, s+n) say it holds a credential? */
static int secret_name(const char *s, size_t n) {
    static const char *const words[] = {"password", "passwd", "pwd",
                                        "secret",   "token",  "credential"};
    char low[64];
    if (n >= sizeof low) n = sizeof low - 1;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)s[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(low, words[i])) return 1;
    return 0;
}

/* A span [from, to) of text to replace. */
typedef struct {
    size_t from, to;
} span_t;

/* At text[i] == '@' inside an authority that began at `start`: the password span, if any. */
static int userinfo_password(const char *text, size_t start, size_t at, span_t *sp) {
    const char *colon = memchr(text + start, ':', at - start);
    if (!colon) return 0;
    sp->from = (size_t)(colon - text) + 1;
    sp->to = at;
    return sp->to > sp->from;
}

/* Collects the spans to hide, in order. Returns how many (at most max). */
static size_t find_spans(const char *text, size_t len, span_t *spans, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i + 2 < len && n < max; i++) {
        if (text[i] == ':' && text[i + 1] == '/' && text[i + 2] == '/') {
            size_t start = i + 3, end = start, at = 0;
            while (end < len && !ends_authority(text[end])) {
                if (text[end] == '@') at = end; /* the last '@': a password may hold one */
                end++;
            }
            span_t sp;
            if (at && userinfo_password(text, start, at, &sp)) spans[n++] = sp;
        } else if (text[i] == '?' || text[i] == '&' || text[i] == ';') {
            size_t name = i + 1, eq = name;
            while (eq < len && is_name_char(text[eq])) eq++;
            if (eq == name || eq >= len || text[eq] != '=' || !secret_name(text + name, eq - name))
                continue;
            size_t end = eq + 1;
            while (end < len && !ends_param(text[end])) end++;
            /* inside a user-info password already hidden: nothing more to do */
            if (end > eq + 1 && (n == 0 || eq + 1 >= spans[n - 1].to))
                spans[n++] = (span_t){.from = eq + 1, .to = end};
            i = end - 1;
        }
    }
    return n;
}

int cw_sdk_redact_credentials(const char *text, size_t len, cw_sdk_buf_t *out) {
    if (!text || len < 3) return 0;
    /* Cheap test first: most log lines hold no URL and no parameter. */
    if (!memchr(text, '@', len) && !memchr(text, '=', len)) return 0;
    span_t spans[64];
    size_t n = find_spans(text, len, spans, sizeof spans / sizeof spans[0]);
    if (!n) return 0;
    size_t pos = 0;
    for (size_t k = 0; k < n; k++) {
        if (cw_sdk_buf_append(out, text + pos, spans[k].from - pos) ||
            cw_sdk_buf_puts(out, CW_SDK_REDACTED))
            return -1;
        pos = spans[k].to;
    }
    if (cw_sdk_buf_append(out, text + pos, len - pos)) return -1;
    return (int)n;
}
