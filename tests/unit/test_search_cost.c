/* SPDX-License-Identifier: MIT */
/*
 * test_search_cost.c - the pruning that keeps the searches fast (module
 * plan) changes no answer: on random small networks the lower bounds of
 * patch_bound.c never exceed any schedule's cost, and the pruned patch
 * search, fused search and beam give exactly what the exhaustive ones give;
 * the findings' scaling reproducers (generated here) run in bounded work.
 */
#include "test_helpers.h"

#include "../../src/plan/order_int.h"
#include "../../src/plan/patch_int.h"
#include "../../src/util/alloc.h"

#include <stdlib.h>

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*s >> 33) % n;
}

typedef struct netbuf {
    char *json;
    size_t len, cap;
} netbuf;

static void nb_add(netbuf *b, const char *fmt, ...) MP_PRINTF(2, 3);

static void nb_add(netbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->json + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n + 64;
        b->json = realloc(b->json, b->cap);
        assert_non_null(b->json);
    }
}

typedef struct shape {
    int h, w, c;
} shape;

/*
 * A random network of n layers over a [hw, hw, 4] input: convs and depthwise
 * convs (kernel 1-3, stride 1-2, same or valid, some dilated), pools, pads,
 * reshapes (not patchable: blocks end and start around them), residual adds
 * of equal shapes, sometimes a branch from an earlier tensor, and a global
 * mean at the end (a reduction split).
 */
static void random_net(uint64_t *seed, uint32_t n, netbuf *b)
{
    shape sh[64];
    char name[64][16];
    uint32_t nt = 0;
    int hw = 6 + (int)rnd(seed, 7);
    b->len = 0;
    sh[nt] = (shape){hw, hw, 4};
    snprintf(name[nt++], sizeof name[0], "in");
    nb_add(b, "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"r\",\"input\":{\"name\":"
              "\"in\",\"shape\":[%d,%d,4]},\"layers\":[", hw, hw);
    for (uint32_t i = 0; i < n && nt < 63; i++) {
        uint32_t src = rnd(seed, 4) == 0 ? rnd(seed, nt) : nt - 1;
        shape s = sh[src];
        uint32_t kind = rnd(seed, 8);
        int k = 1 + (int)rnd(seed, 3), st = 1 + (int)rnd(seed, 2);
        bool same = rnd(seed, 3) != 0;
        if (s.h < 3 || s.w < 3)
            kind = 0, k = 1, st = 1;
        snprintf(name[nt], sizeof name[0], "l%u", i);
        nb_add(b, "%s{\"name\":\"%s\",", i ? "," : "", name[nt]);
        shape o = s;
        if (kind == 6) { /* residual add when some earlier tensor has the same shape */
            uint32_t other = nt;
            for (uint32_t t = 0; t < nt; t++)
                if (t != src && sh[t].h == s.h && sh[t].w == s.w && sh[t].c == s.c)
                    other = t;
            if (other < nt) {
                nb_add(b, "\"op\":\"add\",\"inputs\":[\"%s\",\"%s\"]}", name[src], name[other]);
                sh[nt++] = o;
                continue;
            }
            kind = 0;
        }
        const char *op = kind <= 2 ? "conv2d" : kind <= 4 ? "depthwise_conv2d" : kind == 5
                                                                                ? "max_pool2d"
                                                                                : "avg_pool2d";
        if (rnd(seed, 10) == 0) { /* not patchable: blocks end and start around it */
            nb_add(b, "\"op\":\"reshape\",\"shape\":[%d,%d,%d],\"inputs\":\"%s\"}", s.h, s.w,
                   s.c, name[src]);
            sh[nt++] = s;
            continue;
        }
        if (kind == 7 && rnd(seed, 2)) {
            nb_add(b, "\"op\":\"pad\",\"padding\":[1,1,0,1],\"inputs\":\"%s\"}", name[src]);
            sh[nt++] = (shape){s.h + 2, s.w + 1, s.c};
            continue;
        }
        if (kind <= 2)
            o.c = 2 + (int)rnd(seed, 6);
        o.h = same ? (s.h + st - 1) / st : (s.h - k) / st + 1;
        o.w = same ? (s.w + st - 1) / st : (s.w - k) / st + 1;
        nb_add(b, "\"op\":\"%s\",", op);
        if (kind <= 2)
            nb_add(b, "\"filters\":%d,", o.c);
        if (kind <= 4 && same && k > 1 && rnd(seed, 4) == 0)
            nb_add(b, "\"dilation\":2,"); /* taps with gaps: no cover claimed */
        nb_add(b, "\"kernel\":%d,\"stride\":%d,\"padding\":\"%s\",\"inputs\":\"%s\"}", k, st,
               same ? "same" : "valid", name[src]);
        sh[nt++] = o;
    }
    if (rnd(seed, 3) == 0)
        nb_add(b, ",{\"name\":\"gap\",\"op\":\"mean\"}");
    nb_add(b, "]}");
}

