/* SPDX-License-Identifier: MIT */
/*
 * cmd_merge.c - `memplan merge`: combine databases, e.g. the shards of a
 * sweep, without duplicates (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>

const char merge_usage[] =
    "usage: memplan merge DB... -o OUT\n"
    "\n"
    "Combine memplan databases (e.g. the shards of `memplan sweep --shard`) into\n"
    "OUT without duplicates: networks by hash, runs by their uuid, sweeps by\n"
    "their key, sweep results by (sweep, network, target). An existing OUT is\n"
    "kept and added to. OUT is built in a temporary file and renamed into place.\n"
    "\n"
    "options:\n"
    "  -o, --output OUT   the merged database (required)\n"
    "  -h, --help         show this help\n";

int cmd_merge(mp_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'h':
            return cli_help(cli);
        case ':':
            return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!output)
        return cli_usage_error(cli, "-o OUT is required");
    if (optind >= argc)
        return cli_usage_error(cli, "expected one or more databases to merge");
    mp_error err;
    mp_error_init(&err);
    mp_merge_stats stats;
    if (mp_store_merge((const char *const *)(argv + optind), (uint32_t)(argc - optind), output,
                       &stats, &err) != MP_OK)
        return cli_fail(cli, &err);
    fprintf(cli->out,
            "merged %d database%s into %s: %u runs added, %u already there; %u sweep results "
            "added, %u already there\n",
            argc - optind, argc - optind == 1 ? "" : "s", output, stats.runs_added,
            stats.runs_skipped, stats.results_added, stats.results_skipped);
    return EXIT_OK;
}
