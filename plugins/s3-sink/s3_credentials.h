/* The S3 sink's names for the SDK's AWS library (connect-worker/sdk_aws.h): the credential
 * chain, its HTTP sources and the refreshing provider moved there, so that the worker's Kafka
 * clients (MSK IAM) and later AWS plugins share them. These aliases keep the sink and its
 * tests (tests/s3/test_credentials.c, test_sigv4.c) reading as they did. */
#ifndef S3_CREDENTIALS_H
#define S3_CREDENTIALS_H
#include "connect-worker/sdk_aws.h"

#define s3_credentials_t cw_sdk_aws_creds_t
#define s3_creds_kind_t cw_sdk_aws_creds_kind_t
#define S3_CREDS_FIXED CW_SDK_AWS_CREDS_FIXED
#define S3_CREDS_CONTAINER CW_SDK_AWS_CREDS_CONTAINER
#define S3_CREDS_INSTANCE CW_SDK_AWS_CREDS_INSTANCE
#define S3_CREDS_WEB_IDENTITY CW_SDK_AWS_CREDS_WEB_IDENTITY
#define S3_SRC_OK CW_SDK_AWS_SRC_OK
#define S3_SRC_SKIPPED CW_SDK_AWS_SRC_SKIPPED
#define S3_SRC_FAILED CW_SDK_AWS_SRC_FAILED
#define s3_credentials_resolve cw_sdk_aws_creds_resolve
#define s3_credentials_clear cw_sdk_aws_creds_clear
#define s3_credentials_copy cw_sdk_aws_creds_copy
#define s3_creds_from_container cw_sdk_aws_creds_from_container
#define s3_creds_from_instance cw_sdk_aws_creds_from_instance
#define s3_creds_from_web_identity cw_sdk_aws_creds_from_web_identity
#define s3_creds_parse_sts_xml cw_sdk_aws_creds_parse_sts_xml
#define s3_creds_refetch cw_sdk_aws_creds_refetch
#define s3_creds_parse_json cw_sdk_aws_creds_parse_json
#define s3_creds_answer_t cw_sdk_aws_creds_answer_t
#define s3_creds_answer_free cw_sdk_aws_creds_answer_free
#define s3_creds_http cw_sdk_aws_creds_http
#define s3_creds_url_allowed cw_sdk_aws_creds_url_allowed
#define s3_iso8601_ms cw_sdk_aws_iso8601_ms
#define s3_creds_provider_t cw_sdk_aws_creds_provider_t
#define S3_CREDS_REFRESH_BEFORE_MS CW_SDK_AWS_CREDS_REFRESH_BEFORE_MS
#define S3_CREDS_RETRY_MS CW_SDK_AWS_CREDS_RETRY_MS
#define S3_CREDS_LOG_INFO CW_SDK_AWS_CREDS_LOG_INFO
#define S3_CREDS_LOG_WARN CW_SDK_AWS_CREDS_LOG_WARN
#define s3_creds_log_fn cw_sdk_aws_creds_log_fn
#define s3_creds_fetch_fn cw_sdk_aws_creds_fetch_fn
#define s3_creds_provider_new cw_sdk_aws_creds_provider_new
#define s3_creds_provider_set_log cw_sdk_aws_creds_provider_set_log
#define s3_creds_provider_set_hooks cw_sdk_aws_creds_provider_set_hooks
#define s3_creds_provider_get cw_sdk_aws_creds_provider_get
#define s3_creds_provider_invalidate cw_sdk_aws_creds_provider_invalidate
#define s3_creds_provider_kind cw_sdk_aws_creds_provider_kind
#define s3_creds_provider_source cw_sdk_aws_creds_provider_source
#define s3_creds_provider_refreshes cw_sdk_aws_creds_provider_refreshes
#define s3_creds_provider_free cw_sdk_aws_creds_provider_free

/** The one configuration rule of the credential keys (a key id needs its secret): the
 *  problem with aws.secret.access.key as a sentence, or NULL. Shared by validate and, in the
 *  SDK's words for any named keys, by the chain (cw_sdk_aws_creds_resolve). */
static inline const char *s3_credentials_config_problem(const char *cfg_access,
                                                        const char *cfg_secret) {
    if (cfg_access && *cfg_access && (!cfg_secret || !*cfg_secret))
        return "is required when aws.access.key.id is set";
    return NULL;
}
#endif
