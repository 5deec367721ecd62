/* Ordered key/value sets read from Java .properties files or Kafka Connect JSON connector
 * files, and Kafka's ${env:...} / ${file:...} config providers. */
#include "props.h"

#include "connect-worker/sdk_buf.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cw_props {
    char **keys;
    char **values;
    size_t count, cap;
    char *origin;
};

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) abort(); /* out of memory: nothing sensible left to do */
    return q;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

static char *xstrndup(const char *s, size_t n) {
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void set_err(char *errstr, size_t errstr_size, const char *fmt, ...) {
    if (!errstr || !errstr_size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
}

cw_props_t *cw_props_new(void) {
    cw_props_t *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->origin = xstrdup("");
    return p;
}

void cw_props_free(cw_props_t *p) {
    if (!p) return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->keys[i]);
        free(p->values[i]);
    }
    free(p->keys);
    free(p->values);
    free(p->origin);
    free(p);
}

cw_props_t *cw_props_copy(const cw_props_t *p) {
    cw_props_t *c = cw_props_new();
    cw_props_set_origin(c, p->origin);
    for (size_t i = 0; i < p->count; i++) cw_props_set(c, p->keys[i], p->values[i]);
    return c;
}

static long find_index(const cw_props_t *p, const char *key) {
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->keys[i], key) == 0) return (long)i;
    return -1;
}

const char *cw_props_get(const cw_props_t *p, const char *key) {
    long i = find_index(p, key);
    return i < 0 ? NULL : p->values[i];
}

/* Takes ownership of key and value. */
static void set_owned(cw_props_t *p, char *key, char *value) {
    long i = find_index(p, key);
    if (i >= 0) {
        free(key);
        free(p->values[i]);
        p->values[i] = value;
        return;
    }
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->keys = xrealloc(p->keys, p->cap * sizeof *p->keys);
        p->values = xrealloc(p->values, p->cap * sizeof *p->values);
    }
    p->keys[p->count] = key;
    p->values[p->count] = value;
    p->count++;
}

void cw_props_set(cw_props_t *p, const char *key, const char *value) {
    set_owned(p, xstrdup(key), xstrdup(value ? value : ""));
}

void cw_props_unset(cw_props_t *p, const char *key) {
    long i = find_index(p, key);
    if (i < 0) return;
    free(p->keys[i]);
    free(p->values[i]);
    size_t rest = p->count - (size_t)i - 1;
    memmove(&p->keys[i], &p->keys[i + 1], rest * sizeof *p->keys);
    memmove(&p->values[i], &p->values[i + 1], rest * sizeof *p->values);
    p->count--;
}

size_t cw_props_count(const cw_props_t *p) { return p->count; }
const char *cw_props_key_at(const cw_props_t *p, size_t i) {
    return i < p->count ? p->keys[i] : NULL;
}
const char *cw_props_value_at(const cw_props_t *p, size_t i) {
    return i < p->count ? p->values[i] : NULL;
}
const char *cw_props_origin(const cw_props_t *p) { return p->origin; }

void cw_props_set_origin(cw_props_t *p, const char *origin) {
    char *o = xstrdup(origin ? origin : "");
    free(p->origin);
    p->origin = o;
}

cw_props_t *cw_props_subset(const cw_props_t *p, const char *prefix) {
    cw_props_t *s = cw_props_new();
    cw_props_set_origin(s, p->origin);
    size_t n = strlen(prefix);
    for (size_t i = 0; i < p->count; i++)
        if (strncmp(p->keys[i], prefix, n) == 0) cw_props_set(s, p->keys[i] + n, p->values[i]);
    return s;
}

/* ------------------------------------------------------------------------------------------
 * .properties syntax (java.util.Properties.load): the text is bytes, kept as they are (UTF-8
 * in practice) except for escapes; \uXXXX becomes UTF-8.
 * ---------------------------------------------------------------------------------------- */

/* The SDK's buffer; out of memory aborts, as everywhere in this file. */
typedef cw_sdk_buf_t strbuf_t;

static void sb_put(strbuf_t *b, const char *s, size_t n) {
    if (cw_sdk_buf_append(b, s, n) != 0) abort();
}

static void sb_putc(strbuf_t *b, char c) {
    if (cw_sdk_buf_putc(b, c) != 0) abort();
}

