/* Unit tests of the S3 sink's pure parts: object naming for every partitioner, Joda patterns
 * and time zones, record encoders, compression, credentials, configuration errors. */
#include "fake_host.h"
#include "s3_sink.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "s3_check.h"

static cw_config_t cfg;
static s3_settings_t st;
static char err[512];

static int load(const char *const *kv) {
    fake_config_free(&cfg);
    fake_config_init(&cfg, s3_sink_config_defs);
    fake_config_set(&cfg, "s3.bucket.name", "b");
    fake_config_set(&cfg, "flush.size", "3");
    for (; kv && kv[0]; kv += 2) fake_config_set(&cfg, kv[0], kv[1]);
    s3_settings_free(&st);
    err[0] = 0;
    return s3_settings_load(&fake_host, &cfg, &st, err, sizeof err);
}

/* The key of the object a record would start, through the real partitioner and namer. */
static char *key_for(cw_record_t *r) {
    int64_t ts = 0;
    if (s3_record_time(&fake_host, &st, r, 1700000000000LL, &ts, err, sizeof err) != 0) return NULL;
    char *enc = s3_encode_partition(&fake_host, &st, r, ts, err, sizeof err);
    if (!enc) return NULL;
    char *key = s3_object_key(&st, r->topic, enc, r->topic, r->partition, r->offset, NULL);
    free(enc);
    return key;
}

static void test_naming(void) {
    cw_record_t r;
    /* 2024-03-05T07:08:09.123Z */
    fake_record_init(
        &r, "pinterest.pin", 4, 42, 1709622489123LL,
        "{\"category\":\"art\",\"n\":7,\"ts\":\"2024-03-05T07:08:09Z\",\"when\":1709622489123}");
    char *k;

    CHECK(load(NULL) == CW_OK, "%s", err);
    k = key_for(&r);
    CHECK_STR(k, "topics/pinterest.pin/partition=4/pinterest.pin+4+0000000042.json");
    free(k);

    const char *gz[] = {"s3.compression.type",
                        "gzip",
                        "topics.dir",
                        "raw",
                        "filename.offset.zero.pad.width",
                        "5",
                        NULL};
    CHECK(load(gz) == CW_OK, "%s", err);
    k = key_for(&r);
    CHECK_STR(k, "raw/pinterest.pin/partition=4/pinterest.pin+4+00042.json.gz");
    free(k);

    const char *zs[] = {"s3.compression.type", "zstd", "format.class",
                        "io.confluent.connect.s3.format.bytearray.ByteArrayFormat", NULL};
    CHECK(load(zs) == CW_OK, "%s", err);
    k = key_for(&r);
    CHECK_STR(k, "topics/pinterest.pin/partition=4/pinterest.pin+4+0000000042.bin.zst");
    free(k);

    const char *field[] = {"partitioner.class",
                           "io.confluent.connect.storage.partitioner.FieldPartitioner",
                           "partition.field.name", "category, n", NULL};
    CHECK(load(field) == CW_OK, "%s", err);
    k = key_for(&r);
    CHECK_STR(k, "topics/pinterest.pin/category=art/n=7/pinterest.pin+4+0000000042.json");
    free(k);

    const char *missing[] = {"partitioner.class", "FieldPartitioner", "partition.field.name",
                             "nope", NULL};
    CHECK(load(missing) == CW_OK, "%s", err);
    k = key_for(&r);
    /* Confluent: a missing or null field is "<field>=null". */
    CHECK_STR(k, "topics/pinterest.pin/nope=null/pinterest.pin+4+0000000042.json");
    free(k);

    const char *hourly[] = {"partitioner.class",
                            "io.confluent.connect.storage.partitioner.HourlyPartitioner",
                            "timestamp.extractor", "Record", NULL};
    CHECK(load(hourly) == CW_OK, "%s", err);
    k = key_for(&r);
    CHECK_STR(
        k,
        "topics/pinterest.pin/year=2024/month=03/day=05/hour=07/pinterest.pin+4+0000000042.json");
    free(k);

    const char *daily[] = {"partitioner.class", "DailyPartitioner", "timestamp.extractor",
                           "RecordField",       "timestamp.field",  "ts",
                           "timezone",          "Asia/Tokyo",       NULL};
    CHECK(load(daily) == CW_OK, "%s", err);
    k = key_for(&r); /* 07:08 UTC is 16:08 in Tokyo, same day */
    CHECK_STR(k, "topics/pinterest.pin/year=2024/month=03/day=05/pinterest.pin+4+0000000042.json");
    free(k);

    /* ISO-8601 through the SDK: the offset moves the record back over a leap day; an
     * impossible date is refused rather than rolled over into March. */
    cw_record_t leap, bad;
    fake_record_init(&leap, "t", 0, 1, 0, "{\"ts\":\"2024-03-01T00:30:00.5+01:00\"}");
    fake_record_init(&bad, "t", 0, 1, 0, "{\"ts\":\"2023-02-29T10:00:00Z\"}");
    const char *utc[] = {"partitioner.class",
                         "DailyPartitioner",
                         "timestamp.extractor",
                         "RecordField",
                         "timestamp.field",
                         "ts",
                         "timezone",
                         "UTC",
                         NULL};
    CHECK(load(utc) == CW_OK, "%s", err);
    k = key_for(&leap);
    CHECK_STR(k, "topics/t/year=2024/month=02/day=29/t+0+0000000001.json");
    free(k);
    k = key_for(&bad);
    CHECK(k == NULL && strstr(err, "not an ISO-8601 string"), "err=%s", err);
    free(k);
    fake_record_free(&leap);
    fake_record_free(&bad);

    const char *tb[] = {"partitioner.class",
                        "TimeBasedPartitioner",
                        "path.format",
                        "'dt'=YYYY-MM-dd/'h'=HH/mm",
                        "partition.duration.ms",
                        "900000",
                        "timestamp.extractor",
                        "RecordField",
                        "timestamp.field",
                        "when",
                        "timezone",
                        "-05:00",
                        NULL};
    CHECK(load(tb) == CW_OK, "%s", err);
    k = key_for(&r); /* 02:08 local, floored to the quarter hour */
    CHECK_STR(k, "topics/pinterest.pin/dt=2024-03-05/h=02/00/pinterest.pin+4+0000000042.json");
    free(k);

    const char *wc[] = {"partitioner.class", "HourlyPartitioner", NULL}; /* Wallclock default */
    CHECK(load(wc) == CW_OK, "%s", err);
    k = key_for(&r); /* 1700000000000 = 2023-11-14T22:13:20Z */
    CHECK_STR(
        k,
        "topics/pinterest.pin/year=2023/month=11/day=14/hour=22/pinterest.pin+4+0000000042.json");
    free(k);

    const char *side[] = {"store.kafka.keys", "true", NULL};
    CHECK(load(side) == CW_OK, "%s", err);
    k = s3_object_key(&st, "t", "partition=0", "t", 0, 5, "keys");
    CHECK_STR(k, "topics/t/partition=0/t+0+0000000005.keys.json");
    free(k);
    /* Routed (KIP-793): the directory follows the current topic, the name the original
     * topic, partition and offset, so two merged partitions never share a name. */
    k = s3_object_key(&st, "merged", "partition=0", "m1", 3, 5, NULL);
    CHECK_STR(k, "topics/merged/partition=0/m1+3+0000000005.json");
    free(k);
    fake_record_free(&r);
}

