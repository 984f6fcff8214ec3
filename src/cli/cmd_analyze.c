/* SPDX-License-Identifier: MIT */
/*
 * cmd_analyze.c - `memplan analyze`: the per-layer memory profile of a
 * network (module cli).
 */
#define _GNU_SOURCE
#include "analyze_boundary.h"
#include "analyze_fused.h"
#include "sched_opts.h"
#include "record.h"
#include "cli_names.h"
#include "tflm_out.h"

#include <getopt.h>
#include <string.h>

const char analyze_usage[] =
    "usage: memplan analyze NET [options]\n"
    "\n"
    "Report the exact per-layer peak SRAM of a network (net.json or .tflite):\n"
    "a table of every step (layer, op, output shape, MACs, live bytes, the peak\n"
    "marked) and a summary (peak, MACs, params, weight bytes).\n"
    "Then search patch-based schedules (MCUNetV2): every split of the first\n"
    "stage x patch grids up to 8x8 x even/balanced cuts x halo modes (recompute,\n"
    "cache, cache-cols), and show the best next to per-layer; with --fused,\n"
    "multi-stage fused tiling (tiled blocks anywhere in the network).\n"
    "\n"
    "options:\n"
    "  --inplace-dw       depthwise convolutions write over their input (MCUNet)\n"
    "  --align N          round every buffer up to N bytes (default 1; TFLM uses 16)\n"
    "  --input MODE       sram (default): the network input is held whole;\n"
    "                     stream: only each patch's input region (camera/JPEG decode)\n"
    "  --budget SIZE      SRAM budget (300000, 256K, 320KiB): pick the cheapest\n"
    "                     schedule that fits, or say how much is missing\n"
    "  --halo MODES       halo modes searched: recompute, cache, cache-cols, a\n"
    "                     comma-separated list of them, or all (default all)\n"
    "  --max-grid N       largest patch rows/cols tried (default 8, up to 64)\n"
    "  --pareto           print the Pareto front of (peak, MACs)\n"
    "  --no-patch         skip the patch search\n"
    "  --order ORDER      file (default): the ops in the file's order; best: the\n"
    "                     topological order with the lowest per-layer peak (an\n"
    "                     exact search; the file order's peak is shown next to it)\n"
    "  --fused            also search multi-stage fused tiling (tiled blocks\n"
    "                     anywhere)\n"
    "  --max-macs F       the lowest peak within F x the per-layer MACs, for patch\n"
    "                     and fused schedules (default 1.1x without a budget)\n"
    "  --max-stages N     fused: at most N tiled blocks\n"
    "  --max-block N      fused: blocks of at most N steps (default: any; long\n"
    "                     networks search faster with a limit)\n"
    "  --jobs N           fused: threads of the search (default: the CPUs, at most\n"
    "                     8); the result is the same for any N\n"
    "  --json             print one JSON document instead of tables (docs/cli.md)\n"
    "  --wide             print layer names whole (default: shortened to the part\n"
    "                     that tells layers apart, so lines fit 80 columns)\n"
    CLI_TFLM_USAGE RECORD_USAGE_MCU RECORD_USAGE_DB
    "  --render DIR       draw the chosen schedule: DIR/graph.svg, timeline.svg,\n"
    "                     lifecycle.svg (see 'memplan render')\n"
    "  -h, --help         show this help\n";

typedef struct analyze_opts {
    const char *net;
    mp_plan_opts plan;
    mp_search_opts search;
    bool json;
    bool pareto;
    bool no_patch;
    bool fused;
    mp_fused_opts fused_opts;
    record_opts rec;
    const char *render_dir;
    bool order_best; /* --order best */
    bool wide;       /* --wide: layer names whole */
    cli_names names; /* display names of the ops */
    mp_tflm_kernels kernels; /* --kernels */
} analyze_opts;

