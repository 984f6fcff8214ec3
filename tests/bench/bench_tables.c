/* SPDX-License-Identifier: MIT */
/*
 * bench_tables.c - the tables of docs/performance.md for a list of networks:
 *
 *   patch   per-layer peak, the best single-stage patch schedule (and the best
 *           with recompute / cache / cache-cols only), MAC overhead, search
 *           CPU time (this process's, so a busy machine does not inflate it);
 *   arena   per-layer peak, memplan's arena and TFLite Micro's greedy arena,
 *           16-byte aligned, file order (what a TFLM user would get); the
 *           patch search's best and the best operator order, peak / arena;
 *   fused   the fused (multi-stage) front at MAC factors 1.10 / 1.38 / 1.68
 *           and the CPU time to compute the front.
 *
 *   build/tests/bench/bench_tables patch|arena|fused [--inplace-dw] [--stream]
 *                                  [--max-grid N] NET...
 *
 * Prints Markdown rows. Not a test: the figures go to docs/performance.md.
 */
#include "memplan/memplan.h"

#include "bench_util.h"

#include <string.h>

static void fmt(char *buf, size_t n, uint64_t v)
{
    mp_format_count(v, buf, n);
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int patch_row(const mp_graph *g, const mp_plan_opts *o, const char *name)
{
    mp_error err;
    mp_error_init(&err);
    mp_per_layer pl;
    if (mp_plan_per_layer(g, NULL, o, &pl, &err) != MP_OK)
        return 1;
    /* all modes, then each one alone */
    static const uint32_t modes[] = {MP_HALO_ALL, MP_HALO_BIT(MP_HALO_RECOMPUTE),
                                     MP_HALO_BIT(MP_HALO_CACHE), MP_HALO_BIT(MP_HALO_CACHE_COLS)};
    size_t best[4] = {0};
    double ovh[4] = {0};
    double t_ms = 0;
    for (int mode = 0; mode < 4; mode++) {
        mp_search_opts so;
        mp_search_opts_init(&so);
        so.halos = modes[mode];
        mp_patch_search ps;
        double t0 = bench_cpu();
        if (mp_patch_search_run(g, &pl, o, &so, &ps, &err) != MP_OK)
            return 1;
        if (mode == 0)
            t_ms = (bench_cpu() - t0) * 1e3;
        best[mode] = ps.have_best ? ps.best.peak : pl.peak_bytes;
        ovh[mode] = ps.have_best ? ps.best.overhead : 0;
        mp_patch_search_release(&ps);
    }
    char a[32], v[4][32];
    fmt(a, sizeof a, pl.peak_bytes);
    for (int m = 0; m < 4; m++)
        fmt(v[m], sizeof v[m], best[m]);
    printf("| %s | %s | %s (%.1f%%) | %s (%.1f%%) | %s (%.1f%%) | %s (%.1f%%) | %.2fx | %.1f ms |\n",
           name, a, v[0], ovh[0] * 100, v[1], ovh[1] * 100, v[2], ovh[2] * 100, v[3],
           ovh[3] * 100, (double)pl.peak_bytes / (double)best[0], t_ms);
    mp_per_layer_release(&pl);
    return 0;
}

/* Build the schedule spec asks for; its peak and arena into *peak, *arena. */
static int arena_of(const mp_graph *g, const mp_schedule_spec *spec, size_t *peak, size_t *arena)
{
    mp_error err;
    mp_error_init(&err);
    mp_schedule *s;
    if (mp_schedule_build(g, spec, &s, &err) != MP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    *peak = s->peak_bytes;
    *arena = s->arena_bytes;
    mp_schedule_free(s);
    return 0;
}

static const char *verdict(size_t peak, size_t arena)
{
    static char buf[32];
    if (arena == peak)
        return "= peak";
    snprintf(buf, sizeof buf, "+%.1f%%", 100.0 * ((double)arena / (double)peak - 1.0));
    return buf;
}

/* 16-byte aligned (what a TFLite Micro user gets): per-layer in file order
 * against TFLM's greedy arena, the patch search's best, and per-layer in the
 * best operator order; each arena next to its peak (the lower bound). */
static int arena_row(const mp_graph *g, const char *name)
{
    mp_error err;
    mp_error_init(&err);
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts.align = 16;
    size_t tflm = 0, pk[3], ar[3];
    if (mp_plan_tflm_greedy(g, 16, &tflm, &err) != MP_OK || arena_of(g, &spec, &pk[0], &ar[0]))
        return 1;
    mp_per_layer pl;
    mp_search_opts so;
    mp_patch_search ps;
    mp_search_opts_init(&so);
    if (mp_plan_per_layer(g, NULL, &spec.opts, &pl, &err) != MP_OK ||
        mp_patch_search_run(g, &pl, &spec.opts, &so, &ps, &err) != MP_OK)
        return 1;
    mp_schedule_spec_set_patch(&spec, ps.have_best ? &ps.best : NULL);
    mp_patch_search_release(&ps);
    mp_per_layer_release(&pl);
    if (arena_of(g, &spec, &pk[1], &ar[1]))
        return 1;
    mp_order_opts oo;
    mp_order_result ord;
    mp_order_opts_init(&oo);
    mp_schedule_spec_set_patch(&spec, NULL);
    if (mp_plan_best_order(g, &spec.opts, &oo, &ord, &err) != MP_OK)
        return 1;
    spec.order = ord.order;
    int bad = arena_of(g, &spec, &pk[2], &ar[2]);
    mp_order_result_release(&ord);
    if (bad)
        return 1;
    char a[3][32], b[3][32], t[32];
    for (int k = 0; k < 3; k++) {
        fmt(a[k], sizeof a[k], pk[k]);
        fmt(b[k], sizeof b[k], ar[k]);
    }
    fmt(t, sizeof t, tflm);
    printf("| %s | %s | %s (%s) | %s | %s / %s (%s) | %s / %s (%s) |\n", name, a[0], b[0],
           verdict(pk[0], ar[0]), t, a[1], b[1], verdict(pk[1], ar[1]), a[2], b[2],
           verdict(pk[2], ar[2]));
    return ar[0] > tflm;
}

static int fused_row(const mp_graph *g, const mp_plan_opts *o, uint32_t grid, const char *name)
{
    mp_error err;
    mp_error_init(&err);
    mp_per_layer pl;
    if (mp_plan_per_layer(g, NULL, o, &pl, &err) != MP_OK)
        return 1;
    mp_fused_opts fo;
    mp_fused_opts_init(&fo);
    fo.max_rows = fo.max_cols = grid;
    mp_fused_result r;
    double t0 = bench_cpu();
    if (mp_fused_search(g, &pl, o, &fo, &r, &err) != MP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t_ms = (bench_cpu() - t0) * 1e3;
    char pl_s[32];
    fmt(pl_s, sizeof pl_s, pl.peak_bytes);
    printf("| %s | %s", name, pl_s);
    static const double factors[] = {1.10, 1.38, 1.68};
    for (int i = 0; i < 3; i++) {
        const mp_fused_point *p;
        if (mp_fused_min_peak(&r, (uint64_t)(factors[i] * (double)g->macs), &p)) {
            char v[32];
            fmt(v, sizeof v, p->peak);
            printf(" | %s B, %.2fx (%.3fx MACs)", v, (double)pl.peak_bytes / (double)p->peak,
                   p->factor);
        } else {
            printf(" | none");
        }
    }
    printf(" | %u | %.0f ms |\n", r.n_pareto, t_ms);
    mp_fused_release(&r);
    mp_per_layer_release(&pl);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_tables patch|arena|fused [--inplace-dw] [--stream] "
                        "[--max-grid N] NET...\n");
        return 2;
    }
    const char *kind = argv[1];
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    uint32_t grid = 8;
    int i = 2, bad = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--inplace-dw") == 0)
            o.inplace_dw = true;
        else if (strcmp(argv[i], "--stream") == 0)
            o.input_mode = MP_INPUT_STREAM;
        else if (strcmp(argv[i], "--max-grid") == 0 && i + 1 < argc)
            grid = (uint32_t)atoi(argv[++i]);
    }
    if (strcmp(kind, "patch") == 0)
        printf("| network | per-layer peak | best patch (overhead) | recompute only | cache only "
               "| cache-cols only | reduction | search (CPU) |\n"
               "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    else if (strcmp(kind, "arena") == 0)
        printf("| network | per-layer peak | memplan arena | TFLM greedy arena "
               "| best patch: peak / arena | best order: peak / arena |\n"
               "| --- | ---: | ---: | ---: | ---: | ---: |\n");
    else
        printf("| network | per-layer peak | MACs <= 1.10x | MACs <= 1.38x | MACs <= 1.68x "
               "| front | time (CPU) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (; i < argc; i++) {
        mp_graph *g;
        mp_error err;
        mp_error_init(&err);
        if (mp_import_file(argv[i], &g, &err) != MP_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        char name[128];
        snprintf(name, sizeof name, "%s", base(argv[i]));
        if (strcmp(kind, "patch") == 0)
            bad |= patch_row(g, &o, name);
        else if (strcmp(kind, "arena") == 0)
            bad |= arena_row(g, name);
        else
            bad |= fused_row(g, &o, grid, name);
        mp_graph_free(g);
    }
    return bad;
}
