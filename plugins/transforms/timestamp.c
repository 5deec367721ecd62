/* TimestampConverter$Key / $Value and TimestampRouter. In schemaless JSON a timestamp is
 * either a string (read and written with `format`, a SimpleDateFormat pattern, in UTC) or
 * an integer: a unix time in unix.precision, or for the Connect logical types Timestamp
 * (milliseconds since the epoch), Date (milliseconds at midnight UTC) and Time
 * (milliseconds since midnight). */
#include "tf.h"
#include "simpledate.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY_MS 86400000LL

typedef enum { T_STRING, T_UNIX, T_DATE, T_TIME, T_TIMESTAMP } target_t;

typedef struct tsc {
    tf_which_t which;
    tf_path_t path; /* n == 0: the whole key/value */
    target_t target;
    int has_format;
    sdf_t format;
    int64_t unit; /* milliseconds per unix unit, or negative: units per millisecond */
} tsc_t;

static void tsc_close(void *state) {
    tsc_t *s = state;
    if (!s) return;
    tf_path_free(&s->path);
    sdf_free(&s->format);
    free(s);
}

/* target.type and unix.precision are also checked by their rows' allowed values; the
 * mapping to the enum lives here. */
static void tsc_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    tsc_t *s = state;
    const char *tt = tf_host->config_get(c, "target.type");
    static const char *const names[] = {"string", "unix", "Date", "Time", "Timestamp"};
    int found = 0;
    for (int i = 0; tt && i < 5; i++)
        if (strcasecmp(tt, names[i]) == 0) {
            s->target = (target_t)i;
            found = 1;
        }
    if (!found)
        tf_host->validation_error(v, "target.type",
                                  "'%s' is not one of string, unix, Date, "
                                  "Time, Timestamp",
                                  tt ? tt : "");
    const char *f = tf_host->config_get(c, "field");
    if (f && *f) tf_path_parse_v(v, "field", f, tf_syntax_v2(c, v), &s->path);
    const char *fmt = tf_host->config_get(c, "format");
    if (fmt && *fmt) {
        char why[256];
        if (sdf_compile(fmt, &s->format, why, sizeof(why)))
            tf_host->validation_error(v, "format", "%s", why);
        else
            s->has_format = 1;
    } else if (found && s->target == T_STRING) {
        tf_host->validation_error(v, "format",
                                  "a SimpleDateFormat pattern is required when "
                                  "target.type is string");
    }
    const char *prec = tf_host->config_get(c, "unix.precision");
    if (strcasecmp(prec, "milliseconds") == 0)
        s->unit = 1;
    else if (strcasecmp(prec, "seconds") == 0)
        s->unit = 1000;
    else if (strcasecmp(prec, "microseconds") == 0)
        s->unit = -1000;
    else if (strcasecmp(prec, "nanoseconds") == 0)
        s->unit = -1000000;
    else
        tf_host->validation_error(v, "unix.precision",
                                  "'%s' is not one of seconds, "
                                  "milliseconds, microseconds, nanoseconds",
                                  prec);
}
TF_KV_CHECKED(tsc_configure, tsc_parse, tsc_t, tsc_close)
TF_KV_CONFIGURE(tsc_configure)

