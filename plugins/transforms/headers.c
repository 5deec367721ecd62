/* Header transforms: InsertHeader (a literal), DropHeaders, HeaderFrom$Key/$Value (copy or
 * move fields into headers). Header values are bytes: a string field goes in as its text,
 * null as a null header, anything else as compact JSON (as Kafka's SimpleHeaderConverter
 * would write it). */
#include "tf.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- InsertHeader ----------------------------------------------------------------------- */

typedef struct ih {
    char *header, *value;
} ih_t;

static void ih_close(void *state) {
    ih_t *s = state;
    if (!s) return;
    free(s->header);
    free(s->value);
    free(s);
}

static void ih_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    ih_t *s = state;
    const char *h = tf_host->config_get(c, "header");
    const char *lit = tf_host->config_get(c, "value.literal");
    if (!h || !*h)
        tf_host->validation_error(v, "header", "the header name is required");
    else
        s->header = strdup(h);
    if (!lit)
        tf_host->validation_error(v, "value.literal", "the header value is required");
    else
        s->value = strdup(lit);
}
TF_CHECKED(ih_configure, ih_parse, ih_t, ih_close)

static int ih_apply(void *state, cw_record_t *r, char *e, size_t n) {
    (void)e;
    (void)n;
    ih_t *s = state;
    tf_host->record_header_add(r, s->header, s->value, strlen(s->value));
    return CW_OK;
}

static const cw_config_def_t ih_defs[] = {
    {"header", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED, "Name of the header to add.", NULL, 0, 0},
    {"value.literal", CW_CFG_STRING, NULL, 0,
     "Its value, as text (required; may be empty, as Kafka's NonNullValidator allows).", NULL, 0,
     0},
    CW_CONFIG_END};

TF_PLUGIN(insert_header, "InsertHeader", ih_defs, ih_configure, ih_configure_validate, ih_apply,
          ih_close, "Adds a header with a literal value")

/* --- DropHeaders ------------------------------------------------------------------------ */

typedef struct dh {
    char **headers;
} dh_t;

static void dh_close(void *state) {
    dh_t *s = state;
    if (s) tf_list_free(s->headers);
    free(s);
}

static void dh_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    dh_t *s = state;
    size_t cnt = 0;
    s->headers = tf_list_dup(c, "headers", &cnt);
    if (!cnt) tf_host->validation_error(v, "headers", "at least one header name is required");
}
TF_CHECKED(dh_configure, dh_parse, dh_t, dh_close)

static int dh_apply(void *state, cw_record_t *r, char *e, size_t n) {
    (void)e;
    (void)n;
    dh_t *s = state;
    for (size_t i = 0; s->headers[i]; i++) tf_host->record_header_remove(r, s->headers[i]);
    return CW_OK;
}

static const cw_config_def_t dh_defs[] = {{"headers", CW_CFG_LIST, NULL, CW_CFG_F_REQUIRED,
                                           "Names of the headers to remove.", NULL, 0, 0},
                                          CW_CONFIG_END};

TF_PLUGIN(drop_headers, "DropHeaders", dh_defs, dh_configure, dh_configure_validate, dh_apply,
          dh_close, "Removes headers by name")

/* --- HeaderFrom ------------------------------------------------------------------------- */

typedef struct hf {
    tf_which_t which;
    char **fields, **headers;
    size_t n;
    int move;
} hf_t;

static void hf_close(void *state) {
    hf_t *s = state;
    if (!s) return;
    tf_list_free(s->fields);
    tf_list_free(s->headers);
    free(s);
}

static void hf_parse(const cw_config_t *c, cw_validation_t *v, void *state) {
    hf_t *s = state;
    size_t nf = 0, nh = 0;
    s->fields = tf_list_dup(c, "fields", &nf);
    s->headers = tf_list_dup(c, "headers", &nh);
    const char *op = tf_host->config_get(c, "operation");
    if (!nf || nf != nh)
        tf_host->validation_error(v, "headers",
                                  "fields and headers must list the same number "
                                  "(at least one) of names; got %zu and %zu",
                                  nf, nh);
    if (!op || (strcasecmp(op, "copy") && strcasecmp(op, "move")))
        tf_host->validation_error(v, "operation", "'%s' is not copy or move", op ? op : "");
    s->move = op && strcasecmp(op, "move") == 0;
    s->n = nf;
}
TF_KV_CHECKED(hf_configure, hf_parse, hf_t, hf_close)
TF_KV_CONFIGURE(hf_configure)

static int hf_apply(void *state, cw_record_t *r, char *e, size_t n) {
    hf_t *s = state;
    json_t *v = s->move ? tf_get_mut(r, s->which, e, n) : tf_get(r, s->which, e, n);
    if (!v) return CW_ERR_RECORD;
    if (json_is_null(v)) return CW_OK;
    if (!json_is_object(v))
        return tf_err(e, n, CW_ERR_RECORD, "HeaderFrom: the %s is a JSON %s, not an object",
                      tf_which_name(s->which), tf_type_name(v));
    for (size_t i = 0; i < s->n; i++) {
        json_t *f = json_object_get(v, s->fields[i]);
        if (!f || json_is_null(f)) {
            tf_host->record_header_add(r, s->headers[i], NULL, 0);
        } else if (json_is_string(f)) {
            tf_host->record_header_add(r, s->headers[i], json_string_value(f),
                                       json_string_length(f));
        } else {
            size_t len = 0;
            char *text = tf_host->json_encode(f, &len);
            if (!text) return tf_err(e, n, CW_ERR_FATAL, "HeaderFrom: out of memory");
            tf_host->record_header_add(r, s->headers[i], text, len);
            tf_host->free(text);
        }
    }
    if (s->move)
        for (size_t i = 0; i < s->n; i++) json_object_del(v, s->fields[i]);
    return CW_OK;
}

static const cw_config_def_t hf_defs[] = {
    {"fields", CW_CFG_LIST, NULL, CW_CFG_F_REQUIRED, "Fields to copy or move into headers.", NULL,
     0, 0},
    {"headers", CW_CFG_LIST, NULL, CW_CFG_F_REQUIRED,
     "Header names, one per field, in the same order.", NULL, 0, 0},
    {"operation", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "copy keeps the fields, move removes them.", "copy,move", 0, 0},
    TF_REPLACE_NULL_DEF,
    CW_CONFIG_END};

TF_KV_PLUGINS(header_from, "HeaderFrom", hf_defs, hf_configure, hf_configure_validate, hf_apply,
              hf_close, "Copies or moves fields into headers")
