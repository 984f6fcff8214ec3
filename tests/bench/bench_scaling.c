/* SPDX-License-Identifier: MIT */
/*
 * bench_scaling.c - cost of the searches on the scaling reproducers of issue
 * 18 (generated here, the same networks as ../shared/findings/):
 *
 *   chain N        N 1x1 convolutions in a chain        analyze (patch search)
 *   chainreduce N  N 1x1 convolutions of the input,
 *                  reduced by a chain of adds            analyze (patch search)
 *   tree N         N 1x1 convolutions of the input,
 *                  reduced by a tree of adds             --order best (beam)
 *   deep N         a chain of N 1x1 convolutions         --fused (one thread)
 *
 * Prints a markdown table: layers, wall and CPU seconds, the result (peak,
 * MACs) and the work counters. --exhaustive turns the pruning off (the same
 * results, the cost before it); --scale F multiplies every N (complexity).
 *
 *   build/tests/bench/bench_scaling [--exhaustive] [--scale F]
 */
#include "memplan/memplan.h"

#include "bench_util.h"

#include <stdarg.h>
#include <string.h>

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...) MP_PRINTF(2, 3);

static void put(text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            exit(1);
        if (t->s && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (size_t)n + 4096;
        t->s = realloc(t->s, t->cap);
        if (!t->s)
            exit(1);
    }
}

static const char conv[] = "{\"name\":\"%s%u\",\"op\":\"conv2d\",\"filters\":8,\"kernel\":1%s}";

/* The net.json text of one case (kind: chain, chainreduce, tree, deep). */
static void make_net(const char *kind, uint32_t n, text *t)
{
    t->len = 0;
    put(t, "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"%s%u\",\"input\":{\"name\":"
           "\"input\",\"shape\":[32,32,8]},\"layers\":[", kind, n);
    bool wide = !strcmp(kind, "chainreduce") || !strcmp(kind, "tree");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            put(t, ",");
        put(t, conv, wide ? "b" : "c", i, wide ? ",\"inputs\":[\"input\"]" : "");
    }
    if (!strcmp(kind, "chainreduce"))
        for (uint32_t i = 1; i < n; i++)
            put(t, ",{\"name\":\"s%u\",\"op\":\"add\",\"inputs\":[\"%s%u\",\"b%u\"]}", i,
                i == 1 ? "b" : "s", i - 1, i);
    if (!strcmp(kind, "tree")) { /* adds of pairs, level by level; an odd one moves up */
        char(*lv)[16] = calloc(n, sizeof *lv);
        if (!lv)
            exit(1);
        for (uint32_t i = 0; i < n; i++)
            snprintf(lv[i], sizeof lv[i], "b%u", i);
        uint32_t count = n, id = 0;
        while (count > 1) {
            uint32_t m = 0;
            for (uint32_t k = 0; k + 1 < count; k += 2, m++) {
                put(t, ",{\"name\":\"t%u\",\"op\":\"add\",\"inputs\":[\"%s\",\"%s\"]}", id,
                    lv[k], lv[k + 1]);
                snprintf(lv[m], sizeof lv[m], "t%u", id++);
            }
            if (count % 2)
                memmove(lv[m++], lv[count - 1], sizeof lv[0]);
            count = m;
        }
        free(lv);
    }
    put(t, "]}");
}

typedef struct outcome {
    size_t peak;
    uint64_t macs, work;
    const char *what;
} outcome;

static mp_status run_case(const char *kind, mp_graph *g, bool exhaustive, outcome *o,
                          mp_error *err)
{
    mp_plan_opts po;
    mp_plan_opts_init(&po);
    mp_per_layer pl;
    if (!strcmp(kind, "tree")) {
        mp_order_opts oo;
        mp_order_opts_init(&oo);
        oo.exhaustive = exhaustive;
        mp_order_result r;
        MP_TRY(mp_plan_best_order(g, &po, &oo, &r, err));
        *o = (outcome){r.peak_bytes, g->macs, r.n_states + r.n_beam_states, "states"};
        mp_order_result_release(&r);
        return MP_OK;
    }
    MP_TRY(mp_plan_per_layer(g, NULL, &po, &pl, err));
    mp_status st;
    if (!strcmp(kind, "deep")) {
        mp_fused_opts fo;
        mp_fused_opts_init(&fo);
        fo.exhaustive = exhaustive;
        mp_fused_result r;
        st = mp_fused_search(g, &pl, &po, &fo, &r, err);
        if (st == MP_OK) {
            *o = (outcome){r.pareto[0].peak, r.pareto[0].macs, r.n_blocks, "blocks"};
            mp_fused_release(&r);
        }
    } else {
        mp_search_opts so;
        mp_search_opts_init(&so);
        so.exhaustive = exhaustive;
        mp_patch_search s;
        st = mp_patch_search_run(g, &pl, &po, &so, &s, err);
        if (st == MP_OK) {
            *o = (outcome){s.have_best ? s.best.peak : pl.peak_bytes,
                           s.have_best ? s.best.macs : g->macs, s.n_evaluated, "evaluated"};
            mp_patch_search_release(&s);
        }
    }
    mp_per_layer_release(&pl);
    return st;
}

int main(int argc, char **argv)
{
    bool exhaustive = false;
    double scale = 1.0;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--exhaustive")) {
            exhaustive = true;
        } else if (!strcmp(argv[a], "--scale") && a + 1 < argc) {
            scale = atof(argv[++a]);
        } else {
            fprintf(stderr, "usage: bench_scaling [--exhaustive] [--scale F]\n");
            return 2;
        }
    }
    static const struct {
        const char *kind, *search;
        uint32_t n;
    } cases[] = {
        {"chain", "analyze (patch search)", 2000},
        {"chainreduce", "analyze (patch search)", 400},
        {"tree", "--order best", 1000},
        {"deep", "--fused (1 thread)", 400},
    };
    printf("| case | layers | search | pruning | wall s | CPU s | peak (B) | MACs | work |\n");
    printf("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    text t = {0};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t n = (uint32_t)(cases[c].n * scale);
        n = n < 2 ? 2 : n;
        make_net(cases[c].kind, n, &t);
        mp_error err;
        mp_error_init(&err);
        mp_graph *g;
        if (mp_import_json_text(t.s, t.len, "bench.json", "", &g, &err) != MP_OK) {
            fprintf(stderr, "memplan: %s\n", err.msg);
            return 1;
        }
        outcome o;
        double w0 = bench_now(), c0 = bench_cpu();
        if (run_case(cases[c].kind, g, exhaustive, &o, &err) != MP_OK) {
            fprintf(stderr, "memplan: %s\n", err.msg);
            return 1;
        }
        double w1 = bench_now(), c1 = bench_cpu();
        printf("| %s %u | %u | %s | %s | %.2f | %.2f | %zu | %llu | %llu %s |\n",
               cases[c].kind, n, g->n_ops, cases[c].search, exhaustive ? "off" : "on", w1 - w0,
               c1 - c0, o.peak, (unsigned long long)o.macs, (unsigned long long)o.work, o.what);
        fflush(stdout);
        mp_graph_free(g);
    }
    free(t.s);
    return 0;
}
