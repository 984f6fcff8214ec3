/* SPDX-License-Identifier: MIT */
/*
 * test_order.c - the execution order with the smallest per-layer peak
 * (module plan): hand-computed branching nets, exactness against brute force
 * over every topological order of random small graphs, the state bound,
 * chains, allocation failures.
 */
#include "test_helpers.h"

#include "../../src/plan/order_int.h"
#include "../../src/util/alloc.h"

#include <stdlib.h>

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif

/* Peak of g run in order under opts (the one accounting). */
static size_t peak_of(const mp_graph *g, const uint32_t *order, const mp_plan_opts *opts)
{
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    if (mp_plan_per_layer(g, order, opts, &pl, &err) != MP_OK) {
        print_error("per-layer failed: %s\n", err.msg);
        fail();
    }
    size_t peak = pl.peak_bytes;
    mp_per_layer_release(&pl);
    return peak;
}

static void best_order(const mp_graph *g, const mp_plan_opts *opts, const mp_order_opts *oo,
                       mp_order_result *r)
{
    mp_error err;
    mp_error_init(&err);
    if (mp_plan_best_order(g, opts, oo, r, &err) != MP_OK) {
        print_error("best order failed: %s\n", err.msg);
        fail();
    }
    /* invariants of every result */
    assert_int_equal(r->n_ops, g->n_ops);
    assert_int_equal(peak_of(g, r->order, opts), r->peak_bytes);
    assert_int_equal(peak_of(g, NULL, opts), r->file_peak_bytes);
    assert_true(r->peak_bytes <= r->file_peak_bytes);
    assert_true(r->lower_bound_bytes <= r->peak_bytes);
    if (r->optimal)
        assert_int_equal(r->lower_bound_bytes, r->peak_bytes);
    if (oo)
        assert_true(r->n_states <= oo->max_states);
}

static void assert_order(const mp_graph *g, const mp_order_result *r, const char *const *names)
{
    for (uint32_t s = 0; s < g->n_ops; s++)
        assert_string_equal(g->ops[r->order[s]].name, names[s]);
}

/* Proven without a search, and the file order kept. */
static void assert_file_order_proven(const mp_graph *g, const mp_order_result *r)
{
    assert_true(r->optimal);
    assert_int_equal(r->n_states, 0);
    assert_int_equal(r->peak_bytes, r->file_peak_bytes);
    for (uint32_t s = 0; s < g->n_ops; s++)
        assert_int_equal(r->order[s], g->order[s]);
}

/*
 * Two branches written breadth first (as many exporters write them):
 *   in 2x2x4 (16 B); a1 = 1x1 conv to 16 ch (64 B), b1 = 1x1 conv of in to 16 ch (64 B),
 *   a2 = 1x1 conv of a1 to 2 ch (8 B), b2 = 1x1 conv of b1 to 2 ch (8 B), cat (16 B).
 * File order a1 b1 a2 b2 cat:
 *   a1: in + a1 = 80;  b1: in + a1 + b1 = 144 (in's last reader);  a2: a1 + b1 + a2 = 136;
 *   b2: b1 + a2 + b2 = 80;  cat: a2 + b2 + cat = 32  -> peak 144.
 * Depth first a1 a2 b1 b2 cat:
 *   a1: 80;  a2: in + a1 + a2 = 88;  b1: in + a2 + b1 = 88;  b2: a2 + b1 + b2 = 80;  cat: 32
 *   -> peak 88. Whichever of a1, b1 runs second finds the other's output or its own branch
 *   end held with in, so no order is below 88; the lower bound of the ops alone is 80
 *   (in + a1), so only the exact search proves 88.
 */
static const char two_branches[] = NET_HEAD("[2,2,4]")
    "{\"name\":\"a1\",\"op\":\"conv2d\",\"filters\":16,\"kernel\":1},"
    "{\"name\":\"b1\",\"op\":\"conv2d\",\"filters\":16,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"a2\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,\"inputs\":\"a1\"},"
    "{\"name\":\"b2\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,\"inputs\":\"b1\"},"
    "{\"name\":\"cat\",\"op\":\"concat\",\"inputs\":[\"a2\",\"b2\"]}" NET_TAIL;

