/* Kafka Connect Cast: the spec ("type" for the whole value, or "field:type,...") and the
 * casting rules between JSON values. Pure logic, unit-tested directly. */
#ifndef TF_CAST_SPEC_H
#define TF_CAST_SPEC_H
#include <stddef.h>
#include <jansson.h>

typedef enum cast_type {
    CAST_INT8,
    CAST_INT16,
    CAST_INT32,
    CAST_INT64,
    CAST_FLOAT32,
    CAST_FLOAT64,
    CAST_BOOLEAN,
    CAST_STRING
} cast_type_t;

typedef struct cast_item {
    char *field; /* NULL: the whole value */
    cast_type_t type;
} cast_item_t;

typedef struct cast_spec {
    cast_item_t *items;
    size_t n;
} cast_spec_t;

/** Parses a type name (int8 ... string, case-insensitive). Returns 0 or -1. */
int cast_type_parse(const char *name, cast_type_t *out);
const char *cast_type_name(cast_type_t t);
/** Parses the items of a spec (already split on commas). Returns 0, or -1 with errstr. */
int cast_spec_parse(const char *const *items, size_t count, cast_spec_t *out, char *errstr,
                    size_t n);
void cast_spec_free(cast_spec_t *s);

/** Casts `in` (borrowed) to `type`. Returns a new reference, or NULL with errstr naming the
 *  value and the reason (out of range, not a number, ...). null stays null. */
json_t *cast_value(const json_t *in, cast_type_t type, char *errstr, size_t n);
/** The shortest-real JSON encoder used for casting objects and arrays to string (the host's
 *  json_encode). Set once at module init, before any cast. */
void cast_set_encoder(char *(*encode)(const json_t *, size_t *), void (*free_fn)(void *));
#endif
