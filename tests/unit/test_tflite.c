/* SPDX-License-Identifier: MIT */
/*
 * test_tflite.c - the TFLite importer (module import): one small model per
 * supported op and option, built with tests/unit/tflite_writer; fallbacks to
 * MP_OP_UNKNOWN; names; zero-copy constants; every malformed case;
 * allocation-failure replay. Damaged files, the committed fixtures and the
 * models in ../shared/models are in test_tflite_files.c; net.json round trips
 * in test_export.c.
 */
#include "test_helpers.h"

#include "tflite_bad.h"

#include <stdlib.h>

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif

/* The source tree: tests/data and ../shared/models are found from here (argv[1] overrides). */
static const char *source_root = MEMPLAN_SOURCE_ROOT;

/* A model and the graph importing it (the graph borrows the bytes). */
typedef struct loaded {
    unsigned char *data;
    size_t size;
    mp_graph *g;
} loaded;

static tw_model model;
static tm_store store;

static void load(loaded *l, const tw_model *m)
{
    mp_error err;
    mp_error_init(&err);
    l->data = tw_write(m, &l->size, NULL);
    assert_non_null(l->data);
    if (mp_import_tflite_buffer(l->data, l->size, "t.tflite", &l->g, &err) != MP_OK) {
        print_error("import failed: %s\n", err.msg);
        fail();
    }
}

static void unload(loaded *l)
{
    mp_graph_free(l->g);
    free(l->data);
}

/* An import expected to fail: returns the status and copies the message. */
static mp_status load_error(const tw_model *m, char *msg, size_t n)
{
    size_t size;
    unsigned char *data = tw_write(m, &size, NULL);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    mp_status st = mp_import_tflite_buffer(data, size, "t.tflite", &g, &err);
    assert_null(g);
    snprintf(msg, n, "%s", err.msg);
    free(data);
    return st;
}

static const mp_op *op_named(const mp_graph *g, const char *name)
{
    int32_t i = mp_graph_find_op(g, name);
    assert_true(i >= 0);
    return &g->ops[i];
}

static const mp_tensor *tensor_named(const mp_graph *g, const char *name)
{
    mp_tensor_id t = mp_graph_find_tensor(g, name);
    assert_true(t != MP_NO_TENSOR);
    return &g->tensors[t];
}

/* input h x w x c -> one conv or depthwise layer -> output oh x ow x oc */
static void conv_model(int32_t code, int32_t h, int32_t w, int32_t c, int32_t k, int32_t oh,
                       int32_t ow, int32_t oc, uint8_t pad, int32_t stride, int32_t dil)
{
    tm_store_init(&store);
    tw_init(&model);
    uint32_t opc = tw_opcode(&model, code, NULL);
    int32_t in = tm_act(&model, "in", h, w, c);
    int32_t out = tm_act(&model, "out", oh, ow, oc);
    bool dw = code == TW_DEPTHWISE_CONV_2D;
    const int32_t ws[4] = {dw ? 1 : oc, k, k, dw ? oc : c};
    int32_t wt = tm_weights(&model, &store, "w", 4, ws, dw ? 3 : 0);
    int32_t bt = tm_bias(&model, &store, "b", oc);
    if (dw)
        tm_depthwise(&model, opc, in, wt, bt, out, pad, stride, oc / c, dil);
    else
        tm_conv(&model, opc, in, wt, bt, out, pad, stride, 3, dil);
    tw_io(&model, in, out);
}

/* ---- ops and options ------------------------------------------------------------------ */

