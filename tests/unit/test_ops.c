/* SPDX-License-Identifier: MIT */
/*
 * test_ops.c - the op set of real exports (issue 14): shapes, MACs and
 * parameters of every added op (broadcast, negative axes, odd sizes, stride
 * larger than the kernel), their .tflite import and net.json round trip, PAD
 * folding, the float boundary's accounting, and the one backward-region rule
 * shared by the planner and the executor.
 */
#include "test_helpers.h"

#include "tflite_models.h"
#include "tflite_writer.h"

#include <stdlib.h>

static tw_model model;
static tm_store store;

static const mp_tensor *tensor_named(const mp_graph *g, const char *name)
{
    mp_tensor_id t = mp_graph_find_tensor(g, name);
    assert_true(t != MP_NO_TENSOR);
    return &g->tensors[t];
}

static const mp_op *op_named(const mp_graph *g, const char *name)
{
    int32_t i = mp_graph_find_op(g, name);
    assert_true(i >= 0);
    return &g->ops[i];
}

static void assert_shape(const mp_graph *g, const char *name, int32_t h, int32_t w, int32_t c,
                         uint8_t rank)
{
    const mp_tensor *t = tensor_named(g, name);
    if (t->shape.h != h || t->shape.w != w || t->shape.c != c || t->rank != rank)
        print_error("%s: %dx%dx%d rank %u\n", name, t->shape.h, t->shape.w, t->shape.c, t->rank);
    assert_int_equal(t->shape.h, h);
    assert_int_equal(t->shape.w, w);
    assert_int_equal(t->shape.c, c);
    assert_int_equal(t->rank, rank);
}

#define L(x) "{\"name\":\"" x
#define C4 "\"constant\":{\"shape\":[4],\"data\":[1,2,3,4]}"

/* Elementwise and activations with broadcast, reducers over any axes. */
static void test_ops_elementwise_reduce(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[6,5,4]")
        L("sub") "\",\"op\":\"sub\"," C4 "},"
        L("mx") "\",\"op\":\"maximum\",\"inputs\":[\"sub\",\"in\"]},"
        L("mn") "\",\"op\":\"minimum\",\"inputs\":[\"mx\"],\"constant\":{\"shape\":[1],\"data\":[0]}},"
        L("sig") "\",\"op\":\"logistic\"}," L("th") "\",\"op\":\"tanh\"},"
        L("hs") "\",\"op\":\"hard_swish\"}," L("r") "\",\"op\":\"relu\"},"
        L("r6") "\",\"op\":\"relu6\"}," L("lk") "\",\"op\":\"leaky_relu\",\"alpha\":0.25},"
        L("pr") "\",\"op\":\"prelu\",\"alpha\":{\"shape\":[1,1,4],\"data\":[1,2,3,4]}},"
        L("sum") "\",\"op\":\"sum\",\"axes\":[3],\"keep_dims\":true},"
        L("rmax") "\",\"op\":\"reduce_max\",\"inputs\":[\"pr\"],\"axes\":[1]},"
        L("mean") "\",\"op\":\"mean\",\"inputs\":[\"pr\"],\"keep_dims\":true}"
        NET_TAIL);
    assert_shape(g, "sub", 6, 5, 4, 3);
    assert_shape(g, "mn", 6, 5, 4, 3);
    assert_shape(g, "pr", 6, 5, 4, 3);
    assert_shape(g, "sum", 6, 5, 1, 3);
    assert_shape(g, "rmax", 1, 5, 4, 2); /* [6,5,4] without axis 1 -> [5,4] */
    assert_shape(g, "mean", 1, 1, 4, 3);
    assert_float_equal(op_named(g, "lk")->p.alpha, 0.25f, 0.0f);
    assert_int_equal(op_named(g, "mn")->n_in, 2);
    assert_int_equal(op_named(g, "pr")->params, 0);
    assert_int_equal(g->macs, 0);
    assert_int_equal(g->n_unknown_ops, 0);
    mp_graph_free(g);
    char msg[512];
    assert_int_equal(test_json_error(NET_HEAD("[6,5,4]") L("s") "\",\"op\":\"sub\","
                                     "\"constant\":{\"shape\":[3],\"data\":[1,2,3]}}" NET_TAIL,
                                     msg, sizeof msg), MP_E_INVALID);
    assert_string_equal(msg, "test.json: layers[0] 's': input shapes 6x5x4 and 1x1x3 do not match");
    assert_int_equal(test_json_error(NET_HEAD("[6,5,4]") L("p") "\",\"op\":\"prelu\"}" NET_TAIL,
                                     msg, sizeof msg), MP_E_INVALID);
    assert_string_equal(msg, "test.json: layers[0].alpha: missing required field");
}

