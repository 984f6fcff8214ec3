/* SPDX-License-Identifier: MIT */
/*
 * cmd_redistribute.c - `memplan redistribute`: receptive-field
 * redistribution variants of a network at one patch schedule, as a table or
 * JSON, optionally written as net.json files (module cli). The variants come
 * from mp_redistribute() (mp_redistribute.h); this file parses and prints.
 */
#include "record.h"
#include "sched_opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char redistribute_usage[] =
    "usage: memplan redistribute NET [--split NAME --patches RxC] [options]\n"
    "\n"
    "Receptive-field redistribution (MCUNetV2): variants of NET whose patch stage\n"
    "has smaller kernels (7->5->3) and, for networks written with repeat groups,\n"
    "fewer repetitions before the split and more after it, with later kernels\n"
    "grown (3->5->7) until the total receptive field is at least the original's.\n"
    "Every variant is evaluated at the original's split and grid: receptive\n"
    "fields, per-layer and patch peak, MACs, patch MAC overhead, parameters, and\n"
    "the Pareto front of (patch peak, overhead, patch MACs). Without --split the\n"
    "schedule is the one analyze recommends: the lowest peak within +10% MACs\n"
    "(--max-macs), or with --budget the cheapest that fits.\n"
    "\n"
    "options:\n"
    "  --split NAME       the patch stage: from the first layer to NAME's layer\n"
    "  --patches RxC      with --split: the grid on NAME (e.g. 4x4)\n"
    "  --cuts SPEC        with --split: even (default), balanced, or boundaries\n"
    "  --halo MODE        recompute (default), cache or cache-cols\n"
    "  --budget SIZE      the SRAM budget (search; and a fits column)\n"
    "  --max-macs F       the search's MAC allowance (default 1.1x without a budget)\n"
    "  --max-grid N       largest patch rows/cols the search tries (default 8)\n"
    "  --min-kernel K     smallest kernel a stage op shrinks to (odd, default 3)\n"
    "  --max-kernel K     largest kernel a later op grows to (odd, default 7)\n"
    "  --max-moves N      most repetitions moved across the split (default 4)\n"
    "  --max-shrink N     most stage kernel steps (default: all)\n"
    "  --inplace-dw, --inplace-ops, --input sram|stream, --align N: accounting\n"
    "                     options as for analyze\n"
    "  -o, --output DIR   write every variant as DIR/NAME.json (net.json)\n"
    "  --json             print one JSON document instead of tables\n"
    RECORD_USAGE_MCU RECORD_USAGE_DB
    "  -h, --help         show this help\n";

typedef struct rd_opts {
    const char *net, *dir;
    sched_opts so;
    mp_redist_opts ro;
    bool json;
    record_opts rec;
} rd_opts;

enum { OPT_JSON = 256, OPT_MIN_KERNEL, OPT_MAX_KERNEL, OPT_MAX_MOVES, OPT_MAX_SHRINK };

/* Our own options (codes below SO_SCHEDULE); EXIT_OK, EXIT_USAGE or -1: not ours. */
static int parse_own(mp_cli *cli, int c, const char *arg, rd_opts *o)
{
    unsigned long v;
    switch (c) {
    case 'o':
        o->dir = arg;
        return EXIT_OK;
    case OPT_JSON:
        o->json = true;
        return EXIT_OK;
    case OPT_MIN_KERNEL:
    case OPT_MAX_KERNEL:
        if (!cli_parse_uint(cli, c == OPT_MIN_KERNEL ? "--min-kernel" : "--max-kernel", arg,
                            c == OPT_MIN_KERNEL ? 1 : 3, 99, &v))
            return EXIT_USAGE;
        if (v % 2 == 0)
            return cli_usage_error(cli, "%s: expected an odd kernel size, got '%s'",
                                   c == OPT_MIN_KERNEL ? "--min-kernel" : "--max-kernel", arg);
        *(c == OPT_MIN_KERNEL ? &o->ro.min_kernel : &o->ro.max_kernel) = (int32_t)v;
        return EXIT_OK;
    case OPT_MAX_MOVES:
        if (!cli_parse_uint(cli, "--max-moves", arg, 0, 64, &v))
            return EXIT_USAGE;
        o->ro.max_moves = (uint32_t)v;
        return EXIT_OK;
    case OPT_MAX_SHRINK:
        if (!cli_parse_uint(cli, "--max-shrink", arg, 0, 100000, &v))
            return EXIT_USAGE;
        o->ro.max_shrink = (uint32_t)v;
        return EXIT_OK;
    default:
        return -1;
    }
}

