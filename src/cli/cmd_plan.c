/* SPDX-License-Identifier: MIT */
/*
 * cmd_plan.c - `memplan plan`: one patch schedule in detail, per patch and op
 * (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char plan_usage[] =
    "usage: memplan plan NET --split NAME --patches RxC [options]\n"
    "\n"
    "Plan one patch-based schedule: the stage runs from the first layer to the\n"
    "layer producing NAME (the split tensor), tile by tile on an R x C grid of\n"
    "NAME. Prints the schedule's peak and MACs, every tensor's role and buffer\n"
    "sizes, and for every patch and op the region it holds, the region it\n"
    "computes, and what it reads with the padding inside the window.\n"
    "\n"
    "options:\n"
    "  --split NAME       the split tensor (a layer name)\n"
    "  --patches RxC      the grid, e.g. 4x4 (rows x columns)\n"
    "  --cuts SPEC        even (default), balanced, or explicit boundaries on the\n"
    "                     split tensor 'R0,R1,...,Rr:C0,C1,...,Cc' (uneven grids)\n"
    "  --halo MODE        recompute (default) or cache\n"
    "  --input MODE       sram (default) or stream\n"
    "  --inplace-dw       depthwise convolutions write over their input\n"
    "  --align N          round every buffer up to N bytes\n"
    "  --summary          omit the per-patch detail\n"
    "  --json             print one JSON document (docs/cli.md)\n"
    "  -h, --help         show this help\n";

typedef struct plan_opts {
    const char *net, *split, *cuts;
    uint32_t rows, cols;
    mp_plan_opts plan;
    mp_halo halo;
    bool summary, json;
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
           OPT_SUMMARY, OPT_JSON };
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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mp_plan_opts_init(&o->plan);
    o->halo = MP_HALO_RECOMPUTE;
    optind = 1;
    opterr = 0;
    int c;
    unsigned long v;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
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
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(cli, "expected one network file, got %d arguments", argc - optind);
    o->net = argv[optind];
    if (!o->split)
        return cli_usage_error(cli, "--split NAME is required");
    if (!o->rows)
        return cli_usage_error(cli, "--patches RxC is required");
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

int cmd_plan(mp_cli *cli, int argc, char **argv)
{
    plan_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK)
        return rc;
    int32_t *row_cuts = calloc(o.rows + 1, sizeof *row_cuts);
    int32_t *col_cuts = calloc(o.cols + 1, sizeof *col_cuts);
    mp_patch_spec spec = {.rows = o.rows, .cols = o.cols, .halo = o.halo};
    if (!row_cuts || !col_cuts || resolve_cuts(cli, &o, &spec, row_cuts, col_cuts) != EXIT_OK) {
        free(row_cuts);
        free(col_cuts);
        return row_cuts && col_cuts ? EXIT_USAGE : EXIT_FAIL;
    }
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_per_layer pl = {0};
    mp_patch_plan *p = NULL;
    rc = EXIT_OK;
    if (mp_import_file(o.net, &g, &err) != MP_OK ||
        mp_plan_per_layer(g, NULL, &o.plan, &pl, &err) != MP_OK ||
        mp_patch_spec_for_split(g, &pl, o.split, &spec, &err) != MP_OK ||
        mp_patch_plan_new(g, &pl, &o.plan, &spec, &p, &err) != MP_OK) {
        rc = cli_fail(cli, &err);
    } else if (o.json) {
        plan_print_json(cli, g, p, &o.plan);
    } else {
        plan_print_text(cli, g, p, &o.plan, o.summary);
    }
    mp_patch_plan_free(p);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
    free(row_cuts);
    free(col_cuts);
    return rc;
}