static char *sb_take(strbuf_t *b) {
    char *d = cw_sdk_buf_detach(b, NULL);
    if (!d) abort();
    return d;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\f'; }

static void put_utf8(strbuf_t *b, uint32_t cp) {
    if (cp < 0x80) {
        sb_putc(b, (char)cp);
    } else if (cp < 0x800) {
        sb_putc(b, (char)(0xC0 | (cp >> 6)));
        sb_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        sb_putc(b, (char)(0xE0 | (cp >> 12)));
        sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sb_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        sb_putc(b, (char)(0xF0 | (cp >> 18)));
        sb_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sb_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static int hex4(const char *s, size_t avail, uint32_t *out) {
    if (avail < 4) return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Unescapes s[0..n) into out. Returns 0, or -1 on a malformed \u escape. */
static int unescape(const char *s, size_t n, strbuf_t *out) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            if (s[i] != '\\') sb_putc(out, s[i]); /* a lone trailing backslash is dropped */
            continue;
        }
        char c = s[++i];
        switch (c) {
        case 't': sb_putc(out, '\t'); break;
        case 'n': sb_putc(out, '\n'); break;
        case 'r': sb_putc(out, '\r'); break;
        case 'f': sb_putc(out, '\f'); break;
        case 'u': {
            uint32_t cp;
            if (hex4(s + i + 1, n - i - 1, &cp) < 0) return -1;
            i += 4;
            /* A UTF-16 surrogate pair written as two escapes is one code point. */
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < n + 0 && s[i + 1] == '\\' &&
                s[i + 2] == 'u') {
                uint32_t lo;
                if (hex4(s + i + 3, n - i - 3, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD; /* unpaired surrogate */
            put_utf8(out, cp);
            break;
        }
        default: sb_putc(out, c); break; /* \\ \= \: \# \! \space and any other char */
        }
    }
    return 0;
}

/* Splits one logical line (continuations already joined, leading white space removed) into
 * key and value the way Properties.load does. */
static int parse_logical_line(cw_props_t *p, const char *line, size_t n, const char *origin,
                              unsigned lineno, char *errstr, size_t errstr_size) {
    size_t i = 0;
    while (i < n) {
        char c = line[i];
        if (c == '\\') {
            i += 2;
            continue;
        }
        if (c == '=' || c == ':' || is_ws(c)) break;
        i++;
    }
    if (i > n) i = n;
    size_t key_end = i;
    while (i < n && is_ws(line[i])) i++;
    if (i < n && (line[i] == '=' || line[i] == ':')) i++;
    while (i < n && is_ws(line[i])) i++;

    strbuf_t key = {0}, value = {0};
    if (unescape(line, key_end, &key) < 0 || unescape(line + i, n - i, &value) < 0) {
        free(key.data);
        free(value.data);
        set_err(errstr, errstr_size, "%s: line %u: malformed \\uXXXX escape", origin, lineno);
        return -1;
    }
    /* A NUL would silently cut the text short wherever it is read as a C string
     * (topics=a<NUL>,b would run on "a" only): refuse it, naming where. */
    const char *nul_in = memchr(key.data ? key.data : "", 0, key.len)         ? "key"
                         : memchr(value.data ? value.data : "", 0, value.len) ? "value"
                                                                              : NULL;
    if (nul_in) {
        set_err(errstr, errstr_size,
                "%s: line %u: key %.200s: the %s contains a NUL byte (a text file cannot carry "
                "one; remove it)",
                origin, lineno, key.len ? key.data : "(empty)", nul_in);
        free(key.data);
        free(value.data);
        return -1;
    }
    set_owned(p, sb_take(&key), sb_take(&value));
    return 0;
}

int cw_props_parse(cw_props_t *p, const char *text, size_t len, const char *origin, char *errstr,
                   size_t errstr_size) {
    if (!origin) origin = "<text>";
    size_t pos = 0;
    unsigned lineno = 0;
    strbuf_t logical = {0};
    int rc = 0;

    while (pos < len) {
        /* One natural line: text[pos..eol), terminated by \n, \r or \r\n. */
        size_t start = pos, eol = pos;
        while (eol < len && text[eol] != '\n' && text[eol] != '\r') eol++;
        pos = eol;
        if (pos < len && text[pos] == '\r') pos++;
        if (pos < len && text[pos] == '\n' && (pos == eol || text[pos - 1] == '\r')) pos++;
        lineno++;
        unsigned first_line = lineno;

        size_t s = start;
        while (s < eol && is_ws(text[s])) s++;
        if (s == eol) continue;                         /* blank */
        if (text[s] == '#' || text[s] == '!') continue; /* comment: never continued */

        logical.len = 0;
        for (;;) {
            size_t bs = 0;
            for (size_t k = eol; k > s && text[k - 1] == '\\'; k--) bs++;
            if (bs % 2 == 0) {
                sb_put(&logical, text + s, eol - s);
                break;
            }
            /* Odd number of trailing backslashes: the last one joins the next line, whose
             * leading white space is dropped. */
            sb_put(&logical, text + s, eol - s - 1);
            if (pos >= len) break;
            s = pos;
            eol = pos;
            while (eol < len && text[eol] != '\n' && text[eol] != '\r') eol++;
            pos = eol;
            if (pos < len && text[pos] == '\r') pos++;
            if (pos < len && text[pos] == '\n' && (pos == eol || text[pos - 1] == '\r')) pos++;
            lineno++;
            while (s < eol && is_ws(text[s])) s++;
        }
        if (logical.len == 0) continue;
        if (parse_logical_line(p, logical.data, logical.len, origin, first_line, errstr,
                               errstr_size) < 0) {
            rc = -1;
            break;
        }
    }
    free(logical.data);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * JSON connector files
 * ---------------------------------------------------------------------------------------- */

/* The shortest %.Ng text that reads back to the same double (jansson would print 17 digits). */
static void format_real(double d, char *buf, size_t size) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return;
    }
}

/* The text of a JSON value as a config value; NULL for JSON null (the key stays unset). */
static char *json_value_text(json_t *v) {
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_STRING: return xstrndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return xstrdup(buf);
    case JSON_REAL: format_real(json_real_value(v), buf, sizeof buf); return xstrdup(buf);
    case JSON_TRUE: return xstrdup("true");
    case JSON_FALSE: return xstrdup("false");
    case JSON_NULL: return NULL;
    case JSON_ARRAY: {
        /* A list given as a JSON array of scalars reads as the comma-separated text. */
        strbuf_t b = {0};
        size_t i;
        json_t *item;
        int scalars = 1;
        json_array_foreach(v, i, item) if (json_is_object(item) || json_is_array(item)) scalars = 0;
        if (scalars) {
            json_array_foreach(v, i, item) {
                char *t = json_value_text(item);
                if (i) sb_putc(&b, ',');
                if (t) sb_put(&b, t, strlen(t));
                free(t);
            }
            return sb_take(&b);
        }
    }
    /* fall through */
    case JSON_OBJECT: {
        char *t = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        char *r = xstrdup(t ? t : "");
        free(t);
        return r;
    }
    }
    return NULL;
}

static int load_json(cw_props_t *p, const char *text, size_t len, const char *origin, char *errstr,
                     size_t errstr_size) {
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root) {
        /* jansson quotes the text "near" the error, which may be part of a password. */
        char *near = strstr(jerr.text, " near '");
        if (near) *near = '\0';
        set_err(errstr, errstr_size, "%s: line %d column %d: invalid JSON: %s", origin, jerr.line,
                jerr.column, jerr.text);
        return -1;
    }
    if (!json_is_object(root)) {
        set_err(errstr, errstr_size, "%s: a JSON connector file must hold an object", origin);
        json_decref(root);
        return -1;
    }
    json_t *obj = root;
    json_t *config = json_object_get(root, "config");
    if (json_is_object(config)) obj = config; /* REST form {"name": ..., "config": {...}} */

    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        char *text_value = json_value_text(v);
        if (text_value) set_owned(p, xstrdup(key), text_value);
    }
    if (obj == config) {
        json_t *name = json_object_get(root, "name");
        if (json_is_string(name) && !json_object_get(config, "name"))
            cw_props_set(p, "name", json_string_value(name));
    }
    json_decref(root);
    return 0;
}

