/* The connector's keys: Confluent S3 sink names and defaults, plus a few of our own
 * (s3.client, s3.conditional.writes.enabled, partitioner.max.open.files). */
#include "s3_sink.h"
#include "s3_credentials.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_FORMAT "io.confluent.connect.s3.format.json.JsonFormat"
#define BYTES_FORMAT "io.confluent.connect.s3.format.bytearray.ByteArrayFormat"
#define PART_PKG "io.confluent.connect.storage.partitioner."

const cw_config_def_t s3_sink_config_defs[] = {
    {"s3.bucket.name", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "The S3 bucket objects are written to.", NULL, 0, 0},
    {"s3.region", CW_CFG_STRING, "us-west-2", 0,
     "AWS region of the bucket (signs requests; picks the AWS endpoint when store.url is unset).",
     NULL, 0, 0},
    {"store.url", CW_CFG_STRING, NULL, 0,
     "Endpoint of an S3-compatible store, e.g. http://127.0.0.1:4568; unset: "
     "https://s3.<region>.amazonaws.com.",
     NULL, 0, 0},
    {"s3.path.style.access.enabled", CW_CFG_BOOL, "true", 0,
     "Path-style URLs (endpoint/bucket/key) instead of virtual-host style (bucket.endpoint/key).",
     NULL, 0, 0},
    {"topics.dir", CW_CFG_STRING, "topics", 0, "Top-level directory (key prefix) of every object.",
     NULL, 0, 0},
    {"directory.delim", CW_CFG_STRING, "/", 0, "Delimiter between directory levels of object keys.",
     NULL, 0, 0},
    {"file.delim", CW_CFG_STRING, "+", 0,
     "Delimiter between topic, partition and offset in object names.", NULL, 0, 0},
    {"filename.offset.zero.pad.width", CW_CFG_INT, "10", 0,
     "Width the start offset in object names is zero-padded to.", NULL, 0, 30},
    {"flush.size", CW_CFG_INT, NULL, CW_CFG_F_REQUIRED,
     "Records per object: an object is written once it holds this many records.", NULL, 1, 9.2e18},
    {"rotate.interval.ms", CW_CFG_INT, "-1", 0,
     "Time-based partitioners only (as Confluent): rotate when a record's timestamp (from "
     "timestamp.extractor) is this far past the first record of the open object; -1 disables. "
     "Deterministic.",
     NULL, 0, 0},
    {"rotate.file.on.partition.change", CW_CFG_BOOL, "true", 0,
     "With rotate.interval.ms: also rotate when a record's encoded partition differs from the "
     "previous record's.",
     NULL, 0, 0},
    {"rotate.schedule.interval.ms", CW_CFG_INT, "-1", 0,
     "Rotate on the wall clock at multiples of this interval (in timezone), even without new data; "
     "-1 disables. Not deterministic.",
     NULL, 0, 0},
    {"timezone", CW_CFG_STRING, "", 0,
     "Time zone of time-based partitions and scheduled rotation (tz database name or offset); "
     "empty: UTC.",
     NULL, 0, 0},
    {"locale", CW_CFG_STRING, "", 0, "Locale of path.format; only English names are produced.",
     NULL, 0, 0},
    {"format.class", CW_CFG_STRING, JSON_FORMAT, 0,
     "Object format: JsonFormat (one JSON record per line) or ByteArrayFormat (raw bytes + "
     "separator).",
     JSON_FORMAT "," BYTES_FORMAT ",JsonFormat,ByteArrayFormat", 0, 0},
    {"format.bytearray.separator", CW_CFG_STRING, "\n", 0,
     "Separator written after each record by ByteArrayFormat.", NULL, 0, 0},
    {"format.bytearray.extension", CW_CFG_STRING, ".bin", 0,
     "File extension of ByteArrayFormat objects.", NULL, 0, 0},
    {"s3.compression.type", CW_CFG_STRING, "none", 0,
     "Compression of objects: none, gzip (.gz) or zstd (.zst).", "none,gzip,zstd", 0, 0},
    {"s3.compression.level", CW_CFG_INT, "-1", 0, "Compression level; -1: the library default.",
     NULL, -1, 22},
    {"s3.part.size", CW_CFG_INT, "26214400", 0,
     "Bytes per multipart upload part; larger objects go up as multipart uploads.", NULL, 5242880,
     2147483647},
    {"s3.upload.queue.max.bytes", CW_CFG_INT, "67108864", 0,
     "Bytes of rotated objects (and full parts) that may wait for upload per task before put "
     "pushes back (as much as the consumer prefetches by default); a larger object still goes, "
     "alone.",
     NULL, 1048576, 9.2e18},
    {"s3.upload.threads", CW_CFG_INT, "2", 0,
     "Uploads a task runs at once, each on a connection of its own; the objects (and parts) of one "
     "topic partition still go up in order.",
     NULL, 1, S3_UPLOAD_THREADS_MAX},
    {"partitioner.class", CW_CFG_STRING, PART_PKG "DefaultPartitioner", 0,
     "How records map to directories: Default, Field, TimeBased, Daily or Hourly partitioner.",
     PART_PKG
     "DefaultPartitioner," PART_PKG "FieldPartitioner," PART_PKG "TimeBasedPartitioner," PART_PKG
     "DailyPartitioner," PART_PKG "HourlyPartitioner,"
     "DefaultPartitioner,FieldPartitioner,TimeBasedPartitioner,DailyPartitioner,HourlyPartitioner",
     0, 0},
    {"partition.field.name", CW_CFG_LIST, NULL, 0,
     "FieldPartitioner: the value fields (of schemaless JSON values) that name the directory, in "
     "order.",
     NULL, 0, 0},
    {"path.format", CW_CFG_STRING, "", 0,
     "TimeBasedPartitioner: Joda-Time pattern of the directory, e.g. "
     "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH.",
     NULL, 0, 0},
    {"partition.duration.ms", CW_CFG_INT, "-1", 0,
     "TimeBasedPartitioner: width of a time partition in ms.", NULL, 0, 0},
    {"timestamp.extractor", CW_CFG_STRING, "Wallclock", 0,
     "Where time-based partitioning and rotate.interval.ms take time from: Record (Kafka "
     "timestamp), RecordField (timestamp.field) or Wallclock, or Confluent's class names of these "
     "(io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordTimestampExtractor, "
     "...).",
     NULL, 0, 0},
    {"timestamp.field", CW_CFG_STRING, "timestamp", 0,
     "RecordField extractor: value field holding epoch ms or an ISO-8601 string.", NULL, 0, 0},
    {"behavior.on.null.values", CW_CFG_STRING, "fail", 0,
     "Null values (tombstones): fail, ignore, or write (as Confluent: only the record's key, to "
     "<topic>/<tombstone.encoded.partition>/...keys.json; needs store.kafka.keys=true).",
     "fail,ignore,write", 0, 0},
    {"tombstone.encoded.partition", CW_CFG_STRING, "tombstone", 0,
     "behavior.on.null.values=write: the directory (encoded partition) the keys of null-valued "
     "records go to.",
     NULL, 0, 0},
    {"store.kafka.keys", CW_CFG_BOOL, "false", 0,
     "Also write record keys, to <object>.keys.json beside each object.", NULL, 0, 0},
    {"keys.format.class", CW_CFG_STRING, NULL, 0,
     "Format of the keys objects: JsonFormat or ByteArrayFormat; unset: JsonFormat (Confluent's "
     "default, AvroFormat, is refused).",
     NULL, 0, 0},
    {"headers.format.class", CW_CFG_STRING, NULL, 0,
     "Format of the headers objects: JsonFormat; unset: JsonFormat (Confluent's default, "
     "AvroFormat, is refused).",
     NULL, 0, 0},
    {"store.kafka.headers", CW_CFG_BOOL, "false", 0,
     "Also write record headers, to <object>.headers.json beside each object.", NULL, 0, 0},
    {"s3.retry.backoff.ms", CW_CFG_INT, "200", 0,
     "Base of the exponential backoff (with jitter) between retries of a failed S3 request.", NULL,
     0, 86400000},
    {"s3.part.retries", CW_CFG_INT, "3", 0,
     "Retries of a failed S3 request inside one call, before the task backs off (pausing "
     "consumption) and tries again later.",
     NULL, 0, 100},
    {"s3.ssea.name", CW_CFG_STRING, "", 0,
     "Server-side encryption algorithm (AES256 or aws:kms); empty: none.", NULL, 0, 0},
    {"s3.sse.kms.key.id", CW_CFG_STRING, "", 0, "KMS key id for s3.ssea.name=aws:kms.", NULL, 0, 0},
    {"s3.acl.canned", CW_CFG_STRING, NULL, 0,
     "Canned ACL (x-amz-acl) of every object written, e.g. bucket-owner-full-control for a bucket "
     "of another account; unset: none.",
     "private,public-read,public-read-write,authenticated-read,log-delivery-write,bucket-owner-"
     "read,bucket-owner-full-control,aws-exec-read",
     0, 0},
    {"s3.sse.customer.key", CW_CFG_STRING, NULL, CW_CFG_F_SECRET,
     "SSE-C: base64 of the 256-bit key S3 encrypts objects with; needs s3.ssea.name=AES256 (as "
     "Confluent) and s3.client=curl.",
     NULL, 0, 0},
    {"s3.conditional.writes.enabled", CW_CFG_BOOL, "true", 0,
     "Write objects with If-None-Match: * so a replay never overwrites an object (412 means "
     "already written).",
     NULL, 0, 0},
    {"s3.object.behavior.on.conflict", CW_CFG_STRING, "fail", 0,
     "When an object's key is taken by an object of another origin (another Kafka cluster, a "
     "topic re-created, other records at the same offsets; told by the x-amz-meta-kafka-* "
     "metadata, read with a HEAD before the first write): fail stops the task naming the key "
     "and both origins; rename writes under <name>.<origin tag><ext>; overwrite skips the check "
     "(needs no s3:GetObject; the old behaviour). A replay of this task's own uncommitted "
     "records (same cluster, partition, first record) always overwrites.",
     "fail,rename,overwrite", 0, 0},
    {"partitioner.max.open.files", CW_CFG_INT, "-1", 0,
     "Open objects per topic partition beyond which the partition's objects are rotated early "
     "(bounds memory); -1: unlimited (Confluent's default).",
     NULL, -1, 1000000},
    {"s3.client", CW_CFG_STRING, "curl", 0,
     "S3 client: curl (Signature V4, multipart, session tokens) or libs3 (Signature V2 only).",
     "curl,libs3", 0, 0},
    {"aws.access.key.id", CW_CFG_STRING, NULL, 0,
     "Access key id; unset: AWS_ACCESS_KEY_ID, the shared credentials file, web identity (EKS "
     "IRSA), container credentials, then EC2 instance metadata.",
     NULL, 0, 0},
    {"aws.secret.access.key", CW_CFG_STRING, NULL, CW_CFG_F_SECRET, "Secret access key.", NULL, 0,
     0},
    {"aws.session.token", CW_CFG_STRING, NULL, CW_CFG_F_SECRET,
     "Session token of temporary credentials (curl client only).", NULL, 0, 0},
    {"s3.credentials.provider.class", CW_CFG_STRING, NULL, 0,
     "Unset or com.amazonaws.auth.DefaultAWSCredentialsProviderChain: the credential chain; "
     "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider: STS AssumeRole with "
     "s3.credentials.provider.sts.role.* (assumed with aws.access.key.id/secret when set, else "
     "with the chain; assumed again before the credentials expire; curl client only).",
     NULL, 0, 0},
    {"s3.credentials.provider.sts.role.arn", CW_CFG_STRING, NULL, 0,
     "AssumeRole: the role ARN (alias: sts.role.arn).", NULL, 0, 0},
    {"s3.credentials.provider.sts.role.session.name", CW_CFG_STRING, NULL, 0,
     "AssumeRole: the role session name (alias: sts.role.session.name).", NULL, 0, 0},
    {"s3.credentials.provider.sts.role.external.id", CW_CFG_STRING, NULL, 0,
     "AssumeRole: the external id, if the role's trust policy wants one (alias: "
     "sts.role.external.id).",
     NULL, 0, 0},
    {"s3.credentials.provider.sts.region", CW_CFG_STRING, NULL, 0,
     "AssumeRole: the region of the STS endpoint (alias: sts.region); unset: AWS_REGION, else "
     "the global endpoint. AWS_ENDPOINT_URL_STS overrides the endpoint.",
     NULL, 0, 0},
    {"sts.role.arn", CW_CFG_STRING, NULL, 0, "Alias of s3.credentials.provider.sts.role.arn.", NULL,
     0, 0},
    {"sts.region", CW_CFG_STRING, NULL, 0, "Alias of s3.credentials.provider.sts.region.", NULL, 0,
     0},
    {"sts.role.session.name", CW_CFG_STRING, NULL, 0,
     "Alias of s3.credentials.provider.sts.role.session.name.", NULL, 0, 0},
    {"sts.role.external.id", CW_CFG_STRING, NULL, 0,
     "Alias of s3.credentials.provider.sts.role.external.id.", NULL, 0, 0},
    {"storage.class", CW_CFG_STRING, "io.confluent.connect.s3.storage.S3Storage", 0,
     "Accepted for compatibility; only S3Storage exists.",
     "io.confluent.connect.s3.storage.S3Storage,S3Storage", 0, 0},
    {"schema.compatibility", CW_CFG_STRING, "NONE", 0,
     "Accepted for compatibility; schemaless records make only NONE meaningful.",
     "NONE,BACKWARD,FORWARD,FULL", 0, 0},
    /* Confluent's Hive keys (storage-common's HiveConfig): see s3_config_hive.c. */
    {"hive.integration", CW_CFG_BOOL, "false", 0,
     "Refused when true: no Hive metastore client here (define the table over topics.dir "
     "yourself, e.g. in Glue or Athena).",
     NULL, 0, 0},
    {"hive.metastore.uris", CW_CFG_STRING, "", 0,
     "Accepted; no effect (warned when set): Hive integration is not supported.", NULL, 0, 0},
    {"hive.conf.dir", CW_CFG_STRING, "", 0, "Accepted; no effect (warned when set).", NULL, 0, 0},
    {"hive.home", CW_CFG_STRING, "", 0, "Accepted; no effect (warned when set).", NULL, 0, 0},
    {"hive.database", CW_CFG_STRING, "default", 0, "Accepted; no effect (warned when set).", NULL,
     0, 0},
    {"hive.logical.types.enabled", CW_CFG_BOOL, "true", 0, "Accepted; no effect (warned when set).",
     NULL, 0, 0},
    {"schema.generator.class", CW_CFG_STRING, "", 0,
     "Accepted; no effect (warned when set): Confluent uses it only for Hive tables.", NULL, 0, 0},
    /* Confluent keys of features this sink does not have: see compat_keys. */
    {"s3.object.tagging", CW_CFG_BOOL, "false", 0, "Refused when true: objects are not tagged.",
     NULL, 0, 0},
    {"s3.object.tagging.key.value.pairs", CW_CFG_STRING, "", 0,
     "Refused when set: objects are not tagged.", NULL, 0, 0},
    {"s3.object.behavior.on.tagging.error", CW_CFG_STRING, "ignore", 0,
     "Accepted: no tagging, so no tagging errors.", "ignore,fail", 0, 0},
    {"s3.wan.mode", CW_CFG_BOOL, "false", 0,
     "Refused when true: set store.url to the accelerate endpoint instead.", NULL, 0, 0},
    {"s3.proxy.url", CW_CFG_STRING, "", 0,
     "Refused when set: set https_proxy (and no_proxy) in the worker's environment.", NULL, 0, 0},
    {"s3.proxy.user", CW_CFG_STRING, "", 0, "Refused when set: see s3.proxy.url.", NULL, 0, 0},
    {"s3.proxy.password", CW_CFG_STRING, "", CW_CFG_F_SECRET, "Refused when set: see s3.proxy.url.",
     NULL, 0, 0},
    {"s3.schema.partition.affix.type", CW_CFG_STRING, "NONE", 0,
     "Refused unless NONE: schemaless records have no schema name.", NULL, 0, 0},
    {"s3.send.digest", CW_CFG_BOOL, "false", 0,
     "Accepted; every request body is already covered by its SigV4 SHA-256 payload hash (logged "
     "when true).",
     NULL, 0, 0},
    {"s3.http.send.expect.continue", CW_CFG_BOOL, "true", 0,
     "Accepted; libcurl decides (it sends Expect: 100-continue for large bodies).", NULL, 0, 0},
    {"s3.elastic.buffer.enable", CW_CFG_BOOL, "false", 0,
     "Accepted; buffers always grow with the object (see Memory).", NULL, 0, 0},
    {"s3.elastic.buffer.init.capacity", CW_CFG_INT, "131072", 0,
     "Accepted; see s3.elastic.buffer.enable.", NULL, 4096, 2147483647},
    {"json.decimal.format", CW_CFG_STRING, "BASE64", 0,
     "Accepted; decimals are written as the value converter gives them (its decimal.format "
     "decides; logged when NUMERIC).",
     "BASE64,NUMERIC", 0, 0},
    {"shutdown.timeout.ms", CW_CFG_INT, "3000", 0,
     "Accepted; stop waits for the uploads of the open objects (see Delivery guarantee).", NULL, 0,
     0},
    {"retry.backoff.ms", CW_CFG_INT, "5000", 0,
     "Accepted; the worker's retry and s3.retry.backoff.ms apply.", NULL, 0, 0},
    {"avro.codec", CW_CFG_STRING, "null", 0,
     "Accepted; no Avro output (format.class refuses AvroFormat).", NULL, 0, 0},
    {"parquet.codec", CW_CFG_STRING, "snappy", 0,
     "Accepted; no Parquet output (format.class refuses ParquetFormat).", NULL, 0, 0},
    {"enhanced.avro.schema.support", CW_CFG_BOOL, "false", 0, "Accepted; no Avro output.", NULL, 0,
     0},
    {"connect.meta.data", CW_CFG_BOOL, "true", 0, "Accepted; no Avro output.", NULL, 0, 0},
    {"schema.cache.size", CW_CFG_INT, "1000", 0, "Accepted; no schemas are cached.", NULL, 0, 0},
    CW_CONFIG_END,
};

