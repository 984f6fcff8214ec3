/* SPDX-License-Identifier: MIT */
/*
 * test_tflm_greedy.c - TFLite Micro's greedy arena figure (module plan).
 *
 * Three independent checks of mp_plan_tflm_greedy_buffers:
 *   1. the expected results of TFLite Micro's own planner unit tests
 *      (greedy_memory_planner_test.cc: Basics, Medium, PersonDetectionModel,
 *      OverlapCase), ported as data;
 *   2. hand-worked cases below, one where the order of equal sizes decides the
 *      arena (TFLM takes the later-added buffer first);
 *   3. a second implementation written here the way TFLM states its steps
 *      (fill the sort arrays back to front, bubble sort, then scan candidate
 *      offsets), compared offset by offset on thousands of random problems and
 *      on every model in ../shared/models.
 * Graph-level tests pin the lifetimes (TFLM's allocation scopes).
 */
#include "test_helpers.h"

#include "tflite_models.h"

#include <stdlib.h>

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif

/* The source tree: tests/data and ../shared/models are found from here (argv[1] overrides). */
static const char *source_root = MEMPLAN_SOURCE_ROOT;

static void expect_plan(const mp_tflm_buffer *bufs, uint32_t n, const size_t *want_offsets,
                        size_t want_arena)
{
    size_t offsets[64], arena;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_tflm_greedy_buffers(bufs, n, offsets, &arena, &err), MP_OK);
    assert_int_equal(arena, want_arena);
    for (uint32_t i = 0; want_offsets && i < n; i++)
        assert_int_equal(offsets[i], want_offsets[i]);
}

/* ---- 1. TFLite Micro's planner tests -------------------------------------------------- */

static void test_tflm_greedy_tflm_basics(void **state)
{
    (void)state;
    const mp_tflm_buffer b[] = {{10, 0, 1}, {20, 2, 3}};
    const size_t off[] = {0, 0};
    expect_plan(b, 2, off, 20);
}

static void test_tflm_greedy_tflm_medium(void **state)
{
    (void)state;
    const mp_tflm_buffer b[] = {{10, 0, 1}, {20, 1, 2}, {30, 2, 3}, {40, 3, 4}, {50, 0, 1}};
    const size_t off[] = {50, 70, 40, 0, 0};
    expect_plan(b, 5, off, 90);
}

static void test_tflm_greedy_tflm_overlap_case(void **state)
{
    (void)state;
    const mp_tflm_buffer b[] = {{100, 0, 1}, {50, 2, 3}, {20, 1, 2}};
    expect_plan(b, 3, NULL, 120);
}

/* TFLM's buffers of the 250 KB person-detection MobileNet; its test only asks for less
 * than the 241,027-byte sum and no overlap. The exact figure (cross-checked by the second
 * implementation below) is pinned here. */
static const mp_tflm_buffer person[] = {
    {9216, 0, 29},  {3, 28, 29},    {256, 27, 28},  {2304, 26, 27}, {2304, 25, 26},
    {2304, 24, 25}, {1152, 23, 24}, {4608, 22, 23}, {4608, 21, 22}, {4608, 20, 21},
    {4608, 19, 20}, {4608, 18, 19}, {4608, 17, 18}, {4608, 16, 17}, {4608, 15, 16},
    {4608, 14, 15}, {4608, 13, 14}, {4608, 12, 13}, {2304, 11, 12}, {9216, 10, 11},
    {9216, 9, 10},  {9216, 8, 9},   {4608, 7, 8},   {18432, 6, 7},  {18432, 5, 6},
    {18432, 4, 5},  {9216, 3, 4},   {36864, 2, 3},  {18432, 1, 2},  {18432, 0, 1},
};
#define N_PERSON (sizeof person / sizeof person[0])

static bool overlaps(const mp_tflm_buffer *b, const size_t *off, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++)
            if (!(b[i].first > b[j].last || b[j].first > b[i].last) &&
                off[i] < off[j] + b[j].bytes && off[j] < off[i] + b[i].bytes)
                return true;
    return false;
}

