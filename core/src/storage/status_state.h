/*
 * The state of a status.storage.topic, rebuilt from its records as Kafka Connect's
 * KafkaStatusBackingStore reads them: the last status of each connector and task (a tombstone
 * removes it; a connector's tombstone removes its tasks too), an UNASSIGNED task status
 * ignored while the task is RUNNING at the same or a later generation (a worker that missed
 * the newer status), and the topics each connector used (KIP-558).
 *
 * Not thread-safe: one thread applies and queries. Returned pointers are owned by the state
 * and valid until the next apply or free.
 */
#ifndef CW_STORAGE_STATUS_STATE_H
#define CW_STORAGE_STATUS_STATE_H
#include <stddef.h>

#include "storage/connect_formats.h"

typedef struct cw_status_state cw_status_state_t;

cw_status_state_t *cw_status_state_new(void);
void cw_status_state_free(cw_status_state_t *s);

/** Applies one record (value NULL or empty: tombstone). Returns 0, or -1 with errstr for a
 *  record Kafka would log and skip (invalid key or value). */
int cw_status_state_apply(cw_status_state_t *s, const void *key, size_t key_len, const void *value,
                          size_t value_len, char *errstr, size_t errstr_size);

/** The connector's status, or NULL. */
const cw_cf_status_t *cw_status_state_connector(const cw_status_state_t *s, const char *name);
/** Task `task`'s status, or NULL. */
const cw_cf_status_t *cw_status_state_task(const cw_status_state_t *s, const char *name, int task);
/** One more than the highest task number with a status (0: none). */
int cw_status_state_task_end(const cw_status_state_t *s, const char *name);
/** The topics the connector is known to use, in the order they were recorded. */
size_t cw_status_state_topic_count(const cw_status_state_t *s, const char *name);
const char *cw_status_state_topic_at(const cw_status_state_t *s, const char *name, size_t i);
#endif