/* Keys of Confluent features this sink does not have: refused when they ask for the
 * feature, with the reason, rather than ignored. */
static void compat_keys(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v) {
    static const struct {
        const char *key, *reason;
    } refuse_set[] = {
        {"s3.object.tagging.key.value.pairs", "objects are not tagged"},
        {"s3.proxy.url",
         "set https_proxy (and no_proxy) in the worker's environment: libcurl uses it"},
        {"s3.proxy.user", "put the user in https_proxy (see s3.proxy.url)"},
        {"s3.proxy.password", "put the password in https_proxy (see s3.proxy.url)"},
    };
    for (size_t i = 0; i < sizeof refuse_set / sizeof *refuse_set; i++) {
        const char *val = h->config_get(cfg, refuse_set[i].key);
        if (val && *val)
            h->validation_error(v, refuse_set[i].key, "is not supported: %s", refuse_set[i].reason);
    }
    if (h->config_get_bool(cfg, "s3.object.tagging", 0))
        h->validation_error(v, "s3.object.tagging",
                            "true is not supported: objects are not tagged");
    if (h->config_get_bool(cfg, "s3.wan.mode", 0))
        h->validation_error(v, "s3.wan.mode",
                            "true is not supported: set store.url to "
                            "https://s3-accelerate.amazonaws.com (virtual-host style) instead");
    const char *affix = h->config_get(cfg, "s3.schema.partition.affix.type");
    if (affix && strcasecmp(affix, "NONE"))
        h->validation_error(v, "s3.schema.partition.affix.type",
                            "'%s' is not supported: "
                            "schemaless records have no schema name (only NONE)",
                            affix);
}

