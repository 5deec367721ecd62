/* s3-driver: runs the S3 sink task the way the worker's sink runtime does (put in offset
 * order, back off and call again on CW_ERR_RETRIABLE, flush and commit only what flush
 * reports durable), with generated records, against a real S3 server. It stands in for the
 * worker in integration tests until the runtime can run connectors, and keeps its committed
 * offsets in a file so a test can kill it and start it again.
 *
 *   s3-driver --config FILE [--partitions P] [--records N] [--pad BYTES] [--batch K]
 *             [--flush-every PUTS] [--commit-file F] [--kill-after-puts M]
 *             [--put-delay-ms MS] [--topic T]
 *   s3-driver --config FILE --get KEY     (prints one object through the configured client)
 *
 * Record i of partition p: {"id":"p-i","p":p,"i":i,"ts":<ms>,"cat":"c<i%3>","pad":"..."},
 * Kafka timestamp 1700000000000 + i*1000. */
#include "fake_host.h"
#include "s3_sink.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXP 256

static char *cfg_store[128];
static int64_t committed[MAXP];

static void die(const char *fmt, const char *a) {
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\n");
    exit(2);
}

static void load_config(cw_config_t *cfg, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) die("cannot open %s", path);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < 120) {
        line[strcspn(line, "\r\n")] = 0;
        char *eq = strchr(line, '=');
        if (line[0] == '#' || !eq) continue;
        *eq = 0;
        cfg_store[n] = strdup(line);
        cfg_store[n + 1] = strdup(eq + 1);
        fake_config_set(cfg, cfg_store[n], cfg_store[n + 1]);
        n += 2;
    }
    fclose(f);
}

static void read_commits(const char *path, int parts) {
    for (int p = 0; p < parts; p++) committed[p] = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    int p;
    long long off;
    while (fscanf(f, "%d %lld", &p, &off) == 2)
        if (p >= 0 && p < parts) committed[p] = off;
    fclose(f);
}

static void write_commits(const char *path, int parts) {
    if (!path) return;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) die("cannot write %s", tmp);
    for (int p = 0; p < parts; p++) fprintf(f, "%d %lld\n", p, (long long)committed[p]);
    fflush(f);
    fsync(fileno(f));
    fclose(f);
    rename(tmp, path);
}

