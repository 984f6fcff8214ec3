/* SPDX-License-Identifier: MIT */
/*
 * cmd_render.c - `memplan render`: a picture of a schedule (network graph,
 * memory timeline or arena lifecycle) drawn with Graphviz, and the helper
 * behind `memplan analyze --render DIR` (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char render_usage[] =
    "usage: memplan render NET -o OUT [--kind graph|timeline|lifecycle] [options]\n"
    "\n"
    "Draw a schedule of NET with Graphviz, to OUT in the format its extension\n"
    "names (.dot or .gv: the graph before layout; .svg; .png; .pdf):\n"
    "  graph      the network: every op labelled with its output shape and the\n"
    "             SRAM in use at its step, shaded by it, the peak step outlined,\n"
    "             the patch stage a cluster noting its grid\n"
    "  timeline   SRAM in use at every step, run per layer and under the\n"
    "             schedule, with the peaks and the budget as lines\n"
    "  lifecycle  every arena buffer as a rectangle: the steps it lives (x) by\n"
    "             its offset and size (y)\n"
    "The schedule comes from --schedule FILE (JSON written by 'memplan plan -o'),\n"
    "or is planned here: the best of the patch search (as 'plan --best' picks\n"
    "it, for --budget), or per-layer with --no-patch.\n"
    "\n"
    "options:\n"
    "  -o FILE            the picture to write (atomically)\n"
    "  --kind KIND        graph (default), timeline or lifecycle\n"
    "  --schedule FILE    draw this saved schedule\n"
    "  --budget SIZE      SRAM budget: drawn as a line; without --schedule the\n"
    "                     search picks the cheapest schedule that fits it\n"
    "  --no-patch         draw the per-layer schedule\n"
    "  --title TEXT       the picture's title (default: network and picture)\n"
    "planning (not with --schedule):\n"
    "  --inplace-dw       depthwise convolutions write over their input\n"
    "  --inplace-ops      add/mul over a dead input and reshape in place\n"
    "  --input MODE       sram (default) or stream\n"
    "  --align N          round every buffer up to N bytes\n"
    "  --halo MODE        recompute, cache or both (default both)\n"
    "  --max-grid N       largest patch rows/cols tried (default 8)\n"
    "  -h, --help         show this help\n";

enum {
    OPT_KIND = 256,
    OPT_SCHEDULE,
    OPT_BUDGET,
    OPT_NO_PATCH,
    OPT_TITLE,
    OPT_INPLACE,
    OPT_INPLACE_OPS,
    OPT_INPUT,
    OPT_ALIGN,
    OPT_HALO,
    OPT_GRID
};

typedef struct render_opts {
    const char *net, *output, *schedule;
    mp_render_opts render;
    mp_plan_opts plan;
    mp_search_opts search;
    bool no_patch;
    bool planning; /* a planning option was given */
    mp_render_format format;
} render_opts;

static int parse_option(mp_cli *cli, int c, render_opts *o)
{
    unsigned long v;
    bool planning = c == OPT_INPLACE || c == OPT_INPLACE_OPS || c == OPT_INPUT || c == OPT_ALIGN ||
                    c == OPT_HALO || c == OPT_GRID;
    o->planning = o->planning || planning;
    switch (c) {
    case 'o':
        o->output = optarg;
        return EXIT_OK;
    case OPT_KIND:
        if (!mp_render_kind_parse(optarg, &o->render.kind))
            return cli_usage_error(cli, "--kind: expected graph, timeline or lifecycle, got '%s'",
                                   optarg);
        return EXIT_OK;
    case OPT_SCHEDULE:
        o->schedule = optarg;
        return EXIT_OK;
    case OPT_BUDGET:
        if (!cli_parse_size(cli, "--budget", optarg, &o->search.budget))
            return EXIT_USAGE;
        o->search.have_budget = o->render.have_budget = true;
        o->render.budget = o->search.budget;
        return EXIT_OK;
    case OPT_NO_PATCH:
        o->no_patch = true;
        return EXIT_OK;
    case OPT_TITLE:
        o->render.title = optarg;
        return EXIT_OK;
    case OPT_INPLACE:
        o->plan.inplace_dw = true;
        return EXIT_OK;
    case OPT_INPLACE_OPS:
        o->plan.inplace_ops = true;
        return EXIT_OK;
    case OPT_INPUT:
        return cli_parse_input_mode(cli, optarg, &o->plan.input_mode);
    case OPT_ALIGN:
        if (!cli_parse_uint(cli, "--align", optarg, 1, 4096, &v))
            return EXIT_USAGE;
        o->plan.align = v;
        return EXIT_OK;
    case OPT_HALO:
        return cli_parse_halo_modes(cli, optarg, &o->search.recompute, &o->search.cache);
    case OPT_GRID:
        if (!cli_parse_uint(cli, "--max-grid", optarg, 1, MP_PATCH_MAX_GRID, &v))
            return EXIT_USAGE;
        o->search.max_rows = o->search.max_cols = (uint32_t)v;
        return EXIT_OK;
    default:
        return cli_usage_error(cli, "unknown option '%s'", optarg ? optarg : "?");
    }
}