/* The schedule options redistribute takes from sched_opts. */
static int check_opts(mp_cli *cli, int code, const char *opt)
{
    if (code == SO_SCHEDULE || code == SO_BEST || code == SO_FUSED || code == SO_MAX_STAGES)
        return cli_usage_error(cli, "option '%s' does not apply to redistribute", opt);
    return EXIT_OK;
}

static int parse_args(mp_cli *cli, int argc, char **argv, rd_opts *o)
{
    static const struct option longopts[] = {
        SCHED_LONGOPTS,
        {"json", no_argument, NULL, OPT_JSON},
        {"min-kernel", required_argument, NULL, OPT_MIN_KERNEL},
        {"max-kernel", required_argument, NULL, OPT_MAX_KERNEL},
        {"max-moves", required_argument, NULL, OPT_MAX_MOVES},
        {"max-shrink", required_argument, NULL, OPT_MAX_SHRINK},
        {"output", required_argument, NULL, 'o'},
        RECORD_LONGOPTS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sched_opts_init(&o->so);
    mp_redist_opts_init(&o->ro);
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
        if (record_option(c, optarg, &o->rec))
            continue;
        int rc = parse_own(cli, c, optarg, o);
        if (rc == -1 && (rc = check_opts(cli, c, argv[optind - 1])) == EXIT_OK)
            rc = sched_opts_parse(cli, c, optarg, &o->so);
        if (rc != EXIT_OK)
            return rc == -1 ? cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]) : rc;
    }
    if (optind != argc - 1)
        return cli_usage_error(cli, "expected one network file, got %d arguments", argc - optind);
    o->net = argv[optind];
    if (!o->so.split != !o->so.rows)
        return cli_usage_error(cli, "--split and --patches go together");
    if (o->so.cuts && !o->so.split)
        return cli_usage_error(cli, "--cuts needs --split and --patches");
    if (o->so.halo_given && o->so.halos != MP_HALO_BIT(o->so.halo))
        return cli_usage_error(cli, "--halo takes one mode (recompute, cache or cache-cols)");
    if (o->ro.min_kernel > o->ro.max_kernel)
        return cli_usage_error(cli, "--min-kernel %d is larger than --max-kernel %d",
                               o->ro.min_kernel, o->ro.max_kernel);
    return EXIT_OK;
}

/* ---- text ----------------------------------------------------------------------------- */

static const char *rf_text(const mp_rf *r, char *buf, size_t n)
{
    if (r->size_h == r->size_w)
        snprintf(buf, n, "%d", r->size_h);
    else
        snprintf(buf, n, "%dx%d", r->size_h, r->size_w);
    return buf;
}