static void test_tflm_greedy_tflm_person_detection(void **state)
{
    (void)state;
    size_t offsets[N_PERSON], arena;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_tflm_greedy_buffers(person, N_PERSON, offsets, &arena, &err), MP_OK);
    assert_true(arena < 241027);
    assert_false(overlaps(person, offsets, N_PERSON));
    /* 36864 (scope 2-3) at 0 and 18432 (1-2) above it; the input (9216, 0-29) overlaps
     * everything and lands on top: 36864 + 18432 + 9216 */
    assert_int_equal(arena, 64512);
    assert_int_equal(offsets[0], 55296);
}

/* ---- 2. hand-worked cases ------------------------------------------------------------- */

/*
 * Four 16-byte buffers; b0 lives [3,5], b1 [0,1], b2 [2,4], b3 [1,2]. TFLM takes equal
 * sizes later-added first: b3 at 0; b2 overlaps b3 in time (at 2) -> 16; b1 overlaps b3
 * (at 1) but not b2 -> 16; b0 overlaps only b2, and the gap below it (0..16) fits -> 0.
 * Arena 32. Taking them in insertion order instead would give 48.
 */
static void test_tflm_greedy_equal_sizes_later_first(void **state)
{
    (void)state;
    const mp_tflm_buffer b[] = {{16, 3, 5}, {16, 0, 1}, {16, 2, 4}, {16, 1, 2}};
    const size_t off[] = {0, 16, 16, 0};
    expect_plan(b, 4, off, 32);
}

/* A gap between two placed buffers is used when it is large enough, else skipped. */
static void test_tflm_greedy_fills_gaps(void **state)
{
    (void)state;
    /* b0 (64, [0,9]) at 0; b1 (48, [0,2]) at 64; b2 (32, [3,9]) at 64: b1 does not live
     * then; b3 (32, [0,9]) overlaps b0, b1 and b2: 64..112 taken by b1 -> 112; b4 (16,
     * [3,3]) overlaps b0, b2, b3: the gap 96..112 fits -> 96. */
    const mp_tflm_buffer b[] = {{64, 0, 9}, {48, 0, 2}, {32, 3, 9}, {32, 0, 9}, {16, 3, 3}};
    const size_t off[] = {0, 64, 64, 112, 96};
    expect_plan(b, 5, off, 144);
}

/* ---- 3. a second implementation ------------------------------------------------------- */

/* TFLM's steps, written out: sort arrays filled from the back, a stable bubble sort by
 * descending size, then for each buffer the lowest candidate offset (0 or the end of a
 * placed buffer) where it collides with no placed buffer that lives at the same time. */
static size_t reference_plan(const mp_tflm_buffer *b, uint32_t n, size_t *off)
{
    size_t *sizes = malloc(n * sizeof *sizes), arena = 0;
    uint32_t *ids = malloc(n * sizeof *ids);
    for (uint32_t i = 0; i < n; i++) {
        sizes[n - 1 - i] = b[i].bytes;
        ids[n - 1 - i] = i;
    }
    for (bool swapped = true; swapped;) {
        swapped = false;
        for (uint32_t i = 1; i < n; i++) {
            if (sizes[i - 1] < sizes[i]) {
                size_t s = sizes[i - 1];
                uint32_t d = ids[i - 1];
                sizes[i - 1] = sizes[i], ids[i - 1] = ids[i];
                sizes[i] = s, ids[i] = d;
                swapped = true;
            }
        }
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t x = ids[k];
        size_t best = SIZE_MAX;
        for (uint32_t c = 0; c <= k; c++) { /* candidates: 0 and the ends of placed buffers */
            size_t at = c == k ? 0 : off[ids[c]] + b[ids[c]].bytes;
            bool free_here = at < best;
            for (uint32_t j = 0; j < k && free_here; j++) {
                uint32_t y = ids[j];
                bool together = !(b[x].first > b[y].last || b[y].first > b[x].last);
                if (together && at < off[y] + b[y].bytes && off[y] < at + b[x].bytes)
                    free_here = false;
            }
            if (free_here)
                best = at;
        }
        off[x] = best;
        if (best + b[x].bytes > arena)
            arena = best + b[x].bytes;
    }
    free(sizes);
    free(ids);
    return arena;
}

