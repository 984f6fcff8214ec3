/* SPDX-License-Identifier: MIT */
/*
 * test_patch.c - patch regions, peaks, MACs, caches and the search (module
 * plan). Small nets are worked out by hand; random nets are checked against a
 * brute-force footprint of every output pixel.
 */
#include "test_helpers.h"

#include <stdlib.h>
#include <string.h>

static mp_patch_plan *plan_for(const mp_graph *g, mp_per_layer *pl, const mp_plan_opts *o,
                               uint32_t last, uint32_t rows, uint32_t cols, mp_halo halo)
{
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, o, pl, &err), MP_OK);
    mp_patch_spec spec = {.first_step = 0, .last_step = last, .rows = rows, .cols = cols,
                          .cuts = MP_CUTS_EVEN, .halo = halo};
    mp_patch_plan *p = NULL;
    if (mp_patch_plan_new(g, pl, o, &spec, &p, &err) != MP_OK) {
        print_error("%s\n", err.msg);
        fail();
    }
    return p;
}

/* in 8x8x1 -> A: 3x3 conv to 2 ch (same) -> S: 3x3 conv to 1 ch; 2x1 grid.
 * Recompute: patch 0 needs S rows [0,4), A [0,5), input [0,6); patch 1 needs
 * S [4,8), A [3,8), input [2,8). MACs: A (5+5)*8 px * 18 + S 64 * 18 = 2592
 * vs 2304 per layer (overhead 1/8). Stream peak: input 48 + A 80 + S 64 = 192. */
static const char two_convs[] = NET_HEAD("[8,8,1]")
    "{\"name\":\"A\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":3},"
    "{\"name\":\"S\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":3}" NET_TAIL;