static void nap(int ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
    const char *config = NULL, *commit_file = NULL, *get_key = NULL, *topic = "events";
    int parts = 1, batch = 50, flush_every = 5, pad = 20, put_delay = 0;
    long records = 100, kill_after = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--config"))
            config = v;
        else if (!strcmp(k, "--partitions"))
            parts = atoi(v);
        else if (!strcmp(k, "--records"))
            records = atol(v);
        else if (!strcmp(k, "--pad"))
            pad = atoi(v);
        else if (!strcmp(k, "--batch"))
            batch = atoi(v);
        else if (!strcmp(k, "--flush-every"))
            flush_every = atoi(v);
        else if (!strcmp(k, "--commit-file"))
            commit_file = v;
        else if (!strcmp(k, "--kill-after-puts"))
            kill_after = atol(v);
        else if (!strcmp(k, "--get"))
            get_key = v;
        else if (!strcmp(k, "--topic"))
            topic = v;
        else if (!strcmp(k, "--put-delay-ms"))
            put_delay = atoi(v);
        else
            die("unknown option %s", k);
    }
    if (!config || parts < 1 || parts > MAXP || batch < 1)
        die("usage: %s --config FILE [options]", argv[0]);

    cw_config_t cfg;
    fake_config_init(&cfg, s3_sink_config_defs);
    load_config(&cfg, config);
    char err[1024];
    s3_task_t *t = NULL;
    int rc = s3_task_start(&fake_host, NULL, &cfg, &t, err, sizeof err);
    if (rc != CW_OK) {
        fprintf(stderr, "start failed (%d): %s\n", rc, err);
        return 3;
    }
    if (get_key) {
        /* Through a second client of the configured kind: the task's is private. */
        s3_settings_t s;
        s3_credentials_t cr;
        s3_settings_load(&fake_host, &cfg, &s, err, sizeof err);
        s3_credentials_resolve(s.cfg_access_key, s.cfg_secret_key, s.cfg_session_token, &cr, err,
                               sizeof err);
        s3_client_options_t o = {.endpoint = s.endpoint,
                                 .bucket = s.bucket,
                                 .region = s.region,
                                 .path_style = s.path_style,
                                 .creds = &cr,
                                 .max_retries = 1,
                                 .backoff_ms = 100};
        s3_client_t *c = s.use_libs3 ? s3_client_libs3_new(&o, err, sizeof err)
                                     : s3_client_curl_new(&o, err, sizeof err);
        char *data = NULL;
        size_t len = 0;
        s3_result_t res;
        int oc = c ? c->ops->get(c, get_key, &data, &len, &res) : S3_PERMANENT;
        if (oc == S3_DONE)
            fwrite(data, 1, len, stdout);
        else
            fprintf(stderr, "GET %s failed: %s %s\n", get_key, c ? res.code : err,
                    c ? res.detail : "");
        free(data);
        if (c) c->ops->destroy(c);
        s3_credentials_clear(&cr);
        s3_settings_free(&s);
        s3_task_stop(t);
        fake_config_free(&cfg);
        return oc == S3_DONE ? 0 : 1;
    }

    read_commits(commit_file, parts);
    cw_topic_partition_t tps[MAXP];
    for (int p = 0; p < parts; p++) tps[p] = (cw_topic_partition_t){topic, p, committed[p]};
    s3_task_open(t, tps, (size_t)parts);

    int64_t next[MAXP];
    for (int p = 0; p < parts; p++) next[p] = committed[p];
    char *padding = malloc((size_t)pad + 1);
    memset(padding, 'x', (size_t)pad);
    padding[pad] = 0;
    cw_record_t *recs = calloc((size_t)batch, sizeof *recs);
    cw_record_t **ptrs = calloc((size_t)batch, sizeof *ptrs);
    char *value = malloc((size_t)pad + 256);
    long puts = 0;
    int status = 0;
    for (;;) {
        int progressed = 0;
        for (int p = 0; p < parts; p++) {
            int n = 0;
            while (n < batch && next[p] + n < records) {
                int64_t i = next[p] + n;
                snprintf(value, (size_t)pad + 256,
                         "{\"id\":\"%d-%lld\",\"p\":%d,\"i\":%lld,\"ts\":%lld,\"cat\":\"c%lld\","
                         "\"pad\":\"%s\"}",
                         p, (long long)i, p, (long long)i, 1700000000000LL + i * 1000,
                         (long long)(i % 3), padding);
                fake_record_init(&recs[n], topic, p, i, 1700000000000LL + i * 1000, value);
                ptrs[n] = &recs[n];
                n++;
            }
            if (!n) continue;
            progressed = 1;
            int tries = 0;
            while ((rc = s3_task_put(t, ptrs, (size_t)n, err, sizeof err)) == CW_ERR_RETRIABLE) {
                if (++tries > 600) {
                    fprintf(stderr, "giving up: %s\n", err);
                    return 4;
                }
                if (tries == 1) fprintf(stderr, "put retriable: %s\n", err);
                nap(100); /* the worker's backoff while partitions are paused */
            }
            for (int k = 0; k < n; k++) fake_record_free(&recs[k]);
            if (rc != CW_OK) {
                fprintf(stderr, "put failed (%d): %s\n", rc, err);
                status = 5;
                goto out;
            }
            next[p] += n;
            puts++;
            if (put_delay > 0) nap(put_delay);
            if (kill_after >= 0 && puts >= kill_after)
                kill(getpid(), SIGKILL); /* a crash: nothing flushed, nothing cleaned */
            if (puts % flush_every == 0) {
                for (int q = 0; q < parts; q++) tps[q] = (cw_topic_partition_t){topic, q, next[q]};
                rc = s3_task_flush(t, tps, (size_t)parts, 0, err, sizeof err);
                if (rc != CW_OK) {
                    fprintf(stderr, "flush failed (%d): %s\n", rc, err);
                    status = 6;
                    goto out;
                }
                for (int q = 0; q < parts; q++)
                    if (tps[q].offset >= 0) committed[q] = tps[q].offset;
                write_commits(commit_file, parts);
            }
        }
        if (!progressed) break;
    }
    /* Stop: final flushes until everything is durable (S3 may be down for a while). */
    for (int tries = 0;; tries++) {
        for (int q = 0; q < parts; q++) tps[q] = (cw_topic_partition_t){topic, q, next[q]};
        rc = s3_task_flush(t, tps, (size_t)parts, 1, err, sizeof err);
        if (rc == CW_ERR_FATAL) {
            fprintf(stderr, "final flush failed: %s\n", err);
            status = 6;
            break;
        }
        int all = 1;
        for (int q = 0; q < parts; q++) {
            if (tps[q].offset >= 0) committed[q] = tps[q].offset;
            all &= committed[q] == next[q];
        }
        write_commits(commit_file, parts);
        if (all) break;
        if (tries > 600) {
            fprintf(stderr, "final flush: data still not durable\n");
            status = 7;
            break;
        }
        nap(100);
    }
out:
    fprintf(stderr, "driver: %ld puts, buffered %zu bytes at exit\n", puts,
            s3_task_buffered_bytes(t));
    s3_task_stop(t);
    free(padding);
    free(recs);
    free(ptrs);
    free(value);
    fake_config_free(&cfg);
    for (int i = 0; cfg_store[i]; i++) free(cfg_store[i]);
    return status;
}
