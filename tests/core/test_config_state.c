/*
 * The config topic's state machine against Kafka's own scenarios: the record sequences of
 * KafkaConfigBackingStoreTest's testRestore, testRestoreConnectorDeletion, testRestoreZeroTasks,
 * testRestoreTargetState and testRestoreTargetStateUnexpectedDeletion (same keys, the
 * SAMPLE_CONFIGS and structs serialized as a Java worker writes them), with the same
 * expectations; then compaction leaving a commit incomplete, restart requests, session keys.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "storage/config_state.h"

/* SAMPLE_CONFIGS and the structs of KafkaConfigBackingStoreTest, in Kafka's bytes. */
#define CONF(i) "{\"properties\":{\"config-key-" i "\":\"config-value-" i "\"}}"
static const char *const CONFIG_ONE = CONF("one"), *const CONFIG_TWO = CONF("two"),
                         *const CONFIG_THREE = CONF("three");
static const char COMMIT_TWO[] = "{\"tasks\":2}", COMMIT_ZERO[] = "{\"tasks\":0}",
                  PAUSED_LEGACY[] = "{\"state\":\"PAUSED\"}",
                  STOPPED[] = "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}";

typedef struct {
    const char *key, *value; /* value NULL: tombstone */
} rec_t;

static cw_config_state_t *replay(const rec_t *r, size_t n) {
    cw_config_state_t *s = cw_config_state_new();
    for (size_t i = 0; i < n; i++) {
        cw_config_change_t ch;
        char err[256];
        int rc = cw_config_state_apply(s, r[i].key, strlen(r[i].key), r[i].value,
                                       r[i].value ? strlen(r[i].value) : 0, (int64_t)i, &ch, err,
                                       sizeof err);
        if (rc) fprintf(stderr, "record %zu (%s): %s\n", i, r[i].key, err);
        CHECK(rc == 0);
        cw_config_change_clear(&ch);
    }
    return s;
}

static const char *prop(const cw_props_t *p, const char *k) {
    return p ? cw_props_get(p, k) : NULL;
}

static void test_restore(void) {
    const rec_t r[] = {
        {"tasks-fencing-connector1", "{\"task-count\":6}"},
        {"connector-connector1", CONFIG_ONE},
        {"task-connector1-0", CONFIG_ONE},
        {"task-connector1-1", CONFIG_ONE},
        {"connector-connector1", CONFIG_TWO},
        {"commit-connector1", COMMIT_TWO},
        {"tasks-fencing-connector2", "{\"task-count\":9}"},
        /* After the commit: the connector update applies, the task update waits. */
        {"connector-connector1", CONFIG_THREE},
        {"task-connector1-0", CONFIG_TWO},
    };
    cw_config_state_t *s = replay(r, sizeof r / sizeof *r);
    CHECK(cw_config_state_offset(s) == 9);
    CHECK(cw_config_state_connector_count(s) == 1);
    CHECK_STR(cw_config_state_connector_at(s, 0), "connector1");
    CHECK(cw_config_state_target(s, "connector1") == CW_CF_TARGET_STARTED);
    CHECK_STR(prop(cw_config_state_connector_config(s, "connector1"), "config-key-three"),
              "config-value-three");
    CHECK(cw_config_state_task_count(s, "connector1") == 2);
    CHECK_STR(prop(cw_config_state_task_config(s, "connector1", 0), "config-key-one"),
              "config-value-one");
    CHECK_STR(prop(cw_config_state_task_config(s, "connector1", 1), "config-key-one"),
              "config-value-one");
    CHECK(cw_config_state_task_count_record(s, "connector2") == 9);
    CHECK(!cw_config_state_inconsistent(s, "connector1"));
    cw_config_state_free(s);
}

static void test_restore_connector_deletion(void) {
    const rec_t r[] = {
        {"connector-connector1", CONFIG_ONE}, {"task-connector1-0", CONFIG_ONE},
        {"task-connector1-1", CONFIG_ONE},    {"connector-connector1", NULL},
        {"target-state-connector1", NULL},    {"commit-connector1", COMMIT_TWO},
    };
    cw_config_state_t *s = replay(r, sizeof r / sizeof *r);
    CHECK(cw_config_state_offset(s) == 6);
    CHECK(cw_config_state_connector_count(s) == 0);
    CHECK(cw_config_state_task_count(s, "connector1") == 0);
    cw_config_state_free(s);
}

static void test_restore_zero_tasks(void) {
    const rec_t r[] = {
        {"connector-connector1", CONFIG_ONE}, {"task-connector1-0", CONFIG_ONE},
        {"task-connector1-1", CONFIG_ONE},    {"connector-connector1", CONFIG_TWO},
        {"commit-connector1", COMMIT_TWO},    {"connector-connector1", CONFIG_THREE},
        {"task-connector1-0", CONFIG_TWO},    {"commit-connector1", COMMIT_ZERO},
    };
    cw_config_state_t *s = replay(r, sizeof r / sizeof *r);
    CHECK(cw_config_state_offset(s) == 8);
    CHECK(cw_config_state_connector_count(s) == 1);
    CHECK_STR(prop(cw_config_state_connector_config(s, "connector1"), "config-key-three"),
              "config-value-three");
    CHECK(cw_config_state_task_count(s, "connector1") == 0);
    CHECK(cw_config_state_task_config(s, "connector1", 0) == NULL);
    CHECK(!cw_config_state_inconsistent(s, "connector1"));
    cw_config_state_free(s);
}