static void print_head(mp_cli *cli, const rd_opts *o, const mp_graph *g, const mp_redist *r)
{
    FILE *f = cli->out;
    const mp_redist_variant *v0 = &r->v[0];
    char a[32], b[32];
    fprintf(f, "network          %s\n", g->name);
    fprintf(f, "file             %s\n", g->source);
    fprintf(f, "schedule         %ux%u %s, halo %s, split '%s' (step %u)\n", r->spec.rows,
            r->spec.cols, mp_cuts_name(r->spec.cuts), mp_halo_name(r->spec.halo),
            cli_short_name(g->tensors[v0->split].name, 24), v0->split_step);
    if (!o->so.split)
        fprintf(f, "                 the search's recommendation: %s\n",
                o->so.search.have_budget ? "the cheapest that fits"
                                         : "the lowest peak within --max-macs");
    fprintf(f, "receptive field  total %s, patch stage %s (input pixels)\n",
            rf_text(&v0->total_rf, a, sizeof a), rf_text(&v0->stage_rf, b, sizeof b));
    fprintf(f, "variants         %u", r->n - 1);
    fprintf(f, " (repetitions that can move: %u", r->n_moves);
    if (r->n_dropped)
        fprintf(f, "; %u dropped: growing cannot restore the field", r->n_dropped);
    if (r->n_same)
        fprintf(f, "; %u same as another", r->n_same);
    fprintf(f, ")\n");
    if (r->n == 1 && !r->n_dropped)
        fprintf(f, "                 no patch-stage kernel is larger than --min-kernel %d and no "
                   "repeat group can move across the split\n",
                o->ro.min_kernel);
    fprintf(f, "\n");
}

static void print_table(mp_cli *cli, const rd_opts *o, const mp_redist *r)
{
    FILE *f = cli->out;
    bool budget = o->so.search.have_budget;
    fprintf(f, "%-9s %5s %6s %4s %8s %8s %13s %10s\n", "variant", "moves", "shrink", "grow",
            "stage RF", "total RF", "MACs", "params");
    for (uint32_t k = 0; k < r->n; k++) {
        const mp_redist_variant *v = &r->v[k];
        char a[32], b[32];
        fprintf(f, "%-9s %5u %6u %4u %8s %8s %13s %10s\n", v->id, v->n_moves, v->n_shrink,
                v->n_grow, rf_text(&v->stage_rf, a, sizeof a), rf_text(&v->total_rf, b, sizeof b),
                cli_count(v->macs), cli_count(v->params));
    }
    fprintf(f, "\n%-9s %14s %11s %13s %9s%s\n", "variant", "per-layer peak", "patch peak",
            "patch MACs", "overhead", budget ? "  fits" : "");
    for (uint32_t k = 0; k < r->n; k++) {
        const mp_redist_variant *v = &r->v[k];
        fprintf(f, "%-9s %14s %11s %13s %8.2f%%", v->id, cli_count(v->per_layer_peak),
                cli_count(v->peak), cli_count(v->patch_macs), v->overhead * 100.0);
        if (budget)
            fprintf(f, "  %4s", v->peak <= o->so.search.budget ? "yes" : "no");
        fprintf(f, "%s\n", v->pareto ? "  *" : "");
    }
    fprintf(f, "* on the Pareto front of (patch peak, overhead, patch MACs)\n\n");
}

/* The front alone, by patch peak (ties: fewer patch MACs, then the table's order). */
static void print_pareto(mp_cli *cli, const mp_redist *r)
{
    FILE *f = cli->out;
    bool *done = calloc(r->n, sizeof *done);
    if (!done)
        return;
    fprintf(f, "Pareto front     %11s %9s %13s\n", "patch peak", "overhead", "patch MACs");
    for (;;) {
        const mp_redist_variant *best = NULL;
        uint32_t at = 0;
        for (uint32_t k = 0; k < r->n; k++) {
            const mp_redist_variant *v = &r->v[k];
            if (v->pareto && !done[k] &&
                (!best || v->peak < best->peak ||
                 (v->peak == best->peak && v->patch_macs < best->patch_macs))) {
                best = v;
                at = k;
            }
        }
        if (!best)
            break;
        done[at] = true;
        fprintf(f, "  %-14s %11s %8.2f%% %13s\n", best->id, cli_count(best->peak),
                best->overhead * 100.0, cli_count(best->patch_macs));
    }
    fprintf(f, "\n");
    free(done);
}

