/*
 * connect-worker SDK: AWS credentials, STS and Signature V4 (see sdk.h for the conventions).
 *
 * One AWS library for the worker and its plugins: the S3 sink signs S3 requests with it, the
 * worker's Kafka clients build Amazon MSK IAM tokens with it, later AWS plugins reuse it.
 *
 *   - The credential chain, as the AWS SDKs walk it: explicit keys (a plugin's config),
 *     environment, shared credentials file (a profile), web identity (EKS IRSA, through STS
 *     AssumeRoleWithWebIdentity), container endpoint (ECS, EKS Pod Identity), EC2 instance
 *     metadata (IMDSv2): cw_sdk_aws_creds_resolve_chain().
 *   - STS AssumeRole with credentials of the chain: cw_sdk_aws_sts_assume_role().
 *   - A thread-safe provider that keeps temporary credentials fresh for many clients.
 *   - SigV4 query-string presigning (cw_sdk_aws_presign_url) and the MSK IAM token built on it
 *     (cw_sdk_aws_msk_token), byte for byte as AWS's aws-msk-iam-sasl-signer libraries.
 *
 * Secrets (secret keys, session tokens, web identity and container tokens, IMDS session
 * tokens, signatures' inputs) never reach an errstr, a `why` or a log message: messages name
 * sources, variables, URLs without their paths' secrets, HTTP statuses and AWS error codes.
 * Buffers that held secrets are zeroed before they are freed.
 *
 * Blocking: the chain, refetches and STS calls do HTTP (libcurl) with short timeouts (1-2 s
 * for the metadata endpoints, 10 s for STS); call them from a thread that may block.
 * Thread-safety: every function may be called from any thread; the functions on one
 * cw_sdk_aws_creds_t are not synchronised (each caller owns its own copy); a provider is
 * shared and synchronised. The chain reads the environment (getenv): do not setenv
 * concurrently. libcurl's global init is done once, on first use.
 */
#ifndef CONNECT_WORKER_SDK_AWS_H
#define CONNECT_WORKER_SDK_AWS_H
#include <stddef.h>
#include <stdint.h>

/** Where credentials came from, and so whether (and how) they can be fetched again. */
typedef enum cw_sdk_aws_creds_kind {
    CW_SDK_AWS_CREDS_FIXED = 0,    /**< config, environment, shared file: used as they are */
    CW_SDK_AWS_CREDS_CONTAINER,    /**< ECS / EKS Pod Identity container endpoint */
    CW_SDK_AWS_CREDS_INSTANCE,     /**< EC2 instance metadata (IMDSv2) */
    CW_SDK_AWS_CREDS_WEB_IDENTITY, /**< STS AssumeRoleWithWebIdentity (EKS IRSA) */
    /** STS AssumeRole: only a provider made by cw_sdk_aws_creds_provider_new_assume_role
     *  knows how to assume the role again (cw_sdk_aws_creds_refetch cannot). */
    CW_SDK_AWS_CREDS_ASSUMED_ROLE
} cw_sdk_aws_creds_kind_t;

typedef struct cw_sdk_aws_creds {
    char *access_key;
    char *secret_key;
    char *session_token; /**< NULL when none */
    int64_t expires_ms;  /**< wall-clock ms since the epoch; 0: does not expire */
    cw_sdk_aws_creds_kind_t kind;
    char source[160]; /**< where they came from, for messages ("environment", ...) */
} cw_sdk_aws_creds_t;

/** Options of cw_sdk_aws_creds_resolve_chain; every member may be NULL. */
typedef struct cw_sdk_aws_chain_opts {
    const char *access_key; /**< explicit keys (a plugin's config): first in the chain */
    const char *secret_key;
    const char *session_token;
    /** The config key of access_key, for messages ("aws.access.key.id"); NULL: the caller
     *  has no such keys and messages leave that step out. */
    const char *access_key_name;
    const char *secret_key_name; /**< likewise ("aws.secret.access.key") */
    /** Shared credentials file profile; NULL: AWS_PROFILE, else "default". */
    const char *profile;
} cw_sdk_aws_chain_opts_t;