static int read_whole_file(const char *path, char **data, size_t *len, char *errstr,
                           size_t errstr_size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(errstr, errstr_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    strbuf_t b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sb_put(&b, chunk, n);
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(b.data);
        set_err(errstr, errstr_size, "%s: cannot read: %s", path, strerror(saved));
        return -1;
    }
    *len = b.len;
    *data = sb_take(&b);
    return 0;
}

int cw_props_load_file(cw_props_t *p, const char *path, char *errstr, size_t errstr_size) {
    char *data;
    size_t len;
    if (read_whole_file(path, &data, &len, errstr, errstr_size) < 0) return -1;
    cw_props_set_origin(p, path);
    size_t i = 0;
    /* Skip a UTF-8 byte order mark and white space to see whether this is JSON. */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) i = 3;
    size_t body = i;
    while (i < len && (is_ws(data[i]) || data[i] == '\n' || data[i] == '\r')) i++;
    int rc = (i < len && data[i] == '{')
                 ? load_json(p, data + body, len - body, path, errstr, errstr_size)
                 : cw_props_parse(p, data + body, len - body, path, errstr, errstr_size);
    free(data);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Config providers. Errors name the referencing key and the origin, never the resolved value
 * (it is usually a secret).
 * ---------------------------------------------------------------------------------------- */

