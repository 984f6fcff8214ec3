/* SPDX-License-Identifier: MIT */
/*
 * cmd_plan.c - `memplan plan`: plan a schedule, give every buffer its arena
 * offset, print it in detail, optionally save it (module cli).
 */
#define _GNU_SOURCE
#include "record.h"
#include "sched_opts.h"

#include <getopt.h>
#include <string.h>

const char plan_usage_head[] =
    "usage: memplan plan NET [schedule options] [--summary] [--json] [-o FILE]\n"
    "\n"
    "Plan a schedule and give every buffer its arena offset. For a patch stage\n"
    "(--split/--patches, --best or --fused) it prints the peak and MACs, every\n"
    "tensor's role and buffer sizes, and for every patch and op the region it\n"
    "holds, the region it computes and what it reads with the padding inside the\n"
    "window; then the arena layout. -o saves the schedule as JSON\n"
    "(docs/schedule-json.md) for validate and export.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  write the schedule JSON to FILE (atomically; - for stdout)\n"
    "  --summary          omit the per-patch detail\n"
    "  --json             print the schedule JSON instead of text\n"
    "  --wide             print layer and tensor names whole (default: shortened\n"
    "                     to the part that tells them apart, to fit 80 columns)\n"
    RECORD_USAGE_MCU RECORD_USAGE_DB
    "  -h, --help         show this help\n";

typedef struct plan_opts {
    const char *net, *output;
    sched_opts so;
    bool summary, json, wide;
    record_opts rec;
} plan_opts;

static int parse_args(mp_cli *cli, int argc, char **argv, plan_opts *o)
{
    enum { OPT_SUMMARY = 256, OPT_JSON, OPT_WIDE };
    static const struct option longopts[] = {
        SCHED_LONGOPTS,
        RECORD_LONGOPTS,
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"json", no_argument, NULL, OPT_JSON},
        {"wide", no_argument, NULL, OPT_WIDE},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sched_opts_init(&o->so);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        int rc = sched_opts_parse(cli, c, optarg, &o->so);
        if (rc == EXIT_USAGE)
            return rc;
        if (rc == EXIT_OK)
            continue;
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case OPT_SUMMARY:
            o->summary = true;
            break;
        case OPT_JSON:
            o->json = true;
            break;
        case OPT_WIDE:
            o->wide = true;
            break;
        case 'h':
            return -1;
        case ':':
            return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (record_option(c, optarg, &o->rec))
                break;
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(cli, "expected one network file, got %d arguments", argc - optind);
    o->net = argv[optind];
    return sched_opts_check(cli, &o->so);
}

static int write_schedule(mp_cli *cli, const mp_schedule *s, const char *path)
{
    mp_error err;
    mp_strbuf sb;
    mp_error_init(&err);
    mp_strbuf_init(&sb);
    if (mp_schedule_write_json(s, &sb, &err) != MP_OK ||
        mp_file_write_atomic(path, sb.buf, sb.len, &err) != MP_OK) {
        mp_strbuf_release(&sb);
        return cli_fail(cli, &err);
    }
    mp_strbuf_release(&sb);
    if (strcmp(path, "-") != 0)
        fprintf(cli->err, "memplan: plan: wrote %s\n", path);
    return EXIT_OK;
}

int cmd_plan(mp_cli *cli, int argc, char **argv)
{
    plan_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0) {
        fputs(plan_usage_head, cli->out);
        fputs("schedule (default: per-layer):\n", cli->out);
        fputs(sched_opts_usage, cli->out);
        return EXIT_OK;
    }
    if (rc != EXIT_OK ||
        (rc = record_mcu_budget(cli, &o.rec, &o.so.search, o.so.best || o.so.fused)) != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_schedule *s = NULL;
    bool fits = true;
    if (cli_import(cli, o.net, &g, &err) != MP_OK)
        return cli_fail(cli, &err);
    rc = sched_opts_build(cli, &o.so, g, &s, &fits);
    size_t per_layer = 0;
    if (rc == EXIT_OK) {
        mp_per_layer pl;
        if (mp_plan_per_layer(g, s->order, &s->opts, &pl, &err) == MP_OK) {
            per_layer = pl.peak_bytes;
            mp_per_layer_release(&pl);
        }
        if (per_layer && s->peak_bytes > per_layer)
            fprintf(cli->err, "memplan: plan: warning: this schedule needs %s B, more than "
                              "per-layer execution (%s B)\n",
                    cli_count(s->peak_bytes), cli_count(per_layer));
        bool to_stdout = o.output && strcmp(o.output, "-") == 0; /* the JSON alone */
        if (o.json && !to_stdout)
            plan_print_json(cli, s);
        else if (!to_stdout)
            plan_print_text(cli, s, o.summary, o.wide, per_layer, o.so.search.reserve);
        if (o.output)
            rc = write_schedule(cli, s, o.output);
        if (rc == EXIT_OK && !fits)
            rc = EXIT_FAIL;
        rc = record_plan(cli, &o.rec, argc, argv, s, rc);
    }
    mp_schedule_free(s);
    mp_graph_free(g);
    return rc;
}