static void test_restore_target_state(void) {
    const rec_t r[] = {
        {"connector-connector1", CONFIG_ONE}, {"task-connector1-0", CONFIG_ONE},
        {"task-connector1-1", CONFIG_ONE},    {"target-state-connector1", PAUSED_LEGACY},
        {"commit-connector1", COMMIT_TWO},    {"target-state-connector2", STOPPED},
    };
    cw_config_state_t *s = replay(r, sizeof r / sizeof *r);
    CHECK(cw_config_state_offset(s) == 6);
    CHECK(cw_config_state_connector_count(s) == 1);
    CHECK(cw_config_state_target(s, "connector1") == CW_CF_TARGET_PAUSED);
    CHECK(cw_config_state_target(s, "connector2") == CW_CF_TARGET_STOPPED);
    cw_config_state_free(s);

    /* testRestoreTargetStateUnexpectedDeletion: a target state tombstone reads as STARTED. */
    const rec_t r2[] = {
        {"connector-connector1", CONFIG_ONE}, {"task-connector1-0", CONFIG_ONE},
        {"task-connector1-1", CONFIG_ONE},    {"target-state-connector1", NULL},
        {"commit-connector1", COMMIT_TWO},
    };
    s = replay(r2, sizeof r2 / sizeof *r2);
    CHECK(cw_config_state_offset(s) == 5);
    CHECK(cw_config_state_connector_count(s) == 1);
    CHECK(cw_config_state_target(s, "connector1") == CW_CF_TARGET_STARTED);
    cw_config_state_free(s);
}

static void test_compaction_inconsistent(void) {
    /* Task 0's config of the second round was compacted away: the commit of 2 is incomplete;
     * the connector has no tasks until a complete round is committed. */
    const rec_t r[] = {
        {"connector-connector1", CONFIG_ONE},
        {"task-connector1-1", CONFIG_TWO},
        {"commit-connector1", COMMIT_TWO},
    };
    cw_config_state_t *s = replay(r, sizeof r / sizeof *r);
    CHECK(cw_config_state_inconsistent(s, "connector1"));
    CHECK(cw_config_state_task_count(s, "connector1") == 0);
    cw_config_change_t ch;
    char err[256];
    const rec_t more[] = {{"task-connector1-0", CONFIG_THREE},
                          {"task-connector1-1", CONFIG_THREE},
                          {"commit-connector1", COMMIT_TWO}};
    for (size_t i = 0; i < 3; i++) {
        CHECK(cw_config_state_apply(s, more[i].key, strlen(more[i].key), more[i].value,
                                    strlen(more[i].value), 3 + (int64_t)i, &ch, err,
                                    sizeof err) == 0);
        cw_config_change_clear(&ch);
    }
    CHECK(!cw_config_state_inconsistent(s, "connector1"));
    CHECK(cw_config_state_task_count(s, "connector1") == 2);
    CHECK_STR(prop(cw_config_state_task_config(s, "connector1", 1), "config-key-three"),
              "config-value-three");
    cw_config_state_free(s);
}

static void test_changes_and_errors(void) {
    cw_config_state_t *s = cw_config_state_new();
    cw_config_change_t ch;
    char err[256];
    static const char restart[] = "{\"include-tasks\":true,\"only-failed\":true}";
    CHECK(cw_config_state_apply(s, "restart-connector-c1", 20, restart, strlen(restart), 0, &ch,
                                err, sizeof err) == 0);
    CHECK(ch.kind == CW_CF_CONFIG_RESTART && ch.include_tasks && ch.only_failed);
    CHECK_STR(ch.connector, "c1");
    cw_config_change_clear(&ch);
    static const char sk[] =
        "{\"key\":\"a2V5\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1700000000000}";
    CHECK(cw_config_state_apply(s, "session-key", 11, sk, strlen(sk), 1, &ch, err, sizeof err) ==
          0);
    CHECK(ch.kind == CW_CF_CONFIG_SESSION_KEY && ch.connector == NULL);
    CHECK(cw_config_state_session_key(s) != NULL);
    CHECK_STR(cw_config_state_session_key(s)->algorithm, "HmacSHA256");
    CHECK(cw_config_state_apply(s, "connector-c1", 12, NULL, 0, 2, &ch, err, sizeof err) == 0);
    CHECK(ch.kind == CW_CF_CONFIG_CONNECTOR && ch.removed);
    cw_config_change_clear(&ch);
    /* What Kafka logs and skips: an unknown key, a value not in the format. */
    CHECK(cw_config_state_apply(s, "nonsense", 8, "{}", 2, 3, &ch, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "nonsense");
    CHECK(cw_config_state_apply(s, "connector-c2", 12, "{\"x\":1}", 7, 4, &ch, err, sizeof err) ==
          -1);
    CHECK(cw_config_state_connector_count(s) == 0);
    CHECK(cw_config_state_offset(s) == 5);
    cw_config_state_free(s);
}

int main(void) {
    test_restore();
    test_restore_connector_deletion();
    test_restore_zero_tasks();
    test_restore_target_state();
    test_compaction_inconsistent();
    test_changes_and_errors();
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
