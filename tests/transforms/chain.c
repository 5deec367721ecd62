/* cw-transform-chain: runs records through a transform chain configured like a connector
 * (transforms=..., transforms.<a>.type/predicate/negate, predicates=..., errors.tolerance),
 * with the plugins loaded from their shared objects, in process over the test host.
 *
 *   cw-transform-chain --config FILE --plugin SO [--plugin SO ...] [--topic T]
 *                      [--envelope-in] [--envelope-out] [--dlq FILE] < in > out
 *
 * Input: one record per line; the line is the value (an empty line is a tombstone), or with
 * --envelope-in a JSON object {"topic","partition","timestamp","key","value","value_text",
 * "headers":[[name,value],...]}. Output: each value as one line (as the file sink writes
 * them), or with --envelope-out {"topic","partition","key","value","headers"}.
 * errors.tolerance=none stops at the first failed record (exit 3, message naming topic,
 * partition, offset); all writes it to the --dlq file with the reason and goes on. */
#define _GNU_SOURCE
#include "testhost.h"
#include <dlfcn.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAXP 64

static const cw_plugin_t *plugins[256];
static size_t nplugins;

static void die(const char *fmt, const char *a) {
    fprintf(stderr, "cw-transform-chain: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    exit(2);
}

static void load_plugin(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) die("cannot load %s", dlerror());
    cw_module_entry_fn entry = (cw_module_entry_fn)dlsym(h, CW_MODULE_ENTRY_SYMBOL);
    if (!entry) die("%s has no cw_module_entry", path);
    const cw_module_t *m = entry();
    if (m->abi_version != CW_ABI_VERSION || m->struct_size != sizeof(cw_module_t))
        die("%s: ABI mismatch", path);
    char err[512] = "";
    if (m->init && m->init(th_host(), err, sizeof(err)) != CW_OK) die("module init failed: %s", err);
    for (size_t i = 0; m->plugins[i]; i++) plugins[nplugins++] = m->plugins[i];
}

static const cw_plugin_t *find_plugin(const char *name, cw_plugin_kind_t kind) {
    for (size_t i = 0; i < nplugins; i++) {
        if (plugins[i]->kind != kind) continue;
        if (strcmp(plugins[i]->name, name) == 0) return plugins[i];
        for (size_t j = 0; plugins[i]->aliases && plugins[i]->aliases[j]; j++)
            if (strcmp(plugins[i]->aliases[j], name) == 0) return plugins[i];
    }
    return NULL;
}

/* --- a .properties subset: key=value / key: value, # and ! comments, backslash escapes -- */

static char *unescape(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    for (; *s; s++) {
        if (*s != '\\' || !s[1]) { *o++ = *s; continue; }
        s++;
        switch (*s) {
        case 't': *o++ = '\t'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 'u': {
            unsigned cp = 0;
            sscanf(s + 1, "%4x", &cp);
            s += 4;
            if (cp < 0x80) *o++ = (char)cp;
            else if (cp < 0x800) { *o++ = (char)(0xc0 | cp >> 6); *o++ = (char)(0x80 | (cp & 0x3f)); }
            else { *o++ = (char)(0xe0 | cp >> 12); *o++ = (char)(0x80 | ((cp >> 6) & 0x3f)); *o++ = (char)(0x80 | (cp & 0x3f)); }
            break;
        }
        default: *o++ = *s;
        }
    }
    *o = 0;
    return out;
}

static char *pkeys[1024], *pvals[1024];
static size_t nprops;

static void load_props(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) die("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '#' || *p == '!') continue;
        char *sep = p;
        while (*sep && *sep != '=' && *sep != ':' && *sep != ' ') { if (*sep == '\\' && sep[1]) sep++; sep++; }
        char *k = strndup(p, (size_t)(sep - p));
        char *v = sep;
        while (*v == ' ' || *v == '\t') v++;
        if (*v == '=' || *v == ':') v++;
        while (*v == ' ' || *v == '\t') v++;
        pkeys[nprops] = unescape(k);
        pvals[nprops++] = unescape(v);
        free(k);
    }
    free(line);
    fclose(f);
}

