/* The metrics registry's insides, shared by metrics.c (definitions, registration, updates) and
 * metrics_render.c (collectors, the text format). Nothing else includes this. */
#ifndef CW_METRICS_INT_H
#define CW_METRICS_INT_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "metrics.h"

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
    char *labels;           /* rendered: name="value",... (escaped); "" for none */
    cw_metric_read_fn read; /* read at render time instead of `value`; or NULL */
    const void *read_arg;
    unsigned gen;             /* collector series: the render that last set it */
    _Atomic uint64_t value;   /* counter / gauge value; histogram sum (double bits) */
    _Atomic uint64_t *counts; /* histograms: per bucket (not cumulative), nbounds + 1 */
    struct cw_metric *next;
};

typedef struct collector {
    cw_metrics_collector_fn fn;
    void *opaque;
    struct collector *next;
} collector_t;

struct cw_metrics {
    pthread_mutex_t lock;
    family_t *families; /* registration order */
    /* Collectors: the list and the runs are under collect_lock, taken before `lock`. */
    pthread_mutex_t collect_lock;
    collector_t *collectors;
    unsigned gen; /* renders so far */
};

struct cw_metrics_collect {
    cw_metrics_t *m;
    collector_t *owner;
};

static inline uint64_t cw_dbits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline double cw_bitsd(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* The rules of a definition (see plugin.h). 0, or -1 with errstr. */
int cw_metrics_def_check(const cw_metric_def_t *d, int strict, char *errstr, size_t errstr_size);
/* Under m->lock: the series of `def` with `labels` for `owner`, found or created (read, arg:
 * see cw_metrics_register_read). NULL with errstr. */
struct cw_metric *cw_metrics_get_locked(cw_metrics_t *m, const void *owner,
                                        const cw_metric_def_t *def, const cw_metric_label_t *labels,
                                        size_t nlabels, char *errstr, size_t errstr_size);
/* Under m->lock: unlinks and frees `s`, and its family when it was the last series. */
void cw_metrics_unlink_locked(cw_metrics_t *m, struct cw_metric *s);
/* Under m->lock: frees every series of `owner`, and the families left empty. */
void cw_metrics_release_locked(cw_metrics_t *m, const void *owner);
#endif
