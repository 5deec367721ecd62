/* A minimal in-process host (the cw_host_t table) for the transform tests, the fuzz target
 * and the benchmark: records with topic/partition/offset/timestamp, key, value and headers,
 * and configurations from key/value pairs. It stands in for the worker runtime's host while
 * that is being written; it implements the contracts of plugin.h, not more. */
#ifndef CW_TESTHOST_H
#define CW_TESTHOST_H
#include <stddef.h>
#include <stdint.h>
#include "connect-worker/plugin.h"

const cw_host_t *th_host(void);

/** A configuration over copies of the given pairs; defs (may be NULL) supply defaults. */
cw_config_t *th_config_new(const cw_config_def_t *defs);
void th_config_set(cw_config_t *c, const char *key, const char *value);
void th_config_free(cw_config_t *c);

cw_record_t *th_record_new(const char *topic, int32_t partition, int64_t offset, int64_t ts);
void th_record_free(cw_record_t *r);
/** The record's value bytes as the sink would see them (NULL for a tombstone). */
const void *th_record_value(cw_record_t *r, size_t *len);
#endif