static int64_t floor_div(int64_t a, int64_t b) {
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The input as milliseconds since the epoch. */
static int to_ms(const tsc_t *s, const json_t *in, int64_t *ms, const char *where, char *e,
                 size_t n) {
    char d[128];
    if (json_is_string(in)) {
        char why[128];
        if (!s->has_format) {
            tf_describe(in, d, sizeof(d));
            return tf_err(e, n, CW_ERR_RECORD,
                          "TimestampConverter: %s is the string %s but no format is configured",
                          where, d);
        }
        if (strlen(json_string_value(in)) != json_string_length(in))
            snprintf(why, sizeof(why), "contains a NUL character");
        else if (sdf_parse(&s->format, json_string_value(in), ms, why, sizeof(why)) == 0)
            return CW_OK;
        tf_describe(in, d, sizeof(d));
        return tf_err(e, n, CW_ERR_RECORD, "TimestampConverter: %s value %s %s", where, d, why);
    }
    if (json_is_integer(in)) {
        int64_t v = json_integer_value(in);
        if (s->unit > 1) {
            if (v > INT64_MAX / s->unit || v < INT64_MIN / s->unit) goto range;
            *ms = v * s->unit;
        } else if (s->unit < 0) {
            *ms = floor_div(v, -s->unit);
        } else {
            *ms = v;
        }
        return CW_OK;
    }
    tf_describe(in, d, sizeof(d));
    return tf_err(e, n, CW_ERR_RECORD,
                  "TimestampConverter: %s value %s is a JSON %s, not a timestamp string or integer",
                  where, d, tf_type_name(in));
range:
    tf_describe(in, d, sizeof(d));
    return tf_err(e, n, CW_ERR_RECORD, "TimestampConverter: %s value %s is out of range", where, d);
}

static json_t *from_ms(const tsc_t *s, int64_t ms, const char *where, char *e, size_t n) {
    char buf[256];
    switch (s->target) {
    case T_STRING:
        if (sdf_format(&s->format, ms, buf, sizeof(buf))) {
            tf_err(e, n, CW_ERR_RECORD, "TimestampConverter: %s: %lld ms cannot be formatted",
                   where, (long long)ms);
            return NULL;
        }
        return json_string(buf);
    case T_UNIX:
        if (s->unit > 1) return json_integer(floor_div(ms, s->unit));
        if (s->unit < 0) {
            if (ms > INT64_MAX / -s->unit || ms < INT64_MIN / -s->unit) {
                tf_err(e, n, CW_ERR_RECORD,
                       "TimestampConverter: %s: %lld ms is out of range for unix.precision", where,
                       (long long)ms);
                return NULL;
            }
            return json_integer(ms * -s->unit);
        }
        return json_integer(ms);
    case T_DATE: return json_integer(ms - (ms - floor_div(ms, DAY_MS) * DAY_MS));
    case T_TIME: return json_integer(ms - floor_div(ms, DAY_MS) * DAY_MS);
    default: return json_integer(ms);
    }
}

static int tsc_apply(void *state, cw_record_t *r, char *e, size_t n) {
    tsc_t *s = state;
    json_t *v = tf_get_mut(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    if (json_is_null(v)) return CW_OK;
    int64_t ms;
    if (!s->path.n) {
        int rc = to_ms(s, v, &ms, tf_which_name(s->which), e, n);
        if (rc) return rc;
        json_t *out = from_ms(s, ms, tf_which_name(s->which), e, n);
        if (!out) return CW_ERR_RECORD;
        tf_set(r, s->which, out);
        return CW_OK;
    }
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "TimestampConverter: the %s is a JSON %s, not an object",
                      tf_which_name(s->which), tf_type_name(v));
    json_t *parent = tf_path_parent(v, &s->path);
    json_t *old = parent ? json_object_get(parent, tf_path_leaf(&s->path)) : NULL;
    if (!old || json_is_null(old)) return CW_OK;
    char where[300];
    snprintf(where, sizeof(where), "field '%s'", s->path.text);
    int rc = to_ms(s, old, &ms, where, e, n);
    if (rc) return rc;
    json_t *out = from_ms(s, ms, where, e, n);
    if (!out) return CW_ERR_RECORD;
    json_object_set_new(parent, tf_path_leaf(&s->path), out);
    return CW_OK;
}

static const cw_config_def_t tsc_defs[] = {
    {"target.type", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "Output type: string, unix, Date, Time or Timestamp.", "string,unix,Date,Time,Timestamp", 0,
     0},
    {"field", CW_CFG_STRING, "", 0, "Field holding the timestamp; empty: the whole key/value.",
     NULL, 0, 0},
    {"format", CW_CFG_STRING, "", 0, "SimpleDateFormat pattern for string input and output (UTC).",
     NULL, 0, 0},
    {"unix.precision", CW_CFG_STRING, "milliseconds", 0, "Unit of unix timestamps.",
     "seconds,milliseconds,microseconds,nanoseconds", 0, 0},
    {"field.syntax.version", CW_CFG_STRING, "V1", 0,
     "V1: the field name as written; V2: a dotted path into nested objects.", "V1,V2", 0, 0},
    TF_REPLACE_NULL_DEF,
    CW_CONFIG_END};

TF_KV_PLUGINS(timestamp_converter, "TimestampConverter", tsc_defs, tsc_configure,
              tsc_configure_validate, tsc_apply, tsc_close,
              "Converts timestamps between strings, unix times and Connect's logical types")

/* --- TimestampRouter -------------------------------------------------------------------- */

typedef struct tsr {
    char *topic_format;
    sdf_t ts_format;
} tsr_t;

static void tsr_close(void *state) {
    tsr_t *s = state;
    if (!s) return;
    free(s->topic_format);
    sdf_free(&s->ts_format);
    free(s);
}

static void tsr_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    tsr_t *s = state;
    s->topic_format = strdup(tf_host->config_get(c, "topic.format"));
    if (!s->topic_format) tf_host->validation_error(v, "topic.format", "out of memory");
    char why[256];
    if (sdf_compile(tf_host->config_get(c, "timestamp.format"), &s->ts_format, why, sizeof(why)))
        tf_host->validation_error(v, "timestamp.format", "%s", why);
}
TF_CHECKED(tsr_configure, tsr_parse, tsr_t, tsr_close)

static int tsr_apply(void *state, cw_record_t *r, char *e, size_t n) {
    tsr_t *s = state;
    int64_t ts = tf_host->record_timestamp(r);
    if (ts == CW_TIMESTAMP_NONE)
        return tf_err(e, n, CW_ERR_RECORD, "TimestampRouter: the record has no timestamp");
    char stamp[256];
    if (sdf_format(&s->ts_format, ts, stamp, sizeof(stamp)))
        return tf_err(e, n, CW_ERR_RECORD, "TimestampRouter: timestamp %lld cannot be formatted",
                      (long long)ts);
    const char *topic = tf_host->record_topic(r);
    /* Each placeholder is at least 8 bytes of the format: this bounds the expansion. */
    size_t cap = strlen(s->topic_format) * (1 + strlen(topic) + strlen(stamp)) + 1;
    char *out = malloc(cap);
    if (!out) return tf_err(e, n, CW_ERR_FATAL, "out of memory");
    size_t o = 0;
    for (const char *p = s->topic_format; *p;) {
        if (strncmp(p, "${topic}", 8) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "%s", topic);
            p += 8;
        } else if (strncmp(p, "${timestamp}", 12) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "%s", stamp);
            p += 12;
        } else
            out[o++] = *p++;
    }
    out[o] = 0;
    tf_host->record_set_topic(r, out);
    free(out);
    return CW_OK;
}

static const cw_config_def_t tsr_defs[] = {
    {"topic.format", CW_CFG_STRING, "${topic}-${timestamp}", 0,
     "New topic name; ${topic} and ${timestamp} are replaced.", NULL, 0, 0},
    {"timestamp.format", CW_CFG_STRING, "yyyyMMdd", 0,
     "SimpleDateFormat pattern of ${timestamp} (UTC).", NULL, 0, 0},
    CW_CONFIG_END};

TF_PLUGIN(timestamp_router, "TimestampRouter", tsr_defs, tsr_configure, tsr_configure_validate,
          tsr_apply, tsr_close,
          "Routes records to a topic named after the original topic and the record timestamp")
