/* The worker's and every connector's own keys (Kafka Connect names and defaults). */
#include "worker.h"
#include "rest/rest_config.h"
#include "distributed/dist_defs.h"

#define CONVERTERS                                                                                 \
    "org.apache.kafka.connect.json.JsonConverter,JsonConverter,json,"                              \
    "org.apache.kafka.connect.storage.StringConverter,StringConverter,string,"                     \
    "org.apache.kafka.connect.converters.ByteArrayConverter,ByteArrayConverter,bytes"

/* JsonConverterConfig's decimal.format values. */
#define DECIMAL_FORMATS "BASE64,NUMERIC"

const cw_config_def_t cw_worker_defs[] = {
    {"bootstrap.servers", CW_CFG_LIST, "localhost:9092", 0,
     "Kafka brokers (host:port, comma-separated). Ignored when embedded.kafka.enable=true.", NULL,
     0, 0},
    {"plugin.path", CW_CFG_LIST, NULL, 0,
     "Directories with plugin shared objects (each *.so in the directory and in its "
     "immediate subdirectories), loaded after the bundled plugins.",
     NULL, 0, 0},
    {"offset.storage.file.filename", CW_CFG_STRING, "/tmp/connect.offsets", 0,
     "File keeping the source connectors' offsets (JSON, replaced atomically), unless "
     "offset.storage.topic is set.",
     NULL, 0, 0},
    {"offset.storage.topic", CW_CFG_STRING, NULL, 0,
     "Topic keeping the source connectors' offsets in Kafka Connect's format (instead of "
     "offset.storage.file.filename): read at start, written at every offset flush; shared "
     "with Kafka Connect / MSK Connect workers using the same topic. Created compacted when "
     "missing.",
     NULL, 0, 0},
    {"offset.storage.partitions", CW_CFG_INT, "25", 0,
     "Partitions of offset.storage.topic when the worker creates it (-1: the broker's "
     "default).",
     NULL, -1, 100000},
    {"offset.storage.replication.factor", CW_CFG_INT, "3", 0,
     "Replication factor of offset.storage.topic when the worker creates it (-1: the "
     "broker's default).",
     NULL, -1, 32767},
    {"config.storage.topic", CW_CFG_STRING, NULL, 0,
     "Distributed mode (required there; a standalone worker ignores it): the topic of "
     "connector and task configurations, exactly one partition.",
     NULL, 0, 0},
    {"config.storage.replication.factor", CW_CFG_INT, "3", 0,
     "Replication factor of config.storage.topic when the worker creates it (-1: the "
     "broker's default).",
     NULL, -1, 32767},
    {"status.storage.topic", CW_CFG_STRING, NULL, 0,
     "Distributed mode (required there; a standalone worker ignores it): the topic of "
     "connector and task statuses.",
     NULL, 0, 0},
    {"status.storage.partitions", CW_CFG_INT, "5", 0,
     "Partitions of status.storage.topic when the worker creates it (-1: the broker's "
     "default).",
     NULL, -1, 100000},
    {"status.storage.replication.factor", CW_CFG_INT, "3", 0,
     "Replication factor of status.storage.topic when the worker creates it (-1: the "
     "broker's default).",
     NULL, -1, 32767},
    {"offset.flush.interval.ms", CW_CFG_INT, "60000", 0,
     "How often source offsets are written and sink offsets flushed and committed.", NULL, 1,
     86400000},
    {"offset.flush.timeout.ms", CW_CFG_INT, "5000", 0,
     "How long to wait for outstanding records to be acknowledged when flushing offsets or "
     "stopping.",
     NULL, 1, 3600000},
    {"key.converter", CW_CFG_STRING, "org.apache.kafka.connect.json.JsonConverter", 0,
     "Converter between Kafka bytes and record keys (connectors may override).", CONVERTERS, 0, 0},
    {"value.converter", CW_CFG_STRING, "org.apache.kafka.connect.json.JsonConverter", 0,
     "Converter between Kafka bytes and record values (connectors may override).", CONVERTERS, 0,
     0},
    {"key.converter.schemas.enable", CW_CFG_BOOL, "true", 0,
     "JsonConverter: keys use the {\"schema\":...,\"payload\":...} envelope.", NULL, 0, 0},
    {"value.converter.schemas.enable", CW_CFG_BOOL, "true", 0,
     "JsonConverter: values use the {\"schema\":...,\"payload\":...} envelope.", NULL, 0, 0},
    {"key.converter.decimal.format", CW_CFG_STRING, "BASE64", 0,
     "JsonConverter: how Connect Decimal keys are written, BASE64 (the unscaled value's "
     "bytes) or NUMERIC (a JSON number); reading accepts both. Passed to the connectors "
     "that do not override key.converter (sources that write Decimals read it).",
     DECIMAL_FORMATS, 0, 0},
    {"value.converter.decimal.format", CW_CFG_STRING, "BASE64", 0,
     "JsonConverter: how Connect Decimal values are written, BASE64 or NUMERIC (see "
     "key.converter.decimal.format).",
     DECIMAL_FORMATS, 0, 0},
    {"task.shutdown.graceful.timeout.ms", CW_CFG_INT, "5000", 0,
     "On SIGINT/SIGTERM, how long tasks get to flush and commit before the worker exits "
     "anyway (exit code 5).",
     NULL, 0, 3600000},
    {"consumer.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX,
     "consumer.<property>: any librdkafka consumer property for sink tasks (SASL, TLS, ...).", NULL,
     0, 0},
    {"producer.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX,
     "producer.<property>: any librdkafka producer property for source tasks and dead "
     "letter queues.",
     NULL, 0, 0},
    {"admin.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX,
     "admin.<property>: any librdkafka property for the client that creates and checks the "
     "internal topics.",
     NULL, 0, 0},
    {"log.level", CW_CFG_STRING, "info", 0, "Log level (--log-level overrides it).",
     "error,warn,info,debug,trace", 0, 0},
    {"embedded.kafka.enable", CW_CFG_BOOL, "false", 0,
     "Start librdkafka's mock cluster inside the worker and use it instead of "
     "bootstrap.servers. For trying things only: keeps about 5 MiB per partition, nothing on "
     "disk.",
     NULL, 0, 0},
    {"embedded.kafka.brokers", CW_CFG_INT, "1", 0, "Number of brokers of the embedded cluster.",
     NULL, 1, 9},
    {"embedded.kafka.topics", CW_CFG_LIST, "", 0,
     "Topics to create in the embedded cluster at start, as name:partitions (other topics "
     "are auto-created with the mock cluster's default of 4 partitions).",
     NULL, 0, 0},
    {"config.storage.file.filename", CW_CFG_STRING, NULL, 0,
     "Beyond Kafka's standalone mode: a file where connectors created or changed through the "
     "REST API are kept (written atomically, mode 0600) and recreated from at start. Unset: "
     "they are forgotten at exit, as in Kafka.",
     NULL, 0, 0},
    /* The REST API's keys (Kafka's listeners, rest.*, listeners.https.ssl.* ...). */
    CW_REST_WORKER_DEFS, /* rest/rest_config.h */
    CW_DIST_WORKER_DEFS, /* distributed/dist_defs.h */
    CW_CONFIG_END};