static void test_order_depth_first_beats_file(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(two_branches);
    mp_order_result r;
    best_order(g, NULL, NULL, &r);
    assert_int_equal(r.file_peak_bytes, 144);
    assert_int_equal(r.peak_bytes, 88);
    assert_true(r.optimal);
    assert_int_equal(r.lower_bound_bytes, 88);
    assert_int_equal(r.n_parts, 1);
    assert_true(r.n_states > 0);
    /* of the two optimal orders, the one closer to the file (a1 first) */
    static const char *const expect[] = {"a1", "a2", "b1", "b2", "cat"};
    assert_order(g, &r, expect);
    mp_order_result_release(&r);
    mp_graph_free(g);
}

/*
 * In-place depthwise needs its input to die at the depthwise, so the order decides it.
 *   in 2x2x8 (32 B); dw = depthwise 3x3 of in (32 B); d2 = 1x1 conv of dw to 1 ch (4 B);
 *   c = 1x1 conv of in to 1 ch (4 B); cat = concat(c, d2) (8 B).
 * File order dw d2 c cat: dw: in + dw = 64 (in is read later by c: not in place);
 *   d2: in + dw + d2 = 68; c: in + d2 + c = 40; cat: c + d2 + cat = 16 -> peak 68.
 * With in-place depthwise, c dw d2 cat: c: in + c = 36; dw: in + c + one 2x2 plane (4) = 40;
 *   d2: c + dw + d2 = 40; cat: 16 -> peak 40.
 * Without in-place, c first gives dw: in + c + dw = 68 as well: the file order is kept.
 */
static const char dw_branch[] = NET_HEAD("[2,2,8]")
    "{\"name\":\"dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
    "{\"name\":\"d2\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":1},"
    "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"cat\",\"op\":\"concat\",\"inputs\":[\"c\",\"d2\"]}" NET_TAIL;

static void test_order_enables_inplace_depthwise(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(dw_branch);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    mp_order_result r;
    best_order(g, &o, NULL, &r);
    assert_int_equal(r.file_peak_bytes, 68);
    assert_int_equal(r.peak_bytes, 68);
    assert_true(r.optimal);
    static const char *const file[] = {"dw", "d2", "c", "cat"};
    assert_order(g, &r, file);
    mp_order_result_release(&r);

    o.inplace_dw = true;
    best_order(g, &o, NULL, &r);
    assert_int_equal(r.file_peak_bytes, 68);
    assert_int_equal(r.peak_bytes, 40);
    assert_true(r.optimal);
    static const char *const best[] = {"c", "dw", "d2", "cat"};
    assert_order(g, &r, best);
    mp_order_result_release(&r);
    mp_graph_free(g);
}

/*
 * When the network's peak is forced, the file order stays and nothing is searched:
 *   in 2x2x2 (8 B); s = 1x1 conv to 2 ch (8 B) [a cut: every order runs it first];
 *   p = max_pool 1x1 of s (8 B); q = 1x1 conv of p to 32 ch (128 B);
 *   r = 1x1 conv of s to 32 ch (128 B); t = 1x1 conv of r to 1 ch (4 B);
 *   out = concat(q, t) (132 B).
 * File order s p q r t out: s: 16; p: s + p = 16; q: s + p + q = 144; r: s + q + r = 264;
 *   t: q + r + t = 260; out: q + t + out = 264 -> peak 264 at r.
 * Best s r t p q out: r: s + r = 136; t: s + r + t = 140; p: s + t + p = 20;
 *   q: t + p + q = 140; out: 264 -> peak 264: the concat holds 264 B in any order, so the
 *   file order stays (the lower bound proves it without a search).
 */
static void test_order_keeps_file_when_peak_is_forced(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[2,2,2]")
        "{\"name\":\"s\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1},"
        "{\"name\":\"p\",\"op\":\"max_pool2d\",\"kernel\":1},"
        "{\"name\":\"q\",\"op\":\"conv2d\",\"filters\":32,\"kernel\":1},"
        "{\"name\":\"r\",\"op\":\"conv2d\",\"filters\":32,\"kernel\":1,\"inputs\":\"s\"},"
        "{\"name\":\"t\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":1},"
        "{\"name\":\"out\",\"op\":\"concat\",\"inputs\":[\"q\",\"t\"]}" NET_TAIL);
    mp_order_result r;
    best_order(g, NULL, NULL, &r);
    assert_int_equal(r.file_peak_bytes, 264);
    assert_int_equal(r.peak_bytes, 264);
    assert_file_order_proven(g, &r);
    mp_order_result_release(&r);
    mp_graph_free(g);
}

