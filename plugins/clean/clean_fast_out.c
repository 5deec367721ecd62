/* The clean transform's streaming path (see clean_fast.c): writing the output by the host encoder's rules. */
#include "clean_fast.h"

/* --- output: the host encoder's rules ----------------------------------------------------- */

/* A JSON string as the host encoder writes it: both use the SDK's escaper (valid UTF-8 in,
 * so nothing is replaced). */
int put_escaped(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
    if (cw_sdk_grow(buf, cap, *len + CW_SDK_JSON_ESCAPE_BOUND(n) + 1)) return -1;
    *len += cw_sdk_json_escape_to(*buf + *len, s, n, 0, NULL);
    return 0;
}

/* The value's JSON into the scratch (cached): the host's json_encode decides how reals look,
 * so this asks it rather than guessing its format. */
int encode_value(clean_fast_t *f, field_t *v) {
    if (v->enc_len) return 0;
    char buf[32];
    const char *t = NULL;
    size_t tl = 0;
    switch (v->type) {
    case FV_NULL:
        t = "null";
        tl = 4;
        break;
    case FV_TRUE:
        t = "true";
        tl = 4;
        break;
    case FV_FALSE:
        t = "false";
        tl = 5;
        break;
    case FV_INT:
        tl = cw_sdk_format_int64(buf, v->i);
        t = buf;
        break;
    case FV_REAL: {
        json_t *j = json_real(v->d);
        char *s = j ? clean_host->json_encode(j, &tl) : NULL;
        json_decref(j);
        if (!s) return -1;
        size_t off = a_add(f, s, tl);
        clean_host->free(s);
        if (off == SIZE_MAX) return -1;
        v->enc = off;
        v->enc_len = tl;
        return 0;
    }
    case FV_STRING: {
        if (v->plain) {
            if (cw_sdk_grow(&f->a, &f->acap, f->alen + v->str_len + 3)) return -1;
            char *w = f->a + f->alen;
            w[0] = '"';
            memcpy(w + 1, f->a + v->str, v->str_len);
            w[v->str_len + 1] = '"';
            w[v->str_len + 2] = 0;
            v->enc = f->alen;
            v->enc_len = v->str_len + 2;
            f->alen += v->str_len + 3;
            return 0;
        }
        /* Room first: the text lives in the same buffer. */
        if (cw_sdk_grow(&f->a, &f->acap, f->alen + v->str_len * 6 + 4)) return -1;
        size_t start = f->alen, len = f->alen;
        char *src_copy = f->a + v->str;
        if (put_escaped(&f->a, &len, &f->acap, src_copy, v->str_len)) return -1;
        f->a[len] = 0;
        v->enc = start;
        v->enc_len = len - start;
        f->alen = len + 1;
        return 0;
    }
    default: return -1; /* FV_ARRAY is encoded when built; FV_NONE cannot be output */
    }
    size_t off = a_add(f, t, tl);
    if (off == SIZE_MAX) return -1;
    v->enc = off;
    v->enc_len = tl;
    return 0;
}

/* A value's JSON straight into the output: what encode_value would put in the scratch for
 * o_put to copy again, written once (reals and arrays, and values encoded before, still go
 * through the scratch). */
static int put_value(clean_fast_t *f, field_t *v) {
    if (v->enc_len || v->type == FV_REAL || v->type == FV_ARRAY) {
        if (encode_value(f, v)) return -1;
        return o_put(f, f->a + v->enc, v->enc_len);
    }
    switch (v->type) {
    case FV_NULL: return o_put(f, "null", 4);
    case FV_TRUE: return o_put(f, "true", 4);
    case FV_FALSE: return o_put(f, "false", 5);
    case FV_INT:
        if (cw_sdk_grow(&f->o, &f->ocap, f->olen + 24)) return -1;
        f->olen += cw_sdk_format_int64(f->o + f->olen, v->i);
        return 0;
    case FV_STRING:
        if (!v->plain) return put_escaped(&f->o, &f->olen, &f->ocap, f->a + v->str, v->str_len);
        if (cw_sdk_grow(&f->o, &f->ocap, f->olen + v->str_len + 3)) return -1;
        f->o[f->olen] = '"';
        memcpy(f->o + f->olen + 1, f->a + v->str, v->str_len);
        f->o[f->olen + v->str_len + 1] = '"';
        f->olen += v->str_len + 2;
        return 0;
    default: return -1; /* FV_NONE cannot be output */
    }
}

