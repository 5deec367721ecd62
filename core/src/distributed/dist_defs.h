/* The worker keys of distributed mode (Kafka's DistributedConfig names, plus cw.leases.*),
 * spliced into cw_worker_defs (worker_defs.c) as CW_REST_WORKER_DEFS is. */
#ifndef CW_DIST_DEFS_H
#define CW_DIST_DEFS_H
#define CW_DIST_WORKER_DEFS                                                                        \
    {"group.id",                                                                                   \
     CW_CFG_STRING,                                                                                \
     "connect-cluster",                                                                            \
     0,                                                                                            \
     "Distributed mode: the cluster's name; the workers of one cluster share it (their lease "     \
     "consumer group).",                                                                           \
     NULL,                                                                                         \
     0,                                                                                            \
     0},                                                                                           \
        {"session.timeout.ms",                                                                     \
         CW_CFG_INT,                                                                               \
         "10000",                                                                                  \
         0,                                                                                        \
         "Distributed mode: a worker not heard from for this long loses its slots and its units "  \
         "run elsewhere (the lease group's session timeout; Kafka brokers accept 6000 and up by "  \
         "default).",                                                                              \
         NULL,                                                                                     \
         1,                                                                                        \
         3600000},                                                                                 \
        {"heartbeat.interval.ms",                                                                  \
         CW_CFG_INT,                                                                               \
         "3000",                                                                                   \
         0,                                                                                        \
         "Distributed mode: how often a worker tells the group it is alive.",                      \
         NULL,                                                                                     \
         1,                                                                                        \
         3600000},                                                                                 \
        {"rebalance.timeout.ms",                                                                   \
         CW_CFG_INT,                                                                               \
         "60000",                                                                                  \
         0,                                                                                        \
         "Distributed mode: how long a worker may take to stop the units of the slots it hands "   \
         "on (the group's max.poll.interval.ms).",                                                 \
         NULL,                                                                                     \
         1,                                                                                        \
         3600000},                                                                                 \
        {"scheduled.rebalance.max.delay.ms",                                                       \
         CW_CFG_INT,                                                                               \
         "300000",                                                                                 \
         0,                                                                                        \
         "Distributed mode: the units of a worker that disappeared (its slots were lost, not "     \
         "handed on) wait this long before they start elsewhere, so that a worker restarting "     \
         "quickly does not cause two moves (Kafka's incremental cooperative assignor).",           \
         NULL,                                                                                     \
         0,                                                                                        \
         2147483647},                                                                              \
        {"worker.sync.timeout.ms",                                                                 \
         CW_CFG_INT,                                                                               \
         "3000",                                                                                   \
         0,                                                                                        \
         "Distributed mode: how long a REST write waits for the config topic to be read back.",    \
         NULL,                                                                                     \
         1,                                                                                        \
         3600000},                                                                                 \
        {"cw.leases.topic",                                                                        \
         CW_CFG_STRING,                                                                            \
         NULL,                                                                                     \
         0,                                                                                        \
         "Distributed mode, beyond Kafka: the topic whose partitions are the slots of the "        \
         "cluster (default <group.id>-leases). Created when missing.",                             \
         NULL,                                                                                     \
         0,                                                                                        \
         0},                                                                                       \
        {"cw.leases.partitions",                                                                   \
         CW_CFG_INT,                                                                               \
         "64",                                                                                     \
         0,                                                                                        \
         "Distributed mode: the number of slots (partitions of the leases topic); at least the "   \
         "number of workers, and units beyond it wait. Must match the topic.",                     \
         NULL,                                                                                     \
         1,                                                                                        \
         100000},                                                                                  \
        {"cw.leases.replication.factor",                                                           \
         CW_CFG_INT,                                                                               \
         "3",                                                                                      \
         0,                                                                                        \
         "Replication factor of the leases topic when the worker creates it (-1: the broker's "    \
         "default).",                                                                              \
         NULL,                                                                                     \
         -1,                                                                                       \
         32767},                                                                                   \
    {                                                                                              \
        "rest.forward.timeout.ms", CW_CFG_INT, "30000", 0,                                         \
            "Distributed mode: how long a follower waits for the leader's answer to a forwarded "  \
            "write.",                                                                              \
            NULL, 1, 3600000                                                                       \
    }
#endif
