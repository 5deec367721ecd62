/* The test harness of test_herder.c (see herder_harness.h). */
#define _GNU_SOURCE
#include "herder_harness.h"

#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"

char *harness_file(const harness_t *t, const char *name, const char *text) {
    char *path = NULL;
    if (asprintf(&path, "%s/%s", t->dir, name) < 0) abort();
    FILE *f = fopen(path, "w");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
    return path;
}

static void *run(void *arg) {
    harness_t *t = arg;
    t->rc = cw_worker_run(t->w);
    return NULL;
}

static int herder_up(void *arg) { return cw_herder_running(arg); }

int harness_start(harness_t *t, const char *plugin_dir, const char *const *files, size_t n) {
    char wf[512];
    snprintf(wf, sizeof wf, "%s/worker.properties", t->dir);
    const char *paths[] = {plugin_dir};
    cw_worker_options_t opts = {.plugin_paths = paths, .nplugin_paths = 1};
    cw_errlist_t errs = {0};
    t->w = cw_worker_new(wf, &opts, &errs);
    cw_worker_add_connectors(t->w, files, n, &errs);
    for (size_t i = 0; i < errs.count; i++) fprintf(stderr, "worker: %s\n", errs.items[i]);
    int bad = errs.count != 0;
    cw_errlist_free(&errs);
    if (bad) return -1;
    t->h = cw_worker_herder(t->w);
    cw_herder_set_keep_running(t->h, 1);
    cw_herder_set_worker_id(t->h, "127.0.0.1:18083");
    /* The worker's loop owns SIGTERM/SIGINT/SIGUSR1: blocked here too, as in a daemon. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, CW_WAKE_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (pthread_create(&t->thread, NULL, run, t) != 0) return -1;
    return wait_for(herder_up, t->h, 30000) ? 0 : -1;
}

int harness_stop(harness_t *t) {
    cw_worker_stop(t->w);
    pthread_join(t->thread, NULL);
    cw_worker_free(t->w);
    t->w = NULL;
    t->h = NULL;
    return t->rc;
}

int wait_for(int (*cond)(void *), void *arg, int timeout_ms) {
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        if (cond(arg)) return 1;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return cond(arg);
}

const char *state_of(cw_herder_t *h, const char *conn, int task, char *buf, size_t size) {
    json_t *st = NULL;
    char err[CW_HERDER_ERRSTR_SIZE];
    buf[0] = '\0';
    if (cw_herder_status(h, conn, &st, err, sizeof err) != 0) return buf;
    json_t *e = task < 0 ? json_object_get(st, "connector")
                         : json_array_get(json_object_get(st, "tasks"), (size_t)task);
    const char *s = json_string_value(json_object_get(e, "state"));
    snprintf(buf, size, "%s", s ? s : "");
    json_decref(st);
    return buf;
}

typedef struct {
    cw_herder_t *h;
    const char *conn, *state;
    int task;
} state_wait_t;

static int state_is(void *arg) {
    state_wait_t *s = arg;
    char buf[64];
    return strcmp(state_of(s->h, s->conn, s->task, buf, sizeof buf), s->state) == 0;
}

int wait_state(cw_herder_t *h, const char *conn, int task, const char *state, int timeout_ms) {
    state_wait_t s = {.h = h, .conn = conn, .state = state, .task = task};
    return wait_for(state_is, &s, timeout_ms);
}

long count_matching(const char *path, const char *needle) {
    FILE *f = fopen(path, "r");
    char line[8192];
    long n = 0;
    while (f && fgets(line, sizeof line, f)) n += !needle || strstr(line, needle) != NULL;
    if (f) fclose(f);
    return n;
}

long count_lines(const char *path) { return count_matching(path, NULL); }

void append_line(const char *path, const char *line) {
    FILE *f = fopen(path, "a");
    if (!f) abort();
    fprintf(f, "%s\n", line);
    fclose(f);
}

static rd_kafka_t *client(harness_t *t, rd_kafka_type_t type) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", t->w->bootstrap, err, sizeof err) ||
        rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err))
        abort();
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) abort();
    return rk;
}

int64_t high_watermark(harness_t *t, const char *topic) {
    rd_kafka_t *rk = client(t, RD_KAFKA_CONSUMER);
    int64_t lo = -1, hi = -1;
    if (rd_kafka_query_watermark_offsets(rk, topic, 0, &lo, &hi, 10000)) hi = -1;
    rd_kafka_destroy(rk);
    return hi;
}

int produce(harness_t *t, const char *topic, const char *value) {
    rd_kafka_t *rk = client(t, RD_KAFKA_PRODUCER);
    rd_kafka_resp_err_t err =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                          RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    int rc = err == RD_KAFKA_RESP_ERR_NO_ERROR && rd_kafka_flush(rk, 10000) == 0 ? 0 : -1;
    rd_kafka_destroy(rk);
    return rc;
}

long paused_rounds(cw_herder_t *h, const char *conn, int task) {
    long n = -1;
    pthread_mutex_lock(&h->state_lock);
    cw_hconn_t *hc = cw_herder_find(h, conn);
    if (hc && hc->c && task < hc->c->ntasks) n = atomic_load(&hc->c->tasks[task].env.paused_rounds);
    pthread_mutex_unlock(&h->state_lock);
    return n;
}
