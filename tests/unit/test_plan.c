/* SPDX-License-Identifier: MIT */
/* test_plan.c - liveness and per-layer peak on hand-computed nets (module plan). */
#include "test_helpers.h"

/*
 * chain: in 8x8x4 (256 B) -> c1 1x1 to 8x8x8 (512) -> dw 3x3 (512) -> pw 1x1 to 8x8x2 (128)
 *   step 0: in + c1 = 768; step 1: c1 + dw = 1024; step 2: dw + pw = 640 -> peak 1024 at 1.
 * in-place depthwise: step 1 = c1 (512) + one 8x8 plane (64) = 576 -> peak 768 at step 0.
 */
static const char chain[] = NET_HEAD("[8,8,4]")
    "{\"name\":\"c1\",\"op\":\"conv2d\",\"filters\":8,\"kernel\":1},"
    "{\"name\":\"dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
    "{\"name\":\"pw\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1}" NET_TAIL;

static void test_plan_chain_peak(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(chain);
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, NULL, &pl, &err), MP_OK);
    assert_int_equal(pl.n_steps, 3);
    assert_int_equal(pl.steps[0].live_bytes, 768);
    assert_int_equal(pl.steps[1].live_bytes, 1024);
    assert_int_equal(pl.steps[2].live_bytes, 640);
    assert_int_equal(pl.peak_bytes, 1024);
    assert_int_equal(pl.peak_step, 1);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

static void test_plan_inplace_depthwise(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(chain);
    mp_per_layer pl;
    mp_error err;
    mp_plan_opts o;
    mp_error_init(&err);
    mp_plan_opts_init(&o);
    o.inplace_dw = true;
    assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
    assert_true(pl.steps[1].inplace);
    assert_int_equal(pl.steps[1].scratch_bytes, 64);
    assert_int_equal(pl.steps[1].live_bytes, 576);
    assert_int_equal(pl.peak_bytes, 768);
    assert_int_equal(pl.peak_step, 0);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* A depthwise whose input is read again later cannot run in place. */
static void test_plan_inplace_refused_when_input_lives_on(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[4,4,4]")
        "{\"name\":\"dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
        "{\"name\":\"add\",\"op\":\"add\",\"inputs\":[\"in\",\"dw\"]}" NET_TAIL);
    mp_per_layer pl;
    mp_error err;
    mp_plan_opts o;
    mp_error_init(&err);
    mp_plan_opts_init(&o);
    o.inplace_dw = true;
    assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
    assert_false(pl.steps[0].inplace);
    assert_int_equal(pl.steps[0].live_bytes, 128);
    assert_int_equal(pl.steps[1].live_bytes, 192);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/*
 * residual: in 4x4x4 (64) -> a 1x1 (64) -> b 1x1 (64) -> c = add(in, b) (64)
 *   step 0: in + a = 128; step 1: in + a + b = 192 (the skip keeps in alive);
 *   step 2: in + b + c = 192.
 */
static void test_plan_residual_keeps_skip_alive(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[4,4,4]")
        "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":1},"
        "{\"name\":\"b\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":1},"
        "{\"name\":\"c\",\"op\":\"add\",\"inputs\":[\"in\",\"b\"]}" NET_TAIL);
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, NULL, &pl, &err), MP_OK);
    assert_int_equal(pl.steps[0].live_bytes, 128);
    assert_int_equal(pl.steps[1].live_bytes, 192);
    assert_int_equal(pl.steps[2].live_bytes, 192);
    assert_int_equal(pl.first_step[mp_graph_find_tensor(g, "in")], 0);
    assert_int_equal(pl.last_step[mp_graph_find_tensor(g, "in")], 2);
    assert_int_equal(pl.last_step[mp_graph_find_tensor(g, "a")], 1);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* in 3x3x3 = 27 B -> 32 with align 16; c 3x3x1 = 9 -> 16: step 0 = 48 */
static void test_plan_alignment_rounds_each_buffer(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[3,3,3]")
        "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":1}" NET_TAIL);
    mp_per_layer pl;
    mp_error err;
    mp_plan_opts o;
    mp_error_init(&err);
    mp_plan_opts_init(&o);
    assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
    assert_int_equal(pl.peak_bytes, 36);
    mp_per_layer_release(&pl);
    o.align = 16;
    assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
    assert_int_equal(pl.peak_bytes, 48);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

static void test_plan_rejects_bad_order(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(chain);
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    const uint32_t backwards[] = {2, 1, 0};
    assert_int_equal(mp_plan_per_layer(g, backwards, NULL, &pl, &err), MP_E_INVALID);
    assert_string_equal(err.msg, "order: op 'pw' at step 0 reads 'dw' before it is written");
    mp_error_init(&err);
    const uint32_t twice[] = {0, 0, 1};
    assert_int_equal(mp_plan_per_layer(g, twice, NULL, &pl, &err), MP_E_INVALID);
    mp_graph_free(g);
}

/* Every allocation failure ends in MP_E_NOMEM without a leak (cmocka checks). */
static void test_plan_allocation_failures(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(chain);
    for (long n = 0;; n++) {
        mp_per_layer pl;
        mp_error err;
        mp_error_init(&err);
        fault_alloc_fail_after(n);
        mp_status st = mp_plan_per_layer(g, NULL, NULL, &pl, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            mp_per_layer_release(&pl);
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
    }
    mp_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_chain_peak),
        cmocka_unit_test(test_plan_inplace_depthwise),
        cmocka_unit_test(test_plan_inplace_refused_when_input_lives_on),
        cmocka_unit_test(test_plan_residual_keeps_skip_alive),
        cmocka_unit_test(test_plan_alignment_rounds_each_buffer),
        cmocka_unit_test(test_plan_rejects_bad_order),
        cmocka_unit_test(test_plan_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