/* Rearrangements: transpose, strided slice (odd sizes), split, depth/space, resize. */
static void test_ops_rearrange(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[1,6,5,4]")
        L("tr") "\",\"op\":\"transpose\",\"perm\":[0,2,1,3]},"
        L("sl") "\",\"op\":\"strided_slice\",\"inputs\":[\"in\"],\"begin\":[0,1,0,0],"
        "\"end\":[1,6,5,4],\"strides\":[1,2,2,1]},"
        L("row") "\",\"op\":\"strided_slice\",\"inputs\":[\"in\"],\"begin\":[0,2,0,0],"
        "\"end\":[1,3,5,4],\"shrink_axes\":[1]},"
        L("sp") "\",\"op\":\"split\",\"inputs\":[\"in\"],\"axis\":3,\"sizes\":[1,3],"
        "\"more_outputs\":[\"sp_b\"]},"
        L("d2s") "\",\"op\":\"depth_to_space\",\"inputs\":[\"in\"],\"block_size\":2},"
        L("s2d") "\",\"op\":\"space_to_depth\",\"inputs\":[\"tr\"],\"block_size\":1},"
        L("bil") "\",\"op\":\"resize_bilinear\",\"inputs\":[\"sp_b\"],\"size\":[12,9],"
        "\"half_pixel_centers\":true},"
        L("pc") "\",\"op\":\"pad\",\"inputs\":[\"sp\"],\"padding\":[1,0,0,2],\"channels\":[0,3]}"
        NET_TAIL);
    assert_shape(g, "tr", 5, 6, 4, 4);
    assert_shape(g, "sl", 3, 3, 4, 4); /* ceil(5/2), ceil(5/2) */
    assert_shape(g, "row", 1, 5, 4, 3);
    assert_shape(g, "sp", 6, 5, 1, 4);
    assert_shape(g, "sp_b", 6, 5, 3, 4);
    assert_int_equal(op_named(g, "sp")->n_out, 2);
    assert_shape(g, "d2s", 12, 10, 1, 4);
    assert_shape(g, "bil", 12, 9, 3, 4);
    assert_shape(g, "pc", 7, 7, 4, 4);
    mp_graph_free(g);
    char msg[512];
    assert_int_equal(test_json_error(NET_HEAD("[1,6,5,4]") L("s") "\",\"op\":\"space_to_depth\","
                                     "\"block_size\":2}" NET_TAIL, msg, sizeof msg),
                     MP_E_INVALID);
    assert_string_equal(msg, "test.json: layers[0] 's': 6x5 is not a multiple of the block size 2");
    assert_int_equal(test_json_error(NET_HEAD("[1,6,5,4]") L("s") "\",\"op\":\"split\","
                                     "\"axis\":3,\"more_outputs\":[\"b\",\"c\"]}" NET_TAIL, msg,
                                     sizeof msg), MP_E_INVALID);
    assert_string_equal(msg, "test.json: layers[0] 's': axis 3 (size 4) does not split into 3 "
                             "equal parts");
}

/* Transpose convolution (stride larger than the kernel, SAME and VALID), FC with
 * keep_num_dims: shapes, MACs, parameters. */