static void test_tflite_conv_padding_stride_dilation(void **state)
{
    (void)state;
    static const struct {
        uint8_t pad;
        int32_t stride, dil, out;
        int32_t pad_top, pad_bottom;
    } cases[] = {
        {0, 1, 1, 9, 1, 1}, /* SAME */
        {0, 2, 1, 5, 1, 1}, /* SAME, stride 2: ceil(9 / 2) = 5, total padding 2 */
        {1, 1, 1, 7, 0, 0}, /* VALID */
        {1, 2, 1, 4, 0, 0}, /* VALID, stride 2: (9 - 3) / 2 + 1 */
        {1, 1, 2, 5, 0, 0}, /* VALID, dilation 2: effective kernel 5 */
        {0, 1, 2, 9, 2, 2}, /* SAME, dilation 2 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        loaded l;
        conv_model(TW_CONV_2D, 9, 9, 3, 3, cases[i].out, cases[i].out, 4, cases[i].pad,
                   cases[i].stride, cases[i].dil);
        load(&l, &model);
        const mp_op *op = op_named(l.g, "out");
        assert_int_equal(op->type, MP_OP_CONV2D);
        assert_string_equal(op->type_name, "conv2d");
        assert_int_equal(op->p.padding, cases[i].pad ? MP_PADDING_VALID : MP_PADDING_SAME);
        assert_int_equal(op->p.stride_h, cases[i].stride);
        assert_int_equal(op->p.stride_w, cases[i].stride);
        assert_int_equal(op->p.dilation_h, cases[i].dil);
        assert_int_equal(op->p.kernel_h, 3);
        assert_int_equal(op->p.filters, 4);
        assert_int_equal(op->p.pad_top, cases[i].pad_top);
        assert_int_equal(op->p.pad_bottom, cases[i].pad_bottom);
        assert_int_equal(op->p.activation, MP_ACT_RELU6);
        assert_int_equal(op->macs, (uint64_t)cases[i].out * cases[i].out * 4 * 3 * 3 * 3);
        unload(&l);
    }
}

static void test_tflite_per_channel_quantization(void **state)
{
    (void)state;
    loaded l;
    conv_model(TW_CONV_2D, 8, 8, 3, 3, 8, 8, 4, 0, 1, 1);
    load(&l, &model);
    const mp_tensor *w = tensor_named(l.g, "w"), *b = tensor_named(l.g, "b");
    assert_int_equal(w->quant.n, 4);
    assert_int_equal(w->quant.axis, 0); /* output channels of [O, KH, KW, I] */
    assert_true(w->quant.scale[3] == 0.01f + 0.003f);
    assert_int_equal(b->quant.n, 4);
    assert_int_equal(b->quant.axis, 3); /* rank 1, right-aligned into NHWC */
    const mp_tensor *in = tensor_named(l.g, "in");
    assert_int_equal(in->quant.n, 1);
    assert_true(in->quant.scale[0] == 0.05f);
    assert_int_equal(in->quant.zero_point[0], -3);
    unload(&l);
    /* depthwise filters [1, KH, KW, C * M] are quantized along the last axis */
    conv_model(TW_DEPTHWISE_CONV_2D, 8, 8, 4, 3, 8, 8, 8, 0, 1, 1);
    load(&l, &model);
    assert_int_equal(tensor_named(l.g, "w")->quant.axis, 3);
    assert_int_equal(tensor_named(l.g, "w")->quant.n, 8);
    unload(&l);
}

/* person_detect's first op: depthwise multiplier 8 on a 1-channel input. */
static void test_tflite_depthwise_multiplier(void **state)
{
    (void)state;
    loaded l;
    conv_model(TW_DEPTHWISE_CONV_2D, 96, 96, 1, 3, 48, 48, 8, 0, 2, 1);
    load(&l, &model);
    const mp_op *op = op_named(l.g, "out");
    assert_int_equal(op->type, MP_OP_DEPTHWISE_CONV2D);
    assert_int_equal(op->p.depth_multiplier, 8);
    assert_int_equal(op->p.stride_h, 2);
    assert_int_equal(op->macs, 48 * 48 * 8 * 9);
    unload(&l);
    conv_model(TW_DEPTHWISE_CONV_2D, 9, 9, 4, 3, 5, 5, 8, 1, 1, 2); /* multiplier 2, dilation 2 */
    load(&l, &model);
    op = op_named(l.g, "out");
    assert_int_equal(op->p.depth_multiplier, 2);
    assert_int_equal(op->p.dilation_w, 2);
    unload(&l);
}

/* Ops of the tiny_net fixture: pools, add, pad, concat, mean, fc, reshape, softmax. */
static void test_tflite_tiny_net_ops(void **state)
{
    (void)state;
    loaded l;
    tm_store_init(&store);
    tm_tiny_net(&model, &store);
    load(&l, &model);
    const mp_graph *g = l.g;
    assert_int_equal(g->n_ops, 12);
    const mp_op *add = op_named(g, "net/add1/Relu");
    assert_int_equal(add->type, MP_OP_ADD);
    assert_int_equal(add->p.activation, MP_ACT_RELU);
    const mp_op *mp = op_named(g, "net/maxpool");
    assert_int_equal(mp->type, MP_OP_MAX_POOL2D);
    assert_int_equal(mp->p.kernel_h, 2);
    assert_int_equal(mp->p.stride_w, 2);
    assert_int_equal(mp->p.padding, MP_PADDING_VALID);
    const mp_op *pad = op_named(g, "net/pad");
    assert_int_equal(pad->type, MP_OP_PAD);
    assert_int_equal(pad->n_in, 1); /* the paddings tensor became attributes */
    assert_int_equal(pad->p.pad_top + pad->p.pad_bottom + pad->p.pad_left + pad->p.pad_right, 4);
    const mp_op *avg = op_named(g, "net/avgpool");
    assert_int_equal(avg->type, MP_OP_AVG_POOL2D);
    assert_int_equal(avg->p.kernel_w, 3);
    const mp_op *cat = op_named(g, "net/concat");
    assert_int_equal(cat->type, MP_OP_CONCAT);
    assert_int_equal(cat->p.axis, 3); /* -1 of a rank-4 tensor */
    const mp_op *mean = op_named(g, "net/mean");
    assert_int_equal(mean->type, MP_OP_MEAN);
    assert_int_equal(mean->n_in, 1);
    assert_false(mean->p.keep_dims);
    const mp_op *fc = op_named(g, "net/fc/BiasAdd");
    assert_int_equal(fc->type, MP_OP_FULLY_CONNECTED);
    assert_int_equal(fc->p.filters, 10);
    assert_int_equal(fc->macs, 160);
    assert_int_equal(tensor_named(g, "net/fc/weights")->quant.axis, 2); /* dim 0 of [10, 16] */
    const mp_op *rs = op_named(g, "net/reshape");
    assert_int_equal(rs->type, MP_OP_RESHAPE);
    assert_int_equal(rs->n_in, 1);
    assert_int_equal(rs->p.new_rank, 3);
    const mp_op *sm = op_named(g, "probs");
    assert_int_equal(sm->type, MP_OP_SOFTMAX);
    assert_true(sm->p.beta == 1.0f);
    /* folded operands are not flash weights: conv1 216+32, dw 72+32, pw 64+32, fc 160+40 */
    assert_int_equal(g->weight_bytes, 648);
    assert_int_equal(g->n_unknown_ops, 0);
    unload(&l);
}

/* Ops of the ops_net fixture: quantize, resize, mul, dilated depthwise, dequantize. */
static void test_tflite_ops_net_ops(void **state)
{
    (void)state;
    loaded l;
    tm_store_init(&store);
    tm_ops_net(&model, &store);
    load(&l, &model);
    const mp_graph *g = l.g;
    assert_int_equal(tensor_named(g, "image")->dtype, MP_DTYPE_FLOAT32);
    assert_int_equal(op_named(g, "quantized")->type, MP_OP_QUANTIZE);
    const mp_op *rz = op_named(g, "upsampled");
    assert_int_equal(rz->type, MP_OP_RESIZE_NEAREST);
    assert_int_equal(rz->p.out_h, 16);
    assert_int_equal(rz->p.out_w, 16);
    assert_true(rz->p.half_pixel_centers);
    assert_false(rz->p.align_corners);
    const mp_op *mul = op_named(g, "squared");
    assert_int_equal(mul->type, MP_OP_MUL);
    assert_int_equal(mul->in[0], mul->in[1]);
    const mp_op *dw = op_named(g, "dilated");
    assert_int_equal(dw->p.depth_multiplier, 2);
    assert_int_equal(dw->p.dilation_h, 2);
    assert_int_equal(dw->p.padding, MP_PADDING_VALID);
    const mp_op *dq = op_named(g, "result");
    assert_int_equal(dq->type, MP_OP_DEQUANTIZE);
    assert_int_equal(tensor_named(g, "result")->dtype, MP_DTYPE_FLOAT32);
    unload(&l);
}

static void test_tflite_unknown_ops(void **state)
{
    (void)state;
    loaded l;
    tm_store_init(&store);
    tm_unknown_net(&model, &store);
    load(&l, &model);
    const mp_graph *g = l.g;
    assert_int_equal(g->n_unknown_ops, 2);
    const mp_op *hs = op_named(g, "gelu"), *post = op_named(g, "detections");
    assert_int_equal(hs->type, MP_OP_UNKNOWN);
    assert_string_equal(hs->type_name, "GELU");
    assert_false(hs->macs_known);
    assert_string_equal(post->type_name, "MyPostProcess");
    char where[64];
    assert_string_equal(mp_graph_op_where(g, 1, where, sizeof where), "operator 1 (GELU)");
    /* memory analysis still runs, with the shapes from the file */
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, NULL, &pl, &err), MP_OK);
    assert_int_equal(pl.peak_bytes, 1024);
    mp_per_layer_release(&pl);
    unload(&l);
}

