/* The one small interface between the sink and an S3 client implementation (libcurl SigV4 or
 * libs3 SigV2). The sink never knows which one it holds. */
#ifndef S3_CLIENT_H
#define S3_CLIENT_H
#include "s3_credentials.h"
#include <stddef.h>

/** Outcome of one request after the client's own retries. */
typedef enum s3_outcome {
    S3_DONE = 0,      /**< success (for a conditional write: also 412, the object exists) */
    S3_TRANSIENT = 1, /**< 5xx, throttling, connection trouble: may heal */
    S3_PERMANENT = 2  /**< 4xx that will not heal: bad bucket, credentials, signature */
} s3_outcome_t;

/** Where an object's records come from, stored with the object as user metadata
 *  (x-amz-meta-kafka-cluster-id, -topic, -partition, -offsets, -first-record) so that a later
 *  write of the same key can tell a replay of the same records from other data (see
 *  s3_task_upload.c). Plain ASCII (Kafka topic names and cluster ids are). */
typedef struct s3_origin {
    char cluster[128];  /**< Kafka cluster id; "unknown" when the worker could not tell */
    char topic[256];    /**< the original (consumed) topic */
    char partition[16]; /**< its partition */
    char offsets[48];   /**< "<first>-<last>"; "<first>-" for a multipart object, whose end
                             is not known when it is created */
    char first[64];     /**< "<timestamp>:<hash>" of the first record (key, value, time) */
} s3_origin_t;

/** The origin's members and their user metadata names (without the x-amz-meta- prefix,
 *  which libs3 adds and drops itself). */
typedef struct s3_origin_field {
    const char *name;
    size_t off, size;
} s3_origin_field_t;
#define S3_ORIGIN_NFIELDS 5
extern const s3_origin_field_t s3_origin_fields[S3_ORIGIN_NFIELDS];
/** A response header line "x-amz-meta-<name>: <value>\r\n" into o when it is one of the
 *  origin's; other lines are ignored. */
void s3_origin_capture(s3_origin_t *o, const char *line, size_t len);

typedef struct s3_result {
    int http_status;  /**< 0 when no HTTP response arrived */
    char code[64];    /**< S3 error code (<Code>), or a transport error name */
    char detail[256]; /**< a short human-readable detail (never a secret) */
    int retries;      /**< attempts after the first one (the curl client's retries) */
    /** code "OriginConflict" (a conditional PUT that found the key taken by an object of
     *  another origin, which it left alone): that object's origin. */
    s3_origin_t theirs;
} s3_result_t;

/** Same records from the same place: a replay of this sink's own uncommitted work (same
 *  cluster, topic, partition, first offset and first record). theirs without a cluster is
 *  never the same (not written by this sink). */
int s3_origin_same(const s3_origin_t *mine, const s3_origin_t *theirs);
/** The first offset in an origin's "first-last" offsets text. */
long long s3_origin_start(const s3_origin_t *o);

/** One page of a listing: keys in ascending byte order (owned; s3_key_page_free). */
/** Keys per listing page: the sink keeps a page per key stem (see s3_task_listing.c), so
 *  small pages bound its memory where a bucket holds many objects after the listed key. */
#define S3_LIST_PAGE 100
typedef struct s3_key_page {
    char **keys;
    size_t n;
    size_t cap;    /**< room in keys */
    int truncated; /**< more keys follow the last one */
} s3_key_page_t;
void s3_key_page_free(s3_key_page_t *p);
/** Appends a copy of key (the clients, while a listing's answer is read). 0, or -1: no
 *  memory. */
int s3_key_page_add(s3_key_page_t *p, const char *key);
/** Sorts the keys in byte order (S3 lists in that order already; the sink's lookups must not
 *  depend on a store that does not). */
void s3_key_page_sort(s3_key_page_t *p);
/** Whether the sorted page holds key. */
int s3_key_page_has(const s3_key_page_t *p, const char *key);
/** Parses a ListBucketResult (ListObjects V1 or V2) into page: its <Contents><Key>s, sorted,
 *  and <IsTruncated>. 0, or -1 when xml is no such document or memory ran out. */
int s3_key_page_parse(const char *xml, size_t len, s3_key_page_t *page);

typedef struct s3_client_options {
    const char *endpoint; /**< scheme://host[:port], never NULL after setup */
    const char *bucket;
    const char *region;
    int path_style;
    /** The task's shared credentials (the curl client follows their refreshes; libs3 takes
     *  them once), or NULL to use the fixed `creds`. */
    s3_creds_provider_t *provider;
    const s3_credentials_t *creds;
    const char *sse_algorithm;        /**< x-amz-server-side-encryption, or NULL */
    const char *sse_kms_key_id;       /**< or NULL */
    const char *acl_canned;           /**< x-amz-acl of new objects (s3.acl.canned), or NULL */
    const char *sse_customer_key;     /**< SSE-C: base64 of a 256-bit key, or NULL (curl only) */
    int max_retries;                  /**< s3.part.retries */
    long backoff_ms;                  /**< s3.retry.backoff.ms: base of the exponential backoff */
    int (*should_stop)(void *opaque); /**< checked between retries; may be NULL */
    /** Checked while a request transfers (curl client): non-zero cuts the transfer off at
     *  once and ends the call with S3_TRANSIENT, code "Abandoned", without a retry (a stop
     *  that cannot wait for a slow upload). May be NULL. */
    int (*should_abort)(void *opaque);
    void *stop_opaque;
} s3_client_options_t;

