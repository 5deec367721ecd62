/* Amazon MSK IAM authentication for the worker's Kafka clients: the Java client's lines
 * (sasl.mechanism=AWS_MSK_IAM, sasl.jaas.config=...IAMLoginModule required [options];,
 * sasl.client.callback.handler.class=...IAMClientCallbackHandler) behind Kafka Connect's
 * prefixes become librdkafka's SASL/OAUTHBEARER with a token refresh callback that presigns
 * kafka-cluster:Connect with credentials of the SDK's AWS chain (connect-worker/sdk_aws.h). */
#ifndef CW_KAFKA_MSK_IAM_H
#define CW_KAFKA_MSK_IAM_H
#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "props.h"
#include "connect-worker/sdk_aws.h"

/** The settings of one client: the JAAS line's options and the cluster's region. */
typedef struct cw_msk_iam {
    char region[48];       /**< from the broker host names, else AWS_REGION */
    char role_arn[256];    /**< awsRoleArn: assume it with STS AssumeRole; "" when none */
    char session_name[80]; /**< awsRoleSessionName; "" : the Java library's default */
    char sts_region[48];   /**< awsStsRegion; "": AWS_REGION, else the global endpoint */
    char profile[80];      /**< awsProfileName; "": AWS_PROFILE, else "default" */
} cw_msk_iam_t;

/** 1 when `key` = `value` (a key with its Kafka Connect prefix removed) is one of the Java
 *  client's MSK IAM lines, which librdkafka does not know and cw_msk_iam_settings reads. */
int cw_msk_iam_java_key(const char *key, const char *value);

/** The MSK IAM settings of a client whose keys are `prefix` in wp (the worker's, "producer.")
 *  then `cprefix` in cp (a connector's overrides; cp NULL: none): 1 when sasl.mechanism is
 *  AWS_MSK_IAM (and *out is filled), 0 when not, -1 with errstr naming the file and key
 *  (a JAAS line that is no IAMLoginModule, a security.protocol without SASL, no region). */
int cw_msk_iam_settings(const cw_props_t *wp, const char *prefix, const cw_props_t *cp,
                        const char *cprefix, const char *bootstrap, cw_msk_iam_t *out, char *errstr,
                        size_t errstr_size);

/** Reads "IAMLoginModule required awsRoleArn=\"...\" ...;" into *out. 0, or -1 with errstr. */
int cw_msk_iam_parse_jaas(const char *jaas, cw_msk_iam_t *out, char *errstr, size_t errstr_size);

/** Sets librdkafka's sasl.mechanism=OAUTHBEARER, the settings (no secret: role, region,
 *  profile) in sasl.oauthbearer.config and the token refresh callback. 0, or -1 with errstr. */
int cw_msk_iam_conf(rd_kafka_conf_t *conf, const cw_msk_iam_t *m, char *errstr, size_t errstr_size);

/** The credentials m would sign with: the chain (profile of m), then STS AssumeRole when m has
 *  a role. Fills *out (the caller clears it). 0, or -1 with errstr naming every source tried. */
int cw_msk_iam_credentials(const cw_msk_iam_t *m, cw_sdk_aws_creds_t *out, char *errstr,
                           size_t errstr_size);

/** A token for m at now_ms (what the refresh callback hands librdkafka): *token malloc'ed
 *  (the caller zeroes and frees it), *lifetime_ms the earlier of the token's expiry (signing
 *  time + 900 s) and the credentials' own, source (may be NULL) where the credentials came
 *  from. 0, or -1 with errstr (never a secret). */
int cw_msk_iam_token(const cw_msk_iam_t *m, int64_t now_ms, char **token, int64_t *lifetime_ms,
                     char *source, size_t source_size, char *errstr, size_t errstr_size);

/** For --validate and start-up: checks the MSK IAM settings of a prefix set and says (info
 *  log) which region and credentials source the clients would use; a failure (bad lines, no
 *  credentials) is added to errs. `what` names the clients in messages. */
void cw_msk_iam_check(const cw_props_t *wp, const char *prefix, const cw_props_t *cp,
                      const char *cprefix, const char *bootstrap, const char *what,
                      cw_errlist_t *errs);
#endif
