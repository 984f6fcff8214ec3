/* SPDX-License-Identifier: MIT */
/* sched_opts.c - choosing a schedule from command-line options (module cli). */
#include "sched_opts.h"
#include "tflm_out.h"

#include <stdlib.h>
#include <string.h>

const char sched_opts_usage[] =
    "  --schedule FILE    a schedule saved by `memplan plan -o`\n"
    "  --split NAME       a patch stage from the first layer to the layer producing\n"
    "  --patches RxC        NAME, on an R x C grid of NAME (e.g. 4x4)\n"
    "  --cuts SPEC        even (default), balanced, or boundaries 'R0,..,Rr:C0,..,Cc'\n"
    "  --halo MODE        recompute (default), cache or cache-cols; with --best or\n"
    "                     --fused, the modes searched: a list (recompute,cache) or\n"
    "                     all (default)\n"
    "  --best             the best schedule of the single-stage patch search\n"
    "  --fused            the best multi-stage fused schedule (tiled blocks anywhere)\n"
    "  --budget SIZE      with --best/--fused: the SRAM budget to meet (256K, 300000)\n"
    "  --max-macs F       with --best/--fused: the lowest peak within F times the\n"
    "                     per-layer MACs (default without a budget: 1.1x, +10%)\n"
    "  --max-stages N     with --fused: at most N tiled blocks\n"
    "  --max-block N      with --fused: blocks of at most N steps (default: any;\n"
    "                     long networks search faster with a limit)\n"
    "  --jobs N           with --fused: threads of the search (default: the CPUs,\n"
    "                     at most 8); the result is the same for any N\n"
    "  --max-grid N       largest patch rows/cols tried (default 8, up to 64)\n"
    "  --order ORDER      file (default) or best: the topological order with the\n"
    "                     lowest per-layer peak (exact search), for any schedule\n"
    "accounting:\n"
    "  --inplace-dw       depthwise convolutions write over their input (MCUNet)\n"
    "  --inplace-ops      add/mul over a dead input and reshape in place\n"
    "  --input MODE       sram (default) or stream (the input decoded per patch)\n"
    "  --float-input-in-arena  hold a float32/uint8 input read by QUANTIZE in the\n"
    "                     arena (default: the caller's buffer, outside it)\n"
    "  --align N          round every buffer up to N bytes\n"
    "  --kernels K        reference (default) or cmsis-nn: count each op's kernel\n"
    "                     scratch buffer in the peak the search meets the budget with\n"
    "  --reserve SIZE     bytes kept for the stack and runtime: a schedule fits the\n"
    "                     budget when peak + scratch + reserve <= budget\n";

void sched_opts_init(sched_opts *o)
{
    memset(o, 0, sizeof *o);
    o->halo = MP_HALO_RECOMPUTE;
    mp_plan_opts_init(&o->plan);
    mp_search_opts_init(&o->search);
    mp_fused_opts_init(&o->fused_opts);
    o->fused_opts.jobs = cli_default_jobs();
}

bool cli_parse_factor(mp_cli *cli, const char *opt, const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end != text && *end == '%' && end[1] == '\0')
        v /= 100.0;
    else if (end != text && (*end == 'x' || *end == 'X') && end[1] == '\0')
        ;
    else if (end == text || *end)
        v = -1;
    if (!(v >= 1.0 && v <= 1000.0)) {
        cli_usage_error(cli, "%s: expected a MAC factor >= 1 such as 1.1x or 110%%, got '%s'",
                        opt, text);
        return false;
    }
    *out = v;
    return true;
}

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

