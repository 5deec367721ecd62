/* The clean transform's streaming path: its JSON reader. simdjson's DOM parser validates the
 * whole value (grammar, UTF-8, numbers) in two passes over the bytes, about a third of what
 * yajl's byte-at-a-time lexer cost, and its decoded strings stay in the parser's buffer until
 * the next value, so nothing is copied out. C++ only in this file; the rest of the plugin
 * sees the C interface of clean_fast_json.h. No exceptions: simdjson's error-code API. */
#include "clean_fast_json.h"

#include <new>
#include <simdjson.h>

struct cf_json {
    simdjson::dom::parser parser;
};

cf_json_t *cf_json_new(void) { return new (std::nothrow) cf_json; }

void cf_json_free(cf_json_t *j) { delete j; }

/* One member's value to its callback; 0 for what the streaming path does not model. */
static int value(simdjson::dom::element v, void *ctx) {
    switch (v.type()) {
    case simdjson::dom::element_type::STRING: {
        std::string_view s;
        return !v.get_string().get(s) && cf_on_string(ctx, s.data(), s.size());
    }
    case simdjson::dom::element_type::INT64: {
        int64_t i;
        return !v.get_int64().get(i) && cf_on_int(ctx, i);
    }
    case simdjson::dom::element_type::DOUBLE: {
        double d;
        return !v.get_double().get(d) && cf_on_real(ctx, d);
    }
    case simdjson::dom::element_type::BOOL: {
        bool b;
        return !v.get_bool().get(b) && cf_on_bool(ctx, b);
    }
    case simdjson::dom::element_type::NULL_VALUE: return cf_on_null(ctx);
    default: return 0; /* objects, arrays; UINT64: beyond int64, which jansson refuses */
    }
}

int cf_json_fields(cf_json_t *j, const char *in, size_t len, void *ctx) {
    simdjson::dom::element doc;
    simdjson::dom::object obj;
    /* parse copies the input into its own padded buffer (simdjson reads past the end). */
    if (j->parser.parse(in, len).get(doc) || doc.get_object().get(obj)) return -1;
    for (simdjson::dom::key_value_pair kv : obj)
        if (!cf_on_key(ctx, kv.key.data(), kv.key.size()) || !value(kv.value, ctx)) return -1;
    return 0;
}