/*
 * Beyond the state bound: the greedy rules and a beam, without a proof. In
 * two_branches the exact search stores 3 states (the root, {a1}, {b1}; every
 * step after them reaches 88, the greedy rules' peak, and is dropped): with
 * fewer it gives up. A beam keeping every state of each layer is exact too.
 */
static void test_order_state_bound_falls_back(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(two_branches);
    mp_order_opts oo;
    mp_order_opts_init(&oo);
    mp_order_result r;
    best_order(g, NULL, &oo, &r);
    assert_true(r.optimal);
    assert_int_equal(r.n_states, 3);
    assert_int_equal(r.n_beam_states, 0);
    mp_order_result_release(&r);
    oo.beam_width = 1;
    for (uint64_t bound = 0; bound < 3; bound++) {
        oo.max_states = bound;
        best_order(g, NULL, &oo, &r);
        assert_false(r.optimal);
        assert_int_equal(r.lower_bound_bytes, 80);
        assert_int_equal(r.peak_bytes, 88); /* the greedy rules find it, unproven */
        assert_int_equal(r.n_states, bound);
        assert_true(r.n_beam_states > 0);
        mp_order_result_release(&r);
    }
    oo.beam_width = 0;
    best_order(g, NULL, &oo, &r);
    assert_false(r.optimal);
    assert_int_equal(r.peak_bytes, 88);
    assert_int_equal(r.n_beam_states, 0);
    mp_order_result_release(&r);
    oo.max_states = 0;
    oo.beam_width = 2; /* never more than 2 states per layer here: exact */
    best_order(g, NULL, &oo, &r);
    assert_true(r.optimal);
    assert_int_equal(r.n_states, 0);
    assert_int_equal(r.n_beam_states, 3);
    mp_order_result_release(&r);
    mp_graph_free(g);
}

/* Chains, and residual blocks whose inside is a chain, have one order: no search. */
static void test_order_chains_are_instant(void **state)
{
    (void)state;
    char json[8192];
    size_t n = (size_t)snprintf(json, sizeof json, "%s", NET_HEAD("[8,8,4]"));
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(json + n, sizeof json - n,
                              "%s{\"name\":\"c%d\",\"op\":\"conv2d\",\"filters\":%d,\"kernel\":1}",
                              i ? "," : "", i, 4 + (i * 7) % 13);
    snprintf(json + n, sizeof json - n, "%s", NET_TAIL);
    mp_graph *g = test_graph_from_json(json);
    mp_order_result r;
    best_order(g, NULL, NULL, &r);
    assert_file_order_proven(g, &r);
    assert_int_equal(r.n_parts, 0);
    mp_order_result_release(&r);
    mp_graph_free(g);

    /* MobileNetV2-style block: expand, dw, project, add(in, project) */
    g = test_graph_from_json(NET_HEAD("[4,4,8]")
        "{\"name\":\"e\",\"op\":\"conv2d\",\"filters\":48,\"kernel\":1},"
        "{\"name\":\"d\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
        "{\"name\":\"p\",\"op\":\"conv2d\",\"filters\":8,\"kernel\":1},"
        "{\"name\":\"a\",\"op\":\"add\",\"inputs\":[\"in\",\"p\"]}" NET_TAIL);
    best_order(g, NULL, NULL, &r);
    assert_file_order_proven(g, &r);
    assert_int_equal(r.n_parts, 0);
    mp_order_result_release(&r);
    mp_graph_free(g);
}

static void test_order_rejects_unfinalized_graph(void **state)
{
    (void)state;
    mp_graph *g;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_graph_new("x", "", MP_SOURCE_API, &g, &err), MP_OK);
    mp_order_result r;
    assert_int_equal(mp_plan_best_order(g, NULL, NULL, &r, &err), MP_E_INVALID);
    assert_string_equal(err.msg, "best order: the graph is not finalized");
    assert_null(r.order);
    mp_graph_free(g);
}

