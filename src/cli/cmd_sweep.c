/* SPDX-License-Identifier: MIT */
/*
 * cmd_sweep.c - `memplan sweep`: which networks fit which SRAM budgets or
 * MCUs, with which schedule (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"
#include "record.h"
#include "tflm_out.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char sweep_usage[] =
    "usage: memplan sweep NET... (--budgets LIST | --mcus all|LIST) [options]\n"
    "\n"
    "For every network x SRAM budget (or MCU) the cheapest schedule that fits:\n"
    "per-layer, or patch-based with the fewest MACs; for an MCU the weights must\n"
    "also fit its flash. Otherwise how much is missing. Prints a matrix (networks\n"
    "x targets) and records the sweep in the database. One patch search per\n"
    "network serves every budget.\n"
    "\n"
    "options:\n"
    "  --budgets LIST     SRAM budgets, e.g. 64K,128K,256K,512K\n"
    "  --mcus all|LIST    parts of the catalog, e.g. STM32F746,nRF52840 ('memplan\n"
    "                     mcus' lists them)\n"
    "  --catalog FILE     add the parts of a JSON catalog (docs/cli.md)\n"
    "  --jobs N           work on N networks at once (threads; default 1); the\n"
    "                     results do not depend on N\n"
    "  --shard I/N        only networks I, I+N, I+2N, ... (1-based) of the list,\n"
    "                     for N machines; 'memplan merge' combines their databases\n"
    "  --inplace-dw       depthwise convolutions write over their input\n"
    "  --align N          round every buffer up to N bytes\n"
    "  --input MODE       sram (default) or stream\n"
    "  --halo MODES       halo modes searched: recompute, cache, cache-cols, a\n"
    "                     comma-separated list of them, or all (default all)\n"
    "  --max-grid N       largest patch rows/cols tried (default 8)\n"
    "  --json             print one JSON document (docs/cli.md)\n"
    CLI_TFLM_USAGE
    RECORD_USAGE_DB
    "  -h, --help         show this help\n";

typedef struct sweep_opts {
    const char *budgets, *mcus;
    uint32_t jobs, shard, n_shards;
    mp_plan_opts plan;
    mp_search_opts search;
    bool json;
    record_opts rec;
    mp_tflm_kernels kernels; /* --kernels */
} sweep_opts;

/* "I/N" with 1 <= I <= N <= 100000 */
static int parse_shard(mp_cli *cli, const char *text, sweep_opts *o)
{
    char *end;
    unsigned long i = strtoul(text, &end, 10), n = 0;
    if (end != text && *end == '/') {
        const char *p = end + 1;
        n = strtoul(p, &end, 10);
        if (end == p)
            n = 0;
    }
    if (*end || text[0] == '-' || i < 1 || n < 1 || i > n || n > 100000)
        return cli_usage_error(cli, "--shard: expected I/N with 1 <= I <= N, e.g. 2/4, got '%s'",
                               text);
    o->shard = (uint32_t)(i - 1);
    o->n_shards = (uint32_t)n;
    return EXIT_OK;
}

static int parse_option(mp_cli *cli, int c, sweep_opts *o)
{
    unsigned long v;
    switch (c) {
    case 'b':
        o->budgets = optarg;
        return EXIT_OK;
    case 'm':
        o->mcus = optarg;
        return EXIT_OK;
    case 'j':
        if (!cli_parse_uint(cli, "--jobs", optarg, 1, 64, &v))
            return EXIT_USAGE;
        o->jobs = (uint32_t)v;
        return EXIT_OK;
    case 's':
        return parse_shard(cli, optarg, o);
    case 'i':
        o->plan.inplace_dw = true;
        return EXIT_OK;
    case 'a':
        if (!cli_parse_uint(cli, "--align", optarg, 1, 4096, &v))
            return EXIT_USAGE;
        o->plan.align = v;
        return EXIT_OK;
    case 'I':
        return cli_parse_input_mode(cli, optarg, &o->plan.input_mode);
    case 'H':
        return cli_parse_halo_modes(cli, optarg, &o->search.halos);
    case 'g':
        if (!cli_parse_uint(cli, "--max-grid", optarg, 1, MP_PATCH_MAX_GRID, &v))
            return EXIT_USAGE;
        o->search.max_rows = o->search.max_cols = (uint32_t)v;
        return EXIT_OK;
    case 'J':
        o->json = true;
        return EXIT_OK;
    case 'K':
        if (!cli_tflm_parse_kernels(cli, optarg, &o->kernels))
            return EXIT_USAGE;
        o->plan.kernels = o->kernels; /* the scratch counts towards what fits */
        return EXIT_OK;
    case 'R':
        return cli_parse_reserve(cli, optarg, &o->search.reserve) ? EXIT_OK : EXIT_USAGE;
    default:
        return cli_usage_error(cli, "unknown option '%s'", optarg ? optarg : "?");
    }
}

