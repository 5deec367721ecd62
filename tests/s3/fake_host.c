#include "fake_host.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int fake_bad_records, fake_tolerate, fake_stopping;

static void f_log(cw_ctx_t *ctx, cw_log_level_t level, const char *fmt, ...) {
    (void)ctx;
    if (level > CW_LOG_INFO && !getenv("S3_TEST_DEBUG")) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[s3-sink] ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}
static int f_stopping(cw_ctx_t *ctx) {
    (void)ctx;
    return fake_stopping;
}
/* The Kafka cluster id: $S3_FAKE_CLUSTER_ID (a test plays a new cluster or a topic re-created
 * on the same one with it), default "fake-cluster". */
static char *f_cluster_id(cw_ctx_t *ctx, int timeout_ms) {
    (void)ctx;
    (void)timeout_ms;
    const char *id = getenv("S3_FAKE_CLUSTER_ID");
    return strdup(id ? id : "fake-cluster");
}
static const char *f_name(cw_ctx_t *ctx) {
    (void)ctx;
    return "test";
}
static int f_task(cw_ctx_t *ctx) {
    (void)ctx;
    return 0;
}

static const char *f_get(const cw_config_t *c, const char *key) {
    for (size_t i = c->n; i-- > 0;)
        if (!strcmp(c->keys[i], key)) return c->values[i];
    for (const cw_config_def_t *d = c->defs; d && d->name; d++)
        if (!strcmp(d->name, key)) return d->default_value;
    return NULL;
}
static int64_t f_int(const cw_config_t *c, const char *k, int64_t fb) {
    const char *v = f_get(c, k);
    return v ? strtoll(v, NULL, 10) : fb;
}
static double f_double(const cw_config_t *c, const char *k, double fb) {
    const char *v = f_get(c, k);
    return v ? strtod(v, NULL) : fb;
}
static int f_bool(const cw_config_t *c, const char *k, int fb) {
    const char *v = f_get(c, k);
    return v ? !strcasecmp(v, "true") : fb;
}
static const char *const *f_list(const cw_config_t *cc, const char *k, size_t *count) {
    cw_config_t *c = (cw_config_t *)cc;
    const char *v = f_get(c, k);
    if (!v) return NULL;
    size_t slot = 0;
    while (slot < c->n && strcmp(c->keys[slot], k)) slot++;
    if (slot >= 64) return NULL;
    char *copy = strdup(v); /* kept in list_cache[slot][31], freed by fake_config_free */
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && n < 30; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        c->list_cache[slot][n++] = t;
    }
    c->list_cache[slot][n] = NULL;
    free((void *)c->list_cache[slot][31]);
    c->list_cache[slot][31] = copy;
    if (count) *count = n;
    return c->list_cache[slot];
}

static const char *r_topic(const cw_record_t *r) { return r->topic; }
static int32_t r_partition(const cw_record_t *r) { return r->partition; }
static int64_t r_offset(const cw_record_t *r) { return r->offset; }
static const char *r_otopic(const cw_record_t *r) {
    return *r->orig_topic ? r->orig_topic : r->topic;
}
static int32_t r_opartition(const cw_record_t *r) {
    return *r->orig_topic ? r->orig_partition : r->partition;
}
static int64_t r_ts(const cw_record_t *r) { return r->timestamp; }
static const void *r_key(cw_record_t *r, size_t *len) {
    *len = r->klen;
    return r->key;
}
static const void *r_value(cw_record_t *r, size_t *len) {
    *len = r->vlen;
    return r->value;
}
static json_t *parse(const char *d, size_t n, cw_bytes_form_t form, json_t **cache, char *errstr,
                     size_t es) {
    if (*cache) return *cache;
    if (!d) return *cache = json_null();
    if (form == CW_BYTES_TEXT) return *cache = json_stringn(d, n);
    json_error_t e;
    *cache = json_loadb(d, n, JSON_DECODE_ANY, &e);
    if (!*cache) {
        snprintf(errstr, es, "invalid JSON at byte %d: %s", e.position, e.text);
    } else if (form == CW_BYTES_JSON_ENVELOPE) {
        json_t *payload = json_incref(json_object_get(*cache, "payload"));
        json_decref(*cache);
        *cache = payload;
        if (!payload) snprintf(errstr, es, "no payload in the envelope");
    }
    return *cache;
}
static cw_bytes_form_t kform(const cw_record_t *r) { return r->kform ? r->kform : CW_BYTES_JSON; }
static json_t *r_kjson(cw_record_t *r, char *e, size_t es) {
    return parse(r->key, r->klen, kform(r), &r->kjson, e, es);
}
static json_t *r_vjson(cw_record_t *r, char *e, size_t es) {
    return parse(r->value, r->vlen, r->vform, &r->vjson, e, es);
}
static int format(const char *data, cw_bytes_form_t form, cw_data_format_t *out) {
    out->converter = form == CW_BYTES_TEXT     ? CW_CONVERTER_STRING
                     : form == CW_BYTES_BINARY ? CW_CONVERTER_BYTES
                                               : CW_CONVERTER_JSON;
    out->schemas_enable = form == CW_BYTES_JSON_ENVELOPE;
    out->form = data ? form : CW_BYTES_NULL;
    return CW_OK;
}
static int r_kformat(cw_record_t *r, cw_data_format_t *out) {
    return format(r->key, kform(r), out);
}
static int r_vformat(cw_record_t *r, cw_data_format_t *out) {
    return format(r->value, r->vform, out);
}
static size_t r_hcount(const cw_record_t *r) { return r->nheaders; }
static int r_hget(const cw_record_t *r, size_t i, const char **name, const void **v, size_t *len) {
    if (i >= r->nheaders) return -1;
    *name = r->hname[i];
    *v = r->hval[i];
    *len = r->hval[i] ? strlen(r->hval[i]) : 0;
    return 0;
}
static int f_bad(cw_ctx_t *ctx, cw_record_t *r, const char *reason) {
    (void)ctx;
    fake_bad_records++;
    fprintf(stderr, "bad record %s-%d@%lld: %s\n", r->topic, r->partition, (long long)r->offset,
            reason);
    return fake_tolerate ? CW_OK : CW_ERR_FATAL;
}
static char *f_encode(const json_t *v, size_t *len) {
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s && len) *len = strlen(s);
    return s;
}

