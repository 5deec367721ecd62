/* The clean transform's streaming path (clean_fast.c): the JSON reader, simdjson's DOM parser
 * behind a C interface (clean_fast_json.cc). Internal to the plugin. */
#ifndef CLEAN_FAST_JSON_H
#define CLEAN_FAST_JSON_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* A reusable parser: its buffers keep the size of the largest value read so far. One per
 * clean instance (not thread-safe; the worker applies a task's transforms on one thread). */
typedef struct cf_json cf_json_t;
cf_json_t *cf_json_new(void); /* NULL when out of memory */
void cf_json_free(cf_json_t *j);

/* Reads `in` (not NUL-terminated; len bytes) as one JSON value and, when it is an object,
 * hands its members to the callbacks below in input order (duplicates included): the key,
 * then its value. Text handed out is decoded (no escapes), not NUL-terminated, and stays
 * valid until the next cf_json_fields on j. Returns 0 when the whole input is one valid JSON
 * object of scalars (simdjson checks the grammar and UTF-8) and every callback returned 1;
 * -1 for anything else: invalid JSON, not an object, a nested object or array, an integer
 * beyond int64, a callback's refusal. */
int cf_json_fields(cf_json_t *j, const char *in, size_t len, void *ctx);

/* Implemented by clean_fast.c; each returns 1 to go on, 0 to give up. */
int cf_on_key(void *ctx, const char *s, size_t l);
int cf_on_string(void *ctx, const char *s, size_t l);
int cf_on_int(void *ctx, int64_t i);
int cf_on_real(void *ctx, double d);
int cf_on_null(void *ctx);
int cf_on_bool(void *ctx, int b);

#ifdef __cplusplus
}
#endif
#endif
