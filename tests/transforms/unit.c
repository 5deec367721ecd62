/* Unit tests of the pure logic behind the transforms: human numbers, integers, timestamps
 * (clean), SimpleDateFormat patterns, Cast rules and specs (regexes are the SDK's, tested in tests/sdk). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "parse.h"
#include "simpledate.h"
#include "cast_spec.h"
#include "tf.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static void human(const char *in, int ok, long long want) {
    int64_t v = 0;
    int rc = clean_human_number(in, &v);
    CHECK((rc == 0) == ok, "human '%s': rc %d", in, rc);
    if (ok) CHECK(v == want, "human '%s' = %lld, want %lld", in, (long long)v, want);
}

static void ts(const char *in, const char *want) {
    char out[64] = "";
    int rc = clean_timestamp(in, out, sizeof(out));
    if (!want)
        CHECK(rc != 0, "timestamp '%s' should fail, got %s", in, out);
    else
        CHECK(rc == 0 && !strcmp(out, want), "timestamp '%s' -> '%s' (rc %d), want '%s'", in, out,
              rc, want);
}

static void sdf_round(const char *pattern, long long ms, const char *want) {
    sdf_t f;
    char err[256], buf[128];
    CHECK(sdf_compile(pattern, &f, err, sizeof(err)) == 0, "compile %s: %s", pattern, err);
    CHECK(sdf_format(&f, ms, buf, sizeof(buf)) == 0 && !strcmp(buf, want),
          "format %s %lld -> %s, want %s", pattern, ms, buf, want);
    int64_t back = 0;
    CHECK(sdf_parse(&f, want, &back, err, sizeof(err)) == 0, "parse %s '%s': %s", pattern, want,
          err);
    sdf_free(&f);
    (void)back;
}

static void sdf_parse_is(const char *pattern, const char *text, int ok, long long want) {
    sdf_t f;
    char err[256];
    int64_t v = 0;
    sdf_compile(pattern, &f, err, sizeof(err));
    int rc = sdf_parse(&f, text, &v, err, sizeof(err));
    CHECK((rc == 0) == ok, "parse %s '%s' rc %d", pattern, text, rc);
    if (ok) CHECK(v == want, "parse %s '%s' = %lld want %lld", pattern, text, (long long)v, want);
    sdf_free(&f);
}

static void cast(const char *json, const char *type, const char *want) {
    json_t *in = json_loads(json, JSON_DECODE_ANY, NULL);
    cast_type_t t;
    char err[256] = "";
    CHECK(cast_type_parse(type, &t) == 0, "type %s", type);
    json_t *out = cast_value(in, t, err, sizeof(err));
    if (!want) {
        CHECK(out == NULL && err[0], "cast %s to %s should fail", json, type);
    } else {
        char *s =
            out ? json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
        CHECK(s && !strcmp(s, want), "cast %s to %s = %s (%s), want %s", json, type, s ? s : "NULL",
              err, want);
        free(s);
    }
    json_decref(out);
    json_decref(in);
}

/* V2 field path: want is the steps joined by '|' (NULL: a config error whose message must
 * contain err_has). Cases of Kafka's FieldPathNotationTest. */
static void path_v2(const char *text, const char *want, const char *err_has) {
    tf_path_t p;
    char err[256] = "", got[256] = "";
    int rc = tf_path_parse(text, 1, &p, err, sizeof err);
    if (!want) {
        CHECK(rc != CW_OK && strstr(err, err_has),
              "path [%s] should fail with '%s', got rc %d '%s'", text, err_has, rc, err);
        return;
    }
    CHECK(rc == CW_OK, "path [%s]: %s", text, err);
    if (rc != CW_OK) return;
    for (size_t i = 0; i < p.n; i++) {
        if (i) strcat(got, "|");
        strcat(got, p.seg[i]);
    }
    CHECK(!strcmp(got, want), "path [%s] -> [%s], want [%s]", text, got, want);
    tf_path_free(&p);
}