static void test_patch_recompute_by_hand(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(two_convs);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    o.input_mode = MP_INPUT_STREAM;
    mp_per_layer pl;
    mp_patch_plan *p = plan_for(g, &pl, &o, 1, 2, 1, MP_HALO_RECOMPUTE);
    int32_t a = mp_patch_slot_of(p, mp_graph_find_tensor(g, "A"));
    int32_t in = mp_patch_slot_of(p, mp_graph_find_tensor(g, "in"));
    mp_interval r;
    mp_patch_slot_region(p, (uint32_t)a, 1, 0, &r, NULL, NULL, NULL);
    assert_int_equal(r.a, 3);
    assert_int_equal(r.b, 8);
    mp_patch_slot_region(p, (uint32_t)in, 0, 0, &r, NULL, NULL, NULL);
    assert_int_equal(r.a, 0);
    assert_int_equal(r.b, 6);
    assert_int_equal(p->slots[in].role, MP_ROLE_STREAM_INPUT);
    assert_int_equal(p->slots[a].role, MP_ROLE_WORKING);
    assert_int_equal(p->stage_macs, 2592);
    assert_int_equal(p->macs, 2592);
    assert_true(p->overhead > 0.1249 && p->overhead < 0.1251);
    assert_int_equal(p->whole_bytes, 64);
    assert_int_equal(p->stage_peak, 192);
    assert_int_equal(p->peak, 192);
    /* padding read by A in patch 0: one row on top, none at the bottom, 1 left, 1 right */
    mp_interval rr, rc;
    int32_t pad[4];
    mp_patch_read_region(g, p, 0, 0, 0, 0, &rr, &rc, pad);
    assert_int_equal(pad[0], 1);
    assert_int_equal(pad[1], 0);
    assert_int_equal(pad[2], 1);
    assert_int_equal(pad[3], 1);
    mp_patch_plan_free(p);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* Same net with halo caching: patch 1 computes A rows [5,8) only (3 rows) and
 * decodes input rows [6,8); MACs = per-layer. Caches: A 2 rows x 8 x 2 = 32,
 * input 2 rows x 8 = 16. Peak at patch 0, op 0: 48 + 80 + 64 + 48 = 240. */
static void test_patch_cache_by_hand(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(two_convs);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    o.input_mode = MP_INPUT_STREAM;
    mp_per_layer pl;
    mp_patch_plan *p = plan_for(g, &pl, &o, 1, 2, 1, MP_HALO_CACHE);
    int32_t a = mp_patch_slot_of(p, mp_graph_find_tensor(g, "A"));
    int32_t in = mp_patch_slot_of(p, mp_graph_find_tensor(g, "in"));
    mp_interval need, comp;
    mp_patch_slot_region(p, (uint32_t)a, 1, 0, &need, NULL, &comp, NULL);
    assert_int_equal(need.a, 3);
    assert_int_equal(need.b, 8);
    assert_int_equal(comp.a, 5);
    assert_int_equal(comp.b, 8);
    mp_patch_slot_region(p, (uint32_t)in, 1, 0, &need, NULL, &comp, NULL);
    assert_int_equal(need.a, 4);
    assert_int_equal(comp.a, 6);
    assert_int_equal(p->slots[a].row_cache_bytes, 32);
    assert_int_equal(p->slots[in].row_cache_bytes, 16);
    assert_int_equal(p->cache_bytes, 48);
    assert_int_equal(p->macs, 2304);
    assert_int_equal(p->stage_peak, 240);
    assert_int_equal(p->peak_patch, 0);
    assert_int_equal(p->peak_op, 0);
    mp_patch_plan_free(p);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* A skip that jumps over the cut is a stage output held whole:
 * in 8x8x2 -> a 1x1 -> b dw 3x3 (split) -> c = add(a, b). */
static void test_patch_skip_crossing_cut_is_whole(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[8,8,2]")
        "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1},"
        "{\"name\":\"b\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
        "{\"name\":\"c\",\"op\":\"add\",\"inputs\":[\"a\",\"b\"]}" NET_TAIL);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    mp_per_layer pl;
    mp_patch_plan *p = plan_for(g, &pl, &o, 1, 2, 2, MP_HALO_RECOMPUTE);
    int32_t a = mp_patch_slot_of(p, mp_graph_find_tensor(g, "a"));
    assert_int_equal(p->slots[a].role, MP_ROLE_OUTPUT);
    assert_int_equal(p->slots[mp_patch_slot_of(p, p->split)].role, MP_ROLE_OUTPUT);
    /* whole: input 128 + a 128 + b 128 */
    assert_int_equal(p->whole_bytes, 384);
    /* patch 0 computes a rows [0,5) (its tile [0,4) plus b's halo) */
    mp_interval need;
    mp_patch_slot_region(p, (uint32_t)a, 0, 0, &need, NULL, NULL, NULL);
    assert_int_equal(need.b, 5);
    mp_patch_plan_free(p);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* A stage may end with a global mean: tiled over the mean's input, which is a
 * working tensor; int32 accumulators (2 ch x 4 B) are held whole.
 * in 4x4x2 (32 B, whole) -> c: 1x1 conv to 2 ch -> m: mean (1x1x2); 2x2 grid:
 * whole = input 32 + m 2 + accumulators 8 = 42; region of c: 2x2x2 = 8;
 * peak 50; MACs 4*4*2*2 = 64 = per layer. */
static void test_patch_stage_ending_in_mean(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[4,4,2]")
        "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1},"
        "{\"name\":\"m\",\"op\":\"mean\"}" NET_TAIL);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    mp_per_layer pl;
    mp_patch_plan *p = plan_for(g, &pl, &o, 1, 2, 2, MP_HALO_RECOMPUTE);
    int32_t c = mp_patch_slot_of(p, mp_graph_find_tensor(g, "c"));
    assert_int_equal(p->split, mp_graph_find_tensor(g, "c"));
    assert_int_equal(p->slots[c].role, MP_ROLE_WORKING);
    assert_int_equal(p->accum_bytes, 8);
    assert_int_equal(p->whole_bytes, 42);
    assert_int_equal(p->stage_peak, 50);
    assert_int_equal(p->macs, 64);
    assert_int_equal(mp_patch_last_patchable_step(g, NULL), 1);
    mp_patch_plan_free(p);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* ---- brute force ---------------------------------------------------------------------- */

typedef struct mask {
    uint8_t *m; /* per tensor, h*w */
} mask;

static void mark_needs(const mp_graph *g, uint32_t op, int32_t y, int32_t x, uint8_t **need)
{
    const mp_op *o = &g->ops[op];
    for (uint32_t k = 0; k < o->n_in; k++) {
        mp_tensor_id t = o->in[k];
        if (t == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[t]))
            continue;
        const mp_shape s = g->tensors[t].shape;
        const mp_op_params *p = &o->p;
        if (o->type == MP_OP_CONV2D || o->type == MP_OP_DEPTHWISE_CONV2D ||
            o->type == MP_OP_MAX_POOL2D || o->type == MP_OP_AVG_POOL2D) {
            for (int32_t ky = 0; ky < p->kernel_h; ky++)
                for (int32_t kx = 0; kx < p->kernel_w; kx++) {
                    int32_t iy = y * p->stride_h - p->pad_top + ky * p->dilation_h;
                    int32_t ix = x * p->stride_w - p->pad_left + kx * p->dilation_w;
                    if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w)
                        need[t][iy * s.w + ix] = 1;
                }
        } else {
            int32_t iy = s.h == 1 ? 0 : y, ix = s.w == 1 ? 0 : x;
            need[t][iy * s.w + ix] = 1;
        }
    }
}

