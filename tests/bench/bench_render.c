/* SPDX-License-Identifier: MIT */
/*
 * bench_render.c - time of memplan's pictures of one network: for each kind
 * (graph, timeline, lifecycle) the model alone, and model + Graphviz layout +
 * rendering in memory to DOT, SVG, PNG and PDF, each the median of many runs.
 * The schedule is the one `memplan render NET --inplace-dw --input stream`
 * draws: the best of the patch search. Each rendering must stay under 200 ms
 * (wall clock). The CPU time of the process is printed too: on a busy
 * machine the wall clock includes waiting for a core.
 *
 *   build/tests/bench/bench_render nets/mobilenetv2-w1.0-r224.json [iterations]
 */
#include "memplan/memplan.h"

#include "bench_util.h"


static mp_schedule *best_schedule(mp_graph *g, mp_error *err)
{
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    o.inplace_dw = true;
    o.input_mode = MP_INPUT_STREAM;
    mp_per_layer pl;
    mp_search_opts so;
    mp_search_opts_init(&so);
    mp_patch_search ps;
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts = o;
    mp_schedule *s = NULL;
    if (mp_plan_per_layer(g, NULL, &o, &pl, err) != MP_OK)
        return NULL;
    if (mp_patch_search_run(g, &pl, &o, &so, &ps, err) == MP_OK) {
        if (ps.have_best) {
            spec.tiled[0] = (mp_patch_spec){
                0,    ps.best.last_step, ps.best.rows, ps.best.cols, ps.best.cuts, NULL,
                NULL, ps.best.halo};
            spec.n_tiled = 1;
        }
        mp_schedule_build(g, &spec, &s, err);
        mp_patch_search_release(&ps);
    }
    mp_per_layer_release(&pl);
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_render NET [iterations]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 20;
    if (iters < 1)
        iters = 1;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_schedule *s = NULL;
    if (mp_import_file(argv[1], &g, &err) != MP_OK || !(s = best_schedule(g, &err))) {
        fprintf(stderr, "memplan: %s\n", err.msg);
        mp_graph_free(g);
        return 1;
    }
    mp_renderer *r = NULL;
    if (mp_renderer_new(&r, &err) != MP_OK) {
        fprintf(stderr, "memplan: %s\n", err.msg);
        return 1;
    }
    double *t = calloc((size_t)iters, sizeof(double));
    double *c = calloc((size_t)iters, sizeof(double));
    double worst = 0, cpu[MP_RENDER_KIND_COUNT][MP_RENDER_FORMAT_COUNT];
    printf("network          %s (%u ops, %u buffers)\n", argv[1], g->n_ops, s->n_buffers);
    printf("iterations       %d (medians, ms)\n\n", iters);
    printf("wall clock    %8s %8s %8s %8s %8s   %s\n", "model", "dot", "svg", "png", "pdf",
           "png bytes");
    for (int k = 0; k < MP_RENDER_KIND_COUNT; k++) {
        mp_render_opts ro;
        mp_render_opts_init(&ro);
        ro.kind = (mp_render_kind)k;
        ro.have_budget = true;
        ro.budget = 256 * 1024;
        for (int i = 0; i < iters; i++) {
            mp_render_model *m = NULL;
            double t0 = bench_now();
            if (mp_render_model_build(s, &ro, &m, &err) != MP_OK) {
                fprintf(stderr, "memplan: %s\n", err.msg);
                return 1;
            }
            t[i] = bench_now() - t0;
            mp_render_model_free(m);
        }
        printf("%-13s %8.3f", mp_render_kind_name(ro.kind), bench_median(t, iters) * 1e3);
        size_t png_bytes = 0;
        for (int f = 0; f < MP_RENDER_FORMAT_COUNT; f++) {
            for (int i = 0; i < iters; i++) {
                mp_strbuf sb;
                mp_strbuf_init(&sb);
                double t0 = bench_now(), c0 = bench_cpu();
                if (mp_render(r, s, &ro, (mp_render_format)f, &sb, &err) != MP_OK) {
                    fprintf(stderr, "memplan: %s\n", err.msg);
                    return 1;
                }
                t[i] = bench_now() - t0;
                c[i] = bench_cpu() - c0;
                if (f == MP_RENDER_PNG)
                    png_bytes = sb.len;
                mp_strbuf_release(&sb);
            }
            double med = bench_median(t, iters) * 1e3;
            worst = med > worst ? med : worst;
            cpu[k][f] = bench_median(c, iters) * 1e3;
            printf(" %8.2f", med);
        }
        printf("   %zu\n", png_bytes);
    }
    printf("\ncpu time      %8s %8s %8s %8s %8s\n", "", "dot", "svg", "png", "pdf");
    for (int k = 0; k < MP_RENDER_KIND_COUNT; k++) {
        printf("%-13s %8s", mp_render_kind_name((mp_render_kind)k), "");
        for (int f = 0; f < MP_RENDER_FORMAT_COUNT; f++)
            printf(" %8.2f", cpu[k][f]);
        printf("\n");
    }
    printf("\nslowest rendering %.2f ms wall clock (limit 200 ms): %s\n", worst,
           worst < 200 ? "ok" : "TOO SLOW");
    free(c);
    free(t);
    mp_renderer_free(r);
    mp_schedule_free(s);
    mp_graph_free(g);
    return worst < 200 ? 0 : 1;
}