static void field_paths(void) {
    path_v2("..", "||", NULL);
    path_v2("foo..", "foo||", NULL);
    path_v2(".bar.", "|bar|", NULL);
    path_v2("..baz", "||baz", NULL);
    path_v2("foobarbaz", "foobarbaz", NULL);
    path_v2("foo.bar.baz", "foo|bar|baz", NULL);
    path_v2("foo`bar`baz", "foo`bar`baz", NULL);
    path_v2("`foo.bar.baz`", "foo.bar.baz", NULL);
    path_v2("foo.`bar.baz`", "foo|bar.baz", NULL);
    path_v2("`foo.bar`.baz", "foo.bar|baz", NULL);
    path_v2("foo.`bar`.baz", "foo|bar|baz", NULL);
    path_v2("foo.``bar.baz`", "foo|`bar.baz", NULL);
    path_v2("foo.`bar.baz``", "foo|bar.baz`", NULL);
    path_v2("foo.`ba`r.baz`", "foo|ba`r.baz", NULL);
    path_v2("foo.ba`r.baz", "foo|ba`r|baz", NULL);
    path_v2("foo.``bar``.baz", "foo|`bar`|baz", NULL);
    path_v2("``foo.bar.baz``", "`foo.bar.baz`", NULL);
    path_v2("foo.`bar\\`.baz`", "foo|bar`.baz", NULL);
    path_v2("foo.`bar.`baz`", "foo|bar.`baz", NULL);
    path_v2("foo.`bar\\`.`baz`", "foo|bar`.`baz", NULL);
    path_v2("foo.`bar\\\\`.\\`baz`", "foo|bar\\`.\\`baz", NULL);
    path_v2("`foo.bar.baz", NULL,
            "Incomplete backtick pair in path: [`foo.bar.baz], consider adding a backslash before "
            "backtick at position 0 to escape it");
    path_v2("foo.`bar.baz", NULL, "at position 4 to escape it");
    path_v2("foo.bar.`baz", NULL, "at position 8 to escape it");
    path_v2("foo.bar.`baz\\`", NULL, "at position 8 to escape it");
    /* V1: the name as written, whatever it holds. */
    tf_path_t p;
    char err[64];
    CHECK(tf_path_parse("foo.`bar.baz`", 0, &p, err, sizeof err) == CW_OK && p.n == 1 &&
              !strcmp(p.seg[0], "foo.`bar.baz`"),
          "V1 path is one step");
    tf_path_free(&p);
}

