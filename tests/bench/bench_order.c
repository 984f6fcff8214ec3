/* SPDX-License-Identifier: MIT */
/*
 * bench_order.c - time of the operator-order search (mp_plan_best_order) on
 * networks: file-order peak, best-order peak, whether it is proven optimal,
 * states stored, and the median time of many runs. Default plan options,
 * then in-place depthwise + elementwise (what analyze --inplace uses).
 *
 *   build/tests/bench/bench_order [--max-states N] [--beam N] ITERATIONS NET...
 *
 * --max-states and --beam set mp_order_opts (defaults 1,000,000 and 64):
 * --max-states 0 shows what the heuristics alone find.
 */
#include "memplan/memplan.h"

#include "bench_util.h"

#include <string.h>

static int bench_one(const char *path, const mp_order_opts *oo, int iters, bool inplace)
{
    mp_error err;
    mp_error_init(&err);
    mp_graph *g;
    if (mp_import_file(path, &g, &err) != MP_OK) {
        fprintf(stderr, "memplan: %s\n", err.msg);
        return 1;
    }
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    o.inplace_dw = o.inplace_ops = inplace;
    double *t = calloc((size_t)iters, sizeof *t);
    mp_order_result r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < iters; i++) {
        mp_order_result_release(&r);
        double t0 = bench_now();
        if (mp_plan_best_order(g, &o, oo, &r, &err) != MP_OK) {
            fprintf(stderr, "memplan: %s: %s\n", path, err.msg);
            free(t);
            mp_graph_free(g);
            return 1;
        }
        t[i] = bench_now() - t0;
    }
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    printf("| %s | %s | %u | %zu | %zu | %.1f%% | %s | %u | %llu | %.3f ms |\n", name,
           inplace ? "in-place" : "-", g->n_ops, r.file_peak_bytes, r.peak_bytes,
           r.file_peak_bytes ? 100.0 * (double)(r.file_peak_bytes - r.peak_bytes) /
                                   (double)r.file_peak_bytes
                             : 0.0,
           r.optimal ? "exact" : "heuristic", r.n_parts,
           (unsigned long long)(r.n_states + r.n_beam_states), bench_median(t, iters) * 1e3);
    mp_order_result_release(&r);
    free(t);
    mp_graph_free(g);
    return 0;
}

int main(int argc, char **argv)
{
    mp_order_opts oo;
    mp_order_opts_init(&oo);
    int a = 1;
    for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
        if (!strcmp(argv[a], "--max-states"))
            oo.max_states = strtoull(argv[a + 1], NULL, 10);
        else if (!strcmp(argv[a], "--beam"))
            oo.beam_width = (uint32_t)strtoul(argv[a + 1], NULL, 10);
        else
            break;
    }
    if (argc - a < 2) {
        fprintf(stderr, "usage: bench_order [--max-states N] [--beam N] ITERATIONS NET...\n");
        return 2;
    }
    int iters = atoi(argv[a]);
    if (iters < 1)
        iters = 1;
    printf("| network | in-place | ops | file order peak (B) | best order peak (B) | saved | "
           "proof | parts | states | time (median of %d) |\n", iters);
    printf("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
    for (int i = a + 1; i < argc; i++)
        for (int inplace = 0; inplace < 2; inplace++)
            if (bench_one(argv[i], &oo, iters, inplace))
                return 1;
    return 0;
}