/** The whole chain, as AWS SDKs walk it: explicit keys, environment (AWS_ACCESS_KEY_ID,
 *  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), shared credentials file
 *  (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, the profile of `o`), web identity
 *  (STS), container endpoint, instance metadata. Returns 0 and fills *out (the caller clears
 *  it with cw_sdk_aws_creds_clear), or -1 with errstr naming every source tried and why it
 *  gave nothing (never a secret); *out is then empty. May block (HTTP): see above. */
int cw_sdk_aws_creds_resolve_chain(const cw_sdk_aws_chain_opts_t *o, cw_sdk_aws_creds_t *out,
                                   char *errstr, size_t errstr_size);
/** The chain with explicit keys named as the S3 sink's aws.access.key.id /
 *  aws.secret.access.key and the profile of AWS_PROFILE. */
int cw_sdk_aws_creds_resolve(const char *cfg_access, const char *cfg_secret, const char *cfg_token,
                             cw_sdk_aws_creds_t *out, char *errstr, size_t errstr_size);
/** Zeroes the secrets and frees them; *c is then empty. NULL and empty are fine. */
void cw_sdk_aws_creds_clear(cw_sdk_aws_creds_t *c);
/** Deep copy; -1 when out of memory (dst is then empty). */
int cw_sdk_aws_creds_copy(cw_sdk_aws_creds_t *dst, const cw_sdk_aws_creds_t *src);

/* ---- HTTP sources (core/sdk/aws_credentials_remote.c) ---- */
/** Outcome of one source: got them, not configured here, or configured and failed. */
enum { CW_SDK_AWS_SRC_OK = 0, CW_SDK_AWS_SRC_SKIPPED = 1, CW_SDK_AWS_SRC_FAILED = -1 };
/** AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI with the optional authorization
 *  token. `why` says why it was skipped or failed (never a secret). */
int cw_sdk_aws_creds_from_container(cw_sdk_aws_creds_t *out, char *why, size_t why_size);
/** EC2 instance metadata, IMDSv2, at AWS_EC2_METADATA_SERVICE_ENDPOINT or
 *  http://169.254.169.254; skipped when AWS_EC2_METADATA_DISABLED=true. */
int cw_sdk_aws_creds_from_instance(cw_sdk_aws_creds_t *out, char *why, size_t why_size);
/** EKS IAM roles for service accounts: with AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE
 *  set, reads the token file (on every call: EKS rotates it) and asks STS
 *  AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS, https://sts.<AWS_REGION>.amazonaws.com
 *  or https://sts.amazonaws.com (core/sdk/aws_sts.c). */
int cw_sdk_aws_creds_from_web_identity(cw_sdk_aws_creds_t *out, char *why, size_t why_size);
/** Reads an AssumeRoleWithWebIdentity answer of HTTP status `status`: the Credentials, or
 *  the ErrorResponse's Code (into code, "" when none) and Message into why. The message is
 *  left out when it quotes `token`. 0, or -1 with why. */
int cw_sdk_aws_creds_parse_sts_xml(const char *body, size_t len, long status, const char *token,
                                   cw_sdk_aws_creds_t *out, char *code, size_t code_size, char *why,
                                   size_t why_size);
/** Fetches again from the source of `kind` (container, instance or web identity). */
int cw_sdk_aws_creds_refetch(cw_sdk_aws_creds_kind_t kind, cw_sdk_aws_creds_t *out, char *why,
                             size_t why_size);
/** Reads AccessKeyId, SecretAccessKey, Token, Expiration (and Code, if present) of a
 *  credentials answer. 0, or -1 with why. */
int cw_sdk_aws_creds_parse_json(const char *body, size_t len, cw_sdk_aws_creds_t *out, char *why,
                                size_t why_size);
/* Shared by the HTTP sources. An answer body, NUL-terminated, in one buffer that is zeroed
 * when freed. */
