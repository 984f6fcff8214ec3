/* SPDX-License-Identifier: MIT */
/*
 * bench_exec.c - speed of the reference int8 executor (a benchmark program,
 * not a timed test; `meson test -C build --benchmark` runs it).
 *
 *   bench_exec [NET] [--runs N] [--seed N] [--profile]
 *
 * NET defaults to nets/mobilenetv2-w1.0-r224.json (seeded weights). Prints the
 * model preparation time (seeded weights and calibration included), the best
 * and median time of N full reference inferences on a seeded input, MAC/s, and
 * the saturation fraction of that input's activations. --profile adds the time
 * of each op type (each op timed on whole tensors).
 */
#include "memplan/memplan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int fail(const mp_error *err)
{
    fprintf(stderr, "bench_exec: %s\n", err->msg);
    return 1;
}

/* Time every op on the tensors of a keep_all run, summed per op type. */
static int profile(const mp_exec_model *m, const mp_exec_run *run, int reps)
{
    const mp_graph *g = mp_exec_model_graph(m);
    double per_type[MP_OP_COUNT] = {0};
    mp_error err;
    mp_error_init(&err);
    for (uint32_t s = 0; s < g->n_ops; s++) {
        uint32_t i = g->order[s];
        const mp_op *op = &g->ops[i];
        mp_view in[MP_MAX_OP_INPUTS];
        uint32_t n = 0;
        for (uint32_t k = 0; k < op->n_in; k++)
            if (op->in[k] != MP_NO_TENSOR && mp_tensor_is_activation(&g->tensors[op->in[k]]))
                in[n++] = mp_view_of_tensor(&g->tensors[op->in[k]], run->tensor[op->in[k]]);
        const mp_tensor *to = &g->tensors[op->out[0]];
        mp_view out = mp_view_of_tensor(to, run->tensor[op->out[0]]);
        double t0 = now_ms();
        for (int r = 0; r < reps; r++)
            if (mp_exec_op(m, i, in, n, &out, mp_rect_of_tensor(to), &err) != MP_OK)
                return fail(&err);
        per_type[op->type] += (now_ms() - t0) / reps;
    }
    for (int t = 0; t < MP_OP_COUNT; t++)
        if (per_type[t] > 0)
            printf("  %-18s %8.2f ms\n", mp_op_type_name((mp_op_type)t), per_type[t]);
    return 0;
}

typedef struct bench_args {
    const char *net;
    int runs;
    unsigned long long seed;
    int profile;
} bench_args;

static int parse(int argc, char **argv, bench_args *a)
{
    a->net = "nets/mobilenetv2-w1.0-r224.json";
    a->runs = 10;
    a->seed = 1;
    a->profile = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            a->runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            a->seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--profile"))
            a->profile = 1;
        else if (argv[i][0] == '-')
            return fprintf(stderr, "usage: bench_exec [NET] [--runs N] [--seed N] [--profile]\n"), 2;
        else
            a->net = argv[i];
    }
    if (a->runs < 1 || a->runs > 10000)
        a->runs = 10;
    return 0;
}

static int run_bench(const bench_args *a, const mp_graph *g, const mp_exec_model *m,
                     int8_t *input)
{
    mp_error err;
    mp_error_init(&err);
    const int8_t *inputs[1] = {input};
    double *t = calloc((size_t)a->runs, sizeof *t);
    mp_exec_run run;
    if (!t)
        return 1;
    for (int r = -1; r < a->runs; r++) { /* r = -1: warm-up */
        double t0 = now_ms();
        if (mp_exec_run_reference(m, inputs, false, &run, &err) != MP_OK) {
            free(t);
            mp_exec_run_release(&run);
            return fail(&err);
        }
        if (r >= 0)
            t[r] = now_ms() - t0;
        mp_exec_run_release(&run);
    }
    qsort(t, (size_t)a->runs, sizeof *t, cmp_double);
    printf("inference        best %.1f ms, median %.1f ms over %d runs\n", t[0],
           t[a->runs / 2], a->runs);
    printf("throughput       %.2f GMAC/s (%llu MACs, best run)\n", (double)g->macs / t[0] / 1e6,
           (unsigned long long)g->macs);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    bench_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_exec_model *m = NULL;
    mp_exec_opts o;
    mp_exec_opts_init(&o);
    o.seed = a.seed;
    if (mp_import_file(a.net, &g, &err) != MP_OK)
        return fail(&err);
    double t0 = now_ms();
    if (mp_exec_model_new(g, &o, &m, &err) != MP_OK) {
        mp_graph_free(g);
        return fail(&err);
    }
    printf("network          %s, %u ops, %s weights\n", a.net, g->n_ops,
           mp_exec_model_synthesized(m) ? "seeded" : "given");
    printf("prepare          %.1f ms\n", now_ms() - t0);
    size_t in_bytes = g->tensors[g->inputs[0]].size_bytes;
    int8_t *input = malloc(in_bytes);
    mp_exec_run run = {0};
    mp_exec_saturation sat;
    const int8_t *inputs[1] = {input};
    rc = !input || g->n_inputs != 1;
    if (!rc)
        rc = mp_exec_random_input(m, 0, a.seed + 1, input, in_bytes, &err) != MP_OK ||
             mp_exec_run_reference(m, inputs, true, &run, &err) != MP_OK ||
             mp_exec_run_saturation(m, &run, &sat, &err) != MP_OK;
    if (!rc) {
        printf("saturation       %.3f%% of %llu activation values\n",
               100.0 * (double)sat.saturated / (double)(sat.total ? sat.total : 1),
               (unsigned long long)sat.total);
        rc = run_bench(&a, g, m, input);
        if (!rc && a.profile)
            rc = profile(m, &run, 3);
    } else if (err.status != MP_OK) {
        fail(&err);
    }
    mp_exec_run_release(&run);
    free(input);
    mp_exec_model_free(m);
    mp_graph_free(g);
    return rc;
}