static void print_changes(mp_cli *cli, const mp_redist *r)
{
    FILE *f = cli->out;
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    fprintf(f, "changes\n");
    for (uint32_t k = 1; k < r->n; k++) {
        mp_strbuf_reset(&sb);
        mp_redist_describe(&r->v[k], &sb);
        fprintf(f, "  %-9s %s\n", r->v[k].id, sb.buf);
    }
    mp_strbuf_release(&sb);
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void json_rf(mp_strbuf *sb, const char *key, const mp_rf *r)
{
    mp_strbuf_printf(sb, ", \"%s\": [%d, %d]", key, r->size_h, r->size_w);
}

static void json_change(mp_strbuf *sb, const mp_redist_change *ch)
{
    if (ch->kind == MP_REDIST_MOVE) {
        mp_strbuf_puts(sb, "{\"kind\": \"move\", \"from\": ");
        mp_strbuf_json_string(sb, ch->from_group);
        mp_strbuf_puts(sb, ", \"to\": ");
        mp_strbuf_json_string(sb, ch->to_group);
        mp_strbuf_printf(sb, ", \"from_reps\": %u, \"to_reps\": %u}", ch->from_reps, ch->to_reps);
        return;
    }
    mp_strbuf_printf(sb, "{\"kind\": \"%s\", \"layer\": ",
                     ch->kind == MP_REDIST_SHRINK ? "shrink" : "grow");
    mp_strbuf_json_string(sb, ch->layer);
    mp_strbuf_printf(sb, ", \"from\": [%d, %d], \"to\": [%d, %d]}", ch->from_h, ch->from_w,
                     ch->to_h, ch->to_w);
}

static void json_variant(mp_strbuf *sb, const rd_opts *o, const mp_redist_variant *v,
                         const char *file)
{
    const mp_graph *g = v->graph;
    mp_strbuf_printf(sb, "    {\"id\": \"%s\", \"name\": ", v->id);
    mp_strbuf_json_string(sb, g->name);
    mp_strbuf_printf(sb, ", \"hash\": \"%s\", \"moves\": %u, \"shrink_steps\": %u, "
                         "\"grow_steps\": %u, \"changes\": [",
                     g->hash, v->n_moves, v->n_shrink, v->n_grow);
    for (uint32_t k = 0; k < v->n_changes; k++) {
        mp_strbuf_puts(sb, k ? ", " : "");
        json_change(sb, &v->changes[k]);
    }
    mp_strbuf_puts(sb, "], \"split\": ");
    mp_strbuf_json_string(sb, g->tensors[v->split].name);
    mp_strbuf_printf(sb, ", \"split_step\": %u", v->split_step);
    json_rf(sb, "stage_rf", &v->stage_rf);
    json_rf(sb, "total_rf", &v->total_rf);
    mp_strbuf_printf(sb, ", \"per_layer_peak_bytes\": %zu, \"peak_bytes\": %zu, \"macs\": %llu, "
                         "\"patch_macs\": %llu, \"overhead\": %.6f, \"params\": %llu, "
                         "\"pareto\": %s, \"fits\": ",
                     v->per_layer_peak, v->peak, (unsigned long long)v->macs,
                     (unsigned long long)v->patch_macs, v->overhead,
                     (unsigned long long)v->params, v->pareto ? "true" : "false");
    if (o->so.search.have_budget)
        mp_strbuf_puts(sb, v->peak <= o->so.search.budget ? "true" : "false");
    else
        mp_strbuf_puts(sb, "null");
    mp_strbuf_puts(sb, ", \"file\": ");
    if (file)
        mp_strbuf_json_string(sb, file);
    else
        mp_strbuf_puts(sb, "null");
    mp_strbuf_puts(sb, "}");
}

static void print_json(mp_cli *cli, const rd_opts *o, const mp_graph *g, const mp_redist *r,
                       char **files)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    const mp_plan_opts *po = &o->so.plan;
    mp_strbuf_puts(&sb, "{\"memplan_version\": ");
    mp_strbuf_json_string(&sb, mp_version());
    mp_strbuf_puts(&sb, ",\n  \"network\": {\"name\": ");
    mp_strbuf_json_string(&sb, g->name);
    mp_strbuf_puts(&sb, ", \"source\": ");
    mp_strbuf_json_string(&sb, g->source);
    mp_strbuf_printf(&sb, ", \"hash\": \"%s\"},\n  \"options\": {\"inplace_dw\": %s, "
                          "\"inplace_ops\": %s, \"align\": %zu, \"input\": \"%s\", "
                          "\"min_kernel\": %d, \"max_kernel\": %d, \"max_moves\": %u",
                     g->hash, po->inplace_dw ? "true" : "false", po->inplace_ops ? "true" : "false",
                     po->align, po->input_mode == MP_INPUT_STREAM ? "stream" : "sram",
                     o->ro.min_kernel, o->ro.max_kernel, o->ro.max_moves);
    if (o->ro.max_shrink != UINT32_MAX)
        mp_strbuf_printf(&sb, ", \"max_shrink\": %u", o->ro.max_shrink);
    mp_strbuf_puts(&sb, "},\n  \"schedule\": {\"split\": ");
    mp_strbuf_json_string(&sb, g->tensors[r->v[0].split].name);
    mp_strbuf_printf(&sb, ", \"split_step\": %u, \"grid\": [%u, %u], \"cuts\": \"%s\", "
                          "\"halo\": \"%s\", \"from\": \"%s\", \"budget\": ",
                     r->v[0].split_step, r->spec.rows, r->spec.cols, mp_cuts_name(r->spec.cuts),
                     mp_halo_name(r->spec.halo), o->so.split ? "options" : "search");
    if (o->so.search.have_budget)
        mp_strbuf_printf(&sb, "%zu", o->so.search.budget);
    else
        mp_strbuf_puts(&sb, "null");
    mp_strbuf_printf(&sb, "},\n  \"movable_repetitions\": %u, \"dropped\": %u, \"duplicates\": %u,"
                          "\n  \"variants\": [\n",
                     r->n_moves, r->n_dropped, r->n_same);
    for (uint32_t k = 0; k < r->n; k++) {
        json_variant(&sb, o, &r->v[k], files ? files[k] : NULL);
        mp_strbuf_puts(&sb, k + 1 < r->n ? ",\n" : "\n");
    }
    mp_strbuf_puts(&sb, "  ]\n}\n");
    fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
}

