/* cw-transform-chain: runs records through a transform chain configured like a connector
 * (transforms=..., transforms.<a>.type/predicate/negate, predicates=..., errors.tolerance),
 * in process over the worker's own host (cwcore: registry, .properties parser, configs,
 * records with JsonConverter, schemas.enable=false, logging).
 *
 *   cw-transform-chain --config FILE --plugin SO [--plugin SO ...] [--topic T]
 *                      [--envelope-in] [--envelope-out] [--dlq FILE] < in > out
 *
 * Input: one record per line; the line is the value (an empty line is a tombstone), or with
 * --envelope-in a JSON object {"topic","partition","timestamp","key","value","value_text",
 * "headers":[[name,value],...]}. Output: each value as one line (as the file sink writes
 * them), or with --envelope-out {"topic","partition","key","value","headers"}.
 * errors.tolerance=none stops at the first failed record (exit 3, message naming topic,
 * partition, offset); all writes it to the --dlq file with the reason and goes on.
 * CW_TESTHOST_TREE_ONLY=1 withholds the value's JSON text (record_value_json_text), so that
 * transforms with a streaming fast path take their tree path: the tests run both. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "config.h"
#include "host.h"
#include "props.h"
#include "record.h"
#include "registry.h"

#define MAXP 64

static const cw_converter_t json_conv = {CW_CONVERTER_JSON, 0};
static cw_props_t *props;

static void die(const char *fmt, const char *a) {
    fprintf(stderr, "cw-transform-chain: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    exit(2);
}

/* The one piece of host this program adds: the worker's table with the JSON text withheld. */
static const void *withhold_json_text(cw_record_t *r, size_t *len) {
    (void)r;
    *len = 0;
    return NULL;
}

static const cw_host_t *chain_host(void) {
    static cw_host_t tree_only;
    const char *e = getenv("CW_TESTHOST_TREE_ONLY");
    if (!e || *e != '1') return cw_host();
    tree_only = *cw_host();
    tree_only.record_value_json_text = withhold_json_text;
    return &tree_only;
}

static const char *prop(const char *key) { return cw_props_get(props, key); }

/* The plugin's keys of transforms.<alias>. / predicates.<alias>. (without the keys the
 * runtime itself reads) as the worker's config object. */
static cw_config_t *sub_config(const char *prefix, const cw_plugin_t *p) {
    cw_props_t *sub = cw_props_subset(props, prefix);
    cw_props_unset(sub, "type");
    cw_props_unset(sub, "predicate");
    cw_props_unset(sub, "negate");
    cw_config_t *c = cw_config_new(sub, p->config);
    cw_props_free(sub);
    return c;
}

typedef struct instance { /* a configured transform or predicate */
    const cw_plugin_t *p;
    void *state;
    cw_config_t *cfg;
} instance_t;

typedef struct step {
    instance_t t;
    int pred; /* index into preds, or -1 */
    int negate;
} step_t;

typedef struct pred {
    const char *alias;
    instance_t t;
} pred_t;

/* Finds the plugin of <list>.<alias>.type and configures it with the alias's keys. Returns 0,
 * or -1 with the plugin's message printed (nothing kept). */
static int instance_configure(instance_t *in, const cw_registry_t *reg, const char *list,
                              const char *alias, cw_plugin_kind_t kind, cw_ctx_t *ctx) {
    char key[512], err[1024] = "";
    snprintf(key, sizeof(key), "%s.%s.type", list, alias);
    const char *type = prop(key);
    if (!type) die("%s is not set", key);
    if (!(in->p = cw_registry_find(reg, type, kind, NULL)))
        die(kind == CW_PLUGIN_TRANSFORM ? "unknown transform type %s" : "unknown predicate type %s",
            type);
    snprintf(key, sizeof(key), "%s.%s.", list, alias);
    in->cfg = sub_config(key, in->p);
    int rc = kind == CW_PLUGIN_TRANSFORM
                 ? in->p->transform->configure(ctx, in->cfg, &in->state, err, sizeof(err))
                 : in->p->predicate->configure(ctx, in->cfg, &in->state, err, sizeof(err));
    if (rc == CW_OK) return 0;
    fprintf(stderr, "error: %s%s\n", key, err);
    cw_config_free(in->cfg);
    return -1;
}

static void instance_close(instance_t *in) {
    if (in->p->kind == CW_PLUGIN_TRANSFORM)
        in->p->transform->close(in->state);
    else
        in->p->predicate->close(in->state);
    cw_config_free(in->cfg);
}

/* A record as the sink task gets it from Kafka: the worker's record type. */
static cw_record_t *record_new(const char *topic, int32_t partition, int64_t offset, int64_t ts) {
    cw_record_t *r = cw_record_new_source(topic, partition, NULL, NULL, &json_conv, &json_conv);
    r->offset = offset;
    r->timestamp = ts;
    return r;
}

