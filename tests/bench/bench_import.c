/* SPDX-License-Identifier: MIT */
/*
 * bench_import.c - how long importing a .tflite takes (a benchmark, not a
 * timed test: it reports, it does not fail on a slow machine).
 *
 *   build/tests/bench/bench_import MODEL.tflite [ITERATIONS]  (default 200)
 *   meson test -C build --benchmark                         (the largest shared model)
 *
 * Imports MODEL from memory (mp_import_tflite_buffer: parse, validate,
 * finalize) and from the file (mp_import_tflite: read + the same), ITERATIONS
 * times each, and prints the fastest, median and mean time per import; then the
 * time of the per-layer analysis and of TFLite Micro's greedy arena figure.
 * Exit 77 (skipped) when MODEL is absent.
 */
#include "memplan/memplan.h"

#include "bench_util.h"

#include <string.h>

static double now_ms(void)
{
    return bench_now() * 1e3;
}

static void report(const char *what, double *ms, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += ms[i];
    double median = bench_median(ms, n); /* sorts ms */
    printf("  %-28s min %.3f ms  median %.3f ms  mean %.3f ms\n", what, ms[0], median, sum / n);
}

/* Run one timed step; returns false (after printing the error) when it fails. */
static bool timed_import(const char *path, const char *data, size_t size, bool from_file,
                         double *ms)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    double t0 = now_ms();
    mp_status st = from_file ? mp_import_tflite(path, &g, &err)
                             : mp_import_tflite_buffer(data, size, path, &g, &err);
    *ms = now_ms() - t0;
    mp_graph_free(g);
    if (st != MP_OK)
        fprintf(stderr, "bench_import: %s\n", err.msg);
    return st == MP_OK;
}

static bool timed_plans(const mp_graph *g, double *pl_ms, double *tflm_ms)
{
    mp_per_layer pl;
    size_t arena;
    mp_error err;
    mp_error_init(&err);
    double t0 = now_ms();
    if (mp_plan_per_layer(g, NULL, NULL, &pl, &err) != MP_OK)
        return false;
    double t1 = now_ms();
    mp_per_layer_release(&pl);
    double t2 = now_ms();
    mp_status st = mp_plan_tflm_greedy(g, MP_TFLM_ALIGN, &arena, &err);
    *pl_ms = t1 - t0;
    *tflm_ms = now_ms() - t2;
    return st == MP_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_import MODEL.tflite [ITERATIONS]\n");
        return 2;
    }
    int n = argc == 3 ? atoi(argv[2]) : 200;
    if (n < 1)
        n = 1;
    char *data;
    size_t size;
    mp_error err;
    mp_error_init(&err);
    if (mp_file_read(argv[1], MP_IMPORT_MAX_FILE_BYTES, &data, &size, &err) != MP_OK) {
        printf("skipped: %s\n", err.msg);
        return 77;
    }
    double *mem = calloc((size_t)n, sizeof *mem), *file = calloc((size_t)n, sizeof *file);
    double *pl = calloc((size_t)n, sizeof *pl), *tflm = calloc((size_t)n, sizeof *tflm);
    mp_graph *g = NULL;
    int rc = mem && file && pl && tflm &&
                     mp_import_tflite_buffer(data, size, argv[1], &g, &err) == MP_OK
                 ? 0 : 1;
    for (int i = 0; i < n && rc == 0; i++) {
        if (!timed_import(argv[1], data, size, false, &mem[i]) ||
            !timed_import(argv[1], data, size, true, &file[i]) ||
            !timed_plans(g, &pl[i], &tflm[i]))
            rc = 1;
    }
    if (rc == 0) {
        printf("%s: %zu bytes, %u ops, %u tensors, %d iterations\n", argv[1], size, g->n_ops,
               g->n_tensors, n);
        report("import from memory", mem, n);
        report("import from the file", file, n);
        report("per-layer analysis", pl, n);
        report("TFLM greedy arena", tflm, n);
    }
    mp_graph_free(g);
    free(mem);
    free(file);
    free(pl);
    free(tflm);
    mp_file_free(data);
    return rc;
}