/*
 * The bundled DARTS-V2 net (8 cells, 16 channels): each cell reads the two
 * previous cells' outputs. The file order keeps cell k-1's output (32x32x64 =
 * 65,536 B) through all of cell k and peaks at cell 1's concat: 4 nodes
 * (4 x 16,384) + the concat (65,536) + cell 0's output (65,536) = 196,608 B.
 * Running cell k+1's first 1x1 conv right after cell k's own frees it early;
 * the peak becomes a concat with that conv's output held instead:
 * 65,536 + 65,536 + 16,384 = 147,456 B.
 */
static void test_order_darts_net(void **state)
{
    (void)state;
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_file(MEMPLAN_SOURCE_ROOT "/nets/darts-v2-c16-l8-cifar.json", &g, &err) != MP_OK) {
        print_error("%s\n", err.msg);
        fail();
    }
    mp_order_result r;
    best_order(g, NULL, NULL, &r);
    assert_int_equal(r.file_peak_bytes, 196608);
    assert_int_equal(r.peak_bytes, 147456);
    assert_true(r.optimal);
    assert_int_equal(r.n_parts, 1);
    uint32_t s = 0; /* c2_pre0 now runs right after c1_pre1 */
    while (s < g->n_ops && strcmp(g->ops[r.order[s]].name, "c2_pre0") != 0)
        s++;
    assert_true(s > 0 && s < g->n_ops);
    assert_string_equal(g->ops[r.order[s - 1]].name, "c1_pre1");
    mp_order_result_release(&r);
    mp_graph_free(g);
}

/*
 * The shared MLPerf Tiny ResNet-8: its two downsampling blocks may run the 1x1
 * shortcut before or after the main branch, but the peak is the first residual
 * block's (input + two 32x32x16 convs = 3 x 16,384 = 49,152 B), forced in every
 * order: proven by the lower bound without a search, and the file order stays.
 */
static void test_order_shared_resnet(void **state)
{
    (void)state;
    const char *dir = getenv("MEMPLAN_MODELS"); /* overrides <source root>/../shared/models */
    char path[4096];
    snprintf(path, sizeof path, "%s/pretrainedResnet_quant.tflite",
             dir ? dir : MEMPLAN_SOURCE_ROOT "/../shared/models");
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_file(path, &g, &err) != MP_OK) {
        print_message("cannot import %s (%s): skipped\n", path, err.msg);
        skip();
    }
    mp_order_result r;
    best_order(g, NULL, NULL, &r);
    assert_int_equal(r.file_peak_bytes, 49152);
    assert_int_equal(r.peak_bytes, 49152);
    assert_file_order_proven(g, &r);
    assert_int_equal(r.n_parts, 2);
    mp_order_result_release(&r);
    mp_graph_free(g);
}

/* ---- brute force over random small graphs -------------------------------------------- */

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*s >> 33) % n;
}

typedef struct rnet {
    char json[4096];
    size_t len;
} rnet;

static void rnet_add(rnet *r, const char *fmt, ...) MP_PRINTF(2, 3);

static void rnet_add(rnet *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->json + r->len, sizeof r->json - r->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof r->json - r->len);
    r->len += (size_t)n;
}

/*
 * A random net.json: 3x3 tensors, channels from {1, 2, 3, 4, 8}, one or two inputs
 * (the second possibly unread), n_ops ops reading 1-3 earlier tensors (conv 1x1,
 * depthwise, max_pool 1x1, reshape; add/mul over equal shapes; concat), some ops
 * unread, one or two outputs anywhere.
 */