static void test_config_errors(void) {
    const char *a[] = {"partitioner.class", "TimeBasedPartitioner", "partition.duration.ms", "1000",
                       NULL};
    CHECK(load(a) == CW_ERR_CONFIG && strstr(err, "path.format"), "err=%s", err);
    const char *b[] = {"partitioner.class", "FieldPartitioner", NULL};
    CHECK(load(b) == CW_ERR_CONFIG && strstr(err, "partition.field.name"), "err=%s", err);
    const char *c[] = {"timezone", "Mars/Olympus", NULL};
    CHECK(load(c) == CW_ERR_CONFIG && strstr(err, "timezone"), "err=%s", err);
    const char *d[] = {"partitioner.class", "HourlyPartitioner", "path.format", "x", NULL};
    CHECK(load(d) == CW_OK, "Hourly ignores path.format: %s", err);
    const char *e[] = {"partitioner.class",
                       "TimeBasedPartitioner",
                       "path.format",
                       "YYYY/QQ",
                       "partition.duration.ms",
                       "1000",
                       NULL};
    CHECK(load(e) == CW_ERR_CONFIG && strstr(err, "'Q'"), "err=%s", err);
    const char *f[] = {"store.url", "ftp://x", NULL};
    CHECK(load(f) == CW_ERR_CONFIG && strstr(err, "store.url"), "err=%s", err);
    /* Start shares validate's checker: every problem at once, each naming its key. */
    const char *m[] = {"partitioner.class",
                       "TimeBasedPartitioner",
                       "timezone",
                       "Mars/Olympus",
                       "store.url",
                       "ftp://x",
                       NULL};
    CHECK(load(m) == CW_ERR_CONFIG && strstr(err, "store.url: ") && strstr(err, "timezone: ") &&
              strstr(err, "path.format: ") && strstr(err, "partition.duration.ms: "),
          "err=%s", err);
    const char *sse[] = {"s3.ssea.name", "aws:kms", NULL};
    CHECK(load(sse) == CW_OK, "aws:kms: %s", err);
    const char *bad_sse[] = {"s3.ssea.name", "aes256", NULL};
    CHECK(load(bad_sse) == CW_ERR_CONFIG && strstr(err, "s3.ssea.name: 'aes256'"), "err=%s", err);
    /* The upload settings: defaults, and set values reach the task's settings. */
    CHECK(load(NULL) == CW_OK && st.upload_threads == 2 && st.upload_queue_bytes == 67108864,
          "upload defaults: %d threads, %lld bytes", st.upload_threads,
          (long long)st.upload_queue_bytes);
    const char *g[] = {"s3.upload.threads", "5", "s3.upload.queue.max.bytes", "2097152", NULL};
    CHECK(load(g) == CW_OK && st.upload_threads == 5 && st.upload_queue_bytes == 2097152,
          "upload settings: %d threads, %lld bytes", st.upload_threads,
          (long long)st.upload_queue_bytes);
}

