/* The transform modules as the worker sees them: loaded through the worker's registry
 * (libltdl, ABI and struct-size checks, init), every Kafka Connect class name resolving to
 * its plugin, and the transforms/predicates block of connectors/pinterest-s3-sink.properties
 * validated against the plugins' key tables (no error, no unknown key; a misspelt key is
 * reported as unknown).
 *   transforms-registry PLUGIN_DIR CONNECTOR.properties */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "props.h"
#include "host.h"
#include "registry.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL: ");                                                             \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static const char *const classes[] = {"ReplaceField$Key",
                                      "ReplaceField$Value",
                                      "Cast$Key",
                                      "Cast$Value",
                                      "InsertField$Key",
                                      "InsertField$Value",
                                      "MaskField$Key",
                                      "MaskField$Value",
                                      "ValueToKey",
                                      "ExtractField$Key",
                                      "ExtractField$Value",
                                      "HoistField$Key",
                                      "HoistField$Value",
                                      "Flatten$Key",
                                      "Flatten$Value",
                                      "TimestampConverter$Key",
                                      "TimestampConverter$Value",
                                      "RegexRouter",
                                      "TimestampRouter",
                                      "InsertHeader",
                                      "DropHeaders",
                                      "HeaderFrom$Key",
                                      "HeaderFrom$Value",
                                      "Filter",
                                      NULL};
static const char *const predicates[] = {"TopicNameMatches", "HasHeaderKey", "RecordIsTombstone",
                                         NULL};

/* Validates transforms.<a>.* / predicates.<a>.* of one alias; returns errors + unknown keys. */
static size_t validate(const cw_registry_t *reg, const cw_props_t *conn, const char *section,
                       const char *alias, cw_plugin_kind_t kind) {
    char prefix[256], key[300];
    snprintf(prefix, sizeof(prefix), "%s.%s.", section, alias);
    snprintf(key, sizeof(key), "%stype", prefix);
    const char *type = cw_props_get(conn, key);
    const cw_plugin_t *p = type ? cw_registry_find(reg, type, kind, NULL) : NULL;
    if (!p) {
        fprintf(stderr, "FAIL: %s: no plugin for '%s'\n", key, type ? type : "(unset)");
        return 1;
    }
    cw_props_t *sub = cw_props_subset(conn, prefix);
    cw_props_unset(sub, "type");
    cw_props_unset(sub, "predicate");
    cw_props_unset(sub, "negate");
    cw_errlist_t errs = {0}, unknown = {0};
    cw_config_validate(sub, p->config, prefix, "pinterest-s3-sink.properties", &errs, &unknown);
    for (size_t i = 0; i < errs.count; i++) fprintf(stderr, "error: %s\n", errs.items[i]);
    for (size_t i = 0; i < unknown.count; i++) fprintf(stderr, "unknown: %s\n", unknown.items[i]);
    size_t n = errs.count + unknown.count;
    cw_errlist_free(&errs);
    cw_errlist_free(&unknown);
    cw_props_free(sub);
    return n;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: transforms-registry PLUGIN_DIR CONNECTOR\n");
        return 2;
    }
    char path[1024], err[1024];
    cw_registry_t *reg = cw_registry_new(cw_host());
    snprintf(path, sizeof(path), "%s/transforms.so", argv[1]);
    CHECK(cw_registry_load_file(reg, path, err, sizeof(err)) == 0, "load %s: %s", path, err);
    snprintf(path, sizeof(path), "%s/clean-transform.so", argv[1]);
    CHECK(cw_registry_load_file(reg, path, err, sizeof(err)) == 0, "load %s: %s", path, err);

    for (size_t i = 0; classes[i]; i++) {
        char full[256];
        snprintf(full, sizeof(full), "org.apache.kafka.connect.transforms.%s", classes[i]);
        const cw_plugin_t *a = cw_registry_find(reg, full, CW_PLUGIN_TRANSFORM, NULL);
        const cw_plugin_t *b = cw_registry_find(reg, classes[i], CW_PLUGIN_TRANSFORM, NULL);
        CHECK(a && a == b, "transform %s: class name and short form must find the same plugin",
              full);
    }
    for (size_t i = 0; predicates[i]; i++) {
        char full[256];
        snprintf(full, sizeof(full), "org.apache.kafka.connect.transforms.predicates.%s",
                 predicates[i]);
        const cw_plugin_t *a = cw_registry_find(reg, full, CW_PLUGIN_PREDICATE, NULL);
        CHECK(a && a == cw_registry_find(reg, predicates[i], CW_PLUGIN_PREDICATE, NULL),
              "predicate %s", full);
    }
    CHECK(cw_registry_find(reg, "clean", CW_PLUGIN_TRANSFORM, NULL) != NULL, "clean transform");

    cw_props_t *conn = cw_props_new();
    CHECK(cw_props_load_file(conn, argv[2], err, sizeof(err)) == 0, "load %s: %s", argv[2], err);
    const char *lists[2] = {cw_props_get(conn, "transforms"), cw_props_get(conn, "predicates")};
    const char *sections[2] = {"transforms", "predicates"};
    size_t seen = 0;
    for (int s = 0; s < 2; s++) {
        char *copy = strdup(lists[s] ? lists[s] : ""), *save = NULL;
        for (char *a = strtok_r(copy, ", ", &save); a; a = strtok_r(NULL, ", ", &save)) {
            size_t n =
                validate(reg, conn, sections[s], a, s ? CW_PLUGIN_PREDICATE : CW_PLUGIN_TRANSFORM);
            CHECK(n == 0, "%s.%s: %zu problem(s)", sections[s], a, n);
            seen++;
        }
        free(copy);
    }
    CHECK(seen == 6, "expected 3 transforms and 3 predicates, saw %zu", seen);

    /* A misspelt key is not silently accepted: the table does not declare it. */
    cw_props_set(conn, "transforms.cleanPin.human.number", "follower_count");
    CHECK(validate(reg, conn, "transforms", "cleanPin", CW_PLUGIN_TRANSFORM) == 1,
          "a misspelt key must be reported");
    cw_props_free(conn);
    cw_registry_free(reg);
    if (failures) return 1;
    printf(
        "ok: modules load through the registry; every class name resolves; the recipes validate\n");
    return 0;
}