static char *sdup(const char *s) { return strdup(s ? s : ""); }

/* keys.format.class / headers.format.class: JsonFormat or (keys only) ByteArrayFormat; any
 * other Confluent format (Avro, Parquet, CSV...) is refused rather than replaced. Unset
 * gives JsonFormat: *unset says so, for the start-time log line. */
static s3_format_t side_format(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                               const char *key, int bytes_ok, int *unset) {
    const char *cls = h->config_get(cfg, key);
    *unset = !cls || !*cls;
    if (*unset) return S3_FMT_JSON;
    const char *dot = strrchr(cls, '.'), *name = dot ? dot + 1 : cls;
    if (!strcmp(name, "JsonFormat")) return S3_FMT_JSON;
    if (!strcmp(name, "ByteArrayFormat") && bytes_ok) return S3_FMT_BYTEARRAY;
    if (!strcmp(name, "ByteArrayFormat"))
        h->validation_error(v, key,
                            "'%s': headers are not bytes (Confluent fails such records "
                            "at write); use JsonFormat",
                            cls);
    else
        h->validation_error(v, key, "'%s' is not supported: use JsonFormat%s", cls,
                            bytes_ok ? " or ByteArrayFormat" : "");
    return S3_FMT_JSON;
}

static const char *short_class(const char *cls) {
    const char *dot = strrchr(cls, '.');
    return dot ? dot + 1 : cls;
}

