/* Converters and records: parse only on demand, bytes pass through untouched, wire forms. */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "converter.h"
#include "host.h"
#include "record.h"

static const cw_host_t *h;

static char *wire_value(cw_record_t *r, size_t *len) {
    const void *out;
    char err[256];
    if (cw_record_wire_value(r, &out, len, err, sizeof err) != 0) return NULL;
    char *copy = malloc(*len + 1);
    memcpy(copy, out ? out : "", *len);
    copy[*len] = '\0';
    return out ? copy : (free(copy), (char *)NULL);
}

static void test_names(void) {
    cw_converter_kind_t k;
    CHECK(cw_converter_kind_parse("org.apache.kafka.connect.json.JsonConverter", &k) == 0 &&
          k == CW_CONVERTER_JSON);
    CHECK(cw_converter_kind_parse("org.apache.kafka.connect.storage.StringConverter", &k) == 0 &&
          k == CW_CONVERTER_STRING);
    CHECK(cw_converter_kind_parse("org.apache.kafka.connect.converters.ByteArrayConverter", &k) ==
              0 &&
          k == CW_CONVERTER_BYTES);
    CHECK(cw_converter_kind_parse("json", &k) == 0 && k == CW_CONVERTER_JSON);
    CHECK(cw_converter_kind_parse("string", &k) == 0 && k == CW_CONVERTER_STRING);
    CHECK(cw_converter_kind_parse("bytes", &k) == 0 && k == CW_CONVERTER_BYTES);
    CHECK(cw_converter_kind_parse("io.confluent.connect.avro.AvroConverter", &k) == -1);
}

static void test_json_envelope(void) {
    cw_converter_t env = {CW_CONVERTER_JSON, 1}, plain = {CW_CONVERTER_JSON, 0};
    char err[512] = "";
    const char *in = "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"lat\":-89.9787}}";
    json_t *v = cw_converter_to_json(&env, in, strlen(in), err, sizeof err);
    CHECK(v && json_is_object(v));
    CHECK(json_real_value(json_object_get(v, "lat")) == -89.9787);
    char *out;
    size_t len;
    CHECK(cw_converter_from_json(&env, v, 1, &out, &len, err, sizeof err) == 0);
    CHECK_STR(out, "{\"schema\":null,\"payload\":{\"lat\":-89.9787}}");
    free(out);
    CHECK(cw_converter_from_json(&env, v, 0, &out, &len, err, sizeof err) == 0);
    CHECK_STR(out, "{\"lat\":-89.9787}");
    free(out);
    CHECK(cw_converter_from_json(&plain, v, 1, &out, &len, err, sizeof err) == 0);
    CHECK_STR(out, "{\"lat\":-89.9787}");
    free(out);
    json_decref(v);

    /* schemas.enable=true insists on the envelope, and says how to fix it. */
    v = cw_converter_to_json(&env, "{\"a\":1}", 7, err, sizeof err);
    CHECK(v == NULL);
    CHECK_CONTAINS(err, "schemas.enable");
    /* Invalid JSON names the position. */
    v = cw_converter_to_json(&plain, "{\"a\":", 5, err, sizeof err);
    CHECK(v == NULL);
    CHECK_CONTAINS(err, "invalid JSON at byte");
    /* A null (tombstone) is JSON null and writes back as a null. */
    v = cw_converter_to_json(&env, NULL, 0, err, sizeof err);
    CHECK(json_is_null(v));
    CHECK(cw_converter_from_json(&env, v, 1, &out, &len, err, sizeof err) == 0 && out == NULL &&
          len == 0);
    json_decref(v);
}

