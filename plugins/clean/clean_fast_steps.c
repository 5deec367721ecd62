/* The clean transform's streaming path (see clean_fast.c): the steps of clean.c on the field list. */
#include "clean_fast.h"

/* --- the steps, on the field list ------------------------------------------------------- */

field_t *find(clean_fast_t *f, const char *name) {
    size_t l = strlen(name);
    for (size_t i = 0; i < f->nf; i++)
        if (f->f[i].live && f->f[i].name_len == l && memcmp(f->a + f->f[i].name, name, l) == 0)
            return &f->f[i];
    return NULL;
}

/* jansson's json_object_set: an existing field keeps its place, a new one goes last. */
static field_t *set_field(clean_fast_t *f, const char *name) {
    field_t *v = find(f, name);
    if (v) {
        v->enc_len = 0;
        return v;
    }
    if (f->nf == f->capf) {
        size_t cap = f->capf ? f->capf * 2 : 32;
        field_t *nf = realloc(f->f, cap * sizeof *nf);
        if (!nf) return NULL;
        f->f = nf;
        f->capf = cap;
    }
    size_t off = a_add(f, name, strlen(name));
    if (off == SIZE_MAX) return NULL;
    v = &f->f[f->nf++];
    memset(v, 0, sizeof *v);
    v->name = off;
    v->name_len = strlen(name);
    v->live = 1;
    return v;
}

static const char *str_of(const clean_fast_t *f, const field_t *v) { return f->a + v->str; }

/* A new string value for v from bytes that may lie in the scratch itself. */
static int set_string(clean_fast_t *f, field_t *v, size_t from, size_t len) {
    if (cw_sdk_grow(&f->a, &f->acap, f->alen + len + 1)) return -1;
    memmove(f->a + f->alen, f->a + from, len);
    f->a[f->alen + len] = 0;
    if (!f->ascii && !text_ok((const unsigned char *)f->a + f->alen, len))
        return -1; /* json_stringn */
    v->type = FV_STRING;
    v->str = f->alen;
    v->str_len = len;
    v->enc_len = 0;
    f->alen += len + 1;
    return 0;
}

static int in_names(const name_t *names, size_t n, const char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (names[i].len == len && memcmp(names[i].s, s, len) == 0) return 1;
    return 0;
}

static int in_list(char *const *list, const char *s) {
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}

static char **field_list(const kvs_t *k, const char *field) {
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->items[i].field, field) == 0) return k->items[i].list;
    return NULL;
}

void step_nulls(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; i < f->nf; i++) {
        field_t *v = &f->f[i];
        if (v->type != FV_STRING) continue;
        const char *s = str_of(f, v);
        /* null_lens: a bit per length (mod 64) of the null.values, so that most strings are
         * passed over with one test. */
        int maybe = (f->null_lens >> (v->str_len & 63)) & 1;
        if ((c->null_empty && !v->str_len) ||
            (maybe && in_names(f->null_all, f->nnull_all, s, v->str_len)) ||
            (c->null_field.n && in_list(field_list(&c->null_field, f->a + v->name), s)))
            v->type = FV_NULL;
    }
}

