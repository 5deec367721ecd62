/* scan.c: the records of a produce body as spans of the body, found with yajl's event
 * parser (no JSON tree is built). */
#ifndef HS_SCAN_H
#define HS_SCAN_H

#include <stddef.h>

enum { HS_JSON_NONE = 0, HS_JSON_NULL, HS_JSON_STRING, HS_JSON_NUMBER, HS_JSON_OTHER };

/* One JSON value of the body: bytes [off, off + len). type HS_JSON_NONE: absent. */
typedef struct hs_span {
    size_t off, len;
    int type;
    int prio; /* of the name it came under (Kinesis: "Data" over "data") */
} hs_span_t;

typedef struct hs_scan_rec {
    hs_span_t key, value, partition;
} hs_scan_rec_t;

typedef struct hs_scan {
    hs_scan_rec_t *recs; /* the first min(n, cap) records; owned */
    size_t n;            /* records (objects) in the records array; beyond cap: counted only */
    size_t cap, alloc;
    size_t elems;    /* elements of the records array (objects or not) */
    int saw_records; /* the records array was there (maybe empty) */
    int root_object;
    /* the first element that is not an object; SIZE_MAX: none (records before it are
     * checked first, as a parser going in order would) */
    size_t bad_elem;
    int arr_best;
    int oom;
    int status; /* 0, or 400 (not JSON; why says where) or 500 */
    char why[300];
} hs_scan_t;

/* Scans `body` (api: hs_api_t). Returns 0 (then check the shape: root_object, saw_records,
 * n, bad_elem) or the status with out->why. Free out with hs_scan_free either way. */
int hs_scan_body(hs_scan_t *out, int api, const char *body, size_t len, size_t max_records);
void hs_scan_free(hs_scan_t *out);

#endif