static char *encode(cw_record_t *r, int *rc) {
    s3_bytes_t line = {0};
    *rc = s3_encode_value(&fake_host, &st, r, 0, &line, err, sizeof err);
    cw_sdk_buf_append(&line, "", 1);
    return line.data;
}

/* Encodes one value whose bytes the host's converter view calls `form`; the line (owned),
 * the return code and whether the encoder asked for the JSON view (parsed). */
typedef struct encoded {
    char *line;
    int rc, parsed;
} encoded_t;

static encoded_t encode_form(const char *value, cw_bytes_form_t form) {
    cw_record_t r;
    encoded_t e;
    fake_record_init(&r, "t", 0, 1, 0, value);
    if (value) r.vform = form;
    e.line = encode(&r, &e.rc);
    e.parsed = r.vjson != NULL;
    fake_record_free(&r);
    return e;
}

/* Expects `value` in `form` to give exactly `want`, or (want NULL) to be a bad record whose
 * errstr names `why`. */
static void check_encodes(const char *value, cw_bytes_form_t form, const char *want,
                          const char *why) {
    encoded_t e = encode_form(value, form);
    if (want)
        CHECK(e.rc == CW_OK && !strcmp(e.line, want), "[%s]: rc=%d got [%s]", value, e.rc, e.line);
    else
        CHECK(e.rc == CW_ERR_RECORD && strstr(err, why), "[%s]: rc=%d err=%s", value, e.rc, err);
    free(e.line);
}