int main(int argc, char **argv) {
    const char *config = NULL, *topic = "test", *dlq_path = NULL;
    int env_in = 0, env_out = 0;
    const cw_host_t *host = chain_host();
    char err[1024];
    cw_registry_t *reg = cw_registry_new(host);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if (!strcmp(argv[i], "--plugin") && i + 1 < argc) {
            if (cw_registry_load_file(reg, argv[++i], err, sizeof err) != 0) die("%s", err);
        } else if (!strcmp(argv[i], "--topic") && i + 1 < argc)
            topic = argv[++i];
        else if (!strcmp(argv[i], "--dlq") && i + 1 < argc)
            dlq_path = argv[++i];
        else if (!strcmp(argv[i], "--envelope-in"))
            env_in = 1;
        else if (!strcmp(argv[i], "--envelope-out"))
            env_out = 1;
        else
            die("unknown argument %s", argv[i]);
    }
    if (!config) die("%s", "--config is required");
    props = cw_props_new();
    if (cw_props_load_file(props, config, err, sizeof err) != 0) die("%s", err);
    /* transforms / predicates as LIST values of the connector's config. */
    cw_config_t *conn = cw_config_new(props, NULL);
    cw_ctx_t ctx = {.connector = "test", .task = 0};

    size_t npreds = 0, nsteps = 0, npreds_ok = 0, nsteps_ok = 0;
    int status = 0;
    FILE *dlq = NULL;
    char *line = NULL;
    const char *const *palias = host->config_get_list(conn, "predicates", &npreds);
    const char *const *talias = host->config_get_list(conn, "transforms", &nsteps);
    if (npreds > MAXP || nsteps > MAXP) die("%s", "more than 64 transforms or predicates");
    pred_t preds[MAXP];
    for (; npreds_ok < npreds; npreds_ok++) {
        preds[npreds_ok].alias = palias[npreds_ok];
        if (instance_configure(&preds[npreds_ok].t, reg, "predicates", palias[npreds_ok],
                               CW_PLUGIN_PREDICATE, &ctx) != 0) {
            status = 2;
            goto cleanup;
        }
    }
    step_t steps[MAXP];
    for (; nsteps_ok < nsteps; nsteps_ok++) {
        step_t *st = &steps[nsteps_ok];
        char key[512];
        snprintf(key, sizeof(key), "transforms.%s.predicate", talias[nsteps_ok]);
        const char *pa = prop(key);
        st->pred = -1;
        for (size_t j = 0; pa && j < npreds; j++)
            if (!strcmp(preds[j].alias, pa)) st->pred = (int)j;
        if (pa && st->pred < 0) die("unknown predicate %s", pa);
        snprintf(key, sizeof(key), "transforms.%s.negate", talias[nsteps_ok]);
        st->negate = prop(key) && !strcasecmp(prop(key), "true");
        if (instance_configure(&st->t, reg, "transforms", talias[nsteps_ok], CW_PLUGIN_TRANSFORM,
                               &ctx) != 0) {
            status = 2;
            goto cleanup;
        }
    }
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
            r = record_new(t ? json_string_value(t) : topic,
                           part ? (int32_t)json_integer_value(part) : 0, offset,
                           ts ? json_integer_value(ts) : 1600000000000 + offset);
            json_t *k = json_object_get(env, "key"), *v = json_object_get(env, "value");
            json_t *vt = json_object_get(env, "value_text");
            if (k && !json_is_null(k)) host->record_set_key_json(r, json_incref(k));
            if (vt)
                host->record_set_value(r, json_string_value(vt), json_string_length(vt));
            else if (v && !json_is_null(v))
                host->record_set_value_json(r, json_incref(v));
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
            if (b) {
                char *c = strndup(b, l);
                host->record_set_key(r, c, l);
                free(c);
            }
            b = host->record_value(r, &l);
            if (b) {
                char *c = malloc(l + 1);
                memcpy(c, b, l);
                host->record_set_value(r, c, l);
                free(c);
            }
        } else {
            r = record_new(topic, 0, offset, 1600000000000 + offset);
            if (len) host->record_set_value(r, line, (size_t)len);
        }
        size_t olen;
        const void *orig = host->record_value(r, &olen);
        char *original = orig ? strndup(orig, olen) : NULL;
        int dropped = 0;
        for (size_t i = 0; i < nsteps && !dropped; i++) {
            if (steps[i].pred >= 0) {
                instance_t *pt = &preds[steps[i].pred].t;
                int m = pt->p->predicate->test(pt->state, r) != 0;
                if (m == steps[i].negate) continue;
            }
            err[0] = 0;
            int rc = steps[i].t.p->transform->apply(steps[i].t.state, r, err, sizeof(err));
            if (rc == CW_DROP) {
                dropped = 1;
                break;
            }
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
                    json_object_set_new(d, "value",
                                        original ? json_stringn(original, olen) : json_null());
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
        if (status == 3 || status == 4) {
            free(original);
            cw_record_free(r);
            break;
        }
        free(original);
        if (!dropped) {
            size_t vl;
            const char *vb = host->record_value(r, &vl);
            if (!env_out) {
                if (vb)
                    fwrite(vb, 1, vl, stdout);
                else
                    fputs("null", stdout);
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
                    json_array_append_new(
                        hs, json_pack("[s,o]", hn, hv ? json_stringn(hv, hl) : json_null()));
                }
                json_object_set_new(o, "headers", hs);
                char *s = host->json_encode(o, NULL);
                printf("%s\n", s);
                free(s);
                json_decref(o);
            }
        }
        cw_record_free(r);
        offset++;
    }
cleanup:
    free(line);
    if (dlq) fclose(dlq);
    for (size_t i = 0; i < nsteps_ok; i++) instance_close(&steps[i].t);
    for (size_t i = 0; i < npreds_ok; i++) instance_close(&preds[i].t);
    cw_config_free(conn);
    cw_props_free(props);
    cw_registry_free(reg);
    return status;
}