typedef struct cw_sdk_aws_creds_answer {
    char *data;
    size_t len, cap;
} cw_sdk_aws_creds_answer_t;
void cw_sdk_aws_creds_answer_free(cw_sdk_aws_creds_answer_t *a);
/** One request (body: POSTed when not NULL; proxied: honour the proxy variables except for
 *  loopback). Returns the HTTP status, or 0 with why ("<curl's message> at <shown>"). */
long cw_sdk_aws_creds_http(const char *method, const char *url, const char *header,
                           const char *body, int proxied, long connect_ms, long total_ms,
                           const char *shown, cw_sdk_aws_creds_answer_t *out, char *why,
                           size_t why_size);
/** cw_sdk_aws_creds_http, signed by libcurl (CURLOPT_AWS_SIGV4 `sigv4`, "aws:amz:<region>:<service>")
 *  with the keys of `sign`, its session token sent as X-Amz-Security-Token; sign NULL:
 *  unsigned. */
long cw_sdk_aws_http_signed(const char *method, const char *url, const char *header,
                            const char *body, int proxied, long connect_ms, long total_ms,
                            const char *shown, const cw_sdk_aws_creds_t *sign, const char *sigv4,
                            cw_sdk_aws_creds_answer_t *out, char *why, size_t why_size);
/** Copies the text of the first <tag>...</tag> of xml[0..len) into out (truncated to
 *  out_size - 1); 1 when found, else 0 (out untouched). STS and S3 answer in such XML. */
int cw_sdk_aws_xml_tag(const char *xml, size_t len, const char *tag, char *out, size_t out_size);
/** 1 when url (named var in messages) is https, or http to a loopback address or, with
 *  link_local, the ECS/EKS credential addresses; else 0 with why. */
int cw_sdk_aws_creds_url_allowed(const char *url, const char *var, int link_local, char *why,
                                 size_t why_size);
/** ISO-8601 UTC time ("2026-11-21T07:27:55Z", fractions and +hh:mm accepted) in ms since
 *  the epoch, or -1 when it is not one. */
int64_t cw_sdk_aws_iso8601_ms(const char *s);

/* ---- the shared, refreshing provider (core/sdk/aws_credentials_provider.c) ---- */
/** Thread-safe holder of one task's credentials. Temporary ones are fetched again when
 *  less than CW_SDK_AWS_CREDS_REFRESH_BEFORE_MS remain (at most once per CW_SDK_AWS_CREDS_RETRY_MS).
 *  Clients keep the generation they last saw and rebuild their auth when it changes. */
typedef struct cw_sdk_aws_creds_provider cw_sdk_aws_creds_provider_t;
#define CW_SDK_AWS_CREDS_REFRESH_BEFORE_MS (5 * 60 * 1000)
#define CW_SDK_AWS_CREDS_RETRY_MS 1000
enum { CW_SDK_AWS_CREDS_LOG_INFO = 0, CW_SDK_AWS_CREDS_LOG_WARN = 1 };
typedef void (*cw_sdk_aws_creds_log_fn)(void *opaque, int level, const char *msg);
typedef int (*cw_sdk_aws_creds_fetch_fn)(cw_sdk_aws_creds_kind_t kind, cw_sdk_aws_creds_t *out,
                                         char *why, size_t why_size);

/** Takes over *initial (left empty). NULL when out of memory. */
cw_sdk_aws_creds_provider_t *cw_sdk_aws_creds_provider_new(cw_sdk_aws_creds_t *initial);
/** Where refresh outcomes are reported (may be NULL: silent). */
void cw_sdk_aws_creds_provider_set_log(cw_sdk_aws_creds_provider_t *p, cw_sdk_aws_creds_log_fn log,
                                       void *opaque);
/** Tests: a clock (wall-clock ms) and a fetcher in place of the real ones (NULL: real). */
void cw_sdk_aws_creds_provider_set_hooks(cw_sdk_aws_creds_provider_t *p, int64_t (*now_ms)(void),
                                         cw_sdk_aws_creds_fetch_fn fetch);
