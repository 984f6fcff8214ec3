/* SPDX-License-Identifier: MIT */
/*
 * test_graph.c - shape inference (TFLite padding rules), MACs, params,
 * receptive fields and execution order (module graph).
 */
#include "test_helpers.h"

static const mp_tensor *T(const mp_graph *g, const char *name)
{
    mp_tensor_id id = mp_graph_find_tensor(g, name);
    assert_int_not_equal(id, MP_NO_TENSOR);
    return &g->tensors[id];
}

static const mp_op *OP(const mp_graph *g, const char *name)
{
    int32_t i = mp_graph_find_op(g, name);
    assert_true(i >= 0);
    return &g->ops[i];
}

static void assert_shape(const mp_tensor *t, int h, int w, int c)
{
    assert_int_equal(t->shape.n, 1);
    assert_int_equal(t->shape.h, h);
    assert_int_equal(t->shape.w, w);
    assert_int_equal(t->shape.c, c);
}

static void test_graph_conv_same_padding_is_asymmetric(void **state)
{
    (void)state;
    /* 224 / stride 2 with k3: out 112, total pad (111*2 + 3 - 224) = 1 -> top 0, bottom 1 */
    mp_graph *g = test_graph_from_json(NET_HEAD("[224,224,3]")
        "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":32,\"kernel\":3,\"stride\":2}" NET_TAIL);
    const mp_op *c = OP(g, "c");
    assert_shape(T(g, "c"), 112, 112, 32);
    assert_int_equal(c->p.pad_top, 0);
    assert_int_equal(c->p.pad_bottom, 1);
    assert_int_equal(c->p.pad_left, 0);
    assert_int_equal(c->p.pad_right, 1);
    assert_int_equal(c->macs, 10838016); /* 112*112*32*3*3*3 */
    assert_int_equal(c->params, 32 * 27 + 32);
    assert_int_equal(T(g, "c")->size_bytes, 112 * 112 * 32);
    mp_graph_free(g);
}

static void test_graph_conv_valid_explicit_dilation(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[10,9,4]")
        "{\"name\":\"v\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":3,\"padding\":\"valid\"},"
        "{\"name\":\"e\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":[3,1],\"stride\":2,"
        "\"padding\":[1,2,0,3],\"inputs\":\"in\"},"
        "{\"name\":\"d\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":3,\"dilation\":2,\"inputs\":\"in\"},"
        "{\"name\":\"dv\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":3,\"dilation\":[2,3],"
        "\"padding\":\"valid\",\"inputs\":\"in\"}" NET_TAIL);
    assert_shape(T(g, "v"), 8, 7, 2);
    /* h: (10 + 1 + 2 - 3) / 2 + 1 = 6; w: (9 + 0 + 3 - 1) / 2 + 1 = 6 */
    assert_shape(T(g, "e"), 6, 6, 2);
    /* same with dilation 2: effective kernel 5, out 10x9, pads 2/2 */
    assert_shape(T(g, "d"), 10, 9, 2);
    assert_int_equal(OP(g, "d")->p.pad_top, 2);
    assert_int_equal(OP(g, "d")->p.pad_bottom, 2);
    /* valid with dilation 2x3: effective 5x7 -> 6x3 */
    assert_shape(T(g, "dv"), 6, 3, 2);
    mp_graph_free(g);
}

static void test_graph_depthwise_multiplier_and_fc(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[8,8,3]")
        "{\"name\":\"dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3,\"depth_multiplier\":2},"
        "{\"name\":\"pool\",\"op\":\"avg_pool2d\",\"kernel\":2},"
        "{\"name\":\"fc\",\"op\":\"fully_connected\",\"units\":10}" NET_TAIL);
    assert_shape(T(g, "dw"), 8, 8, 6);
    assert_int_equal(OP(g, "dw")->macs, 8 * 8 * 6 * 9);
    assert_int_equal(OP(g, "dw")->params, 9 * 6 + 6);
    assert_shape(T(g, "pool"), 4, 4, 6); /* stride defaults to the window */
    assert_int_equal(T(g, "fc")->shape.c, 10);
    assert_int_equal(T(g, "fc")->rank, 2);
    assert_int_equal(OP(g, "fc")->macs, 96 * 10);
    assert_int_equal(g->macs, 8 * 8 * 6 * 9 + 960);
    assert_int_equal(g->params, 60 + 970);
    mp_graph_free(g);
}

static void test_graph_concat_add_broadcast_pad_reshape(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[8,8,3]")
        "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":5,\"kernel\":1},"
        "{\"name\":\"cat\",\"op\":\"concat\",\"inputs\":[\"in\",\"a\"]},"
        "{\"name\":\"m\",\"op\":\"mean\",\"keep_dims\":true},"
        "{\"name\":\"sc\",\"op\":\"mul\",\"inputs\":[\"cat\",\"m\"]},"
        "{\"name\":\"p\",\"op\":\"pad\",\"padding\":[1,1,2,2]},"
        "{\"name\":\"r\",\"op\":\"reshape\",\"shape\":[-1,8]}" NET_TAIL);
    assert_shape(T(g, "cat"), 8, 8, 8);
    assert_shape(T(g, "m"), 1, 1, 8);
    assert_shape(T(g, "sc"), 8, 8, 8);
    assert_shape(T(g, "p"), 10, 12, 8);
    assert_int_equal(T(g, "r")->shape.w, 120);
    assert_int_equal(T(g, "r")->shape.c, 8);
    assert_int_equal(T(g, "r")->rank, 2);
    mp_graph_free(g);
}

