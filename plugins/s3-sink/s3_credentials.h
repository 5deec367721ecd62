/* AWS credentials of the S3 sink: the chain that finds them (s3_credentials.c), the HTTP
 * sources of temporary credentials (s3_credentials_remote.c) and the provider that keeps them
 * fresh for every client of a task (s3_credentials_provider.c). Secrets never reach an errstr
 * or a log line, and are zeroed when freed. */
#ifndef S3_CREDENTIALS_H
#define S3_CREDENTIALS_H
#include <stddef.h>
#include <stdint.h>

/** Where credentials came from, and so whether (and how) they can be fetched again. */
typedef enum s3_creds_kind {
    S3_CREDS_FIXED = 0,   /**< config, environment, shared file: used as they are */
    S3_CREDS_CONTAINER,   /**< ECS / EKS Pod Identity container endpoint */
    S3_CREDS_INSTANCE,    /**< EC2 instance metadata (IMDSv2) */
    S3_CREDS_WEB_IDENTITY /**< STS AssumeRoleWithWebIdentity (EKS IRSA) */
} s3_creds_kind_t;

typedef struct s3_credentials {
    char *access_key;
    char *secret_key;
    char *session_token;  /**< NULL when none */
    int64_t expires_ms;   /**< wall-clock ms since the epoch; 0: does not expire */
    s3_creds_kind_t kind;
    char source[96];      /**< where they came from, for messages ("environment", ...) */
} s3_credentials_t;

/** The one configuration rule of the credential keys (a key id needs its secret): the
 *  problem with aws.secret.access.key as a sentence, or NULL. Shared by validate and
 *  s3_credentials_resolve. */
const char *s3_credentials_config_problem(const char *cfg_access, const char *cfg_secret);
/** The whole chain, as AWS SDKs walk it: connector config, environment, shared credentials
 *  file, web identity (STS), container endpoint, instance metadata. Returns 0 and fills *out, or -1 with errstr
 *  naming every source and why it gave nothing. */
int s3_credentials_resolve(const char *cfg_access, const char *cfg_secret,
                           const char *cfg_token, s3_credentials_t *out, char *errstr,
                           size_t errstr_size);
/** Zeroes the secrets and frees them. */
void s3_credentials_clear(s3_credentials_t *c);
/** Deep copy; -1 when out of memory (dst is then empty). */
int s3_credentials_copy(s3_credentials_t *dst, const s3_credentials_t *src);

/* ---- HTTP sources (s3_credentials_remote.c) ---- */
/** Outcome of one source: got them, not configured here, or configured and failed. */
enum { S3_SRC_OK = 0, S3_SRC_SKIPPED = 1, S3_SRC_FAILED = -1 };
/** AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI with the optional authorization
 *  token. `why` says why it was skipped or failed (never a secret). */
int s3_creds_from_container(s3_credentials_t *out, char *why, size_t why_size);
/** EC2 instance metadata, IMDSv2, at AWS_EC2_METADATA_SERVICE_ENDPOINT or
 *  http://169.254.169.254; skipped when AWS_EC2_METADATA_DISABLED=true. */
int s3_creds_from_instance(s3_credentials_t *out, char *why, size_t why_size);
/** EKS IAM roles for service accounts: with AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE
 *  set, reads the token file (on every call: EKS rotates it) and asks STS
 *  AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS, https://sts.<AWS_REGION>.amazonaws.com
 *  or https://sts.amazonaws.com (s3_credentials_sts.c). */
int s3_creds_from_web_identity(s3_credentials_t *out, char *why, size_t why_size);
/** Reads an AssumeRoleWithWebIdentity answer of HTTP status `status`: the Credentials, or
 *  the ErrorResponse's Code (into code, "" when none) and Message into why. The message is
 *  left out when it quotes `token`. 0, or -1 with why. */
int s3_creds_parse_sts_xml(const char *body, size_t len, long status, const char *token,
                           s3_credentials_t *out, char *code, size_t code_size, char *why,
                           size_t why_size);