static int parse_args(mp_cli *cli, int argc, char **argv, render_opts *o)
{
    static const struct option longopts[] = {
        {"kind", required_argument, NULL, OPT_KIND},
        {"schedule", required_argument, NULL, OPT_SCHEDULE},
        {"budget", required_argument, NULL, OPT_BUDGET},
        {"no-patch", no_argument, NULL, OPT_NO_PATCH},
        {"title", required_argument, NULL, OPT_TITLE},
        {"inplace-dw", no_argument, NULL, OPT_INPLACE},
        {"inplace-ops", no_argument, NULL, OPT_INPLACE_OPS},
        {"input", required_argument, NULL, OPT_INPUT},
        {"align", required_argument, NULL, OPT_ALIGN},
        {"halo", required_argument, NULL, OPT_HALO},
        {"max-grid", required_argument, NULL, OPT_GRID},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mp_render_opts_init(&o->render);
    mp_plan_opts_init(&o->plan);
    mp_search_opts_init(&o->search);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        if (c == 'h')
            return -1;
        if (c == ':')
            return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        if (c == '?')
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        int rc = parse_option(cli, c, o);
        if (rc != EXIT_OK)
            return rc;
    }
    if (optind != argc - 1)
        return cli_usage_error(cli, "expected one network file, got %d arguments", argc - optind);
    o->net = argv[optind];
    if (!o->output)
        return cli_usage_error(cli, "-o OUT is required (.dot, .gv, .svg, .png or .pdf)");
    if (!mp_render_format_from_path(o->output, &o->format))
        return cli_usage_error(cli,
                               "-o: cannot tell the format from '%s': use .dot, .gv, .svg, "
                               ".png or .pdf",
                               o->output);
    if (o->schedule && (o->planning || o->no_patch))
        return cli_usage_error(cli, "--schedule takes its planning options from the file: drop "
                                    "--no-patch, --inplace-*, --input, --align, --halo and "
                                    "--max-grid");
    return EXIT_OK;
}

/* The schedule to draw as analyze and plan --best choose it: the search's best, else
 * per-layer. ps may be NULL (no search). */
static mp_status chosen_schedule(const mp_graph *g, const mp_plan_opts *plan,
                                 const mp_patch_search *ps, mp_schedule **out, mp_error *err)
{
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts = *plan;
    if (ps && ps->have_best) {
        const mp_patch_point *b = &ps->best;
        spec.tiled[0] =
            (mp_patch_spec){0, b->last_step, b->rows, b->cols, b->cuts, NULL, NULL, b->halo};
        spec.n_tiled = 1;
    }
    return mp_schedule_build(g, &spec, out, err);
}