static void test_encoders(void) {
    cw_record_t r;
    int rc;
    char *out;
    encoded_t e;
    CHECK(load(NULL) == CW_OK, "%s", err);
    /* Untouched bytes pass through: the real stays as the producer wrote it. */
    e = encode_form("{\"lat\":-89.9787,\"b\":1}", CW_BYTES_JSON);
    CHECK(e.rc == CW_OK && !e.parsed, "passthrough must not parse the value: rc=%d", e.rc);
    CHECK_STR(e.line, "{\"lat\":-89.9787,\"b\":1}\n");
    free(e.line);
    /* The passthrough line is the record's own bytes, not a copy: they are copied once, into
     * the object (s3_task_records.c), and the scratch buffer stays empty. */
    {
        const char *v = "{\"lat\":-89.9787}";
        s3_bytes_t scratch = {0};
        s3_line_t l = {0};
        fake_record_init(&r, "t", 0, 1, 0, v);
        r.vform = CW_BYTES_JSON;
        size_t vlen = 0;
        const void *bytes = fake_host.record_value(&r, &vlen);
        rc = s3_encode_line(&fake_host, &st, &r, 0, &l, &scratch, err, sizeof err);
        CHECK(rc == CW_OK && l.p[0] == bytes && l.n[0] == vlen && l.n[1] == 1 &&
                  l.p[1][0] == '\n' && scratch.len == 0,
              "passthrough line must point into the record: rc=%d p=%p bytes=%p scratch=%zu", rc,
              (const void *)l.p[0], bytes, scratch.len);
        /* A value that must be re-encoded is built in the scratch buffer. */
        fake_record_free(&r);
        fake_record_init(&r, "t", 0, 1, 0, "{\n\"a\": 1}");
        r.vform = CW_BYTES_JSON;
        rc = s3_encode_line(&fake_host, &st, &r, 0, &l, &scratch, err, sizeof err);
        CHECK(rc == CW_OK && l.p[0] == scratch.data && l.n[0] == scratch.len && l.n[1] == 0 &&
                  !strcmp(scratch.data, "{\"a\":1}\n"),
              "re-encoded line must be the scratch buffer: rc=%d [%s]", rc,
              scratch.data ? scratch.data : "");
        fake_record_free(&r);
        cw_sdk_buf_free(&scratch);
    }
    /* Pretty-printed JSON would split the record over lines: re-encoded compactly. */
    check_encodes("{\n  \"a\": 1\n}", CW_BYTES_JSON, "{\"a\":1}\n", NULL);
    /* A schemas.enable envelope: its payload, as Confluent writes it. */
    check_encodes("{\"schema\":null,\"payload\":{\"a\":1}}", CW_BYTES_JSON_ENVELOPE, "{\"a\":1}\n",
                  NULL);
    /* JsonConverter reads an envelope's null payload (and the text null) as a null value:
     * behavior.on.null.values applies (default fail), as for a tombstone. */
    check_encodes("{\"schema\":null,\"payload\":null}", CW_BYTES_JSON_ENVELOPE, NULL,
                  "behavior.on.null.values");
    check_encodes("null", CW_BYTES_JSON, NULL, "behavior.on.null.values");
    /* JsonConverter bytes that cannot be JSON: the converter's error, not a raw line. */
    check_encodes("plain text", CW_BYTES_JSON, NULL, "not JSON");
    /* Invalid JSON with a newline is a bad record. */
    check_encodes("{\n oops", CW_BYTES_JSON, NULL, "not JSON");
    /* Null values: fail / ignore / write. */
    fake_record_init(&r, "t", 0, 1, 0, NULL);
    out = encode(&r, &rc);
    CHECK(rc == CW_ERR_RECORD && strstr(err, "behavior.on.null.values"), "rc=%d", rc);
    free(out);
    const char *ig[] = {"behavior.on.null.values", "ignore", NULL};
    load(ig);
    out = encode(&r, &rc);
    CHECK(rc == CW_DROP, "rc=%d", rc);
    free(out);
    const char *wr[] = {"behavior.on.null.values", "write", "store.kafka.keys", "true", NULL};
    CHECK(load(wr) == CW_OK, "%s", err);
    out = encode(&r, &rc);
    CHECK(rc == S3_TOMBSTONE, "rc=%d", rc); /* only the key is written, as Confluent */
    CHECK_STR(out, "");
    const char *wr_nokeys[] = {"behavior.on.null.values", "write", NULL};
    CHECK(load(wr_nokeys) == CW_ERR_CONFIG && strstr(err, "store.kafka.keys"), "%s", err);
    free(out);
    fake_record_free(&r);
    /* StringConverter (the host's converter view says TEXT; the connector config names no
     * converter): a JSON string, even when the text looks like JSON, as Confluent writes
     * a Connect string. */
    check_encodes("he said \"hi\"\nbye", CW_BYTES_TEXT, "\"he said \\\"hi\\\"\\nbye\"\n", NULL);
    check_encodes("{\"a\":1}", CW_BYTES_TEXT, "\"{\\\"a\\\":1}\"\n", NULL);
    /* ByteArrayFormat: raw bytes + separator. */
    const char *ba[] = {"format.class", "ByteArrayFormat", "format.bytearray.separator", "|", NULL};
    load(ba);
    check_encodes("raw\nbytes", CW_BYTES_BINARY, "raw\nbytes|", NULL);
    /* ... and with JsonConverter's envelope, a "bytes" payload decoded (Confluent), any
     * other envelope as consumed, a null payload as a null value (here: fail). */
    check_encodes("{\"schema\":{\"type\":\"bytes\"},\"payload\":\"aGk=\"}", CW_BYTES_JSON_ENVELOPE,
                  "hi|", NULL);
    check_encodes("{\"schema\":null,\"payload\":\"aGk=\"}", CW_BYTES_JSON_ENVELOPE,
                  "{\"schema\":null,\"payload\":\"aGk=\"}|", NULL);
    check_encodes("{\"schema\":{\"type\":\"bytes\",\"optional\":true},\"payload\":null}",
                  CW_BYTES_JSON_ENVELOPE, NULL, "behavior.on.null.values");
    /* Headers as one JSON object. */
    fake_record_init(&r, "t", 0, 1, 0, "1");
    r.hname[0] = strdup("h1");
    r.hval[0] = strdup("v1");
    r.hname[1] = strdup("h2");
    r.hval[1] = NULL;
    r.nheaders = 2;
    s3_bytes_t line = {0};
    CHECK(s3_encode_headers(&fake_host, &r, &line) == 0, "headers");
    cw_sdk_buf_append(&line, "", 1);
    CHECK_STR(line.data, "{\"headers\":[{\"key\":\"h1\",\"value\":\"v1\"},"
                         "{\"key\":\"h2\",\"value\":null}]}\n");
    cw_sdk_buf_free(&line);
    fake_record_free(&r);
}