static int parse_args(mp_cli *cli, int argc, char **argv, sweep_opts *o)
{
    static const struct option longopts[] = {
        {"budgets", required_argument, NULL, 'b'}, {"mcus", required_argument, NULL, 'm'},
        {"jobs", required_argument, NULL, 'j'},    {"shard", required_argument, NULL, 's'},
        {"inplace-dw", no_argument, NULL, 'i'},    {"align", required_argument, NULL, 'a'},
        {"input", required_argument, NULL, 'I'},   {"halo", required_argument, NULL, 'H'},
        {"max-grid", required_argument, NULL, 'g'}, {"json", no_argument, NULL, 'J'},
        {"kernels", required_argument, NULL, 'K'}, {"reserve", required_argument, NULL, 'R'},
        RECORD_LONGOPTS,                           {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mp_plan_opts_init(&o->plan);
    mp_search_opts_init(&o->search);
    o->jobs = 1;
    o->n_shards = 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h')
            return -1;
        if (c == ':')
            return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        if (c == '?')
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        if (record_option(c, optarg, &o->rec))
            continue;
        int rc = parse_option(cli, c, o);
        if (rc != EXIT_OK)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(cli, "expected one or more network files");
    if (o->budgets && o->mcus)
        return cli_usage_error(cli, "--budgets and --mcus exclude each other");
    if (!o->budgets && !o->mcus)
        return cli_usage_error(cli, "give the targets: --budgets LIST or --mcus all|LIST");
    if (o->rec.catalog && !o->mcus)
        return cli_usage_error(cli, "--catalog goes with --mcus");
    if (argc - optind > (int)MP_SWEEP_MAX_NETS)
        return cli_usage_error(cli, "more than %u networks", MP_SWEEP_MAX_NETS);
    return EXIT_OK;
}

/* The targets of --budgets or --mcus. */
static int make_targets(mp_cli *cli, const sweep_opts *o, mp_sweep_target **t, uint32_t *n)
{
    mp_error err;
    mp_error_init(&err);
    if (o->budgets) {
        if (mp_sweep_budget_targets(o->budgets, "--budgets", t, n, &err) != MP_OK)
            return err.status == MP_E_NOMEM ? cli_fail(cli, &err)
                                            : cli_usage_error(cli, "%s", err.msg);
        return EXIT_OK;
    }
    mp_mcu_catalog *cat;
    int rc = record_catalog(cli, &o->rec, &cat);
    if (rc != EXIT_OK)
        return rc;
    if (mp_sweep_mcu_targets(cat, o->mcus, "--mcus", t, n, &err) != MP_OK)
        rc = err.status == MP_E_NOMEM ? cli_fail(cli, &err) : cli_usage_error(cli, "%s", err.msg);
    mp_mcu_catalog_free(cat);
    return rc;
}

static int print_result(mp_cli *cli, const sweep_opts *o, const mp_sweep *sw)
{
    mp_error err;
    mp_error_init(&err);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_report r;
    mp_report_init(&r);
    mp_status st = o->json ? mp_sweep_write_json(sw, &sb, &err)
                           : mp_sweep_matrix(sw, &r, &err);
    if (st == MP_OK && !o->json)
        st = mp_report_write(&r, MP_REPORT_TABLE, &sb, &err);
    if (st == MP_OK)
        fputs(sb.buf, cli->out);
    mp_report_release(&r);
    mp_strbuf_release(&sb);
    int rc = st == MP_OK ? EXIT_OK : cli_fail(cli, &err);
    for (uint32_t i = 0; i < sw->n_nets; i++) {
        if (sw->nets[i].g)
            continue;
        cli_fail(cli, &sw->nets[i].error);
        rc = EXIT_FAIL;
    }
    return rc;
}

int cmd_sweep(mp_cli *cli, int argc, char **argv)
{
    int64_t started = record_now_ms();
    sweep_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK)
        return rc;
    mp_sweep_target *targets = NULL;
    uint32_t n_targets = 0;
    if ((rc = make_targets(cli, &o, &targets, &n_targets)) != EXIT_OK)
        return rc;
    mp_sweep_spec spec;
    mp_sweep_spec_init(&spec);
    spec.nets = (const char *const *)(argv + optind);
    spec.n_nets = (uint32_t)(argc - optind);
    spec.targets = targets;
    spec.n_targets = n_targets;
    spec.plan = o.plan;
    spec.search = o.search;
    spec.jobs = o.jobs;
    spec.tflm_kernels = o.kernels;
    spec.shard = o.shard;
    spec.n_shards = o.n_shards;
    cli_progress_bar bar;
    if (cli_progress_start(cli, "networks", &bar)) {
        spec.progress = cli_progress;
        spec.progress_ctx = &bar;
    }
    mp_error err;
    mp_error_init(&err);
    mp_sweep *sw = NULL;
    if (mp_sweep_run(&spec, &sw, &err) != MP_OK) {
        rc = cli_fail(cli, &err);
    } else {
        rc = print_result(cli, &o, sw);
        rc = record_sweep(cli, &o.rec, argc, argv, started, sw, rc);
    }
    mp_sweep_free(sw);
    mp_sweep_targets_free(targets);
    return rc;
}