static const char *prop(const char *key) {
    const char *v = NULL;
    for (size_t i = 0; i < nprops; i++)
        if (strcmp(pkeys[i], key) == 0) v = pvals[i];
    return v;
}

/* The sub-configuration of transforms.<alias>. / predicates.<alias>. without the keys the
 * runtime itself reads. */
static cw_config_t *sub_config(const char *prefix, const cw_plugin_t *p) {
    cw_config_t *c = th_config_new(p->config);
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < nprops; i++) {
        if (strncmp(pkeys[i], prefix, pl) != 0) continue;
        const char *k = pkeys[i] + pl;
        if (!strcmp(k, "type") || !strcmp(k, "predicate") || !strcmp(k, "negate")) continue;
        th_config_set(c, k, pvals[i]);
    }
    return c;
}

typedef struct step {
    const cw_plugin_t *p;
    void *state;
    cw_config_t *cfg;
    int pred;       /* index into preds, or -1 */
    int negate;
} step_t;

typedef struct pred {
    char *alias;
    const cw_plugin_t *p;
    void *state;
    cw_config_t *cfg;
} pred_t;

static char **split(const char *v, size_t *n) {
    char **out = calloc(MAXP + 1, sizeof(char *));
    *n = 0;
    if (!v) return out;
    char *copy = strdup(v), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && *n < MAXP; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        size_t l = strlen(t);
        while (l && t[l - 1] == ' ') t[--l] = 0;
        if (*t) out[(*n)++] = strdup(t);
    }
    free(copy);
    return out;
}

