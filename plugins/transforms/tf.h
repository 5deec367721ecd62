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

/** One checker for configure and validate. A transform's parse function fills a zeroed
 *  state from the config and reports every problem with tf_host->validation_error (key
 *  without the transforms.<alias>. prefix); it may leave the state half-filled when it
 *  reports. tf_configure_with runs it for configure (the problems become errstr and
 *  CW_ERR_CONFIG, the state is closed); tf_validate_with runs it for validate and closes
 *  the state. close_fn frees a state and everything in it (NULL members allowed). */
typedef void (*tf_parse_fn)(const cw_config_t *c, cw_validation_t *v, void *state);
int tf_configure_with(const cw_config_t *c, tf_parse_fn parse, size_t size,
                      void (*close_fn)(void *), void **state, char *errstr, size_t n);
void tf_validate_with(const cw_config_t *c, cw_validation_t *v, tf_parse_fn parse, size_t size,
                      void (*close_fn)(void *));
/** Defines `static void name##_validate(ctx, config, v)`, the validate callback running
 *  parse_fn, and `static int name(ctx, config, state, errstr, n)`, the configure running it
 *  through tf_configure_with. */
#define TF_CHECKED(name, parse_fn, type, close_fn)                                                 \
    static void name##_validate(cw_ctx_t *ctx, const cw_config_t *c, cw_validation_t *v) {         \
        (void)ctx;                                                                                 \
        tf_validate_with(c, v, parse_fn, sizeof(type), close_fn);                                  \
    }                                                                                              \
    static int name(cw_ctx_t *ctx, const cw_config_t *c, void **state, char *e, size_t n) {        \
        (void)ctx;                                                                                 \
        return tf_configure_with(c, parse_fn, sizeof(type), close_fn, state, e, n);                \
    }
/** As TF_CHECKED for a $Key / $Value transform: the configure takes the variant and records
 *  it in the state's `which` member (expand TF_KV_CONFIGURE(name) after it). */
#define TF_KV_CHECKED(name, parse_fn, type, close_fn)                                              \
    static void name##_validate(cw_ctx_t *ctx, const cw_config_t *c, cw_validation_t *v) {         \
        (void)ctx;                                                                                 \
        tf_validate_with(c, v, parse_fn, sizeof(type), close_fn);                                  \
    }                                                                                              \
    static int name(cw_ctx_t *ctx, const cw_config_t *c, void **state, char *e, size_t n,          \
                    tf_which_t which) {                                                            \
        (void)ctx;                                                                                 \
        int rc = tf_configure_with(c, parse_fn, sizeof(type), close_fn, state, e, n);              \
        if (rc == CW_OK) ((type *)*state)->which = which;                                          \
        return rc;                                                                                 \
    }

/** A field path: V1 is the whole name; V2 (Kafka's field.syntax.version=V2) splits on dots,
 *  with `backticks` around segments that contain dots (\` for a literal backtick). */
typedef struct tf_path {
    char **seg;
    size_t n;
    char *text; /**< the path as written, for messages */
} tf_path_t;
int tf_path_parse(const char *text, int v2, tf_path_t *out, char *errstr, size_t n);
void tf_path_free(tf_path_t *p);
/** tf_path_parse for a parse function: a problem is reported under `key`. 0 when parsed. */
int tf_path_parse_v(cw_validation_t *v, const char *key, const char *text, int v2, tf_path_t *out);
/** The object holding the last segment (borrowed), or NULL when an intermediate segment is
 *  missing or not an object. */
json_t *tf_path_parent(json_t *root, const tf_path_t *p);
/** The value at the path (borrowed), or NULL. */
json_t *tf_path_get(json_t *root, const tf_path_t *p);
const char *tf_path_leaf(const tf_path_t *p);

/** Reads field.syntax.version (V1 or V2, any case) from config: returns 1 for V2; another
 *  value is reported under the key (as Kafka's validator words it) and reads as V1. */
int tf_syntax_v2(const cw_config_t *config, cw_validation_t *v);

/** A list config value copied as an owned NULL-terminated array (NULL when unset). */
char **tf_list_dup(const cw_config_t *config, const char *key, size_t *count);
void tf_list_free(char **list);
int tf_list_has(char *const *list, const char *s);

/** The shortest decimal text that reads back as d (%.17g at worst). */
void tf_double_text(double d, char *buf, size_t n);

/** Defines the $Key and $Value plugin pair of transform `Name` with the given ops table
 *  builder. The ops tables differ only in configure, which records the variant. */