/** Current credentials, refreshed first when due. Returns 1 and fills *out with a copy (the
 *  caller clears it) when the generation differs from *gen (which is updated), 0 when the
 *  caller's copy is still current, -1 with errstr when they expired and could not be
 *  fetched again (a transient failure: try later). */
int cw_sdk_aws_creds_provider_get(cw_sdk_aws_creds_provider_t *p, uint64_t *gen,
                                  cw_sdk_aws_creds_t *out, char *errstr, size_t errstr_size);
/** The service (S3) called the credentials of generation `gen` expired: fetch new ones on the next get.
 *  Returns 1 when they can be fetched again (temporary credentials), else 0. */
int cw_sdk_aws_creds_provider_invalidate(cw_sdk_aws_creds_provider_t *p, uint64_t gen);
cw_sdk_aws_creds_kind_t cw_sdk_aws_creds_provider_kind(const cw_sdk_aws_creds_provider_t *p);
const char *cw_sdk_aws_creds_provider_source(const cw_sdk_aws_creds_provider_t *p);
/** Number of fetches tried after the first (tests and diagnostics). */
int cw_sdk_aws_creds_provider_refreshes(cw_sdk_aws_creds_provider_t *p);
void cw_sdk_aws_creds_provider_free(cw_sdk_aws_creds_provider_t *p);

/* ---- STS AssumeRole (core/sdk/aws_sts.c) ---- */
/** STS AssumeRole of role_arn with the credentials `base` (signed with SigV4 by libcurl), at
 *  AWS_ENDPOINT_URL_STS, else https://sts.<sts_region>.amazonaws.com (sts_region NULL or "":
 *  AWS_REGION, else the global https://sts.amazonaws.com). session_name NULL: "connect-worker".
 *  Returns 0 and fills *out (temporary credentials; kind CW_SDK_AWS_CREDS_FIXED, because only
 *  the caller knows how to assume the role again; source "STS AssumeRole of <role> with
 *  <base's source>"), or -1 with errstr naming the role, the endpoint and STS's error code. */
int cw_sdk_aws_sts_assume_role(const cw_sdk_aws_creds_t *base, const char *role_arn,
                               const char *session_name, const char *sts_region,
                               cw_sdk_aws_creds_t *out, char *errstr, size_t errstr_size);

/** What to assume: the request parameters of STS AssumeRole (Confluent's S3 sink calls them
 *  sts.role.arn, sts.role.session.name, sts.role.external.id and sts.region). The strings
 *  are borrowed for the call (the provider below copies them). */
typedef struct cw_sdk_aws_assume_role {
    const char *role_arn;     /**< required */
    const char *session_name; /**< NULL or "": "connect-worker" */
    const char *external_id;  /**< NULL or "": none (the ExternalId parameter is left out) */
    const char *sts_region;   /**< NULL or "": as cw_sdk_aws_sts_assume_role */
} cw_sdk_aws_assume_role_t;

/** cw_sdk_aws_sts_assume_role with every parameter of `r`, ExternalId included. */
int cw_sdk_aws_sts_assume_role_ex(const cw_sdk_aws_creds_t *base, const cw_sdk_aws_assume_role_t *r,
                                  cw_sdk_aws_creds_t *out, char *errstr, size_t errstr_size);

/** A provider of the credentials of role `r`, assumed with those of `base` (taken over: it is
 *  freed with the new provider, and asked for fresh base credentials, so temporary base
 *  credentials keep refreshing themselves). Assumes the role once, now (may block: HTTP),
 *  and again whenever the assumed credentials come within CW_SDK_AWS_CREDS_REFRESH_BEFORE_MS
 *  of their Expiration or the service rejects them, as the AWS SDKs' STS AssumeRole
 *  providers do. Kind CW_SDK_AWS_CREDS_ASSUMED_ROLE; source "STS AssumeRole of <role> with
 *  <base's source>". NULL with errstr (STS's error code, the role and the endpoint; never a
 *  secret); `base` is freed then too. */
cw_sdk_aws_creds_provider_t *
cw_sdk_aws_creds_provider_new_assume_role(cw_sdk_aws_creds_provider_t *base,
                                          const cw_sdk_aws_assume_role_t *r, char *errstr,
                                          size_t errstr_size);