static void fill_bbox(uint8_t *m, int32_t h, int32_t w)
{
    int32_t y0 = h, y1 = -1, x0 = w, x1 = -1;
    for (int32_t y = 0; y < h; y++)
        for (int32_t x = 0; x < w; x++)
            if (m[y * w + x]) {
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
            }
    for (int32_t y = y0; y <= y1; y++)
        for (int32_t x = x0; x <= x1; x++)
            m[y * w + x] = 1;
}

/* Footprint of patch (i, j) for every tensor by brute force: walk ops backwards;
 * each op computes the bounding rectangle of what is needed of its output, and
 * every element of it marks every input element its window reads. */
static void brute_force(const mp_graph *g, const mp_patch_plan *p, uint32_t i, uint32_t j,
                        uint8_t **need)
{
    for (uint32_t t = 0; t < g->n_tensors; t++)
        if (need[t])
            memset(need[t], 0, (size_t)g->tensors[t].shape.h * (size_t)g->tensors[t].shape.w);
    for (uint32_t k = 0; k < p->n_slots; k++) {
        if (p->slots[k].role != MP_ROLE_OUTPUT)
            continue;
        mp_tensor_id t = p->slots[k].id;
        const mp_shape s = g->tensors[t].shape, ss = g->tensors[p->split].shape;
        int32_t r0 = (int32_t)((int64_t)p->row_cuts[i] * s.h / ss.h);
        int32_t r1 = i + 1 == p->spec.rows ? s.h : (int32_t)((int64_t)p->row_cuts[i + 1] * s.h / ss.h);
        int32_t c0 = (int32_t)((int64_t)p->col_cuts[j] * s.w / ss.w);
        int32_t c1 = j + 1 == p->spec.cols ? s.w : (int32_t)((int64_t)p->col_cuts[j + 1] * s.w / ss.w);
        for (int32_t y = r0; y < r1; y++)
            for (int32_t x = c0; x < c1; x++)
                need[t][y * s.w + x] = 1;
    }
    for (uint32_t l = p->n_ops; l-- > 0;) {
        uint32_t op = p->ops[l];
        mp_tensor_id o = g->ops[op].out[0];
        const mp_shape s = g->tensors[o].shape;
        fill_bbox(need[o], s.h, s.w); /* an op computes a rectangle */
        for (int32_t y = 0; y < s.h; y++)
            for (int32_t x = 0; x < s.w; x++)
                if (need[o][y * s.w + x])
                    mark_needs(g, op, y, x, need);
    }
}