static mp_graph *graph_of(const netbuf *b)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_json_text(b->json, b->len, "r.json", "", &g, &err) != MP_OK)
        return NULL; /* a shape the generator got wrong (e.g. pad of a tiny tensor): skip */
    return g;
}

static void per_layer(const mp_graph *g, const mp_plan_opts *o, mp_per_layer *pl)
{
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, o, pl, &err), MP_OK);
}

static void opts_variant(int v, mp_plan_opts *o)
{
    mp_plan_opts_init(o);
    o->inplace_dw = v & 1;
    o->input_mode = v & 2 ? MP_INPUT_STREAM : MP_INPUT_SRAM;
    o->align = v & 4 ? 16 : 1;
}

/* Every grid, cut style and halo mode of block i..j costs at least its bounds. */
static void check_block_bounds(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *o,
                               block_bound *bb, uint32_t i, uint32_t j, uint32_t *checked)
{
    size_t stage_lb;
    uint64_t macs_lb;
    assert_true(block_bound_eval(bb, i, j, &stage_lb, &macs_lb));
    block_info b;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(block_init(&b, g, pl, o, i, j, &err), MP_OK);
    for (int cu = MP_CUTS_EVEN; cu <= MP_CUTS_BALANCED; cu++) {
        for (int h = 0; h < MP_HALO_COUNT; h++) {
            axis_set rows = {0}, cols = {0};
            mp_halo ra = mp_halo_on_axis((mp_halo)h, 0), ca = mp_halo_on_axis((mp_halo)h, 1);
            assert_int_equal(axis_set_build(&b, 0, 4, (mp_cuts)cu, ra, &rows, &err), MP_OK);
            assert_int_equal(axis_set_build(&b, 1, 4, (mp_cuts)cu, ca, &cols, &err), MP_OK);
            for (uint32_t r = 1; r <= rows.n; r++)
                for (uint32_t c = 1; c <= cols.n; c++) {
                    if (!rows.p[r].cache_ok || !cols.p[c].cache_ok)
                        continue;
                    patch_cost cost;
                    assert_true(patch_cost_eval(&b, &rows.p[r], &cols.p[c], (mp_halo)h, &cost));
                    if (cost.stage_peak < stage_lb || cost.macs < macs_lb) {
                        print_error("block %u..%u grid %ux%u halo %d cuts %d: stage %zu < lb %zu "
                                    "or macs %llu < lb %llu\n",
                                    i, j, r, c, h, cu, cost.stage_peak, stage_lb,
                                    (unsigned long long)cost.macs, (unsigned long long)macs_lb);
                        fail();
                    }
                    (*checked)++;
                }
            axis_set_release(&rows);
            axis_set_release(&cols);
        }
    }
    block_release(&b);
}

static void test_bounds_never_exceed_costs(void **state)
{
    (void)state;
    uint64_t seed = 18;
    netbuf nb = {0};
    uint32_t checked = 0, nets = 0;
    for (int round = 0; round < 60; round++) {
        random_net(&seed, 3 + rnd(&seed, 6), &nb);
        mp_graph *g = graph_of(&nb);
        if (!g)
            continue;
        nets++;
        for (int v = 0; v < 8; v++) {
            mp_plan_opts o;
            opts_variant(v, &o);
            mp_per_layer pl;
            per_layer(g, &o, &pl);
            block_bound bb;
            mp_error err;
            mp_error_init(&err);
            assert_int_equal(block_bound_init(&bb, g, &pl, &o, 4, 4, &err), MP_OK);
            for (uint32_t i = 0; i < pl.n_steps && mp_patch_op_ok(g, pl.steps[i].op); i++)
                for (uint32_t j = i; j < pl.n_steps; j++) {
                    bool red = j > i && mp_patch_op_reduces(g, pl.steps[j].op);
                    if (!red && !mp_patch_op_ok(g, pl.steps[j].op))
                        break;
                    check_block_bounds(g, &pl, &o, &bb, i, j, &checked);
                    if (red)
                        break;
                }
            block_bound_release(&bb);
            mp_per_layer_release(&pl);
        }
        mp_graph_free(g);
    }
    free(nb.json);
    assert_true(nets >= 40);
    assert_true(checked > 10000);
}

static void search(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *o,
                   bool exhaustive, mp_patch_search *s)
{
    mp_search_opts so;
    mp_search_opts_init(&so);
    so.max_rows = so.max_cols = 4;
    so.exhaustive = exhaustive;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_patch_search_run(g, pl, o, &so, s, &err), MP_OK);
}

