/* The metrics registry's output (see metrics.h): collectors, then the Prometheus text
 * exposition format (version 0.0.4). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "metrics_int.h"

/* --- collectors -------------------------------------------------------------------------- */

int cw_metrics_collector_add(cw_metrics_t *m, cw_metrics_collector_fn fn, void *opaque) {
    collector_t *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->fn = fn;
    c->opaque = opaque;
    pthread_mutex_lock(&m->collect_lock);
    collector_t **pp = &m->collectors;
    while (*pp) pp = &(*pp)->next;
    *pp = c;
    pthread_mutex_unlock(&m->collect_lock);
    return 0;
}

void cw_metrics_collector_remove(cw_metrics_t *m, cw_metrics_collector_fn fn, void *opaque) {
    if (!m) return;
    pthread_mutex_lock(&m->collect_lock);
    for (collector_t **pp = &m->collectors; *pp; pp = &(*pp)->next) {
        collector_t *c = *pp;
        if (c->fn != fn || c->opaque != opaque) continue;
        *pp = c->next;
        pthread_mutex_lock(&m->lock);
        cw_metrics_release_locked(m, c);
        pthread_mutex_unlock(&m->lock);
        free(c);
        break;
    }
    pthread_mutex_unlock(&m->collect_lock);
}

void cw_metrics_collect(cw_metrics_collect_t *c, const cw_metric_def_t *def,
                        const cw_metric_label_t *labels, size_t nlabels, double value) {
    char err[256];
    if (!c || cw_metrics_def_check(def, 0, err, sizeof err) || def->kind == CW_METRIC_HISTOGRAM)
        return;
    cw_metrics_t *m = c->m;
    pthread_mutex_lock(&m->lock);
    struct cw_metric *s = cw_metrics_get_locked(m, c->owner, def, labels, nlabels, err, sizeof err);
    if (s) {
        s->gen = m->gen;
        atomic_store_explicit(&s->value, cw_dbits(value), memory_order_relaxed);
    }
    pthread_mutex_unlock(&m->lock);
}

/* Under both locks: the collectors' series not set by this render go. */
static void sweep_collected(cw_metrics_t *m) {
    for (family_t *f = m->families, *next; f; f = next) {
        next = f->next;
        for (struct cw_metric *s = f->series, *sn; s; s = sn) {
            sn = s->next;
            int collected = 0;
            for (collector_t *c = m->collectors; c && !collected; c = c->next)
                collected = s->owner == c;
            if (collected && s->gen != m->gen) cw_metrics_unlink_locked(m, s); /* may free f */
        }
    }
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

/* HELP text escapes backslash and newline. */
static void put_help(FILE *out, const char *s) {
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", out);
        else if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
}

/* name{labels[,le="x"]} or name alone when there is no label. */
static void put_sample_name(FILE *out, const char *name, const char *suffix,
                            const struct cw_metric *s, const char *le) {
    fprintf(out, "%s%s", name, suffix);
    if (!*s->labels && !le) return;
    fprintf(out, "{%s", s->labels);
    if (le) fprintf(out, "%sle=\"%s\"", *s->labels ? "," : "", le);
    fputc('}', out);
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
        put_sample_name(out, f->name, "_bucket", s, num);
        fprintf(out, " %llu\n", (unsigned long long)cum);
    }
    fmt_double(num, sizeof num, cw_bitsd(atomic_load_explicit(&s->value, memory_order_relaxed)));
    put_sample_name(out, f->name, "_sum", s, NULL);
    fprintf(out, " %s\n", num);
    put_sample_name(out, f->name, "_count", s, NULL);
    fprintf(out, " %llu\n", (unsigned long long)cum);
}

static void render_family(FILE *out, const family_t *f) {
    fprintf(out, "# HELP %s ", f->name);
    put_help(out, f->help);
    fprintf(out, "\n# TYPE %s %s\n", f->name,
            f->kind == CW_METRIC_COUNTER ? "counter"
            : f->kind == CW_METRIC_GAUGE ? "gauge"
                                         : "histogram");
    for (const struct cw_metric *s = f->series; s; s = s->next) {
        if (f->kind == CW_METRIC_HISTOGRAM) {
            render_histogram(out, f, s);
            continue;
        }
        char num[40];
        double v = s->read ? s->read(s->read_arg)
                           : cw_bitsd(atomic_load_explicit(&s->value, memory_order_relaxed));
        fmt_double(num, sizeof num, v);
        put_sample_name(out, f->name, "", s, NULL);
        fprintf(out, " %s\n", num);
    }
}

char *cw_metrics_render(cw_metrics_t *m, size_t *len) {
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    if (!out) return NULL;
    pthread_mutex_lock(&m->collect_lock);
    pthread_mutex_lock(&m->lock);
    m->gen++;
    pthread_mutex_unlock(&m->lock);
    for (collector_t *c = m->collectors; c; c = c->next) {
        cw_metrics_collect_t ctx = {.m = m, .owner = c};
        c->fn(&ctx, c->opaque);
    }
    pthread_mutex_lock(&m->lock);
    sweep_collected(m);
    for (const family_t *f = m->families; f; f = f->next) render_family(out, f);
    pthread_mutex_unlock(&m->lock);
    pthread_mutex_unlock(&m->collect_lock);
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
