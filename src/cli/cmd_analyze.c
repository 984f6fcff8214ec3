/* SPDX-License-Identifier: MIT */
/*
 * cmd_analyze.c - `memplan analyze`: the per-layer memory profile of a
 * network (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <string.h>

const char analyze_usage[] =
    "usage: memplan analyze NET [options]\n"
    "\n"
    "Report the exact per-layer peak SRAM of a network (net.json or .tflite):\n"
    "a table of every step (layer, op, output shape, MACs, live bytes, the peak\n"
    "marked) and a summary (peak, MACs, params, weight bytes).\n"
    "\n"
    "options:\n"
    "  --inplace-dw     depthwise convolutions write over their input (MCUNet)\n"
    "  --align N        round every buffer up to N bytes (default 1; TFLM uses 16)\n"
    "  --json           print one JSON document instead of the table (docs/cli.md)\n"
    "  -h, --help       show this help\n";

typedef struct analyze_opts {
    const char *net;
    mp_plan_opts plan;
    bool json;
} analyze_opts;

static int parse_args(mp_cli *cli, int argc, char **argv, analyze_opts *o)
{
    enum { OPT_INPLACE = 256, OPT_ALIGN, OPT_JSON };
    static const struct option longopts[] = {
        {"inplace-dw", no_argument, NULL, OPT_INPLACE},
        {"align", required_argument, NULL, OPT_ALIGN},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mp_plan_opts_init(&o->plan);
    optind = 1;
    opterr = 0;
    int c;
    unsigned long v;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_INPLACE:
            o->plan.inplace_dw = true;
            break;
        case OPT_ALIGN:
            if (!cli_parse_uint(cli, "--align", optarg, 1, 4096, &v))
                return EXIT_USAGE;
            o->plan.align = v;
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
        return cli_usage_error(cli, "expected one network file, got %d arguments",
                               argc - optind);
    o->net = argv[optind];
    return EXIT_OK;
}

static void print_table(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl)
{
    FILE *f = cli->out;
    fprintf(f, "%4s  %-28s %-17s %-14s %13s %13s\n", "step", "layer", "op", "output", "MACs",
            "live bytes");
    for (uint32_t s = 0; s < pl->n_steps; s++) {
        const mp_op *op = &g->ops[pl->steps[s].op];
        char shape[48];
        mp_shape_format(&g->tensors[op->out[0]], shape, sizeof shape);
        fprintf(f, "%4u  %-28s %-17s %-14s %13s %13s%s%s\n", s, op->name, op->type_name, shape,
                op->macs_known ? cli_count(op->macs) : "?", cli_count(pl->steps[s].live_bytes),
                pl->steps[s].inplace ? " in-place" : "", s == pl->peak_step ? "  <- peak" : "");
    }
}

/* The ops without a MAC count (unknown to memplan), by index and name. */
static void print_unknown_ops(FILE *f, const mp_graph *g)
{
    uint32_t shown = 0;
    fprintf(f, "                 (no MAC count for %u op%s:", g->n_unknown_ops,
            g->n_unknown_ops == 1 ? "" : "s");
    for (uint32_t i = 0; i < g->n_ops && shown < 8; i++) {
        char where[200];
        if (!g->ops[i].macs_known)
            fprintf(f, "%s %s", shown++ ? "," : "", mp_graph_op_where(g, i, where, sizeof where));
    }
    if (g->n_unknown_ops > shown)
        fprintf(f, ", and %u more", g->n_unknown_ops - shown);
    fprintf(f, ")\n");
}

static void print_summary(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                          const analyze_opts *o, size_t tflm_bytes)
{
    FILE *f = cli->out;
    const mp_op *peak_op = &g->ops[pl->steps[pl->peak_step].op];
    fprintf(f, "\nnetwork          %s (%s)\n", g->name, g->source);
    fprintf(f, "ops              %u\n", g->n_ops);
    fprintf(f, "MACs             %s\n", cli_count(g->macs));
    if (g->n_unknown_ops)
        print_unknown_ops(f, g);
    fprintf(f, "params           %s\n", cli_count(g->params));
    fprintf(f, "weight bytes     %s (flash)\n", cli_count(g->weight_bytes));
    fprintf(f, "per-layer peak   %s B (%s) at step %u '%s'%s%s\n", cli_count(pl->peak_bytes),
            cli_kib(pl->peak_bytes), pl->peak_step, peak_op->name,
            o->plan.inplace_dw ? ", in-place depthwise" : "",
            o->plan.align > 1 ? ", aligned" : "");
    fprintf(f, "TFLM greedy arena %s B (%s) for tensors; TFLite Micro adds its own "
               "bookkeeping on top\n", cli_count(tflm_bytes), cli_kib(tflm_bytes));
}

static void print_json(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                       const analyze_opts *o, size_t tflm_bytes)
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
    mp_strbuf_printf(&sb, "  \"options\": {\"inplace_dw\": %s, \"align\": %zu},\n",
                     o->plan.inplace_dw ? "true" : "false", o->plan.align);
    mp_strbuf_printf(&sb, "  \"tflm_greedy_arena_bytes\": %zu,\n", tflm_bytes);
    mp_strbuf_printf(&sb, "  \"per_layer\": {\"peak_bytes\": %zu, \"peak_step\": %u, \"steps\": [\n",
                     pl->peak_bytes, pl->peak_step);
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
        mp_strbuf_printf(&sb, ", \"live_bytes\": %zu, \"inplace\": %s}%s\n",
                         pl->steps[s].live_bytes, pl->steps[s].inplace ? "true" : "false",
                         s + 1 < pl->n_steps ? "," : "");
    }
    mp_strbuf_puts(&sb, "  ]}\n}\n");
    fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
}

int cmd_analyze(mp_cli *cli, int argc, char **argv)
{
    analyze_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_per_layer pl = {0};
    size_t tflm = 0;
    if (mp_import_file(o.net, &g, &err) != MP_OK ||
        mp_plan_per_layer(g, NULL, &o.plan, &pl, &err) != MP_OK ||
        mp_plan_tflm_greedy(g, MP_TFLM_ALIGN, &tflm, &err) != MP_OK) {
        mp_per_layer_release(&pl);
        mp_graph_free(g);
        return cli_fail(cli, &err);
    }
    if (o.json) {
        print_json(cli, g, &pl, &o, tflm);
    } else {
        print_table(cli, g, &pl);
        print_summary(cli, g, &pl, &o, tflm);
    }
    mp_per_layer_release(&pl);
    mp_graph_free(g);
    return EXIT_OK;
}