/** Fetches with a context of the caller's in place of cw_sdk_aws_creds_refetch: for sources
 *  only the caller knows how to ask again (the AssumeRole provider above). ctx_free (may be
 *  NULL) frees ctx with the provider. Call before sharing the provider. */
typedef int (*cw_sdk_aws_creds_fetch_ctx_fn)(void *ctx, cw_sdk_aws_creds_t *out, char *why,
                                             size_t why_size);
void cw_sdk_aws_creds_provider_set_fetcher(cw_sdk_aws_creds_provider_t *p,
                                           cw_sdk_aws_creds_fetch_ctx_fn fetch, void *ctx,
                                           void (*ctx_free)(void *ctx));

/* ---- Signature V4 presigning and the MSK IAM token (core/sdk/aws_sigv4.c, aws_msk.c) ---- */
/** One request to presign (SigV4 in the query string, as botocore's SigV4QueryAuth and the
 *  Go SDK's PresignHTTP do it): only `host` is signed as a header, the payload is the empty
 *  string's SHA-256 unless payload_hash says otherwise. */
typedef struct cw_sdk_aws_presign {
    const char *method; /**< "GET" */
    const char *host;   /**< "kafka.us-east-1.amazonaws.com" */
    const char *path;   /**< "/" (already URI-encoded) */
    /** The request's own query before the auth parameters, already URI-encoded
     *  ("Action=kafka-cluster%3AConnect"), or NULL/"" */
    const char *query;
    const char *service; /**< the signing name: "kafka-cluster" */
    const char *region;
    int64_t time_s; /**< signing time, seconds since the epoch (X-Amz-Date) */
    int expires_s;  /**< X-Amz-Expires */
    /** The payload's hash in the canonical request; NULL: the empty string's SHA-256 (what
     *  the MSK signers use); S3 presigns with "UNSIGNED-PAYLOAD". */
    const char *payload_hash;
} cw_sdk_aws_presign_t;

/** https://host/path?query&X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Date=...
 *  &X-Amz-Expires=...&X-Amz-SignedHeaders=host[&X-Amz-Security-Token=...]&X-Amz-Signature=...
 *  (botocore's order), malloc'ed: the caller frees it (it holds the session token, so zero it
 *  first). NULL with errstr (out of memory, missing keys). Pure: no I/O, no clock. */
char *cw_sdk_aws_presign_url(const cw_sdk_aws_presign_t *p, const cw_sdk_aws_creds_t *c,
                             char *errstr, size_t errstr_size);

/** Lifetime of an MSK IAM token, as AWS's signer libraries set it (X-Amz-Expires). */
#define CW_SDK_AWS_MSK_TOKEN_EXPIRES_S 900
/** The Amazon MSK IAM SASL token (for SASL/OAUTHBEARER) of credentials `c` in `region` at
 *  now_ms: the presigned GET https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect
 *  (service kafka-cluster, 900 s), then &User-Agent=<user_agent, URI-encoded>, encoded in
 *  base64url without padding, as aws-msk-iam-sasl-signer-python builds it. *token is
 *  malloc'ed (the caller zeroes and frees it); *expires_ms is the signing second + 900 s.
 *  0, or -1 with errstr. Pure: no I/O, no clock. */
int cw_sdk_aws_msk_token(const cw_sdk_aws_creds_t *c, const char *region, int64_t now_ms,
                         const char *user_agent, char **token, int64_t *expires_ms, char *errstr,
                         size_t errstr_size);
/** The region of an MSK broker list ("b-1.c.x.c2.kafka.eu-west-1.amazonaws.com:9098,...",
 *  kafka-serverless too): the region of the first host that names one, into region. 0, or -1
 *  when no host is an MSK host name. */
int cw_sdk_aws_msk_region(const char *brokers, char *region, size_t region_size);
/** 1 when s is an AWS region name (lower-case letters, digits and '-', at most 40), else 0. */
int cw_sdk_aws_region_valid(const char *s);
#endif