/* ${env:NAME:-fallback} is our extension (shell-style): one set of connector and worker files
 * can then run the embedded demo with no variables set and point at real services when they
 * are. Kafka's EnvVarConfigProvider has no fallback; a plain ${env:NAME} behaves as in Kafka. */
static int resolve_env(const char *ref, const char *key, const char *origin, strbuf_t *out,
                       char *errstr, size_t errstr_size) {
    const char *fallback = strstr(ref, ":-");
    size_t name_len = fallback ? (size_t)(fallback - ref) : strlen(ref);
    char *name = xstrdup(ref);
    name[name_len] = '\0';
    const char *v = getenv(name);
    if (!v && fallback) v = fallback + 2;
    if (!v) {
        set_err(errstr, errstr_size,
                "%s: %s: ${env:%s} refers to environment variable %s, which is not set", origin,
                key, name, name);
        free(name);
        return -1;
    }
    free(name);
    sb_put(out, v, strlen(v));
    return 0;
}

static int resolve_file(const char *ref, const char *key, const char *origin, strbuf_t *out,
                        char *errstr, size_t errstr_size) {
    /* ref is "path:key" or "path"; the key is after the last ':' unless that part looks like
     * a path component. */
    char *path = xstrdup(ref);
    char *fkey = NULL;
    char *colon = strrchr(path, ':');
    if (colon && !strchr(colon + 1, '/') && colon[1]) {
        *colon = '\0';
        fkey = colon + 1;
    }
    char sub_err[512];
    int rc = -1;
    if (fkey) {
        cw_props_t *fp = cw_props_new();
        if (cw_props_load_file(fp, path, sub_err, sizeof sub_err) < 0) {
            set_err(errstr, errstr_size, "%s: %s: ${file:%s}: %s", origin, key, ref, sub_err);
        } else {
            const char *v = cw_props_get(fp, fkey);
            if (!v) {
                set_err(errstr, errstr_size, "%s: %s: ${file:%s}: key '%s' not found in %s", origin,
                        key, ref, fkey, path);
            } else {
                sb_put(out, v, strlen(v));
                rc = 0;
            }
        }
        cw_props_free(fp);
    } else {
        char *data;
        size_t len;
        if (read_whole_file(path, &data, &len, sub_err, sizeof sub_err) < 0) {
            set_err(errstr, errstr_size, "%s: %s: ${file:%s}: %s", origin, key, ref, sub_err);
        } else {
            /* A secret file written with echo ends in a newline that is not part of it. */
            if (len && data[len - 1] == '\n') len--;
            if (len && data[len - 1] == '\r') len--;
            sb_put(out, data, len);
            free(data);
            rc = 0;
        }
    }
    free(path);
    return rc;
}

static int resolve_value(const char *key, const char *value, const char *origin, char **out,
                         char *errstr, size_t errstr_size) {
    strbuf_t b = {0};
    const char *s = value;
    while (*s) {
        const char *open = strstr(s, "${");
        const char *close = open ? strchr(open + 2, '}') : NULL;
        if (!open || !close) {
            sb_put(&b, s, strlen(s));
            break;
        }
        sb_put(&b, s, (size_t)(open - s));
        char *ref = xstrndup(open + 2, (size_t)(close - open - 2));
        int rc = 1; /* 1: not a provider we know: keep the text as it is, like Kafka */
        if (strncmp(ref, "env:", 4) == 0)
            rc = resolve_env(ref + 4, key, origin, &b, errstr, errstr_size);
        else if (strncmp(ref, "file:", 5) == 0)
            rc = resolve_file(ref + 5, key, origin, &b, errstr, errstr_size);
        free(ref);
        if (rc < 0) {
            free(b.data);
            return -1;
        }
        if (rc > 0) sb_put(&b, open, (size_t)(close - open + 1));
        s = close + 1;
    }
    *out = sb_take(&b);
    return 0;
}

int cw_props_resolve(cw_props_t *p, char *errstr, size_t errstr_size) {
    const char *origin = p->origin[0] ? p->origin : "<config>";
    for (size_t i = 0; i < p->count; i++) {
        if (!strstr(p->values[i], "${")) continue;
        char *resolved;
        if (resolve_value(p->keys[i], p->values[i], origin, &resolved, errstr, errstr_size) < 0)
            return -1;
        free(p->values[i]);
        p->values[i] = resolved;
    }
    return 0;
}