static void random_net(uint64_t *seed, uint32_t n_ops, rnet *r)
{
    static const int chans[] = {1, 2, 3, 4, 8};
    int ch[16];
    char names[16][16];
    uint32_t n_t = 0;
    bool two_inputs = rnd(seed, 3) == 0;
    r->len = 0;
    ch[n_t] = chans[rnd(seed, 5)];
    snprintf(names[n_t++], sizeof names[0], "in");
    rnet_add(r, "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"r\",\"inputs\":["
                "{\"name\":\"in\",\"shape\":[3,3,%d]}", ch[0]);
    if (two_inputs) {
        ch[n_t] = chans[rnd(seed, 5)];
        snprintf(names[n_t++], sizeof names[0], "in2");
        rnet_add(r, ",{\"name\":\"in2\",\"shape\":[3,3,%d]}", ch[1]);
    }
    rnet_add(r, "],\"layers\":[");
    uint32_t first_op = n_t;
    for (uint32_t i = 0; i < n_ops; i++) {
        uint32_t a = rnd(seed, n_t), b = rnd(seed, n_t), c3 = rnd(seed, n_t);
        int k = (int)rnd(seed, 10), out_ch;
        const char *sep = i ? "," : "";
        char *name = names[n_t];
        snprintf(name, sizeof names[0], "o%u", i);
        if (k < 3) {
            out_ch = chans[rnd(seed, 5)];
            rnet_add(r, "%s{\"name\":\"%s\",\"op\":\"conv2d\",\"filters\":%d,\"kernel\":1,"
                        "\"inputs\":\"%s\"}", sep, name, out_ch, names[a]);
        } else if (k == 3) {
            out_ch = ch[a];
            rnet_add(r, "%s{\"name\":\"%s\",\"op\":\"depthwise_conv2d\",\"kernel\":3,"
                        "\"inputs\":\"%s\"}", sep, name, names[a]);
        } else if (k == 4) {
            out_ch = ch[a];
            rnet_add(r, "%s{\"name\":\"%s\",\"op\":\"max_pool2d\",\"kernel\":1,"
                        "\"inputs\":\"%s\"}", sep, name, names[a]);
        } else if (k == 5) {
            out_ch = ch[a];
            rnet_add(r, "%s{\"name\":\"%s\",\"op\":\"reshape\",\"shape\":[3,3,%d],"
                        "\"inputs\":\"%s\"}", sep, name, out_ch, names[a]);
        } else if (k < 8 && ch[a] == ch[b]) {
            out_ch = ch[a];
            rnet_add(r, "%s{\"name\":\"%s\",\"op\":\"%s\",\"inputs\":[\"%s\",\"%s\"]}", sep, name,
                     k == 6 ? "add" : "mul", names[a], names[b]);
        } else if (k < 9) {
            out_ch = ch[a] + ch[b];
            rnet_add(r, "%s{\"name\":\"%s\",\"op\":\"concat\",\"inputs\":[\"%s\",\"%s\"]}", sep,
                     name, names[a], names[b]);
        } else {
            out_ch = ch[a] + ch[b] + ch[c3];
            rnet_add(r, "%s{\"name\":\"%s\",\"op\":\"concat\",\"inputs\":[\"%s\",\"%s\",\"%s\"]}",
                     sep, name, names[a], names[b], names[c3]);
        }
        ch[n_t++] = out_ch;
    }
    rnet_add(r, "],\"outputs\":[\"%s\"", names[n_t - 1]);
    if (rnd(seed, 3) == 0)
        rnet_add(r, ",\"%s\"", names[first_op + rnd(seed, n_ops - 1)]);
    rnet_add(r, "]}");
}

typedef struct brute {
    const mp_graph *g;
    const mp_plan_opts *opts;
    uint32_t pred[16]; /* bit masks of predecessor ops */
    uint32_t order[16];
    size_t best;
    uint64_t visited;
} brute;

static void brute_preds(brute *b)
{
    const mp_graph *g = b->g;
    for (uint32_t v = 0; v < g->n_ops; v++) {
        b->pred[v] = 0;
        for (uint32_t k = 0; k < g->ops[v].n_in; k++) {
            mp_tensor_id t = g->ops[v].in[k];
            if (t != MP_NO_TENSOR && g->tensors[t].producer >= 0)
                b->pred[v] |= 1u << g->tensors[t].producer;
        }
    }
}

/* Number of topological orders (DP over subsets). */
static uint64_t count_orders(const brute *b)
{
    uint32_t n = b->g->n_ops, full = (1u << n) - 1;
    uint64_t *ways = calloc((size_t)full + 1, sizeof *ways);
    ways[0] = 1;
    for (uint32_t s = 0; s < full; s++) {
        if (!ways[s])
            continue;
        for (uint32_t v = 0; v < n; v++)
            if (!(s >> v & 1) && (b->pred[v] & ~s) == 0)
                ways[s | 1u << v] += ways[s];
    }
    uint64_t total = ways[full];
    free(ways);
    return total;
}