/* validation_begin/end for the plugin's one settings checker: "key: message; ..." */
struct cw_validation {
    char text[2048];
    int n;
};
static void f_verr(cw_validation_t *v, const char *key, const char *fmt, ...) {
    size_t o = strlen(v->text);
    if (o + 1 >= sizeof v->text) return;
    o += (size_t)snprintf(v->text + o, sizeof v->text - o, "%s%s: ", v->n ? "; " : "", key);
    va_list ap;
    va_start(ap, fmt);
    if (o < sizeof v->text) vsnprintf(v->text + o, sizeof v->text - o, fmt, ap);
    va_end(ap);
    v->n++;
}
static cw_validation_t *f_vbegin(void) {
    cw_validation_t *v = calloc(1, sizeof *v);
    if (!v) abort();
    return v;
}
static int f_vend(cw_validation_t *v, char *errstr, size_t errstr_size) {
    int n = v->n;
    if (n) snprintf(errstr, errstr_size, "%s", v->text);
    free(v);
    return n;
}

cw_host_t fake_host = {
    .abi_version = CW_ABI_VERSION,
    .struct_size = sizeof(cw_host_t),
    .log = f_log,
    .stopping = f_stopping,
    .connector_name = f_name,
    .task_id = f_task,
    .config_get = f_get,
    .config_get_int = f_int,
    .config_get_double = f_double,
    .config_get_bool = f_bool,
    .config_get_list = f_list,
    .validation_error = f_verr,
    .validation_begin = f_vbegin,
    .validation_end = f_vend,
    .record_topic = r_topic,
    .record_partition = r_partition,
    .record_offset = r_offset,
    .record_original_topic = r_otopic,
    .record_original_partition = r_opartition,
    .record_original_offset = r_offset,
    .record_timestamp = r_ts,
    .record_key = r_key,
    .record_value = r_value,
    .record_key_json = r_kjson,
    .record_value_json = r_vjson,
    .record_key_json_mut = r_kjson,
    .record_value_json_mut = r_vjson,
    .record_header_count = r_hcount,
    .record_header_get = r_hget,
    .report_bad_record = f_bad,
    .json_encode = f_encode,
    .free = free,
    .record_key_format = r_kformat,
    .record_value_format = r_vformat,
    .kafka_cluster_id = f_cluster_id,
};

void fake_config_init(cw_config_t *c, const cw_config_def_t *defs) {
    memset(c, 0, sizeof *c);
    c->defs = defs;
}

void fake_config_free(cw_config_t *c) {
    for (size_t i = 0; i < 64; i++) free((void *)c->list_cache[i][31]);
    memset(c->list_cache, 0, sizeof c->list_cache);
}

void fake_config_set(cw_config_t *c, const char *key, const char *value) {
    if (c->n < 64) {
        c->keys[c->n] = key;
        c->values[c->n++] = value;
    }
}

void fake_record_init(cw_record_t *r, const char *topic, int32_t p, int64_t off, int64_t ts,
                      const char *value) {
    memset(r, 0, sizeof *r);
    snprintf(r->topic, sizeof r->topic, "%s", topic);
    r->partition = p;
    r->offset = off;
    r->timestamp = ts;
    if (value) {
        r->value = strdup(value);
        r->vlen = strlen(value);
        r->vform = CW_BYTES_JSON;
    }
}

void fake_record_free(cw_record_t *r) {
    free(r->key);
    free(r->value);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->hname[i]);
        free(r->hval[i]);
    }
    json_decref(r->kjson);
    json_decref(r->vjson);
    memset(r, 0, sizeof *r);
}
