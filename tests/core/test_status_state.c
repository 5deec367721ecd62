/*
 * The status topic's state against KafkaStatusBackingStoreTest's reading scenarios
 * (readTaskStateShouldIgnoreStaleStatusesFromOtherWorkers, deleteConnectorState,
 * deleteTaskState, the invalid records of KafkaStatusBackingStoreFormatTest), with values in
 * Kafka's bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "storage/status_state.h"

static int apply(cw_status_state_t *s, const char *key, const char *value) {
    char err[256];
    return cw_status_state_apply(s, key, strlen(key), value, value ? strlen(value) : 0, err,
                                 sizeof err);
}

static void test_stale_unassigned(void) {
    cw_status_state_t *s = cw_status_state_new();
    /* Another worker's RUNNING at generation 10; a late UNASSIGNED of generation 9 from a
     * worker that had not read it is ignored; a RUNNING of generation 1 is not. */
    CHECK(apply(s, "status-task-conn-0",
                "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"anotherhost:8083\","
                "\"generation\":10}") == 0);
    CHECK(apply(s, "status-task-conn-0",
                "{\"state\":\"UNASSIGNED\",\"trace\":null,\"worker_id\":\"localhost:8083\","
                "\"generation\":9}") == 0);
    const cw_cf_status_t *t = cw_status_state_task(s, "conn", 0);
    CHECK(t && strcmp(t->state, "RUNNING") == 0 && t->generation == 10);
    CHECK(apply(s, "status-task-conn-0",
                "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"yetanotherhost:8083\","
                "\"generation\":1}") == 0);
    t = cw_status_state_task(s, "conn", 0);
    CHECK(t && strcmp(t->worker_id, "yetanotherhost:8083") == 0 && t->generation == 1);
    /* An UNASSIGNED of a later generation wins. */
    CHECK(apply(s, "status-task-conn-0",
                "{\"state\":\"UNASSIGNED\",\"trace\":null,\"worker_id\":\"w\",\"generation\":2}") ==
          0);
    CHECK_STR(cw_status_state_task(s, "conn", 0)->state, "UNASSIGNED");
    cw_status_state_free(s);
}

static void test_deletes(void) {
    cw_status_state_t *s = cw_status_state_new();
    static const char running[] =
        "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"localhost:8083\",\"generation\":0}";
    CHECK(apply(s, "status-connector-conn", running) == 0);
    CHECK(apply(s, "status-task-conn-0", running) == 0);
    CHECK(apply(s, "status-task-conn-2", running) == 0);
    CHECK(cw_status_state_connector(s, "conn") != NULL);
    CHECK(cw_status_state_task_end(s, "conn") == 3);
    CHECK(cw_status_state_task(s, "conn", 1) == NULL);
    CHECK(apply(s, "status-task-conn-2", NULL) == 0); /* deleteTaskState */
    CHECK(cw_status_state_task(s, "conn", 2) == NULL);
    CHECK(cw_status_state_task_end(s, "conn") == 1);
    CHECK(apply(s, "status-connector-conn", NULL) == 0); /* deleteConnectorState: tasks too */
    CHECK(cw_status_state_connector(s, "conn") == NULL);
    CHECK(cw_status_state_task(s, "conn", 0) == NULL);
    cw_status_state_free(s);
}

static void test_topics_and_invalid(void) {
    cw_status_state_t *s = cw_status_state_new();
    CHECK(apply(s, "status-topic-foo-topic:connector-foo-source",
                "{\"topic\":{\"name\":\"foo-topic\",\"connector\":\"foo-source\",\"task\":0,"
                "\"discoverTimestamp\":1700000000000}}") == 0);
    CHECK(cw_status_state_topic_count(s, "foo-source") == 1);
    CHECK_STR(cw_status_state_topic_at(s, "foo-source", 0), "foo-topic");
    CHECK(apply(s, "status-topic-foo-topic:connector-foo-source", NULL) == 0);
    CHECK(cw_status_state_topic_count(s, "foo-source") == 0);
    CHECK(apply(s, "status-unknown", "{}") == -1);
    CHECK(apply(s, "status-connector-foo-source", "invalid") == -1);
    CHECK(apply(s, "status-task-foo-source-#", "{}") == -1);
    CHECK(cw_status_state_connector(s, "foo-source") == NULL);
    cw_status_state_free(s);
}

int main(void) {
    test_stale_unassigned();
    test_deletes();
    test_topics_and_invalid();
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures ? 1 : 0;
}