int main(void) {
    field_paths();
    human("892", 1, 892);
    human("10k", 1, 10000);
    human("1.5k", 1, 1500);
    human("3M", 1, 3000000);
    human("124k", 1, 124000);
    human("1.15k", 1, 1150);
    human("2B", 1, 2000000000LL);
    human(" 7k ", 1, 7000);
    human("-2k", 1, -2000);
    human("1.2345k", 0, 0);
    human("1.5", 0, 0);
    human("k", 0, 0);
    human("", 0, 0);
    human("10kk", 0, 0);
    human("1e3", 0, 0);
    human("99999999999B", 0, 0);
    human("9223372036854775807", 1, 9223372036854775807LL);
    human("9223372036854775808", 0, 0);
    human("User Info Error", 0, 0);

    int64_t i;
    CHECK(clean_integer("7528", &i) == 0 && i == 7528, "integer 7528");
    CHECK(clean_integer("-12", &i) == 0 && i == -12, "integer -12");
    CHECK(clean_integer("12a", &i) != 0, "integer 12a");
    CHECK(clean_integer("99999999999999999999", &i) != 0, "integer overflow");
    int is_int;
    double d;
    CHECK(clean_number("-89.9787", &is_int, &i, &d) == 0 && !is_int && d == -89.9787,
          "number real");
    CHECK(clean_number("0x10", &is_int, &i, &d) != 0, "number hex");
    CHECK(clean_number("nan", &is_int, &i, &d) != 0, "number nan");
    CHECK(clean_number("1e999", &is_int, &i, &d) != 0, "number overflow");

    ts("2020-08-28 03:52:47", "2020-08-28T03:52:47Z");
    ts("2020-08-28T03:52:47", "2020-08-28T03:52:47Z");
    ts("2020-08-28T03:52:47Z", "2020-08-28T03:52:47Z");
    ts("2020-08-28T03:52:47+02:00", "2020-08-28T01:52:47Z");
    ts("2020-08-28T01:00:00-0130", "2020-08-28T02:30:00Z");
    ts("2020-01-01T00:30:00+01", "2019-12-31T23:30:00Z");
    ts("2020-08-28T03:52:47.250Z", "2020-08-28T03:52:47.25Z");
    ts("2020-08-28T03:52:47.000", "2020-08-28T03:52:47Z");
    ts("2020-08-28", "2020-08-28T00:00:00Z");
    ts("2020-02-29 10:00:00", "2020-02-29T10:00:00Z");
    ts("2021-02-29 10:00:00", NULL);
    ts("2020-13-01 00:00:00", NULL);
    ts("2020-08-28 24:00:00", NULL);
    ts("2020-08-28 03:52:47 junk", NULL);
    ts("28/08/2020", NULL);
    ts("", NULL);
    ts("0001-01-01T00:30:00+01:00", NULL);

    sdf_round("yyyy-MM-dd HH:mm:ss", 1598586767000LL, "2020-08-28 03:52:47");
    sdf_round("yyyyMMdd", 1598586767000LL, "20200828");
    sdf_round("yyyy-MM-dd'T'HH:mm:ss.SSSX", 1598586767042LL, "2020-08-28T03:52:47.042Z");
    sdf_round("dd MMM yyyy hh:mm a", 1598586720000LL, "28 Aug 2020 03:52 AM");
    sdf_round("EEE, d MMMM yy", 1598572800000LL, "Fri, 28 August 20");
    sdf_parse_is("yyyy-MM-dd HH:mm:ss", "2020-08-28 03:52:47", 1, 1598586767000LL);
    sdf_parse_is("yyyyMMddHHmmss", "20200828035247", 1, 1598586767000LL);
    sdf_parse_is("yyyy-MM-dd'T'HH:mm:ssXXX", "2020-08-28T05:52:47+02:00", 1, 1598586767000LL);
    sdf_parse_is("yyyy-MM-dd'T'HH:mm:ssZ", "2020-08-28T03:52:47-0100", 1, 1598590367000LL);
    sdf_parse_is("yyyy-MM-dd", "2020-02-31", 0, 0);
    sdf_parse_is("yyyy-MM-dd", "2020-08-28x", 0, 0);
    sdf_parse_is("yyyy-MM-dd", "20-08-28", 1, -61515331200000LL);
    {
        sdf_t f;
        char err[256];
        CHECK(sdf_compile("yyyy-MM-dd QQ", &f, err, sizeof(err)) != 0 && strstr(err, "'Q'"),
              "unsupported letter");
        CHECK(sdf_compile("yyyy 'unterminated", &f, err, sizeof(err)) != 0, "unterminated quote");
    }

    cast("\"42\"", "int8", "42");
    cast("300", "int8", NULL);
    cast("\"300\"", "int16", "300");
    cast("3.9", "int32", "3");
    cast("-3.9", "int64", "-3");
    cast("1e300", "int64", NULL);
    cast("true", "int32", "1");
    cast("\"4.5\"", "int32", NULL);
    cast("\"4.5\"", "float64", "4.5");
    cast("1.1", "float32", "1.1000000000000001");
    cast("\"abc\"", "float64", NULL);
    cast("0", "boolean", "false");
    cast("\"TRUE\"", "boolean", "true");
    cast("\"yes\"", "boolean", NULL);
    cast("-89.9787", "string", "\"-89.9787\"");
    cast("12", "string", "\"12\"");
    cast("false", "string", "\"false\"");
    cast("null", "int8", "null");
    {
        const char *items1[] = {"a:int8", "b:string"};
        const char *items2[] = {"int64"};
        const char *items3[] = {"a:int8", "int64"};
        const char *items4[] = {"a:date"};
        cast_spec_t s;
        char err[256];
        CHECK(cast_spec_parse(items1, 2, &s, err, sizeof(err)) == 0 && s.n == 2 &&
                  !strcmp(s.items[1].field, "b"),
              "spec fields");
        cast_spec_free(&s);
        CHECK(cast_spec_parse(items2, 1, &s, err, sizeof(err)) == 0 && s.n == 1 &&
                  !s.items[0].field,
              "spec whole");
        cast_spec_free(&s);
        CHECK(cast_spec_parse(items3, 2, &s, err, sizeof(err)) != 0, "spec mixed");
        CHECK(cast_spec_parse(items4, 1, &s, err, sizeof(err)) != 0 && strstr(err, "date"),
              "spec bad type");
        /* Kafka's CastTest config cases: trimmed parts, an empty field name, too many parts,
         * types that are no cast target. */
        const char *items5[] = {" a : INT8 ", ":string"};
        CHECK(cast_spec_parse(items5, 2, &s, err, sizeof(err)) == 0 && s.n == 2 &&
                  !strcmp(s.items[0].field, "a") && s.items[0].type == CAST_INT8 &&
                  !strcmp(s.items[1].field, ""),
              "spec trimmed, empty field: %s", err);
        cast_spec_free(&s);
        const char *items6[] = {"foo:int8:extra"}, *items7[] = {"foo:bytes"}, *items8[] = {"array"};
        CHECK(cast_spec_parse(items6, 1, &s, err, sizeof(err)) != 0 &&
                  strstr(err, "not of the form"),
              "spec 3 parts");
        CHECK(cast_spec_parse(items7, 1, &s, err, sizeof(err)) != 0 &&
                  strstr(err, "casting to bytes"),
              "spec bytes");
        CHECK(cast_spec_parse(items8, 1, &s, err, sizeof(err)) != 0 &&
                  strstr(err, "casting to array"),
              "spec array");
    }

    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("all unit checks passed\n");
    return 0;
}