static void assert_same_points(const mp_patch_point *a, const mp_patch_point *b)
{
    assert_int_equal(a->last_step, b->last_step);
    assert_int_equal(a->split, b->split);
    assert_int_equal(a->rows, b->rows);
    assert_int_equal(a->cols, b->cols);
    assert_int_equal(a->cuts, b->cuts);
    assert_int_equal(a->halo, b->halo);
    assert_int_equal(a->peak, b->peak);
    assert_int_equal(a->stage_peak, b->stage_peak);
    assert_int_equal(a->rest_peak, b->rest_peak);
    assert_int_equal(a->macs, b->macs);
}

static void test_patch_search_pruned_equals_exhaustive(void **state)
{
    (void)state;
    uint64_t seed = 7;
    netbuf nb = {0};
    uint32_t compared = 0, skipped_work = 0;
    for (int round = 0; round < 80; round++) {
        random_net(&seed, 3 + rnd(&seed, 10), &nb);
        mp_graph *g = graph_of(&nb);
        if (!g)
            continue;
        for (int v = 0; v < 8; v++) {
            mp_plan_opts o;
            opts_variant(v, &o);
            mp_per_layer pl;
            per_layer(g, &o, &pl);
            mp_patch_search fast, full;
            search(g, &pl, &o, false, &fast);
            search(g, &pl, &o, true, &full);
            assert_int_equal(fast.n_pareto, full.n_pareto);
            for (uint32_t k = 0; k < full.n_pareto; k++)
                assert_same_points(&fast.pareto[k], &full.pareto[k]);
            assert_int_equal(fast.have_best, full.have_best);
            assert_int_equal(fast.per_layer_best, full.per_layer_best);
            if (full.have_best)
                assert_same_points(&fast.best, &full.best);
            assert_true(fast.n_evaluated <= full.n_evaluated);
            skipped_work += fast.n_evaluated < full.n_evaluated;
            compared++;
            mp_patch_search_release(&fast);
            mp_patch_search_release(&full);
            mp_per_layer_release(&pl);
        }
        mp_graph_free(g);
    }
    free(nb.json);
    assert_true(compared >= 400);
    assert_true(skipped_work > 0); /* the pruning does something on these nets */
}

static void fused(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *o,
                  bool exhaustive, uint32_t max_stages, mp_fused_result *r)
{
    mp_fused_opts fo;
    mp_fused_opts_init(&fo);
    fo.max_rows = fo.max_cols = 3;
    fo.max_stages = max_stages;
    fo.exhaustive = exhaustive;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_fused_search(g, pl, o, &fo, r, &err), MP_OK);
}

static void test_fused_pruned_equals_exhaustive(void **state)
{
    (void)state;
    uint64_t seed = 11;
    netbuf nb = {0};
    uint32_t compared = 0, fewer = 0;
    for (int round = 0; round < 60; round++) {
        random_net(&seed, 3 + rnd(&seed, 9), &nb);
        mp_graph *g = graph_of(&nb);
        if (!g)
            continue;
        for (int v = 0; v < 8; v += 1 + (int)rnd(&seed, 3)) {
            mp_plan_opts o;
            opts_variant(v, &o);
            mp_per_layer pl;
            per_layer(g, &o, &pl);
            for (uint32_t ms = 0; ms < 3; ms += 2) {
                mp_fused_result a, b;
                fused(g, &pl, &o, false, ms, &a);
                fused(g, &pl, &o, true, ms, &b);
                assert_int_equal(a.n_pareto, b.n_pareto);
                for (uint32_t k = 0; k < b.n_pareto; k++) {
                    const mp_fused_point *p = &a.pareto[k], *q = &b.pareto[k];
                    assert_int_equal(p->peak, q->peak);
                    assert_int_equal(p->macs, q->macs);
                    assert_int_equal(p->n_segs, q->n_segs);
                    for (uint32_t k2 = 0; k2 < q->n_segs; k2++) {
                        const mp_fused_seg *x = &p->segs[k2], *y = &q->segs[k2];
                        assert_int_equal(x->first_step, y->first_step);
                        assert_int_equal(x->last_step, y->last_step);
                        assert_int_equal(x->tiled, y->tiled);
                        assert_int_equal(x->rows, y->rows);
                        assert_int_equal(x->cols, y->cols);
                        assert_int_equal(x->cuts, y->cuts);
                        assert_int_equal(x->halo, y->halo);
                        assert_int_equal(x->peak, y->peak);
                        assert_int_equal(x->macs, y->macs);
                    }
                }
                assert_true(a.n_blocks <= b.n_blocks);
                fewer += a.n_blocks < b.n_blocks;
                compared++;
                mp_fused_release(&a);
                mp_fused_release(&b);
            }
            mp_per_layer_release(&pl);
        }
        mp_graph_free(g);
    }
    free(nb.json);
    assert_true(compared >= 100);
    assert_true(fewer > 0);
}