static void check_plan_against_brute_force(const mp_graph *g, const mp_patch_plan *p)
{
    uint8_t **need = calloc(g->n_tensors, sizeof *need);
    for (uint32_t k = 0; k < p->n_slots; k++) {
        const mp_shape s = g->tensors[p->slots[k].id].shape;
        need[p->slots[k].id] = calloc((size_t)s.h * (size_t)s.w, 1);
    }
    for (uint32_t i = 0; i < p->spec.rows; i++)
        for (uint32_t j = 0; j < p->spec.cols; j++) {
            brute_force(g, p, i, j, need);
            for (uint32_t k = 0; k < p->n_slots; k++) {
                mp_tensor_id t = p->slots[k].id;
                const mp_shape s = g->tensors[t].shape;
                mp_interval nr, nc;
                mp_patch_slot_region(p, k, i, j, &nr, &nc, NULL, NULL);
                int32_t y0 = INT32_MAX, y1 = -1, x0 = INT32_MAX, x1 = -1;
                for (int32_t y = 0; y < s.h; y++)
                    for (int32_t x = 0; x < s.w; x++) {
                        if (!need[t][y * s.w + x])
                            continue;
                        /* every needed element is inside the planned region */
                        assert_true(y >= nr.a && y < nr.b && x >= nc.a && x < nc.b);
                        y0 = y < y0 ? y : y0;
                        y1 = y > y1 ? y : y1;
                        x0 = x < x0 ? x : x0;
                        x1 = x > x1 ? x : x1;
                    }
                if (y1 >= 0) { /* and the region is their bounding box */
                    assert_int_equal(nr.a, y0);
                    assert_int_equal(nr.b, y1 + 1);
                    assert_int_equal(nc.a, x0);
                    assert_int_equal(nc.b, x1 + 1);
                }
            }
        }
    for (uint32_t t = 0; t < g->n_tensors; t++)
        free(need[t]);
    free(need);
}

/* With caching, everything a patch needs was computed by it or an earlier patch,
 * and nothing is computed twice. */
/* Cache modes: what a patch holds was computed by it or an earlier patch,
 * and nothing is computed twice - over the whole grid (MP_HALO_CACHE) or
 * within each patch row (MP_HALO_CACHE_COLS: rows are recomputed). */
static void check_cache_plan(const mp_graph *g, const mp_patch_plan *p)
{
    bool per_row = p->spec.halo == MP_HALO_CACHE_COLS;
    for (uint32_t k = 0; k < p->n_slots; k++) {
        if (p->slots[k].role == MP_ROLE_WHOLE_INPUT)
            continue;
        const mp_shape s = g->tensors[p->slots[k].id].shape;
        uint8_t *done = calloc((size_t)s.h * (size_t)s.w, 1);
        for (uint32_t i = 0; i < p->spec.rows; i++)
            for (uint32_t j = 0; j < p->spec.cols; j++) {
                if (per_row && j == 0)
                    memset(done, 0, (size_t)s.h * (size_t)s.w);
                if (per_row)
                    assert_int_equal(p->slots[k].row_cache_bytes, 0);
                mp_interval nr, nc, cr, cc;
                mp_patch_slot_region(p, k, i, j, &nr, &nc, &cr, &cc);
                for (int32_t y = cr.a; y < cr.b; y++)
                    for (int32_t x = cc.a; x < cc.b; x++) {
                        assert_int_equal(done[y * s.w + x], 0);
                        done[y * s.w + x] = 1;
                    }
                for (int32_t y = nr.a; y < nr.b; y++)
                    for (int32_t x = nc.a; x < nc.b; x++) {
                        assert_int_equal(done[y * s.w + x], 1);
                    }
            }
        free(done);
    }
}

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((*s >> 33) % n);
}

/* A random net of 2..5 window ops (with an optional residual add and concat). */
static void random_net(uint64_t *seed, char *buf, size_t n)
{
    static const char *const pads[] = {"\"same\"", "\"valid\"", "[1,0,2,1]", "[0,2,1,0]"};
    int h = 11 + (int)rnd(seed, 14), w = 9 + (int)rnd(seed, 16);
    int len = snprintf(buf, n, NET_HEAD("[%d,%d,2]"), h, w);
    int layers = 2 + (int)rnd(seed, 4);
    for (int l = 0; l < layers; l++) {
        int k = 1 + (int)rnd(seed, 4), s = 1 + (int)rnd(seed, 3), d = 1 + (int)rnd(seed, 2);
        if (h < 8 || w < 8) {
            s = 1;
            k = 1 + (int)rnd(seed, 2);
        }
        const char *op = rnd(seed, 3) == 0 ? "max_pool2d" : rnd(seed, 2) ? "conv2d" : "depthwise_conv2d";
        const char *pad = pads[rnd(seed, (h > 10 && w > 10) ? 4 : 1)];
        if (strcmp(op, "max_pool2d") == 0)
            len += snprintf(buf + len, n - (size_t)len,
                            "%s{\"name\":\"l%d\",\"op\":\"max_pool2d\",\"kernel\":%d,\"stride\":%d,"
                            "\"padding\":\"same\"}", l ? "," : "", l, k, s);
        else
            len += snprintf(buf + len, n - (size_t)len,
                            "%s{\"name\":\"l%d\",\"op\":\"%s\",%s\"kernel\":%d,\"stride\":%d,"
                            "\"dilation\":%d,\"padding\":%s}", l ? "," : "", l, op,
                            strcmp(op, "conv2d") == 0 ? "\"filters\":2," : "", k, s, d, pad);
        h = (h + s - 1) / s;
        w = (w + s - 1) / s;
        if (rnd(seed, 3) == 0) { /* residual: same-shape 3x3 + add */
            len += snprintf(buf + len, n - (size_t)len,
                            ",{\"name\":\"r%d\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
                            "{\"name\":\"a%d\",\"op\":\"add\",\"inputs\":[\"l%d\",\"r%d\"]}",
                            l, l, l, l);
        }
    }
    snprintf(buf + len, n - (size_t)len, NET_TAIL);
}

