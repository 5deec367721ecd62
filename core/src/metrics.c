/* The metrics registry (see metrics.h): definitions, registration and the lock-free updates;
 * metrics_render.c writes the text and runs the collectors. Families hold the name, help, kind
 * and buckets; each series is one set of labels with its atomic values. Values are doubles
 * kept as their bit patterns in atomic 64-bit integers (C11 has no atomic add for floating
 * types). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "metrics_int.h"

/* Prometheus' client libraries' default buckets (seconds). */
static const double default_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

static void atomic_add_double(_Atomic uint64_t *a, double delta) {
    uint64_t old = atomic_load_explicit(a, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(a, &old, cw_dbits(cw_bitsd(old) + delta),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

cw_metrics_t *cw_metrics_new(void) {
    cw_metrics_t *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    pthread_mutex_init(&m->lock, NULL);
    pthread_mutex_init(&m->collect_lock, NULL);
    return m;
}

static void series_free(struct cw_metric *s) {
    free(s->labels);
    free(s->counts);
    free(s);
}

static void family_free(family_t *f) {
    while (f->series) {
        struct cw_metric *s = f->series;
        f->series = s->next;
        series_free(s);
    }
    free(f->name);
    free(f->help);
    free(f->bounds);
    free(f);
}

void cw_metrics_free(cw_metrics_t *m) {
    if (!m) return;
    while (m->families) {
        family_t *f = m->families;
        m->families = f->next;
        family_free(f);
    }
    while (m->collectors) {
        collector_t *c = m->collectors;
        m->collectors = c->next;
        free(c);
    }
    pthread_mutex_destroy(&m->lock);
    pthread_mutex_destroy(&m->collect_lock);
    free(m);
}

/* --- checking a definition --------------------------------------------------------------- */

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int cw_metrics_name_check(const char *name, char *errstr, size_t errstr_size) {
    if (!name || !*name) {
        snprintf(errstr, errstr_size, "metric name is empty");
        return -1;
    }
    for (size_t i = 0; name[i]; i++) {
        char c = name[i];
        if (c == '_' || is_alpha(c) || (i > 0 && c >= '0' && c <= '9')) continue;
        if (c == ':') {
            snprintf(errstr, errstr_size,
                     "metric name '%s' uses ':' (position %zu), which Prometheus keeps for "
                     "recording rules",
                     name, i + 1);
        } else {
            snprintf(errstr, errstr_size,
                     "metric name '%s' is not a valid Prometheus name: '%c' at position %zu; "
                     "names match [a-zA-Z_][a-zA-Z0-9_]* (Kafka's kebab-case "
                     "sink-record-read-total is written sink_record_read_total)",
                     name, (c >= 0x20 && c < 0x7f) ? c : '?', i + 1);
        }
        return -1;
    }
    if (name[0] == '_' && name[1] == '_') {
        snprintf(errstr, errstr_size,
                 "metric name '%s': names starting with '__' are reserved "
                 "by Prometheus",
                 name);
        return -1;
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The naming conventions that keep the exposition unambiguous (a histogram writes
 * <name>_bucket, _sum and _count) and that promtool insists on. Not strict (the core's own
 * names): Kafka's gauges *_count (task-count, partition-count, ...) keep their names, and
 * only a clash with a histogram's samples is refused (family_clash). */
static int check_suffix(const cw_metric_def_t *d, int strict, char *errstr, size_t errstr_size) {
    static const char *const reserved[] = {"_bucket", "_sum", "_count"};
    if (d->kind == CW_METRIC_COUNTER && !ends_with(d->name, "_total")) {
        snprintf(errstr, errstr_size, "counter '%s' must end in _total", d->name);
        return -1;
    }
    if (d->kind != CW_METRIC_COUNTER && ends_with(d->name, "_total")) {
        snprintf(errstr, errstr_size, "metric '%s': only counters end in _total", d->name);
        return -1;
    }
    for (size_t i = 0; strict && i < sizeof reserved / sizeof reserved[0]; i++)
        if (ends_with(d->name, reserved[i])) {
            snprintf(errstr, errstr_size,
                     "metric '%s': the suffix %s is reserved for histogram samples", d->name,
                     reserved[i]);
            return -1;
        }
    return 0;
}

static int check_buckets(const cw_metric_def_t *d, char *errstr, size_t errstr_size) {
    if (d->kind != CW_METRIC_HISTOGRAM) {
        if (!d->buckets && !d->nbuckets) return 0;
        snprintf(errstr, errstr_size, "metric '%s': buckets are for histograms only", d->name);
        return -1;
    }
    if (d->nbuckets > CW_METRIC_BUCKETS_MAX || (!d->buckets) != (d->nbuckets == 0)) {
        snprintf(errstr, errstr_size,
                 "histogram '%s': give 1 to %d buckets, or none (NULL, 0) for the defaults",
                 d->name, CW_METRIC_BUCKETS_MAX);
        return -1;
    }
    for (size_t i = 0; i < d->nbuckets; i++)
        if (!isfinite(d->buckets[i]) || (i > 0 && d->buckets[i] <= d->buckets[i - 1])) {
            snprintf(errstr, errstr_size,
                     "histogram '%s': bucket bounds must be finite and strictly increasing "
                     "(bound %zu is %g)",
                     d->name, i + 1, d->buckets[i]);
            return -1;
        }
    return 0;
}

int cw_metrics_def_check(const cw_metric_def_t *d, int strict, char *errstr, size_t errstr_size) {
    if (!d || d->struct_size < offsetof(cw_metric_def_t, nbuckets) + sizeof d->nbuckets) {
        snprintf(errstr, errstr_size,
                 "metric definition too small: start its initialiser with CW_METRIC_DEF_HEADER");
        return -1;
    }
    if (cw_metrics_name_check(d->name, errstr, errstr_size)) return -1;
    if (d->kind != CW_METRIC_COUNTER && d->kind != CW_METRIC_GAUGE &&
        d->kind != CW_METRIC_HISTOGRAM) {
        snprintf(errstr, errstr_size, "metric '%s': unknown kind %d", d->name, (int)d->kind);
        return -1;
    }
    if (!d->help || !*d->help) {
        snprintf(errstr, errstr_size, "metric '%s': a help text is required", d->name);
        return -1;
    }
    return check_suffix(d, strict, errstr, errstr_size) || check_buckets(d, errstr, errstr_size)
               ? -1
               : 0;
}

/* --- registering ------------------------------------------------------------------------- */

static const char *kind_name(cw_metric_kind_t k) {
    return k == CW_METRIC_COUNTER ? "counter" : k == CW_METRIC_GAUGE ? "gauge" : "histogram";
}

static family_t *family_new(const cw_metric_def_t *d) {
    family_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->kind = d->kind;
    f->name = strdup(d->name);
    f->help = strdup(d->help);
    if (d->kind == CW_METRIC_HISTOGRAM) {
        const double *b = d->nbuckets ? d->buckets : default_bounds;
        f->nbounds = d->nbuckets ? d->nbuckets : sizeof default_bounds / sizeof *default_bounds;
        f->bounds = malloc(f->nbounds * sizeof *f->bounds);
        if (f->bounds) memcpy(f->bounds, b, f->nbounds * sizeof *b);
    }
    if (!f->name || !f->help || (d->kind == CW_METRIC_HISTOGRAM && !f->bounds)) {
        family_free(f);
        return NULL;
    }
    return f;
}

/* An existing family must agree with a new registration of its name. */
static int family_matches(const family_t *f, const cw_metric_def_t *d, char *errstr,
                          size_t errstr_size) {
    if (f->kind != d->kind) {
        snprintf(errstr, errstr_size, "metric '%s' is already registered as a %s", d->name,
                 kind_name(f->kind));
        return 0;
    }
    if (f->kind == CW_METRIC_HISTOGRAM) {
        const double *b = d->nbuckets ? d->buckets : default_bounds;
        size_t n = d->nbuckets ? d->nbuckets : sizeof default_bounds / sizeof *default_bounds;
        if (n != f->nbounds || memcmp(b, f->bounds, n * sizeof *b) != 0) {
            snprintf(errstr, errstr_size, "histogram '%s' is already registered with other buckets",
                     d->name);
            return 0;
        }
    }
    return 1;
}

static struct cw_metric *series_new(family_t *f, const void *owner, char *labels) {
    struct cw_metric *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->fam = f;
    s->owner = owner;
    s->labels = labels;
    atomic_init(&s->value, cw_dbits(0.0));
    if (f->kind == CW_METRIC_HISTOGRAM) {
        s->counts = calloc(f->nbounds + 1, sizeof *s->counts);
        for (size_t i = 0; s->counts && i <= f->nbounds; i++) atomic_init(&s->counts[i], 0);
        if (!s->counts) {
            series_free(s);
            return NULL;
        }
    }
    return s;
}

static int label_name_ok(const char *n) {
    if (!n || !*n || (n[0] == '_' && n[1] == '_') || strcmp(n, "le") == 0) return 0;
    for (size_t i = 0; n[i]; i++)
        if (!(n[i] == '_' || is_alpha(n[i]) || (i > 0 && n[i] >= '0' && n[i] <= '9'))) return 0;
    return 1;
}

/* The labels as rendered between the braces, values escaped (backslash, newline, quote).
 * NULL with errstr on a bad name or out of memory. */
static char *labels_render(const char *metric, const cw_metric_label_t *labels, size_t n,
                           char *errstr, size_t errstr_size) {
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t k = 0; k < i && label_name_ok(labels[i].name); k++)
            dup |= strcmp(labels[k].name, labels[i].name) == 0;
        if (!label_name_ok(labels[i].name) || dup) {
            snprintf(errstr, errstr_size,
                     "metric '%s': label name '%s' is %s (names match [a-zA-Z_][a-zA-Z0-9_]*, "
                     "not '__' first, not 'le')",
                     metric, labels[i].name ? labels[i].name : "", dup ? "repeated" : "invalid");
            return NULL;
        }
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    for (size_t i = 0; out && i < n; i++) {
        fprintf(out, "%s%s=\"", i ? "," : "", labels[i].name);
        for (const char *v = labels[i].value ? labels[i].value : ""; *v; v++)
            if (*v == '\\' || *v == '"')
                fprintf(out, "\\%c", *v);
            else if (*v == '\n')
                fputs("\\n", out);
            else
                fputc(*v, out);
        fputc('"', out);
    }
    if (!out || fclose(out) != 0) {
        free(buf);
        snprintf(errstr, errstr_size, "metric '%s': out of memory", metric);
        return NULL;
    }
    return buf;
}

static const family_t *family_find(const cw_metrics_t *m, const char *name, size_t len) {
    for (const family_t *f = m->families; f; f = f->next)
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0) return f;
    return NULL;
}

/* A new family f whose samples would be confused with a histogram's: a histogram X when
 * X_count, X_sum or X_bucket exists, or X_count (...) when X is a histogram. */
static int family_clash(const cw_metrics_t *m, const family_t *f, char *errstr,
                        size_t errstr_size) {
    static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
    size_t n = strlen(f->name);
    for (size_t i = 0; i < 3; i++) {
        char other[512];
        const family_t *o = NULL;
        size_t k = strlen(suffixes[i]);
        if (f->kind == CW_METRIC_HISTOGRAM &&
            snprintf(other, sizeof other, "%s%s", f->name, suffixes[i]) < (int)sizeof other)
            o = family_find(m, other, strlen(other));
        else if (f->kind != CW_METRIC_HISTOGRAM && ends_with(f->name, suffixes[i]))
            o = family_find(m, f->name, n - k);
        if (o && (o->kind == CW_METRIC_HISTOGRAM || f->kind == CW_METRIC_HISTOGRAM)) {
            snprintf(errstr, errstr_size, "metric '%s' clashes with the samples of histogram '%s'",
                     f->name, f->kind == CW_METRIC_HISTOGRAM ? f->name : o->name);
            return 1;
        }
    }
    return 0;
}

struct cw_metric *cw_metrics_get_locked(cw_metrics_t *m, const void *owner,
                                        const cw_metric_def_t *def, const cw_metric_label_t *labels,
                                        size_t nlabels, char *errstr, size_t errstr_size) {
    char *text = labels_render(def->name, labels, nlabels, errstr, errstr_size);
    if (!text) return NULL;
    family_t **fp = &m->families;
    while (*fp && strcmp((*fp)->name, def->name) != 0) fp = &(*fp)->next;
    if (*fp && !family_matches(*fp, def, errstr, errstr_size)) {
        free(text);
        return NULL;
    }
    if (!*fp && !(*fp = family_new(def))) {
        snprintf(errstr, errstr_size, "metric '%s': out of memory", def->name);
        free(text);
        return NULL;
    }
    family_t *f = *fp;
    if (!f->series && family_clash(m, f, errstr, errstr_size)) {
        *fp = f->next;
        family_free(f);
        free(text);
        return NULL;
    }
    struct cw_metric **pp = &f->series;
    for (; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->labels, text) != 0) continue;
        free(text);
        if ((*pp)->owner == owner) return *pp;
        snprintf(errstr, errstr_size,
                 "metric '%s' with labels {%s} is already registered by another context", f->name,
                 (*pp)->labels);
        return NULL;
    }
    *pp = series_new(f, owner, text);
    if (*pp) return *pp;
    free(text);
    snprintf(errstr, errstr_size, "metric '%s': out of memory", f->name);
    if (!f->series) { /* a new family whose first series failed */
        *fp = f->next;
        family_free(f);
    }
    return NULL;
}

static cw_metric_t *register_labels(cw_metrics_t *m, const void *owner, const cw_metric_def_t *def,
                                    const cw_metric_label_t *labels, size_t nlabels, int strict,
                                    char *errstr, size_t errstr_size) {
    if (cw_metrics_def_check(def, strict, errstr, errstr_size)) return NULL;
    pthread_mutex_lock(&m->lock);
    struct cw_metric *s =
        cw_metrics_get_locked(m, owner, def, labels, nlabels, errstr, errstr_size);
    pthread_mutex_unlock(&m->lock);
    return s;
}

cw_metric_t *cw_metrics_register_labels(cw_metrics_t *m, const void *owner,
                                        const cw_metric_def_t *def, const cw_metric_label_t *labels,
                                        size_t nlabels, char *errstr, size_t errstr_size) {
    return register_labels(m, owner, def, labels, nlabels, 0, errstr, errstr_size);
}

cw_metric_t *cw_metrics_register_read(cw_metrics_t *m, const void *owner,
                                      const cw_metric_def_t *def, const cw_metric_label_t *labels,
                                      size_t nlabels, cw_metric_read_fn fn, const void *arg,
                                      char *errstr, size_t errstr_size) {
    if (cw_metrics_def_check(def, 0, errstr, errstr_size)) return NULL;
    if (def->kind == CW_METRIC_HISTOGRAM || !fn) {
        snprintf(errstr, errstr_size, "metric '%s': only counters and gauges are read", def->name);
        return NULL;
    }
    pthread_mutex_lock(&m->lock);
    struct cw_metric *s =
        cw_metrics_get_locked(m, owner, def, labels, nlabels, errstr, errstr_size);
    if (s) {
        s->read = fn;
        s->read_arg = arg;
    }
    pthread_mutex_unlock(&m->lock);
    return s;
}

cw_metric_t *cw_metrics_register(cw_metrics_t *m, const void *owner, const char *connector,
                                 int task, const cw_metric_def_t *def, char *errstr,
                                 size_t errstr_size) {
    char num[16];
    snprintf(num, sizeof num, "%d", task);
    const cw_metric_label_t labels[] = {{"connector", connector ? connector : ""}, {"task", num}};
    return register_labels(m, owner, def, labels, 2, 1, errstr, errstr_size);
}

void cw_metrics_unlink_locked(cw_metrics_t *m, struct cw_metric *s) {
    for (family_t **fp = &m->families; *fp; fp = &(*fp)->next) {
        if (*fp != s->fam) continue;
        for (struct cw_metric **pp = &(*fp)->series; *pp; pp = &(*pp)->next)
            if (*pp == s) {
                *pp = s->next;
                series_free(s);
                break;
            }
        if (!(*fp)->series) {
            family_t *f = *fp;
            *fp = f->next;
            family_free(f);
        }
        return;
    }
}

void cw_metrics_unregister(cw_metrics_t *m, cw_metric_t *s) {
    if (!m || !s) return;
    pthread_mutex_lock(&m->lock);
    cw_metrics_unlink_locked(m, s);
    pthread_mutex_unlock(&m->lock);
}

void cw_metrics_release_locked(cw_metrics_t *m, const void *owner) {
    for (family_t **fp = &m->families; *fp;) {
        family_t *f = *fp;
        for (struct cw_metric **pp = &f->series; *pp;) {
            struct cw_metric *s = *pp;
            if (s->owner != owner) {
                pp = &s->next;
                continue;
            }
            *pp = s->next;
            series_free(s);
        }
        if (f->series) {
            fp = &f->next;
            continue;
        }
        *fp = f->next;
        family_free(f);
    }
}

void cw_metrics_release(cw_metrics_t *m, const void *owner) {
    if (!m) return;
    pthread_mutex_lock(&m->lock);
    cw_metrics_release_locked(m, owner);
    pthread_mutex_unlock(&m->lock);
}

/* --- updates (hot path: no lock) --------------------------------------------------------- */

void cw_metric_add(cw_metric_t *s, double delta) {
    if (!s || s->fam->kind == CW_METRIC_HISTOGRAM) return;
    if (s->fam->kind == CW_METRIC_COUNTER && !(isfinite(delta) && delta >= 0)) return;
    atomic_add_double(&s->value, delta);
}

void cw_metric_set(cw_metric_t *s, double value) {
    if (!s || s->fam->kind != CW_METRIC_GAUGE) return;
    atomic_store_explicit(&s->value, cw_dbits(value), memory_order_relaxed);
}

double cw_metric_value(const cw_metric_t *s) {
    return s ? cw_bitsd(atomic_load_explicit(&s->value, memory_order_relaxed)) : 0;
}

void cw_metric_set_total(cw_metric_t *s, double value) {
    if (!s || s->fam->kind != CW_METRIC_COUNTER || !isfinite(value)) return;
    uint64_t old = atomic_load_explicit(&s->value, memory_order_relaxed);
    while (cw_bitsd(old) < value &&
           !atomic_compare_exchange_weak_explicit(&s->value, &old, cw_dbits(value),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

void cw_metric_observe(cw_metric_t *s, double value) {
    if (!s || s->fam->kind != CW_METRIC_HISTOGRAM) return;
    const family_t *f = s->fam;
    /* The first bound >= value (binary search); NaN and values above the last bound go to
     * +Inf. */
    size_t lo = 0, hi = f->nbounds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (value <= f->bounds[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    if (isnan(value)) lo = f->nbounds;
    atomic_fetch_add_explicit(&s->counts[lo], 1, memory_order_relaxed);
    atomic_add_double(&s->value, value);
}
