/* The clean transform's streaming path (see clean_fast.c): writing the output by the host
 * encoder's rules. */
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
        size_t n = v->str.len;
        /* Room first: the text may live in the same buffer (so it is found after growing). */
        if (cw_sdk_grow(&f->a, &f->acap, f->alen + (v->plain ? n + 3 : n * 6 + 4))) return -1;
        const char *src = text_at(f, &v->str);
        size_t start = f->alen, len = f->alen;
        if (v->plain) {
            char *w = f->a + start;
            w[0] = '"';
            memcpy(w + 1, src, n);
            w[n + 1] = '"';
            len += n + 2;
        } else if (put_escaped(&f->a, &len, &f->acap, src, n)) {
            return -1;
        }
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

/* Values that go through the scratch (reals, arrays) are encoded there first. */
static int prepare_value(clean_fast_t *f, field_t *v) {
    return !v->enc_len && (v->type == FV_REAL || v->type == FV_ARRAY) ? encode_value(f, v) : 0;
}

/* The most a value's JSON takes (prepared: reals and arrays are encoded). */
static size_t value_max(const field_t *v) {
    if (v->enc_len) return v->enc_len;
    if (v->type != FV_STRING) return CW_SDK_INT64_TEXT_MAX;
    return v->plain ? v->str.len + 2 : CW_SDK_JSON_ESCAPE_BOUND(v->str.len);
}

/* The value's JSON at w, as the host encoder writes it; returns the end, or NULL for a field
 * without a value. */
static char *write_value(const clean_fast_t *f, const field_t *v, char *w) {
    if (v->enc_len) {
        memcpy(w, f->a + v->enc, v->enc_len);
        return w + v->enc_len;
    }
    switch (v->type) {
    case FV_NULL: memcpy(w, "null", 4); return w + 4;
    case FV_TRUE: memcpy(w, "true", 4); return w + 4;
    case FV_FALSE: memcpy(w, "false", 5); return w + 5;
    case FV_INT: return w + cw_sdk_format_int64(w, v->i);
    case FV_STRING: {
        const char *src = text_at(f, &v->str);
        size_t n = v->str.len;
        if (!v->plain) return w + cw_sdk_json_escape_to(w, src, n, 0, NULL);
        w[0] = '"';
        memcpy(w + 1, src, n);
        w[n + 1] = '"';
        return w + n + 2;
    }
    default: return NULL; /* FV_NONE: cannot be output */
    }
}

/* Room for n more output bytes (and a spare one). */
static int o_room(clean_fast_t *f, size_t n) {
    return f->olen + n + 1 > f->ocap && cw_sdk_grow(&f->o, &f->ocap, f->olen + n + 1) ? -1 : 0;
}

/* The name a field is output under, as an index (-1: its own input name, which is no
 * recipe name). */
static int out_id(const clean_fast_t *f, const field_t *v) {
    if (v->id < 0) return -1;
    int r = f->names[v->id].ren;
    return r >= 0 ? r : v->id;
}

/* The key (with its colon) of a field output under its input name, which is no recipe name
 * (those were encoded at configure time): quoted as it is when it has no escapes. */
static size_t key_bound(const field_t *v) {
    return v->name_plain ? v->name.len + 3 : CW_SDK_JSON_ESCAPE_BOUND(v->name.len) + 1;
}

static char *write_key(const clean_fast_t *f, const field_t *v, char *w) {
    const char *nm = text_at(f, &v->name);
    size_t l = v->name.len;
    if (!v->name_plain) {
        w += cw_sdk_json_escape_to(w, nm, l, 0, NULL);
    } else {
        *w++ = '"';
        memcpy(w, nm, l);
        w += l;
        *w++ = '"';
    }
    *w++ = ':';
    return w;
}

/* Drops, then output names after renames (a renamed field keeps its position). Two fields
 * with one name fail the record; input names are unique and a name outside the recipe is
 * nobody's new name, so only recipe names can collide. */
static int out_names(clean_fast_t *f) {
    for (size_t i = 0; i < f->drop.n; i++) {
        field_t *v = field_by_id(f, f->drop.v[i]);
        if (v) v->live = 0;
    }
    memset(f->out_slot, 0xff, f->nnames * sizeof *f->out_slot);
    for (size_t j = 0; j < f->nf; j++) {
        if (!f->f[j].live) continue;
        int o = out_id(f, &f->f[j]);
        if (o < 0) continue;
        if (f->out_slot[o] >= 0) return -1;
        f->out_slot[o] = (int)j;
    }
    return 0;
}

/* The output: each field's comma, key and value after one check for room. */
int finish(clean_fast_t *f) {
    if (out_names(f)) return -1;
    f->olen = 0;
    if (o_room(f, 1)) return -1;
    f->o[f->olen++] = '{';
    size_t n = f->order.n ? f->order.n : f->nf;
    for (size_t i = 0, first = 1; i < n; i++) {
        field_t *v;
        int o;
        if (f->order.n) { /* the order's names: their fields, or null */
            o = f->order.v[i];
            v = f->out_slot[o] >= 0 ? &f->f[f->out_slot[o]] : NULL;
        } else if (f->f[i].live) { /* every field left, under its output name */
            v = &f->f[i];
            o = out_id(f, v);
        } else {
            continue;
        }
        if (v && prepare_value(f, v)) return -1;
        size_t kl = o >= 0 ? f->names[o].key_len : key_bound(v);
        if (o_room(f, 1 + (kl > KEY_COPY ? kl : KEY_COPY) + (v ? value_max(v) : 4))) return -1;
        char *w = f->o + f->olen;
        *w = ',';
        w += !first;
        first = 0;
        if (o >= 0) {
            /* a short key in one fixed-size copy (its buffer has KEY_COPY bytes) */
            if (kl <= KEY_COPY)
                memcpy(w, f->names[o].key, KEY_COPY);
            else
                memcpy(w, f->names[o].key, kl);
            w += kl;
        } else {
            w = write_key(f, v, w);
        }
        if (!v) {
            memcpy(w, "null", 4);
            w += 4;
        } else if (!(w = write_value(f, v, w))) {
            return -1;
        }
        f->olen = (size_t)(w - f->o);
    }
    if (o_room(f, 1)) return -1;
    f->o[f->olen++] = '}';
    return 0;
}
