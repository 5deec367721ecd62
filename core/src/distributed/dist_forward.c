/*
 * Writes reaching a follower go to the leader, as Kafka Connect's RestClient forwards them:
 * same method, path, query and body (and the caller's Authorization header), the leader's
 * answer returned as it is. With no leader known, or the known one not answering (it died;
 * the group has not moved slot 0 yet), the answer is Kafka's 409.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distributed/dist_internal.h"
#include "log.h"
#include "rest/rest_internal.h"

#define FORWARDED_HEADER "X-Connect-Worker-Forwarded"
#define NO_LEADER                                                                                  \
    "Cannot complete request momentarily due to no known leader URL, likely because a "            \
    "rebalance was underway."

typedef struct buf {
    char *data;
    size_t len;
} buf_t;

static size_t on_body(char *p, size_t size, size_t nmemb, void *opaque) {
    buf_t *b = opaque;
    size_t n = size * nmemb;
    char *d = realloc(b->data, b->len + n + 1);
    if (!d) return 0;
    memcpy(d + b->len, p, n);
    b->data = d;
    b->len += n;
    d[b->len] = '\0';
    return n;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
    (void)kind;
    char **qs = cls;
    CURL *c = curl_easy_init();
    char *k = curl_easy_escape(c, key, 0), *v = value ? curl_easy_escape(c, value, 0) : NULL;
    char *n = NULL;
    if (asprintf(&n, "%s%s%s%s%s", *qs ? *qs : "", *qs ? "&" : "?", k, v ? "=" : "", v ? v : "") >
        0) {
        free(*qs);
        *qs = n;
    }
    curl_free(k);
    curl_free(v);
    curl_easy_cleanup(c);
    return MHD_YES;
}

static int is_write(const char *m) {
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
           strcmp(m, "DELETE") == 0;
}

/* Sends q to `base` (the leader's URL). Returns the HTTP status, or 0 when the leader did not
 * answer. */
static long forward(cw_dist_t *d, cw_rest_req_t *q, const char *base, buf_t *body) {
    char *qs = NULL, *url = NULL;
    MHD_get_connection_values(q->conn, MHD_GET_ARGUMENT_KIND, add_arg, &qs);
    if (asprintf(&url, "%s%s%s", base, q->url, qs ? qs : "") < 0) url = NULL;
    free(qs);
    CURL *c = curl_easy_init();
    if (!c || !url) {
        free(url);
        if (c) curl_easy_cleanup(c);
        return 0;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, FORWARDED_HEADER ": 1");
    const char *auth =
        MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char *ah = NULL;
    if (auth && asprintf(&ah, "Authorization: %s", auth) > 0) h = curl_slist_append(h, ah);
    long timeout = (long)cw_config_get_int(d->w->config, "rest.forward.timeout.ms", 0);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (q->body_len) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)q->body_len);
    }
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    long status = 0;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        cw_log_debug("distributed: forwarding %s %s to the leader %s: %s", q->method, q->url, base,
                     curl_easy_strerror(rc));
    curl_slist_free_all(h);
    free(ah);
    free(url);
    curl_easy_cleanup(c);
    return status;
}

int cw_dist_forward(cw_rest_req_t *q, cw_rest_resp_t *r) {
    cw_dist_t *d = cw_dist_of(q->rest->worker);
    if (!d || !is_write(q->method) || strncmp(q->url, "/connectors", 11) != 0) return 0;
    char *leader = d->worker_id ? cw_dist_leader_url(d) : NULL;
    int forwarded = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, FORWARDED_HEADER) != NULL;
    if (leader && !*leader) { /* this worker leads */
        free(leader);
        return 0;
    }
    buf_t body = {0};
    long status = leader && !forwarded ? forward(d, q, leader, &body) : 0;
    free(leader);
    if (!status) {
        cw_rest_error(r, 409, "%s", NO_LEADER);
    } else {
        json_t *j = body.data ? json_loadb(body.data, body.len, JSON_DECODE_ANY, NULL) : NULL;
        if (j) {
            cw_rest_json(r, (int)status, j);
        } else {
            r->status = (int)status;
        }
    }
    free(body.data);
    return 1;
}
