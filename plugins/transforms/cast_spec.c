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

static const char *const type_names[] = {"int8",    "int16",   "int32",   "int64",
                                         "float32", "float64", "boolean", "string"};

int cast_type_parse(const char *name, cast_type_t *out) {
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (strcasecmp(name, type_names[i]) == 0) {
            *out = (cast_type_t)i;
            return 0;
        }
    return -1;
}

const char *cast_type_name(cast_type_t t) { return type_names[t]; }

void cast_spec_free(cast_spec_t *s) {
    for (size_t i = 0; i < s->n; i++) free(s->items[i].field);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

/* Kafka's spec types that are no cast targets, refused with its own reason. */
static int kafka_type_not_target(const char *name) {
    static const char *const others[] = {"bytes", "array", "map", "struct"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        if (strcasecmp(name, others[i]) == 0) return 1;
    return 0;
}

/* Copies s[0..len) without surrounding blanks (Java's String.trim). */
static char *trimmed(const char *s, size_t len) {
    while (len && (unsigned char)*s <= ' ') s++, len--;
    while (len && (unsigned char)s[len - 1] <= ' ') len--;
    return strndup(s, len);
}

static int bad_type(const char *type, char *errstr, size_t n) {
    if (kafka_type_not_target(type))
        snprintf(errstr, n,
                 "Cast transformation does not support casting to %s; supported types "
                 "are int8, int16, int32, int64, float32, float64, boolean, string",
                 type);
    else
        snprintf(errstr, n,
                 "Invalid type found in casting spec: %s (allowed: int8, int16, int32, "
                 "int64, float32, float64, boolean, string)",
                 type);
    return -1;
}

/* One item as Kafka's Cast reads it: split on ':' (trailing empty parts dropped, as Java's
 * String.split), one part a whole-value type, two parts field:type (each trimmed; the field
 * may be empty), more an error. */
static int spec_item(const char *it, cast_item_t *ci, int *whole, char *errstr, size_t n) {
    const char *colon = strchr(it, ':');
    size_t len = strlen(it);
    while (len && it[len - 1] == ':') len--; /* Java's split drops trailing empty parts */
    if (colon && (size_t)(colon - it) >= len) colon = NULL;
    if ((colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - it))) || len == 0) {
        snprintf(errstr, n, "Invalid cast mapping: '%s' is not of the form field:type", it);
        return -1;
    }
    char *type = colon ? trimmed(colon + 1, len - (size_t)(colon + 1 - it)) : trimmed(it, len);
    if (!type) return snprintf(errstr, n, "out of memory"), -1;
    int rc = cast_type_parse(type, &ci->type) ? bad_type(type, errstr, n) : 0;
    free(type);
    if (rc) return -1;
    *whole |= !colon;
    if (colon && !(ci->field = trimmed(it, (size_t)(colon - it))))
        return snprintf(errstr, n, "out of memory"), -1;
    return 0;
}

int cast_spec_parse(const char *const *items, size_t count, cast_spec_t *out, char *errstr,
                    size_t n) {
    memset(out, 0, sizeof(*out));
    out->items = calloc(count ? count : 1, sizeof(*out->items));
    if (!out->items) {
        snprintf(errstr, n, "out of memory");
        return -1;
    }
    int whole = 0;
    for (size_t i = 0; i < count; i++) {
        if (!items[i] || !*items[i]) continue;
        if (spec_item(items[i], &out->items[out->n], &whole, errstr, n)) {
            cast_spec_free(out);
            return -1;
        }
        out->n++;
    }
    if (!out->n) {
        snprintf(errstr, n,
                 "Must specify at least one field to cast (field:type, or a single type)");
        cast_spec_free(out);
        return -1;
    }
    if (whole && out->n > 1) {
        snprintf(errstr, n,
                 "Cast transformations that specify a type to cast the entire value to "
                 "may only specify a single cast in their spec (a whole-value cast must be the "
                 "only item)");
        cast_spec_free(out);
        return -1;
    }
    return 0;
}

static void limits(cast_type_t t, long long *lo, long long *hi) {
    switch (t) {
    case CAST_INT8:
        *lo = -128;
        *hi = 127;
        break;
    case CAST_INT16:
        *lo = -32768;
        *hi = 32767;
        break;
    case CAST_INT32:
        *lo = -2147483648LL;
        *hi = 2147483647LL;
        break;
    default:
        *lo = INT64_MIN;
        *hi = INT64_MAX;
        break;
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
        v = (long long)d; /* truncation toward zero, as a Java cast */
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
    if (json_is_integer(in))
        d = (double)json_integer_value(in);
    else if (json_is_real(in))
        d = json_real_value(in);
    else if (json_is_boolean(in))
        d = json_is_true(in) ? 1.0 : 0.0;
    else if (json_is_string(in)) {
        if (!plain(in) || parse_double(json_string_value(in), &d))
            return fail(in, t, "not a number", errstr, n);
    } else
        return fail(in, t, "only numbers, booleans and strings can be cast", errstr, n);
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
    case CAST_INT8:
    case CAST_INT16:
    case CAST_INT32:
    case CAST_INT64: return to_int(in, type, errstr, n);
    case CAST_FLOAT32:
    case CAST_FLOAT64: return to_float(in, type, errstr, n);
    case CAST_BOOLEAN: return to_bool(in, errstr, n);
    default: return to_string(in, errstr, n);
    }
}
