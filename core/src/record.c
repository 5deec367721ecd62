/* Records: lazily parsed, zero copy for consumed messages. */
#include "record.h"
#include "json_check.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A zeroed record with `extra` bytes after it (not zeroed: the caller fills them): malloc
 * and memset rather than calloc, which in glibc skips the per-thread cache and costs several
 * times as much. One per message. */
static cw_record_t *record_alloc(size_t extra) {
    cw_record_t *r = malloc(sizeof *r + extra);
    if (!r) abort();
    memset(r, 0, sizeof *r);
    return r;
}

static char *xstrdup(const char *s) {
    char *d = strdup(s ? s : "");
    if (!d) abort();
    return d;
}

static char *xmemdup(const void *data, size_t len) {
    char *d = malloc(len + 1);
    if (!d) abort();
    if (len) memcpy(d, data, len);
    d[len] = '\0';
    return d;
}

static void slot_clear(cw_slot_t *s) {
    free(s->owned);
    free(s->spare);
    free(s->wire);
    json_decref(s->json);
    memset(s, 0, sizeof *s);
}

static void header_add(cw_record_t *r, const char *name, size_t name_len, const void *value,
                       size_t len) {
    if (r->nheaders == r->capheaders) {
        r->capheaders = r->capheaders ? r->capheaders * 2 : 4;
        r->headers = realloc(r->headers, r->capheaders * sizeof *r->headers);
        if (!r->headers) abort();
    }
    cw_header_t *h = &r->headers[r->nheaders++];
    h->name = xmemdup(name, name_len);
    h->value = value ? xmemdup(value, len) : NULL;
    h->len = value ? len : 0;
}

cw_record_t *cw_record_from_message(rd_kafka_message_t *rkm, const cw_converter_t *key_conv,
                                    const cw_converter_t *value_conv) {
    cw_record_t *r = record_alloc(0);
    r->rkm = rkm;
    /* The message keeps its topic handle, and so the name, alive as long as the record. */
    r->topic = (char *)rd_kafka_topic_name(rkm->rkt);
    r->topic_borrowed = 1;
    r->partition = rkm->partition;
    r->offset = rkm->offset;
    rd_kafka_timestamp_type_t tstype;
    int64_t ts = rd_kafka_message_timestamp(rkm, &tstype);
    r->timestamp = tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? CW_TIMESTAMP_NONE : ts;
    r->key.data = rkm->key;
    r->key.len = rkm->key ? rkm->key_len : 0;
    r->value.data = rkm->payload;
    r->value.len = rkm->payload ? rkm->len : 0;
    r->key_conv = key_conv;
    r->value_conv = value_conv;
    /* Headers are read from the message when first asked for: most sinks never look, and
     * librdkafka's parse costs about as much as the rest of this function. */
    r->headers_pending = 1;
    return r;
}

/* Copies a consumed message's headers into the record on first use. The record is logically
 * const for the callers that only read headers: this fills in what it already held. */
static void headers_load(const cw_record_t *cr) {
    if (!cr->headers_pending) return;
    cw_record_t *r = (cw_record_t *)cr;
    r->headers_pending = 0;
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(r->rkm, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
        const char *name;
        const void *val;
        size_t len;
        for (size_t i = 0;
             rd_kafka_header_get_all(hdrs, i, &name, &val, &len) == RD_KAFKA_RESP_ERR_NO_ERROR; i++)
            header_add(r, name, strlen(name), val, len);
    }
}

/* A source record's fields in r (zeroed, or emptied by cw_record_recycle). */
static void source_init(cw_record_t *r, const char *topic, size_t tl, int32_t partition,
                        const char *source_partition, const char *source_offset,
                        const cw_converter_t *key_conv, const cw_converter_t *value_conv) {
    r->topic = memcpy((char *)(r + 1), topic, tl + 1);
    r->topic_borrowed = 1;
    r->partition = partition;
    r->offset = -1;
    r->timestamp = CW_TIMESTAMP_NONE;
    /* Source partition and offset in one block (the in-flight queue takes it over, see
     * source_inflight.c): one malloc and one free a record instead of two. */
    size_t pl = source_partition ? strlen(source_partition) + 1 : 0;
    size_t ol = source_offset ? strlen(source_offset) + 1 : 0;
    if (pl + ol) {
        r->source_texts = malloc(pl + ol);
        if (!r->source_texts) abort();
        if (pl) r->source_partition = memcpy(r->source_texts, source_partition, pl);
        if (ol) r->source_offset = memcpy(r->source_texts + pl, source_offset, ol);
    }
    r->key_conv = key_conv;
    r->value_conv = value_conv;
}