#define TF_KV_CONFIGURE(fn)                                                                        \
    static int fn##_key(cw_ctx_t *ctx, const cw_config_t *c, void **s, char *e, size_t n) {        \
        return fn(ctx, c, s, e, n, TF_KEY);                                                        \
    }                                                                                              \
    static int fn##_value(cw_ctx_t *ctx, const cw_config_t *c, void **s, char *e, size_t n) {      \
        return fn(ctx, c, s, e, n, TF_VALUE);                                                      \
    }

/** The config row of Kafka's replace.null.with.default (KIP-1040). Upstream it makes a null
 *  field of a Struct read as its schema's default; schemaless JSON has no defaults, so the
 *  key is accepted and has nothing to change (Kafka's schemaless path ignores it too). */
#define TF_REPLACE_NULL_DEF                                                                        \
    {                                                                                              \
        "replace.null.with.default", CW_CFG_BOOL, "true", 0,                                       \
            "Kafka: null Struct fields take their schema default; schemaless values have none, "   \
            "so no effect.",                                                                       \
            NULL, 0, 0                                                                             \
    }

#define TF_VERSION "0.1.0"
#define TF_CLASS "org.apache.kafka.connect.transforms."
#define TF_PRED_CLASS TF_CLASS "predicates."

/** Declares the plugins tf_<id>_key and tf_<id>_value (names Name$Key / Name$Value, aliases
 *  the Kafka Connect class names). cfg must have been expanded by TF_KV_CONFIGURE. */
#define TF_KV_PLUGINS(id, Name, defs, cfg, validate_fn, apply_fn, close_fn, desc)                  \
    TF_KV_HALF(id, key, Name "$Key", defs, cfg##_key, validate_fn, apply_fn, close_fn,             \
               desc " (record key)")                                                               \
    TF_KV_HALF(id, value, Name "$Value", defs, cfg##_value, validate_fn, apply_fn, close_fn,       \
               desc " (record value)")

#define TF_KV_HALF(id, side, full_name, defs, cfg, validate_fn, apply_fn, close_fn, desc)          \
    static const cw_transform_ops_t id##_##side##_ops = {                                          \
        CW_TRANSFORM_OPS_HEADER,                                                                   \
        .configure = cfg,                                                                          \
        .apply = apply_fn,                                                                         \
        .close = close_fn,                                                                         \
    };                                                                                             \
    static const char *const id##_##side##_aliases[] = {TF_CLASS full_name, NULL};                 \
    const cw_plugin_t tf_##id##_##side = {                                                         \
        CW_PLUGIN_HEADER,                                                                          \
        .kind = CW_PLUGIN_TRANSFORM,                                                               \
        .name = full_name,                                                                         \
        .aliases = id##_##side##_aliases,                                                          \
        .version = TF_VERSION,                                                                     \
        .description = desc,                                                                       \
        .config = defs,                                                                            \
        .validate = validate_fn,                                                                   \
        .transform = &id##_##side##_ops,                                                           \
    };

/** Declares the plugin tf_<id> (name Name, alias the Kafka Connect class name). */
#define TF_PLUGIN(id, Name, defs, cfg, validate_fn, apply_fn, close_fn, desc)                      \
    static const cw_transform_ops_t id##_ops = {                                                   \
        CW_TRANSFORM_OPS_HEADER,                                                                   \
        .configure = cfg,                                                                          \
        .apply = apply_fn,                                                                         \
        .close = close_fn,                                                                         \
    };                                                                                             \
    static const char *const id##_aliases[] = {TF_CLASS Name, NULL};                               \
    const cw_plugin_t tf_##id = {                                                                  \
        CW_PLUGIN_HEADER,        .kind = CW_PLUGIN_TRANSFORM, .name = Name,                        \
        .aliases = id##_aliases, .version = TF_VERSION,       .description = desc,                 \
        .config = defs,          .validate = validate_fn,     .transform = &id##_ops,              \
    };
/** Declares the predicate tf_<id> (name Name, alias Kafka's predicate class name). */
#define TF_PREDICATE(id, Name, defs, cfg, validate_fn, test_fn, close_fn, desc)                    \
    static const cw_predicate_ops_t id##_ops = {                                                   \
        CW_PREDICATE_OPS_HEADER,                                                                   \
        .configure = cfg,                                                                          \
        .test = test_fn,                                                                           \
        .close = close_fn,                                                                         \
    };                                                                                             \
    static const char *const id##_aliases[] = {TF_PRED_CLASS Name, NULL};                          \
    const cw_plugin_t tf_##id = {                                                                  \
        CW_PLUGIN_HEADER,        .kind = CW_PLUGIN_PREDICATE, .name = Name,                        \
        .aliases = id##_aliases, .version = TF_VERSION,       .description = desc,                 \
        .config = defs,          .validate = validate_fn,     .predicate = &id##_ops,              \
    };

#endif
