/* Kafka Connect `bytes` and `Decimal` values as JsonConverter carries them in its schemas
 * envelope: bytes as base64 text; a Decimal (logical type on bytes) as base64 of its unscaled
 * value, big-endian two's complement (Java's BigInteger.toByteArray), with the schema's
 * "scale" parameter, or as a JSON number under decimal.format=NUMERIC. Confluent's JDBC sink
 * binds them as byte arrays and BigDecimals; here they become SQL literals: bytes as hex
 * (the dialect's binary literal), a Decimal as its exact decimal text. Base64 and the big
 * integer are OpenSSL's (EVP_DecodeBlock, BN_*). */
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jdbc_sink.h"

/* Decodes base64 text; NULL with errstr when it is not base64. *len receives the length. */
static unsigned char *b64_decode(const char *s, size_t n, size_t *len, char *errstr, size_t en) {
    if (n % 4 != 0 || n > (size_t)1 << 30) {
        snprintf(errstr, en, "is not base64 (length %zu)", n);
        return NULL;
    }
    unsigned char *buf = malloc(n / 4 * 3 + 1);
    if (!buf) {
        snprintf(errstr, en, "out of memory");
        return NULL;
    }
    int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n) : 0;
    if (got < 0) {
        free(buf);
        snprintf(errstr, en, "is not base64");
        return NULL;
    }
    /* EVP_DecodeBlock counts padding as zero bytes */
    if (n >= 1 && s[n - 1] == '=') got--;
    if (n >= 2 && s[n - 2] == '=') got--;
    *len = (size_t)got;
    return buf;
}

json_t *jdbc_decode_bytes(const json_t *v, char *errstr, size_t en) {
    if (!json_is_string(v)) {
        snprintf(errstr, en, "is a bytes field but not base64 text");
        return NULL;
    }
    size_t len = 0;
    unsigned char *b = b64_decode(json_string_value(v), json_string_length(v), &len, errstr, en);
    if (!b) return NULL;
    char *hex = malloc(2 * len + 1);
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; hex && i < len; i++) {
        hex[2 * i] = digits[b[i] >> 4];
        hex[2 * i + 1] = digits[b[i] & 15];
    }
    if (hex) hex[2 * len] = 0;
    free(b);
    json_t *out = hex ? json_stringn(hex, 2 * len) : NULL;
    free(hex);
    if (!out) snprintf(errstr, en, "out of memory");
    return out;
}

/* digits (an optional '-' then decimal digits) of the unscaled value, with the point put
 * `scale` places from the right: "-1234", 2 -> "-12.34"; "5", 3 -> "0.005"; "7", -2 -> "700". */
static json_t *scaled_text(const char *digits, int scale) {
    int neg = digits[0] == '-';
    const char *d = digits + neg;
    size_t nd = strlen(d), cap = nd + (size_t)abs(scale) + 4;
    char *s = malloc(cap), *p = s;
    if (!s) return NULL;
    if (neg) *p++ = '-';
    if (scale <= 0) {
        memcpy(p, d, nd);
        p += nd;
        for (int i = 0; i < -scale && strcmp(d, "0"); i++) *p++ = '0';
    } else if (nd > (size_t)scale) {
        memcpy(p, d, nd - (size_t)scale);
        p += nd - (size_t)scale;
        *p++ = '.';
        memcpy(p, d + nd - (size_t)scale, (size_t)scale);
        p += scale;
    } else {
        *p++ = '0';
        *p++ = '.';
        for (size_t i = nd; i < (size_t)scale; i++) *p++ = '0';
        memcpy(p, d, nd);
        p += nd;
    }
    *p = 0;
    json_t *out = json_string(s);
    free(s);
    return out;
}

/* The unscaled value of two's complement big-endian bytes, as decimal digits (OpenSSL's). */
static char *unscaled_digits(const unsigned char *b, size_t len) {
    BIGNUM *x = BN_bin2bn(b, (int)len, NULL);
    char *dec = NULL;
    if (x && len && (b[0] & 0x80)) { /* negative: x - 2^(8 len) */
        BIGNUM *m = BN_new();
        if (m && BN_set_bit(m, (int)(8 * len)) && BN_sub(x, x, m)) dec = BN_bn2dec(x);
        BN_free(m);
    } else if (x) {
        dec = BN_bn2dec(x);
    }
    BN_free(x);
    if (!dec) return NULL;
    char *copy = strdup(dec);
    OPENSSL_free(dec);
    return copy;
}

json_t *jdbc_decode_decimal(const json_t *v, int scale, char *errstr, size_t en) {
    char num[64];
    if (json_is_integer(v)) { /* decimal.format=NUMERIC: the value itself */
        if (scale > 0 && scale < 30)
            snprintf(num, sizeof num, "%lld.%0*d", (long long)json_integer_value(v), scale, 0);
        else
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return json_string(num);
    }
    if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.*f", scale > 0 && scale < 30 ? scale : 0, json_real_value(v));
        return json_string(num);
    }
    if (!json_is_string(v)) {
        snprintf(errstr, en, "is a Decimal but neither base64 text nor a number");
        return NULL;
    }
    size_t len = 0;
    unsigned char *b = b64_decode(json_string_value(v), json_string_length(v), &len, errstr, en);
    if (!b) return NULL;
    char *digits = len ? unscaled_digits(b, len) : NULL;
    free(b);
    if (!digits) {
        snprintf(errstr, en, "is a Decimal with %s", len ? "no value (out of memory)" : "no bytes");
        return NULL;
    }
    json_t *out = scaled_text(digits, scale);
    free(digits);
    if (!out) snprintf(errstr, en, "out of memory");
    return out;
}