static void test_patch_regions_match_brute_force(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    char json[8192];
    int checked = 0, uncacheable = 0;
    for (int iter = 0; iter < 300; iter++) {
        random_net(&seed, json, sizeof json);
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        if (mp_import_json_text(json, strlen(json), "rand.json", "", &g, &err) != MP_OK)
            continue; /* a random window larger than its input: skip */
        mp_plan_opts o;
        mp_plan_opts_init(&o);
        o.input_mode = rnd(&seed, 2) ? MP_INPUT_STREAM : MP_INPUT_SRAM;
        mp_per_layer pl;
        assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
        uint32_t last = rnd(&seed, g->n_ops);
        const mp_tensor *s = &g->tensors[g->ops[g->order[last]].out[0]];
        uint32_t rows = 1 + rnd(&seed, (uint32_t)(s->shape.h < 4 ? s->shape.h : 4));
        uint32_t cols = 1 + rnd(&seed, (uint32_t)(s->shape.w < 4 ? s->shape.w : 4));
        uint64_t macs[MP_HALO_COUNT][MP_CUTS_BALANCED + 1] = {{0}};
        for (int halo = 0; halo < MP_HALO_COUNT; halo++) {
            for (int cuts = MP_CUTS_EVEN; cuts <= MP_CUTS_BALANCED; cuts++) {
                mp_patch_spec spec = {0, last, rows, cols, (mp_cuts)cuts, NULL, NULL,
                                      (mp_halo)halo};
                mp_patch_plan *p = NULL;
                mp_status st = mp_patch_plan_new(g, &pl, &o, &spec, &p, &err);
                if (st == MP_E_UNSUPPORTED && halo != MP_HALO_RECOMPUTE) {
                    uncacheable++;
                    mp_error_init(&err);
                    continue;
                }
                assert_int_equal(st, MP_OK);
                if (halo == MP_HALO_RECOMPUTE)
                    check_plan_against_brute_force(g, p);
                else
                    check_cache_plan(g, p);
                assert_true(p->peak >= p->rest_peak);
                assert_true(p->stage_peak >= p->whole_bytes + p->cache_bytes);
                macs[halo][cuts] = p->macs;
                mp_patch_plan_free(p);
                checked++;
            }
        }
        /* caching columns only computes between the other two modes */
        for (int cuts = MP_CUTS_EVEN; cuts <= MP_CUTS_BALANCED; cuts++) {
            uint64_t rec = macs[MP_HALO_RECOMPUTE][cuts], mid = macs[MP_HALO_CACHE_COLS][cuts],
                     all = macs[MP_HALO_CACHE][cuts];
            if (mid && all)
                assert_true(all <= mid);
            if (mid)
                assert_true(mid <= rec);
        }
        mp_per_layer_release(&pl);
        mp_graph_free(g);
    }
    assert_true(checked > 300);
    assert_true(uncacheable * 10 < checked);
}

/* MobileNetV2 0.35 @144: the search finds schedules below per-layer and the
 * front is sorted and non-dominated. */
