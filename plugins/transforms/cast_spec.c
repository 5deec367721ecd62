/* Casting rules of the Cast transform (see cast_spec.h). Where Java would silently wrap or
 * guess (a byte cast of 300, Boolean.parseBoolean("yes") == false) we fail the record
 * instead: an out-of-range or unparseable value is never written as something else. */
#include "cast_spec.h"
#include "connect-worker/sdk_json.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *(*encoder)(const json_t *, size_t *);
static void (*encoder_free)(void *);

void cast_set_encoder(char *(*encode)(const json_t *, size_t *), void (*free_fn)(void *)) {
    encoder = encode;
    encoder_free = free_fn;
}

static const char *const type_names[] = {"int8", "int16", "int32", "int64", "float32",
                                         "float64", "boolean", "string"};

int cast_type_parse(const char *name, cast_type_t *out) {
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (strcasecmp(name, type_names[i]) == 0) { *out = (cast_type_t)i; return 0; }
    return -1;
}

const char *cast_type_name(cast_type_t t) { return type_names[t]; }

void cast_spec_free(cast_spec_t *s) {
    for (size_t i = 0; i < s->n; i++) free(s->items[i].field);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

int cast_spec_parse(const char *const *items, size_t count, cast_spec_t *out, char *errstr,
                    size_t n) {
    memset(out, 0, sizeof(*out));
    out->items = calloc(count ? count : 1, sizeof(*out->items));
    if (!out->items) { snprintf(errstr, n, "out of memory"); return -1; }
    for (size_t i = 0; i < count; i++) {
        const char *it = items[i];
        if (!it || !*it) continue;
        const char *colon = strrchr(it, ':');
        cast_item_t *ci = &out->items[out->n];
        if (!colon) {
            if (count != 1) {
                snprintf(errstr, n, "'%s' has no field name; a whole-value cast must be the only item", it);
                cast_spec_free(out);
                return -1;
            }
            if (cast_type_parse(it, &ci->type)) goto badtype;
        } else {
            if (colon == it) {
                snprintf(errstr, n, "'%s' has an empty field name", it);
                cast_spec_free(out);
                return -1;
            }
            if (cast_type_parse(colon + 1, &ci->type)) { it = colon + 1; goto badtype; }
            ci->field = strndup(it, (size_t)(colon - it));
        }
        out->n++;
        continue;
    badtype:
        snprintf(errstr, n, "unknown type '%s' (allowed: int8, int16, int32, int64, "
                 "float32, float64, boolean, string)", it);
        cast_spec_free(out);
        return -1;
    }
    if (!out->n) {
        snprintf(errstr, n, "at least one field:type (or a single type) is required");
        cast_spec_free(out);
        return -1;
    }
    return 0;
}

static void limits(cast_type_t t, long long *lo, long long *hi) {
    switch (t) {
    case CAST_INT8: *lo = -128; *hi = 127; break;
    case CAST_INT16: *lo = -32768; *hi = 32767; break;
    case CAST_INT32: *lo = -2147483648LL; *hi = 2147483647LL; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

static json_t *fail(const json_t *in, cast_type_t t, const char *why, char *errstr, size_t n) {
    char d[128];
    cw_sdk_json_describe(in, d, sizeof(d));
    snprintf(errstr, n, "cannot cast %s to %s: %s", d, type_names[t], why);
    return NULL;
}

/* Java's Long.parseLong: optional sign and decimal digits, nothing else. */
/* A string value usable as C text: no embedded NUL (the worker parses JSON with
 * JSON_ALLOW_NUL, so "10\u0000k" must not be read as "10"). */
static int plain(const json_t *v) { return strlen(json_string_value(v)) == json_string_length(v); }

static int parse_int(const char *s, long long *out) {
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    if (!*p) return -1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return -1;
    errno = 0;
    *out = strtoll(s, NULL, 10);
    return errno ? -2 : 0;
}

static int parse_double(const char *s, double *out) {
    char *end;
    if (!*s || *s == ' ' || *s == '\t') return -1;
    errno = 0;
    *out = strtod(s, &end);
    if (*end || errno == ERANGE) return -1;
    return 0;
}

/* The double nearest to the shortest decimal that identifies f as a float, so that 1.1f is
 * written as 1.1 (as Java prints a float) rather than 1.100000023841858. */
static double float_as_double(float f) {
    char buf[32];
    for (int p = 1; p <= 9; p++) {
        snprintf(buf, sizeof(buf), "%.*g", p, (double)f);
        if ((float)strtod(buf, NULL) == f) return strtod(buf, NULL);
    }
    return (double)f;
}

static json_t *to_int(const json_t *in, cast_type_t t, char *errstr, size_t n) {
    long long lo, hi, v;
    limits(t, &lo, &hi);
    if (json_is_integer(in)) {
        v = json_integer_value(in);
    } else if (json_is_real(in)) {
        double d = json_real_value(in);
        if (!isfinite(d) || d <= (double)lo - 1.0 || d >= (double)hi + 1.0)
            return fail(in, t, "out of range", errstr, n);
        v = (long long)d;  /* truncation toward zero, as a Java cast */
    } else if (json_is_boolean(in)) {
        v = json_is_true(in) ? 1 : 0;
    } else if (json_is_string(in)) {
        int rc = plain(in) ? parse_int(json_string_value(in), &v) : -1;
        if (rc == -1) return fail(in, t, "not an integer", errstr, n);
        if (rc == -2) return fail(in, t, "out of range", errstr, n);
    } else {
        return fail(in, t, "only numbers, booleans and strings can be cast", errstr, n);
    }
    if (v < lo || v > hi) return fail(in, t, "out of range", errstr, n);
    return json_integer(v);
}

static json_t *to_float(const json_t *in, cast_type_t t, char *errstr, size_t n) {
    double d;
    if (json_is_integer(in)) d = (double)json_integer_value(in);
    else if (json_is_real(in)) d = json_real_value(in);
    else if (json_is_boolean(in)) d = json_is_true(in) ? 1.0 : 0.0;
    else if (json_is_string(in)) {
        if (!plain(in) || parse_double(json_string_value(in), &d)) return fail(in, t, "not a number", errstr, n);
    } else return fail(in, t, "only numbers, booleans and strings can be cast", errstr, n);
    if (!isfinite(d)) return fail(in, t, "not a finite number", errstr, n);
    if (t == CAST_FLOAT32) {
        if (fabs(d) > 3.4028234663852886e38) return fail(in, t, "out of range", errstr, n);
        d = float_as_double((float)d);
    }
    return json_real(d);
}

static json_t *to_bool(const json_t *in, char *errstr, size_t n) {
    if (json_is_boolean(in)) return json_boolean(json_is_true(in));
    if (json_is_integer(in)) return json_boolean(json_integer_value(in) != 0);
    if (json_is_real(in)) return json_boolean(json_real_value(in) != 0.0);
    if (json_is_string(in)) {
        const char *s = plain(in) ? json_string_value(in) : "";
        if (strcasecmp(s, "true") == 0) return json_true();
        if (strcasecmp(s, "false") == 0) return json_false();
        return fail(in, CAST_BOOLEAN, "not true or false", errstr, n);
    }
    return fail(in, CAST_BOOLEAN, "only numbers, booleans and strings can be cast", errstr, n);
}

static json_t *to_string(const json_t *in, char *errstr, size_t n) {
    char buf[64];
    if (json_is_string(in)) return json_incref((json_t *)in);
    if (json_is_integer(in)) {
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(in));
        return json_string(buf);
    }
    if (json_is_real(in)) {
        double d = json_real_value(in);
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, sizeof(buf), "%.*g", p, d);
            if (strtod(buf, NULL) == d) break;
        }
        return json_string(buf);
    }
    if (json_is_boolean(in)) return json_string(json_is_true(in) ? "true" : "false");
    /* Objects and arrays become their compact JSON text. */
    char *text = encoder ? encoder(in, NULL) : NULL;
    if (!text) return fail(in, CAST_STRING, "cannot encode", errstr, n);
    json_t *out = json_string(text);
    encoder_free(text);
    return out;
}

json_t *cast_value(const json_t *in, cast_type_t type, char *errstr, size_t n) {
    if (!in || json_is_null(in)) return json_null();
    switch (type) {
    case CAST_INT8: case CAST_INT16: case CAST_INT32: case CAST_INT64:
        return to_int(in, type, errstr, n);
    case CAST_FLOAT32: case CAST_FLOAT64:
        return to_float(in, type, errstr, n);
    case CAST_BOOLEAN:
        return to_bool(in, errstr, n);
    default:
        return to_string(in, errstr, n);
    }
}
