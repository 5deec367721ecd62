/*
 * cw-mock-cluster: librdkafka's built-in mock Kafka cluster as a process of its own, so a
 * test can kill and restart a worker while the cluster (and its data) stays up.
 *
 *   cw-mock-cluster [--brokers N] [--topic NAME:PARTITIONS]... [--bootstrap-file PATH]
 *                   [--produce-errors COUNT:CODE] [--ports P1,P2,...]
 *
 * --ports binds the brokers (in order) to these ports of 127.0.0.1 instead of ports the kernel
 * picks: a test stops the cluster and starts a NEW one (empty, another cluster id) on the
 * same addresses, as a Kafka rebuilt behind the same DNS names. librdkafka's mock cluster has
 * no port option, so this program interposes bind(2) for the brokers' listeners.
 *
 * --produce-errors makes the cluster answer its next COUNT Produce requests with the Kafka
 * error CODE (e.g. 29, TOPIC_AUTHORIZATION_FAILED), librdkafka's request error injection.
 *
 * SIGUSR1 takes every broker down (rd_kafka_mock_broker_set_down: connections are refused
 * and closed, a stopped Kafka) and SIGUSR2 brings them back up.
 *
 * Prints `bootstrap=<host:port,...>` on stdout (and writes the same address, alone, to the
 * bootstrap file when given), then serves until SIGTERM/SIGINT or until stdin reaches EOF.
 * The mock cluster listens on 127.0.0.1 only, on ports the kernel picks.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

/* --ports: the ports the next listeners bind to, in the order the mock brokers are made. */
static int fixed_ports[16], nfixed, next_fixed;

/* Interposes libc's bind for this process (the executable's symbol comes first): a listener
 * the mock cluster binds to 127.0.0.1:0 gets the next --ports port instead. */
__attribute__((visibility("default"))) int bind(int fd, const struct sockaddr *addr,
                                                socklen_t len) {
    static int (*real_bind)(int, const struct sockaddr *, socklen_t);
    if (!real_bind)
        real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    if (next_fixed < nfixed && addr && addr->sa_family == AF_INET &&
        len >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in sin;
        memcpy(&sin, addr, sizeof sin);
        if (sin.sin_port == 0) {
            sin.sin_port = htons((uint16_t)fixed_ports[next_fixed++]);
            return real_bind(fd, (const struct sockaddr *)&sin, sizeof sin);
        }
    }
    return real_bind(fd, addr, len);
}
static volatile sig_atomic_t want_down = -1; /* -1: no change asked; 1 down; 0 up */

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void on_usr(int sig) { want_down = sig == SIGUSR1; }

static int usage(void) {
    fprintf(stderr, "usage: cw-mock-cluster [--brokers N] [--topic NAME:PARTITIONS]... "
                    "[--bootstrap-file PATH] [--no-stdin] [--produce-errors COUNT:CODE] "
                    "[--ports P1,P2,...]\n");
    return 2;
}

int main(int argc, char **argv) {
    int brokers = 1, watch_stdin = 1;
    const char *bootstrap_file = NULL;
    char errstr[512];

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "cw-mock-cluster: %s\n", errstr);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "cw-mock-cluster: %s\n", errstr);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--brokers") && i + 1 < argc) brokers = atoi(argv[++i]);
        if (!strcmp(argv[i], "--ports") && i + 1 < argc) {
            char *list = strdup(argv[++i]), *save = NULL;
            for (char *p = strtok_r(list, ",", &save); p && nfixed < 16;
                 p = strtok_r(NULL, ",", &save))
                fixed_ports[nfixed++] = atoi(p);
            free(list);
        }
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "cw-mock-cluster: could not start the mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--brokers") || !strcmp(argv[i], "--ports")) {
            i++;
        } else if (!strcmp(argv[i], "--topic") && i + 1 < argc) {
            char *spec = strdup(argv[++i]);
            char *colon = strrchr(spec, ':');
            int parts = colon ? atoi(colon + 1) : 1;
            if (colon) *colon = '\0';
            if (parts < 1 || rd_kafka_mock_topic_create(mc, spec, parts, 1)) {
                fprintf(stderr, "cw-mock-cluster: cannot create topic '%s'\n", argv[i]);
                free(spec);
                return 1;
            }
            free(spec);
        } else if (!strcmp(argv[i], "--bootstrap-file") && i + 1 < argc) {
            bootstrap_file = argv[++i];
        } else if (!strcmp(argv[i], "--produce-errors") && i + 1 < argc) {
            int count = 0, code = 0;
            if (sscanf(argv[++i], "%d:%d", &count, &code) != 2 || count < 1 || count > 100)
                return usage();
            rd_kafka_resp_err_t errs[100];
            for (int k = 0; k < count; k++) errs[k] = (rd_kafka_resp_err_t)code;
            rd_kafka_mock_push_request_errors_array(mc, 0 /* Produce */, (size_t)count, errs);
        } else if (!strcmp(argv[i], "--no-stdin")) {
            watch_stdin = 0;
        } else {
            return usage();
        }
    }

    const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
    if (bootstrap_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", bootstrap_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", bootstraps) < 0 || fclose(f) != 0 ||
            rename(tmp, bootstrap_file) != 0) {
            perror(bootstrap_file);
            return 1;
        }
    }
    printf("bootstrap=%s\n", bootstraps);
    fflush(stdout);

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGUSR1, on_usr);
    signal(SIGUSR2, on_usr);
    while (!stop_requested) {
        if (want_down >= 0) {
            int down = want_down;
            want_down = -1;
            for (int b = 1; b <= brokers; b++)
                down ? rd_kafka_mock_broker_set_down(mc, b) : rd_kafka_mock_broker_set_up(mc, b);
            fprintf(stderr, "cw-mock-cluster: brokers %s\n", down ? "down" : "up");
        }
        struct pollfd pfd = {.fd = 0, .events = POLLIN};
        if (watch_stdin) {
            int n = poll(&pfd, 1, 200);
            if (n > 0) {
                char buf[256];
                if (read(0, buf, sizeof buf) <= 0)
                    break; /* stdin closed: the parent test is gone */
            }
        } else {
            poll(NULL, 0, 200);
        }
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
