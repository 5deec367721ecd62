/* Which endpoint a method and path name, and what a request's Content-Type means there.
 * The paths and media types are Confluent REST Proxy v2's (resources/v2/ProduceToTopicAction,
 * ProduceToPartitionAction, TopicsResource) plus the seed's Kinesis-style PUTs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

/* Kafka's legal topic names: [a-zA-Z0-9._-], 1 to 249 characters. */
static int topic_ok(const char *s, size_t n) {
    if (n == 0 || n > 249) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* The next path segment after *p (which points at a '/'): its start and length. */
static int segment(const char **p, const char **seg, size_t *len) {
    if (**p != '/') return 0;
    *seg = *p + 1;
    *len = strcspn(*seg, "/");
    *p = *seg + *len;
    return 1;
}

static int method_is(const char *m, const char *want) { return strcmp(m, want) == 0; }

/* GET|POST /topics[/{t}[/partitions/{p}]] */
static hs_endpoint_t topics(const char *method, const char *p, hs_route_t *r) {
    const char *seg;
    size_t len;
    if (!*p) return method_is(method, "GET") ? HS_EP_LIST_TOPICS : HS_EP_BAD_METHOD;
    if (!segment(&p, &seg, &len) || !topic_ok(seg, len)) return HS_EP_NOT_FOUND;
    snprintf(r->topic, sizeof r->topic, "%.*s", (int)len, seg);
    if (!*p) {
        if (method_is(method, "GET")) return HS_EP_GET_TOPIC;
        return method_is(method, "POST") ? HS_EP_PRODUCE : HS_EP_BAD_METHOD;
    }
    if (!segment(&p, &seg, &len) || len != 10 || strncmp(seg, "partitions", 10) != 0)
        return HS_EP_NOT_FOUND;
    if (!segment(&p, &seg, &len) || len == 0 || len > 9 || *p) return HS_EP_NOT_FOUND;
    char num[12];
    snprintf(num, sizeof num, "%.*s", (int)len, seg);
    char *end;
    long v = strtol(num, &end, 10);
    if (*end || v < 0) return HS_EP_NOT_FOUND;
    r->partition = (int32_t)v;
    return method_is(method, "POST") ? HS_EP_PRODUCE : HS_EP_BAD_METHOD;
}

hs_endpoint_t hs_route(const char *method, const char *url, hs_route_t *r) {
    memset(r, 0, sizeof *r);
    r->partition = -1;
    const char *seg;
    size_t len;
    const char *p = url;
    if (!segment(&p, &seg, &len)) return HS_EP_NOT_FOUND;
    if (len == 6 && strncmp(seg, "topics", 6) == 0) return topics(method, p, r);
    if (len != 7 || strncmp(seg, "streams", 7) != 0) return HS_EP_NOT_FOUND;
    if (!segment(&p, &seg, &len) || !topic_ok(seg, len)) return HS_EP_NOT_FOUND;
    snprintf(r->topic, sizeof r->topic, "%.*s", (int)len, seg);
    if (!segment(&p, &seg, &len) || *p) return HS_EP_NOT_FOUND;
    hs_endpoint_t ep;
    if (len == 6 && strncmp(seg, "record", 6) == 0)
        ep = HS_EP_KINESIS_ONE;
    else if (len == 7 && strncmp(seg, "records", 7) == 0)
        ep = HS_EP_KINESIS_MANY;
    else
        return HS_EP_NOT_FOUND;
    /* API Gateway maps the seed's PUT; POST (Kinesis' own verb) is taken too */
    return method_is(method, "PUT") || method_is(method, "POST") ? ep : HS_EP_BAD_METHOD;
}

int hs_media_check(hs_endpoint_t ep, const char *media, int *code, const char **msg) {
    static const char *const rest_ok[] = {"application/vnd.kafka.json.v2+json",
                                          "application/vnd.kafka.binary.v2+json",
                                          "application/vnd.kafka.v2+json", NULL};
    static const char *const schema_formats[] = {"application/vnd.kafka.avro.v2+json",
                                                 "application/vnd.kafka.protobuf.v2+json",
                                                 "application/vnd.kafka.jsonschema.v2+json", NULL};
    if (ep == HS_EP_KINESIS_ONE || ep == HS_EP_KINESIS_MANY) {
        /* the seed sends application/json; Kinesis' SDKs application/x-amz-json-1.1 */
        if (!*media || strcmp(media, "application/json") == 0 ||
            strcmp(media, "application/x-amz-json-1.1") == 0)
            return 0;
    } else {
        for (int i = 0; rest_ok[i]; i++)
            if (strcmp(media, rest_ok[i]) == 0) return 0;
        for (int i = 0; schema_formats[i]; i++)
            if (strcmp(media, schema_formats[i]) == 0) {
                /* what REST Proxy answers when it has no Schema Registry */
                *code = 42207;
                *msg = "Error serializing message. Schema Registry not defined, no Schema "
                       "Registry client available to serialize message.";
                return 422;
            }
    }
    *code = 415;
    *msg = "HTTP 415 Unsupported Media Type";
    return 415;
}