/* Channel padding and a mean over the channels are modelled; batch padding and a computed
 * axes operand fall back to MP_OP_UNKNOWN with every operand kept. */
static void test_tflite_fallbacks(void **state)
{
    (void)state;
    static const int32_t chan_pads[8] = {0, 0, 1, 1, 1, 1, 0, 2}, axis3[1] = {3};
    static const int32_t batch_pads[8] = {0, 1, 0, 0, 0, 0, 0, 0};
    loaded l;
    tm_store_init(&store);
    tw_init(&model);
    uint32_t pad = tw_opcode(&model, TW_PAD, NULL), mean = tw_opcode(&model, TW_MEAN, NULL);
    int32_t in = tm_act(&model, "in", 4, 4, 2);
    int32_t p = tm_act(&model, "padded", 6, 6, 4);
    const int32_t pad_in[2] = {in, tm_ints(&model, &store, "paddings", 8, chan_pads, 4)};
    tw_operator(&model, pad, 2, pad_in, 1, &p, TW_OPT_PAD);
    const int32_t out_shape[4] = {1, 6, 6, 1};
    int32_t out = tw_tensor_add(&model, "mean", TW_INT8, 4, out_shape);
    const int32_t mean_in[2] = {p, tm_ints(&model, &store, "axes", 1, axis3, 0)};
    tw_opt_u8(tw_operator(&model, mean, 2, mean_in, 1, &out, TW_OPT_REDUCER), 0, 1);
    const int32_t b_shape[4] = {2, 6, 6, 1};
    int32_t bp = tw_tensor_add(&model, "batch_padded", TW_INT8, 4, b_shape);
    const int32_t bp_in[2] = {out, tm_ints(&model, &store, "bpaddings", 8, batch_pads, 4)};
    tw_operator(&model, pad, 2, bp_in, 1, &bp, TW_OPT_PAD);
    tw_io(&model, in, bp);
    load(&l, &model);
    const mp_op *po = op_named(l.g, "padded"), *mo = op_named(l.g, "mean");
    assert_int_equal(po->type, MP_OP_PAD); /* pads channels */
    assert_int_equal(po->p.pad_ch_before, 0);
    assert_int_equal(po->p.pad_ch_after, 2);
    assert_int_equal(po->p.pad_top, 1);
    assert_int_equal(po->n_in, 1);
    assert_int_equal(mo->type, MP_OP_MEAN); /* over channels, keep_dims */
    assert_int_equal(mo->p.axes, 1 << 3);
    assert_true(mo->p.keep_dims);
    const mp_op *bo = op_named(l.g, "batch_padded");
    assert_int_equal(bo->type, MP_OP_UNKNOWN);
    assert_string_equal(bo->type_name, "PAD");
    assert_int_equal(bo->n_in, 2);
    unload(&l);
}

