/* The clean transform's streaming path (see clean_fast.c): the steps of clean.c on the field
 * list. Fields are found by the index of their name among the recipe's names
 * (clean_fast_names.c), never by comparing names. */
#include "clean_fast.h"

/* jansson's json_object_set: an existing field keeps its place, a new one goes last. */
static field_t *set_field(clean_fast_t *f, int id) {
    field_t *v = field_by_id(f, id);
    if (v) {
        v->enc_len = 0;
        return v;
    }
    if (f->nf == f->capf && fields_grow(f)) return NULL;
    f->slot[id] = (int)f->nf;
    v = &f->f[f->nf++];
    *v = (field_t){.name = {.p = f->names[id].s, .len = f->names[id].len}, .id = id, .live = 1};
    return v;
}

/* The string's text NUL-terminated (for the parsers): text in the input is copied into buf
 * (n bytes) when it fits, else into the scratch. NULL when out of memory. */
static const char *cstr(clean_fast_t *f, field_t *v, char *buf, size_t n) {
    if (!v->str.p) return f->a + v->str.off;
    if (v->str.len < n) {
        memcpy(buf, v->str.p, v->str.len);
        buf[v->str.len] = 0;
        return buf;
    }
    size_t off = a_add(f, v->str.p, v->str.len);
    if (off == SIZE_MAX) return NULL;
    v->str = (text_t){.off = off, .len = v->str.len};
    return f->a + off;
}

/* The string becomes its own bytes [off, off + len): text that stays put is only pointed
 * at anew, text in the scratch is copied so that it stays NUL-terminated. */
static int set_sub(clean_fast_t *f, field_t *v, size_t off, size_t len) {
    if (v->str.p) {
        v->str.p += off;
    } else {
        if (cw_sdk_grow(&f->a, &f->acap, f->alen + len + 1)) return -1;
        memmove(f->a + f->alen, f->a + v->str.off + off, len);
        f->a[f->alen + len] = 0;
        v->str.off = f->alen;
        f->alen += len + 1;
    }
    v->str.len = len;
    v->enc_len = 0;
    /* json_stringn refuses text that is not UTF-8 (a cut may split a character) */
    return !text_ok((const unsigned char *)text_at(f, &v->str), len) ? -1 : 0;
}

int step_text(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; i < c->strip.n; i++) {
        const kv_t *kv = &c->strip.items[i];
        field_t *v = field_by_id(f, f->strip.v[i]);
        if (!v || v->type == FV_NULL) continue;
        if (v->type != FV_STRING) return -1;
        size_t plen = strlen(kv->text);
        if (v->str.len >= plen && memcmp(text_at(f, &v->str), kv->text, plen) == 0 &&
            set_sub(f, v, plen, v->str.len - plen))
            return -1;
    }
    for (size_t i = 0; i < c->extract.n; i++) {
        const kv_t *kv = &c->extract.items[i];
        field_t *v = field_by_id(f, f->extract.v[i]);
        if (!v || v->type == FV_NULL) continue;
        size_t off, len;
        char buf[64];
        const char *s = v->type == FV_STRING ? cstr(f, v, buf, sizeof buf) : NULL;
        if (!s || !clean_extract(kv, s, &off, &len) || set_sub(f, v, off, len)) return -1;
    }
    return 0;
}

static int whole(double d, int64_t *out) {
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return 0;
    if (d != (double)(int64_t)d) return 0;
    *out = (int64_t)d;
    return 1;
}

static void set_int(field_t *v, int64_t x) {
    v->type = FV_INT;
    v->i = x;
    v->enc_len = 0;
}

/* human.numbers and integers: the same shape, with their own string parser. */
static int to_integers(clean_fast_t *f, const ids_t *ids, int (*parse)(const char *, int64_t *)) {
    for (size_t i = 0; i < ids->n; i++) {
        field_t *v = field_by_id(f, ids->v[i]);
        int64_t x;
        char buf[64];
        if (!v || v->type == FV_NULL || v->type == FV_INT) continue;
        if (v->type == FV_REAL) {
            if (!whole(v->d, &x)) return -1;
        } else {
            const char *s = v->type == FV_STRING ? cstr(f, v, buf, sizeof buf) : NULL;
            if (!s || parse(s, &x)) return -1;
        }
        set_int(v, x);
    }
    return 0;
}

int step_numbers(clean_fast_t *f) {
    if (to_integers(f, &f->human, clean_human_number) ||
        to_integers(f, &f->integers, clean_integer))
        return -1;
    for (size_t i = 0; i < f->numbers.n; i++) {
        field_t *v = field_by_id(f, f->numbers.v[i]);
        int is_int;
        int64_t x;
        double d;
        char buf[64];
        if (!v || v->type == FV_NULL || v->type == FV_INT || v->type == FV_REAL) continue;
        const char *s = v->type == FV_STRING ? cstr(f, v, buf, sizeof buf) : NULL;
        if (!s || clean_number(s, &is_int, &x, &d)) return -1;
        if (is_int) {
            set_int(v, x);
        } else {
            v->type = FV_REAL;
            v->d = d;
            v->enc_len = 0;
        }
    }
    return 0;
}

