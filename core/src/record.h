/* The one record type of the worker (struct cw_record behind the public cw_record_t). */
#ifndef CW_RECORD_H
#define CW_RECORD_H
#include <librdkafka/rdkafka.h>
#include <jansson.h>
#include "connect-worker/plugin.h"
#include "converter.h"

typedef struct cw_header {
    char *name;
    char *value; /* NULL for a null header */
    size_t len;
} cw_header_t;

/* A key or a value. Either the bytes are authoritative (json, when present, is a cache parsed
 * from them) or, after a change through JSON (`json_owned`), the JSON is and the bytes are
 * re-encoded from it on demand. */
typedef struct cw_slot {
    const char *data; /* NULL: a null key/value */
    size_t len;
    char *owned;               /* buffer `data` points into when not borrowed from the message */
    json_t *json;              /* parsed or set value (one reference), NULL when not parsed */
    int json_wins;             /* the JSON was set or handed out mutable: bytes must follow it */
    char *wire;                /* the converter's wire form (cw_record_wire_*) */
    int plain;                 /* bytes set by a plugin: the plain form (JSON without the schemas
                           envelope); bytes from Kafka are the wire form */
    cw_bytes_form_t json_form; /* json_wins: what slot_bytes made of the JSON */
    int vouched; /* plain bytes the plugin vouched are JSON text (record_set_value_json_text) */
    size_t owned_room; /* bytes allocated at `owned` when record.c allocated it, else 0 */
    char *spare;       /* a recycled record's old buffer: the next bytes set go there if they fit */
    size_t spare_room;
} cw_slot_t;

struct cw_record {
    char *topic;       /* owned, or borrowed (topic_borrowed): the message's topic name, or a source
                    record's text after the struct in its own allocation */
    size_t topic_room; /* source records: room for the topic after the struct (recycling) */
    int topic_borrowed;
    int32_t partition;
    int64_t offset;
    int64_t timestamp;
    cw_slot_t key, value;
    cw_header_t *headers;
    size_t nheaders, capheaders;
    int headers_pending;     /* a consumed message's headers, not read from rkm yet (record.c) */
    rd_kafka_message_t *rkm; /* sink records: owns the borrowed key/value bytes */
    char *source_partition;  /* source records: JSON texts or NULL, both in the one allocation */
    char *source_offset;     /* source_texts (one malloc a record less; see record.c) */
    char *source_texts;
    const cw_converter_t *key_conv, *value_conv;
};

/** A sink record over a consumed message, zero copy: the record takes ownership of `rkm`
 *  (destroyed with the record) and borrows its key and payload. Headers are copied. */
cw_record_t *cw_record_from_message(rd_kafka_message_t *rkm, const cw_converter_t *key_conv,
                                    const cw_converter_t *value_conv);
/** An empty source record. */
cw_record_t *cw_record_new_source(const char *topic, int32_t partition,
                                  const char *source_partition, const char *source_offset,
                                  const cw_converter_t *key_conv, const cw_converter_t *value_conv);
void cw_record_free(cw_record_t *r);

/** Recycling of source records (a source batch keeps the records of one poll for the next,
 *  see cw_batch_clear): cw_record_recycle empties a source record for reuse, keeping its
 *  allocation and its value buffer (up to CW_RECORD_SPARE_MAX bytes) so that the next
 *  record's value needs no malloc. Returns 1 (r is empty, for cw_record_reuse_source or
 *  cw_record_free), or 0 when r cannot be reused (not a source record): free it. */
#define CW_RECORD_SPARE_MAX 4096
int cw_record_recycle(cw_record_t *r);
/** A recycled record made a new source record, as cw_record_new_source would. Returns 0, or
 *  -1 when the topic does not fit its room (r is unchanged: free it). */
int cw_record_reuse_source(cw_record_t *r, const char *topic, int32_t partition,
                           const char *source_partition, const char *source_offset,
                           const cw_converter_t *key_conv, const cw_converter_t *value_conv);

/** The bytes to produce for the key / value of a source record: the bytes the plugin set
 *  (in the converter's plain form: JSON text for JsonConverter, which gets the schemaless
 *  {"schema":null,"payload":...} envelope around it when schemas.enable is on), or the
 *  converter's wire form of JSON set with record_set_*_json. *out points into the record (valid until it changes); NULL for a
 *  null. Returns 0 or -1 with errstr. */
int cw_record_wire_key(cw_record_t *r, const void **out, size_t *len, char *errstr,
                       size_t errstr_size);
int cw_record_wire_value(cw_record_t *r, const void **out, size_t *len, char *errstr,
                         size_t errstr_size);

/** librdkafka headers for producing (new list, or NULL when the record has none). */
rd_kafka_headers_t *cw_record_kafka_headers(const cw_record_t *r);

/* The implementations behind the cw_host_t record members. */
const char *cw_record_topic(const cw_record_t *r);
int32_t cw_record_partition(const cw_record_t *r);
int64_t cw_record_offset(const cw_record_t *r);
/* Original coordinates (KIP-793): the consumed message's for a sink record, whatever the
 * transforms changed; the current ones for a source record. */
const char *cw_record_original_topic(const cw_record_t *r);
int32_t cw_record_original_partition(const cw_record_t *r);
int64_t cw_record_original_offset(const cw_record_t *r);
int64_t cw_record_timestamp(const cw_record_t *r);
const void *cw_record_key(cw_record_t *r, size_t *len);
const void *cw_record_value(cw_record_t *r, size_t *len);
const void *cw_record_value_json_text(cw_record_t *r, size_t *len);
int cw_record_key_format(cw_record_t *r, cw_data_format_t *out);
int cw_record_value_format(cw_record_t *r, cw_data_format_t *out);
json_t *cw_record_key_json(cw_record_t *r, char *errstr, size_t errstr_size);
json_t *cw_record_value_json(cw_record_t *r, char *errstr, size_t errstr_size);
json_t *cw_record_key_json_mut(cw_record_t *r, char *errstr, size_t errstr_size);
json_t *cw_record_value_json_mut(cw_record_t *r, char *errstr, size_t errstr_size);
size_t cw_record_header_count(const cw_record_t *r);
int cw_record_header_get(const cw_record_t *r, size_t idx, const char **name, const void **value,
                         size_t *len);
int cw_record_header_find(const cw_record_t *r, const char *name, const void **value, size_t *len);
void cw_record_set_topic(cw_record_t *r, const char *topic);
void cw_record_set_partition(cw_record_t *r, int32_t partition);
void cw_record_set_timestamp(cw_record_t *r, int64_t timestamp_ms);
void cw_record_set_key(cw_record_t *r, const void *data, size_t len);
void cw_record_set_value(cw_record_t *r, const void *data, size_t len);
/** As cw_record_set_value, for JSON text the plugin vouches for: JsonConverter does not check
 *  it again (but in builds without NDEBUG, see cw_host_t.record_set_value_json_text). */
void cw_record_set_value_json_text(cw_record_t *r, const void *data, size_t len);
void cw_record_set_key_json(cw_record_t *r, json_t *value);
void cw_record_set_value_json(cw_record_t *r, json_t *value);
void cw_record_header_add(cw_record_t *r, const char *name, const void *value, size_t len);
size_t cw_record_header_remove(cw_record_t *r, const char *name);
#endif
