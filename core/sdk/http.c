/* HTTP media types and base64 (connect-worker/sdk_http.h). The base64 work is OpenSSL's
 * EVP_EncodeBlock / EVP_DecodeBlock; this file only adds what they leave to the caller:
 * missing padding, the padding bytes EVP_DecodeBlock counts, and a message naming the
 * position of a bad character. */
#include "connect-worker/sdk_http.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int cw_sdk_http_media_type(const char *header, char *out, size_t out_size) {
    if (!out_size) return -1;
    out[0] = '\0';
    if (!header) return 0;
    while (*header == ' ' || *header == '\t') header++;
    size_t n = strcspn(header, ";");
    while (n && (header[n - 1] == ' ' || header[n - 1] == '\t')) n--;
    if (n >= out_size) return -1;
    for (size_t i = 0; i < n; i++) out[i] = (char)tolower((unsigned char)header[i]);
    out[n] = '\0';
    return 0;
}

static int b64_char(unsigned char c) { return isalnum(c) || c == '+' || c == '/'; }

int cw_sdk_base64_decode(const char *in, size_t n, cw_sdk_buf_t *out, char *errstr,
                         size_t errstr_size) {
    size_t data = n, pad = 0;
    while (data && in[data - 1] == '=' && pad < 2) {
        data--;
        pad++;
    }
    for (size_t i = 0; i < data; i++)
        if (!b64_char((unsigned char)in[i])) {
            snprintf(errstr, errstr_size, "invalid base64: unexpected character at position %zu",
                     i);
            return -1;
        }
    if (data % 4 == 1 || (pad && (data + pad) % 4 != 0)) {
        snprintf(errstr, errstr_size, "invalid base64: a length of %zu characters is not possible",
                 n);
        return -1;
    }
    size_t full = (data + 3) / 4 * 4; /* with the padding the encoder would have written */
    size_t missing = full - data;
    if (cw_sdk_buf_reserve(out, full / 4 * 3 + 1) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    /* EVP_DecodeBlock wants whole quanta: decode the padded tail from a small copy. */
    size_t body = data / 4 * 4;
    unsigned char *dst = (unsigned char *)out->data + out->len;
    int got = body ? EVP_DecodeBlock(dst, (const unsigned char *)in, (int)body) : 0;
    if (got < 0) goto bad;
    if (full > body) {
        unsigned char tail[4] = {'=', '=', '=', '='};
        memcpy(tail, in + body, data - body);
        int t = EVP_DecodeBlock(dst + got, tail, 4);
        if (t < 0) goto bad;
        got += t - (int)missing;
    }
    out->len += (size_t)got;
    out->data[out->len] = '\0';
    return 0;
bad:
    snprintf(errstr, errstr_size, "invalid base64");
    return -1;
}

int cw_sdk_base64_encode(const void *in, size_t n, cw_sdk_buf_t *out) {
    size_t enc = (n + 2) / 3 * 4;
    if (cw_sdk_buf_reserve(out, enc + 1) != 0) return -1;
    int w = EVP_EncodeBlock((unsigned char *)out->data + out->len, in, (int)n);
    out->len += (size_t)w;
    out->data[out->len] = '\0';
    return 0;
}
