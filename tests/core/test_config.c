/* Validation messages (every problem at once, file and key named, secrets masked) and the
 * config object's getters. */
#include <string.h>

#include "check.h"
#include "config.h"

static const cw_config_def_t s3_defs[] = {
    {"s3.bucket.name", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED, "Bucket.", NULL, 0, 0},
    {"flush.size", CW_CFG_INT, NULL, CW_CFG_F_REQUIRED, "Records per object.", NULL, 1, 1e9},
    {"s3.compression.type", CW_CFG_STRING, "none", 0, "Compression.", "none, gzip, zstd", 0, 0},
    {"s3.part.size", CW_CFG_INT, "26214400", 0, "Part size.", NULL, 5242880, 2147483647.0},
    {"ratio", CW_CFG_DOUBLE, "0.5", 0, "A ratio.", NULL, 0, 1},
    {"behavior.on.null.values", CW_CFG_BOOL, "false", 0, "Flag.", NULL, 0, 0},
    {"formats", CW_CFG_LIST, "json", 0, "Formats.", "json,avro,parquet", 0, 0},
    {"topics", CW_CFG_LIST, NULL, 0, "Topics.", NULL, 0, 0},
    {"aws.secret.access.key", CW_CFG_STRING, NULL, 0, "AWS secret.", NULL, 0, 0},
    {"license", CW_CFG_INT, NULL, CW_CFG_F_SECRET, "A secret number.", NULL, 0, 0},
    {"clean.concat.", CW_CFG_LIST, NULL, CW_CFG_F_PREFIX, "Concat fields.", NULL, 0, 0},
    {"limit.", CW_CFG_INT, NULL, CW_CFG_F_PREFIX, "Per-field limit.", NULL, 0, 100},
    CW_CONFIG_END,
};

static cw_props_t *parse(const char *text) {
    cw_props_t *p = cw_props_new();
    char err[256];
    if (cw_props_parse(p, text, strlen(text), "x", err, sizeof err) != 0) check_failures++;
    return p;
}

static int has_message(const cw_errlist_t *e, const char *text) {
    for (size_t i = 0; i < e->count; i++)
        if (strcmp(e->items[i], text) == 0) return 1;
    fprintf(stderr, "missing message: %s\n", text);
    return 0;
}

static void test_validation_reports_everything(void) {
    cw_props_t *p = parse("s3.compression.type=lz4\n"
                          "s3.part.size=12\n"
                          "ratio=abc\n"
                          "behavior.on.null.values=yes\n"
                          "formats=JSON, csv,avro\n"
                          "aws.secret.access.key=AKIAsecretvalue\n"
                          "license=SuperSecret42\n"
                          "limit.name=500\n"
                          "limit.city=7\n"
                          "clean.concat.x=a,b\n"
                          "unknown.key=1\n");
    cw_errlist_t errs = {0}, unknown = {0};
    size_t n = cw_config_validate(p, s3_defs, "", "connectors/s3.properties", &errs, &unknown);
    CHECK(n == errs.count);
    CHECK(n == 9);
    CHECK(has_message(&errs, "connectors/s3.properties: s3.bucket.name: required key is missing"));
    CHECK(has_message(&errs, "connectors/s3.properties: flush.size: required key is missing"));
    CHECK(has_message(&errs, "connectors/s3.properties: s3.compression.type: value 'lz4' is not "
                             "one of none, gzip, zstd"));
    CHECK(has_message(&errs, "connectors/s3.properties: s3.part.size: value '12' is out of range "
                             "[5242880, 2147483647]"));
    CHECK(has_message(&errs, "connectors/s3.properties: ratio: value 'abc' is not a number"));
    CHECK(has_message(&errs, "connectors/s3.properties: behavior.on.null.values: value 'yes' is "
                             "not a boolean (true or false)"));
    CHECK(has_message(&errs, "connectors/s3.properties: formats: item 'csv' is not one of "
                             "json,avro,parquet"));
    CHECK(has_message(&errs, "connectors/s3.properties: license: value [hidden] is not a 64-bit "
                             "integer"));
    /* Prefix entries check type and bounds of every key they declare. */
    CHECK(has_message(&errs, "connectors/s3.properties: limit.name: value '500' is out of range "
                             "[0, 100]"));
    for (size_t i = 0; i < errs.count; i++) {
        CHECK_NOT_CONTAINS(errs.items[i], "SuperSecret42");
        CHECK_NOT_CONTAINS(errs.items[i], "AKIAsecretvalue");
        CHECK_NOT_CONTAINS(errs.items[i], "limit.city");
    }
    cw_errlist_free(&errs);

    CHECK(unknown.count == 1);
    if (unknown.count == 1) CHECK_STR(unknown.items[0], "unknown.key");
    cw_errlist_free(&unknown);
    cw_props_free(p);
}

static void test_prefix_entries_and_message_prefix(void) {
    cw_props_t *p = parse("s3.bucket.name=b\nflush.size=0\nlimit.name=500\nlimit.city=7\n"
                          "clean.concat.full=first, last\n");
    cw_errlist_t errs = {0};
    size_t n = cw_config_validate(p, s3_defs, "transforms.clean.", "etc/c.properties", &errs, NULL);
    CHECK(n == 2);
    CHECK(has_message(&errs, "etc/c.properties: transforms.clean.flush.size: value '0' is out of "
                             "range [1, 1000000000]"));
    CHECK(has_message(&errs, "etc/c.properties: transforms.clean.limit.name: value '500' is out "
                             "of range [0, 100]"));
    cw_errlist_free(&errs);
    cw_props_free(p);

    CHECK(cw_config_def_find(s3_defs, "clean.concat.anything") == &s3_defs[10]);
    CHECK(cw_config_def_find(s3_defs, "flush.size") == &s3_defs[1]);
    CHECK(cw_config_def_find(s3_defs, "flush") == NULL);
}