cw_record_t *cw_record_new_source(const char *topic, int32_t partition,
                                  const char *source_partition, const char *source_offset,
                                  const cw_converter_t *key_conv,
                                  const cw_converter_t *value_conv) {
    /* The topic lives in the record's own allocation (one malloc less a source record):
     * borrowed, as record_set_topic's replacement is not. */
    topic = topic ? topic : "";
    size_t tl = strlen(topic);
    cw_record_t *r = record_alloc(tl + 1);
    r->topic_room = tl + 1;
    source_init(r, topic, tl, partition, source_partition, source_offset, key_conv, value_conv);
    return r;
}

int cw_record_reuse_source(cw_record_t *r, const char *topic, int32_t partition,
                           const char *source_partition, const char *source_offset,
                           const cw_converter_t *key_conv, const cw_converter_t *value_conv) {
    topic = topic ? topic : "";
    size_t tl = strlen(topic);
    if (tl + 1 > r->topic_room) return -1;
    source_init(r, topic, tl, partition, source_partition, source_offset, key_conv, value_conv);
    return 0;
}

int cw_record_recycle(cw_record_t *r) {
    if (!r->topic_room || r->rkm) return 0;
    /* keep one value buffer of a size worth keeping: the one in use, or the spare */
    cw_slot_t *v = &r->value;
    char *spare = NULL;
    size_t room = 0;
    if (v->owned && v->owned_room && v->owned_room <= CW_RECORD_SPARE_MAX) {
        spare = v->owned;
        room = v->owned_room;
        v->owned = NULL;
    } else if (v->spare && v->spare_room <= CW_RECORD_SPARE_MAX) {
        spare = v->spare;
        room = v->spare_room;
        v->spare = NULL;
    }
    slot_clear(&r->key);
    slot_clear(v);
    v->spare = spare;
    v->spare_room = room;
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    if (!r->topic_borrowed) free(r->topic);
    free(r->source_texts);
    size_t topic_room = r->topic_room;
    cw_slot_t key = r->key, value = r->value;
    memset(r, 0, sizeof *r);
    r->topic_room = topic_room;
    r->key = key;
    r->value = value;
    return 1;
}

void cw_record_free(cw_record_t *r) {
    if (!r) return;
    slot_clear(&r->key);
    slot_clear(&r->value);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    if (!r->topic_borrowed) free(r->topic);
    if (r->rkm) rd_kafka_message_destroy(r->rkm);
    free(r->source_texts);
    free(r);
}

/* --- bytes views ------------------------------------------------------------------------ */

static const void *slot_bytes(cw_slot_t *s, const cw_converter_t *c, size_t *len) {
    if (s->json_wins) {
        char err[256], *out = NULL;
        size_t n = 0;
        /* The plain view cannot fail except for ByteArrayConverter with non-base64 text;
         * then the compact JSON is the most honest bytes we can show. */
        if (cw_converter_from_json(c, s->json, 0, &out, &n, err, sizeof err) != 0) {
            cw_converter_t plain = {CW_CONVERTER_JSON, 0};
            cw_converter_from_json(&plain, s->json, 0, &out, &n, err, sizeof err);
            s->json_form = CW_BYTES_JSON;
        } else if (!out) {
            s->json_form = CW_BYTES_NULL;
        } else if (c->kind == CW_CONVERTER_JSON || !json_is_string(s->json)) {
            /* StringConverter shows a non-string value compactly (as JsonConverter would). */
            s->json_form = CW_BYTES_JSON;
        } else {
            s->json_form = c->kind == CW_CONVERTER_STRING ? CW_BYTES_TEXT : CW_BYTES_BINARY;
        }
        if (out && s->data && s->data == s->owned && s->len == n && !memcmp(out, s->data, n)) {
            free(out); /* unchanged: bytes handed out earlier stay valid (record_value) */
        } else {
            free(s->owned);
            s->owned = out;
            s->owned_room = 0; /* not ours to size: not reused */
            s->data = out;
            s->len = n;
        }
    }
    if (len) *len = s->data ? s->len : 0;
    return s->data;
}

