/* SPDX-License-Identifier: MIT */
/*
 * cmd_plan.c - `memplan plan`: one patch schedule in detail, per patch and op
 * (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"
#include "record.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char plan_usage[] =
    "usage: memplan plan NET [--split NAME --patches RxC | --best] [options]\n"
    "\n"
    "Plan a schedule and give every buffer its arena offset. With --split and\n"
    "--patches: a patch-based schedule whose stage runs from the first layer to\n"
    "the layer producing NAME (the split tensor), tile by tile on an R x C grid\n"
    "of NAME; prints its peak and MACs, every tensor's role and buffer sizes,\n"
    "and for every patch and op the region it holds, the region it computes and\n"
    "what it reads with the padding inside the window. With --best: the schedule\n"
    "analyze recommends (for --budget). Otherwise: the per-layer schedule.\n"
    "-o writes the schedule as JSON (docs/schedule-json.md) for validate/export.\n"
    "\n"
    "options:\n"
    "  --split NAME       the split tensor (a layer name)\n"
    "  --patches RxC      the grid, e.g. 4x4 (rows x columns)\n"
    "  --best             the best schedule of the patch search\n"
    "  --budget SIZE      with --best: the SRAM budget to meet\n"
    "  --inplace-ops      add/mul over a dead input and reshape in place\n"
    "  -o FILE            write the schedule JSON to FILE (atomically)\n"
    "  --cuts SPEC        even (default), balanced, or explicit boundaries on the\n"
    "                     split tensor 'R0,R1,...,Rr:C0,C1,...,Cc' (uneven grids)\n"
    "  --halo MODE        recompute (default) or cache\n"
    "  --input MODE       sram (default) or stream\n"
    "  --inplace-dw       depthwise convolutions write over their input\n"
    "  --align N          round every buffer up to N bytes\n"
    "  --summary          omit the per-patch detail\n"
    "  --json             print one JSON document (docs/cli.md)\n"
    RECORD_USAGE_MCU RECORD_USAGE_DB
    "  -h, --help         show this help\n";

typedef struct plan_opts {
    const char *net, *split, *cuts, *output;
    uint32_t rows, cols;
    mp_plan_opts plan;
    mp_search_opts search;
    mp_halo halo;
    bool summary, json, best;
    record_opts rec;
} plan_opts;

static int parse_grid(mp_cli *cli, const char *text, uint32_t *rows, uint32_t *cols)
{
    char *end;
    unsigned long r = strtoul(text, &end, 10), c = 0;
    if (end != text && (*end == 'x' || *end == 'X')) {
        const char *p = end + 1;
        c = strtoul(p, &end, 10);
        if (end == p)
            c = 0;
    }
    if (*end || r < 1 || c < 1 || r > MP_PATCH_MAX_GRID || c > MP_PATCH_MAX_GRID)
        return cli_usage_error(cli, "--patches: expected RxC with 1..%u each, e.g. 4x4, got '%s'",
                               MP_PATCH_MAX_GRID, text);
    *rows = (uint32_t)r;
    *cols = (uint32_t)c;
    return EXIT_OK;
}

static int parse_args(mp_cli *cli, int argc, char **argv, plan_opts *o)
{
    enum { OPT_SPLIT = 256, OPT_PATCHES, OPT_CUTS, OPT_HALO, OPT_INPUT, OPT_INPLACE, OPT_ALIGN,
           OPT_SUMMARY, OPT_JSON, OPT_BEST, OPT_BUDGET, OPT_INPLACE_OPS };
    static const struct option longopts[] = {
        {"split", required_argument, NULL, OPT_SPLIT},
        {"patches", required_argument, NULL, OPT_PATCHES},
        {"cuts", required_argument, NULL, OPT_CUTS},
        {"halo", required_argument, NULL, OPT_HALO},
        {"input", required_argument, NULL, OPT_INPUT},
        {"inplace-dw", no_argument, NULL, OPT_INPLACE},
        {"align", required_argument, NULL, OPT_ALIGN},
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"json", no_argument, NULL, OPT_JSON},
        {"best", no_argument, NULL, OPT_BEST},
        {"budget", required_argument, NULL, OPT_BUDGET},
        {"inplace-ops", no_argument, NULL, OPT_INPLACE_OPS},
        {"output", required_argument, NULL, 'o'},
        RECORD_LONGOPTS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mp_plan_opts_init(&o->plan);
    mp_search_opts_init(&o->search);
    o->halo = MP_HALO_RECOMPUTE;
    optind = 1;
    opterr = 0;
    int c;
    unsigned long v;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case OPT_BEST:
            o->best = true;
            break;
        case OPT_BUDGET:
            if (!cli_parse_size(cli, "--budget", optarg, &o->search.budget))
                return EXIT_USAGE;
            o->search.have_budget = true;
            break;
        case OPT_INPLACE_OPS:
            o->plan.inplace_ops = true;
            break;
        case OPT_SPLIT:
            o->split = optarg;
            break;
        case OPT_PATCHES:
            if (parse_grid(cli, optarg, &o->rows, &o->cols) != EXIT_OK)
                return EXIT_USAGE;
            break;
        case OPT_CUTS:
            o->cuts = optarg;
            break;
        case OPT_HALO:
            if (!mp_halo_parse(optarg, &o->halo))
                return cli_usage_error(cli, "--halo: expected recompute or cache, got '%s'",
                                       optarg);
            break;
        case OPT_INPUT:
            if (cli_parse_input_mode(cli, optarg, &o->plan.input_mode) != EXIT_OK)
                return EXIT_USAGE;
            break;
        case OPT_INPLACE:
            o->plan.inplace_dw = true;
            break;
        case OPT_ALIGN:
            if (!cli_parse_uint(cli, "--align", optarg, 1, 4096, &v))
                return EXIT_USAGE;
            o->plan.align = v;
            break;
        case OPT_SUMMARY:
            o->summary = true;
            break;
        case OPT_JSON:
            o->json = true;
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
    if (!o->split != !o->rows)
        return cli_usage_error(cli, "--split and --patches go together");
    if (o->best && o->split)
        return cli_usage_error(cli, "--best and --split exclude each other");
    if (o->search.have_budget && !o->best)
        return cli_usage_error(cli, "--budget needs --best");
    return EXIT_OK;
}

/* "0,20,40,56" into n + 1 boundaries. */
static bool parse_bounds(const char *s, const char *end, int32_t *out, uint32_t n)
{
    uint32_t k = 0;
    while (s < end) {
        char *e;
        long v = strtol(s, &e, 10);
        if (e == s || k > n || v < 0 || v > MP_MAX_DIM)
            return false;
        out[k++] = (int32_t)v;
        s = e;
        if (s < end && *s != ',')
            return false;
        if (s < end)
            s++;
    }
    return k == n + 1;
}