static void test_graph_receptive_field(void **state)
{
    (void)state;
    /* k3 s1: 3; k3 s2: 5 (jump 2); k3 s1: 5 + 2*2 = 9; k3 dilation 2: 9 + 2*2*2 = 17 */
    mp_graph *g = test_graph_from_json(NET_HEAD("[32,32,1]")
        "{\"name\":\"c1\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":3},"
        "{\"name\":\"c2\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":3,\"stride\":2},"
        "{\"name\":\"c3\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
        "{\"name\":\"c4\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":3,\"dilation\":2},"
        "{\"name\":\"fc\",\"op\":\"fully_connected\",\"units\":2}" NET_TAIL);
    const mp_rf *rf = g->rf;
    assert_int_equal(rf[mp_graph_find_tensor(g, "c1")].size_h, 3);
    assert_int_equal(rf[mp_graph_find_tensor(g, "c2")].size_h, 5);
    assert_int_equal(rf[mp_graph_find_tensor(g, "c2")].jump_h, 2);
    assert_int_equal(rf[mp_graph_find_tensor(g, "c3")].size_w, 9);
    assert_int_equal(rf[mp_graph_find_tensor(g, "c4")].size_w, 17);
    assert_false(rf[mp_graph_find_tensor(g, "c4")].global);
    assert_true(rf[mp_graph_find_tensor(g, "fc")].global);
    mp_graph_free(g);
}

static void test_graph_order_follows_dependencies(void **state)
{
    (void)state;
    /* "b" is listed first but reads "a": the order must run a before b */
    mp_graph *g = test_graph_from_json(NET_HEAD("[4,4,1]")
        "{\"name\":\"b\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":1,\"inputs\":\"a\"},"
        "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":1,\"inputs\":\"in\"}"
        "],\"outputs\":[\"b\"]}");
    assert_int_equal(g->order[0], 1);
    assert_int_equal(g->order[1], 0);
    assert_int_equal(g->step_of_op[0], 1);
    mp_graph_free(g);
}

static void test_graph_hash_depends_on_structure(void **state)
{
    (void)state;
    const char *a = NET_HEAD("[4,4,1]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1}" NET_TAIL;
    const char *b = NET_HEAD("[4,4,1]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":3,\"kernel\":1}" NET_TAIL;
    mp_graph *ga = test_graph_from_json(a), *ga2 = test_graph_from_json(a), *gb = test_graph_from_json(b);
    assert_string_equal(ga->hash, ga2->hash);
    assert_string_not_equal(ga->hash, gb->hash);
    assert_int_equal(strlen(ga->hash), 64);
    mp_graph_free(ga);
    mp_graph_free(ga2);
    mp_graph_free(gb);
}

static void test_graph_api_build_and_errors(void **state)
{
    (void)state;
    mp_graph *g;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_graph_new("api", "", MP_SOURCE_API, &g, &err), MP_OK);
    mp_tensor_spec in = {.name = "x", .dtype = MP_DTYPE_INT8, .shape = {1, 4, 4, 2}};
    mp_tensor_spec y = {.name = "y", .dtype = MP_DTYPE_INT8};
    mp_tensor_id ids[2], dup;
    assert_int_equal(mp_graph_add_tensor(g, &in, &ids[0], &err), MP_OK);
    assert_int_equal(mp_graph_add_tensor(g, &y, &ids[1], &err), MP_OK);
    assert_int_equal(mp_graph_add_tensor(g, &in, &dup, &err), MP_E_INVALID);
    assert_string_equal(err.msg, "tensor 'x': duplicate name");
    mp_error_init(&err);
    mp_op_spec op = {.name = "pool", .type = MP_OP_MAX_POOL2D, .in = &ids[0], .n_in = 1,
                     .out = &ids[1], .n_out = 1,
                     .p = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2,
                           .padding = MP_PADDING_VALID}};
    assert_int_equal(mp_graph_add_op(g, &op, NULL, &err), MP_OK);
    assert_int_equal(mp_graph_set_io(g, &ids[0], 1, &ids[1], 1, &err), MP_OK);
    assert_int_equal(mp_graph_finalize(g, &err), MP_OK);
    assert_int_equal(g->tensors[ids[1]].shape.h, 2);
    assert_int_equal(g->tensors[ids[1]].size_bytes, 8);
    mp_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph_conv_same_padding_is_asymmetric),
        cmocka_unit_test(test_graph_conv_valid_explicit_dilation),
        cmocka_unit_test(test_graph_depthwise_multiplier_and_fc),
        cmocka_unit_test(test_graph_concat_add_broadcast_pad_reshape),
        cmocka_unit_test(test_graph_receptive_field),
        cmocka_unit_test(test_graph_order_follows_dependencies),
        cmocka_unit_test(test_graph_hash_depends_on_structure),
        cmocka_unit_test(test_graph_api_build_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