const void *cw_record_key(cw_record_t *r, size_t *len) {
    return slot_bytes(&r->key, r->key_conv, len);
}
const void *cw_record_value(cw_record_t *r, size_t *len) {
    return slot_bytes(&r->value, r->value_conv, len);
}

/* Plain JSON text a streaming reader may use instead of the tree: only while the bytes are
 * authoritative and are JSON without the schemas envelope (bytes a plugin set are plain). */
const void *cw_record_value_json_text(cw_record_t *r, size_t *len) {
    const cw_slot_t *s = &r->value;
    *len = 0;
    if (s->json_wins || !s->data || r->value_conv->kind != CW_CONVERTER_JSON) return NULL;
    if (r->value_conv->schemas_enable && !s->plain) return NULL;
    *len = s->len;
    return s->data;
}

/* The converter view (cw_host_t.record_*_format). */
static int slot_format(cw_slot_t *s, const cw_converter_t *c, cw_data_format_t *out) {
    /* The ABI 2 struct is the smallest a caller may pass; later members are filled only
     * when they fit in out->struct_size. */
    if (!out || out->struct_size < offsetof(cw_data_format_t, form) + sizeof out->form)
        return CW_ERR_FATAL;
    cw_bytes_form_t form;
    if (s->json_wins) {
        slot_bytes(s, c, NULL);
        form = s->json_form;
    } else if (!s->data) {
        form = CW_BYTES_NULL;
    } else if (c->kind == CW_CONVERTER_STRING) {
        form = CW_BYTES_TEXT;
    } else if (c->kind == CW_CONVERTER_BYTES) {
        form = CW_BYTES_BINARY;
    } else {
        /* Bytes a plugin set are the plain form; consumed ones the wire form. */
        form = c->schemas_enable && !s->plain ? CW_BYTES_JSON_ENVELOPE : CW_BYTES_JSON;
    }
    out->converter = c->kind;
    out->schemas_enable = c->kind == CW_CONVERTER_JSON && c->schemas_enable;
    out->form = form;
    return CW_OK;
}

int cw_record_key_format(cw_record_t *r, cw_data_format_t *out) {
    return slot_format(&r->key, r->key_conv, out);
}
int cw_record_value_format(cw_record_t *r, cw_data_format_t *out) {
    return slot_format(&r->value, r->value_conv, out);
}

/* JSON text a plugin vouched for is produced unchecked in the shipped (NDEBUG) build; the
 * builds the tests run check it like any other, so that a plugin's wrong writer fails there. */
#ifdef NDEBUG
#define TRUST_VOUCHED 1
#else
#define TRUST_VOUCHED 0
#endif

