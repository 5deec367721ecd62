/* The metrics registry (see metrics.h). Families hold the name, help, kind and buckets; each
 * series is one task's set of atomic values. Values are doubles kept as their bit patterns
 * in atomic 64-bit integers (C11 has no atomic add for floating types). */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct family {
    char *name, *help;
    cw_metric_kind_t kind;
    double *bounds; /* histograms: upper bounds, +Inf implicit */
    size_t nbounds;
    struct cw_metric *series; /* registration order */
    struct family *next;
} family_t;

struct cw_metric {
    family_t *fam;
    const void *owner;
    char *connector;
    int task;
    _Atomic uint64_t value;   /* counter / gauge value; histogram sum (double bits) */
    _Atomic uint64_t *counts; /* histograms: per bucket (not cumulative), nbounds + 1 */
    struct cw_metric *next;
};

struct cw_metrics {
    pthread_mutex_t lock;
    family_t *families; /* registration order */
};

/* Prometheus' client libraries' default buckets (seconds). */
static const double default_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

static uint64_t dbits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bitsd(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void atomic_add_double(_Atomic uint64_t *a, double delta) {
    uint64_t old = atomic_load_explicit(a, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(a, &old, dbits(bitsd(old) + delta),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

cw_metrics_t *cw_metrics_new(void) {
    cw_metrics_t *m = calloc(1, sizeof *m);
    if (m) pthread_mutex_init(&m->lock, NULL);
    return m;
}

static void series_free(struct cw_metric *s) {
    free(s->connector);
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
    pthread_mutex_destroy(&m->lock);
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
 * <name>_bucket, _sum and _count) and that promtool insists on. */
static int check_suffix(const cw_metric_def_t *d, char *errstr, size_t errstr_size) {
    static const char *const reserved[] = {"_bucket", "_sum", "_count"};
    if (d->kind == CW_METRIC_COUNTER && !ends_with(d->name, "_total")) {
        snprintf(errstr, errstr_size, "counter '%s' must end in _total", d->name);
        return -1;
    }
    if (d->kind != CW_METRIC_COUNTER && ends_with(d->name, "_total")) {
        snprintf(errstr, errstr_size, "metric '%s': only counters end in _total", d->name);
        return -1;
    }
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
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

static int check_def(const cw_metric_def_t *d, char *errstr, size_t errstr_size) {
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
    return check_suffix(d, errstr, errstr_size) || check_buckets(d, errstr, errstr_size) ? -1 : 0;
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

static struct cw_metric *series_new(family_t *f, const void *owner, const char *connector,
                                    int task) {
    struct cw_metric *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->fam = f;
    s->owner = owner;
    s->task = task;
    s->connector = strdup(connector ? connector : "");
    atomic_init(&s->value, dbits(0.0));
    if (f->kind == CW_METRIC_HISTOGRAM) {
        s->counts = calloc(f->nbounds + 1, sizeof *s->counts);
        for (size_t i = 0; s->counts && i <= f->nbounds; i++) atomic_init(&s->counts[i], 0);
    }
    if (!s->connector || (f->kind == CW_METRIC_HISTOGRAM && !s->counts)) {
        series_free(s);
        return NULL;
    }
    return s;
}

/* Under the lock: the series of connector/task in family f, found or added. */
static struct cw_metric *series_get(family_t *f, const void *owner, const char *connector, int task,
                                    char *errstr, size_t errstr_size) {
    struct cw_metric **pp = &f->series;
    for (; *pp; pp = &(*pp)->next) {
        struct cw_metric *s = *pp;
        if (s->task != task || strcmp(s->connector, connector ? connector : "") != 0) continue;
        if (s->owner == owner) return s;
        snprintf(errstr, errstr_size,
                 "metric '%s' of connector %s task %d is already registered by another "
                 "context",
                 f->name, s->connector, task);
        return NULL;
    }
    *pp = series_new(f, owner, connector, task);
    if (!*pp) snprintf(errstr, errstr_size, "metric '%s': out of memory", f->name);
    return *pp;
}

cw_metric_t *cw_metrics_register(cw_metrics_t *m, const void *owner, const char *connector,
                                 int task, const cw_metric_def_t *def, char *errstr,
                                 size_t errstr_size) {
    if (check_def(def, errstr, errstr_size)) return NULL;
    pthread_mutex_lock(&m->lock);
    family_t **fp = &m->families;
    while (*fp && strcmp((*fp)->name, def->name) != 0) fp = &(*fp)->next;
    struct cw_metric *s = NULL;
    if (!*fp) {
        *fp = family_new(def);
        if (!*fp) snprintf(errstr, errstr_size, "metric '%s': out of memory", def->name);
    } else if (!family_matches(*fp, def, errstr, errstr_size)) {
        goto out;
    }
    if (*fp) s = series_get(*fp, owner, connector, task, errstr, errstr_size);
    if (*fp && !(*fp)->series) { /* a new family whose first series failed */
        family_t *f = *fp;
        *fp = f->next;
        family_free(f);
    }
out:
    pthread_mutex_unlock(&m->lock);
    return s;
}

void cw_metrics_release(cw_metrics_t *m, const void *owner) {
    if (!m) return;
    pthread_mutex_lock(&m->lock);
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
    atomic_store_explicit(&s->value, dbits(value), memory_order_relaxed);
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

/* --- rendering --------------------------------------------------------------------------- */

/* The shortest of %.15g / %.17g that reads back exactly; Prometheus' spellings of the
 * special values. */
static void fmt_double(char *buf, size_t size, double v) {
    if (isnan(v)) {
        snprintf(buf, size, "NaN");
    } else if (isinf(v)) {
        snprintf(buf, size, "%s", v > 0 ? "+Inf" : "-Inf");
    } else {
        snprintf(buf, size, "%.15g", v);
        if (strtod(buf, NULL) != v) snprintf(buf, size, "%.17g", v);
    }
}

/* HELP text escapes backslash and newline; label values also the double quote. */
static void put_escaped(FILE *out, const char *s, int label) {
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", out);
        else if (*s == '\n')
            fputs("\\n", out);
        else if (label && *s == '"')
            fputs("\\\"", out);
        else
            fputc(*s, out);
    }
}

static void put_labels(FILE *out, const struct cw_metric *s, const char *le) {
    fputs("{connector=\"", out);
    put_escaped(out, s->connector, 1);
    fprintf(out, "\",task=\"%d\"", s->task);
    if (le) fprintf(out, ",le=\"%s\"", le);
    fputs("}", out);
}

static void render_histogram(FILE *out, const family_t *f, const struct cw_metric *s) {
    char num[40];
    uint64_t cum = 0;
    for (size_t i = 0; i <= f->nbounds; i++) {
        cum += atomic_load_explicit(&s->counts[i], memory_order_relaxed);
        if (i < f->nbounds)
            fmt_double(num, sizeof num, f->bounds[i]);
        else
            snprintf(num, sizeof num, "+Inf");
        fprintf(out, "%s_bucket", f->name);
        put_labels(out, s, num);
        fprintf(out, " %llu\n", (unsigned long long)cum);
    }
    fmt_double(num, sizeof num, bitsd(atomic_load_explicit(&s->value, memory_order_relaxed)));
    fprintf(out, "%s_sum", f->name);
    put_labels(out, s, NULL);
    fprintf(out, " %s\n%s_count", num, f->name);
    put_labels(out, s, NULL);
    fprintf(out, " %llu\n", (unsigned long long)cum);
}

char *cw_metrics_render(cw_metrics_t *m, size_t *len) {
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    if (!out) return NULL;
    pthread_mutex_lock(&m->lock);
    for (const family_t *f = m->families; f; f = f->next) {
        fprintf(out, "# HELP %s ", f->name);
        put_escaped(out, f->help, 0);
        fprintf(out, "\n# TYPE %s %s\n", f->name, kind_name(f->kind));
        for (const struct cw_metric *s = f->series; s; s = s->next) {
            if (f->kind == CW_METRIC_HISTOGRAM) {
                render_histogram(out, f, s);
                continue;
            }
            char num[40];
            fmt_double(num, sizeof num,
                       bitsd(atomic_load_explicit(&s->value, memory_order_relaxed)));
            fputs(f->name, out);
            put_labels(out, s, NULL);
            fprintf(out, " %s\n", num);
        }
    }
    pthread_mutex_unlock(&m->lock);
    if (fclose(out) != 0) {
        free(buf);
        return NULL;
    }
    if (len) *len = n;
    return buf;
}

int cw_metrics_write_file(cw_metrics_t *m, const char *path, char *errstr, size_t errstr_size) {
    size_t n = 0;
    char *text = cw_metrics_render(m, &n);
    if (!text) {
        snprintf(errstr, errstr_size, "metrics file %s: out of memory", path);
        return -1;
    }
    FILE *f = fopen(path, "w");
    int ok = f && fwrite(text, 1, n, f) == n;
    int err = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    free(text);
    if (!ok) {
        snprintf(errstr, errstr_size, "metrics file %s: %s", path, strerror(err));
        return -1;
    }
    return 0;
}
