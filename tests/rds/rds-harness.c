/* A stand-in worker for testing the rds-source plugin before and beside the real runtime: it
 * loads the plugin shared object, implements the host functions a source task uses with
 * plain in-memory structures, runs one task, prints every record as "topic<TAB>value" on
 * stdout, and keeps source offsets in a file (rewritten atomically after the records of a
 * poll are written out: the stand-in for "Kafka acknowledged them").
 *
 * usage: rds-harness [--plugin SO] [--offsets FILE] [--until-idle] [--max-records N]
 *                    [--tasks N] [--task K] [--start-retries N] [--poll-delay-ms N]
 *                    key=value...
 * --poll-delay-ms sleeps after every poll (a slow Kafka), so tests can interrupt a run.
 * exit: 0 done (idle / max records / SIGTERM), 2 plugin error (message on stderr). */
#include <dlfcn.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "connect-worker/plugin.h"

typedef struct kv { char *k, *v; } kv_t;
typedef struct kvs { kv_t *items; size_t n; } kvs_t;

static void kvs_set(kvs_t *s, const char *k, const char *v) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i].k, k) == 0) { free(s->items[i].v); s->items[i].v = strdup(v); return; }
    s->items = realloc(s->items, (s->n + 1) * sizeof *s->items);
    s->items[s->n].k = strdup(k);
    s->items[s->n].v = strdup(v);
    s->n++;
}
static const char *kvs_get(const kvs_t *s, const char *k) {
    for (size_t i = 0; i < s->n; i++) if (strcmp(s->items[i].k, k) == 0) return s->items[i].v;
    return NULL;
}
static void kvs_free(kvs_t *s) {
    for (size_t i = 0; i < s->n; i++) { free(s->items[i].k); free(s->items[i].v); }
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

struct cw_config {
    kvs_t kv;
    const cw_config_def_t *defs;
    char ***lists;   /* cached split lists, freed at the end */
    size_t nlists;
};
struct cw_ctx { int task; };
struct cw_record { char *topic, *partition, *offset, *value; size_t value_len; };
struct cw_batch { struct cw_record **recs; size_t n; };
struct cw_task_split { kvs_t tasks[64]; };

static volatile sig_atomic_t g_stop;
static kvs_t g_offsets;
static const char *g_offsets_file;

static void on_signal(int sig) { (void)sig; g_stop = 1; }

static const char *lvl_name(cw_log_level_t l) {
    static const char *const n[] = {"ERROR", "WARN", "INFO", "DEBUG", "TRACE"};
    return l <= CW_LOG_TRACE ? n[l] : "?";
}
static void h_log(cw_ctx_t *ctx, cw_log_level_t level, const char *fmt, ...) {
    if (level > CW_LOG_INFO && !getenv("RDS_HARNESS_DEBUG")) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%s] rds task %d: ", lvl_name(level), ctx ? ctx->task : -1);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
static int h_stopping(cw_ctx_t *ctx) { (void)ctx; return g_stop; }
static const char *h_connector_name(cw_ctx_t *ctx) { (void)ctx; return "rds-test"; }
static int h_task_id(cw_ctx_t *ctx) { return ctx->task; }

static const char *h_config_get(const cw_config_t *c, const char *key) {
    const char *v = kvs_get(&c->kv, key);
    if (v) return v;
    for (size_t i = 0; c->defs && c->defs[i].name; i++)
        if (strcmp(c->defs[i].name, key) == 0) return c->defs[i].default_value;
    return NULL;
}
static int64_t h_get_int(const cw_config_t *c, const char *key, int64_t fb) {
    const char *v = h_config_get(c, key);
    return v ? strtoll(v, NULL, 10) : fb;
}
static double h_get_double(const cw_config_t *c, const char *key, double fb) {
    const char *v = h_config_get(c, key);
    return v ? strtod(v, NULL) : fb;
}
static int h_get_bool(const cw_config_t *c, const char *key, int fb) {
    const char *v = h_config_get(c, key);
    return v ? strcasecmp(v, "true") == 0 : fb;
}
static const char *const *h_get_list(const cw_config_t *cc, const char *key, size_t *count) {
    cw_config_t *c = (cw_config_t *)cc;
    const char *v = h_config_get(c, key);
    if (count) *count = 0;
    if (!v) return NULL;
    char **items = calloc(strlen(v) + 2, sizeof *items);
    size_t n = 0;
    const char *p = v;
    while (*v) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t')) { p++; len--; }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        items[n++] = strndup(p, len);
        if (!e) break;
        p = e + 1;
    }
    c->lists = realloc(c->lists, (c->nlists + 1) * sizeof *c->lists);
    c->lists[c->nlists++] = items;
    if (count) *count = n;
    return (const char *const *)items;
}
static void h_task_config_set(cw_task_split_t *s, int task, const char *k, const char *v) {
    if (task >= 0 && task < 64) kvs_set(&s->tasks[task], k, v);
}
static cw_record_t *h_record_new(cw_batch_t *b, const char *topic, int32_t partition,
                                 const char *sp, const char *so) {
    (void)partition;
    cw_record_t *r = calloc(1, sizeof *r);
    r->topic = strdup(topic);
    r->partition = sp ? strdup(sp) : NULL;
    r->offset = so ? strdup(so) : NULL;
    b->recs = realloc(b->recs, (b->n + 1) * sizeof *b->recs);
    b->recs[b->n++] = r;
    return r;
}
static void h_set_value(cw_record_t *r, const void *data, size_t len) {
    free(r->value);
    r->value = malloc(len + 1);
    memcpy(r->value, data, len);
    r->value[len] = '\0';
    r->value_len = len;
}
static char *h_offset_get(cw_ctx_t *ctx, const char *sp) {
    (void)ctx;
    const char *v = kvs_get(&g_offsets, sp);
    return v ? strdup(v) : NULL;
}
static char *h_json_encode(const struct json_t *v, size_t *len) {
    char *s = json_dumps((const json_t *)v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s && len) *len = strlen(s);
    return s;
}
static void h_free(void *p) { free(p); }