static int slot_wire(cw_slot_t *s, const cw_converter_t *c, const void **out, size_t *len,
                     char *errstr, size_t errstr_size) {
    if (!s->json_wins && s->plain && s->data && c->kind == CW_CONVERTER_JSON &&
        !(TRUST_VOUCHED && s->vouched) && !cw_json_surely_valid(s->data, s->len)) {
        /* JsonConverter must never write something that is not JSON: bytes a plugin set are
         * checked before they are produced. The fast check above vouches for the common
         * case; jansson parses (and drops) the rest and explains what is wrong. */
        json_error_t jerr;
        /* INT_AS_REAL: jansson refuses integers beyond int64 (a MySQL BIGINT UNSIGNED is
         * valid JSON all the same); as reals they parse, and the probe is thrown away. */
        json_t *probe = json_loadb(
            s->data, s->len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &jerr);
        if (!probe && s->vouched) {
            snprintf(errstr, errstr_size,
                     "JsonConverter: the text the plugin set with record_set_value_json_text, "
                     "vouching that it is JSON, is not (invalid JSON at byte %d: %s): the "
                     "plugin's JSON writer is wrong",
                     jerr.position, jerr.text);
            return -1;
        }
        if (!probe) {
            snprintf(errstr, errstr_size,
                     "JsonConverter: the bytes set by the plugin are not JSON text (invalid "
                     "JSON at byte %d: %s); text must be set as a JSON string "
                     "(record_set_value_json) or use StringConverter",
                     jerr.position, jerr.text);
            return -1;
        }
        json_decref(probe);
    }
    if (!s->json_wins && s->plain && s->data && c->kind == CW_CONVERTER_JSON && c->schemas_enable) {
        /* Bytes a source set are JSON text in the plain form (what record_value shows):
         * JsonConverter with schemas.enable adds the schemaless envelope around them without
         * parsing them. */
        static const char head[] = "{\"schema\":null,\"payload\":";
        free(s->wire);
        s->wire = malloc(sizeof head - 1 + s->len + 2);
        if (!s->wire) abort();
        memcpy(s->wire, head, sizeof head - 1);
        memcpy(s->wire + sizeof head - 1, s->data, s->len);
        memcpy(s->wire + sizeof head - 1 + s->len, "}", 2);
        *out = s->wire;
        *len = sizeof head - 1 + s->len + 1;
        return 0;
    }
    if (!s->json_wins) {
        *out = s->data;
        *len = s->data ? s->len : 0;
        return 0;
    }
    free(s->wire);
    s->wire = NULL;
    if (cw_converter_from_json(c, s->json, 1, &s->wire, len, errstr, errstr_size) != 0) return -1;
    *out = s->wire;
    return 0;
}

int cw_record_wire_key(cw_record_t *r, const void **out, size_t *len, char *errstr,
                       size_t errstr_size) {
    return slot_wire(&r->key, r->key_conv, out, len, errstr, errstr_size);
}
int cw_record_wire_value(cw_record_t *r, const void **out, size_t *len, char *errstr,
                         size_t errstr_size) {
    return slot_wire(&r->value, r->value_conv, out, len, errstr, errstr_size);
}

/* --- JSON views ------------------------------------------------------------------------- */

static json_t *slot_json(cw_slot_t *s, const cw_converter_t *c, int mutable, char *errstr,
                         size_t errstr_size) {
    if (!s->json) {
        char err[512];
        cw_converter_t plain = *c;
        if (s->plain) plain.schemas_enable = 0; /* no envelope in what a plugin set */
        s->json = cw_converter_to_json(&plain, s->data, s->len, err, sizeof err);
        if (!s->json) {
            if (errstr && errstr_size) snprintf(errstr, errstr_size, "%s", err);
            return NULL;
        }
    }
    if (mutable) s->json_wins = 1;
    return s->json;
}

json_t *cw_record_key_json(cw_record_t *r, char *errstr, size_t errstr_size) {
    return slot_json(&r->key, r->key_conv, 0, errstr, errstr_size);
}
json_t *cw_record_value_json(cw_record_t *r, char *errstr, size_t errstr_size) {
    return slot_json(&r->value, r->value_conv, 0, errstr, errstr_size);
}
json_t *cw_record_key_json_mut(cw_record_t *r, char *errstr, size_t errstr_size) {
    return slot_json(&r->key, r->key_conv, 1, errstr, errstr_size);
}
json_t *cw_record_value_json_mut(cw_record_t *r, char *errstr, size_t errstr_size) {
    return slot_json(&r->value, r->value_conv, 1, errstr, errstr_size);
}

/* --- changing --------------------------------------------------------------------------- */

static void slot_set_bytes(cw_slot_t *s, const void *data, size_t len) {
    char *copy = NULL;
    size_t room = 0;
    if (data && s->spare && s->spare_room > len) {
        /* a recycled record: its old buffer fits (no malloc) */
        copy = s->spare;
        room = s->spare_room;
        s->spare = NULL;
    } else if (data) {
        /* rounded up, so that a recycled record's buffer fits the next value of about the
         * same size */
        room = (len + 64) & ~(size_t)63;
        copy = malloc(room);
        if (!copy) abort();
    }
    if (copy) {
        if (len) memcpy(copy, data, len);
        copy[len] = '\0';
    }
    slot_clear(s);
    s->owned_room = room;
    s->owned = copy;
    s->data = copy;
    s->len = data ? len : 0;
    s->plain = 1;
}