/* ---- files ---------------------------------------------------------------------------- */

/* DIR/NAME.json with characters other than letters, digits and "._-+" in NAME as '_'. */
static char *variant_path(const char *dir, const char *name)
{
    size_t nd = strlen(dir), nn = strlen(name);
    char *p = malloc(nd + nn + 8);
    if (!p)
        return NULL;
    memcpy(p, dir, nd);
    p[nd] = '/';
    for (size_t i = 0; i < nn; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' || ch == '+';
        p[nd + 1 + i] = ok ? ch : '_';
    }
    memcpy(p + nd + 1 + nn, ".json", 6);
    return p;
}

static mp_status write_variant(const mp_redist *r, const mp_redist_variant *v, const char *path,
                               mp_error *err)
{
    mp_strbuf desc, doc;
    char a[32], b[32], c[32], d[32];
    mp_strbuf_init(&desc);
    mp_strbuf_init(&doc);
    mp_strbuf_printf(&desc, "receptive-field redistribution variant %s of %s (memplan "
                            "redistribute): ",
                     v->id, r->v[0].graph->name);
    mp_redist_describe(v, &desc);
    mp_strbuf_printf(&desc, "; total receptive field %s (original %s), patch stage %s (original "
                            "%s); weights are not carried over",
                     rf_text(&v->total_rf, a, sizeof a), rf_text(&r->v[0].total_rf, b, sizeof b),
                     rf_text(&v->stage_rf, c, sizeof c), rf_text(&r->v[0].stage_rf, d, sizeof d));
    mp_export_opts eo = {.description = desc.failed ? NULL : desc.buf};
    mp_status st = mp_export_net_json(v->graph, &eo, &doc, err);
    if (st == MP_OK)
        st = mp_file_write_atomic(path, doc.buf, doc.len, err);
    mp_strbuf_release(&desc);
    mp_strbuf_release(&doc);
    return st;
}

