/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - `memplan report`: what the database holds: the latest runs,
 * one run, a network's schedules, a sweep matrix (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"
#include "record.h"

#include <getopt.h>
#include <string.h>
#include <stdlib.h>

const char report_usage[] =
    "usage: memplan report [--db FILE] [--run ID | --network NAME | --sweep ID]\n"
    "                      [--format table|csv|json|markdown]\n"
    "\n"
    "Show what the database holds (docs/database.md). Without a selector: the\n"
    "latest runs. --run: the schedules a run recorded. --network: every schedule\n"
    "recorded for networks called NAME. --sweep: the matrix of a sweep (merged\n"
    "shards included), as `memplan sweep` prints it.\n"
    "\n"
    "options:\n"
    "  --db FILE          the database (default $MEMPLAN_DB or reports/memplan.db)\n"
    "  --run ID           one run\n"
    "  --network NAME     one network's schedules\n"
    "  --sweep ID         one sweep's matrix: its id, or the key 'memplan sweep'\n"
    "                     prints (4398ba4676c3, or its first 4+ digits)\n"
    "  --limit N          with no selector: how many runs (default 20)\n"
    "  --format FMT       table (default), csv, json or markdown\n"
    "  -h, --help         show this help\n";

typedef struct report_opts {
    record_opts rec;
    unsigned long run, limit;
    const char *sweep; /* --sweep: an id or a sweep key */
    const char *network;
    mp_report_format format;
    int selectors;
} report_opts;

static int parse_args(mp_cli *cli, int argc, char **argv, report_opts *o)
{
    enum { OPT_RUN = 256, OPT_NETWORK, OPT_SWEEP, OPT_FORMAT, OPT_LIMIT };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"run", required_argument, NULL, OPT_RUN},
        {"network", required_argument, NULL, OPT_NETWORK},
        {"sweep", required_argument, NULL, OPT_SWEEP},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    o->limit = 20;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            record_option(c, optarg, &o->rec);
            break;
        case OPT_RUN:
            if (!cli_parse_uint(cli, "--run", optarg, 1, 1000000000000UL, &o->run))
                return EXIT_USAGE;
            o->selectors++;
            break;
        case OPT_NETWORK:
            o->network = optarg;
            o->selectors++;
            break;
        case OPT_SWEEP:
            if (!*optarg || strspn(optarg, "0123456789abcdefABCDEF") != strlen(optarg))
                return cli_usage_error(cli, "--sweep: expected a sweep id or the key 'memplan "
                                            "sweep' prints, got '%s'", optarg);
            o->sweep = optarg;
            o->selectors++;
            break;
        case OPT_FORMAT:
            if (!mp_report_format_parse(optarg, &o->format))
                return cli_usage_error(cli, "--format: expected table, csv, json or markdown, "
                                            "got '%s'",
                                       optarg);
            break;
        case OPT_LIMIT:
            if (!cli_parse_uint(cli, "--limit", optarg, 1, 1000000, &o->limit))
                return EXIT_USAGE;
            break;
        case 'h':
            return -1;
        case ':':
            return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    if (o->selectors > 1)
        return cli_usage_error(cli, "--run, --network and --sweep exclude each other");
    return EXIT_OK;
}

static mp_status query(mp_store *st, const report_opts *o, mp_report *r, mp_error *err)
{
    if (o->run)
        return mp_store_report_run(st, (int64_t)o->run, r, err);
    if (o->network)
        return mp_store_report_network(st, o->network, r, err);
    if (o->sweep) {
        int64_t id = 0;
        MP_TRY(mp_store_find_sweep(st, o->sweep, &id, err));
        return mp_store_report_sweep(st, id, r, err);
    }
    return mp_store_report_runs(st, (uint32_t)o->limit, r, err);
}

int cmd_report(mp_cli *cli, int argc, char **argv)
{
    report_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_store_opts so;
    mp_store_opts_init(&so);
    so.create = false;
    mp_store *st = NULL;
    mp_report r;
    mp_report_init(&r);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_status s = mp_store_open(record_db_path(&o.rec), &so, &st, &err);
    if (s == MP_OK)
        s = query(st, &o, &r, &err);
    if (s == MP_OK)
        s = mp_report_write(&r, o.format, &sb, &err);
    if (s == MP_OK)
        fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
    mp_report_release(&r);
    mp_store_close(st);
    return s == MP_OK ? EXIT_OK : cli_fail(cli, &err);
}