typedef struct s3_client s3_client_t;

typedef struct s3_client_ops {
    const char *name;
    /** PUT one object with `meta` as its user metadata (NULL: none); if_none_match: send
     *  If-None-Match: * (412 counts as success). A 412 HEADs the object in the way: another
     *  origin than `meta` (s3_origin_same) is left alone: S3_DONE with res->code
     *  "OriginConflict" and its origin in res->theirs; the same origin is overwritten unless
     *  it holds the same bytes (res->code "Replaced" / "AlreadyWritten"). */
    s3_outcome_t (*put)(s3_client_t *c, const char *key, const void *data, size_t len,
                        const char *content_type, const s3_origin_t *meta, int if_none_match,
                        s3_result_t *res);
    /** Multipart upload; upload_id receives an owned string (free()). NULL members: the
     *  client cannot do multipart (the sink then PUTs whole objects). */
    s3_outcome_t (*mpu_create)(s3_client_t *c, const char *key, const char *content_type,
                               const s3_origin_t *meta, char **upload_id, s3_result_t *res);
    s3_outcome_t (*mpu_part)(s3_client_t *c, const char *key, const char *upload_id,
                             int part_number, const void *data, size_t len, char **etag,
                             s3_result_t *res);
    /** if_none_match: a 412 is settled as put's is (meta: the upload's origin, or NULL: any
     *  object in the way is replaced); "OriginConflict" leaves the upload open. */
    s3_outcome_t (*mpu_complete)(s3_client_t *c, const char *key, const char *upload_id,
                                 char *const *etags, int nparts, int if_none_match,
                                 const s3_origin_t *meta, s3_result_t *res);
    s3_outcome_t (*mpu_abort)(s3_client_t *c, const char *key, const char *upload_id,
                              s3_result_t *res);
    /** GET (tests, diagnostics): *data owned (free()). 404 is S3_PERMANENT, code NoSuchKey. */
    s3_outcome_t (*get)(s3_client_t *c, const char *key, char **data, size_t *len,
                        s3_result_t *res);
    void (*destroy)(s3_client_t *c);
    /** HEAD: *found 1 with the object's origin metadata in *meta (fields it lacks empty),
     *  or 0 (404) with S3_DONE. */
    s3_outcome_t (*head)(s3_client_t *c, const char *key, s3_origin_t *meta, int *found,
                         s3_result_t *res);
    /** One page (up to S3_LIST_PAGE keys) of the keys that start with `prefix` and sort after
     *  `start_after` (ListObjectsV2 start-after; libs3: ListObjects marker), into *page
     *  (owned by the caller, s3_key_page_free, also after an error). A refusal (a policy
     *  without s3:ListBucket) is S3_PERMANENT with HTTP 403 / code AccessDenied. NULL: the
     *  client cannot list (the sink HEADs every key). */
    s3_outcome_t (*list)(s3_client_t *c, const char *prefix, const char *start_after,
                         s3_key_page_t *page, s3_result_t *res);
} s3_client_ops_t;

struct s3_client {
    const s3_client_ops_t *ops;
};

/** Creates a client; NULL with errstr on failure. Options are copied. */
s3_client_t *s3_client_curl_new(const s3_client_options_t *o, char *errstr, size_t errstr_size);
s3_client_t *s3_client_libs3_new(const s3_client_options_t *o, char *errstr, size_t errstr_size);

/** Shared helpers (s3_http_util.c). */
/** Classifies an HTTP status and S3 error code. */
s3_outcome_t s3_classify(int http_status, const char *code);
/** Copies the text of the first <tag>...</tag> of xml into out; returns 1 when found. */
int s3_xml_tag(const char *xml, size_t len, const char *tag, char *out, size_t out_size);
/** URI-encodes an object key for a URL path: everything but unreserved chars and '/'. */
char *s3_uri_encode_key(const char *key);
/** Sleeps the backoff for retry number `attempt` (0-based): base * 2^attempt with full
 *  jitter, in 50 ms slices, returning early (1) when should_stop says so. */
int s3_backoff_sleep(const s3_client_options_t *o, int attempt);
/** 1 when `b64` is the base64 of exactly 32 bytes (an SSE-C key). */
int s3_ssec_key_ok(const char *b64);

#endif