/* Every topological order: the smallest mp_plan_per_layer peak. */
static void brute_rec(brute *b, uint32_t done, uint32_t k)
{
    uint32_t n = b->g->n_ops;
    if (k == n) {
        size_t p = peak_of(b->g, b->order, b->opts);
        if (p < b->best)
            b->best = p;
        b->visited++;
        return;
    }
    for (uint32_t v = 0; v < n; v++) {
        if ((done >> v & 1) || (b->pred[v] & ~done))
            continue;
        b->order[k] = v;
        brute_rec(b, done | 1u << v, k + 1);
    }
}

static void test_order_matches_brute_force(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    int checked = 0, improved = 0;
    for (int trial = 0; checked < 150 && trial < 1000; trial++) {
        rnet net;
        random_net(&seed, 2 + rnd(&seed, 8), &net);
        mp_graph *g = test_graph_from_json(net.json);
        mp_plan_opts o;
        mp_plan_opts_init(&o);
        o.align = rnd(&seed, 2) ? 16 : 1;
        o.inplace_dw = rnd(&seed, 2);
        o.inplace_ops = rnd(&seed, 2);
        brute b = {.g = g, .opts = &o, .best = SIZE_MAX};
        brute_preds(&b);
        if (count_orders(&b) > 5000) {
            mp_graph_free(g);
            continue;
        }
        brute_rec(&b, 0, 0);
        mp_order_result r;
        best_order(g, &o, NULL, &r);
        if (r.peak_bytes != b.best || !r.optimal)
            print_error("net %s\nalign %zu dw %d ops %d: best %zu, search %zu (%s)\n", net.json,
                        o.align, o.inplace_dw, o.inplace_ops, b.best, r.peak_bytes,
                        r.optimal ? "optimal" : "heuristic");
        assert_true(r.optimal);
        assert_int_equal(r.peak_bytes, b.best);
        improved += r.peak_bytes < r.file_peak_bytes;
        mp_order_result_release(&r);

        /* heuristics only: never worse than the file order, never below the optimum */
        mp_order_opts oo;
        mp_order_opts_init(&oo);
        oo.max_states = 0;
        oo.beam_width = rnd(&seed, 3);
        best_order(g, &o, &oo, &r);
        assert_true(r.peak_bytes >= b.best);
        if (r.optimal)
            assert_int_equal(r.peak_bytes, b.best);
        mp_order_result_release(&r);
        mp_graph_free(g);
        checked++;
    }
    assert_int_equal(checked, 150);
    assert_true(improved > 10); /* the nets exercise reordering, not just the file order */
}