int sched_opts_parse(mp_cli *cli, int c, const char *arg, sched_opts *o)
{
    unsigned long v;
    switch (c) {
    case SO_SCHEDULE:
        o->schedule = arg;
        return EXIT_OK;
    case SO_SPLIT:
        o->split = arg;
        return EXIT_OK;
    case SO_PATCHES:
        return parse_grid(cli, arg, &o->rows, &o->cols);
    case SO_CUTS:
        o->cuts = arg;
        return EXIT_OK;
    case SO_HALO:
        if (cli_parse_halo_modes(cli, arg, &o->halos) != EXIT_OK)
            return EXIT_USAGE;
        for (int h = 0; h < MP_HALO_COUNT; h++)
            if (o->halos == MP_HALO_BIT(h))
                o->halo = (mp_halo)h;
        o->search.halos = o->fused_opts.halos = o->halos;
        o->halo_given = true;
        return EXIT_OK;
    case SO_INPUT:
        return cli_parse_input_mode(cli, arg, &o->plan.input_mode);
    case SO_INPLACE_DW:
        o->plan.inplace_dw = true;
        return EXIT_OK;
    case SO_INPLACE_OPS:
        o->plan.inplace_ops = true;
        return EXIT_OK;
    case SO_FLOAT_INPUT:
        o->plan.count_float_input = true;
        return EXIT_OK;
    case SO_KERNELS:
        return cli_tflm_parse_kernels(cli, arg, &o->plan.kernels) ? EXIT_OK : EXIT_USAGE;
    case SO_RESERVE:
        return cli_parse_reserve(cli, arg, &o->search.reserve) ? EXIT_OK : EXIT_USAGE;
    case SO_ALIGN:
        if (!cli_parse_uint(cli, "--align", arg, 1, 4096, &v))
            return EXIT_USAGE;
        o->plan.align = v;
        return EXIT_OK;
    case SO_BEST:
        o->best = true;
        return EXIT_OK;
    case SO_FUSED:
        o->fused = true;
        return EXIT_OK;
    case SO_BUDGET:
        if (!cli_parse_budget(cli, "--budget", arg, &o->search.budget))
            return EXIT_USAGE;
        o->search.have_budget = true;
        return EXIT_OK;
    case SO_MAX_MACS:
        return cli_parse_factor(cli, "--max-macs", arg, &o->search.max_macs) ? EXIT_OK : EXIT_USAGE;
    case SO_MAX_STAGES:
        if (!cli_parse_uint(cli, "--max-stages", arg, 1, 64, &v))
            return EXIT_USAGE;
        o->fused_opts.max_stages = (uint32_t)v;
        return EXIT_OK;
    case SO_JOBS:
        if (!cli_parse_uint(cli, "--jobs", arg, 1, MP_FUSED_MAX_JOBS, &v))
            return EXIT_USAGE;
        o->fused_opts.jobs = (uint32_t)v;
        o->jobs_given = true;
        return EXIT_OK;
    case SO_MAX_BLOCK:
        if (!cli_parse_uint(cli, "--max-block", arg, 1, MP_MAX_OPS, &v))
            return EXIT_USAGE;
        o->fused_opts.max_block_ops = (uint32_t)v;
        return EXIT_OK;
    case SO_ORDER:
        return cli_parse_order(cli, arg, &o->order_best);
    case SO_MAX_GRID:
        if (!cli_parse_uint(cli, "--max-grid", arg, 1, MP_PATCH_MAX_GRID, &v))
            return EXIT_USAGE;
        o->search.max_rows = o->search.max_cols = (uint32_t)v;
        o->fused_opts.max_rows = o->fused_opts.max_cols = (uint32_t)v;
        return EXIT_OK;
    default:
        return -1;
    }
}

int sched_opts_check(mp_cli *cli, const sched_opts *o)
{
    int kinds = (o->schedule != NULL) + (o->split != NULL || o->rows) + o->best + o->fused;
    if (kinds > 1)
        return cli_usage_error(cli, "--schedule, --split/--patches, --best and --fused exclude "
                                    "each other");
    if (!o->split != !o->rows)
        return cli_usage_error(cli, "--split and --patches go together");
    if (o->search.have_budget && !o->best && !o->fused)
        return cli_usage_error(cli, "--budget needs --best or --fused");
    if (o->search.max_macs > 0 && !o->best && !o->fused)
        return cli_usage_error(cli, "--max-macs needs --best or --fused");
    if ((o->fused_opts.max_stages || o->fused_opts.max_block_ops || o->jobs_given) && !o->fused)
        return cli_usage_error(cli, "--max-stages, --max-block and --jobs need --fused");
    if (o->order_best && o->schedule)
        return cli_usage_error(cli, "--order: a saved schedule keeps its own order");
    if (o->cuts && !o->split)
        return cli_usage_error(cli, "--cuts needs --split and --patches");
    if (o->halo_given && !o->split && !o->best && !o->fused)
        return cli_usage_error(cli, "--halo needs --split, --best or --fused");
    if (o->halo_given && o->split && o->halos != MP_HALO_BIT(o->halo))
        return cli_usage_error(cli, "--halo: --split takes one mode (recompute, cache or "
                                    "cache-cols)");
    return EXIT_OK;
}