static void test_compression(void) {
    const char *text = "{\"a\":1}\n{\"a\":2}\n";
    for (int kind = S3_COMP_GZIP; kind <= S3_COMP_ZSTD; kind++) {
        s3_compressor_t *c = s3_compressor_new(kind, -1);
        s3_bytes_t out = {0};
        for (int i = 0; i < 1000; i++)
            CHECK(s3_compressor_write(c, text, strlen(text), &out) == 0, "write");
        CHECK(s3_compressor_finish(c, &out) == 0, "finish");
        s3_compressor_free(c);
        size_t want = strlen(text) * 1000;
        char *plain = malloc(want + 16);
        size_t got = 0;
        if (kind == S3_COMP_GZIP) {
            CHECK(out.len > 2 && (unsigned char)out.data[0] == 0x1f &&
                      (unsigned char)out.data[1] == 0x8b,
                  "gzip magic");
            z_stream z = {0};
            inflateInit2(&z, 15 + 16);
            z.next_in = (Bytef *)out.data;
            z.avail_in = (uInt)out.len;
            z.next_out = (Bytef *)plain;
            z.avail_out = (uInt)want + 16;
            CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END, "gzip stream complete");
            got = z.total_out;
            inflateEnd(&z);
        } else {
            got = ZSTD_decompress(plain, want + 16, out.data, out.len);
            CHECK(!ZSTD_isError(got), "zstd: %s", ZSTD_getErrorName(got));
        }
        CHECK(got == want && !memcmp(plain, text, strlen(text)), "roundtrip kind %d: %zu", kind,
              got);
        free(plain);
        cw_sdk_buf_free(&out);
    }
}

static void test_credentials(void) {
    s3_credentials_t c;
    char path[] = "/tmp/s3credsXXXXXX";
    int fd = mkstemp(path);
    const char *ini = "[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = defsecret\n"
                      "[profile other]\naws_access_key_id=OTHER\naws_secret_access_key=osecret\n"
                      "aws_session_token=tok\n";
    CHECK(write(fd, ini, strlen(ini)) == (ssize_t)strlen(ini), "write");
    close(fd);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    unsetenv("AWS_PROFILE");
    CHECK(s3_credentials_resolve(NULL, NULL, NULL, &c, err, sizeof err) == 0, "%s", err);
    CHECK_STR(c.access_key, "DEFKEY");
    s3_credentials_clear(&c);
    setenv("AWS_PROFILE", "other", 1);
    CHECK(s3_credentials_resolve(NULL, NULL, NULL, &c, err, sizeof err) == 0, "%s", err);
    CHECK_STR(c.access_key, "OTHER");
    CHECK_STR(c.session_token, "tok");
    s3_credentials_clear(&c);
    setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    CHECK(s3_credentials_resolve(NULL, NULL, NULL, &c, err, sizeof err) == 0, "%s", err);
    CHECK_STR(c.access_key, "ENVKEY");
    s3_credentials_clear(&c);
    CHECK(s3_credentials_resolve("CFGKEY", "cfgsecret", NULL, &c, err, sizeof err) == 0, "%s", err);
    CHECK_STR(c.access_key, "CFGKEY");
    s3_credentials_clear(&c);
    unsetenv("AWS_ACCESS_KEY_ID");
    setenv("AWS_PROFILE", "absent", 1);
    /* Past the file the chain asks the platform: nothing here, and never the real IMDS. */
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    CHECK(s3_credentials_resolve(NULL, NULL, NULL, &c, err, sizeof err) != 0 &&
              strstr(err, "[absent]") && strstr(err, "container credentials (") &&
              strstr(err, "instance metadata (disabled"),
          "err=%s", err);
    CHECK(!strstr(err, "defsecret") && !strstr(err, "osecret"), "secret leaked: %s", err);
    unlink(path);
}