/* --cuts: even | balanced | R0,..,Rr:C0,..,Cc */
static int resolve_cuts(mp_cli *cli, const plan_opts *o, mp_patch_spec *spec, int32_t *rc,
                        int32_t *cc)
{
    spec->cuts = MP_CUTS_EVEN;
    if (!o->cuts || strcmp(o->cuts, "even") == 0)
        return EXIT_OK;
    if (strcmp(o->cuts, "balanced") == 0) {
        spec->cuts = MP_CUTS_BALANCED;
        return EXIT_OK;
    }
    const char *colon = strchr(o->cuts, ':');
    if (!colon || !parse_bounds(o->cuts, colon, rc, o->rows) ||
        !parse_bounds(colon + 1, colon + strlen(colon), cc, o->cols))
        return cli_usage_error(cli,
                               "--cuts: expected even, balanced or %u+1 row and %u+1 column "
                               "boundaries like 0,28,56:0,28,56, got '%s'",
                               o->rows, o->cols, o->cuts);
    spec->cuts = MP_CUTS_GIVEN;
    spec->row_cuts = rc;
    spec->col_cuts = cc;
    return EXIT_OK;
}

/* The tiled segment asked for: --split/--patches, or the search's best. */
static int tiled_spec(mp_cli *cli, plan_opts *o, const mp_graph *g, const mp_per_layer *pl,
                      mp_schedule_spec *spec, int32_t *rc, int32_t *cc, mp_error *err)
{
    if (o->split) {
        mp_patch_spec *t = &spec->tiled[0];
        *t = (mp_patch_spec){.rows = o->rows, .cols = o->cols, .halo = o->halo};
        if (resolve_cuts(cli, o, t, rc, cc) != EXIT_OK)
            return EXIT_USAGE;
        if (mp_patch_spec_for_split(g, pl, o->split, t, err) != MP_OK)
            return cli_fail(cli, err);
        spec->n_tiled = 1;
        return EXIT_OK;
    }
    if (!o->best)
        return EXIT_OK;
    mp_patch_search ps;
    if (mp_patch_search_run(g, pl, &o->plan, &o->search, &ps, err) != MP_OK)
        return cli_fail(cli, err);
    if (ps.have_best) {
        spec->tiled[0] = (mp_patch_spec){0, ps.best.last_step, ps.best.rows, ps.best.cols,
                                         ps.best.cuts, NULL, NULL, ps.best.halo};
        spec->n_tiled = 1;
    }
    if (!ps.fits)
        fprintf(cli->err, "memplan: plan: no schedule fits the budget of %s bytes: it needs %s "
                          "bytes more\n",
                cli_count(o->search.budget), cli_count(ps.missing_bytes));
    int rc2 = ps.fits ? EXIT_OK : EXIT_FAIL;
    mp_patch_search_release(&ps);
    return rc2 == EXIT_OK ? EXIT_OK : -2; /* -2: continue, but exit 1 at the end */
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
    fprintf(cli->err, "memplan: plan: wrote %s\n", path);
    return EXIT_OK;
}