static void test_ops_weighted(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[3,3,8]")
        L("up") "\",\"op\":\"transpose_conv\",\"filters\":2,\"kernel\":3,\"stride\":2},"
        L("sparse") "\",\"op\":\"transpose_conv\",\"inputs\":[\"in\"],\"filters\":1,\"kernel\":1,"
        "\"stride\":3,\"padding\":\"valid\"},"
        L("rows") "\",\"op\":\"fully_connected\",\"inputs\":[\"in\"],\"units\":5,"
        "\"keep_num_dims\":true}" NET_TAIL);
    const mp_op *up = op_named(g, "up"), *sp = op_named(g, "sparse"), *fc = op_named(g, "rows");
    assert_shape(g, "up", 6, 6, 2, 3);
    assert_int_equal(up->macs, 3 * 3 * 8 * 9 * 2);
    assert_int_equal(up->params, 2 * 9 * 8 + 2);
    assert_int_equal(up->p.pad_top, 0); /* SAME: (3-1)*2+3-6 = 1 -> 0 top, 1 bottom */
    assert_int_equal(up->p.pad_bottom, 1);
    assert_shape(g, "sparse", 7, 7, 1, 3); /* (3-1)*3+1 */
    assert_int_equal(sp->macs, 3 * 3 * 8 * 1);
    assert_shape(g, "rows", 3, 3, 5, 3);
    assert_int_equal(fc->macs, 9 * 8 * 5);
    assert_int_equal(tensor_named(g, "rows/weights")->shape.c, 8);
    mp_rf rf = g->rf[mp_graph_find_tensor(g, "rows")];
    assert_false(rf.global); /* rows of the last axis: a 1x1 convolution */
    mp_graph_free(g);
}

/* The real_ops fixture: every new op from a .tflite, folded PAD, boundary, net.json round
 * trip with the same hash and figures. */
static void test_ops_tflite_roundtrip(void **state)
{
    (void)state;
    tm_store_init(&store);
    tm_real_ops_net(&model, &store);
    size_t size;
    unsigned char *data = tw_write(&model, &size, NULL);
    mp_graph *g = NULL, *back = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_tflite_buffer(data, size, "r.tflite", &g, &err), MP_OK);
    assert_int_equal(g->n_unknown_ops, 0);
    assert_int_equal(g->n_folded_pads, 1);
    assert_null(mp_graph_find_op(g, "padded") >= 0 ? "kept" : NULL);
    assert_true(mp_graph_find_tensor(g, "padded") == MP_NO_TENSOR);
    const mp_op *stem = op_named(g, "stem");
    assert_string_equal(stem->folded_pad, "padded");
    assert_int_equal(stem->p.padding, MP_PADDING_EXPLICIT);
    assert_int_equal(stem->p.pad_top, 1);
    char where[64];
    assert_string_equal(mp_graph_op_where(g, 1, where, sizeof where), "operator 2 (conv2d)");
    assert_int_equal(op_named(g, "se")->p.axes, 6); /* axes -3, -2 */
    assert_int_equal(op_named(g, "clamped")->type, MP_OP_MAXIMUM);
    const mp_op *up = op_named(g, "up");
    assert_int_equal(up->type, MP_OP_TRANSPOSE_CONV);
    assert_int_equal(up->in[0], mp_graph_find_tensor(g, "clamped"));
    assert_int_equal(op_named(g, "sliced")->p.strides[2], 3);
    const mp_op *sp = op_named(g, "part0");
    assert_int_equal(sp->type, MP_OP_SPLIT);
    assert_int_equal(sp->p.split_sizes[1], 3);
    assert_int_equal(op_named(g, "transposed")->p.perm[1], 2);
    assert_true(op_named(g, "rows")->p.keep_num_dims);
    assert_true(mp_graph_is_boundary_input(g, g->inputs[0]));
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    assert_int_equal(mp_export_net_json(g, NULL, &sb, &err), MP_OK);
    if (mp_import_json_text(sb.buf, sb.len, "r.json", "", &back, &err) != MP_OK)
        print_error("%s\n%s\n", err.msg, sb.buf);
    assert_non_null(back);
    assert_string_equal(back->hash, g->hash);
    assert_int_equal(back->macs, g->macs);
    mp_per_layer a, b;
    assert_int_equal(mp_plan_per_layer(g, NULL, NULL, &a, &err), MP_OK);
    assert_int_equal(mp_plan_per_layer(back, NULL, NULL, &b, &err), MP_OK);
    assert_int_equal(a.peak_bytes, b.peak_bytes);
    mp_per_layer_release(&a);
    mp_per_layer_release(&b);
    mp_strbuf_release(&sb);
    mp_graph_free(back);
    mp_graph_free(g);
    free(data);
}

/* PAD folding: pad -> VALID conv folds into the conv (same network as the conv with explicit
 * padding, same outputs as the PAD kept); a pad before a pool, a shared pad, channel padding
 * and another constant stay. */
