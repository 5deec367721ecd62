/* The transforms module: every Kafka Connect SMT and predicate in one shared object. */
#include "tf.h"
#include "cast_spec.h"

#define KV(id) extern const cw_plugin_t tf_##id##_key, tf_##id##_value;
KV(replace_field)
KV(insert_field) KV(mask_field) KV(extract_field) KV(hoist_field) KV(flatten) KV(cast)
    KV(timestamp_converter) KV(header_from) extern const cw_plugin_t tf_value_to_key,
    tf_timestamp_router, tf_regex_router, tf_filter, tf_insert_header, tf_drop_headers,
    tf_topic_name_matches, tf_has_header_key, tf_record_is_tombstone;

#define BOTH(id) &tf_##id##_key, &tf_##id##_value,
static const cw_plugin_t *const plugins[] = {
    BOTH(replace_field) BOTH(insert_field) BOTH(mask_field) BOTH(extract_field) BOTH(hoist_field)
            BOTH(flatten) BOTH(cast) BOTH(timestamp_converter) BOTH(header_from) &
        tf_value_to_key,
    &tf_timestamp_router,
    &tf_regex_router,
    &tf_filter,
    &tf_insert_header,
    &tf_drop_headers,
    &tf_topic_name_matches,
    &tf_has_header_key,
    &tf_record_is_tombstone,
    NULL};

static int module_init(const cw_host_t *host, char *errstr, size_t n) {
    (void)errstr;
    (void)n;
    tf_host = host;
    cast_set_encoder((char *(*)(const json_t *, size_t *))host->json_encode, host->free);
    return CW_OK;
}

static const cw_module_t module = {
    CW_MODULE_HEADER,
    .name = "transforms",
    .plugins = plugins,
    .init = module_init,
};
CW_MODULE_ENTRY(module)