static void test_string_bytes(void) {
    cw_converter_t str = {CW_CONVERTER_STRING, 0}, bytes = {CW_CONVERTER_BYTES, 0};
    char err[256];
    json_t *v = cw_converter_to_json(&str, "caf\xc3\xa9", 5, err, sizeof err);
    CHECK(json_is_string(v) && strcmp(json_string_value(v), "caf\xc3\xa9") == 0);
    char *out;
    size_t len;
    CHECK(cw_converter_from_json(&str, v, 1, &out, &len, err, sizeof err) == 0);
    CHECK(len == 5 && memcmp(out, "caf\xc3\xa9", 5) == 0);
    free(out);
    json_decref(v);
    CHECK(cw_converter_to_json(&str, "\xff\xfe", 2, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "UTF-8");

    v = cw_converter_to_json(&bytes, "\x00\x01\xffhi", 5, err, sizeof err);
    CHECK(json_is_string(v) && strcmp(json_string_value(v), "AAH/aGk=") == 0);
    CHECK(cw_converter_from_json(&bytes, v, 1, &out, &len, err, sizeof err) == 0);
    CHECK(len == 5 && memcmp(out, "\x00\x01\xffhi", 5) == 0);
    free(out);
    json_decref(v);
    v = json_integer(3);
    CHECK(cw_converter_from_json(&bytes, v, 1, &out, &len, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "base64");
    json_decref(v);
}

static void test_record_lazy(void) {
    cw_converter_t env = {CW_CONVERTER_JSON, 1}, str = {CW_CONVERTER_STRING, 0},
                   plain = {CW_CONVERTER_JSON, 0};
    /* Bytes nobody looks at are never parsed, and handed over untouched. */
    cw_record_t *r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &str);
    h->record_set_value(r, "\x01not json {\xff", 12);
    size_t len;
    char *w = wire_value(r, &len);
    CHECK(w && len == 12 && memcmp(w, "\x01not json {\xff", 12) == 0);
    free(w);
    CHECK(r->value.json == NULL); /* never parsed */
    cw_record_free(r);
    r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &plain);
    h->record_set_value(r, "not json {", 10);
    const void *pv = h->record_value(r, &len);
    CHECK(len == 10 && memcmp(pv, "not json {", 10) == 0);
    CHECK(r->value.json == NULL);
    char err[256];
    CHECK(h->record_value_json(r, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "invalid JSON");
    cw_record_free(r);

    /* Text that is not JSON is never written by JsonConverter. */
    r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &env);
    h->record_set_value(r, "plain text line", 15);
    const void *o;
    CHECK(cw_record_wire_value(r, &o, &len, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "not JSON text");
    cw_record_free(r);

    /* Integers beyond int64 are valid JSON (jansson would refuse them when parsing). */
    r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &env);
    h->record_set_value(r, "{\"u\":18446744073709551614}", 26);
    w = wire_value(r, &len);
    CHECK_STR(w, "{\"schema\":null,\"payload\":{\"u\":18446744073709551614}}");
    free(w);
    cw_record_free(r);

    /* JSON text set as bytes gets the schemaless envelope. */
    r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &env);
    const char *row = "{\"id\":7,\"lat\":-89.9787}";
    h->record_set_value(r, row, strlen(row));
    w = wire_value(r, &len);
    CHECK_STR(w, "{\"schema\":null,\"payload\":{\"id\":7,\"lat\":-89.9787}}");
    free(w);
    /* A text line meant as a string is set as a JSON string. */
    h->record_set_value_json(r, json_string("a line"));
    w = wire_value(r, &len);
    CHECK_STR(w, "{\"schema\":null,\"payload\":\"a line\"}");
    free(w);
    cw_record_free(r);

    /* Read-only parsing keeps the original bytes (no re-encoding); bytes a plugin sets are
     * plain JSON even with schemas.enable. */
    const char *in = "{\"x\": 1.10}";
    r = cw_record_new_source("t", 0, NULL, NULL, &str, &env);
    h->record_set_value(r, in, strlen(in));
    json_t *v = h->record_value_json(r, err, sizeof err);
    CHECK(json_is_object(v));
    CHECK(json_real_value(json_object_get(v, "x")) == 1.1);
    const void *b = h->record_value(r, &len);
    CHECK(len == strlen(in) && memcmp(b, in, len) == 0);
    /* A change through _mut re-encodes: the plugin view without, the wire with envelope. */
    v = h->record_value_json_mut(r, err, sizeof err);
    json_object_set_new(v, "lat", json_real(-89.9787));
    b = h->record_value(r, &len);
    CHECK(len == strlen("{\"x\":1.1,\"lat\":-89.9787}") &&
          memcmp(b, "{\"x\":1.1,\"lat\":-89.9787}", len) == 0);
    w = wire_value(r, &len);
    CHECK_STR(w, "{\"schema\":null,\"payload\":{\"x\":1.1,\"lat\":-89.9787}}");
    free(w);
    /* Setting JSON: a string through StringConverter key is its raw text. */
    h->record_set_key_json(r, json_string("k1"));
    const void *k;
    char kerr[64];
    CHECK(cw_record_wire_key(r, &k, &len, kerr, sizeof kerr) == 0 && len == 2 &&
          memcmp(k, "k1", 2) == 0);
    /* A tombstone. */
    h->record_set_value(r, NULL, 0);
    CHECK(h->record_value(r, &len) == NULL && len == 0);
    CHECK(json_is_null(h->record_value_json(r, err, sizeof err)));
    cw_record_free(r);
}

/* The converter view: the converter of each slot and what its bytes are, as they change. */
static cw_bytes_form_t form_of(cw_record_t *r, int key, cw_converter_kind_t *conv, int *schemas) {
    cw_data_format_t f = CW_DATA_FORMAT_INIT;
    int rc = key ? h->record_key_format(r, &f) : h->record_value_format(r, &f);
    CHECK(rc == CW_OK);
    if (conv) *conv = f.converter;
    if (schemas) *schemas = f.schemas_enable;
    return f.form;
}