int step_timestamps(clean_fast_t *f) {
    char buf[48], in[64];
    for (size_t i = 0; i < f->timestamps.n; i++) {
        field_t *v = field_by_id(f, f->timestamps.v[i]);
        if (!v || v->type == FV_NULL) continue;
        const char *s = v->type == FV_STRING ? cstr(f, v, in, sizeof in) : NULL;
        if (!s || clean_timestamp(s, buf, sizeof buf)) return -1;
        size_t len = strlen(buf), off = a_add(f, buf, len);
        if (off == SIZE_MAX) return -1;
        v->str = (text_t){.off = off, .len = len};
        v->plain = 1;
        v->enc_len = 0;
    }
    return 0;
}

/* A concat part's text into buf (scalars other than strings) or NULL for null/missing. */
static int part_text(const clean_fast_t *f, const field_t *v, char *buf, size_t n, const char **t,
                     size_t *tl) {
    *t = NULL;
    *tl = 0;
    if (!v || v->type == FV_NULL) return 0;
    switch (v->type) {
    case FV_STRING:
        *t = text_at(f, &v->str);
        *tl = v->str.len;
        return 0;
    case FV_INT: snprintf(buf, n, "%lld", (long long)v->i); break;
    case FV_REAL: clean_real_text(v->d, buf, n); break;
    case FV_TRUE: snprintf(buf, n, "true"); break;
    case FV_FALSE: snprintf(buf, n, "false"); break;
    default: return -1;
    }
    *t = buf;
    *tl = strlen(buf);
    return 0;
}

static int build_concat(const kv_t *kv, const ids_t *from, int to, clean_fast_t *f) {
    size_t sl = strlen(kv->text), total = 0, parts = 0;
    char buf[64];
    const char *t;
    size_t tl;
    /* Two passes: the length first, so that the parts (which may live in the scratch) do not
     * move while they are copied. */
    for (size_t j = 0; j < from->n; j++) {
        if (part_text(f, field_by_id(f, from->v[j]), buf, sizeof buf, &t, &tl)) return -1;
        if (t) total += (parts++ ? sl : 0) + tl;
    }
    if (cw_sdk_grow(&f->a, &f->acap, f->alen + total + 1)) return -1;
    size_t start = f->alen, used = 0;
    parts = 0;
    for (size_t j = 0; j < from->n; j++) {
        part_text(f, field_by_id(f, from->v[j]), buf, sizeof buf, &t, &tl);
        if (!t) continue;
        if (parts++) {
            memcpy(f->a + start + used, kv->text, sl);
            used += sl;
        }
        memcpy(f->a + start + used, t, tl);
        used += tl;
    }
    f->a[start + used] = 0;
    f->alen += used + 1;
    if (parts && !text_ok((const unsigned char *)f->a + start, used)) return -1;
    field_t *v = set_field(f, to);
    if (!v) return -1;
    if (parts) {
        v->type = FV_STRING;
        v->str = (text_t){.off = start, .len = used};
        v->plain = 0; /* the separator may need escaping */
    } else {
        v->type = FV_NULL;
    }
    return 0;
}

static int build_array(const ids_t *from, int to, clean_fast_t *f) {
    size_t total = 2;
    for (size_t j = 0; j < from->n; j++) {
        field_t *v = field_by_id(f, from->v[j]);
        if (v && encode_value(f, v)) return -1;
        total += (j ? 1 : 0) + (v ? v->enc_len : 4);
    }
    /* Room first: the elements' encodings live in the same buffer. */
    if (cw_sdk_grow(&f->a, &f->acap, f->alen + total + 1)) return -1;
    size_t start = f->alen;
    char *w = f->a + start;
    *w++ = '[';
    for (size_t j = 0; j < from->n; j++) {
        field_t *v = field_by_id(f, from->v[j]);
        if (j) *w++ = ',';
        memcpy(w, v ? f->a + v->enc : "null", v ? v->enc_len : 4);
        w += v ? v->enc_len : 4;
    }
    *w++ = ']';
    *w = 0;
    f->alen += total + 1;
    field_t *v = set_field(f, to);
    if (!v) return -1;
    v->type = FV_ARRAY;
    v->enc = start;
    v->enc_len = total;
    return 0;
}

int step_build(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; i < c->concat.n; i++)
        if (build_concat(&c->concat.items[i], &f->concat_from[i], f->concat_to.v[i], f)) return -1;
    for (size_t i = 0; i < c->array.n; i++)
        if (build_array(&f->array_from[i], f->array_to.v[i], f)) return -1;
    return 0;
}
