/* SPDX-License-Identifier: MIT */
/*
 * test_tflm_arena.c - TFLite Micro's whole arena (src/plan/tflm_*.c) and the
 * OfflineMemoryAllocation writer (src/schedule/export_tflite.c).
 *
 * The figures against TFLM itself are checked by tests/tflm/tflm_oracle.sh
 * (tflm_runner on every shared model); here: the struct layouts for both
 * targets, the parts of the prediction, the fixture ops_net.tflite whose
 * host figure was measured with tflm_runner (3,696 B), the greedy planner
 * with offline offsets, the metadata round trip, and errors.
 */
#include "test_helpers.h"

#include "../../src/plan/tflm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif

static const tflm_abi host = {8}, mcu = {4};

static void test_tflm_struct_layouts(void **state)
{
    (void)state;
    size_t align;
    /* OpDataConv: 72 B on x86-64 (TFLM's recorded OpData), 56 B on Cortex-M */
    assert_int_equal(tflm_struct(&host, "4i 3i i i p p i i i", &align), 72);
    assert_int_equal(align, 8);
    assert_int_equal(tflm_struct(&mcu, "4i 3i i i p p i i i", &align), 56);
    assert_int_equal(align, 4);
    /* TfLiteTensor 64 / 40, TfLiteEvalTensor 24 / 12, NodeAndRegistration 64 / 32 */
    assert_int_equal(tflm_struct(&host, "i p i i p p z i i c", NULL), 64);
    assert_int_equal(tflm_struct(&mcu, "i p i i p p z i i c", NULL), 40);
    assert_int_equal(tflm_struct(&host, "p p i", NULL), 24);
    assert_int_equal(tflm_struct(&mcu, "p p i", NULL), 12);
    assert_int_equal(tflm_struct(&host, "6p i p", NULL), 64);
    assert_int_equal(tflm_struct(&mcu, "6p i p", NULL), 32);
    /* a double aligns to 8 on both targets */
    assert_int_equal(tflm_struct(&mcu, "i q 3i", NULL), 32);
    assert_int_equal(tflm_struct(&host, "c c", &align), 2);
    assert_int_equal(align, 1);
}

static unsigned char *load(const char *rel, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", MEMPLAN_SOURCE_ROOT, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc((size_t)n);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return d;
}

static void test_tflm_ops_net_parts(void **state)
{
    (void)state;
    size_t size;
    unsigned char *d = load("tests/data/tflite/ops_net.tflite", &size);
    mp_error err;
    mp_error_init(&err);
    mp_tflm_arena h, m;
    assert_int_equal(mp_tflm_arena_predict(d, size, "ops_net", MP_TFLM_KERNELS_REFERENCE,
                                           MP_TFLM_TARGET_HOST64, &h, &err), MP_OK);
    assert_int_equal(h.used_bytes, 3696); /* tflm_runner: arena_used_bytes 3696 */
    assert_int_equal(h.head_bytes, 2176); /* and head_bytes 2176 */
    assert_int_equal(h.used_bytes, h.head_bytes + h.tail_bytes);
    assert_int_equal(h.eval_tensor_bytes, 12 * 24); /* 12 tensors */
    assert_int_equal(h.node_bytes, 6 * 64);         /* 6 operators */
    assert_int_equal(h.fixed_bytes, 72 + 72 + 72 + 16 + 16); /* allocator objects */
    assert_false(h.offline_plan);
    assert_int_equal(mp_tflm_arena_predict(d, size, "ops_net", MP_TFLM_KERNELS_REFERENCE,
                                           MP_TFLM_TARGET_MCU32, &m, &err), MP_OK);
    assert_int_equal(m.head_bytes, h.head_bytes);
    assert_int_equal(m.eval_tensor_bytes, 12 * 12);
    assert_int_equal(m.node_bytes, 6 * 32);
    assert_true(m.tail_bytes < h.tail_bytes);
    assert_true(m.min_arena_bytes % 16 == 0 && m.min_arena_bytes >= m.used_bytes);
    free(d);
}

static void test_tflm_offline_greedy(void **state)
{
    (void)state;
    /* A and B live together; C later. A fixed at 64: B (online) goes below it at 0 when
     * it fits, C reuses offset 0. */
    const mp_tflm_buffer b[3] = {{64, 0, 1}, {48, 0, 1}, {128, 2, 3}};
    const int32_t fixed[3] = {64, -1, -1};
    size_t off[3], arena;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_tflm_greedy_offline(b, 3, fixed, off, &arena, &err), MP_OK);
    assert_int_equal(off[0], 64);
    assert_int_equal(off[1], 0);
    assert_int_equal(off[2], 0);
    assert_int_equal(arena, 128);
    /* without the fixed offset the larger first: A at 0, B above it */
    assert_int_equal(mp_plan_tflm_greedy_offline(b, 3, NULL, off, &arena, &err), MP_OK);
    assert_int_equal(off[0], 0);
    assert_int_equal(off[1], 64);
}

