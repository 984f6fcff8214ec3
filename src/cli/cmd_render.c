/* SPDX-License-Identifier: MIT */
/*
 * cmd_render.c - `memplan render`: a picture of a schedule (network graph,
 * memory timeline or arena lifecycle) drawn with Graphviz, and the helper
 * behind `memplan analyze --render DIR` (module cli).
 */
#define _GNU_SOURCE
#include "sched_opts.h"

#include <getopt.h>
#include <string.h>

const char render_usage[] =
    "usage: memplan render NET -o OUT [--kind graph|timeline|lifecycle] [options]\n"
    "\n"
    "Draw a schedule of NET with Graphviz, to OUT in the format its extension\n"
    "names (.dot or .gv: the graph before layout; .svg; .png; .pdf):\n"
    "  graph      the network: every op labelled with its output shape and the\n"
    "             SRAM in use at its step, shaded by it, the peak step outlined,\n"
    "             every tiled segment a cluster noting its grid and halo mode\n"
    "  timeline   SRAM in use at every step, run per layer and under the\n"
    "             schedule, with the peaks and the budget as lines\n"
    "  lifecycle  every arena buffer as a rectangle: the steps it lives (x) by\n"
    "             its offset and size (y)\n"
    "The schedule is chosen as by 'memplan plan' (--schedule FILE, --split,\n"
    "--best, --fused); without any of them, the best of the patch search\n"
    "(--best), or per-layer with --no-patch. A --budget is drawn as a line.\n"
    "\n"
    "options:\n"
    "  -o FILE            the picture to write (atomically)\n"
    "  --kind KIND        graph (default), timeline or lifecycle\n"
    "  --no-patch         draw the per-layer schedule\n"
    "  --title TEXT       the picture's title (default: network and picture)\n"
    "  -h, --help         show this help\n";

enum { OPT_KIND = 256, OPT_NO_PATCH, OPT_TITLE };

typedef struct render_opts {
    const char *net, *output;
    mp_render_opts render;
    sched_opts so;
    bool no_patch;
    bool planning; /* an accounting or search option was given */
    mp_render_format format;
} render_opts;

static int parse_own(mp_cli *cli, int c, render_opts *o)
{
    switch (c) {
    case 'o':
        o->output = optarg;
        return EXIT_OK;
    case OPT_KIND:
        if (!mp_render_kind_parse(optarg, &o->render.kind))
            return cli_usage_error(cli, "--kind: expected graph, timeline or lifecycle, got '%s'",
                                   optarg);
        return EXIT_OK;
    case OPT_NO_PATCH:
        o->no_patch = true;
        return EXIT_OK;
    case OPT_TITLE:
        o->render.title = optarg;
        return EXIT_OK;
    default:
        return cli_usage_error(cli, "unknown option '%s'", optarg ? optarg : "?");
    }
}

/* Combinations: --no-patch and --schedule exclude the search options; the
 * budget is drawn, and chooses the schedule only when one is searched. */
static int check_args(mp_cli *cli, render_opts *o)
{
    sched_opts *so = &o->so;
    if (so->schedule && (o->planning || o->no_patch))
        return cli_usage_error(cli, "--schedule takes its planning options from the file: drop "
                                    "--no-patch, --inplace-*, --input, --align, --halo and "
                                    "--max-grid");
    if (o->no_patch && (so->split || so->best || so->fused))
        return cli_usage_error(cli, "--no-patch excludes --split, --best and --fused");
    o->render.have_budget = so->search.have_budget;
    o->render.budget = so->search.budget;
    if (!sched_opts_any(so) && !o->no_patch)
        so->best = true;
    if (so->schedule || o->no_patch)
        so->search.have_budget = false; /* drawn only */
    return sched_opts_check(cli, so);
}

static int parse_args(mp_cli *cli, int argc, char **argv, render_opts *o)
{
    static const struct option longopts[] = {
        SCHED_LONGOPTS,
        {"kind", required_argument, NULL, OPT_KIND},
        {"no-patch", no_argument, NULL, OPT_NO_PATCH},
        {"title", required_argument, NULL, OPT_TITLE},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mp_render_opts_init(&o->render);
    sched_opts_init(&o->so);
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
        o->planning = o->planning || c == SO_INPLACE_DW || c == SO_INPLACE_OPS ||
                      c == SO_INPUT || c == SO_ALIGN || c == SO_HALO || c == SO_MAX_GRID ||
                      c == SO_FLOAT_INPUT;
        int rc = sched_opts_parse(cli, c, optarg, &o->so);
        if (rc == -1)
            rc = parse_own(cli, c, o);
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
    return check_args(cli, o);
}

/* The schedule to draw; *fits is false when the budget cannot be met. */
static int build_schedule(mp_cli *cli, const render_opts *o, const mp_graph *g, mp_schedule **out,
                          bool *fits)
{
    int rc = sched_opts_build(cli, &o->so, g, out, fits);
    size_t missing = rc == EXIT_OK ? mp_search_missing(&o->so.search, (*out)->peak_bytes +
                                                                          (*out)->scratch_bytes)
                                   : 0;
    if (rc == EXIT_OK && o->no_patch && o->render.have_budget && missing) {
        *fits = false;
        fprintf(cli->err,
                "memplan: render: the per-layer schedule does not fit the budget of %s "
                "bytes: it needs %s bytes more\n",
                cli_count(o->render.budget), cli_count(missing));
    }
    return rc;
}

int cmd_render(mp_cli *cli, int argc, char **argv)
{
    render_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0) {
        fputs(render_usage, cli->out);
        fputs("schedule (default: --best):\n", cli->out);
        fputs(sched_opts_usage, cli->out);
        return EXIT_OK;
    }
    if (rc != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_schedule *s = NULL;
    mp_renderer *r = NULL; /* DOT needs no Graphviz context */
    bool fits = true;
    if (cli_import(cli, o.net, &g, &err) != MP_OK)
        return cli_fail(cli, &err);
    rc = build_schedule(cli, &o, g, &s, &fits);
    if (rc != EXIT_OK) {
        mp_graph_free(g);
        return rc;
    }
    mp_status st = MP_OK;
    if (o.format != MP_RENDER_DOT)
        st = mp_renderer_new(&r, &err);
    if (st == MP_OK)
        st = mp_render_file(r, s, &o.render, o.output, &err);
    if (st == MP_OK)
        fprintf(cli->err, "memplan: render: wrote %s (%s, %s)\n", o.output,
                mp_render_kind_name(o.render.kind), mp_render_format_name(o.format));
    if (st == MP_OK && o.so.schedule && mp_schedule_check_layout(s, &err) != MP_OK) {
        /* drawn anyway (the offending buffers are outlined in red), but it is not valid */
        mp_error_prefix(&err, o.so.schedule);
        st = err.status;
    }
    rc = st != MP_OK ? cli_fail(cli, &err) : fits ? EXIT_OK : EXIT_FAIL;
    mp_renderer_free(r);
    mp_schedule_free(s);
    mp_graph_free(g);
    return rc;
}

int cli_render_dir(mp_cli *cli, const mp_schedule *s, const mp_search_opts *search,
                   const char *dir)
{
    mp_error err;
    mp_error_init(&err);
    mp_renderer *r = NULL;
    mp_status st = mp_mkdir_p(dir, &err);
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
    return st == MP_OK ? EXIT_OK : cli_fail(cli, &err);
}
