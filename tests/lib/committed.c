/*
 * cw-committed: prints the offsets a consumer group committed, read from the group
 * coordinator (OffsetFetch) without joining the group, so a running or killed worker's
 * group is left alone.
 *
 *   cw-committed BOOTSTRAP GROUP TOPIC:PARTITION...
 *
 * One line per partition: "TOPIC PARTITION OFFSET", OFFSET -1 when nothing is committed.
 * Exit 0, or 1 with a message when the coordinator cannot be asked.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: cw-committed BOOTSTRAP GROUP TOPIC:PARTITION...\n");
        return 2;
    }
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        rd_kafka_conf_set(conf, "group.id", argv[2], err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err)) {
        fprintf(stderr, "cw-committed: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "cw-committed: %s\n", err);
        return 1;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(argc - 3);
    for (int i = 3; i < argc; i++) {
        char *colon = strrchr(argv[i], ':');
        if (!colon) {
            fprintf(stderr, "cw-committed: '%s' is not TOPIC:PARTITION\n", argv[i]);
            return 2;
        }
        *colon = '\0';
        rd_kafka_topic_partition_list_add(parts, argv[i], atoi(colon + 1));
    }
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, parts, 10000);
    int rc = 0;
    if (e) {
        fprintf(stderr, "cw-committed: %s\n", rd_kafka_err2str(e));
        rc = 1;
    }
    for (int i = 0; !rc && i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &parts->elems[i];
        if (p->err) {
            fprintf(stderr, "cw-committed: %s [%d]: %s\n", p->topic, (int)p->partition,
                    rd_kafka_err2str(p->err));
            rc = 1;
        } else {
            printf("%s %d %lld\n", p->topic, (int)p->partition,
                   (long long)(p->offset < 0 ? -1 : p->offset));
        }
    }
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(rk);
    return rc;
}
