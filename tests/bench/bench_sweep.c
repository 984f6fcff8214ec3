/* SPDX-License-Identifier: MIT */
/*
 * bench_sweep.c - time of a sweep of 10 networks x 10 SRAM budgets: the
 * sweep itself (import, per-layer plan, one patch search per network, a
 * recommendation per budget, a schedule build per distinct choice) and its
 * recording in a fresh database (one transaction), with 1 and 2 threads.
 * Medians of several runs; exits 1 when a sweep takes 1 s or more.
 *
 *   build/tests/bench/bench_sweep ROOT [iterations]
 *
 * The 10 networks are the three bundled nets taken in turn (MobileNetV1 0.25
 * @96, MobileNetV2 0.35 @144, MobileNetV2 1.0 @224, ...): four of them are the
 * largest, MobileNetV2 1.0 @224.
 */
#include "memplan/memplan.h"

#include "bench_util.h"

#include <string.h>
#include <unistd.h>

#define N_NETS 10
static const char *const bundled[] = {
    "nets/mobilenetv1-w0.25-r96-gray.json",
    "nets/mobilenetv2-w0.35-r144.json",
    "nets/mobilenetv2-w1.0-r224.json",
};
static const char budgets[] = "64K,96K,128K,192K,256K,320K,384K,512K,768K,1M";

static int fail(const mp_error *err)
{
    fprintf(stderr, "bench_sweep: %s\n", err->msg);
    return 1;
}

/* One sweep (and, with db, its recording); times in seconds. */
static int one(const mp_sweep_spec *spec, const char *db, double *t_sweep, double *t_record)
{
    mp_error err;
    mp_error_init(&err);
    mp_sweep *sw = NULL;
    double t0 = bench_now();
    if (mp_sweep_run(spec, &sw, &err) != MP_OK)
        return fail(&err);
    double t1 = bench_now();
    if (sw->n_failed)
        return fail(&sw->nets[0].error);
    mp_store *st = NULL;
    int64_t run, id;
    char *argv[] = {(char *)"sweep", NULL};
    mp_run_info info = {.command = "sweep", .argc = 1, .argv = argv};
    mp_store_remove_files(db);
    if (mp_store_open(db, NULL, &st, &err) != MP_OK ||
        mp_store_begin_run(st, &info, &run, &err) != MP_OK ||
        mp_store_add_sweep(st, sw, &id, &err) != MP_OK || mp_store_commit_run(st, &err) != MP_OK) {
        mp_store_close(st);
        mp_sweep_free(sw);
        return fail(&err);
    }
    mp_store_close(st);
    double t2 = bench_now();
    mp_sweep_free(sw);
    *t_sweep = t1 - t0;
    *t_record = t2 - t1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_sweep ROOT [iterations]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 10;
    if (iters < 1 || iters > 1000)
        iters = 10;
    char paths[N_NETS][512], db[64];
    const char *nets[N_NETS];
    for (int i = 0; i < N_NETS; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", argv[1], bundled[i % 3]);
        nets[i] = paths[i];
    }
    snprintf(db, sizeof db, "/tmp/memplan-bench-%ld.db", (long)getpid());
    mp_error err;
    mp_error_init(&err);
    mp_sweep_target *targets;
    uint32_t n_targets;
    if (mp_sweep_budget_targets(budgets, "budgets", &targets, &n_targets, &err) != MP_OK)
        return fail(&err);
    mp_sweep_spec spec;
    mp_sweep_spec_init(&spec);
    spec.nets = nets;
    spec.n_nets = N_NETS;
    spec.targets = targets;
    spec.n_targets = n_targets;
    printf("sweep            %d networks x %u budgets (%s)\n", N_NETS, n_targets, budgets);
    printf("iterations       %d (medians)\n", iters);
    int rc = 0;
    for (uint32_t jobs = 1; jobs <= 2 && rc == 0; jobs++) {
        double *ts = calloc((size_t)iters, sizeof *ts), *tr = calloc((size_t)iters, sizeof *tr);
        double *tt = calloc((size_t)iters, sizeof *tt);
        spec.jobs = jobs;
        for (int i = 0; i < iters && rc == 0; i++) {
            rc = one(&spec, db, &ts[i], &tr[i]);
            tt[i] = ts[i] + tr[i];
        }
        if (rc == 0) {
            double total = bench_median(tt, iters);
            printf("jobs %u           sweep %.1f ms, record %.1f ms, total %.1f ms\n", jobs,
                   bench_median(ts, iters) * 1e3, bench_median(tr, iters) * 1e3, total * 1e3);
            if (total >= 1.0) {
                fprintf(stderr, "bench_sweep: %.3f s is not under 1 s\n", total);
                rc = 1;
            }
        }
        free(ts);
        free(tr);
        free(tt);
    }
    mp_store_remove_files(db);
    mp_sweep_targets_free(targets);
    return rc;
}
