/* The worker's source offset store and the checks of its storage keys. */
#ifndef CW_WORKER_OFFSETS_H
#define CW_WORKER_OFFSETS_H
#include <stddef.h>

#include "worker.h"

/** The store source tasks use: offset.storage.topic when set (the topic created compacted
 *  when missing or checked, then read to its end), else offset.storage.file.filename. NULL
 *  with errstr naming the key, file or topic. */
cw_offsets_t *cw_worker_offsets_open(const cw_worker_t *w, char *errstr, size_t errstr_size);

/** The configuration of a client that creates and checks internal topics: the worker's
 *  producer.* keys, then admin.*. NULL with errstr naming the key. */
rd_kafka_conf_t *cw_worker_admin_conf(const cw_worker_t *w, char *errstr, size_t errstr_size);

/** --validate's checks of the storage keys (partitions, replication factors, admin.*
 *  properties accepted by librdkafka). */
void cw_worker_storage_validate(const cw_worker_t *w, const char *origin, cw_errlist_t *errs);
#endif