/* Tensor ids are file indices; empty and repeated names are made unique; ops take the
 * name of their output. */
static void test_tflite_names(void **state)
{
    (void)state;
    loaded l;
    tm_store_init(&store);
    tm_unknown_net(&model, &store);
    /* tensors: 0 input, 1 features, 2 weights, 3 bias, 4 gelu, 5 detections */
    model.tensors[0].name = NULL;
    model.tensors[1].name = "gelu"; /* the same name as tensor 4 */
    load(&l, &model);
    const mp_graph *g = l.g;
    assert_string_equal(g->tensors[0].name, "tensor");
    assert_string_equal(g->tensors[1].name, "gelu");
    assert_string_equal(g->tensors[4].name, "gelu#4");
    assert_string_equal(g->ops[0].name, "gelu");
    assert_string_equal(g->ops[1].name, "gelu#4");
    for (uint32_t t = 0; t < g->n_tensors; t++)
        assert_int_equal(g->tensors[t].source_index, t);
    assert_string_equal(g->name, "t");
    assert_string_equal(g->source, "t.tflite");
    assert_int_equal(g->source_kind, MP_SOURCE_TFLITE);
    unload(&l);
}

/* Constants are views into the buffer, unless their elements would be misaligned. */
static void test_tflite_zero_copy(void **state)
{
    (void)state;
    loaded l;
    conv_model(TW_CONV_2D, 8, 8, 3, 3, 8, 8, 4, 0, 1, 1);
    load(&l, &model);
    const mp_tensor *w = tensor_named(l.g, "w"), *b = tensor_named(l.g, "b");
    assert_true((const unsigned char *)w->data > l.data &&
                (const unsigned char *)w->data < l.data + l.size);
    assert_true((const unsigned char *)b->data > l.data &&
                (const unsigned char *)b->data < l.data + l.size);
    /* the same bytes one byte off alignment: int8 weights still borrowed, int32 bias copied */
    unsigned char *odd = malloc(l.size + 1);
    memcpy(odd + 1, l.data, l.size);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_tflite_buffer(odd + 1, l.size, "odd.tflite", &g, &err), MP_OK);
    w = tensor_named(g, "w");
    b = tensor_named(g, "b");
    assert_true((const unsigned char *)w->data > odd && (const unsigned char *)w->data < odd + l.size + 1);
    assert_int_equal((uintptr_t)b->data % 4, 0);
    assert_memory_equal(b->data, tensor_named(l.g, "b")->data, 16);
    mp_graph_free(g);
    free(odd);
    unload(&l);
}

