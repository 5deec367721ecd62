#include "rds_buf.h"
#include <openssl/evp.h>

int rds_buf_json_base64(cw_sdk_buf_t *b, const unsigned char *s, size_t len) {
    size_t out = 4 * ((len + 2) / 3);
    if (cw_sdk_buf_reserve(b, out + 2) != 0) return -1;
    b->data[b->len++] = '"';
    if (len > 0) {
        /* EVP_EncodeBlock takes an int length: encode in chunks that are multiples of 3. */
        size_t done = 0;
        while (done < len) {
            size_t chunk = len - done;
            if (chunk > (size_t)3 * 1024 * 1024) chunk = (size_t)3 * 1024 * 1024;
            int w = EVP_EncodeBlock((unsigned char *)b->data + b->len, s + done, (int)chunk);
            b->len += (size_t)w;
            done += chunk;
        }
    }
    b->data[b->len++] = '"';
    b->data[b->len] = '\0';
    return 0;
}

int rds_json_number_ok(const char *s, size_t len) {
    size_t i = 0;
    if (i < len && s[i] == '-') i++;
    if (i >= len) return 0;
    if (s[i] == '0')
        i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    else
        return 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t st = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t st = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return 0;
    }
    return i == len;
}
