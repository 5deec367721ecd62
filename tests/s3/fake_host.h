/* A small stand-in for the worker's host table, so the sink's files can be tested (and driven
 * against s3rver) without the runtime. Records and configs are plain structs. */
#ifndef S3_FAKE_HOST_H
#define S3_FAKE_HOST_H
#include "connect-worker/plugin.h"
#include <stddef.h>

struct cw_record {
    char topic[128];
    int32_t partition;
    char orig_topic[128];   /* consumed from (empty: not routed, the same as topic) */
    int32_t orig_partition; /* consumed from, when orig_topic is set */
    int64_t offset, timestamp;
    char *key, *value; /* NULL: null */
    size_t klen, vlen;
    char *hname[4], *hval[4];
    size_t nheaders;
    struct json_t *kjson, *vjson;
    /* The converter view (record_*_format): what the bytes are; the JSON view follows it
     * (TEXT: a string, JSON_ENVELOPE: the payload, BINARY: base64 is not modelled). Set by
     * fake_record_init to CW_BYTES_JSON for a value (NULL for none); kform 0 means JSON. */
    cw_bytes_form_t kform, vform;
};

struct cw_config {
    const char *keys[64];
    const char *values[64];
    size_t n;
    const cw_config_def_t *defs;
    const char *list_cache[64][32];
};

extern cw_host_t fake_host;
extern int fake_bad_records; /* report_bad_record calls */
extern int fake_tolerate;    /* 1: report_bad_record returns CW_OK */
extern int fake_stopping;

void fake_config_init(cw_config_t *c, const cw_config_def_t *defs);
void fake_config_set(cw_config_t *c, const char *key, const char *value);
void fake_config_free(cw_config_t *c);
void fake_record_init(cw_record_t *r, const char *topic, int32_t p, int64_t off, int64_t ts,
                      const char *value);
void fake_record_free(cw_record_t *r);
#endif