int step_text(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; i < c->strip.n; i++) {
        const kv_t *kv = &c->strip.items[i];
        field_t *v = find(f, kv->field);
        if (!v || v->type == FV_NULL) continue;
        if (v->type != FV_STRING) return -1;
        size_t plen = strlen(kv->text);
        if (v->str_len >= plen && memcmp(str_of(f, v), kv->text, plen) == 0 &&
            set_string(f, v, v->str + plen, v->str_len - plen))
            return -1;
    }
    for (size_t i = 0; i < c->extract.n; i++) {
        const kv_t *kv = &c->extract.items[i];
        field_t *v = find(f, kv->field);
        if (!v || v->type == FV_NULL) continue;
        size_t off, len;
        if (v->type != FV_STRING || !clean_extract(kv, str_of(f, v), &off, &len) ||
            set_string(f, v, v->str + off, len))
            return -1;
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
static int to_integers(clean_fast_t *f, char *const *fields,
                       int (*parse)(const char *, int64_t *)) {
    for (size_t i = 0; fields && fields[i]; i++) {
        field_t *v = find(f, fields[i]);
        int64_t x;
        if (!v || v->type == FV_NULL || v->type == FV_INT) continue;
        if (v->type == FV_REAL) {
            if (!whole(v->d, &x)) return -1;
        } else if (v->type != FV_STRING || parse(str_of(f, v), &x)) {
            return -1;
        }
        set_int(v, x);
    }
    return 0;
}

int step_numbers(const clean_t *c, clean_fast_t *f) {
    if (to_integers(f, c->human, clean_human_number) || to_integers(f, c->integers, clean_integer))
        return -1;
    for (size_t i = 0; c->numbers && c->numbers[i]; i++) {
        field_t *v = find(f, c->numbers[i]);
        int is_int;
        int64_t x;
        double d;
        if (!v || v->type == FV_NULL || v->type == FV_INT || v->type == FV_REAL) continue;
        if (v->type != FV_STRING || clean_number(str_of(f, v), &is_int, &x, &d)) return -1;
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

int step_timestamps(const clean_t *c, clean_fast_t *f) {
    char buf[48];
    for (size_t i = 0; c->timestamps && c->timestamps[i]; i++) {
        field_t *v = find(f, c->timestamps[i]);
        if (!v || v->type == FV_NULL) continue;
        if (v->type != FV_STRING || clean_timestamp(str_of(f, v), buf, sizeof buf)) return -1;
        size_t off = a_add(f, buf, strlen(buf));
        if (off == SIZE_MAX) return -1;
        v->str = off;
        v->str_len = strlen(buf);
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
        *t = str_of(f, v);
        *tl = v->str_len;
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

int step_build(const clean_t *c, clean_fast_t *f) {
    for (size_t i = 0; i < c->concat.n; i++) {
        const kv_t *kv = &c->concat.items[i];
        size_t sl = strlen(kv->text), total = 0, parts = 0;
        char buf[64];
        const char *t;
        size_t tl;
        /* Two passes: the length first, so that the parts (which live in the scratch) do not
         * move while they are copied. */
        for (size_t j = 0; kv->list[j]; j++) {
            if (part_text(f, find(f, kv->list[j]), buf, sizeof buf, &t, &tl)) return -1;
            if (t) total += (parts++ ? sl : 0) + tl;
        }
        if (cw_sdk_grow(&f->a, &f->acap, f->alen + total + 1)) return -1;
        size_t start = f->alen, used = 0;
        parts = 0;
        for (size_t j = 0; kv->list[j]; j++) {
            part_text(f, find(f, kv->list[j]), buf, sizeof buf, &t, &tl);
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
        field_t *v = set_field(f, kv->field);
        if (!v) return -1;
        if (parts) {
            v->type = FV_STRING;
            v->str = start;
            v->str_len = used;
            v->plain = 0; /* the separator may need escaping */
        } else {
            v->type = FV_NULL;
        }
    }
    for (size_t i = 0; i < c->array.n; i++) {
        const kv_t *kv = &c->array.items[i];
        size_t total = 2;
        for (size_t j = 0; kv->list[j]; j++) {
            field_t *v = find(f, kv->list[j]);
            if (v && encode_value(f, v)) return -1;
            total += (j ? 1 : 0) + (v ? v->enc_len : 4);
        }
        /* Room first: the elements' encodings live in the same buffer. */
        if (cw_sdk_grow(&f->a, &f->acap, f->alen + total + 1)) return -1;
        size_t start = f->alen;
        char *w = f->a + start;
        *w++ = '[';
        for (size_t j = 0; kv->list[j]; j++) {
            field_t *v = find(f, kv->list[j]);
            if (j) *w++ = ',';
            memcpy(w, v ? f->a + v->enc : "null", v ? v->enc_len : 4);
            w += v ? v->enc_len : 4;
        }
        *w++ = ']';
        *w = 0;
        f->alen += total + 1;
        field_t *v = set_field(f, kv->field);
        if (!v) return -1;
        v->type = FV_ARRAY;
        v->enc = start;
        v->enc_len = total;
    }
    return 0;
}