/* Random DAGs of 1x1 convs, adds and concats over 2x2 tensors (many orders). */
static void random_dag(uint64_t *seed, uint32_t n, netbuf *b)
{
    int ch[48];
    b->len = 0;
    ch[0] = 1 + (int)rnd(seed, 8);
    nb_add(b, "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"d\",\"input\":{\"name\":"
              "\"t0\",\"shape\":[2,2,%d]},\"layers\":[", ch[0]);
    for (uint32_t i = 1; i <= n; i++) {
        uint32_t a = rnd(seed, i), c = rnd(seed, i), kind = rnd(seed, 4);
        nb_add(b, "%s{\"name\":\"t%u\",", i > 1 ? "," : "", i);
        if (kind == 0 && a != c) {
            nb_add(b, "\"op\":\"concat\",\"inputs\":[\"t%u\",\"t%u\"]}", a, c);
            ch[i] = ch[a] + ch[c];
        } else if (kind == 1 && a != c && ch[a] == ch[c]) {
            nb_add(b, "\"op\":\"add\",\"inputs\":[\"t%u\",\"t%u\"]}", a, c);
            ch[i] = ch[a];
        } else {
            ch[i] = 1 + (int)rnd(seed, 12);
            nb_add(b, "\"op\":\"conv2d\",\"filters\":%d,\"kernel\":1,\"inputs\":\"t%u\"}", ch[i],
                   a);
        }
    }
    nb_add(b, "]}");
}

static void order_of(const mp_graph *g, const mp_plan_opts *o, uint32_t beam, bool exhaustive,
                     mp_order_result *r)
{
    mp_order_opts oo;
    mp_order_opts_init(&oo);
    oo.max_states = 0; /* the beam decides */
    oo.beam_width = beam;
    oo.exhaustive = exhaustive;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_best_order(g, o, &oo, r, &err), MP_OK);
}

static void test_beam_pruned_equals_exhaustive(void **state)
{
    (void)state;
    uint64_t seed = 5;
    netbuf nb = {0};
    uint32_t compared = 0, changed = 0;
    for (int round = 0; round < 150; round++) {
        random_dag(&seed, 8 + rnd(&seed, 30), &nb);
        mp_graph *g = graph_of(&nb);
        assert_non_null(g);
        for (int inplace = 0; inplace < 2; inplace++) {
            mp_plan_opts o;
            mp_plan_opts_init(&o);
            o.inplace_dw = o.inplace_ops = inplace;
            for (uint32_t beam = 1; beam <= 16; beam *= 4) {
                mp_order_result a, b;
                order_of(g, &o, beam, false, &a);
                order_of(g, &o, beam, true, &b);
                assert_int_equal(a.peak_bytes, b.peak_bytes);
                assert_int_equal(a.optimal, b.optimal);
                assert_memory_equal(a.order, b.order, (size_t)g->n_ops * sizeof *a.order);
                assert_true(a.n_beam_states <= b.n_beam_states);
                changed += a.peak_bytes < a.file_peak_bytes;
                compared++;
                mp_order_result_release(&a);
                mp_order_result_release(&b);
            }
        }
        mp_graph_free(g);
    }
    free(nb.json);
    assert_true(compared == 900);
    assert_true(changed > 50); /* the beam reorders many of them */
}

/* A schedule whose MACs pass 2^64 is refused when evaluated (exhaustive); the pruned
 * search never evaluates it (no split can go below the per-layer peak). */
static void test_overflow_refused_or_skipped(void **state)
{
    (void)state;
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_file(MEMPLAN_SOURCE_ROOT "/tests/data/scaling/patch_macs_overflow.json",
                                    &g, &err),
                     MP_OK);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    mp_per_layer pl;
    per_layer(g, &o, &pl);
    mp_search_opts so;
    mp_search_opts_init(&so);
    mp_patch_search s;
    assert_int_equal(mp_patch_search_run(g, &pl, &o, &so, &s, &err), MP_OK);
    assert_int_equal(s.n_pareto, 0);
    assert_int_equal(s.n_evaluated, 0);
    assert_true(s.per_layer_best);
    mp_patch_search_release(&s);
    so.exhaustive = true;
    assert_int_equal(mp_patch_search_run(g, &pl, &o, &so, &s, &err), MP_E_OVERFLOW);
    assert_non_null(strstr(err.msg, "overflow"));
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_never_exceed_costs),
        cmocka_unit_test(test_patch_search_pruned_equals_exhaustive),
        cmocka_unit_test(test_fused_pruned_equals_exhaustive),
        cmocka_unit_test(test_beam_pruned_equals_exhaustive),
        cmocka_unit_test(test_overflow_refused_or_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
