/* Shared helpers of the SMT plugins (see tf.h). */
#include "tf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const cw_host_t *tf_host;

const char *tf_which_name(tf_which_t w) { return w == TF_KEY ? "key" : "value"; }

json_t *tf_get(cw_record_t *r, tf_which_t w, char *errstr, size_t n) {
    char why[512] = "";
    json_t *v = w == TF_KEY ? tf_host->record_key_json(r, why, sizeof(why))
                            : tf_host->record_value_json(r, why, sizeof(why));
    if (!v) tf_err(errstr, n, CW_ERR_RECORD, "the %s is not valid JSON: %s", tf_which_name(w), why);
    return v;
}

json_t *tf_get_mut(cw_record_t *r, tf_which_t w, char *errstr, size_t n) {
    char why[512] = "";
    json_t *v = w == TF_KEY ? tf_host->record_key_json_mut(r, why, sizeof(why))
                            : tf_host->record_value_json_mut(r, why, sizeof(why));
    if (!v) tf_err(errstr, n, CW_ERR_RECORD, "the %s is not valid JSON: %s", tf_which_name(w), why);
    return v;
}

void tf_set(cw_record_t *r, tf_which_t w, json_t *v) {
    if (w == TF_KEY)
        tf_host->record_set_key_json(r, v);
    else
        tf_host->record_set_value_json(r, v);
}

int tf_err(char *errstr, size_t n, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (errstr && n) vsnprintf(errstr, n, fmt, ap);
    va_end(ap);
    return code;
}

const char *tf_type_name(const json_t *v) {
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "real";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    default: return "null";
    }
}

/* Quotes s (len bytes) into buf, cutting at 60 input bytes; bytes outside printable ASCII
 * are written as \xNN so that a message never carries control characters. */
static void quote_bytes(const char *s, size_t len, char *buf, size_t n) {
    size_t o = 0, i;
    if (n < 8) {
        if (n) buf[0] = 0;
        return;
    }
    buf[o++] = '\'';
    for (i = 0; i < len && i < 60 && o + 6 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
    }
    if (i < len && o + 4 < n) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o++] = '\'';
    buf[o] = 0;
}

void tf_describe(const json_t *v, char *buf, size_t n) {
    if (!n) return;
    if (!v || json_is_null(v)) {
        snprintf(buf, n, "null");
        return;
    }
    if (json_is_string(v)) {
        quote_bytes(json_string_value(v), json_string_length(v), buf, n);
        return;
    }
    if (json_is_integer(v)) {
        snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return;
    }
    if (json_is_real(v)) {
        tf_double_text(json_real_value(v), buf, n);
        return;
    }
    if (json_is_boolean(v)) {
        snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
        return;
    }
    snprintf(buf, n, "(%s)", tf_type_name(v));
}

void tf_double_text(double d, char *buf, size_t n) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return;
    }
}

/* --- one checker for configure and validate ------------------------------------------- */

int tf_configure_with(const cw_config_t *c, tf_parse_fn parse, size_t size,
                      void (*close_fn)(void *), void **state, char *errstr, size_t n) {
    void *s = calloc(1, size);
    if (!s) return tf_err(errstr, n, CW_ERR_FATAL, "out of memory");
    cw_validation_t *v = tf_host->validation_begin();
    parse(c, v, s);
    if (tf_host->validation_end(v, errstr, n)) {
        close_fn(s);
        return CW_ERR_CONFIG;
    }
    *state = s;
    return CW_OK;
}

void tf_validate_with(const cw_config_t *c, cw_validation_t *v, tf_parse_fn parse, size_t size,
                      void (*close_fn)(void *)) {
    void *s = calloc(1, size);
    if (!s) {
        tf_host->validation_error(v, "", "out of memory");
        return;
    }
    parse(c, v, s);
    close_fn(s);
}

/* --- paths ------------------------------------------------------------------------------ */

void tf_path_free(tf_path_t *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) free(p->seg[i]);
    free(p->seg);
    free(p->text);
    memset(p, 0, sizeof(*p));
}

static int path_push(tf_path_t *p, const char *s, size_t len) {
    char **seg = realloc(p->seg, (p->n + 1) * sizeof(*seg));
    if (!seg) return -1;
    p->seg = seg;
    if (!(p->seg[p->n] = strndup(s, len))) return -1;
    p->n++;
    return 0;
}

/* A backticked segment starting at text[at] (the opening backtick), as Kafka's
 * FieldPathNotation reads it: it ends at the first backtick that is followed by a dot or
 * ends the path and is not escaped by a backslash. A backtick followed by anything else
 * is part of the name as written (a backslash before it too); `\`.` inside is a literal
 * backtick followed by the dot. Returns the index after the segment (its closing backtick
 * and the dot), or -1 when no backtick closes it. */