static void compare_with_reference(const mp_tflm_buffer *b, uint32_t n)
{
    size_t *got = malloc((n ? n : 1) * sizeof *got), *want = malloc((n ? n : 1) * sizeof *want);
    size_t arena;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_tflm_greedy_buffers(b, n, got, &arena, &err), MP_OK);
    assert_int_equal(arena, reference_plan(b, n, want));
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
    free(got);
    free(want);
}

static void test_tflm_greedy_matches_reference_on_random_problems(void **state)
{
    (void)state;
    uint32_t seed = 7;
    mp_tflm_buffer b[40];
    compare_with_reference(person, N_PERSON);
    for (int trial = 0; trial < 3000; trial++) {
        uint32_t n = 1 + trial % 40;
        for (uint32_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            int32_t first = (int32_t)(seed >> 8) % 12 - 1; /* -1: a tensor no op uses */
            b[i].first = first;
            b[i].last = first + (int32_t)((seed >> 4) % 5);
            b[i].bytes = 16 * (1 + (seed >> 20) % (trial % 3 ? 4 : 12)); /* many ties */
        }
        compare_with_reference(b, n);
    }
}

/* ---- graphs --------------------------------------------------------------------------- */

static size_t graph_arena(const mp_graph *g, size_t align)
{
    size_t arena = 0;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_tflm_greedy(g, align, &arena, &err), MP_OK);
    return arena;
}

/*
 * in (8x8x3 = 192) -> a (conv, 8x8x4 = 256) -> b (conv, 256) -> s = add(a, b) (256).
 * Scopes: in [0,1], a [1,3], b [2,3], s [3,3] (the output lives to scope 3 = n_ops).
 * Largest first, later-added first among equals: s at 0; b overlaps s -> 256; a overlaps
 * s and b -> 512; in overlaps a only (at 1) -> 0. Arena 768 = the per-layer peak (step 2).
 */
static void test_tflm_greedy_graph_lifetimes(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[8,8,3]")
        "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3},"
        "{\"name\":\"b\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3},"
        "{\"name\":\"s\",\"op\":\"add\",\"inputs\":[\"a\",\"b\"]}" NET_TAIL);
    assert_int_equal(graph_arena(g, 16), 768);
    /* with 100-byte alignment the buffers are 200 and 300 bytes: s 0, b 300, a 600, in 0 */
    assert_int_equal(graph_arena(g, 100), 900);
    mp_graph_free(g);
}

/* The TFLite tensor order decides ties, also after a round trip through net.json. */
static void test_tflm_greedy_source_order_breaks_ties(void **state)
{
    (void)state;
    /* Same four 16-byte buffers as the hand-worked case, as a chain whose tensors are
     * listed in two orders via "tflite_tensor". */
    const char *fmt = NET_HEAD("[1,1,16]")
        "{\"name\":\"x\",\"op\":\"softmax\",\"tflite_tensor\":%d},"
        "{\"name\":\"y\",\"op\":\"softmax\",\"tflite_tensor\":%d},"
        "{\"name\":\"z\",\"op\":\"softmax\",\"tflite_tensor\":%d}" NET_TAIL;
    char json[1024];
    snprintf(json, sizeof json, fmt, 1, 2, 3);
    mp_graph *g1 = test_graph_from_json(json);
    snprintf(json, sizeof json, fmt, 3, 2, 1);
    mp_graph *g2 = test_graph_from_json(json);
    assert_int_equal(g1->tensors[mp_graph_find_tensor(g1, "z")].source_index, 3);
    assert_int_equal(g2->tensors[mp_graph_find_tensor(g2, "z")].source_index, 1);
    /* chain in [0,1], x [1,2], y [2,3], z [3,3]: two buffers live at a time either way */
    assert_int_equal(graph_arena(g1, 16), 32);
    assert_int_equal(graph_arena(g2, 16), 32);
    mp_graph_free(g1);
    mp_graph_free(g2);
}