static int put_field(clean_fast_t *f, size_t i, field_t *v, int first) {
    if ((!first && o_put(f, ",", 1)) || o_put(f, f->order_key[i], f->order_key_len[i])) return -1;
    if (!v) return o_put(f, "null", 4);
    return put_value(f, v);
}

static int put_name(clean_fast_t *f, const char *nm, size_t l, int plain) {
    if (!plain) return put_escaped(&f->o, &f->olen, &f->ocap, nm, l);
    if (cw_sdk_grow(&f->o, &f->ocap, f->olen + l + 3)) return -1;
    f->o[f->olen] = '"';
    memcpy(f->o + f->olen + 1, nm, l);
    f->o[f->olen + l + 1] = '"';
    f->olen += l + 2;
    return 0;
}

static const char *out_name(const clean_fast_t *f, const field_t *v, size_t *len) {
    if (v->out_name) {
        *len = v->out_name_len;
        return v->out_name;
    }
    *len = v->name_len;
    return f->a + v->name;
}

int finish(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; c->drop && c->drop[i]; i++) {
        field_t *v = find(f, c->drop[i]);
        if (v) v->live = 0;
    }
    if (c->nren) {
        /* Renames keep each field's position; two fields with one name fail the record.
         * Input names are unique, so a collision involves a renamed field. */
        size_t renamed = 0;
        for (size_t i = 0; i < f->nf; i++) {
            field_t *v = &f->f[i];
            if (!v->live) continue;
            for (size_t r = 0; r < c->nren; r++)
                if (strcmp(c->ren_from[r], f->a + v->name) == 0) {
                    v->out_name = c->ren_to[r];
                    v->out_name_len = strlen(c->ren_to[r]);
                }
            renamed += v->out_name != NULL;
        }
        for (size_t i = 0; renamed && i < f->nf; i++) {
            const field_t *v = &f->f[i];
            if (!v->live || !v->out_name) continue;
            renamed--;
            for (size_t j = 0; j < f->nf; j++) {
                size_t l2;
                const char *n2 = j != i && f->f[j].live ? out_name(f, &f->f[j], &l2) : NULL;
                if (n2 && l2 == v->out_name_len && memcmp(n2, v->out_name, l2) == 0) return -1;
            }
        }
    }
    f->olen = 0;
    if (o_put(f, "{", 1)) return -1;
    int first = 1;
    if (f->norder) {
        /* Each live field's output name is looked up among the order names once; output
         * names are unique here (renames checked it), so a name matches one field at most.
         * All lookups come before any output, which may move the names in the scratch. */
        for (size_t i = 0; i < f->norder; i++) f->order_idx[i] = -1;
        for (size_t j = 0; j < f->nf; j++) {
            if (!f->f[j].live) continue;
            size_t l;
            const char *nm = out_name(f, &f->f[j], &l);
            for (size_t i = 0; i < f->norder; i++)
                if (f->order_len[i] == l && !f->order_dup[i] && memcmp(nm, c->order[i], l) == 0) {
                    f->order_idx[i] = (long)j;
                    break;
                }
        }
        for (size_t i = 0; i < f->norder; i++) {
            if (f->order_dup[i]) continue;
            if (put_field(f, i, f->order_idx[i] >= 0 ? &f->f[f->order_idx[i]] : NULL, first))
                return -1;
            first = 0;
        }
    } else {
        for (size_t i = 0; i < f->nf; i++) {
            field_t *v = &f->f[i];
            if (!v->live) continue;
            size_t l;
            const char *nm = out_name(f, v, &l);
            /* The name is written before encode_value may move the scratch it points into. */
            if (!first && o_put(f, ",", 1)) return -1;
            if (put_name(f, nm, l, !v->out_name && v->name_plain) || o_put(f, ":", 1) ||
                put_value(f, v))
                return -1;
            first = 0;
        }
    }
    return o_put(f, "}", 1);
}
