/* A JSON value shown in an error message (connect-worker/sdk_json.h). */
#include "connect-worker/sdk_json.h"

#include <jansson.h>
#include <stdio.h>

/* Enough of a string to recognise it, and only printable ASCII: a message goes to logs. */
#define SHOWN 60

void cw_sdk_json_describe(const struct json_t *v, char *buf, size_t size) {
    if (!size) return;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v), o = (size_t)snprintf(buf, size, "'");
        for (size_t i = 0; i < len && i < SHOWN && o + 8 < size; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (ch >= 0x20 && ch < 0x7f && ch != '\\')
                buf[o++] = (char)ch;
            else
                o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
        }
        if (o < size) snprintf(buf + o, size - o, "%s'", len > SHOWN ? "..." : "");
    } else if (json_is_integer(v)) {
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(buf, size, "%.17g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
    } else if (json_is_object(v) || json_is_array(v)) {
        snprintf(buf, size, "%s", json_is_object(v) ? "(an object)" : "(an array)");
    } else {
        snprintf(buf, size, "null");
    }
}