static void test_patch_search_front(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[32,32,3]")
        "{\"name\":\"c1\",\"op\":\"conv2d\",\"filters\":16,\"kernel\":3,\"stride\":2},"
        "{\"name\":\"e1\",\"op\":\"conv2d\",\"filters\":48,\"kernel\":1},"
        "{\"name\":\"d1\",\"op\":\"depthwise_conv2d\",\"kernel\":3,\"stride\":2},"
        "{\"name\":\"p1\",\"op\":\"conv2d\",\"filters\":16,\"kernel\":1},"
        "{\"name\":\"m\",\"op\":\"mean\"},"
        "{\"name\":\"fc\",\"op\":\"fully_connected\",\"units\":10}" NET_TAIL);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
    mp_search_opts so;
    mp_search_opts_init(&so);
    mp_patch_search ps;
    assert_int_equal(mp_patch_search_run(g, &pl, &o, &so, &ps, &err), MP_OK);
    assert_true(ps.n_pareto > 0);
    assert_true(ps.have_best);
    assert_true(ps.best.peak < pl.peak_bytes);
    /* each halo mode's front: peaks rise while MACs fall; all below per-layer */
    for (int h = 0; h < MP_HALO_COUNT; h++) {
        const mp_patch_point *prev = NULL;
        for (uint32_t i = 0; i < ps.n_pareto; i++) {
            const mp_patch_point *q = &ps.pareto[i];
            assert_true(q->peak < pl.peak_bytes);
            if (q->halo != (mp_halo)h)
                continue;
            if (prev) {
                assert_true(q->peak > prev->peak);
                assert_true(q->macs < prev->macs);
            }
            prev = q;
        }
    }
    /* the search stops at the mean (a stage may end with it): steps 0..4 */
    for (uint32_t i = 0; i < ps.n_pareto; i++)
        assert_true(ps.pareto[i].last_step <= 4);
    mp_patch_search_release(&ps);
    /* a budget nothing meets: lowest peak, with the missing bytes */
    so.have_budget = true;
    so.budget = 10;
    assert_int_equal(mp_patch_search_run(g, &pl, &o, &so, &ps, &err), MP_OK);
    assert_false(ps.fits);
    assert_int_equal(ps.missing_bytes, ps.best.peak - 10);
    mp_patch_search_release(&ps);
    /* a budget per-layer meets: per-layer is best */
    so.budget = pl.peak_bytes;
    assert_int_equal(mp_patch_search_run(g, &pl, &o, &so, &ps, &err), MP_OK);
    assert_true(ps.fits);
    assert_true(ps.per_layer_best);
    mp_patch_search_release(&ps);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* The recommendation policy (docs/algorithms.md): the front is dominance-free over
 * every halo mode; without a budget the best is the lowest peak within the MAC
 * allowance (default +10 %, --max-macs sets it); with a budget the cheapest that fits. */
static void test_patch_recommendation_policy(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[48,48,3]")
        "{\"name\":\"c1\",\"op\":\"conv2d\",\"filters\":16,\"kernel\":3,\"stride\":1},"
        "{\"name\":\"e1\",\"op\":\"conv2d\",\"filters\":48,\"kernel\":3},"
        "{\"name\":\"d1\",\"op\":\"depthwise_conv2d\",\"kernel\":5,\"stride\":2},"
        "{\"name\":\"p1\",\"op\":\"conv2d\",\"filters\":16,\"kernel\":1},"
        "{\"name\":\"m\",\"op\":\"mean\"},"
        "{\"name\":\"fc\",\"op\":\"fully_connected\",\"units\":10}" NET_TAIL);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
    mp_search_opts so;
    mp_search_opts_init(&so);
    assert_int_equal(mp_search_mac_limit(&so, 1000), 1100);
    so.max_macs = 2.0;
    assert_int_equal(mp_search_mac_limit(&so, 1000), 2000);
    so.max_macs = 0;
    so.have_budget = true;
    assert_true(mp_search_mac_limit(&so, 1000) == UINT64_MAX);
    so.have_budget = false;
    mp_patch_search ps;
    assert_int_equal(mp_patch_search_run(g, &pl, &o, &so, &ps, &err), MP_OK);
    assert_true(ps.n_pareto > 1);
    for (uint32_t i = 0; i < ps.n_pareto; i++) /* no point dominates another */
        for (uint32_t k = 0; k < ps.n_pareto; k++)
            if (k != i)
                assert_false(ps.pareto[k].peak <= ps.pareto[i].peak &&
                             ps.pareto[k].macs <= ps.pareto[i].macs);
    uint64_t limit = mp_search_mac_limit(&so, g->macs);
    const mp_patch_point *want = NULL; /* the lowest peak within the allowance */
    for (uint32_t i = 0; i < ps.n_pareto && !want; i++)
        if (ps.pareto[i].macs <= limit)
            want = &ps.pareto[i];
    assert_non_null(want);
    assert_true(ps.have_best);
    assert_true(ps.best.macs <= limit);
    assert_int_equal(ps.best.peak, want->peak);
    assert_int_equal(ps.best.macs, want->macs);
    /* at any cost: the lowest peak of all */
    so.max_macs = 1000.0;
    mp_patch_search_recommend(&ps, &so);
    assert_int_equal(ps.best.peak, ps.pareto[0].peak);
    /* a budget between the two: the cheapest point that fits */
    so.max_macs = 0;
    so.have_budget = true;
    so.budget = ps.pareto[ps.n_pareto - 1].peak;
    mp_patch_search_recommend(&ps, &so);
    assert_true(ps.fits);
    assert_int_equal(ps.best.macs, ps.pareto[ps.n_pareto - 1].macs);
    mp_patch_search_release(&ps);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

