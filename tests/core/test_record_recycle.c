/* Source batches recycle their records (host.c, record.c): after cw_batch_clear the next
 * poll's source_record_new reuses the record and its value buffer, and the reused record
 * holds exactly what a new one would (topic, source partition and offset, value, no headers),
 * whatever the old one carried. */
#include "check.h"
#include "host.h"
#include "record.h"

static const cw_converter_t json_conv = {.kind = CW_CONVERTER_JSON, .schemas_enable = 0};
static const cw_converter_t string_conv = {.kind = CW_CONVERTER_STRING, .schemas_enable = 0};

static cw_record_t *new_rec(struct cw_batch *b, const char *topic, const char *sp, const char *so,
                            const char *value) {
    cw_record_t *r = cw_host()->source_record_new(b, topic, CW_PARTITION_ANY, sp, so);
    CHECK(r != NULL);
    if (r && value) cw_record_set_value_json_text(r, value, strlen(value));
    return r;
}

/* The wire value of r as a string (the bytes the producer gets). */
static void check_wire(cw_record_t *r, const char *want) {
    const void *out = NULL;
    size_t len = 0;
    char err[256];
    err[0] = 0;
    CHECK(cw_record_wire_value(r, &out, &len, err, sizeof err) == 0);
    if (*err) fprintf(stderr, "  %s\n", err);
    CHECK(len == strlen(want) && out && memcmp(out, want, len) == 0);
}

int main(void) {
    struct cw_batch b;
    cw_batch_init(&b, &string_conv, &json_conv);

    /* a record with everything a transform may add: headers, a new topic */
    cw_record_t *r1 = new_rec(&b, "pin.topic", "{\"table\":\"pin\"}", "{\"incrementing\":1}",
                              "{\"index\":1,\"title\":\"one\"}");
    const void *v1 = cw_record_value(r1, NULL);
    cw_record_header_add(r1, "h", "v", 1);
    cw_record_set_topic(r1, "renamed.by.a.transform");
    cw_batch_clear(&b);
    CHECK(b.n == 0 && b.nspare == 1);

    /* the next poll's record is the same allocation, value buffer included, and fresh */
    cw_record_t *r2 = new_rec(&b, "pin.topic", "{\"table\":\"pin\"}", "{\"incrementing\":2}", NULL);
    CHECK(r2 == r1);
    CHECK(b.nspare == 0);
    CHECK_STR(cw_record_topic(r2), "pin.topic");
    CHECK_STR(r2->source_partition, "{\"table\":\"pin\"}");
    CHECK_STR(r2->source_offset, "{\"incrementing\":2}");
    CHECK(r2->nheaders == 0);
    CHECK(cw_record_value(r2, NULL) == NULL); /* a null value until one is set */
    const char *two = "{\"index\":2,\"title\":\"two\"}";
    cw_record_set_value_json_text(r2, two, strlen(two));
    CHECK(cw_record_value(r2, NULL) == v1); /* no malloc: the old buffer fits */
    check_wire(r2, "{\"index\":2,\"title\":\"two\"}");
    rd_kafka_headers_t *h = cw_record_kafka_headers(r2);
    CHECK(h == NULL);
    if (h) rd_kafka_headers_destroy(h);

    /* a value larger than the old buffer: a new one, the right bytes */
    char big[1000];
    memset(big, 'x', sizeof big);
    big[0] = '"';
    big[sizeof big - 1] = '"';
    cw_record_set_value_json_text(r2, big, sizeof big);
    size_t len = 0;
    const char *v = cw_record_value(r2, &len);
    CHECK(len == sizeof big && v && memcmp(v, big, sizeof big) == 0);

    /* a record the in-flight queue took over is not in the batch: not recycled */
    cw_record_t *taken =
        new_rec(&b, "pin.topic", "{\"table\":\"pin\"}", "{\"incrementing\":3}", "{}");
    b.recs[1] = NULL;
    cw_batch_clear(&b);
    CHECK(b.nspare == 1);
    cw_record_free(taken);

    /* a longer topic than the spare has room for: a new record, correct */
    cw_record_t *r3 = new_rec(&b, "a.much.longer.topic.than.before", NULL, NULL, "[1]");
    CHECK_STR(cw_record_topic(r3), "a.much.longer.topic.than.before");
    CHECK(r3->source_partition == NULL && r3->source_offset == NULL);
    check_wire(r3, "[1]");
    CHECK(b.nspare == 0);

    /* a value above CW_RECORD_SPARE_MAX is not kept for the next record */
    char *huge = malloc(CW_RECORD_SPARE_MAX + 10);
    memset(huge, '1', CW_RECORD_SPARE_MAX + 10);
    cw_record_set_value_json_text(r3, huge, CW_RECORD_SPARE_MAX + 10);
    free(huge);
    cw_batch_clear(&b);
    CHECK(b.nspare == 1 && b.spare[0] == r3 && r3->value.spare == NULL);

    cw_batch_destroy(&b); /* frees the spares (ASan: no leak) */
    CHECK(b.nspare == 0 && b.spare == NULL);
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