#define FOLD_Q "\"quant\":{\"scale\":0.5,\"zero_point\":-3}"
#define FOLD_CONV(pad) \
    L("c") "\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":3,\"stride\":2," pad "," FOLD_Q "," \
    "\"weights\":{\"quant\":{\"scale\":0.1,\"zero_point\":0},\"data\":[1,-2,3,-4,5,-6,7,-8,9," \
    "-9,8,-7,6,-5,4,-3,2,-1,10,20,30,40,50,60,70,80,90,-10,-20,-30,-40,-50,-60,-70,-80,-90]}," \
    "\"bias\":{\"quant\":{\"scale\":0.05,\"zero_point\":0},\"data\":[7,-7]}}"
#define FOLD_HEAD "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"t\",\"input\":{\"name\":" \
    "\"in\",\"shape\":[5,5,2]," FOLD_Q "},\"layers\":["

static void run_out(const mp_graph *g, const char *name, int8_t *out, size_t n)
{
    mp_exec_model *m = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_exec_model_new(g, NULL, &m, &err), MP_OK);
    int8_t in[50];
    for (int i = 0; i < 50; i++)
        in[i] = (int8_t)(i * 37 - 100);
    const int8_t *ins[1] = {in};
    mp_exec_run run;
    assert_int_equal(mp_exec_run_reference(m, ins, true, &run, &err), MP_OK);
    memcpy(out, run.tensor[mp_graph_find_tensor(g, name)], n);
    mp_exec_run_release(&run);
    mp_exec_model_free(m);
}

static void test_ops_pad_folding(void **state)
{
    (void)state;
    mp_graph *folded = test_graph_from_json(FOLD_HEAD
        L("p") "\",\"op\":\"pad\",\"padding\":[1,2,1,0]," FOLD_Q "},"
        FOLD_CONV("\"padding\":\"valid\"") NET_TAIL);
    mp_graph *direct = test_graph_from_json(FOLD_HEAD
        FOLD_CONV("\"padding\":[1,2,1,0]") NET_TAIL);
    mp_graph *kept = test_graph_from_json(FOLD_HEAD
        L("p") "\",\"op\":\"pad\",\"padding\":[1,2,1,0]," FOLD_Q "},"
        FOLD_CONV("\"padding\":\"valid\"") "],\"outputs\":[\"p\",\"c\"]}");
    assert_int_equal(folded->n_ops, 1);
    assert_int_equal(folded->n_folded_pads, 1);
    assert_string_equal(folded->ops[0].folded_pad, "p");
    assert_string_equal(folded->hash, direct->hash);
    assert_int_equal(kept->n_ops, 2); /* the padded tensor is an output */
    assert_int_equal(kept->n_folded_pads, 0);
    int8_t a[3 * 2 * 2], b[sizeof a]; /* 8x6 padded, 3x3/2 valid */
    assert_int_equal(tensor_named(folded, "c")->size_bytes, sizeof a);
    run_out(folded, "c", a, sizeof a);
    run_out(kept, "c", b, sizeof b);
    assert_memory_equal(a, b, sizeof a);
    mp_graph_free(folded);
    mp_graph_free(direct);
    mp_graph_free(kept);
    mp_graph *raw = NULL, *fg = NULL;
    mp_error err;
    mp_error_init(&err);
    const char *path = MEMPLAN_SOURCE_ROOT "/tests/data/tflite/real_ops.tflite";
    assert_int_equal(mp_import_file_unfolded(path, &raw, &err), MP_OK);
    assert_int_equal(mp_import_file(path, &fg, &err), MP_OK);
    assert_int_equal(raw->n_folded_pads, 0);
    assert_int_equal(raw->n_ops, fg->n_ops + 1);
    assert_int_equal(op_named(raw, "padded")->type, MP_OP_PAD);
    assert_null(op_named(raw, "stem")->folded_pad);
    mp_graph_free(raw);
    mp_graph_free(fg);
    static const char *const stay[] = {
        FOLD_HEAD L("p") "\",\"op\":\"pad\",\"padding\":1," FOLD_Q "},"
        L("m") "\",\"op\":\"max_pool2d\",\"kernel\":3}" NET_TAIL,
        FOLD_HEAD L("p") "\",\"op\":\"pad\",\"padding\":1,\"constant\":0," FOLD_Q "},"
        FOLD_CONV("\"padding\":\"valid\"") NET_TAIL,
        FOLD_HEAD L("p") "\",\"op\":\"pad\",\"padding\":1,\"channels\":[0,1]," FOLD_Q "},"
        L("d") "\",\"op\":\"depthwise_conv2d\",\"kernel\":3,\"padding\":\"valid\"}" NET_TAIL,
        FOLD_HEAD L("p") "\",\"op\":\"pad\",\"padding\":1," FOLD_Q "},"
        FOLD_CONV("\"padding\":\"same\"") NET_TAIL,
    };
    for (size_t i = 0; i < sizeof stay / sizeof stay[0]; i++) {
        mp_graph *g = test_graph_from_json(stay[i]);
        assert_int_equal(g->n_folded_pads, 0);
        assert_int_equal(g->n_ops, 2);
        mp_graph_free(g);
    }
}