int cmd_plan(mp_cli *cli, int argc, char **argv)
{
    plan_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK || (rc = record_mcu_budget(cli, &o.rec, &o.search, o.best)) != EXIT_OK)
        return rc;
    int32_t row_cuts[MP_PATCH_MAX_GRID + 1], col_cuts[MP_PATCH_MAX_GRID + 1];
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_per_layer pl = {0};
    mp_schedule *s = NULL;
    mp_schedule_spec *spec = calloc(1, sizeof *spec);
    if (!spec)
        return cli_fail(cli, &err);
    mp_schedule_spec_init(spec);
    spec->opts = o.plan;
    bool fits = true;
    if (mp_import_file(o.net, &g, &err) != MP_OK ||
        mp_plan_per_layer(g, NULL, &o.plan, &pl, &err) != MP_OK) {
        rc = cli_fail(cli, &err);
        goto out;
    }
    rc = tiled_spec(cli, &o, g, &pl, spec, row_cuts, col_cuts, &err);
    if (rc == -2) {
        fits = false;
        rc = EXIT_OK;
    }
    if (rc != EXIT_OK)
        goto out;
    if (mp_schedule_build(g, spec, &s, &err) != MP_OK) {
        rc = cli_fail(cli, &err);
        goto out;
    }
    if (o.json)
        plan_print_json(cli, s);
    else
        plan_print_text(cli, s, o.summary);
    if (o.output)
        rc = write_schedule(cli, s, o.output);
    if (rc == EXIT_OK && !fits)
        rc = EXIT_FAIL;
    rc = record_plan(cli, &o.rec, argc, argv, s, rc);
out:
    mp_schedule_free(s);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
    free(spec);
    return rc;
}
