/* SPDX-License-Identifier: MIT */
/*
 * bench_order.c - time of the operator-order search (mp_plan_best_order) on
 * networks: file-order peak, best-order peak, whether it is proven optimal,
 * states stored, and the median time of many runs. Default plan options,
 * then in-place depthwise + elementwise (what analyze --inplace uses).
 *
 *   build/tests/bench/bench_order [--max-states N] [--beam N] ITERATIONS NET...
 *   build/tests/bench/bench_order --random COUNT SEED
 *
 * --max-states and --beam set mp_order_opts (defaults 1,000,000 and 64):
 * --max-states 0 shows what the heuristics alone find. --random measures the
 * heuristics' quality: COUNT random DAGs of 10-40 ops (1x1 convs, depthwise,
 * adds, concats over 4x4 tensors), each solved exactly and by the heuristics
 * alone (greedy rules + beam 64, greedy rules only).
 */
#include "memplan/memplan.h"

#include "bench_util.h"

#include <stdarg.h>
#include <stdint.h>
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
           r.file_peak_bytes
               ? 100.0 * (double)(r.file_peak_bytes - r.peak_bytes) / (double)r.file_peak_bytes
               : 0.0,
           r.optimal ? "exact" : "heuristic", r.n_parts,
           (unsigned long long)(r.n_states + r.n_beam_states), bench_median(t, iters) * 1e3);
    mp_order_result_release(&r);
    free(t);
    mp_graph_free(g);
    return 0;
}

/* ---- --random: heuristic quality against the exact search ------------------------------- */

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*s >> 33) % n;
}

static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

/* A random DAG: each op reads 1-2 of the last 2-10 tensors. */
static void random_net(uint64_t *seed, char *buf, size_t cap)
{
    static const int chans[] = {1, 2, 4, 8, 16, 32};
    int ch[64];
    uint32_t n = 10 + rnd(seed, 31), n_t = 1;
    size_t len = 0;
    ch[0] = chans[rnd(seed, 4)];
    put(buf, cap, &len,
        "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"r\","
        "\"input\":{\"name\":\"t0\",\"shape\":[4,4,%d]},\"layers\":[",
        ch[0]);
    for (uint32_t i = 0; i < n; i++, n_t++) {
        uint32_t w = 2 + rnd(seed, 9), lo = n_t > w ? n_t - w : 0;
        uint32_t a = lo + rnd(seed, n_t - lo), b = lo + rnd(seed, n_t - lo), k = rnd(seed, 20);
        const char *sep = i ? "," : "";
        if (k < 10) {
            ch[n_t] = chans[rnd(seed, 6)];
            put(buf, cap, &len,
                "%s{\"name\":\"t%u\",\"op\":\"conv2d\",\"filters\":%d,"
                "\"kernel\":1,\"inputs\":\"t%u\"}",
                sep, n_t, ch[n_t], a);
        } else if (k < 12) {
            ch[n_t] = ch[a];
            put(buf, cap, &len,
                "%s{\"name\":\"t%u\",\"op\":\"depthwise_conv2d\","
                "\"kernel\":3,\"inputs\":\"t%u\"}",
                sep, n_t, a);
        } else if (k < 15 && ch[a] == ch[b]) {
            ch[n_t] = ch[a];
            put(buf, cap, &len,
                "%s{\"name\":\"t%u\",\"op\":\"add\",\"inputs\":"
                "[\"t%u\",\"t%u\"]}",
                sep, n_t, a, b);
        } else {
            ch[n_t] = ch[a] + ch[b];
            put(buf, cap, &len,
                "%s{\"name\":\"t%u\",\"op\":\"concat\",\"inputs\":"
                "[\"t%u\",\"t%u\"]}",
                sep, n_t, a, b);
        }
    }
    put(buf, cap, &len, "]}");
}

static int bench_random(int count, uint64_t seed)
{
    static const struct {
        const char *name;
        uint64_t max_states;
        uint32_t beam;
    } modes[] = {{"exact", 1000000, 64}, {"greedy + beam 64", 0, 64}, {"greedy", 0, 0}};
    int hit[3] = {0}, proven = 0, improved = 0;
    double gap_sum[3] = {0}, gap_max[3] = {0}, saved_sum = 0, t_max = 0;
    uint64_t states_max = 0;
    char json[16384];
    for (int i = 0; i < count; i++) {
        random_net(&seed, json, sizeof json);
        mp_error err;
        mp_error_init(&err);
        mp_graph *g;
        if (mp_import_json_text(json, strlen(json), "random", "", &g, &err) != MP_OK) {
            fprintf(stderr, "memplan: %s\n", err.msg);
            return 1;
        }
        size_t peak[3] = {0};
        for (int m = 0; m < 3; m++) {
            mp_order_opts oo;
            mp_order_opts_init(&oo);
            oo.max_states = modes[m].max_states;
            oo.beam_width = modes[m].beam;
            mp_order_result r;
            double t0 = bench_now();
            if (mp_plan_best_order(g, NULL, &oo, &r, &err) != MP_OK) {
                fprintf(stderr, "memplan: %s\n", err.msg);
                return 1;
            }
            double t = bench_now() - t0;
            peak[m] = r.peak_bytes;
            if (m == 0) {
                t_max = t > t_max ? t : t_max;
                states_max = r.n_states > states_max ? r.n_states : states_max;
                proven += r.optimal;
                improved += r.peak_bytes < r.file_peak_bytes;
                saved_sum += 1.0 - (double)r.peak_bytes / (double)r.file_peak_bytes;
            }
            mp_order_result_release(&r);
        }
        for (int m = 0; m < 3; m++) {
            double gap = (double)peak[m] / (double)peak[0] - 1.0;
            hit[m] += peak[m] == peak[0];
            gap_sum[m] += gap;
            gap_max[m] = gap > gap_max[m] ? gap : gap_max[m];
        }
        mp_graph_free(g);
    }
    printf("%d random DAGs (10-40 ops): %d proven optimal, %d improved over the file order "
           "(mean saving %.1f%%); exact search: at most %llu states, %.1f ms\n\n",
           count, proven, improved, 100.0 * saved_sum / count, (unsigned long long)states_max,
           t_max * 1e3);
    printf("| search | same peak as the exact search | mean excess | worst excess |\n");
    printf("| --- | ---: | ---: | ---: |\n");
    for (int m = 0; m < 3; m++)
        printf("| %s | %.1f%% | %.2f%% | %.1f%% |\n", modes[m].name, 100.0 * hit[m] / count,
               100.0 * gap_sum[m] / count, 100.0 * gap_max[m]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--random"))
        return bench_random(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1, strtoull(argv[3], NULL, 10));
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
           "proof | parts | states | time (median of %d) |\n",
           iters);
    printf("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
    for (int i = a + 1; i < argc; i++)
        for (int inplace = 0; inplace < 2; inplace++)
            if (bench_one(argv[i], &oo, iters, inplace))
                return 1;
    return 0;
}