/* A float input read by QUANTIZE is outside the arena unless counted; QUANTIZE from float
 * and DEQUANTIZE to float may be part of a patch stage. */
static void test_ops_boundary(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(
        "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"t\",\"input\":{\"name\":\"img\","
        "\"shape\":[8,8,3],\"dtype\":\"float32\"},\"layers\":["
        L("q") "\",\"op\":\"quantize\"}," L("c") "\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3},"
        L("f") "\",\"op\":\"dequantize\",\"dtype\":\"float32\"}" NET_TAIL);
    assert_true(mp_graph_is_boundary_input(g, g->inputs[0]));
    mp_plan_opts opts;
    mp_plan_opts_init(&opts);
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, &opts, &pl, &err), MP_OK);
    assert_int_equal(pl.steps[0].live_bytes, 192);          /* q only */
    assert_int_equal(pl.first_step[g->inputs[0]], -1);
    mp_per_layer_release(&pl);
    opts.count_float_input = true;
    assert_int_equal(mp_plan_per_layer(g, NULL, &opts, &pl, &err), MP_OK);
    assert_int_equal(pl.steps[0].live_bytes, 192 + 768);
    mp_per_layer_release(&pl);
    for (uint32_t i = 0; i < g->n_ops; i++)
        assert_true(mp_patch_op_ok(g, i));
    assert_int_equal(mp_patch_last_patchable_step(g, NULL), 2);
    mp_graph_free(g);
    /* an int8 network input is not a boundary */
    g = test_graph_from_json(NET_HEAD("[4,4,1]") L("r") "\",\"op\":\"relu\"}" NET_TAIL);
    assert_false(mp_graph_is_boundary_input(g, g->inputs[0]));
    mp_graph_free(g);
}

static mp_interval span(const mp_graph *g, const char *op, int axis, int32_t a, int32_t b)
{
    int32_t i = mp_graph_find_op(g, op);
    assert_true(i >= 0);
    return mp_op_input_span(g, (uint32_t)i, 0, axis, (mp_interval){a, b}, NULL);
}

#define ASSERT_SPAN(v, lo, hi)          \
    do {                                \
        mp_interval v_ = (v);           \
        assert_int_equal(v_.a, (lo));   \
        assert_int_equal(v_.b, (hi));   \
    } while (0)

/* The executor's input rectangle of every op it runs is the planner's rule, on a few
 * rectangles (an op it does not run yet is left out). */
static void exec_agrees(const mp_graph *g, bool must_run)
{
    mp_exec_model *m = NULL;
    mp_error err;
    mp_error_init(&err);
    mp_status st = mp_exec_model_new(g, NULL, &m, &err);
    if (must_run)
        assert_int_equal(st, MP_OK);
    if (st != MP_OK)
        return;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_tensor *o = &g->tensors[g->ops[i].out[0]];
        for (int32_t y = 0; y < o->shape.h; y += 2) {
            mp_rect r = {y, y + 1 + y % 3, o->shape.w / 3, o->shape.w}, in;
            if (r.y1 > o->shape.h)
                r.y1 = o->shape.h;
            for (uint32_t k = 0; k < mp_op_n_activation_inputs(g, &g->ops[i]); k++) {
                assert_int_equal(mp_exec_input_rect(m, i, k, r, &in, &err), MP_OK);
                mp_interval rows = mp_op_input_span(g, i, k, 0, (mp_interval){r.y0, r.y1}, NULL);
                mp_interval cols = mp_op_input_span(g, i, k, 1, (mp_interval){r.x0, r.x1}, NULL);
                if (rows.b <= rows.a || cols.b <= cols.a)
                    rows = cols = (mp_interval){0, 0};
                assert_int_equal(in.y0, rows.a);
                assert_int_equal(in.y1, rows.b);
                assert_int_equal(in.x0, cols.a);
                assert_int_equal(in.x1, cols.b);
            }
        }
    }
    mp_exec_model_free(m);
}

