/* connect-worker: the command line, shaped like Kafka's connect-standalone. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "host.h"
#include "log.h"
#include "registry.h"
#include "version.h"
#include "worker.h"

static void usage(FILE *out) {
    fprintf(
        out,
        "usage: connect-worker [options] worker.properties [connector.properties ...]\n"
        "       connect-worker --distributed [options] worker.properties\n"
        "       connect-worker --validate worker.properties connector.properties [...]\n"
        "       connect-worker --list-plugins [worker.properties]\n"
        "       connect-worker --describe NAME [worker.properties]\n"
        "\n"
        "Runs Kafka Connect-style connectors (source, sink, transforms) from plugins.\n"
        "Connector files are Java .properties or Kafka Connect REST JSON\n"
        "({\"name\": ..., \"config\": {...}}).\n"
        "\n"
        "options:\n"
        "  --distributed          join the Connect cluster of the worker file's group.id\n"
        "                         (connectors come through the REST API; see core/README.md)\n"
        "  --validate             check every file and key, print every problem, start nothing\n"
        "  --list-plugins         list loaded plugins: name, kind, version, file\n"
        "  --describe NAME        every key of a plugin (name or class alias), or of 'worker'\n"
        "                         or 'connector' (the keys every connector accepts)\n"
        "  --plugin-path DIR      load plugins from DIR too (repeatable)\n"
        "  --exit-when-caught-up  batch mode: exit once sources are idle and acknowledged\n"
        "                         and sinks consumed every assigned partition to its end\n"
        "                         and committed\n"
        "  --log-level LEVEL      error, warn, info, debug or trace (overrides log.level)\n"
        "  --metrics-file FILE    when the tasks have stopped, write every metric to FILE\n"
        "                         (Prometheus text format)\n"
        "  --version              print the version\n"
        "  --help                 this text\n"
        "\n"
        "exit codes:\n"
        "  0  stopped cleanly (signal, batch mode finished, or --validate found no problem)\n"
        "  1  a task stopped with an error (logged with connector, task and reason)\n"
        "  2  bad command line\n"
        "  3  invalid configuration (every problem printed; nothing started)\n"
        "  4  start-up failure (embedded Kafka, offset file, task_configs)\n"
        "  5  tasks did not stop within task.shutdown.graceful.timeout.ms\n");
}

static void list_one(const cw_plugin_t *p, const char *file, void *opaque) {
    (void)opaque;
    printf("%-24s %-10s %-10s %s\n", p->name, cw_plugin_kind_name(p->kind),
           p->version ? p->version : "-", file ? file : "-");
}

static const char *type_name(cw_config_type_t t) {
    switch (t) {
    case CW_CFG_STRING: return "string";
    case CW_CFG_INT: return "int";
    case CW_CFG_DOUBLE: return "double";
    case CW_CFG_BOOL: return "boolean";
    case CW_CFG_LIST: return "list";
    }
    return "?";
}

static void describe_defs(const cw_config_def_t *defs) {
    for (const cw_config_def_t *d = defs; d && d->name; d++) {
        int secret = (d->flags & CW_CFG_F_SECRET) != 0;
        printf("%s%s\n", d->name, (d->flags & CW_CFG_F_PREFIX) ? "<...>" : "");
        printf("  type: %s%s%s\n", type_name(d->type),
               (d->flags & CW_CFG_F_REQUIRED) ? ", required" : "", secret ? ", secret" : "");
        if (d->default_value) printf("  default: %s\n", secret ? "[hidden]" : d->default_value);
        if (d->allowed) printf("  allowed: %s\n", d->allowed);
        if (d->min < d->max) printf("  bounds: %g .. %g\n", d->min, d->max);
        if (d->doc) printf("  %s\n", d->doc);
    }
}

static void print_errors(const cw_errlist_t *errs) {
    for (size_t i = 0; i < errs->count; i++) fprintf(stderr, "error: %s\n", errs->items[i]);
}

int main(int argc, char **argv) {
    enum {
        O_VALIDATE = 1,
        O_LIST,
        O_DESCRIBE,
        O_PLUGIN_PATH,
        O_BATCH,
        O_LOG,
        O_METRICS,
        O_VERSION,
        O_HELP,
        O_DISTRIBUTED
    };
    static const struct option longopts[] = {
        {"validate", no_argument, NULL, O_VALIDATE},
        {"list-plugins", no_argument, NULL, O_LIST},
        {"describe", required_argument, NULL, O_DESCRIBE},
        {"plugin-path", required_argument, NULL, O_PLUGIN_PATH},
        {"exit-when-caught-up", no_argument, NULL, O_BATCH},
        {"log-level", required_argument, NULL, O_LOG},
        {"metrics-file", required_argument, NULL, O_METRICS},
        {"version", no_argument, NULL, O_VERSION},
        {"help", no_argument, NULL, O_HELP},
        {"distributed", no_argument, NULL, O_DISTRIBUTED},
        {NULL, 0, NULL, 0}};
    int validate = 0, list = 0;
    const char *describe = NULL;
    cw_worker_options_t opts = {0};
    const char *plugin_paths[argc + 1]; /* at most one per argument; no early-return leak */
    opts.plugin_paths = plugin_paths;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_VALIDATE: validate = 1; break;
        case O_LIST: list = 1; break;
        case O_DESCRIBE: describe = optarg; break;
        case O_PLUGIN_PATH: opts.plugin_paths[opts.nplugin_paths++] = optarg; break;
        case O_BATCH: opts.batch_mode = 1; break;
        case O_DISTRIBUTED: opts.distributed = 1; break;
        case O_METRICS: opts.metrics_file = optarg; break;
        case O_LOG: {
            cw_log_level_t level;
            if (cw_log_level_parse(optarg, &level)) {
                fprintf(stderr,
                        "connect-worker: --log-level: unknown level '%s' (error, warn, "
                        "info, debug, trace)\n",
                        optarg);
                return CW_EXIT_USAGE;
            }
            cw_log_set_level(level);
            opts.log_level_forced = 1;
            break;
        }
        case O_VERSION: printf("connect-worker %s\n", cw_version()); return CW_EXIT_OK;
        case 'h':
        case O_HELP: usage(stdout); return CW_EXIT_OK;
        default: usage(stderr); return CW_EXIT_USAGE;
        }
    }
    int nargs = argc - optind;
    char **args = argv + optind;

    if (list || describe) {
        cw_errlist_t errs = {0};
        cw_worker_t *w = NULL;
        cw_registry_t *reg;
        char err[1024];
        if (nargs >= 1) {
            w = cw_worker_new(args[0], &opts, &errs);
            reg = w->registry;
        } else {
            reg = cw_registry_new(cw_host());
            if (cw_registry_load_bundled(reg, err, sizeof err) < 0)
                cw_log_warn("bundled plugins: %s", err);
            for (size_t i = 0; i < opts.nplugin_paths; i++)
                if (cw_registry_load_dir(reg, opts.plugin_paths[i], err, sizeof err) < 0)
                    cw_errlist_add(&errs, "--plugin-path: %s", err);
        }
        print_errors(&errs);
        int rc = errs.count ? CW_EXIT_CONFIG : CW_EXIT_OK;
        if (list) {
            printf("%-24s %-10s %-10s %s\n", "NAME", "KIND", "VERSION", "FILE");
            cw_registry_foreach(reg, list_one, NULL);
        } else if (strcasecmp(describe, "worker") == 0) {
            printf("worker keys (worker.properties)\n\n");
            describe_defs(cw_worker_defs);
        } else if (strcasecmp(describe, "connector") == 0) {
            printf("keys every connector accepts\n\n");
            describe_defs(cw_connector_defs);
            describe_defs(cw_errors_defs);
        } else {
            const char *file = NULL;
            const cw_plugin_t *p = cw_registry_find(reg, describe, 0, &file);
            if (!p) {
                fprintf(stderr,
                        "connect-worker: --describe: no plugin called '%s' is loaded "
                        "(see --list-plugins)\n",
                        describe);
                rc = CW_EXIT_USAGE;
            } else {
                printf("%s (%s plugin, version %s, %s)\n", p->name, cw_plugin_kind_name(p->kind),
                       p->version ? p->version : "-", file ? file : "-");
                if (p->description) printf("%s\n", p->description);
                if (p->aliases) {
                    printf("aliases:");
                    for (const char *const *a = p->aliases; *a; a++) printf(" %s", *a);
                    printf("\n");
                }
                printf("\n");
                describe_defs(p->config);
            }
        }
        cw_errlist_free(&errs);
        if (w)
            cw_worker_free(w);
        else
            cw_registry_free(reg);
        return rc;
    }

    if (nargs < 1) { /* no connector file: a worker driven through its REST API */
        usage(stderr);
        return CW_EXIT_USAGE;
    }
    if (opts.distributed && (nargs > 1 || opts.batch_mode)) {
        fprintf(stderr, "connect-worker: --distributed takes the worker file only: connectors "
                        "are created through the REST API (and --exit-when-caught-up does not "
                        "apply)\n");
        return CW_EXIT_USAGE;
    }
    cw_errlist_t errs = {0};
    cw_worker_t *w = cw_worker_new(args[0], &opts, &errs);
    cw_worker_add_connectors(w, (const char *const *)args + 1, (size_t)nargs - 1, &errs);
    int rc;
    if (errs.count) {
        print_errors(&errs);
        fprintf(stderr, "connect-worker: %zu configuration problem(s); nothing was started\n",
                errs.count);
        rc = CW_EXIT_CONFIG;
    } else if (validate) {
        printf("configuration is valid: %s and %d connector file(s)\n", args[0], nargs - 1);
        rc = CW_EXIT_OK;
    } else {
        rc = cw_worker_run(w);
    }
    cw_errlist_free(&errs);
    if (rc != CW_EXIT_SHUTDOWN) cw_worker_free(w);
    return rc;
}