static void test_tflm_offline_round_trip(void **state)
{
    (void)state;
    size_t size, out_size;
    unsigned char *d = load("tests/data/tflite/ops_net.tflite", &size), *o;
    mp_error err;
    mp_error_init(&err);
    /* tensors 0..11: every planned one at a distinct 16-aligned offset, stacked */
    int32_t offs[12];
    for (int t = 0; t < 12; t++)
        offs[t] = t * 1024;
    assert_int_equal(mp_tflm_write_offline_plan(d, size, "ops_net", offs, 12, &o, &out_size,
                                                &err), MP_OK);
    assert_true(out_size > size && (out_size - size) % 16 == 0);
    mp_tflm_arena a;
    assert_int_equal(mp_tflm_arena_predict(o, out_size, "out", MP_TFLM_KERNELS_REFERENCE,
                                           MP_TFLM_TARGET_HOST64, &a, &err), MP_OK);
    assert_true(a.offline_plan);
    assert_true(a.head_bytes > 2176); /* the stacked plan is larger than TFLM's */
    /* rewriting again replaces the entry: the graph imports the same */
    unsigned char *o2;
    size_t s2;
    offs[0] = MP_TFLM_ONLINE;
    assert_int_equal(mp_tflm_write_offline_plan(o, out_size, "out", offs, 12, &o2, &s2, &err),
                     MP_OK);
    mp_graph *g1, *g2;
    assert_int_equal(mp_import_tflite_buffer(d, size, "a", &g1, &err), MP_OK);
    assert_int_equal(mp_import_tflite_buffer(o2, s2, "b", &g2, &err), MP_OK);
    assert_string_equal(g1->hash, g2->hash);
    mp_graph_free(g1);
    mp_graph_free(g2);
    /* a wrong tensor count is refused when written, and when read back */
    unsigned char *o3;
    size_t s3;
    assert_int_equal(mp_tflm_write_offline_plan(d, size, "ops_net", offs, 11, &o3, &s3, &err),
                     MP_E_INVALID);
    assert_int_equal(mp_tflm_write_offline_plan(d, size, "ops_net", offs, 12, &o3, &s3, &err),
                     MP_OK);
    static const unsigned char head[12] = {1, 0, 0, 0, 1, 0, 0, 0, 12, 0, 0, 0};
    unsigned char *at = NULL;
    for (size_t i = 0; i + 12 <= s3 && !at; i++)
        if (memcmp(o3 + i, head, 12) == 0)
            at = o3 + i;
    assert_non_null(at);
    at[8] = 11;
    assert_int_equal(mp_tflm_arena_predict(o3, s3, "bad", MP_TFLM_KERNELS_REFERENCE,
                                           MP_TFLM_TARGET_HOST64, &a, &err), MP_E_INVALID);
    free(o);
    free(o2);
    free(o3);
    free(d);
}

static void test_tflm_errors(void **state)
{
    (void)state;
    size_t size;
    unsigned char *d = load("tests/data/tflite/unknown_ops.tflite", &size);
    mp_error err;
    mp_error_init(&err);
    mp_tflm_arena a;
    assert_int_equal(mp_tflm_arena_predict(d, size, "unknown", MP_TFLM_KERNELS_REFERENCE,
                                           MP_TFLM_TARGET_MCU32, &a, &err), MP_E_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "operator 1")); /* GELU: no allocation model */
    assert_int_equal(mp_tflm_arena_predict(d, 7, "short", MP_TFLM_KERNELS_REFERENCE,
                                           MP_TFLM_TARGET_MCU32, &a, &err), MP_E_PARSE);
    free(d);
    mp_tflm_kernels k;
    assert_true(mp_tflm_kernels_parse("cmsis-nn", &k));
    assert_int_equal(k, MP_TFLM_KERNELS_CMSIS_NN);
    assert_false(mp_tflm_kernels_parse("cmsis", &k));
    assert_string_equal(mp_tflm_kernels_name(MP_TFLM_KERNELS_REFERENCE), "reference");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tflm_struct_layouts),
        cmocka_unit_test(test_tflm_ops_net_parts),
        cmocka_unit_test(test_tflm_offline_greedy),
        cmocka_unit_test(test_tflm_offline_round_trip),
        cmocka_unit_test(test_tflm_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