/* Plan the schedule here; *fits is false when --budget cannot be met. */
static mp_status plan_schedule(mp_cli *cli, const render_opts *o, const mp_graph *g,
                               mp_schedule **out, bool *fits, mp_error *err)
{
    mp_per_layer pl = {0};
    mp_patch_search ps = {0};
    *fits = true;
    mp_status st = mp_plan_per_layer(g, NULL, &o->plan, &pl, err);
    if (st == MP_OK && !o->no_patch)
        st = mp_patch_search_run(g, &pl, &o->plan, &o->search, &ps, err);
    if (st == MP_OK)
        st = chosen_schedule(g, &o->plan, o->no_patch ? NULL : &ps, out, err);
    if (st == MP_OK && o->search.have_budget && !o->no_patch && !ps.fits) {
        *fits = false;
        fprintf(cli->err,
                "memplan: render: no schedule fits the budget of %s bytes: it needs "
                "%s bytes more\n",
                cli_count(o->search.budget), cli_count(ps.missing_bytes));
    } else if (st == MP_OK && o->search.have_budget && o->no_patch &&
               pl.peak_bytes > o->search.budget) {
        *fits = false;
        fprintf(cli->err,
                "memplan: render: the per-layer schedule does not fit the budget of %s "
                "bytes: it needs %s bytes more\n",
                cli_count(o->search.budget), cli_count(pl.peak_bytes - o->search.budget));
    }
    mp_patch_search_release(&ps);
    mp_per_layer_release(&pl);
    return st;
}

int cmd_render(mp_cli *cli, int argc, char **argv)
{
    render_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_schedule *s = NULL;
    mp_renderer *r = NULL; /* DOT needs no Graphviz context */
    bool fits = true;
    mp_status st = mp_import_file(o.net, &g, &err);
    if (st == MP_OK && o.schedule)
        st = mp_schedule_load(g, o.schedule, &s, &err);
    else if (st == MP_OK)
        st = plan_schedule(cli, &o, g, &s, &fits, &err);
    if (st == MP_OK && o.format != MP_RENDER_DOT)
        st = mp_renderer_new(&r, &err);
    if (st == MP_OK)
        st = mp_render_file(r, s, &o.render, o.output, &err);
    if (st == MP_OK)
        fprintf(cli->err, "memplan: render: wrote %s (%s, %s)\n", o.output,
                mp_render_kind_name(o.render.kind), mp_render_format_name(o.format));
    if (st == MP_OK && o.schedule && mp_schedule_check_layout(s, &err) != MP_OK) {
        /* drawn anyway (the offending buffers are outlined in red), but it is not valid */
        mp_error_prefix(&err, o.schedule);
        st = err.status;
    }
    rc = st != MP_OK ? cli_fail(cli, &err) : fits ? EXIT_OK : EXIT_FAIL;
    mp_renderer_free(r);
    mp_schedule_free(s);
    mp_graph_free(g);
    return rc;
}

int cli_render_dir(mp_cli *cli, const mp_graph *g, const mp_plan_opts *plan,
                   const mp_patch_search *ps, const mp_search_opts *search, const char *dir)
{
    mp_error err;
    mp_error_init(&err);
    mp_schedule *s = NULL;
    mp_renderer *r = NULL;
    mp_status st = mp_mkdir_p(dir, &err);
    if (st == MP_OK)
        st = chosen_schedule(g, plan, ps, &s, &err);
    if (st == MP_OK)
        st = mp_renderer_new(&r, &err);
    for (unsigned k = 0; st == MP_OK && k < MP_RENDER_KIND_COUNT; k++) {
        mp_render_opts ro;
        mp_render_opts_init(&ro);
        ro.kind = (mp_render_kind)k;
        ro.have_budget = search->have_budget;
        ro.budget = search->budget;
        mp_strbuf path;
        mp_strbuf_init(&path);
        mp_strbuf_printf(&path, "%s/%s.svg", dir, mp_render_kind_name(ro.kind));
        st = path.failed ? mp_errorf(&err, MP_E_NOMEM, "out of memory")
                         : mp_render_file(r, s, &ro, path.buf, &err);
        if (st == MP_OK)
            fprintf(cli->err, "memplan: %s: wrote %s\n", cli->cmd, path.buf);
        mp_strbuf_release(&path);
    }
    mp_renderer_free(r);
    mp_schedule_free(s);
    return st == MP_OK ? EXIT_OK : cli_fail(cli, &err);
}