/* Write every variant into o->dir; files[k] receives each path (files[0]: none). */
static int write_variants(mp_cli *cli, const rd_opts *o, const mp_redist *r, char **files)
{
    mp_error err;
    mp_error_init(&err);
    if (mp_mkdir_p(o->dir, &err) != MP_OK)
        return cli_fail(cli, &err);
    for (uint32_t k = 1; k < r->n; k++) {
        files[k] = variant_path(o->dir, r->v[k].graph->name);
        if (!files[k]) {
            mp_errorf(&err, MP_E_NOMEM, "out of memory");
            return cli_fail(cli, &err);
        }
        if (write_variant(r, &r->v[k], files[k], &err) != MP_OK)
            return cli_fail(cli, &err);
    }
    fprintf(cli->err, "memplan: redistribute: wrote %u variants to %s\n", r->n - 1, o->dir);
    return EXIT_OK;
}

/* ---- command -------------------------------------------------------------------------- */

/* The patch schedule of the options (or the search's best) as a spec of g. */
static int find_spec(mp_cli *cli, rd_opts *o, const mp_graph *g, mp_schedule **s,
                     mp_patch_spec *spec, bool *fits)
{
    o->so.best = !o->so.split;
    o->so.search.halos = MP_HALO_BIT(o->so.halo); /* the one mode, searched or given */
    int rc = sched_opts_build(cli, &o->so, g, s, fits);
    if (rc != EXIT_OK)
        return rc;
    for (uint32_t k = 0; k < (*s)->n_segments; k++) {
        if ((*s)->segments[k].kind == MP_SEG_TILED) {
            *spec = (*s)->segments[k].patch->spec;
            return EXIT_OK;
        }
    }
    fprintf(cli->err, "memplan: redistribute: %s: no patch schedule to redistribute: per-layer "
                      "execution is %s (give --split and --patches)\n",
            o->net, o->so.search.have_budget ? "within the budget" : "the lowest peak");
    return EXIT_FAIL;
}

int cmd_redistribute(mp_cli *cli, int argc, char **argv)
{
    rd_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK || (rc = record_mcu_budget(cli, &o.rec, &o.so.search, true)) != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_schedule *s = NULL;
    mp_redist r = {0};
    char **files = NULL;
    bool fits = true;
    mp_patch_spec spec;
    if (cli_import(cli, o.net, &g, &err) != MP_OK)
        return cli_fail(cli, &err);
    rc = find_spec(cli, &o, g, &s, &spec, &fits);
    if (rc == EXIT_OK && mp_redistribute(g, &o.so.plan, &spec, &o.ro, &r, &err) != MP_OK)
        rc = cli_fail(cli, &err);
    if (rc == EXIT_OK && o.dir && !(files = calloc(r.n, sizeof *files))) {
        mp_errorf(&err, MP_E_NOMEM, "out of memory");
        rc = cli_fail(cli, &err);
    }
    if (rc == EXIT_OK && o.dir)
        rc = write_variants(cli, &o, &r, files);
    if (rc == EXIT_OK && o.json) {
        print_json(cli, &o, g, &r, files);
    } else if (rc == EXIT_OK) {
        print_head(cli, &o, g, &r);
        print_table(cli, &o, &r);
        print_pareto(cli, &r);
        if (r.n > 1)
            print_changes(cli, &r);
    }
    bool done = rc == EXIT_OK;
    if (rc == EXIT_OK && !fits)
        rc = EXIT_FAIL;
    if (done) /* the run, the original's schedule and every variant (docs/database.md) */
        rc = record_redistribute(cli, &o.rec, argc, argv, s, &r, rc);
    for (uint32_t k = 0; files && k < r.n; k++)
        free(files[k]);
    free(files);
    mp_redist_release(&r);
    mp_schedule_free(s);
    mp_graph_free(g);
    return rc;
}