/** Fetches again from the source of `kind` (container, instance or web identity). */
int s3_creds_refetch(s3_creds_kind_t kind, s3_credentials_t *out, char *why, size_t why_size);
/** Reads AccessKeyId, SecretAccessKey, Token, Expiration (and Code, if present) of a
 *  credentials answer. 0, or -1 with why. */
int s3_creds_parse_json(const char *body, size_t len, s3_credentials_t *out, char *why,
                        size_t why_size);
/* Shared by the HTTP sources. An answer body, NUL-terminated, in one buffer that is zeroed
 * when freed. */
typedef struct s3_creds_answer {
    char *data;
    size_t len, cap;
} s3_creds_answer_t;
void s3_creds_answer_free(s3_creds_answer_t *a);
/** One request (body: POSTed when not NULL; proxied: honour the proxy variables except for
 *  loopback). Returns the HTTP status, or 0 with why ("<curl's message> at <shown>"). */
long s3_creds_http(const char *method, const char *url, const char *header, const char *body,
                   int proxied, long connect_ms, long total_ms, const char *shown,
                   s3_creds_answer_t *out, char *why, size_t why_size);
/** 1 when url (named var in messages) is https, or http to a loopback address or, with
 *  link_local, the ECS/EKS credential addresses; else 0 with why. */
int s3_creds_url_allowed(const char *url, const char *var, int link_local, char *why,
                         size_t why_size);
/** ISO-8601 UTC time ("2026-11-21T07:27:55Z", fractions and +hh:mm accepted) in ms since
 *  the epoch, or -1 when it is not one. */
int64_t s3_iso8601_ms(const char *s);

/* ---- the shared, refreshing provider (s3_credentials_provider.c) ---- */
/** Thread-safe holder of one task's credentials. Temporary ones are fetched again when
 *  less than S3_CREDS_REFRESH_BEFORE_MS remain (at most once per S3_CREDS_RETRY_MS).
 *  Clients keep the generation they last saw and rebuild their auth when it changes. */
typedef struct s3_creds_provider s3_creds_provider_t;
#define S3_CREDS_REFRESH_BEFORE_MS (5 * 60 * 1000)
#define S3_CREDS_RETRY_MS 1000
enum { S3_CREDS_LOG_INFO = 0, S3_CREDS_LOG_WARN = 1 };
typedef void (*s3_creds_log_fn)(void *opaque, int level, const char *msg);
typedef int (*s3_creds_fetch_fn)(s3_creds_kind_t kind, s3_credentials_t *out, char *why,
                                 size_t why_size);

/** Takes over *initial (left empty). NULL when out of memory. */
s3_creds_provider_t *s3_creds_provider_new(s3_credentials_t *initial);
/** Where refresh outcomes are reported (may be NULL: silent). */
void s3_creds_provider_set_log(s3_creds_provider_t *p, s3_creds_log_fn log, void *opaque);
/** Tests: a clock (wall-clock ms) and a fetcher in place of the real ones (NULL: real). */
void s3_creds_provider_set_hooks(s3_creds_provider_t *p, int64_t (*now_ms)(void),
                                 s3_creds_fetch_fn fetch);
/** Current credentials, refreshed first when due. Returns 1 and fills *out with a copy (the
 *  caller clears it) when the generation differs from *gen (which is updated), 0 when the
 *  caller's copy is still current, -1 with errstr when they expired and could not be
 *  fetched again (a transient failure: try later). */
int s3_creds_provider_get(s3_creds_provider_t *p, uint64_t *gen, s3_credentials_t *out,
                          char *errstr, size_t errstr_size);
/** S3 called the credentials of generation `gen` expired: fetch new ones on the next get.
 *  Returns 1 when they can be fetched again (temporary credentials), else 0. */
int s3_creds_provider_invalidate(s3_creds_provider_t *p, uint64_t gen);
s3_creds_kind_t s3_creds_provider_kind(const s3_creds_provider_t *p);
const char *s3_creds_provider_source(const s3_creds_provider_t *p);
/** Number of fetches tried after the first (tests and diagnostics). */
int s3_creds_provider_refreshes(s3_creds_provider_t *p);
void s3_creds_provider_free(s3_creds_provider_t *p);
#endif