/* The partitioner keys: FieldPartitioner needs fields, TimeBasedPartitioner a pattern and a
 * positive duration; Daily and Hourly fix both. */
static void partitioner_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                              s3_settings_t *s) {
    const char *pc = short_class(h->config_get(cfg, "partitioner.class"));
    s->path_format = sdup(h->config_get(cfg, "path.format"));
    s->partition_duration_ms = h->config_get_int(cfg, "partition.duration.ms", 0);
    if (!strcmp(pc, "FieldPartitioner")) {
        s->partitioner = S3_PART_FIELD;
        size_t n = 0;
        const char *const *list = h->config_get_list(cfg, "partition.field.name", &n);
        if (!list || n == 0)
            h->validation_error(v, "partition.field.name",
                                "must name at least one field for FieldPartitioner");
        s->fields = calloc(n + 1, sizeof *s->fields);
        for (size_t i = 0; s->fields && i < n; i++) s->fields[s->nfields++] = strdup(list[i]);
        return;
    }
    if (!strcmp(pc, "DefaultPartitioner")) {
        s->partitioner = S3_PART_DEFAULT;
        return;
    }
    s->partitioner = S3_PART_TIME;
    if (!strcmp(pc, "DailyPartitioner")) {
        free(s->path_format);
        s->path_format = strdup("'year'=YYYY/'month'=MM/'day'=dd");
        s->partition_duration_ms = 86400000;
    } else if (!strcmp(pc, "HourlyPartitioner")) {
        free(s->path_format);
        s->path_format = strdup("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
        s->partition_duration_ms = 3600000;
    } else {
        if (!*s->path_format)
            h->validation_error(v, "path.format", "is required for TimeBasedPartitioner");
        if (s->partition_duration_ms <= 0)
            h->validation_error(v, "partition.duration.ms",
                                "must be positive for TimeBasedPartitioner");
    }
    /* Confluent drops one trailing delimiter (a key with "//" is refused by S3). */
    size_t pl = strlen(s->path_format), dl = strlen(s->dir_delim);
    if (dl && pl >= dl && !strcmp(s->path_format + pl - dl, s->dir_delim))
        s->path_format[pl - dl] = '\0';
    char probe[256], perr[200];
    if (*s->path_format &&
        s3_joda_format(s->path_format, 0, probe, sizeof probe, perr, sizeof perr) != 0)
        h->validation_error(v, "path.format", "'%s': %s", s->path_format, perr);
}

/* Time: the time zone of partitions and scheduled rotation, and where time comes from. */
static void time_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                       s3_settings_t *s) {
    const char *tz = h->config_get(cfg, "timezone");
    s->timezone = sdup(tz); /* empty: UTC (s3_zone_load) */
    char zerr[256];
    s->zone = s3_zone_load(s->timezone, zerr, sizeof zerr);
    if (!s->zone) h->validation_error(v, "timezone", "'%s': %s", s->timezone, zerr);
    s->ts_field = sdup(h->config_get(cfg, "timestamp.field"));
    /* Confluent takes Record, RecordField, Wallclock, or a class name: its own
     * TimeBasedPartitioner$<name>TimestampExtractor classes are these three. */
    const char *full = h->config_get(cfg, "timestamp.extractor");
    const char *ex = short_class(full), *dollar = strrchr(ex, '$');
    char name[64];
    snprintf(name, sizeof name, "%s", dollar ? dollar + 1 : ex);
    size_t nl = strlen(name), sl = strlen("TimestampExtractor");
    if (nl > sl && !strcmp(name + nl - sl, "TimestampExtractor")) name[nl - sl] = '\0';
    s->ts_extractor = S3_TS_WALLCLOCK;
    if (!strcasecmp(name, "Record"))
        s->ts_extractor = S3_TS_RECORD;
    else if (!strcasecmp(name, "RecordField"))
        s->ts_extractor = S3_TS_FIELD;
    else if (strcasecmp(name, "Wallclock"))
        h->validation_error(v, "timestamp.extractor",
                            "'%s' is not Record, RecordField, Wallclock "
                            "or one of Confluent's TimestampExtractor classes of these (custom "
                            "extractor classes cannot run here)",
                            full);
}