/* A tensor no operator touches is still planned by TFLM, at time -1. */
static void test_tflm_greedy_unused_tensor(void **state)
{
    (void)state;
    tw_model *m = test_malloc(sizeof *m);
    tm_store *s = test_malloc(sizeof *s);
    tm_store_init(s);
    tm_unknown_net(m, s);
    tm_act(m, "unused", 40, 40, 1); /* 1600 bytes, larger than anything else */
    size_t size;
    unsigned char *data = tw_write(m, &size, NULL);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_tflite_buffer(data, size, "u.tflite", &g, &err), MP_OK);
    assert_int_equal(graph_arena(g, 16), 1600);
    mp_graph_free(g);
    free(data);
    test_free(m);
    test_free(s);
}

/* Every shared model: the graph-level figure equals the second implementation's. */
static void test_tflm_greedy_shared_models_match_reference(void **state)
{
    (void)state;
    char path[4096];
    for (size_t i = 0; i < TM_N_SHARED; i++) {
        snprintf(path, sizeof path, "%s/../shared/models/%s.tflite", source_root,
                 tm_shared_models[i]);
        FILE *f = fopen(path, "rb");
        if (!f) {
            print_message("skipped: %s not found (../shared/models is absent)\n", path);
            skip();
        }
        fclose(f);
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        assert_int_equal(mp_import_tflite(path, &g, &err), MP_OK);
        /* the planner's buffers, rebuilt here: non-constant tensors in file order */
        mp_tflm_buffer b[512];
        uint32_t n = 0;
        int32_t first[1024], last[1024];
        assert_true(g->n_tensors <= 1024);
        for (uint32_t t = 0; t < g->n_tensors; t++)
            first[t] = last[t] = -1;
        for (uint32_t k = 0; k < g->n_inputs; k++)
            first[g->inputs[k]] = last[g->inputs[k]] = 0;
        for (uint32_t o = 0; o < g->n_ops; o++) {
            first[g->ops[o].out[0]] = (int32_t)o + 1;
            for (uint32_t k = 0; k < g->ops[o].n_in; k++)
                if (g->ops[o].in[k] != MP_NO_TENSOR)
                    last[g->ops[o].in[k]] = (int32_t)o + 1;
            last[g->ops[o].out[0]] = last[g->ops[o].out[0]] > (int32_t)o + 1
                                         ? last[g->ops[o].out[0]] : (int32_t)o + 1;
        }
        for (uint32_t k = 0; k < g->n_outputs; k++)
            last[g->outputs[k]] = (int32_t)g->n_ops;
        for (uint32_t t = 0; t < g->n_tensors; t++) {
            const mp_tensor *x = &g->tensors[t];
            if (!(x->flags & MP_TENSOR_CONST))
                b[n++] = (mp_tflm_buffer){(x->size_bytes + 15) / 16 * 16, first[t], last[t]};
        }
        size_t want[512];
        assert_int_equal(graph_arena(g, 16), reference_plan(b, n, want));
        mp_graph_free(g);
    }
}

static void test_tflm_greedy_allocation_failures(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[8,8,3]")
        "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3}" NET_TAIL);
    for (long n = 0;; n++) {
        size_t arena = 0;
        mp_error err;
        mp_error_init(&err);
        fault_alloc_fail_after(n);
        mp_status st = mp_plan_tflm_greedy(g, 16, &arena, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            assert_int_equal(arena, 448); /* 192 + 256 */
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
    }
    mp_graph_free(g);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tflm_greedy_tflm_basics),
        cmocka_unit_test(test_tflm_greedy_tflm_medium),
        cmocka_unit_test(test_tflm_greedy_tflm_overlap_case),
        cmocka_unit_test(test_tflm_greedy_tflm_person_detection),
        cmocka_unit_test(test_tflm_greedy_equal_sizes_later_first),
        cmocka_unit_test(test_tflm_greedy_fills_gaps),
        cmocka_unit_test(test_tflm_greedy_matches_reference_on_random_problems),
        cmocka_unit_test(test_tflm_greedy_graph_lifetimes),
        cmocka_unit_test(test_tflm_greedy_source_order_breaks_ties),
        cmocka_unit_test(test_tflm_greedy_unused_tensor),
        cmocka_unit_test(test_tflm_greedy_shared_models_match_reference),
        cmocka_unit_test(test_tflm_greedy_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
