/* Compact JSON encoding with shortest round-trip reals (host->json_encode). */
#ifndef CW_JSON_ENCODE_H
#define CW_JSON_ENCODE_H
#include <stddef.h>
#include <jansson.h>

/** Encodes `value` compactly (no spaces, object keys in insertion order). Reals use the
 *  shortest of %.15g/%.16g/%.17g that reads back to the same double and always look like a
 *  real (".0" or an exponent). Returns a malloc'd NUL-terminated string (free()), *len set
 *  when len is not NULL; NULL on allocation failure or an unencodable value. */
char *cw_json_encode(const json_t *value, size_t *len);

/** Formats one double in its shortest round-trip form into buf (at least 32 bytes). */
void cw_json_format_real(double d, char *buf, size_t size);
#endif
