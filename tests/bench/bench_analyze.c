/* SPDX-License-Identifier: MIT */
/*
 * bench_analyze.c - time of memplan's analyze steps on one network:
 * import (file read + parse + finalize), per-layer liveness/peak, and the
 * full patch search, each the median of many runs.
 *
 *   build/tests/bench_analyze nets/mobilenetv2-w1.0-r224.json [iterations]
 */
#include "memplan/memplan.h"

#include "bench_util.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_analyze NET [iterations]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 200;
    if (iters < 1)
        iters = 1;
    double *t_import = calloc((size_t)iters, sizeof(double));
    double *t_peak = calloc((size_t)iters, sizeof(double));
    double *t_search = calloc((size_t)iters, sizeof(double));
    double *c_search = calloc((size_t)iters, sizeof(double));
    mp_error err;
    uint32_t evaluated = 0;
    size_t peak = 0, best = 0;
    for (int i = 0; i < iters; i++) {
        mp_error_init(&err);
        mp_graph *g;
        double t0 = bench_now();
        if (mp_import_file(argv[1], &g, &err) != MP_OK) {
            fprintf(stderr, "memplan: %s\n", err.msg);
            return 1;
        }
        double t1 = bench_now();
        mp_plan_opts o;
        mp_plan_opts_init(&o);
        o.inplace_dw = true;
        o.input_mode = MP_INPUT_STREAM;
        mp_per_layer pl;
        mp_plan_per_layer(g, NULL, &o, &pl, &err);
        double t2 = bench_now(), c2 = bench_cpu();
        mp_search_opts so;
        mp_search_opts_init(&so);
        mp_patch_search ps;
        mp_patch_search_run(g, &pl, &o, &so, &ps, &err);
        double t3 = bench_now(), c3 = bench_cpu();
        t_import[i] = t1 - t0;
        t_peak[i] = t2 - t1;
        t_search[i] = t3 - t2;
        c_search[i] = c3 - c2;
        evaluated = ps.n_evaluated;
        peak = pl.peak_bytes;
        best = ps.have_best ? ps.best.peak : pl.peak_bytes;
        mp_patch_search_release(&ps);
        mp_per_layer_release(&pl);
        mp_graph_free(g);
    }
    printf("network          %s\n", argv[1]);
    printf("iterations       %d (medians)\n", iters);
    printf("import           %.3f ms\n", bench_median(t_import, iters) * 1e3);
    printf("per-layer peak   %.4f ms  (%zu B, in-place depthwise)\n",
           bench_median(t_peak, iters) * 1e3, peak);
    printf("patch search     %.3f ms, CPU %.3f ms  (%u schedules evaluated, best %zu B, input "
           "stream)\n",
           bench_median(t_search, iters) * 1e3, bench_median(c_search, iters) * 1e3, evaluated,
           best);
    free(t_import);
    free(t_peak);
    free(t_search);
    free(c_search);
    return 0;
}