/* ---- errors --------------------------------------------------------------------------- */

static void test_tflite_bad_models(void **state)
{
    (void)state;
    size_t n;
    const tm_bad *cases = tm_bad_cases(&n);
    for (size_t i = 0; i < n; i++) {
        size_t size;
        unsigned char *data = tm_bad_build(&cases[i], &store, &size);
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        mp_status st = mp_import_tflite_buffer(data, size, "bad.tflite", &g, &err);
        if (st == MP_OK)
            print_error("%s imported\n", cases[i].name);
        assert_int_not_equal(st, MP_OK);
        assert_null(g);
        assert_true(strncmp(err.msg, "bad.tflite: ", 12) == 0);
        free(data);
    }
}

static void test_tflite_error_messages(void **state)
{
    (void)state;
    char msg[512];
    conv_model(TW_CONV_2D, 8, 8, 3, 3, 8, 8, 4, 0, 1, 1);
    model.ops[0].in[1] = 212;
    assert_int_equal(load_error(&model, msg, sizeof msg), MP_E_INVALID);
    assert_string_equal(msg, "t.tflite: operator 0 (CONV_2D): input tensor 212 out of range (4 tensors)");
    conv_model(TW_CONV_2D, 8, 8, 3, 3, 8, 8, 4, 0, 1, 1);
    model.ops[0].fields[3].bits = 5;
    assert_int_equal(load_error(&model, msg, sizeof msg), MP_E_UNSUPPORTED);
    assert_string_equal(msg, "t.tflite: operator 0 (CONV_2D): fused activation SIGN_BIT is not supported");
    conv_model(TW_CONV_2D, 8, 8, 3, 3, 8, 8, 4, 0, 1, 1);
    model.tensors[2].qdim = 5;
    assert_int_equal(load_error(&model, msg, sizeof msg), MP_E_INVALID);
    assert_string_equal(msg, "t.tflite: tensor 2: quantized dimension 5 is out of range (rank 4)");
    /* a misread shows up as a shape mismatch found by finalize */
    conv_model(TW_CONV_2D, 8, 8, 3, 3, 8, 8, 4, 1, 1, 1);
    assert_int_equal(load_error(&model, msg, sizeof msg), MP_E_INVALID);
    assert_string_equal(msg, "t.tflite: operator 0 (conv2d): output 'out' has shape 8x8x4, but the layer gives 6x6x4");
    /* the brief's example: a buffer cut short by truncation */
    size_t size;
    tw_layout lay;
    conv_model(TW_CONV_2D, 8, 8, 3, 3, 8, 8, 4, 0, 1, 1);
    unsigned char *data = tw_write(&model, &size, &lay);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    size = lay.buffer_data[1] + 10;
    assert_int_equal(mp_import_tflite_buffer(data, size, "model.tflite", &g, &err), MP_E_PARSE);
    assert_string_equal(err.msg, "model.tflite: tensor 2: buffer 1 ends past the end of the file");
    free(data);
}