/* Every allocation failure ends in MP_E_NOMEM without a leak (cmocka checks). */
static void fail_every_allocation(const char *json, const mp_order_opts *oo)
{
    mp_graph *g = test_graph_from_json(json);
    for (long n = 0;; n++) {
        mp_order_result r;
        mp_error err;
        mp_error_init(&err);
        fault_alloc_fail_after(n);
        mp_status st = mp_plan_best_order(g, NULL, oo, &r, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            mp_order_result_release(&r);
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
        assert_null(r.order);
    }
    mp_graph_free(g);
}

static void test_order_allocation_failures(void **state)
{
    (void)state;
    mp_order_opts oo;
    mp_order_opts_init(&oo);
    fail_every_allocation(two_branches, &oo);
    oo.max_states = 2; /* exact search gives up, the beam runs and truncates */
    oo.beam_width = 1;
    fail_every_allocation(two_branches, &oo);
    uint64_t seed = 99;
    rnet net;
    random_net(&seed, 9, &net);
    mp_order_opts_init(&oo);
    fail_every_allocation(net.json, &oo);
}

/* ---- the layered search itself (private API) ---------------------------------------- */

/* Ten 1x1 convs of the input, then their concat: every subset of the ten is a state. */
static const char fan[] = NET_HEAD("[2,2,1]")
    "{\"name\":\"c0\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c1\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c2\",\"op\":\"conv2d\",\"filters\":3,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c3\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c4\",\"op\":\"conv2d\",\"filters\":5,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c5\",\"op\":\"conv2d\",\"filters\":6,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c6\",\"op\":\"conv2d\",\"filters\":7,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c7\",\"op\":\"conv2d\",\"filters\":8,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c8\",\"op\":\"conv2d\",\"filters\":9,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"c9\",\"op\":\"conv2d\",\"filters\":10,\"kernel\":1,\"inputs\":\"in\"},"
    "{\"name\":\"cat\",\"op\":\"concat\",\"inputs\":[\"c0\",\"c1\",\"c2\",\"c3\",\"c4\","
    "\"c5\",\"c6\",\"c7\",\"c8\",\"c9\"]}" NET_TAIL;

typedef struct layered_run {
    search_end end;
    size_t value;
    uint64_t stored;
    bool exact;
} layered_run;

/* Set up fan's single part and search it with no bound; MP_E_NOMEM passes through. */
static mp_status run_layered(const mp_graph *g, uint32_t keep, uint64_t budget,
                             layered_run *out)
{
    order_ctx c;
    part *parts = NULL;
    uint32_t n_parts = 0, order[10];
    mp_error err;
    mp_error_init(&err);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    mp_status st = order_ctx_init(&c, g, &o, &err);
    if (st == MP_OK)
        st = order_find_parts(&c, &parts, &n_parts, &err);
    if (st == MP_OK) {
        assert_int_equal(n_parts, 1);
        assert_int_equal(parts[0].lo, 0);
        assert_int_equal(parts[0].m, 10);
        st = order_part_links(&c, &parts[0], &err);
    }
    if (st == MP_OK)
        st = order_layered_search(&c, &parts[0], SIZE_MAX, keep, budget, order, &out->end,
                                  &out->value, &out->stored, &out->exact, &err);
    if (st == MP_OK && out->end == SEARCH_FOUND) { /* a permutation of the ten convs */
        uint32_t seen = 0;
        for (int k = 0; k < 10; k++)
            seen |= 1u << order[k];
        assert_int_equal(seen, 0x3ff);
        assert_int_equal(out->value, parts[0].file_peak); /* every order holds them all */
    }
    for (uint32_t i = 0; i < n_parts; i++)
        order_part_release(&parts[i]);
    mp_free(parts);
    order_ctx_release(&c);
    return st;
}

/*
 * Exact: all 2^10 subsets are stored (layers of up to 252 states: the hash maps
 * grow past their first 64 slots). Beam 8: at most 1 + 10 x 8 states, not proven.
 * Budget 100: gives up having stored exactly 100.
 */
static void test_order_layered_search_counts_states(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(fan);
    layered_run r;
    assert_int_equal(run_layered(g, UINT32_MAX, MAX_STATES, &r), MP_OK);
    assert_int_equal(r.end, SEARCH_FOUND);
    assert_int_equal(r.stored, 1024);
    assert_true(r.exact);
    assert_int_equal(run_layered(g, 8, MAX_STATES, &r), MP_OK);
    assert_int_equal(r.end, SEARCH_FOUND);
    assert_true(r.stored <= 81);
    assert_false(r.exact);
    assert_int_equal(run_layered(g, UINT32_MAX, 100, &r), MP_OK);
    assert_int_equal(r.end, SEARCH_FULL);
    assert_int_equal(r.stored, 100);
    assert_false(r.exact);
    for (uint32_t keep = 8; keep != 0; keep = keep == 8 ? UINT32_MAX : 0) {
        for (long n = 0;; n++) {
            fault_alloc_fail_after(n);
            mp_status st = run_layered(g, keep, MAX_STATES, &r);
            fault_alloc_fail_after(-1);
            if (st == MP_OK)
                break;
            assert_int_equal(st, MP_E_NOMEM);
        }
    }
    mp_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_depth_first_beats_file),
        cmocka_unit_test(test_order_enables_inplace_depthwise),
        cmocka_unit_test(test_order_keeps_file_when_peak_is_forced),
        cmocka_unit_test(test_order_state_bound_falls_back),
        cmocka_unit_test(test_order_chains_are_instant),
        cmocka_unit_test(test_order_rejects_unfinalized_graph),
        cmocka_unit_test(test_order_darts_net),
        cmocka_unit_test(test_order_shared_resnet),
        cmocka_unit_test(test_order_matches_brute_force),
        cmocka_unit_test(test_order_allocation_failures),
        cmocka_unit_test(test_order_layered_search_counts_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