const cw_config_def_t cw_connector_defs[] = {
    {"name", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "Unique connector name; sink tasks consume in group connect-<name>, source offsets are "
     "stored under it.",
     NULL, 0, 0},
    {"connector.class", CW_CFG_STRING, NULL, CW_CFG_F_REQUIRED,
     "Plugin short name or Kafka Connect class name (see --list-plugins).", NULL, 0, 0},
    {"tasks.max", CW_CFG_INT, "1", 0, "Maximum number of tasks (threads) of the connector.", NULL,
     1, 1024},
    {"topics", CW_CFG_LIST, NULL, 0, "Sink connectors: topics to consume (comma-separated).", NULL,
     0, 0},
    {"topics.regex", CW_CFG_STRING, NULL, 0,
     "Sink connectors: consume every topic matching this regular expression (instead of "
     "topics).",
     NULL, 0, 0},
    {"key.converter", CW_CFG_STRING, NULL, 0, "Overrides the worker's key.converter.", CONVERTERS,
     0, 0},
    {"value.converter", CW_CFG_STRING, NULL, 0, "Overrides the worker's value.converter.",
     CONVERTERS, 0, 0},
    {"key.converter.schemas.enable", CW_CFG_BOOL, "true", 0,
     "With a key.converter override: JSON envelope on or off (without an override the "
     "worker's key.converter.schemas.enable applies).",
     NULL, 0, 0},
    {"value.converter.schemas.enable", CW_CFG_BOOL, "true", 0,
     "With a value.converter override: JSON envelope on or off (without an override the "
     "worker's value.converter.schemas.enable applies).",
     NULL, 0, 0},
    {"key.converter.decimal.format", CW_CFG_STRING, NULL, 0,
     "JsonConverter's Decimal form, BASE64 or NUMERIC; without it (and without a "
     "key.converter override) the worker's key.converter.decimal.format applies.",
     DECIMAL_FORMATS, 0, 0},
    {"value.converter.decimal.format", CW_CFG_STRING, NULL, 0,
     "JsonConverter's Decimal form, BASE64 or NUMERIC; without it (and without a "
     "value.converter override) the worker's value.converter.decimal.format applies.",
     DECIMAL_FORMATS, 0, 0},
    {"header.converter", CW_CFG_STRING, NULL, 0,
     "Accepted for compatibility; headers pass through as bytes.", NULL, 0, 0},
    {"transforms", CW_CFG_LIST, NULL, 0,
     "Aliases of the transforms applied in order; each configured with "
     "transforms.<alias>.type and transforms.<alias>.<key>.",
     NULL, 0, 0},
    {"transforms.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX,
     "transforms.<alias>.type, .predicate, .negate and the transform's own keys.", NULL, 0, 0},
    {"predicates", CW_CFG_LIST, NULL, 0,
     "Aliases of predicates referenced by transforms.<alias>.predicate.", NULL, 0, 0},
    {"predicates.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX,
     "predicates.<alias>.type and the predicate's own keys.", NULL, 0, 0},
    {"producer.override.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX,
     "producer.override.<property>: librdkafka producer property for this connector only.", NULL, 0,
     0},
    {"consumer.override.", CW_CFG_STRING, NULL, CW_CFG_F_PREFIX,
     "consumer.override.<property>: librdkafka consumer property for this connector only.", NULL, 0,
     0},
    /* Beyond Kafka Connect: failed tasks restart themselves (herder_restart.c). */
    {"errors.restart.policy", CW_CFG_STRING, "none", 0,
     "always: a FAILED task is restarted automatically with exponential backoff; none: it "
     "stays FAILED until restarted through the REST API (Kafka Connect's behaviour).",
     "none,always", 0, 0},
    {"errors.restart.initial.backoff.ms", CW_CFG_INT, "1000", 0,
     "Delay before the first automatic restart; doubled after each one.", NULL, 1, 86400000},
    {"errors.restart.max.backoff.ms", CW_CFG_INT, "60000", 0,
     "Cap of the delay between automatic restarts.", NULL, 1, 86400000},
    {"errors.restart.max.restarts", CW_CFG_INT, "-1", 0,
     "Automatic restarts in a row before the task is left FAILED (-1: no limit).", NULL, -1,
     2147483647},
    {"errors.restart.healthy.ms", CW_CFG_INT, "300000", 0,
     "A task running this long since its last start counts as healthy: its restart count and "
     "backoff are reset.",
     NULL, 0, 86400000},
    CW_CONFIG_END};