static void test_zones(void) {
    s3_zone_t *z = s3_zone_load("Europe/Berlin", err, sizeof err);
    CHECK(z != NULL, "%s", err);
    if (z) {
        CHECK(s3_zone_offset(z, 1705320000000LL) == 3600000,
              "Berlin winter"); /* 2024-01-15 12:00Z */
        CHECK(s3_zone_offset(z, 1721044800000LL) == 7200000,
              "Berlin summer"); /* 2024-07-15 12:00Z */
        /* DST starts 2024-03-31 01:00Z: one second before and at the transition. */
        CHECK(s3_zone_offset(z, 1711846799000LL) == 3600000, "before the transition");
        CHECK(s3_zone_offset(z, 1711846800000LL) == 7200000, "at the transition");
        s3_zone_free(z);
    }
    z = s3_zone_load("America/New_York", err, sizeof err);
    CHECK(z && s3_zone_offset(z, 1705320000000LL) == -18000000, "New York winter");
    s3_zone_free(z);
    z = s3_zone_load("UTC+05:30", err, sizeof err);
    CHECK(z && s3_zone_offset(z, 0) == 19800000, "fixed offset");
    s3_zone_free(z);
    z = s3_zone_load("../../etc/passwd", err, sizeof err);
    CHECK(z == NULL, "path escape refused");
    z = s3_zone_load("Mars/Olympus", err, sizeof err);
    CHECK(z == NULL && strstr(err, "zoneinfo"), "err=%s", err);
}

static void test_helpers(void) {
    char *e = s3_uri_encode_key("topics/a b/t+0+01=x.json");
    CHECK_STR(e, "topics/a%20b/t%2B0%2B01%3Dx.json");
    free(e);
    char out[64];
    const char *xml = "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>";
    CHECK(s3_xml_tag(xml, strlen(xml), "Code", out, sizeof out) && !strcmp(out, "NoSuchBucket"),
          "xml");
    CHECK(s3_classify(503, "SlowDown") == S3_TRANSIENT, "503");
    CHECK(s3_classify(0, "Connection") == S3_TRANSIENT, "conn");
    CHECK(s3_classify(403, "AccessDenied") == S3_PERMANENT, "403");
    CHECK(s3_classify(404, "NoSuchBucket") == S3_PERMANENT, "404");
    CHECK(s3_classify(400, "RequestTimeout") == S3_TRANSIENT, "timeout");
    /* The origin metadata read back from HEAD response headers (any case, values trimmed,
     * too long values cut, other headers ignored). */
    s3_origin_t o = {0};
    const char *lines[] = {"X-Amz-Meta-Kafka-Cluster-Id: abcDEF123\r\n",
                           "x-amz-meta-kafka-topic:  pins \r\n",
                           "x-amz-meta-kafka-partition: 7\r\n",
                           "x-amz-meta-kafka-offsets: 0-9\r\n",
                           "x-amz-meta-kafka-first-record: 1700000000000:0123456789abcdef\r\n",
                           "x-amz-meta-kafka-topicx: no\r\n",
                           "ETag: \"x\"\r\n"};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        s3_origin_capture(&o, lines[i], strlen(lines[i]));
    CHECK_STR(o.cluster, "abcDEF123");
    CHECK_STR(o.topic, "pins");
    CHECK_STR(o.partition, "7");
    CHECK_STR(o.offsets, "0-9");
    CHECK_STR(o.first, "1700000000000:0123456789abcdef");
    char longv[200];
    snprintf(longv, sizeof longv, "x-amz-meta-kafka-offsets: %0150d\r\n", 1);
    s3_origin_capture(&o, longv, strlen(longv));
    CHECK(strlen(o.offsets) == sizeof o.offsets - 1, "a long value is cut: %zu", strlen(o.offsets));
}

int main(void) {
    test_naming();
    test_config_errors();
    test_encoders();
    test_compression();
    test_credentials();
    test_zones();
    test_helpers();
    s3_settings_free(&st);
    fake_config_free(&cfg);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("s3 unit tests passed\n");
    return 0;
}