bool sched_opts_any(const sched_opts *o)
{
    return o->schedule || o->split || o->best || o->fused;
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

static int resolve_cuts(mp_cli *cli, const sched_opts *o, mp_patch_spec *t, int32_t *rc,
                        int32_t *cc)
{
    t->cuts = MP_CUTS_EVEN;
    if (!o->cuts || strcmp(o->cuts, "even") == 0)
        return EXIT_OK;
    if (strcmp(o->cuts, "balanced") == 0) {
        t->cuts = MP_CUTS_BALANCED;
        return EXIT_OK;
    }
    const char *colon = strchr(o->cuts, ':');
    if (!colon || !parse_bounds(o->cuts, colon, rc, o->rows) ||
        !parse_bounds(colon + 1, colon + strlen(colon), cc, o->cols))
        return cli_usage_error(cli,
                               "--cuts: expected even, balanced or %u+1 row and %u+1 column "
                               "boundaries like 0,28,56:0,28,56, got '%s'",
                               o->rows, o->cols, o->cuts);
    t->cuts = MP_CUTS_GIVEN;
    t->row_cuts = rc;
    t->col_cuts = cc;
    return EXIT_OK;
}

static int from_search(mp_cli *cli, const sched_opts *o, const mp_graph *g,
                       const mp_per_layer *pl, mp_schedule_spec *spec, bool *fits)
{
    mp_error err;
    mp_patch_search ps;
    mp_error_init(&err);
    if (mp_patch_search_run(g, pl, &o->plan, &o->search, &ps, &err) != MP_OK)
        return cli_fail(cli, &err);
    mp_schedule_spec_set_patch(spec, ps.have_best ? &ps.best : NULL);
    *fits = ps.fits;
    if (!ps.fits)
        fprintf(cli->err, "memplan: %s: no schedule fits the budget of %s bytes: it needs %s "
                          "bytes more\n",
                cli->cmd, cli_count(o->search.budget), cli_count(ps.missing_bytes));
    mp_patch_search_release(&ps);
    return EXIT_OK;
}

static int from_fused(mp_cli *cli, const sched_opts *o, const mp_graph *g,
                      const mp_per_layer *pl, mp_schedule_spec *spec, bool *fits)
{
    mp_error err;
    mp_fused_result r;
    mp_error_init(&err);
    mp_fused_opts fo = o->fused_opts;
    cli_progress_bar bar;
    if (cli_progress_start(cli, NULL, &bar)) {
        fo.progress = cli_progress;
        fo.progress_ctx = &bar;
    }
    if (mp_fused_search(g, pl, &o->plan, &fo, &r, &err) != MP_OK)
        return cli_fail(cli, &err);
    uint64_t limit = mp_search_mac_limit(&o->search, g->macs);
    const mp_fused_point *p =
        mp_fused_pick(&r, limit, o->search.have_budget, mp_search_room(&o->search), fits);
    if (mp_schedule_spec_set_fused(spec, p, &err) != MP_OK) {
        mp_fused_release(&r);
        return cli_fail(cli, &err);
    }
    if (!*fits)
        fprintf(cli->err, "memplan: %s: no fused schedule meets the limits; using the closest "
                          "(peak %s bytes, %.3fx MACs)\n",
                cli->cmd, cli_count(p ? p->peak : 0), p ? p->factor : 0.0);
    mp_fused_release(&r);
    return EXIT_OK;
}

int sched_opts_build(mp_cli *cli, const sched_opts *o, const mp_graph *g, mp_schedule **out,
                     bool *fits)
{
    mp_error err;
    mp_error_init(&err);
    *out = NULL;
    *fits = true;
    if (o->schedule)
        return mp_schedule_load(g, o->schedule, out, &err) == MP_OK ? EXIT_OK
                                                                     : cli_fail(cli, &err);
    int32_t rc[MP_PATCH_MAX_GRID + 1], cc[MP_PATCH_MAX_GRID + 1];
    mp_order_result ord = {0};
    if (o->order_best && cli_best_order(cli, g, &o->plan, &ord) != EXIT_OK)
        return EXIT_FAIL;
    mp_per_layer pl;
    if (mp_plan_per_layer(g, ord.order, &o->plan, &pl, &err) != MP_OK) {
        mp_order_result_release(&ord);
        return cli_fail(cli, &err);
    }
    mp_schedule_spec *spec = calloc(1, sizeof *spec);
    int status = EXIT_OK;
    if (!spec) {
        mp_per_layer_release(&pl);
        mp_order_result_release(&ord);
        mp_errorf(&err, MP_E_NOMEM, "out of memory");
        return cli_fail(cli, &err);
    }
    mp_schedule_spec_init(spec);
    spec->opts = o->plan;
    spec->reserve = o->search.reserve;
    spec->order = ord.order; /* NULL: the file order */
    if (o->split) {
        mp_patch_spec *t = &spec->tiled[0];
        *t = (mp_patch_spec){.rows = o->rows, .cols = o->cols, .halo = o->halo};
        status = resolve_cuts(cli, o, t, rc, cc);
        if (status == EXIT_OK && mp_patch_spec_for_split(g, &pl, o->split, t, &err) != MP_OK)
            status = cli_fail(cli, &err);
        spec->n_tiled = 1;
    } else if (o->best) {
        status = from_search(cli, o, g, &pl, spec, fits);
    } else if (o->fused) {
        status = from_fused(cli, o, g, &pl, spec, fits);
    }
    if (status == EXIT_OK && mp_schedule_build(g, spec, out, &err) != MP_OK)
        status = cli_fail(cli, &err);
    free(spec);
    mp_per_layer_release(&pl);
    mp_order_result_release(&ord);
    return status;
}