static void test_patch_rejects_non_spatial_block(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[8,8,3]")
        "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3},"
        "{\"name\":\"m\",\"op\":\"fully_connected\",\"units\":4}" NET_TAIL);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
    mp_patch_spec spec = {0, 1, 2, 2, MP_CUTS_EVEN, NULL, NULL, MP_HALO_RECOMPUTE};
    mp_patch_plan *p = NULL;
    assert_int_equal(mp_patch_plan_new(g, &pl, &o, &spec, &p, &err), MP_E_INVALID);
    assert_string_equal(err.msg, "layers[1] 'm' cannot be part of a patch stage (it needs its whole input)");
    mp_error_init(&err);
    spec.last_step = 0;
    spec.rows = 9;
    assert_int_equal(mp_patch_plan_new(g, &pl, &o, &spec, &p, &err), MP_E_INVALID);
    assert_string_equal(err.msg, "patch grid: 9 row tiles for a split of 8 rows");
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* mp_window_taps against the taps themselves, exhaustively for small windows; and a huge
 * kernel (a fuzzed net.json) answers without walking its padding. */
static void test_patch_window_taps_brute_force(void **state)
{
    (void)state;
    for (int32_t k = 1; k <= 5; k++)
        for (int32_t s = 1; s <= 4; s++)
            for (int32_t d = 1; d <= 3; d++)
                for (int32_t pad = 0; pad <= 9; pad++)
                    for (int32_t size = 1; size <= 9; size++)
                        for (int32_t a = 0; a < 8; a++)
                            for (int32_t b = a + 1; b <= 8; b++) {
                                int32_t lo = INT32_MAX, hi = -1;
                                for (int32_t x = a; x < b; x++)
                                    for (int32_t j = 0; j < k; j++) {
                                        int32_t t = x * s - pad + j * d;
                                        if (t >= 0 && t < size) {
                                            lo = t < lo ? t : lo;
                                            hi = t > hi ? t : hi;
                                        }
                                    }
                                mp_interval v = mp_window_taps((mp_interval){a, b}, k, s, d,
                                                               pad, size);
                                if (hi < 0) {
                                    assert_int_equal(v.b - v.a, 0);
                                } else {
                                    assert_int_equal(v.a, lo);
                                    assert_int_equal(v.b, hi + 1);
                                }
                            }
    mp_interval v = mp_window_taps((mp_interval){0, 32768}, 32768, 1, 1, 16383, 32768);
    assert_int_equal(v.a, 0);
    assert_int_equal(v.b, 32768);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_recompute_by_hand),
        cmocka_unit_test(test_patch_cache_by_hand),
        cmocka_unit_test(test_patch_skip_crossing_cut_is_whole),
        cmocka_unit_test(test_patch_stage_ending_in_mean),
        cmocka_unit_test(test_patch_regions_match_brute_force),
        cmocka_unit_test(test_patch_search_front),
        cmocka_unit_test(test_patch_recommendation_policy),
        cmocka_unit_test(test_patch_rejects_non_spatial_block),
        cmocka_unit_test(test_patch_window_taps_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