static void slot_set_json(cw_slot_t *s, json_t *value) {
    slot_clear(s);
    s->json = value ? value : json_null();
    s->json_wins = 1;
}

void cw_record_set_key(cw_record_t *r, const void *data, size_t len) {
    slot_set_bytes(&r->key, data, len);
}
void cw_record_set_value(cw_record_t *r, const void *data, size_t len) {
    slot_set_bytes(&r->value, data, len);
}
void cw_record_set_value_json_text(cw_record_t *r, const void *data, size_t len) {
    slot_set_bytes(&r->value, data, len);
    r->value.vouched = data != NULL;
}
void cw_record_set_key_json(cw_record_t *r, json_t *value) { slot_set_json(&r->key, value); }
void cw_record_set_value_json(cw_record_t *r, json_t *value) { slot_set_json(&r->value, value); }

const char *cw_record_topic(const cw_record_t *r) { return r->topic; }
int32_t cw_record_partition(const cw_record_t *r) { return r->partition; }
int64_t cw_record_offset(const cw_record_t *r) { return r->offset; }
int64_t cw_record_timestamp(const cw_record_t *r) { return r->timestamp; }

/* A sink record keeps its message (rkm) for its whole life, and transforms only change the
 * record's own topic and partition: the message is where it was consumed from. */
const char *cw_record_original_topic(const cw_record_t *r) {
    return r->rkm ? rd_kafka_topic_name(r->rkm->rkt) : r->topic;
}
int32_t cw_record_original_partition(const cw_record_t *r) {
    return r->rkm ? r->rkm->partition : r->partition;
}
int64_t cw_record_original_offset(const cw_record_t *r) {
    return r->rkm ? r->rkm->offset : r->offset;
}

void cw_record_set_topic(cw_record_t *r, const char *topic) {
    char *t = xstrdup(topic);
    if (!r->topic_borrowed) free(r->topic);
    r->topic = t;
    r->topic_borrowed = 0;
}
void cw_record_set_partition(cw_record_t *r, int32_t partition) { r->partition = partition; }
void cw_record_set_timestamp(cw_record_t *r, int64_t ts) { r->timestamp = ts; }

/* --- headers ---------------------------------------------------------------------------- */

size_t cw_record_header_count(const cw_record_t *r) {
    headers_load(r);
    return r->nheaders;
}

int cw_record_header_get(const cw_record_t *r, size_t idx, const char **name, const void **value,
                         size_t *len) {
    headers_load(r);
    if (idx >= r->nheaders) return CW_ERR_FATAL;
    if (name) *name = r->headers[idx].name;
    if (value) *value = r->headers[idx].value;
    if (len) *len = r->headers[idx].len;
    return CW_OK;
}

int cw_record_header_find(const cw_record_t *r, const char *name, const void **value, size_t *len) {
    headers_load(r);
    for (size_t i = r->nheaders; i-- > 0;)
        if (strcmp(r->headers[i].name, name) == 0) {
            if (value) *value = r->headers[i].value;
            if (len) *len = r->headers[i].len;
            return 1;
        }
    return 0;
}

void cw_record_header_add(cw_record_t *r, const char *name, const void *value, size_t len) {
    headers_load(r);
    header_add(r, name, strlen(name), value, len);
}

size_t cw_record_header_remove(cw_record_t *r, const char *name) {
    size_t kept = 0, removed = 0;
    headers_load(r);
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].name, name) == 0) {
            free(r->headers[i].name);
            free(r->headers[i].value);
            removed++;
        } else {
            r->headers[kept++] = r->headers[i];
        }
    }
    r->nheaders = kept;
    return removed;
}

rd_kafka_headers_t *cw_record_kafka_headers(const cw_record_t *r) {
    headers_load(r);
    if (!r->nheaders) return NULL;
    rd_kafka_headers_t *h = rd_kafka_headers_new(r->nheaders);
    for (size_t i = 0; i < r->nheaders; i++)
        rd_kafka_header_add(h, r->headers[i].name, -1, r->headers[i].value,
                            r->headers[i].value ? (ssize_t)r->headers[i].len : 0);
    return h;
}