static void test_secret_names(void) {
    CHECK(cw_config_key_is_secret(s3_defs, "license")); /* by flag */
    CHECK(cw_config_key_is_secret(NULL, "connection.password"));
    CHECK(cw_config_key_is_secret(NULL, "ssl.key.password"));
    CHECK(cw_config_key_is_secret(NULL, "ssl.keystore.password"));
    CHECK(cw_config_key_is_secret(NULL, "sasl.jaas.config"));
    CHECK(cw_config_key_is_secret(NULL, "producer.override.sasl.jaas.config"));
    CHECK(cw_config_key_is_secret(NULL, "aws.secret.access.key"));
    CHECK(cw_config_key_is_secret(NULL, "s3.session.token"));
    CHECK(cw_config_key_is_secret(NULL, "Connection.PASSWORD"));
    CHECK(cw_config_key_is_secret(NULL, "value.converter.basic.auth.user.info"));
    CHECK(!cw_config_key_is_secret(NULL, "aws.access.key.id"));
    CHECK(!cw_config_key_is_secret(NULL, "flush.size"));
    CHECK(!cw_config_key_is_secret(NULL, "topics"));
}

static int collect(const char *key, const char *value, void *opaque) {
    char *buf = opaque;
    strcat(buf, key);
    strcat(buf, "=");
    strcat(buf, value);
    strcat(buf, ";");
    return strcmp(key, "stop.here") == 0 ? 7 : 0;
}

static void test_getters(void) {
    cw_props_t *p = parse("flush.size=1000\n"
                          "ratio= 0.25 \n"
                          "behavior.on.null.values=TRUE\n"
                          "topics= a , b,,c ,\n"
                          "formats=\n"
                          "clean.concat.full=first,last\n"
                          "clean.concat.addr=street\n"
                          "stop.here=1\n"
                          "clean.concat.after=x\n");
    cw_config_t *c = cw_config_new(p, s3_defs);
    cw_props_set(p, "flush.size", "1"); /* the config holds its own copy */
    cw_props_free(p);

    CHECK(cw_config_get_int(c, "flush.size", -1) == 1000);
    CHECK(cw_config_get_int(c, "s3.part.size", -1) == 26214400); /* default */
    CHECK(cw_config_get_int(c, "license", 42) == 42);            /* unset, no default */
    CHECK(cw_config_get_int(c, "topics", 9) == 9);               /* not a number */
    CHECK(cw_config_get_double(c, "ratio", 0) == 0.25);
    CHECK(cw_config_get_bool(c, "behavior.on.null.values", 0) == 1);
    CHECK(cw_config_get_bool(c, "undeclared", 1) == 1);
    CHECK_STR(cw_config_get(c, "s3.compression.type"), "none");
    CHECK(cw_config_get(c, "s3.bucket.name") == NULL);

    size_t count = 99;
    const char *const *topics = cw_config_get_list(c, "topics", &count);
    CHECK(count == 3);
    CHECK(topics && topics[3] == NULL);
    if (topics && count == 3) {
        CHECK_STR(topics[0], "a");
        CHECK_STR(topics[1], "b");
        CHECK_STR(topics[2], "c");
    }
    CHECK(cw_config_get_list(c, "topics", NULL) == topics); /* cached, owned by the config */
    const char *const *formats = cw_config_get_list(c, "formats", &count);
    CHECK(formats && formats[0] == NULL && count == 0); /* empty value: empty list */
    CHECK(cw_config_get_list(c, "s3.bucket.name", &count) == NULL && count == 0);
    const char *const *deflist = cw_config_get_list(c, "limit.x", &count);
    CHECK(deflist == NULL);

    char buf[512] = "";
    CHECK(cw_config_foreach(c, "clean.concat.", collect, buf) == 0);
    CHECK_STR(buf, "clean.concat.full=first,last;clean.concat.addr=street;clean.concat.after=x;");
    buf[0] = '\0';
    CHECK(cw_config_foreach(c, "", collect, buf) == 7); /* stops at fn's non-zero value */
    CHECK_CONTAINS(buf, "stop.here=1;");
    CHECK_NOT_CONTAINS(buf, "clean.concat.after");
    CHECK_STR(cw_props_get(cw_config_props(c), "flush.size"), "1000");
    cw_config_free(c);

    cw_config_t *empty = cw_config_new(NULL, NULL);
    CHECK(cw_config_get(empty, "x") == NULL);
    cw_config_free(empty);
}

static void test_errlist(void) {
    cw_errlist_t e = {0};
    for (int i = 0; i < 20; i++) cw_errlist_add(&e, "%s: message %d", "f", i);
    CHECK(e.count == 20);
    CHECK_STR(e.items[19], "f: message 19");
    cw_errlist_free(&e);
    CHECK(e.count == 0 && e.items == NULL);
}

int main(void) {
    test_validation_reports_everything();
    test_prefix_entries_and_message_prefix();
    test_secret_names();
    test_getters();
    test_errlist();
    CHECK_DONE();
}