/* The backward-region rule of the new ops, and the executor asking the same rule. */
static void test_ops_regions(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[8,8,4]")
        L("up") "\",\"op\":\"transpose_conv\",\"filters\":4,\"kernel\":3,\"stride\":2},"
        L("d2s") "\",\"op\":\"depth_to_space\",\"block_size\":2},"
        L("s2d") "\",\"op\":\"space_to_depth\",\"block_size\":4},"
        L("sl") "\",\"op\":\"strided_slice\",\"begin\":[0,1,0,0],\"end\":[1,4,4,4],"
        "\"strides\":[1,2,1,1]},"
        L("nn") "\",\"op\":\"resize_nearest\",\"size\":[6,12]},"
        L("bl") "\",\"op\":\"resize_bilinear\",\"size\":[4,4],\"half_pixel_centers\":true},"
        L("sig") "\",\"op\":\"logistic\"},"
        L("mean") "\",\"op\":\"mean\"}" NET_TAIL);
    /* up: 8 -> 16, SAME: pad 0 top (total (8-1)*2+3-16 = 1 -> 0 and 1) */
    ASSERT_SPAN(span(g, "up", 0, 0, 1), 0, 1);
    ASSERT_SPAN(span(g, "up", 0, 4, 6), 1, 3);   /* outputs 4,5 <- inputs 1 (4-2..) and 2 */
    ASSERT_SPAN(span(g, "up", 0, 15, 16), 7, 8);
    ASSERT_SPAN(span(g, "d2s", 0, 3, 9), 1, 5);
    ASSERT_SPAN(span(g, "s2d", 1, 1, 2), 4, 8);
    ASSERT_SPAN(span(g, "sl", 0, 1, 2), 3, 4);
    ASSERT_SPAN(span(g, "nn", 1, 6, 12), 2, 4);  /* 4 columns -> 12: src floor(x * 4/12) */
    ASSERT_SPAN(span(g, "sig", 0, 2, 3), 2, 3);
    ASSERT_SPAN(span(g, "mean", 0, 0, 1), 0, 4); /* whole: not bounded */
    assert_false(mp_op_region_bounded(g, (uint32_t)mp_graph_find_op(g, "mean")));
    assert_true(mp_op_region_bounded(g, (uint32_t)mp_graph_find_op(g, "bl")));
    mp_interval bl = span(g, "bl", 0, 1, 2);     /* 6 rows -> 4: 1.5 * 1.5 - 0.5 = 1.75 */
    assert_true(bl.a <= 1 && bl.b >= 3 && bl.b - bl.a <= 4);
    exec_agrees(g, false);
    mp_graph_free(g);
    g = test_graph_from_json(NET_HEAD("[9,7,3]")
        L("p") "\",\"op\":\"pad\",\"padding\":[2,0,1,3]},"
        L("c") "\",\"op\":\"conv2d\",\"filters\":3,\"kernel\":[3,2],\"stride\":[4,1]},"
        L("r") "\",\"op\":\"resize_nearest\",\"size\":[5,11],\"half_pixel_centers\":true},"
        L("s") "\",\"op\":\"add\",\"inputs\":[\"r\",\"r\"]},"
        L("k") "\",\"op\":\"concat\",\"inputs\":[\"s\",\"r\"],\"axis\":2},"
        L("m") "\",\"op\":\"max_pool2d\",\"kernel\":2,\"stride\":3,\"padding\":\"same\"}"
        NET_TAIL);
    exec_agrees(g, true);
    mp_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_elementwise_reduce),
        cmocka_unit_test(test_ops_rearrange),
        cmocka_unit_test(test_ops_weighted),
        cmocka_unit_test(test_ops_tflite_roundtrip),
        cmocka_unit_test(test_ops_pad_folding),
        cmocka_unit_test(test_ops_boundary),
        cmocka_unit_test(test_ops_regions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