/* A record as consumed: the bytes are the wire form (record_from_message needs a broker). */
static cw_record_t *consumed(const cw_converter_t *kc, const cw_converter_t *vc, const char *v) {
    cw_record_t *r = cw_record_new_source("t", 0, NULL, NULL, kc, vc);
    r->value.data = v;
    r->value.len = v ? strlen(v) : 0;
    return r;
}

static void test_format(void) {
    cw_converter_t env = {CW_CONVERTER_JSON, 1}, plain = {CW_CONVERTER_JSON, 0};
    cw_converter_t str = {CW_CONVERTER_STRING, 1}, bytes = {CW_CONVERTER_BYTES, 0};
    cw_converter_kind_t conv;
    int schemas;
    char err[256];
    size_t len;
    const void *b;
    /* JsonConverter as consumed: the envelope with schemas.enable, plain JSON without. */
    cw_record_t *r = consumed(&str, &env, "{\"schema\":null,\"payload\":1}");
    CHECK(form_of(r, 0, &conv, &schemas) == CW_BYTES_JSON_ENVELOPE);
    CHECK(conv == CW_CONVERTER_JSON && schemas == 1);
    CHECK(form_of(r, 1, &conv, &schemas) == CW_BYTES_NULL); /* no key */
    CHECK(conv == CW_CONVERTER_STRING && schemas == 0);     /* schemas.enable is JSON's */
    /* Changed through JSON: the bytes become the payload's compact JSON. */
    CHECK(json_integer_value(h->record_value_json_mut(r, err, sizeof err)) == 1);
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_JSON);
    b = h->record_value(r, &len);
    CHECK(len == 1 && memcmp(b, "1", 1) == 0);
    cw_record_free(r);
    r = consumed(&str, &plain, "{\"a\":1}");
    CHECK(form_of(r, 0, NULL, &schemas) == CW_BYTES_JSON && schemas == 0);
    cw_record_free(r);
    /* Bytes a plugin set are the plain form even with schemas.enable. */
    r = cw_record_new_source("t", 0, NULL, NULL, &str, &env);
    h->record_set_value(r, "{\"a\":1}", 7);
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_JSON);
    cw_record_free(r);
    /* StringConverter: text, even when it looks like JSON; a non-string set through JSON is
     * shown as compact JSON; a string set through JSON is text again. */
    r = consumed(&str, &str, "{\"a\":1}");
    CHECK(form_of(r, 0, &conv, NULL) == CW_BYTES_TEXT && conv == CW_CONVERTER_STRING);
    h->record_set_value_json(r, json_pack("{s:i}", "a", 1));
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_JSON);
    b = h->record_value(r, &len);
    CHECK(len == 7 && memcmp(b, "{\"a\":1}", 7) == 0);
    h->record_set_value_json(r, json_string("x"));
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_TEXT);
    h->record_set_value_json(r, NULL);
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_NULL);
    cw_record_free(r);
    /* ByteArrayConverter: binary; a base64 string set through JSON decodes to bytes, a
     * non-string falls back to compact JSON. */
    r = consumed(&bytes, &bytes, "\x01\x02");
    CHECK(form_of(r, 0, &conv, NULL) == CW_BYTES_BINARY && conv == CW_CONVERTER_BYTES);
    h->record_set_value_json(r, json_string("aGk="));
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_BINARY);
    b = h->record_value(r, &len);
    CHECK(len == 2 && memcmp(b, "hi", 2) == 0);
    h->record_set_value_json(r, json_integer(5));
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_JSON);
    cw_record_free(r);
    /* After a change through JSON, record_value's bytes stay valid across more views
     * (record_value_format, record_value again) while the value does not change: the S3
     * sink asks for the form after taking the bytes. ASan reads freed memory without. */
    r = consumed(&str, &plain, "{\"a\": \"C\\u00f4te\"}");
    CHECK(h->record_value_json_mut(r, err, sizeof err) != NULL);
    b = h->record_value(r, &len);
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_JSON);
    CHECK(form_of(r, 0, NULL, NULL) == CW_BYTES_JSON);
    CHECK(h->record_value(r, NULL) == b);
    const char *want = "{\"a\":\"C\xc3\xb4"
                       "te\"}";
    CHECK(len == strlen(want) && memcmp(b, want, len) == 0);
    /* a change in place through the _mut tree still shows in the bytes */
    json_object_set_new(h->record_value_json_mut(r, err, sizeof err), "a", json_integer(2));
    b = h->record_value(r, &len);
    CHECK(len == 7 && memcmp(b, "{\"a\":2}", 7) == 0);
    cw_record_free(r);
    /* A caller's struct too small for the ABI 2 members is refused, not overrun. */
    r = consumed(&str, &plain, "1");
    cw_data_format_t small = {.struct_size = 4};
    CHECK(h->record_value_format(r, &small) == CW_ERR_FATAL);
    CHECK(h->record_value_format(r, NULL) == CW_ERR_FATAL);
    cw_record_free(r);
}

