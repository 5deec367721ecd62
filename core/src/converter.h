/* Kafka Connect converters: the wire bytes of a key or value <-> schemaless JSON. */
#ifndef CW_CONVERTER_H
#define CW_CONVERTER_H
#include <stddef.h>
#include <jansson.h>
#include "connect-worker/plugin.h"
#include "props.h"

/* cw_converter_kind_t (CW_CONVERTER_JSON, _STRING, _BYTES) is public: plugin.h. */
typedef struct cw_converter {
    cw_converter_kind_t kind;
    int schemas_enable; /**< JSON only: the {"schema":...,"payload":...} envelope */
} cw_converter_t;

/** Accepts the Kafka Connect class names and the short names json, string, bytes.
 *  Returns 0, or -1 when unknown. */
int cw_converter_kind_parse(const char *name, cw_converter_kind_t *kind);
/** The allowed converter names, for messages and --describe. */
extern const char *const cw_converter_names;

/** Kafka configures a converter from the keys of the file that names it: a connector that
 *  does not override key.converter / value.converter runs the worker's converter with the
 *  worker's keys. Plugins see only their connector's config, so the worker file's
 *  JsonConverter keys that plugins read (decimal.format: a source that writes Connect
 *  Decimals must know the form) are copied into `connector` when it neither overrides the
 *  converter nor sets the key itself. */
void cw_converter_inherit(const cw_props_t *worker, cw_props_t *connector);

/** Bytes -> JSON. `data` NULL means a null key/value and gives JSON null. On failure returns
 *  NULL and writes the reason into errstr (e.g. "invalid JSON at byte 17: ..."). The result is
 *  a new reference. */
json_t *cw_converter_to_json(const cw_converter_t *c, const void *data, size_t len, char *errstr,
                             size_t errstr_size);

/** JSON -> bytes. `envelope` non-zero writes the wire form (JsonConverter with
 *  schemas.enable gets {"schema":null,"payload":...}); zero gives the plain view plugins
 *  see through record_value. JSON null (or value NULL) gives *out NULL, *len 0 (a null).
 *  Otherwise *out is malloc'd. Returns 0, or -1 with errstr (e.g. ByteArrayConverter given a
 *  value that is not base64 text). */
int cw_converter_from_json(const cw_converter_t *c, const json_t *value, int envelope, char **out,
                           size_t *len, char *errstr, size_t errstr_size);
#endif
