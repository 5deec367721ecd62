/* Confluent's Hive keys (kafka-connect-storage-common's HiveConfig, shared by its HDFS and
 * S3 sinks). There is no Hive metastore client here: a config that asks for the
 * integration is refused rather than run without it, and the keys that only matter with
 * it are accepted (Confluent ignores them too while hive.integration=false) with a warning
 * naming the key, so that a migrated config says what it does not get. */
#include "s3_sink.h"
#include <stdio.h>
#include <string.h>

void s3_hive_check(const cw_host_t *h, cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v) {
    static const struct {
        const char *key, *dflt;
    } keys[] = {
        {"hive.metastore.uris", ""},
        {"hive.conf.dir", ""},
        {"hive.home", ""},
        {"hive.database", "default"},
        {"hive.logical.types.enabled", "true"},
        {"schema.generator.class", ""},
    };
    if (h->config_get_bool(cfg, "hive.integration", 0))
        h->validation_error(v, "hive.integration",
                            "true is not supported: this sink has no Hive metastore client; "
                            "define the table over the objects under topics.dir yourself "
                            "(Hive, AWS Glue, Athena) and set hive.integration=false");
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const char *val = h->config_get(cfg, keys[i].key);
        if (val && strcmp(val, keys[i].dflt) != 0)
            h->log(ctx, CW_LOG_WARN,
                   "%s=%s has no effect: Hive integration is not supported by this sink "
                   "(Confluent ignores it too unless hive.integration=true, which is refused)",
                   keys[i].key, val);
    }
}