static void test_headers(void) {
    cw_converter_t str = {CW_CONVERTER_STRING, 0};
    cw_record_t *r = cw_record_new_source("t", 0, NULL, NULL, &str, &str);
    h->record_header_add(r, "a", "1", 1);
    h->record_header_add(r, "b", NULL, 0);
    h->record_header_add(r, "a", "22", 2);
    CHECK(h->record_header_count(r) == 3);
    const void *v;
    size_t len;
    CHECK(h->record_header_find(r, "a", &v, &len) == 1 && len == 2 && memcmp(v, "22", 2) == 0);
    CHECK(h->record_header_find(r, "b", &v, &len) == 1 && v == NULL);
    CHECK(h->record_header_find(r, "c", &v, &len) == 0);
    CHECK(h->record_header_remove(r, "a") == 2);
    CHECK(h->record_header_count(r) == 1);
    const char *name;
    CHECK(h->record_header_get(r, 0, &name, &v, &len) == CW_OK && strcmp(name, "b") == 0);
    rd_kafka_headers_t *kh = cw_record_kafka_headers(r);
    CHECK(kh && rd_kafka_header_cnt(kh) == 1);
    rd_kafka_headers_destroy(kh);
    cw_record_free(r);
}

/* record_set_value_json_text: JSON text a plugin vouches for is produced as it is; the
 * shipped (NDEBUG) build does not check it again, the builds the tests run do. */
static void test_vouched_json_text(void) {
    cw_converter_t env = {CW_CONVERTER_JSON, 1}, str = {CW_CONVERTER_STRING, 0},
                   plain = {CW_CONVERTER_JSON, 0};
    CHECK(CW_HOST_HAS(h, record_set_value_json_text));
    const char *row = "{\"id\":7,\"t\":\"a\\\"b\"}";
    cw_record_t *r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &plain);
    h->record_set_value_json_text(r, row, strlen(row));
    size_t len;
    char *w = wire_value(r, &len);
    CHECK_STR(w, row);
    free(w);
    CHECK(r->value.json == NULL); /* never parsed */
    const void *text = h->record_value_json_text(r, &len);
    CHECK(text && len == strlen(row) && memcmp(text, row, len) == 0);
    cw_record_free(r);
    r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &env);
    h->record_set_value_json_text(r, row, strlen(row));
    w = wire_value(r, &len);
    CHECK_STR(w, "{\"schema\":null,\"payload\":{\"id\":7,\"t\":\"a\\\"b\"}}");
    free(w);
    cw_record_free(r);

    /* A wrong writer: caught where the tests run, produced as it is in the shipped build. */
    r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &plain);
    h->record_set_value_json_text(r, "{\"id\":7,}", 9);
    const void *o;
    char err[256] = "";
    int rc = cw_record_wire_value(r, &o, &len, err, sizeof err);
#ifdef NDEBUG
    CHECK(rc == 0 && len == 9 && memcmp(o, "{\"id\":7,}", 9) == 0);
#else
    CHECK(rc == -1);
    CHECK_CONTAINS(err, "record_set_value_json_text");
#endif
    /* A transform that sets the value again with record_set_value: checked as always. */
    h->record_set_value(r, "{\"id\":7,}", 9);
    CHECK(cw_record_wire_value(r, &o, &len, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "not JSON text");
    cw_record_free(r);

    /* Other converters: exactly record_set_value. */
    r = cw_record_new_source("t", CW_PARTITION_ANY, NULL, NULL, &str, &str);
    h->record_set_value_json_text(r, "\x01{", 2);
    w = wire_value(r, &len);
    CHECK(w && len == 2 && memcmp(w, "\x01{", 2) == 0);
    free(w);
    /* NULL is a null value. */
    h->record_set_value_json_text(r, NULL, 0);
    CHECK(h->record_value(r, &len) == NULL && len == 0);
    cw_record_free(r);
}

int main(void) {
    h = cw_host();
    CHECK(h->abi_version == CW_ABI_VERSION && h->struct_size == sizeof(cw_host_t));
    test_names();
    test_json_envelope();
    test_string_bytes();
    test_record_lazy();
    test_headers();
    test_format();
    test_vouched_json_text();
    CHECK_DONE();
}
