/* Java .properties files (and Kafka Connect REST-form JSON connector files) as an ordered
 * list of key/value pairs, with Kafka's config providers ${env:NAME} and ${file:path:key}. */
#ifndef CW_PROPS_H
#define CW_PROPS_H
#include <stddef.h>

typedef struct cw_props cw_props_t;

cw_props_t *cw_props_new(void);
void cw_props_free(cw_props_t *p);
cw_props_t *cw_props_copy(const cw_props_t *p);

/** Loads a file: Java .properties syntax (comments # and !, `key=value`, `key: value`,
 *  `key value`, backslash escapes incl. \uXXXX, line continuations), or, when the first
 *  non-blank character is '{', Kafka Connect's REST form {"name": ..., "config": {...}}
 *  (then `name` is set from the top-level name unless config has one) or a flat JSON
 *  object. A later duplicate key overrides an earlier one. Remembers `path` as the origin
 *  for messages. Returns 0, or -1 with errstr naming the file and line. */
int cw_props_load_file(cw_props_t *p, const char *path, char *errstr, size_t errstr_size);
/** Parses .properties text; `origin` names it in errors. Same return convention. */
int cw_props_parse(cw_props_t *p, const char *text, size_t len, const char *origin, char *errstr,
                   size_t errstr_size);

/** Replaces ${env:NAME} and ${file:/path:key} (key looked up in that .properties file; the
 *  whole file content when :key is absent) in every value. An unset variable or missing
 *  file is an error naming the key that referenced it and the origin. Returns 0 or -1. */
int cw_props_resolve(cw_props_t *p, char *errstr, size_t errstr_size);

const char *cw_props_get(const cw_props_t *p, const char *key);
/** Sets (copying both); replaces an existing key in place, keeping its position. */
void cw_props_set(cw_props_t *p, const char *key, const char *value);
void cw_props_unset(cw_props_t *p, const char *key);
size_t cw_props_count(const cw_props_t *p);
const char *cw_props_key_at(const cw_props_t *p, size_t i);
const char *cw_props_value_at(const cw_props_t *p, size_t i);
/** The file the props came from ("" when none). */
const char *cw_props_origin(const cw_props_t *p);
void cw_props_set_origin(cw_props_t *p, const char *origin);
/** A new cw_props_t with the keys starting with `prefix`, prefix removed. */
cw_props_t *cw_props_subset(const cw_props_t *p, const char *prefix);
#endif