static cw_host_t g_host = {
    .abi_version = CW_ABI_VERSION, .struct_size = sizeof(cw_host_t), .log = h_log,
    .stopping = h_stopping, .connector_name = h_connector_name, .task_id = h_task_id,
    .config_get = h_config_get, .config_get_int = h_get_int, .config_get_double = h_get_double,
    .config_get_bool = h_get_bool, .config_get_list = h_get_list,
    .task_config_set = h_task_config_set, .record_set_value = h_set_value,
    .source_record_new = h_record_new, .offset_get = h_offset_get,
    .json_encode = h_json_encode, .free = h_free,
};

static void load_offsets(void) {
    FILE *f = g_offsets_file ? fopen(g_offsets_file, "r") : NULL;
    if (!f) return;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        char *val = tab + 1;
        val[strcspn(val, "\n")] = '\0';
        kvs_set(&g_offsets, line, val);
    }
    fclose(f);
}
static void save_offsets(void) {
    if (!g_offsets_file) return;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", g_offsets_file);
    FILE *f = fopen(tmp, "w");
    if (!f) { perror(tmp); exit(3); }
    for (size_t i = 0; i < g_offsets.n; i++)
        fprintf(f, "%s\t%s\n", g_offsets.items[i].k, g_offsets.items[i].v);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) { perror(tmp); exit(3); }
    fclose(f);
    if (rename(tmp, g_offsets_file) != 0) { perror(g_offsets_file); exit(3); }
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
    const char *so = NULL;
    int until_idle = 0, tasks = 0, task = 0, start_retries = 0, poll_delay_ms = 0;
    long long max_records = -1;
    cw_config_t cfg = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc) so = argv[++i];
        else if (strcmp(argv[i], "--offsets") == 0 && i + 1 < argc) g_offsets_file = argv[++i];
        else if (strcmp(argv[i], "--until-idle") == 0) until_idle = 1;
        else if (strcmp(argv[i], "--max-records") == 0 && i + 1 < argc) max_records = atoll(argv[++i]);
        else if (strcmp(argv[i], "--tasks") == 0 && i + 1 < argc) tasks = atoi(argv[++i]);
        else if (strcmp(argv[i], "--task") == 0 && i + 1 < argc) task = atoi(argv[++i]);
        else if (strcmp(argv[i], "--poll-delay-ms") == 0 && i + 1 < argc) poll_delay_ms = atoi(argv[++i]);
        else if (strcmp(argv[i], "--start-retries") == 0 && i + 1 < argc) start_retries = atoi(argv[++i]);
        else {
            char *eq = strchr(argv[i], '=');
            if (!eq) { fprintf(stderr, "bad argument %s\n", argv[i]); return 64; }
            *eq = '\0';
            kvs_set(&cfg.kv, argv[i], eq + 1);
        }
    }
    char sobuf[4096];
    if (!so) {
        snprintf(sobuf, sizeof sobuf, "%s/rds-source.so", getenv("CW_PLUGIN_DIR") ? getenv("CW_PLUGIN_DIR") : ".");
        so = sobuf;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    void *dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!dl) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 2; }
    cw_module_entry_fn entry = (cw_module_entry_fn)dlsym(dl, CW_MODULE_ENTRY_SYMBOL);
    const cw_module_t *mod = entry ? entry() : NULL;
    if (!mod || mod->abi_version != CW_ABI_VERSION) { fprintf(stderr, "bad module\n"); return 2; }
    char err[1024] = "";
    if (mod->init && mod->init(&g_host, err, sizeof err) != CW_OK) { fprintf(stderr, "init: %s\n", err); return 2; }
    const cw_plugin_t *p = mod->plugins[0];
    cfg.defs = p->config;
    struct cw_ctx ctx = {task};
    for (size_t i = 0; p->config[i].name; i++)
        if ((p->config[i].flags & CW_CFG_F_REQUIRED) && !kvs_get(&cfg.kv, p->config[i].name)) {
            fprintf(stderr, "error: %s is required\n", p->config[i].name);
            return 2;
        }
    load_offsets();
    int rc = 0, status = 0;
    if (tasks > 0) {
        cw_task_split_t *split = calloc(1, sizeof *split);
        int n = p->source->task_configs(&ctx, &cfg, tasks, split, err, sizeof err);
        if (n < 0) {
            fprintf(stderr, "error: task_configs: %s\n", err);
            free(split);
            status = 2;
            goto out;
        }
        for (int t = 0; t < n; t++)
            fprintf(stderr, "split: task %d tables=%s\n", t, kvs_get(&split->tasks[t], "tables"));
        printf("TASKS %d\n", n);
        for (size_t i = 0; task < n && i < split->tasks[task].n; i++)
            kvs_set(&cfg.kv, split->tasks[task].items[i].k, split->tasks[task].items[i].v);
        for (int t = 0; t < 64; t++) kvs_free(&split->tasks[t]);
        free(split);
        if (task >= n) goto out;
    }
    void *state = NULL;
    for (int attempt = 0;; attempt++) {
        rc = p->source->start(&ctx, &cfg, &state, err, sizeof err);
        if (rc == CW_OK) break;
        fprintf(stderr, "error: start: %s\n", err);
        if (rc != CW_ERR_RETRIABLE || attempt >= start_retries || g_stop) { status = 2; goto out; }
        sleep_ms(200);
    }
    long long total = 0;
    while (!g_stop) {
        cw_batch_t batch = {0};
        err[0] = '\0';
        rc = p->source->poll(state, &batch, 500, err, sizeof err);
        for (size_t i = 0; i < batch.n; i++) {
            cw_record_t *r = batch.recs[i];
            fprintf(stdout, "%s\t%s\n", r->topic, r->value ? r->value : "null");
        }
        fflush(stdout);
        for (size_t i = 0; i < batch.n; i++) {
            cw_record_t *r = batch.recs[i];
            if (r->partition && r->offset) kvs_set(&g_offsets, r->partition, r->offset);
            free(r->topic); free(r->partition); free(r->offset); free(r->value); free(r);
        }
        total += (long long)batch.n;
        free(batch.recs);
        save_offsets();
        if (p->source->commit) p->source->commit(state);
        if (rc == CW_IDLE && until_idle) break;
        if (poll_delay_ms > 0) sleep_ms(poll_delay_ms);
        if (rc == CW_IDLE) sleep_ms(100);  /* as the worker does: nothing new, don't spin */
        if (max_records >= 0 && total >= max_records) break;
        if (rc == CW_ERR_RETRIABLE) { fprintf(stderr, "retriable: %s\n", err); sleep_ms(200); }
        else if (rc < 0) { fprintf(stderr, "error: poll: %s\n", err); status = 2; break; }
    }
    p->source->stop(state);
    fprintf(stderr, "harness: %lld records\n", total);
    FILE *st = fopen("/proc/self/status", "r");
    char line[256];
    while (st && fgets(line, sizeof line, st))
        if (strncmp(line, "VmHWM:", 6) == 0) fprintf(stderr, "harness: peak rss kb %lld\n", atoll(line + 6));
    if (st) fclose(st);
out:
    if (mod->fini) mod->fini();
    for (size_t i = 0; i < cfg.nlists; i++) {
        for (char **it = cfg.lists[i]; *it; it++) free(*it);
        free(cfg.lists[i]);
    }
    free(cfg.lists);
    kvs_free(&cfg.kv);
    kvs_free(&g_offsets);
    dlclose(dl);
    return status;
}
