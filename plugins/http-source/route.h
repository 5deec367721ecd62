/* http-source: routing of methods and paths (route.c). */
#ifndef HS_ROUTE_H
#define HS_ROUTE_H

#include <stdint.h>

typedef enum hs_endpoint {
    HS_EP_NOT_FOUND = 0,
    HS_EP_BAD_METHOD,
    HS_EP_LIST_TOPICS, /* GET /topics */
    HS_EP_GET_TOPIC,   /* GET /topics/{t} */
    HS_EP_PRODUCE,     /* POST /topics/{t}[/partitions/{p}] */
    HS_EP_KINESIS_ONE, /* PUT /streams/{s}/record */
    HS_EP_KINESIS_MANY /* PUT /streams/{s}/records */
} hs_endpoint_t;

typedef struct hs_route {
    char topic[256];   /* the topic or stream of the path */
    int32_t partition; /* /partitions/{p}; -1 when none */
} hs_route_t;

hs_endpoint_t hs_route(const char *method, const char *url, hs_route_t *r);

/* Whether `media` (a media type without parameters, lower case) may be sent to `ep`: 0, or
 * the HTTP status to answer (415, or 422 for a schema format) with REST Proxy's code and
 * message. */
int hs_media_check(hs_endpoint_t ep, const char *media, int *code, const char **msg);

#endif