static long path_quoted(tf_path_t *out, const char *text, size_t at, int *oom) {
    size_t len = strlen(text), start = at + 1, o = 0, i = at + 1;
    char *buf = malloc(len + 1);
    long next = -1;
    if (!buf) {
        *oom = 1;
        return -1;
    }
    for (;;) {
        const char *bt = strchr(text + i, '`');
        if (!bt) goto done;
        i = (size_t)(bt - text);
        int escaped = text[i - 1] == '\\';
        if (i + 1 >= len) {
            if (escaped) goto done;
            break;
        }
        if (text[i + 1] != '.') {
            i++; /* not a closing backtick: part of the name */
            continue;
        }
        if (!escaped) break;
        memcpy(buf + o, text + start, i - 1 - start); /* the name up to the backslash */
        o += i - 1 - start;
        buf[o++] = '`';
        start = ++i;
    }
    memcpy(buf + o, text + start, i - start);
    o += i - start;
    if (path_push(out, buf, o))
        *oom = 1;
    else
        next = (long)(i + 2);
done:
    free(buf);
    return next;
}

int tf_path_parse(const char *text, int v2, tf_path_t *out, char *errstr, size_t n) {
    memset(out, 0, sizeof(*out));
    out->text = strdup(text);
    if (!out->text) return tf_err(errstr, n, CW_ERR_FATAL, "out of memory");
    size_t len = strlen(text);
    if (!v2 || !len) {
        if (path_push(out, text, len)) goto oom;
        return CW_OK;
    }
    /* Kafka's V2 notation: dots separate the steps, any step may be empty (`a..b`, `.a`,
     * `a.` have an empty name), backticks quote a step only when they wrap it whole. */
    size_t i = 0;
    while (i < len) {
        if (text[i] != '`') {
            const char *dot = strchr(text + i, '.');
            size_t seg = dot ? (size_t)(dot - text) - i : len - i;
            if (path_push(out, text + i, seg)) goto oom;
            i += seg + (dot ? 1 : 0);
            continue;
        }
        int nomem = 0;
        long next = path_quoted(out, text, i, &nomem);
        if (nomem) goto oom;
        if (next < 0) {
            size_t at = i;
            tf_path_free(out);
            return tf_err(errstr, n, CW_ERR_CONFIG,
                          "Incomplete backtick pair in path: [%s], consider adding a backslash "
                          "before backtick at position %zu to escape it",
                          text, at);
        }
        i = (size_t)next;
    }
    if (text[len - 1] == '.' && path_push(out, "", 0)) goto oom;
    return CW_OK;
oom:
    tf_path_free(out);
    return tf_err(errstr, n, CW_ERR_FATAL, "out of memory");
}

int tf_path_parse_v(cw_validation_t *v, const char *key, const char *text, int v2, tf_path_t *out) {
    char why[512];
    if (tf_path_parse(text, v2, out, why, sizeof why) == CW_OK) return 0;
    tf_host->validation_error(v, key, "%s", why);
    return -1;
}

json_t *tf_path_parent(json_t *root, const tf_path_t *p) {
    json_t *cur = root;
    for (size_t i = 0; i + 1 < p->n; i++) {
        if (!json_is_object(cur)) return NULL;
        cur = json_object_get(cur, p->seg[i]);
    }
    return json_is_object(cur) ? cur : NULL;
}

json_t *tf_path_get(json_t *root, const tf_path_t *p) {
    json_t *parent = tf_path_parent(root, p);
    return parent ? json_object_get(parent, tf_path_leaf(p)) : NULL;
}

const char *tf_path_leaf(const tf_path_t *p) { return p->seg[p->n - 1]; }

int tf_syntax_v2(const cw_config_t *config, cw_validation_t *v) {
    const char *ver = tf_host->config_get(config, "field.syntax.version");
    if (!ver || strcasecmp(ver, "V1") == 0) return 0;
    if (strcasecmp(ver, "V2") == 0) return 1;
    tf_host->validation_error(v, "field.syntax.version",
                              "Invalid value %s for configuration field.syntax.version: String "
                              "must be one of (case insensitive): V1, V2",
                              ver);
    return 0;
}

/* --- lists ------------------------------------------------------------------------------ */

char **tf_list_dup(const cw_config_t *config, const char *key, size_t *count) {
    size_t cnt = 0;
    const char *const *items = tf_host->config_get_list(config, key, &cnt);
    if (count) *count = 0;
    if (!items) return NULL;
    char **out = calloc(cnt + 1, sizeof(*out));
    if (!out) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (!items[i] || !items[i][0]) continue; /* "a,,b" and a trailing comma */
        out[k++] = strdup(items[i]);
    }
    if (count) *count = k;
    return out;
}

void tf_list_free(char **list) {
    if (!list) return;
    for (size_t i = 0; list[i]; i++) free(list[i]);
    free(list);
}

int tf_list_has(char *const *list, const char *s) {
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}