int main(int argc, char **argv) {
    const char *config = NULL, *topic = "test", *dlq_path = NULL;
    int env_in = 0, env_out = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc) config = argv[++i];
        else if (!strcmp(argv[i], "--plugin") && i + 1 < argc) load_plugin(argv[++i]);
        else if (!strcmp(argv[i], "--topic") && i + 1 < argc) topic = argv[++i];
        else if (!strcmp(argv[i], "--dlq") && i + 1 < argc) dlq_path = argv[++i];
        else if (!strcmp(argv[i], "--envelope-in")) env_in = 1;
        else if (!strcmp(argv[i], "--envelope-out")) env_out = 1;
        else die("unknown argument %s", argv[i]);
    }
    if (!config) die("%s", "--config is required");
    load_props(config);
    const cw_host_t *host = th_host();
    char err[1024];

    size_t npreds = 0, nsteps = 0, npreds_ok = 0, nsteps_ok = 0;
    int status = 0;
    char **talias = NULL;
    FILE *dlq = NULL;
    char *line = NULL;
    char **palias = split(prop("predicates"), &npreds);
    pred_t preds[MAXP];
    for (size_t i = 0; i < npreds; i++) {
        char key[512];
        snprintf(key, sizeof(key), "predicates.%s.type", palias[i]);
        const char *type = prop(key);
        if (!type) die("%s is not set", key);
        preds[i].alias = palias[i];
        if (!(preds[i].p = find_plugin(type, CW_PLUGIN_PREDICATE))) die("unknown predicate type %s", type);
        snprintf(key, sizeof(key), "predicates.%s.", palias[i]);
        preds[i].cfg = sub_config(key, preds[i].p);
        err[0] = 0;
        if (preds[i].p->predicate->configure(NULL, preds[i].cfg, &preds[i].state, err, sizeof(err)) != CW_OK) {
            fprintf(stderr, "error: %s%s\n", key, err);
            th_config_free(preds[i].cfg);
            npreds_ok = i;
            status = 2;
            goto cleanup;
        }
    }
    npreds_ok = npreds;
    talias = split(prop("transforms"), &nsteps);
    step_t steps[MAXP];
    for (size_t i = 0; i < nsteps; i++) {
        char key[512];
        snprintf(key, sizeof(key), "transforms.%s.type", talias[i]);
        const char *type = prop(key);
        if (!type) die("%s is not set", key);
        if (!(steps[i].p = find_plugin(type, CW_PLUGIN_TRANSFORM))) die("unknown transform type %s", type);
        snprintf(key, sizeof(key), "transforms.%s.predicate", talias[i]);
        const char *pa = prop(key);
        steps[i].pred = -1;
        for (size_t j = 0; pa && j < npreds; j++)
            if (!strcmp(preds[j].alias, pa)) steps[i].pred = (int)j;
        if (pa && steps[i].pred < 0) die("unknown predicate %s", pa);
        snprintf(key, sizeof(key), "transforms.%s.negate", talias[i]);
        steps[i].negate = prop(key) && !strcasecmp(prop(key), "true");
        snprintf(key, sizeof(key), "transforms.%s.", talias[i]);
        steps[i].cfg = sub_config(key, steps[i].p);
        err[0] = 0;
        if (steps[i].p->transform->configure(NULL, steps[i].cfg, &steps[i].state, err, sizeof(err)) != CW_OK) {
            fprintf(stderr, "error: %s%s\n", key, err);
            th_config_free(steps[i].cfg);
            nsteps_ok = i;
            status = 2;
            goto cleanup;
        }
    }
    nsteps_ok = nsteps;
    int tolerate = prop("errors.tolerance") && !strcasecmp(prop("errors.tolerance"), "all");
    dlq = dlq_path ? fopen(dlq_path, "w") : NULL;
    if (dlq_path && !dlq) die("cannot write %s", dlq_path);

    size_t cap = 0;
    ssize_t len;
    int64_t offset = 0;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len && line[len - 1] == '\n') line[--len] = 0;
        cw_record_t *r;
        if (env_in) {
            json_error_t jerr;
            json_t *env = json_loadb(line, (size_t)len, 0, &jerr);
            if (!env) die("bad envelope line: %s", jerr.text);
            json_t *t = json_object_get(env, "topic"), *ts = json_object_get(env, "timestamp");
            json_t *part = json_object_get(env, "partition");
            r = th_record_new(t ? json_string_value(t) : topic, part ? (int32_t)json_integer_value(part) : 0,
                              offset, ts ? json_integer_value(ts) : 1600000000000 + offset);
            json_t *k = json_object_get(env, "key"), *v = json_object_get(env, "value");
            json_t *vt = json_object_get(env, "value_text");
            if (k && !json_is_null(k)) host->record_set_key_json(r, json_incref(k));
            if (vt) host->record_set_value(r, json_string_value(vt), json_string_length(vt));
            else if (v && !json_is_null(v)) host->record_set_value_json(r, json_incref(v));
            size_t i;
            json_t *h;
            json_array_foreach(json_object_get(env, "headers"), i, h) {
                json_t *hv = json_array_get(h, 1);
                host->record_header_add(r, json_string_value(json_array_get(h, 0)),
                                        json_is_string(hv) ? json_string_value(hv) : NULL,
                                        json_is_string(hv) ? json_string_length(hv) : 0);
            }
            json_decref(env);
            /* Make the value bytes canonical, as if they came from Kafka. */
            size_t l;
            const void *b = host->record_key(r, &l);
            if (b) { char *c = strndup(b, l); host->record_set_key(r, c, l); free(c); }
            b = host->record_value(r, &l);
            if (b) { char *c = malloc(l + 1); memcpy(c, b, l); host->record_set_value(r, c, l); free(c); }
        } else {
            r = th_record_new(topic, 0, offset, 1600000000000 + offset);
            if (len) host->record_set_value(r, line, (size_t)len);
        }
        size_t olen;
        const void *orig = host->record_value(r, &olen);
        char *original = orig ? strndup(orig, olen) : NULL;
        int dropped = 0;
        for (size_t i = 0; i < nsteps && !dropped; i++) {
            if (steps[i].pred >= 0) {
                int m = preds[steps[i].pred].p->predicate->test(preds[steps[i].pred].state, r) != 0;
                if (m == steps[i].negate) continue;
            }
            err[0] = 0;
            int rc = steps[i].p->transform->apply(steps[i].state, r, err, sizeof(err));
            if (rc == CW_DROP) { dropped = 1; break; }
            if (rc == CW_OK) continue;
            if (rc == CW_ERR_RECORD && !err[0]) {
                fprintf(stderr, "error: transform %s failed without a message\n", talias[i]);
                status = 5;
            }
            if (rc == CW_ERR_RECORD && tolerate) {
                if (dlq) {
                    json_t *d = json_pack("{s:s,s:i,s:I,s:s,s:s}", "topic", host->record_topic(r),
                                          "partition", host->record_partition(r), "offset",
                                          (json_int_t)offset, "transform", talias[i], "error", err);
                    json_object_set_new(d, "value", original ? json_stringn(original, olen) : json_null());
                    char *s = json_dumps(d, JSON_COMPACT | JSON_ENSURE_ASCII);
                    if (!s) { /* invalid UTF-8 in the original: keep its length only */
                        json_object_set_new(d, "value", json_integer((json_int_t)olen));
                        s = json_dumps(d, JSON_COMPACT);
                    }
                    fprintf(dlq, "%s\n", s);
                    free(s);
                    json_decref(d);
                }
                dropped = 1;
                break;
            }
            fprintf(stderr, "error: %s/%d/%lld: transform %s: %s\n", host->record_topic(r),
                    (int)host->record_partition(r), (long long)offset, talias[i], err);
            status = rc == CW_ERR_RECORD ? 3 : 4;
            break;
        }
        if (status == 3 || status == 4) { free(original); th_record_free(r); break; }
        free(original);
        if (!dropped) {
            size_t vl;
            const char *vb = host->record_value(r, &vl);
            if (!env_out) {
                if (vb) fwrite(vb, 1, vl, stdout); else fputs("null", stdout);
                fputc('\n', stdout);
            } else {
                char e2[256];
                json_t *o = json_object();
                json_object_set_new(o, "topic", json_string(host->record_topic(r)));
                json_object_set_new(o, "partition", json_integer(host->record_partition(r)));
                json_t *k = host->record_key_json(r, e2, sizeof(e2));
                json_object_set(o, "key", k ? k : json_null());
                json_t *v = host->record_value_json(r, e2, sizeof(e2));
                json_object_set(o, "value", v ? v : json_null());
                json_t *hs = json_array();
                for (size_t i = 0; i < host->record_header_count(r); i++) {
                    const char *hn;
                    const void *hv;
                    size_t hl;
                    host->record_header_get(r, i, &hn, &hv, &hl);
                    json_array_append_new(hs, json_pack("[s,o]", hn, hv ? json_stringn(hv, hl) : json_null()));
                }
                json_object_set_new(o, "headers", hs);
                char *s = host->json_encode(o, NULL);
                printf("%s\n", s);
                free(s);
                json_decref(o);
            }
        }
        th_record_free(r);
        offset++;
    }
cleanup:
    free(line);
    if (dlq) fclose(dlq);
    for (size_t i = 0; i < nsteps_ok; i++) { steps[i].p->transform->close(steps[i].state); th_config_free(steps[i].cfg); }
    for (size_t i = 0; i < npreds_ok; i++) { preds[i].p->predicate->close(preds[i].state); th_config_free(preds[i].cfg); }
    for (size_t i = 0; talias && i < nsteps; i++) free(talias[i]);
    for (size_t i = 0; i < npreds; i++) free(palias[i]);
    free(talias); free(palias);
    for (size_t i = 0; i < nprops; i++) { free(pkeys[i]); free(pvals[i]); }
    return status;
}
