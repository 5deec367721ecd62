/* Shared helpers of the Kafka Connect SMT plugins: access to the host table, the key/value
 * variant of a transform, field paths and error messages that name the field and value. */
#ifndef TF_H
#define TF_H
#include <stdarg.h>
#include <jansson.h>
#include "connect-worker/plugin.h"

/** The host table handed to the module's init; read-only afterwards. */
extern const cw_host_t *tf_host;

/** Which part of the record a $Key / $Value transform works on. */
typedef enum tf_which { TF_VALUE = 0, TF_KEY = 1 } tf_which_t;
const char *tf_which_name(tf_which_t w);

/** The key/value as JSON, read-only or mutable (borrowed; NULL with errstr set on a parse
 *  failure). */
json_t *tf_get(cw_record_t *r, tf_which_t w, char *errstr, size_t n);
json_t *tf_get_mut(cw_record_t *r, tf_which_t w, char *errstr, size_t n);
/** Replaces the key/value; takes one reference of v (NULL: JSON null). */
void tf_set(cw_record_t *r, tf_which_t w, json_t *v);

/** Writes a message to errstr and returns code. */
int tf_err(char *errstr, size_t n, int code, const char *fmt, ...) CW_PRINTF(4, 5);

/** A short, printable rendering of a JSON value for messages: strings quoted and cut at 60
 *  bytes, control bytes and invalid UTF-8 as \xNN. */
void tf_describe(const json_t *v, char *buf, size_t n);
/** JSON type name: object, array, string, integer, real, boolean, null. */
const char *tf_type_name(const json_t *v);

/** A field path: V1 is the whole name; V2 (Kafka's field.syntax.version=V2) splits on dots,
 *  with `backticks` around segments that contain dots (\` for a literal backtick). */
typedef struct tf_path {
    char **seg;
    size_t n;
    char *text;  /**< the path as written, for messages */
} tf_path_t;
int tf_path_parse(const char *text, int v2, tf_path_t *out, char *errstr, size_t n);
void tf_path_free(tf_path_t *p);
/** The object holding the last segment (borrowed), or NULL when an intermediate segment is
 *  missing or not an object. */
json_t *tf_path_parent(json_t *root, const tf_path_t *p);
/** The value at the path (borrowed), or NULL. */
json_t *tf_path_get(json_t *root, const tf_path_t *p);
const char *tf_path_leaf(const tf_path_t *p);

/** Reads field.syntax.version (V1 or V2) from config: returns 1 for V2. */
int tf_syntax_v2(const cw_config_t *config);

/** A list config value copied as an owned NULL-terminated array (NULL when unset). */
char **tf_list_dup(const cw_config_t *config, const char *key, size_t *count);
void tf_list_free(char **list);
int tf_list_has(char *const *list, const char *s);

/** The shortest decimal text that reads back as d (%.17g at worst). */
void tf_double_text(double d, char *buf, size_t n);

/** Defines the $Key and $Value plugin pair of transform `Name` with the given ops table
 *  builder. The ops tables differ only in configure, which records the variant. */
#define TF_KV_CONFIGURE(fn)                                                                  \
    static int fn##_key(cw_ctx_t *ctx, const cw_config_t *c, void **s, char *e, size_t n) {  \
        return fn(ctx, c, s, e, n, TF_KEY);                                                  \
    }                                                                                        \
    static int fn##_value(cw_ctx_t *ctx, const cw_config_t *c, void **s, char *e, size_t n) {\
        return fn(ctx, c, s, e, n, TF_VALUE);                                                \
    }

#define TF_VERSION "0.1.0"
#define TF_CLASS "org.apache.kafka.connect.transforms."
#define TF_PRED_CLASS TF_CLASS "predicates."

/** Declares the plugins tf_<id>_key and tf_<id>_value (names Name$Key / Name$Value, aliases
 *  the Kafka Connect class names). cfg must have been expanded by TF_KV_CONFIGURE. */
#define TF_KV_PLUGINS(id, Name, defs, cfg, apply_fn, close_fn, desc)                          \
    TF_KV_HALF(id, key, Name "$Key", defs, cfg##_key, apply_fn, close_fn, desc " (record key)") \
    TF_KV_HALF(id, value, Name "$Value", defs, cfg##_value, apply_fn, close_fn,               \
               desc " (record value)")

#define TF_KV_HALF(id, side, full_name, defs, cfg, apply_fn, close_fn, desc)                 \
    static const cw_transform_ops_t id##_##side##_ops = {                                    \
        CW_TRANSFORM_OPS_HEADER,                                                             \
        .configure = cfg,                                                                    \
        .apply = apply_fn,                                                                   \
        .close = close_fn,                                                                   \
    };                                                                                       \
    static const char *const id##_##side##_aliases[] = {TF_CLASS full_name, NULL};          \
    const cw_plugin_t tf_##id##_##side = {                                                   \
        CW_PLUGIN_HEADER,                                                                    \
        .kind = CW_PLUGIN_TRANSFORM,                                                         \
        .name = full_name,                                                                   \
        .aliases = id##_##side##_aliases,                                                    \
        .version = TF_VERSION,                                                               \
        .description = desc,                                                                 \
        .config = defs,                                                                      \
        .transform = &id##_##side##_ops,                                                     \
    };

/** Declares the plugin tf_<id> (name Name, alias the Kafka Connect class name). */
#define TF_PLUGIN(id, Name, defs, cfg, apply_fn, close_fn, desc)                              \
    static const cw_transform_ops_t id##_ops = {                                             \
        CW_TRANSFORM_OPS_HEADER,                                                             \
        .configure = cfg,                                                                    \
        .apply = apply_fn,                                                                   \
        .close = close_fn,                                                                   \
    };                                                                                       \
    static const char *const id##_aliases[] = {TF_CLASS Name, NULL};                        \
    const cw_plugin_t tf_##id = {                                                            \
        CW_PLUGIN_HEADER,                                                                    \
        .kind = CW_PLUGIN_TRANSFORM,                                                         \
        .name = Name,                                                                        \
        .aliases = id##_aliases,                                                             \
        .version = TF_VERSION,                                                               \
        .description = desc,                                                                 \
        .config = defs,                                                                      \
        .transform = &id##_ops,                                                              \
    };
/** Declares the predicate tf_<id> (name Name, alias Kafka's predicate class name). */
#define TF_PREDICATE(id, Name, defs, cfg, test_fn, close_fn, desc)                            \
    static const cw_predicate_ops_t id##_ops = {                                             \
        CW_PREDICATE_OPS_HEADER,                                                             \
        .configure = cfg,                                                                    \
        .test = test_fn,                                                                     \
        .close = close_fn,                                                                   \
    };                                                                                       \
    static const char *const id##_aliases[] = {TF_PRED_CLASS Name, NULL};                   \
    const cw_plugin_t tf_##id = {                                                            \
        CW_PLUGIN_HEADER,                                                                    \
        .kind = CW_PLUGIN_PREDICATE,                                                         \
        .name = Name,                                                                        \
        .aliases = id##_aliases,                                                             \
        .version = TF_VERSION,                                                               \
        .description = desc,                                                                 \
        .config = defs,                                                                      \
        .predicate = &id##_ops,                                                              \
    };

#endif