/* ---- allocation failures -------------------------------------------------------------- */

static void test_tflite_allocation_failures(void **state)
{
    (void)state;
    size_t size;
    tm_store_init(&store);
    tm_tiny_net(&model, &store);
    unsigned char *data = tw_write(&model, &size, NULL);
    for (long n = 0;; n++) {
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        fault_alloc_fail_after(n);
        mp_status st = mp_import_tflite_buffer(data, size, "t.tflite", &g, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            mp_graph_free(g);
            assert_true(n > 10);
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
        assert_null(g);
    }
    free(data);
}

/* The file variant adopts the file's bytes: nothing leaks whichever allocation fails. */
static void test_tflite_allocation_failures_file(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/tflite/unknown_ops.tflite", source_root);
    for (long n = 0;; n++) {
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        fault_alloc_fail_after(n);
        mp_status st = mp_import_file(path, &g, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            mp_graph_free(g);
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tflite_conv_padding_stride_dilation),
        cmocka_unit_test(test_tflite_per_channel_quantization),
        cmocka_unit_test(test_tflite_depthwise_multiplier),
        cmocka_unit_test(test_tflite_tiny_net_ops),
        cmocka_unit_test(test_tflite_ops_net_ops),
        cmocka_unit_test(test_tflite_unknown_ops),
        cmocka_unit_test(test_tflite_fallbacks),
        cmocka_unit_test(test_tflite_names),
        cmocka_unit_test(test_tflite_zero_copy),
        cmocka_unit_test(test_tflite_bad_models),
        cmocka_unit_test(test_tflite_error_messages),
        cmocka_unit_test(test_tflite_allocation_failures),
        cmocka_unit_test(test_tflite_allocation_failures_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