static int parse_args(mp_cli *cli, int argc, char **argv, analyze_opts *o)
{
    enum {
        OPT_INPLACE = 256,
        OPT_ALIGN,
        OPT_JSON,
        OPT_INPUT,
        OPT_BUDGET,
        OPT_HALO,
        OPT_GRID,
        OPT_PARETO,
        OPT_NO_PATCH,
        OPT_FUSED,
        OPT_MAX_MACS,
        OPT_MAX_STAGES,
        OPT_MAX_BLOCK,
        OPT_JOBS,
        OPT_RENDER,
        OPT_ORDER,
        OPT_WIDE,
        OPT_KERNELS,
        OPT_RESERVE,
        OPT_FLOAT_INPUT
    };
    static const struct option longopts[] = {
        {"inplace-dw", no_argument, NULL, OPT_INPLACE},
        {"align", required_argument, NULL, OPT_ALIGN},
        {"json", no_argument, NULL, OPT_JSON},
        {"input", required_argument, NULL, OPT_INPUT},
        {"budget", required_argument, NULL, OPT_BUDGET},
        {"halo", required_argument, NULL, OPT_HALO},
        {"max-grid", required_argument, NULL, OPT_GRID},
        {"pareto", no_argument, NULL, OPT_PARETO},
        {"no-patch", no_argument, NULL, OPT_NO_PATCH},
        {"fused", no_argument, NULL, OPT_FUSED},
        {"max-macs", required_argument, NULL, OPT_MAX_MACS},
        {"max-stages", required_argument, NULL, OPT_MAX_STAGES},
        {"max-block", required_argument, NULL, OPT_MAX_BLOCK},
        {"jobs", required_argument, NULL, OPT_JOBS},
        RECORD_LONGOPTS,
        {"render", required_argument, NULL, OPT_RENDER},
        {"order", required_argument, NULL, OPT_ORDER},
        {"wide", no_argument, NULL, OPT_WIDE},
        {"kernels", required_argument, NULL, OPT_KERNELS},
        {"reserve", required_argument, NULL, OPT_RESERVE},
        {"float-input-in-arena", no_argument, NULL, OPT_FLOAT_INPUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mp_plan_opts_init(&o->plan);
    mp_search_opts_init(&o->search);
    mp_fused_opts_init(&o->fused_opts);
    o->fused_opts.jobs = cli_default_jobs();
    optind = 1;
    opterr = 0;
    int c;
    unsigned long v;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_INPLACE:
            o->plan.inplace_dw = true;
            break;
        case OPT_FLOAT_INPUT:
            o->plan.count_float_input = true;
            break;
        case OPT_ALIGN:
            if (!cli_parse_uint(cli, "--align", optarg, 1, 4096, &v))
                return EXIT_USAGE;
            o->plan.align = v;
            break;
        case OPT_JSON:
            o->json = true;
            break;
        case OPT_INPUT:
            if (cli_parse_input_mode(cli, optarg, &o->plan.input_mode) != EXIT_OK)
                return EXIT_USAGE;
            break;
        case OPT_BUDGET:
            if (!cli_parse_budget(cli, "--budget", optarg, &o->search.budget))
                return EXIT_USAGE;
            o->search.have_budget = true;
            break;
        case OPT_HALO:
            if (cli_parse_halo_modes(cli, optarg, &o->search.halos) != EXIT_OK)
                return EXIT_USAGE;
            o->fused_opts.halos = o->search.halos;
            break;
        case OPT_GRID:
            if (!cli_parse_uint(cli, "--max-grid", optarg, 1, MP_PATCH_MAX_GRID, &v))
                return EXIT_USAGE;
            o->search.max_rows = o->search.max_cols = (uint32_t)v;
            o->fused_opts.max_rows = o->fused_opts.max_cols = (uint32_t)v;
            break;
        case OPT_PARETO:
            o->pareto = true;
            break;
        case OPT_NO_PATCH:
            o->no_patch = true;
            break;
        case OPT_FUSED:
            o->fused = true;
            break;
        case OPT_MAX_MACS:
            if (!cli_parse_factor(cli, "--max-macs", optarg, &o->search.max_macs))
                return EXIT_USAGE;
            break;
        case OPT_MAX_STAGES:
            if (!cli_parse_uint(cli, "--max-stages", optarg, 1, 64, &v))
                return EXIT_USAGE;
            o->fused_opts.max_stages = (uint32_t)v;
            o->fused = true;
            break;
        case OPT_MAX_BLOCK:
            if (!cli_parse_uint(cli, "--max-block", optarg, 1, MP_MAX_OPS, &v))
                return EXIT_USAGE;
            o->fused_opts.max_block_ops = (uint32_t)v;
            o->fused = true;
            break;
        case OPT_JOBS:
            if (!cli_parse_uint(cli, "--jobs", optarg, 1, MP_FUSED_MAX_JOBS, &v))
                return EXIT_USAGE;
            o->fused_opts.jobs = (uint32_t)v;
            o->fused = true;
            break;
        case OPT_RENDER:
            o->render_dir = optarg;
            break;
        case OPT_WIDE:
            o->wide = true;
            break;
        case OPT_ORDER:
            if (cli_parse_order(cli, optarg, &o->order_best) != EXIT_OK)
                return EXIT_USAGE;
            break;
        case OPT_KERNELS:
            if (!cli_tflm_parse_kernels(cli, optarg, &o->kernels))
                return EXIT_USAGE;
            o->plan.kernels = o->kernels; /* the searches count each op's scratch */
            break;
        case OPT_RESERVE:
            if (!cli_parse_reserve(cli, optarg, &o->search.reserve))
                return EXIT_USAGE;
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
        return cli_usage_error(cli, "expected one network file, got %d arguments",
                               argc - optind);
    o->net = argv[optind];
    return EXIT_OK;
}

/* A short label for an op type (the op column is 10 wide). */
static const char *op_label(const mp_op *op)
{
    static const struct { const char *name, *label; } labels[] = {
        {"depthwise_conv2d", "dwconv2d"}, {"fully_connected", "fc"},
        {"resize_nearest", "resize_nn"}, {"resize_bilinear", "resize_bl"},
        {"transpose_conv", "tconv2d"}, {"depth_to_space", "depth2spc"},
        {"space_to_depth", "spc2depth"}, {"strided_slice", "str_slice"},
        {"expand_dims", "expand_dim"}, {"leaky_relu", "leaky_relu"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(op->type_name, labels[i].name) == 0)
            return labels[i].label;
    return op->type_name;
}

static void print_table(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                        const analyze_opts *o)
{
    FILE *f = cli->out;
    bool any_inplace = false, any_folded = false;
    fprintf(f, "%4s %-19s %-10s %-11s %12s %11s\n", "step", "layer", "op", "output", "MACs",
            "live bytes");
    for (uint32_t s = 0; s < pl->n_steps; s++) {
        uint32_t i = pl->steps[s].op;
        const mp_op *op = &g->ops[i];
        char shape[48];
        mp_shape_format(&g->tensors[op->out[0]], shape, sizeof shape);
        any_inplace |= pl->steps[s].inplace;
        any_folded |= op->folded_pad != NULL;
        fprintf(f, "%4u %-19s %-10.10s %-11s %12s %10s%s%s\n", s,
                o->wide ? op->name : cli_names_op(&o->names, i), op_label(op), shape,
                op->macs_known ? cli_count(op->macs) : "?",
                cli_count(pl->steps[s].live_bytes - pl->steps[s].kernel_bytes),
                pl->steps[s].inplace        ? "*"
                : op->folded_pad            ? "p"
                : s == pl->tensor_peak_step ? " "
                                            : "",
                s == pl->tensor_peak_step ? " <- peak" : "");
    }
    if (any_inplace)
        fprintf(f, "(* in place: the output is written over its input)\n");
    if (any_folded)
        fprintf(f, "(p the PAD before it is folded into its padding)\n");
}

/* The ops without a MAC count (unknown to memplan), by index and name, wrapped. */
static void print_unknown_ops(FILE *f, const mp_graph *g)
{
    uint32_t shown = 0;
    size_t col = 0;
    fprintf(f, "                 no MAC count for %u op%s:", g->n_unknown_ops,
            g->n_unknown_ops == 1 ? "" : "s");
    col = 17 + 22;
    for (uint32_t i = 0; i < g->n_ops && shown < 8; i++) {
        char where[200];
        if (g->ops[i].macs_known)
            continue;
        const char *w = mp_graph_op_where(g, i, where, sizeof where);
        size_t len = strlen(w);
        if (col + 2 + len > 66) { /* room for ", and N more" */
            fprintf(f, "%s\n%17s", shown ? "," : "", "");
            col = 17;
        } else {
            fputs(shown ? ", " : " ", f);
            col += 2;
        }
        fputs(w, f);
        col += len;
        shown++;
    }
    if (g->n_unknown_ops > shown)
        fprintf(f, ", and %u more", g->n_unknown_ops - shown);
    fprintf(f, "\n");
}

/* TFLite Micro's arena for the network as the file states it: TFLM does not fold PADs, so a
 * network with folded PADs is imported again with them kept. */
static mp_status tflm_arena(const mp_graph *g, const char *path, size_t *bytes, mp_error *err)
{
    if (!g->n_folded_pads)
        return mp_plan_tflm_greedy(g, MP_TFLM_ALIGN, bytes, err);
    mp_graph *raw;
    MP_TRY(mp_import_file_unfolded(path, &raw, err));
    mp_status st = mp_plan_tflm_greedy(raw, MP_TFLM_ALIGN, bytes, err);
    mp_graph_free(raw);
    return st;
}

/* Arena sizes of the per-layer schedule and of the best patch schedule. */
typedef struct arenas {
    size_t per_layer;
    size_t best; /* 0 when the best is per-layer */
    size_t tflm; /* TFLite Micro's greedy planner: tensors only (src/plan/tflm_greedy.c) */
    cli_tflm whole; /* TFLite Micro's whole arena (src/plan/tflm_arena.c) */
} arenas;

static mp_status plan_arenas(const mp_graph *g, const analyze_opts *o, const uint32_t *order,
                             const mp_patch_search *ps, arenas *ar, mp_error *err)
{
    mp_schedule_spec spec;
    mp_schedule *s;
    MP_TRY(tflm_arena(g, o->net, &ar->tflm, err));
    cli_tflm_compute(g, o->kernels, &ar->whole);
    mp_schedule_spec_init(&spec);
    spec.opts = o->plan;
    spec.order = order;
    MP_TRY(mp_schedule_build(g, &spec, &s, err));
    ar->per_layer = s->arena_bytes;
    mp_schedule_free(s);
    if (!ps || !ps->have_best)
        return MP_OK;
    mp_schedule_spec_set_patch(&spec, &ps->best);
    MP_TRY(mp_schedule_build(g, &spec, &s, err));
    ar->best = s->arena_bytes;
    mp_schedule_free(s);
    return MP_OK;
}

/* --order best: the order found against the file order. */
static void print_order(FILE *f, const mp_order_result *ord)
{
    double gain = ord->file_peak_bytes
                      ? 100.0 * (1.0 - (double)ord->peak_bytes / (double)ord->file_peak_bytes)
                      : 0.0;
    if (ord->peak_bytes == ord->file_peak_bytes)
        fprintf(f, "operator order   best: %s B, the file order's peak, ",
                cli_count(ord->peak_bytes));
    else
        fprintf(f, "operator order   best: %s B against %s B in file order (-%.1f%%), ",
                cli_count(ord->peak_bytes), cli_count(ord->file_peak_bytes), gain);
    if (ord->optimal)
        fprintf(f, "proven minimum\n");
    else
        fprintf(f, "not proven minimum (no order is below %s B)\n",
                cli_count(ord->lower_bound_bytes));
}

static void print_summary(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                          const arenas *ar, const analyze_opts *o, const mp_order_result *ord)
{
    FILE *f = cli->out;
    uint32_t peak_i = pl->steps[pl->tensor_peak_step].op;
    fprintf(f, "\nnetwork          %s\n", g->name);
    fprintf(f, "file             %s\n", g->source);
    fprintf(f, "ops              %u\n", g->n_ops);
    fprintf(f, "MACs             %s\n", cli_count(g->macs));
    if (g->n_unknown_ops)
        print_unknown_ops(f, g);
    fprintf(f, "params           %s\n", cli_count(g->params));
    fprintf(f, "weight bytes     %s (flash)\n", cli_count(g->weight_bytes));
    fprintf(f, "per-layer peak   %s B (%s) at step %u '%s'\n",
            cli_count(pl->tensor_peak_bytes), cli_kib(pl->tensor_peak_bytes),
            pl->tensor_peak_step, o->wide ? g->ops[peak_i].name : cli_names_op(&o->names, peak_i));
    cli_print_total(f, "kernel scratch   ", o->kernels, pl->tensor_peak_bytes,
                    pl->peak_bytes - pl->tensor_peak_bytes, o->search.reserve);
    if (o->plan.inplace_dw || o->plan.align > 1)
        fprintf(f, "                 %s%s%s\n", o->plan.inplace_dw ? "in-place depthwise" : "",
                o->plan.inplace_dw && o->plan.align > 1 ? ", " : "",
                o->plan.align > 1 ? "aligned buffers" : "");
    if (ord)
        print_order(f, ord);
    fprintf(f, "per-layer arena  %s B (offsets planned by memplan)\n", cli_count(ar->per_layer));
    fprintf(f, "TFLM greedy      %s B (%s): TFLite Micro's plan of the tensors%s\n",
            cli_count(ar->tflm), cli_kib(ar->tflm), ord ? " in file order" : "");
    cli_tflm_text(f, &ar->whole);
    analyze_boundary_text(f, g, &o->plan, o->wide ? NULL : &o->names);
}

static void describe_point(const analyze_opts *o, const mp_graph *g, const mp_patch_point *p,
                           char *buf, size_t n)
{
    uint32_t i = (uint32_t)g->tensors[p->split].producer;
    snprintf(buf, n, "%ux%u %s, %s, split at step %u '%s'", p->rows, p->cols,
             mp_cuts_name(p->cuts), mp_halo_name(p->halo), p->last_step,
             o->wide ? g->ops[i].name : cli_names_op(&o->names, i));
}

/* The tensor peak of a search point (whose peak counts kernel scratch under --kernels). */
static size_t point_tensors(const mp_graph *g, const analyze_split *sp, const mp_patch_point *p)
{
    size_t peak = p->peak;
    mp_error err;
    mp_error_init(&err);
    if (sp->kernels != MP_TFLM_KERNELS_REFERENCE &&
        mp_patch_point_peak(g, sp->tpl, sp->topts, p, &peak, &err) != MP_OK)
        peak = p->peak;
    return peak < p->peak ? peak : p->peak;
}

/* A schedule row; with a scratch column when kernels or a reserve are counted (sp). */
static void print_point_row(FILE *f, const char *label, size_t tensors, size_t peak,
                            uint64_t macs, double overhead, const char *what,
                            const analyze_split *sp)
{
    if (sp->kernels != MP_TFLM_KERNELS_REFERENCE || sp->reserve)
        fprintf(f, "%-12s %11s %9s %11s %14s %+9.2f%%\n", label, cli_count(tensors),
                cli_count(peak - tensors), cli_kib(peak + sp->reserve), cli_count(macs),
                overhead * 100.0);
    else
        fprintf(f, "%-12s %11s %11s %14s %+9.2f%%\n", label, cli_count(peak), cli_kib(peak),
                cli_count(macs), overhead * 100.0);
    if (what && *what)
        fprintf(f, "             %s\n", what);
}

static void print_point(FILE *f, const char *label, const mp_graph *g,
                        const mp_patch_point *p, const analyze_opts *o, const analyze_split *sp)
{
    char what[512];
    describe_point(o, g, p, what, sizeof what);
    print_point_row(f, label, point_tensors(g, sp, p), p->peak, p->macs, p->overhead, what, sp);
}

static void print_best(FILE *f, const mp_patch_search *ps, const arenas *ar,
                       const analyze_opts *o, const analyze_split *sp, size_t tensors)
{
    if (ps->have_best) {
        if (sp->kernels == MP_TFLM_KERNELS_REFERENCE)
            fprintf(f, "best             patch-based, peak %s B (stage %s, rest %s)\n",
                    cli_count(tensors), cli_count(ps->best.stage_peak),
                    cli_count(ps->best.rest_peak));
        else /* stage and rest count the scratch: the line below has the split */
            fprintf(f, "best             patch-based, peak %s B\n", cli_count(tensors));
        fprintf(f, "                 %s MACs (%+.2f%%), arena %s B\n", cli_count(ps->best.macs),
                ps->best.overhead * 100, cli_count(ar->best));
        cli_print_total(f, "                 scratch ", sp->kernels, tensors,
                        ps->best.peak - tensors, sp->reserve);
    } else if (ps->n_pareto && !o->search.have_budget) {
        fprintf(f, "best             per-layer: no patch schedule with a lower peak stays\n"
                   "                 within %s MACs (--max-macs)\n",
                cli_factor(o->search.max_macs > 0 ? o->search.max_macs : MP_DEFAULT_MAC_ALLOWANCE));
    } else if (!o->search.have_budget) {
        fprintf(f, "best             per-layer: no patch schedule has a lower peak\n");
    } else {
        fprintf(f, "best             per-layer\n");
    }
    if (!o->search.have_budget)
        return;
    char reserve[64] = "";
    if (o->search.reserve)
        snprintf(reserve, sizeof reserve, " (reserve %s B)", cli_count(o->search.reserve));
    if (ps->fits)
        fprintf(f, "budget           %s B%s: fits\n", cli_count(o->search.budget), reserve);
    else
        fprintf(f, "budget           %s B%s: does not fit: needs %s bytes more\n",
                cli_count(o->search.budget), reserve, cli_count(ps->missing_bytes));
}

static void print_patch(mp_cli *cli, const mp_graph *g, const mp_patch_search *ps,
                        const arenas *ar, const analyze_opts *o, const analyze_split *sp)
{
    FILE *f = cli->out;
    if (sp->kernels != MP_TFLM_KERNELS_REFERENCE || sp->reserve)
        fprintf(f, "\n%-12s %11s %9s %11s %14s %10s\n", "schedule", "peak bytes", "scratch",
                sp->reserve ? "+reserve" : "", "MACs", "overhead");
    else
        fprintf(f, "\n%-12s %11s %11s %14s %10s\n", "schedule", "peak bytes", "", "MACs",
                "overhead");
    print_point_row(f, "per-layer", sp->tpl->tensor_peak_bytes, ps->per_layer_peak,
                    ps->per_layer_macs, 0.0, "", sp);
    if (ps->have_best)
        print_point(f, "recommended", g, &ps->best, o, sp);
    if (ps->n_pareto && (!ps->have_best || ps->pareto[0].peak < ps->best.peak))
        print_point(f, "lowest peak", g, &ps->pareto[0], o, sp);
    if (o->pareto) {
        fprintf(f, "\nPareto front (%u points of %u schedules evaluated):\n", ps->n_pareto,
                ps->n_evaluated);
        for (uint32_t i = 0; i < ps->n_pareto; i++)
            print_point(f, "", g, &ps->pareto[i], o, sp);
    }
    fputc('\n', f);
    print_best(f, ps, ar, o, sp, ps->have_best ? point_tensors(g, sp, &ps->best) : 0);
}

static void json_point(mp_strbuf *sb, const mp_graph *g, const mp_patch_point *p,
                       const analyze_split *sp)
{
    size_t tensors = point_tensors(g, sp, p);
    mp_strbuf_puts(sb, "{\"split\": ");
    mp_strbuf_json_string(sb, g->tensors[p->split].name);
    mp_strbuf_printf(sb, ", \"split_step\": %u, \"grid\": [%u, %u], \"cuts\": \"%s\", "
                         "\"halo\": \"%s\", \"peak_bytes\": %zu, \"scratch_bytes\": %zu, "
                         "\"total_bytes\": %zu, \"stage_peak_bytes\": %zu, "
                         "\"rest_peak_bytes\": %zu, \"macs\": %llu, \"overhead\": %.6f}",
                     p->last_step, p->rows, p->cols, mp_cuts_name(p->cuts), mp_halo_name(p->halo),
                     tensors, p->peak - tensors, p->peak + sp->reserve, p->stage_peak,
                     p->rest_peak, (unsigned long long)p->macs, p->overhead);
}

static void json_patch(mp_strbuf *sb, const mp_graph *g, const mp_patch_search *ps,
                       const analyze_opts *o, const analyze_split *sp)
{
    mp_strbuf_printf(sb, ",\n  \"patch\": {\"input\": \"%s\", \"evaluated\": %u, \"budget\": ",
                     o->plan.input_mode == MP_INPUT_STREAM ? "stream" : "sram", ps->n_evaluated);
    if (o->search.have_budget)
        mp_strbuf_printf(sb, "%zu", o->search.budget);
    else
        mp_strbuf_puts(sb, "null");
    mp_strbuf_printf(sb, ", \"per_layer_best\": %s, \"fits\": %s, \"missing_bytes\": %zu, "
                         "\"best\": ",
                     ps->per_layer_best ? "true" : "false", ps->fits ? "true" : "false",
                     ps->missing_bytes);
    if (ps->have_best)
        json_point(sb, g, &ps->best, sp);
    else
        mp_strbuf_puts(sb, "null");
    mp_strbuf_puts(sb, ",\n    \"pareto\": [");
    for (uint32_t i = 0; i < ps->n_pareto; i++) {
        mp_strbuf_puts(sb, i ? ",\n      " : "\n      ");
        json_point(sb, g, &ps->pareto[i], sp);
    }
    mp_strbuf_puts(sb, "]}");
}

typedef struct fused_out {
    const mp_fused_result *r;
    const mp_fused_point *best;
    bool fits;
} fused_out;

static void print_json(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                       const mp_patch_search *ps, const fused_out *fz, const arenas *ar,
                       const analyze_opts *o, const mp_order_result *ord,
                       const analyze_split *sp)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_strbuf_puts(&sb, "{\n  \"memplan_version\": ");
    mp_strbuf_json_string(&sb, mp_version());
    mp_strbuf_puts(&sb, ",\n  \"network\": {\"name\": ");
    mp_strbuf_json_string(&sb, g->name);
    mp_strbuf_puts(&sb, ", \"source\": ");
    mp_strbuf_json_string(&sb, g->source);
    mp_strbuf_printf(&sb, ", \"hash\": \"%s\", \"ops\": %u, \"macs\": %llu, \"params\": %llu, "
                          "\"weight_bytes\": %llu, \"unknown_ops\": %u},\n",
                     g->hash, g->n_ops, (unsigned long long)g->macs,
                     (unsigned long long)g->params, (unsigned long long)g->weight_bytes,
                     g->n_unknown_ops);
    mp_strbuf_printf(&sb, "  \"options\": {\"inplace_dw\": %s, \"align\": %zu, "
                          "\"kernels\": \"%s\", \"reserve_bytes\": %zu},\n",
                     o->plan.inplace_dw ? "true" : "false", o->plan.align,
                     mp_tflm_kernels_name(o->kernels), o->search.reserve);
    analyze_boundary_json(&sb, g, &o->plan);
    mp_strbuf_printf(&sb, "  \"arena_bytes\": %zu,\n  \"order\": \"%s\",\n",
                     ar->best ? ar->best : ar->per_layer, ord ? "best" : "file");
    if (ord)
        mp_strbuf_printf(&sb, "  \"order_search\": {\"peak_bytes\": %zu, \"file_peak_bytes\": %zu, "
                              "\"lower_bound_bytes\": %zu, \"optimal\": %s, \"parts\": %u, "
                              "\"states\": %llu},\n",
                         ord->peak_bytes, ord->file_peak_bytes, ord->lower_bound_bytes,
                         ord->optimal ? "true" : "false", ord->n_parts,
                         (unsigned long long)ord->n_states);
    mp_strbuf_printf(&sb, "  \"tflm_greedy_arena_bytes\": %zu,\n  ", ar->tflm);
    cli_tflm_json(&sb, &ar->whole);
    mp_strbuf_puts(&sb, ",\n");
    mp_strbuf_printf(&sb, "  \"per_layer\": {\"peak_bytes\": %zu, \"peak_step\": %u, "
                          "\"scratch_bytes\": %zu, \"reserve_bytes\": %zu, "
                          "\"total_bytes\": %zu, \"arena_bytes\": %zu, \"steps\": [\n",
                     pl->tensor_peak_bytes, pl->tensor_peak_step,
                     pl->peak_bytes - pl->tensor_peak_bytes, o->search.reserve,
                     pl->peak_bytes + o->search.reserve, ar->per_layer);
    for (uint32_t s = 0; s < pl->n_steps; s++) {
        const mp_op *op = &g->ops[pl->steps[s].op];
        const mp_tensor *t = &g->tensors[op->out[0]];
        mp_strbuf_printf(&sb, "    {\"step\": %u, \"name\": ", s);
        mp_strbuf_json_string(&sb, op->name);
        mp_strbuf_puts(&sb, ", \"op\": ");
        mp_strbuf_json_string(&sb, op->type_name);
        mp_strbuf_printf(&sb, ", \"output\": [%d, %d, %d], \"output_bytes\": %zu, \"macs\": ",
                         t->shape.h, t->shape.w, t->shape.c, t->size_bytes);
        if (op->macs_known)
            mp_strbuf_printf(&sb, "%llu", (unsigned long long)op->macs);
        else
            mp_strbuf_puts(&sb, "null");
        mp_strbuf_printf(&sb, ", \"live_bytes\": %zu, \"scratch_bytes\": %zu, \"inplace\": %s}%s\n",
                         pl->steps[s].live_bytes - pl->steps[s].kernel_bytes,
                         pl->steps[s].kernel_bytes, pl->steps[s].inplace ? "true" : "false",
                         s + 1 < pl->n_steps ? "," : "");
    }
    mp_strbuf_puts(&sb, "  ]}");
    if (ps)
        json_patch(&sb, g, ps, o, sp);
    if (fz->r)
        analyze_fused_json(&sb, g, pl, fz->r, fz->best, fz->fits, sp);
    mp_strbuf_puts(&sb, "\n}\n");
    fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
}

/* Import, per-layer plan, patch search, fused search and arenas. */
typedef struct analysis {
    mp_graph *g;
    mp_per_layer pl;
    mp_patch_search ps;
    mp_fused_result fr;
    fused_out fz;
    arenas ar;
    mp_order_result ord; /* --order best */
    const uint32_t *order; /* the order run: ord.order, or NULL for the file order */
    mp_plan_opts topts;    /* --kernels cmsis-nn: the options and per-layer plan of the */
    mp_per_layer tpl;      /*   tensors alone, to split the searches' peaks */
    analyze_split sp;
} analysis;

static void analysis_release(analysis *a)
{
    mp_fused_release(&a->fr);
    mp_order_result_release(&a->ord);
    mp_patch_search_release(&a->ps);
    mp_per_layer_release(&a->tpl);
    mp_per_layer_release(&a->pl);
    mp_graph_free(a->g);
}

static mp_status analyse(const analyze_opts *o, analysis *a, mp_error *err)
{
    MP_TRY(mp_import_file(o->net, &a->g, err));
    if (o->order_best) {
        mp_order_opts oo;
        mp_order_opts_init(&oo);
        MP_TRY(mp_plan_best_order(a->g, &o->plan, &oo, &a->ord, err));
        a->order = a->ord.order;
    }
    MP_TRY(mp_plan_per_layer(a->g, a->order, &o->plan, &a->pl, err));
    a->topts = o->plan;
    a->topts.kernels = MP_TFLM_KERNELS_REFERENCE;
    a->sp = (analyze_split){&a->pl, &a->topts, o->kernels, o->search.reserve};
    if (o->kernels != MP_TFLM_KERNELS_REFERENCE) {
        MP_TRY(mp_plan_per_layer(a->g, a->order, &a->topts, &a->tpl, err));
        a->sp.tpl = &a->tpl;
    }
    if (!o->no_patch)
        MP_TRY(mp_patch_search_run(a->g, &a->pl, &o->plan, &o->search, &a->ps, err));
    if (o->fused) {
        MP_TRY(mp_fused_search(a->g, &a->pl, &o->plan, &o->fused_opts, &a->fr, err));
        a->fz.r = &a->fr;
        uint64_t limit = mp_search_mac_limit(&o->search, a->g->macs);
        a->fz.best = mp_fused_pick(&a->fr, limit, o->search.have_budget,
                                   mp_search_room(&o->search), &a->fz.fits);
    }
    return plan_arenas(a->g, o, a->order, o->no_patch ? NULL : &a->ps, &a->ar, err);
}

/* --render DIR draws the schedule analyze recommends: the fused best with
 * --fused, else the patch search's best, else per-layer. */
static int render_chosen(mp_cli *cli, const analyze_opts *o, const analysis *a)
{
    mp_error err;
    mp_error_init(&err);
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts = o->plan;
    spec.order = a->order;
    mp_status st = MP_OK;
    if (o->fused && a->fz.best)
        st = mp_schedule_spec_set_fused(&spec, a->fz.best, &err);
    else if (!o->no_patch && a->ps.have_best)
        mp_schedule_spec_set_patch(&spec, &a->ps.best);
    mp_schedule *s = NULL;
    if (st == MP_OK)
        st = mp_schedule_build(a->g, &spec, &s, &err);
    if (st != MP_OK)
        return cli_fail(cli, &err);
    int rc = cli_render_dir(cli, s, &o->search, o->render_dir);
    mp_schedule_free(s);
    return rc;
}

int cmd_analyze(mp_cli *cli, int argc, char **argv)
{
    analyze_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK || (rc = record_mcu_budget(cli, &o.rec, &o.search, true)) != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    analysis a;
    memset(&a, 0, sizeof a);
    cli_progress_bar bar;
    if (o.fused && cli_progress_start(cli, NULL, &bar)) {
        o.fused_opts.progress = cli_progress;
        o.fused_opts.progress_ctx = &bar;
    }
    if (analyse(&o, &a, &err) != MP_OK) {
        analysis_release(&a);
        cli_prefix_file(&err, o.net); /* the planners name the stage, not the file */
        return cli_fail(cli, &err);
    }
    cli_warn_subgraphs(cli, o.net, a.g);
    if (!o.json && cli_names_build(&o.names, a.g, 19, o.wide) != 0) {
        analysis_release(&a);
        mp_errorf(&err, MP_E_NOMEM, "out of memory");
        return cli_fail(cli, &err);
    }
    if (o.json) {
        print_json(cli, a.g, &a.pl, o.no_patch ? NULL : &a.ps, &a.fz, &a.ar, &o,
                   a.order ? &a.ord : NULL, &a.sp);
    } else {
        print_table(cli, a.g, &a.pl, &o);
        print_summary(cli, a.g, &a.pl, &a.ar, &o, a.order ? &a.ord : NULL);
        if (!o.no_patch)
            print_patch(cli, a.g, &a.ps, &a.ar, &o, &a.sp);
        if (o.fused)
            analyze_fused_text(cli, a.g, &a.pl, &a.fr, a.fz.best, a.fz.fits, o.pareto, &a.sp);
    }
    bool fits = (o.no_patch || !o.search.have_budget || a.ps.fits) && (!o.fused || a.fz.fits);
    rc = fits ? EXIT_OK : EXIT_FAIL;
    if (o.render_dir && render_chosen(cli, &o, &a) != EXIT_OK)
        rc = EXIT_FAIL;
    rc = record_mcu_flash(cli, &o.rec, a.g, !o.json, rc);
    rc = record_analyze(cli, &o.rec, argc, argv, a.g, &o.plan, o.search.reserve, a.order,
                        o.no_patch ? NULL : &a.ps, rc);
    cli_names_free(&o.names);
    analysis_release(&a);
    return rc;
}