/* s3.credentials.provider.class: the chain, or Confluent's AssumeRole provider with its
 * sts.role.* keys (Confluent reads them with the s3.credentials.provider. prefix; the bare
 * names are accepted too). */
static const char *prov_get(const cw_host_t *h, const cw_config_t *cfg, const char *name) {
    char key[96];
    snprintf(key, sizeof key, "s3.credentials.provider.%s", name);
    const char *v = h->config_get(cfg, key);
    if (!v || !*v) v = h->config_get(cfg, name);
    return v && *v ? v : NULL;
}

static void provider_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                           s3_settings_t *s) {
    const char *cls = h->config_get(cfg, "s3.credentials.provider.class");
    const char *name = cls && *cls ? short_class(cls) : "DefaultAWSCredentialsProviderChain";
    s->sts_role_arn = prov_get(h, cfg, "sts.role.arn");
    s->sts_session_name = prov_get(h, cfg, "sts.role.session.name");
    s->sts_external_id = prov_get(h, cfg, "sts.role.external.id");
    s->sts_region = prov_get(h, cfg, "sts.region");
    if (!strcmp(name, "DefaultAWSCredentialsProviderChain")) {
        if (s->sts_role_arn)
            h->validation_error(v, "s3.credentials.provider.sts.role.arn",
                                "is only read with "
                                "s3.credentials.provider.class=io.confluent.connect.s3.auth."
                                "AwsAssumeRoleCredentialsProvider");
        return;
    }
    if (strcmp(name, "AwsAssumeRoleCredentialsProvider")) {
        h->validation_error(v, "s3.credentials.provider.class",
                            "'%s' is not supported: "
                            "DefaultAWSCredentialsProviderChain (the chain, also when unset) or "
                            "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider",
                            cls);
        return;
    }
    s->assume_role = 1;
    if (!s->sts_role_arn || strncmp(s->sts_role_arn, "arn:", 4))
        h->validation_error(v, "s3.credentials.provider.sts.role.arn",
                            "must be a role ARN (arn:aws:iam::<account>:role/<name>) for "
                            "AwsAssumeRoleCredentialsProvider");
    if (!s->sts_session_name)
        h->validation_error(v, "s3.credentials.provider.sts.role.session.name",
                            "is required by AwsAssumeRoleCredentialsProvider");
    else if (strlen(s->sts_session_name) < 2 || strlen(s->sts_session_name) > 64 ||
             strspn(s->sts_session_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789+=,.@-_") != strlen(s->sts_session_name))
        h->validation_error(v, "s3.credentials.provider.sts.role.session.name",
                            "'%s' is not a valid STS session name (2-64 of [\\w+=,.@-])",
                            s->sts_session_name);
    if (s->sts_external_id && (strlen(s->sts_external_id) < 2 || strlen(s->sts_external_id) > 1224))
        h->validation_error(v, "s3.credentials.provider.sts.role.external.id",
                            "must be 2 to 1224 characters");
    if (s->sts_region && !cw_sdk_aws_region_valid(s->sts_region))
        h->validation_error(v, "s3.credentials.provider.sts.region", "'%s' is no AWS region name",
                            s->sts_region);
    /* Assumed credentials always carry a session token, which libs3 cannot send. */
    if (s->use_libs3)
        h->validation_error(v, "s3.client",
                            "libs3 cannot send the session token of the credentials "
                            "AwsAssumeRoleCredentialsProvider assumes; use s3.client=curl");
}

/* Where objects go and how they are named. */
static void store_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                        s3_settings_t *s) {
    s->bucket = sdup(h->config_get(cfg, "s3.bucket.name"));
    if (!*s->bucket) h->validation_error(v, "s3.bucket.name", "must not be empty");
    s->region = sdup(h->config_get(cfg, "s3.region"));
    const char *url = h->config_get(cfg, "store.url");
    s->path_style = h->config_get_bool(cfg, "s3.path.style.access.enabled", 0);
    if (url && *url) {
        if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
            h->validation_error(v, "store.url", "'%s' must start with http:// or https://", url);
        s->endpoint = strdup(url);
    } else {
        char ep[256];
        snprintf(ep, sizeof ep, "https://s3.%s.amazonaws.com", s->region);
        s->endpoint = strdup(ep);
    }
    s->topics_dir = sdup(h->config_get(cfg, "topics.dir"));
    s->dir_delim = sdup(h->config_get(cfg, "directory.delim"));
    s->file_delim = sdup(h->config_get(cfg, "file.delim"));
    s->zero_pad = (int)h->config_get_int(cfg, "filename.offset.zero.pad.width", 0);
    s->sse_algorithm = sdup(h->config_get(cfg, "s3.ssea.name"));
    /* S3 refuses any other value at the first upload; its spelling is case-sensitive. */
    if (*s->sse_algorithm && strcmp(s->sse_algorithm, "AES256") &&
        strcmp(s->sse_algorithm, "aws:kms") && strcmp(s->sse_algorithm, "aws:kms:dsse"))
        h->validation_error(v, "s3.ssea.name",
                            "'%s' is not one of AES256, aws:kms, "
                            "aws:kms:dsse (or empty: none)",
                            s->sse_algorithm);
    s->sse_kms_key_id = sdup(h->config_get(cfg, "s3.sse.kms.key.id"));
    s->conditional_writes = h->config_get_bool(cfg, "s3.conditional.writes.enabled", 0);
    const char *oc = h->config_get(cfg, "s3.object.behavior.on.conflict");
    s->on_conflict = !strcasecmp(oc, "rename")      ? S3_CONFLICT_RENAME
                     : !strcasecmp(oc, "overwrite") ? S3_CONFLICT_OVERWRITE
                                                    : S3_CONFLICT_FAIL;
    s->use_libs3 = !strcasecmp(h->config_get(cfg, "s3.client"), "libs3");
    const char *acl = h->config_get(cfg, "s3.acl.canned");
    s->acl_canned = acl && *acl ? strdup(acl) : NULL;
    s->cfg_sse_customer_key = h->config_get(cfg, "s3.sse.customer.key");
    if (s->cfg_sse_customer_key && !*s->cfg_sse_customer_key) s->cfg_sse_customer_key = NULL;
    /* Confluent uses the customer key only with s3.ssea.name=AES256 and ignores it
     * otherwise: refused here rather than ignored. */
    if (s->cfg_sse_customer_key && strcmp(s->sse_algorithm, "AES256"))
        h->validation_error(v, "s3.sse.customer.key", "needs s3.ssea.name=AES256 (SSE-C)");
    if (s->cfg_sse_customer_key && !s3_ssec_key_ok(s->cfg_sse_customer_key))
        h->validation_error(v, "s3.sse.customer.key", "is not the base64 of a 256-bit key");
    if (s->use_libs3 && (s->cfg_sse_customer_key || s->acl_canned))
        h->validation_error(v, s->acl_canned ? "s3.acl.canned" : "s3.sse.customer.key",
                            "needs s3.client=curl");
    s->cfg_access_key = h->config_get(cfg, "aws.access.key.id");
    s->cfg_secret_key = h->config_get(cfg, "aws.secret.access.key");
    s->cfg_session_token = h->config_get(cfg, "aws.session.token");
    provider_parse(h, cfg, v, s);
    const char *why = s3_credentials_config_problem(s->cfg_access_key, s->cfg_secret_key);
    if (why) h->validation_error(v, "aws.secret.access.key", "%s", why);
}

void s3_settings_parse(const cw_host_t *h, const cw_config_t *cfg, cw_validation_t *v,
                       s3_settings_t *s) {
    memset(s, 0, sizeof *s);
    store_parse(h, cfg, v, s);
    s->flush_size = h->config_get_int(cfg, "flush.size", 0);
    if (s->flush_size < 1) h->validation_error(v, "flush.size", "must be at least 1");
    s->rotate_interval_ms = h->config_get_int(cfg, "rotate.interval.ms", 0);
    s->rotate_schedule_ms = h->config_get_int(cfg, "rotate.schedule.interval.ms", 0);
    const char *fmt = short_class(h->config_get(cfg, "format.class"));
    s->format = !strcmp(fmt, "ByteArrayFormat") ? S3_FMT_BYTEARRAY : S3_FMT_JSON;
    s->bytearray_separator = sdup(h->config_get(cfg, "format.bytearray.separator"));
    s->separator_len = strlen(s->bytearray_separator);
    s->bytearray_extension = sdup(h->config_get(cfg, "format.bytearray.extension"));
    const char *comp = h->config_get(cfg, "s3.compression.type");
    s->compression = !strcasecmp(comp, "gzip")   ? S3_COMP_GZIP
                     : !strcasecmp(comp, "zstd") ? S3_COMP_ZSTD
                                                 : S3_COMP_NONE;
    s->compression_level = (int)h->config_get_int(cfg, "s3.compression.level", 0);
    s->part_size = h->config_get_int(cfg, "s3.part.size", 0);
    const char *onnull = h->config_get(cfg, "behavior.on.null.values");
    s->on_null = !strcasecmp(onnull, "ignore")  ? S3_NULL_IGNORE
                 : !strcasecmp(onnull, "write") ? S3_NULL_WRITE
                                                : S3_NULL_FAIL;
    s->store_keys = h->config_get_bool(cfg, "store.kafka.keys", 0);
    s->store_headers = h->config_get_bool(cfg, "store.kafka.headers", 0);
    s->key_format = side_format(h, cfg, v, "keys.format.class", 1, &s->keys_format_unset);
    (void)side_format(h, cfg, v, "headers.format.class", 0, &s->headers_format_unset);
    s->retry_backoff_ms = h->config_get_int(cfg, "s3.retry.backoff.ms", 0);
    s->part_retries = (int)h->config_get_int(cfg, "s3.part.retries", 0);
    s->upload_threads = (int)h->config_get_int(cfg, "s3.upload.threads", 0);
    s->upload_queue_bytes = h->config_get_int(cfg, "s3.upload.queue.max.bytes", 0);
    s->max_open_files = (int)h->config_get_int(cfg, "partitioner.max.open.files", 0);
    if (s->max_open_files == 0)
        h->validation_error(v, "partitioner.max.open.files", "must be -1 (unlimited) or positive");
    s->rotate_on_partition_change = h->config_get_bool(cfg, "rotate.file.on.partition.change", 0);
    s->tombstone_partition = sdup(h->config_get(cfg, "tombstone.encoded.partition"));
    if (s->on_null == S3_NULL_WRITE && !s->store_keys)
        h->validation_error(v, "behavior.on.null.values",
                            "'write' writes the keys of null-valued records: it needs "
                            "store.kafka.keys=true (as Confluent)");
    if (s->on_null == S3_NULL_WRITE && !*s->tombstone_partition)
        h->validation_error(v, "tombstone.encoded.partition", "must not be empty");
    time_parse(h, cfg, v, s);
    partitioner_parse(h, cfg, v, s);
    compat_keys(h, cfg, v);
    s->send_digest = h->config_get_bool(cfg, "s3.send.digest", 0);
    const char *dec = h->config_get(cfg, "json.decimal.format");
    s->decimal_numeric = dec && !strcasecmp(dec, "NUMERIC");
}

int s3_settings_load(const cw_host_t *h, const cw_config_t *cfg, s3_settings_t *s, char *errstr,
                     size_t errstr_size) {
    cw_validation_t *v = h->validation_begin();
    s3_settings_parse(h, cfg, v, s);
    if (h->validation_end(v, errstr, errstr_size)) {
        s3_settings_free(s);
        return CW_ERR_CONFIG;
    }
    return CW_OK;
}

const cw_host_t *s3_host;

void s3_settings_validate(cw_ctx_t *ctx, const cw_config_t *cfg, cw_validation_t *v) {
    s3_hive_check(s3_host, ctx, cfg, v);
    s3_settings_t s;
    s3_settings_parse(s3_host, cfg, v, &s);
    s3_settings_free(&s);
}

void s3_settings_free(s3_settings_t *s) {
    free(s->bucket);
    free(s->region);
    free(s->endpoint);
    free(s->topics_dir);
    free(s->dir_delim);
    free(s->file_delim);
    free(s->bytearray_separator);
    free(s->bytearray_extension);
    free(s->sse_algorithm);
    free(s->sse_kms_key_id);
    free(s->acl_canned);
    for (size_t i = 0; i < s->nfields; i++) free(s->fields[i]);
    free(s->fields);
    free(s->path_format);
    free(s->ts_field);
    free(s->tombstone_partition);
    free(s->timezone);
    s3_zone_free(s->zone);
    memset(s, 0, sizeof *s);
}
