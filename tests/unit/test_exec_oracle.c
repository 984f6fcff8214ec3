/* SPDX-License-Identifier: MIT */
/*
 * test_exec_oracle.c - every op of the wider set against TensorFlow Lite Micro
 * itself: small .tflite models written with tflite_writer (edge cases:
 * broadcast shapes, odd sizes, stride > kernel, align_corners /
 * half_pixel_centers, negative axes, channel padding), run on seeded random
 * int8 inputs by ../shared/tools/tflm/tflm_runner and by memplan's executor;
 * the output bytes must be identical. Skipped with a message when the oracle
 * is absent.
 */
#include "test_helpers.h"
#include "tflite_writer.h"

#include "memplan/mp_exec.h"
#include "memplan/mp_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INPUTS_PER_CASE 3

enum { /* BuiltinOperator codes beyond tflite_writer.h's */
    OP_DEPTH_TO_SPACE = 5, OP_LOGISTIC = 14, OP_RELU = 19, OP_RELU6 = 21,
    OP_RESIZE_BILINEAR = 23, OP_SPACE_TO_DEPTH = 26, OP_TANH = 28, OP_TRANSPOSE = 39,
    OP_SUB = 41, OP_STRIDED_SLICE = 45, OP_PRELU = 54, OP_MAXIMUM = 55, OP_MINIMUM = 57,
    OP_PADV2 = 60, OP_SUM = 74, OP_REDUCE_MAX = 82, OP_LEAKY_RELU = 98,
};
enum { /* BuiltinOptions union types */
    OPT_RESIZE_BILINEAR = 15, OPT_SPACE_TO_DEPTH = 19, OPT_SUB = 28,
    OPT_STRIDED_SLICE = 32, OPT_PADV2 = 43, OPT_LEAKY_RELU = 75, OPT_HARD_SWISH = 91,
    OPT_DEPTH_TO_SPACE = 94,
};

static char oracle[1024], scratch[256];

static int32_t act(tw_model *m, const char *name, int rank, const int32_t *shape, float scale,
                   int64_t zp)
{
    int32_t t = tw_tensor_add(m, name, TW_INT8, rank, shape);
    tw_quant(m, t, 1, &scale, &zp, 0);
    return t;
}

static int32_t i32_vec(tw_model *m, const char *name, int32_t n, const int32_t *data)
{
    int32_t shape[1] = {n};
    return tw_const(m, name, TW_INT32, 1, shape, data, (size_t)n * sizeof *data);
}

static size_t tensor_bytes(const tw_tensor *t)
{
    size_t n = 1;
    for (int k = 0; k < t->rank; k++)
        n *= (size_t)t->shape[k];
    return n;
}

/* Write m, run both on INPUTS_PER_CASE seeded inputs, compare. */
static void check_model(const tw_model *m, const char *label)
{
    char path[512], in[512], want[512], cmd[2700];
    snprintf(path, sizeof path, "%s/%s.tflite", scratch, label);
    snprintf(in, sizeof in, "%s/in.bin", scratch);
    snprintf(want, sizeof want, "%s/want.bin", scratch);
    assert_true(tw_write_file(m, path));
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_exec_model *em = NULL;
    if (mp_import_file(path, &g, &err) != MP_OK || mp_exec_model_new(g, NULL, &em, &err) != MP_OK)
        fail_msg("%s: %s", label, err.msg);
    size_t total = 0;
    for (uint32_t k = 0; k < m->n_inputs; k++)
        total += tensor_bytes(&m->tensors[m->inputs[k]]);
    int8_t *data = malloc(total);
    assert_non_null(data);
    for (uint32_t seed = 1; seed <= INPUTS_PER_CASE; seed++) {
        uint64_t s = seed * 0x9E3779B97F4A7C15ull;
        for (size_t i = 0; i < total; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            data[i] = (int8_t)(s >> 56);
        }
        FILE *f = fopen(in, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, total, f), total);
        fclose(f);
        snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' '%s' >/dev/null", oracle, path, in, want);
        if (system(cmd) != 0)
            fail_msg("%s: tflm_runner refused the model (%s)", label, cmd);
        const int8_t *ins[4];
        size_t off = 0;
        for (uint32_t k = 0; k < m->n_inputs; k++) {
            ins[k] = data + off;
            off += tensor_bytes(&m->tensors[m->inputs[k]]);
        }
        mp_exec_run run;
        if (mp_exec_run_reference(em, ins, false, &run, &err) != MP_OK)
            fail_msg("%s: %s", label, err.msg);
        f = fopen(want, "rb");
        assert_non_null(f);
        for (uint32_t k = 0; k < g->n_outputs; k++) {
            size_t n = g->tensors[g->outputs[k]].size_bytes;
            int8_t *w = malloc(n);
            assert_non_null(w);
            assert_int_equal(fread(w, 1, n, f), n);
            const int8_t *got = mp_exec_run_output(&run, em, k);
            for (size_t e = 0; e < n; e++)
                if (w[e] != got[e])
                    fail_msg("%s seed %u output %u element %zu: TFLM %d, memplan %d", label, seed,
                             k, e, w[e], got[e]);
            free(w);
        }
        fclose(f);
        mp_exec_run_release(&run);
    }
    print_message("%s: %d inputs byte-identical\n", label, INPUTS_PER_CASE);
    free(data);
    mp_exec_model_free(em);
    mp_graph_free(g);
}

/* A one-op model: input x (rank/shape, scale, zp) -> op -> output y (oshape, oscale, ozp),
 * extra operands appended after x. Returns the op for options. */
static tw_op *one_op(tw_model *m, int32_t code, uint8_t opt, int rank, const int32_t *shape,
                     float scale, int64_t zp, int orank, const int32_t *oshape, float oscale,
                     int64_t ozp, uint32_t n_extra, const int32_t *extra)
{
    tw_init(m);
    uint32_t oc = tw_opcode(m, code, NULL);
    int32_t in[8];
    in[0] = act(m, "x", rank, shape, scale, zp);
    for (uint32_t k = 0; k < n_extra; k++)
        in[1 + k] = extra[k];
    int32_t y = act(m, "y", orank, oshape, oscale, ozp);
    tw_io(m, in[0], y);
    return tw_operator(m, oc, 1 + n_extra, in, 1, &y, opt);
}

/* ---- unary ------------------------------------------------------------------------------ */

static void test_oracle_unary(void **state)
{
    (void)state;
    static const int32_t s[4] = {1, 5, 7, 3};
    tw_model m;
    static const struct {
        const char *label;
        int32_t code;
        uint8_t opt;
        float in_scale, out_scale;
        int64_t in_zp, out_zp;
    } cases[] = {
        {"logistic", OP_LOGISTIC, 0, 0.1f, 1.0f / 256, 3, -128},
        {"logistic_fine", OP_LOGISTIC, 0, 0.013f, 1.0f / 256, -20, -128},
        {"tanh", OP_TANH, 0, 0.07f, 1.0f / 128, -5, 0},
        {"tanh_coarse", OP_TANH, 0, 0.4f, 1.0f / 128, 10, 0},
        {"hard_swish", TW_HARD_SWISH, OPT_HARD_SWISH, 0.05f, 0.03f, -10, -50},
        {"hard_swish_wide", TW_HARD_SWISH, OPT_HARD_SWISH, 0.3f, 0.2f, 20, -100},
        {"relu", OP_RELU, 0, 0.05f, 0.04f, -7, -128},
        {"relu6", OP_RELU6, 0, 0.05f, 0.05f, -7, -7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        one_op(&m, cases[i].code, cases[i].opt, 4, s, cases[i].in_scale, cases[i].in_zp, 4, s,
               cases[i].out_scale, cases[i].out_zp, 0, NULL);
        check_model(&m, cases[i].label);
    }
    tw_op *op = one_op(&m, OP_LEAKY_RELU, OPT_LEAKY_RELU, 4, s, 0.05f, 4, 4, s, 0.03f, -20, 0,
                       NULL);
    tw_opt_f32(op, 0, 0.2f);
    check_model(&m, "leaky_relu");
}

/* ---- binary with broadcast --------------------------------------------------------------- */

static void test_oracle_binary(void **state)
{
    (void)state;
    static const int32_t s[4] = {1, 4, 5, 3}, cs[4] = {1, 1, 1, 3}, ws[4] = {1, 4, 1, 1};
    static const int8_t cdata[3] = {-100, 7, 90}, wdata[4] = {-128, 0, 55, 127};
    static const struct {
        const char *label;
        int32_t code;
        uint8_t opt;
        const int32_t *cshape;
        const int8_t *c;
        size_t nc;
    } cases[] = {
        {"sub_channel", OP_SUB, OPT_SUB, cs, cdata, 3},
        {"sub_rows", OP_SUB, OPT_SUB, ws, wdata, 4},
        {"add_rows", TW_ADD, TW_OPT_ADD, ws, wdata, 4},
        {"mul_channel", TW_MUL, TW_OPT_MUL, cs, cdata, 3},
        {"maximum", OP_MAXIMUM, 0, cs, cdata, 3},
        {"minimum", OP_MINIMUM, 0, ws, wdata, 4},
        {"prelu", OP_PRELU, 0, cs, cdata, 3},
    };
    tw_model m;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool same = cases[i].code == OP_MAXIMUM || cases[i].code == OP_MINIMUM;
        tw_init(&m);
        uint32_t oc = tw_opcode(&m, cases[i].code, NULL);
        int32_t in[2];
        in[0] = act(&m, "x", 4, s, 0.05f, 3);
        in[1] = tw_const(&m, "c", TW_INT8, 4, cases[i].cshape, cases[i].c, cases[i].nc);
        float cscale = same ? 0.05f : 0.02f;
        int64_t czp = same ? 3 : -1;
        tw_quant(&m, in[1], 1, &cscale, &czp, 0);
        int32_t y = act(&m, "y", 4, s, same ? 0.05f : 0.06f, same ? 3 : 10);
        tw_io(&m, in[0], y);
        tw_operator(&m, oc, 2, in, 1, &y, cases[i].opt);
        check_model(&m, cases[i].label);
    }
    /* two activations, one broadcast over rows and columns */
    tw_init(&m);
    uint32_t oc = tw_opcode(&m, OP_SUB, NULL);
    int32_t in[2] = {act(&m, "a", 4, s, 0.05f, 3), act(&m, "b", 4, cs, 0.08f, -9)};
    int32_t y = act(&m, "y", 4, s, 0.1f, 0);
    tw_io(&m, in[0], y);
    m.inputs[m.n_inputs++] = in[1];
    tw_operator(&m, oc, 2, in, 1, &y, OPT_SUB);
    check_model(&m, "sub_two_inputs");
}

/* ---- resize, pad, movement ------------------------------------------------------------ */

static void test_oracle_resize_bilinear(void **state)
{
    (void)state;
    static const int32_t s[4] = {1, 5, 7, 3}, up[4] = {1, 9, 13, 3}, down[4] = {1, 3, 4, 3};
    static const int32_t size_up[2] = {9, 13}, size_down[2] = {3, 4};
    tw_model m;
    for (int flags = 0; flags < 3; flags++)
        for (int dir = 0; dir < 2; dir++) {
            char label[64];
            snprintf(label, sizeof label, "resize_bilinear_%s_%s", dir ? "down" : "up",
                     flags == 0 ? "plain" : flags == 1 ? "align_corners" : "half_pixel");
            tw_op *op = one_op(&m, OP_RESIZE_BILINEAR, OPT_RESIZE_BILINEAR, 4, s, 0.05f, 3, 4,
                               dir ? down : up, 0.05f, 3, 0, NULL);
            op->in[op->n_in++] = i32_vec(&m, "size", 2, dir ? size_down : size_up);
            if (flags == 1)
                tw_opt_u8(op, 2, 1);
            if (flags == 2)
                tw_opt_u8(op, 3, 1);
            check_model(&m, label);
        }
}

static void test_oracle_pad_and_movement(void **state)
{
    (void)state;
    static const int32_t s[4] = {1, 5, 7, 3};
    static const int32_t pads[8] = {0, 0, 1, 2, 0, 1, 2, 3}, padded[4] = {1, 8, 8, 8};
    static const int8_t pad_value[1] = {-77};
    static const int32_t perm[4] = {0, 3, 1, 2}, transposed[4] = {1, 3, 5, 7};
    static const int32_t begin[4] = {0, -4, 1, 0}, end[4] = {1, 5, 7, 3},
                         strides[4] = {1, 2, 3, 1}, sliced[4] = {1, 2, 2, 3};
    tw_model m;
    int32_t shape_p[2] = {4, 2};

    one_op(&m, TW_PAD, TW_OPT_PAD, 4, s, 0.05f, 3, 4, padded, 0.05f, 3, 0, NULL);
    int32_t pt = tw_const(&m, "pads", TW_INT32, 2, shape_p, pads, sizeof pads);
    m.ops[0].in[m.ops[0].n_in++] = pt;
    check_model(&m, "pad_channels");

    one_op(&m, OP_PADV2, OPT_PADV2, 4, s, 0.05f, 3, 4, padded, 0.05f, 3, 0, NULL);
    pt = tw_const(&m, "pads", TW_INT32, 2, shape_p, pads, sizeof pads);
    int32_t one[1] = {1};
    int32_t cv = tw_const(&m, "value", TW_INT8, 1, one, pad_value, 1);
    float vs = 0.05f;
    int64_t vz = 3;
    tw_quant(&m, cv, 1, &vs, &vz, 0);
    m.ops[0].in[m.ops[0].n_in++] = pt;
    m.ops[0].in[m.ops[0].n_in++] = cv;
    check_model(&m, "padv2_constant");

    one_op(&m, OP_TRANSPOSE, 0, 4, s, 0.05f, 3, 4, transposed, 0.05f, 3, 0, NULL);
    m.ops[0].in[m.ops[0].n_in++] = i32_vec(&m, "perm", 4, perm);
    check_model(&m, "transpose_0312");

    tw_op *op = one_op(&m, OP_STRIDED_SLICE, OPT_STRIDED_SLICE, 4, s, 0.05f, 3, 4, sliced,
                       0.05f, 3, 0, NULL);
    op->in[op->n_in++] = i32_vec(&m, "begin", 4, begin);
    op->in[op->n_in++] = i32_vec(&m, "end", 4, end);
    op->in[op->n_in++] = i32_vec(&m, "strides", 4, strides);
    check_model(&m, "strided_slice_negative_begin");

    static const int32_t d2s_in[4] = {1, 3, 5, 8}, d2s_out[4] = {1, 6, 10, 2};
    op = one_op(&m, OP_DEPTH_TO_SPACE, OPT_DEPTH_TO_SPACE, 4, d2s_in, 0.05f, 3, 4, d2s_out,
                0.05f, 3, 0, NULL);
    tw_opt_i32(op, 0, 2);
    check_model(&m, "depth_to_space");
    op = one_op(&m, OP_SPACE_TO_DEPTH, OPT_SPACE_TO_DEPTH, 4, d2s_out, 0.05f, 3, 4, d2s_in,
                0.05f, 3, 0, NULL);
    tw_opt_i32(op, 0, 2);
    check_model(&m, "space_to_depth");
}

/* ---- reductions, pooling, fully connected -------------------------------------------------- */

static void test_oracle_reductions(void **state)
{
    (void)state;
    static const int32_t s[4] = {1, 5, 7, 3};
    static const int32_t ax_h[1] = {1}, ax_last[1] = {-1}, ax_hw[2] = {1, 2}, ax_w[1] = {2};
    static const int32_t no_h[3] = {1, 7, 3}, keep_c[4] = {1, 5, 7, 1}, no_hw[2] = {1, 3},
                         keep_w[4] = {1, 5, 1, 3};
    static const struct {
        const char *label;
        int32_t code;
        const int32_t *axes;
        int32_t n_axes;
        bool keep;
        int orank;
        const int32_t *oshape;
        float oscale;
        int64_t ozp;
    } cases[] = {
        {"mean_h", TW_MEAN, ax_h, 1, false, 3, no_h, 0.03f, -5},
        {"mean_last_keep", TW_MEAN, ax_last, 1, true, 4, keep_c, 0.05f, 3},
        {"mean_last_rescale", TW_MEAN, ax_last, 1, true, 4, keep_c, 0.02f, 1},
        {"mean_hw", TW_MEAN, ax_hw, 2, false, 2, no_hw, 0.01f, 0},
        {"sum_hw", OP_SUM, ax_hw, 2, false, 2, no_hw, 2.0f, -3},
        {"reduce_max_w", OP_REDUCE_MAX, ax_w, 1, true, 4, keep_w, 0.05f, 3},
    };
    tw_model m;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tw_op *op = one_op(&m, cases[i].code, TW_OPT_REDUCER, 4, s, 0.05f, 3, cases[i].orank,
                           cases[i].oshape, cases[i].oscale, cases[i].ozp, 0, NULL);
        op->in[op->n_in++] = i32_vec(&m, "axes", cases[i].n_axes, cases[i].axes);
        tw_opt_u8(op, 0, cases[i].keep);
        check_model(&m, cases[i].label);
    }
}

static void test_oracle_pool_fc(void **state)
{
    (void)state;
    static const int32_t s[4] = {1, 8, 8, 3}, pooled[4] = {1, 3, 3, 3};
    tw_model m;
    tw_op *op = one_op(&m, TW_MAX_POOL_2D, TW_OPT_POOL, 4, s, 0.05f, 3, 4, pooled, 0.05f, 3, 0,
                       NULL);
    tw_opt_u8(op, 0, 1);  /* VALID */
    tw_opt_i32(op, 1, 3); /* stride_w */
    tw_opt_i32(op, 2, 3); /* stride_h */
    tw_opt_i32(op, 3, 2); /* filter_width */
    tw_opt_i32(op, 4, 2); /* filter_height */
    check_model(&m, "max_pool_stride_over_kernel");

    static const int32_t fs[2] = {5, 3}, rows_out[4] = {1, 8, 8, 5};
    static int8_t w[15];
    for (int i = 0; i < 15; i++)
        w[i] = (int8_t)(i * 37 - 120);
    op = one_op(&m, TW_FULLY_CONNECTED, TW_OPT_FC, 4, s, 0.05f, 3, 4, rows_out, 0.2f, -4, 0,
                NULL);
    int32_t wt = tw_const(&m, "w", TW_INT8, 2, fs, w, sizeof w);
    float ws = 0.011f;
    tw_quant(&m, wt, 1, &ws, NULL, 0);
    op->in[op->n_in++] = wt;
    tw_opt_u8(op, 2, 1); /* keep_num_dims */
    check_model(&m, "fully_connected_keep_num_dims");

    /* a 256 -> 128 per-tensor layer with ToyCar-like scales (test_exec_model checks the
     * float32-product multiplier itself) */
    static const int32_t xs[2] = {1, 256}, w2s[2] = {128, 256}, ys[2] = {1, 128};
    static int8_t w2[128 * 256];
    for (size_t i = 0; i < sizeof w2; i++)
        w2[i] = (int8_t)((int)(i * 7919 % 251) - 125);
    op = one_op(&m, TW_FULLY_CONNECTED, TW_OPT_FC, 2, xs, 0.391015232f, 89, 2, ys, 0.1234567f,
                -3, 0, NULL);
    wt = tw_const(&m, "w", TW_INT8, 2, w2s, w2, sizeof w2);
    ws = 0.00223316951f;
    tw_quant(&m, wt, 1, &ws, NULL, 0);
    op->in[op->n_in++] = wt;
    check_model(&m, "fully_connected_float_product");
}

static void test_oracle_tconv_concat_misc(void **state)
{
    (void)state;
    static const int32_t s[4] = {1, 4, 5, 3};
    static int8_t w[4 * 3 * 3 * 3];
    static int32_t bias[4] = {-300, 0, 41, 1000};
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (int8_t)((int)(i * 53 % 255) - 127);
    static const struct {
        const char *label;
        int32_t stride, padding; /* padding: 0 SAME, 1 VALID */
        int32_t oh, ow;
    } tc[] = {{"transpose_conv_same_s2", 2, 0, 8, 10}, {"transpose_conv_valid_s2", 2, 1, 9, 11},
              {"transpose_conv_stride_over_kernel", 4, 1, 15, 19}};
    tw_model m;
    for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
        static int32_t oshape[4];
        oshape[0] = 1, oshape[1] = tc[i].oh, oshape[2] = tc[i].ow, oshape[3] = 4;
        tw_init(&m);
        uint32_t oc = tw_opcode(&m, 67, NULL);
        int32_t shp = i32_vec(&m, "output_shape", 4, oshape);
        static const int32_t ws[4] = {4, 3, 3, 3}, bs[1] = {4};
        int32_t wt = tw_const(&m, "w", TW_INT8, 4, ws, w, sizeof w);
        static const float wsc[4] = {0.01f, 0.02f, 0.005f, 0.03f};
        tw_quant(&m, wt, 4, wsc, NULL, 0);
        int32_t x = act(&m, "x", 4, s, 0.05f, 3);
        int32_t b = tw_const(&m, "b", TW_INT32, 1, bs, bias, sizeof bias);
        int32_t y = act(&m, "y", 4, oshape, 0.1f, -7);
        int32_t in[4] = {shp, wt, x, b};
        tw_io(&m, x, y);
        tw_op *op = tw_operator(&m, oc, 4, in, 1, &y, 49);
        tw_opt_u8(op, 0, (uint8_t)tc[i].padding);
        tw_opt_i32(op, 1, tc[i].stride);
        tw_opt_i32(op, 2, tc[i].stride);
        check_model(&m, tc[i].label);
    }
    /* concatenation along the last axis given as -1, and along H */
    static const int32_t s2[4] = {1, 4, 5, 2}, cat_c[4] = {1, 4, 5, 5}, s3[4] = {1, 3, 5, 3},
                         cat_h[4] = {1, 7, 5, 3};
    for (int variant = 0; variant < 2; variant++) {
        tw_init(&m);
        uint32_t oc = tw_opcode(&m, TW_CONCATENATION, NULL);
        int32_t in[2] = {act(&m, "a", 4, s, 0.05f, 3), act(&m, "b", 4, variant ? s3 : s2, 0.05f, 3)};
        int32_t y = act(&m, "y", 4, variant ? cat_h : cat_c, 0.05f, 3);
        tw_io(&m, in[0], y);
        m.inputs[m.n_inputs++] = in[1];
        tw_op *op = tw_operator(&m, oc, 2, in, 1, &y, TW_OPT_CONCAT);
        tw_opt_i32(op, 0, variant ? 1 : -1);
        check_model(&m, variant ? "concat_h" : "concat_negative_axis");
    }
    /* split into equal parts along W (axis given as -2), split_v along C with a -1 size */
    static const int32_t s6[4] = {1, 3, 6, 5}, third[4] = {1, 3, 2, 5}, c2[4] = {1, 3, 6, 2},
                         c3[4] = {1, 3, 6, 3}, axis_w[1] = {-2}, axis_c[1] = {3},
                         sizes[2] = {2, -1};
    for (int variant = 0; variant < 2; variant++) {
        tw_init(&m);
        uint32_t oc = tw_opcode(&m, variant ? 102 : 49, NULL);
        int32_t x = act(&m, "x", 4, s6, 0.05f, 3);
        int32_t outs[3];
        uint32_t n_out = variant ? 2 : 3;
        for (uint32_t k = 0; k < n_out; k++) {
            static const char *names[3] = {"y0", "y1", "y2"};
            outs[k] = act(&m, names[k], 4, variant ? (k ? c3 : c2) : third, 0.05f, 3);
        }
        int32_t in[3];
        uint32_t n_in = 2;
        if (variant) {
            in[0] = x;
            in[1] = i32_vec(&m, "sizes", 2, sizes);
            in[2] = i32_vec(&m, "axis", 1, axis_c);
            n_in = 3;
        } else {
            in[0] = i32_vec(&m, "axis", 1, axis_w);
            in[1] = x;
        }
        tw_io(&m, x, outs[0]);
        for (uint32_t k = 1; k < n_out; k++)
            m.outputs[m.n_outputs++] = outs[k];
        tw_op *op = tw_operator(&m, oc, n_in, in, n_out, outs, variant ? 79 : 35);
        tw_opt_i32(op, 0, (int32_t)n_out);
        check_model(&m, variant ? "split_v_channels" : "split_w_negative_axis");
    }
    /* int8 -> int8 requantization, softmax */
    one_op(&m, TW_QUANTIZE, TW_OPT_QUANTIZE, 4, s, 0.05f, 3, 4, s, 0.031f, -20, 0, NULL);
    check_model(&m, "quantize_requant");
    tw_op *op = one_op(&m, TW_SOFTMAX, TW_OPT_SOFTMAX, 4, s, 0.1f, 3, 4, s, 1.0f / 256, -128, 0,
                       NULL);
    tw_opt_f32(op, 0, 1.0f);
    check_model(&m, "softmax");
}

static int setup(void **state)
{
    (void)state;
    snprintf(oracle, sizeof oracle, "%s/../shared/tools/tflm/tflm_runner", MEMPLAN_SOURCE_ROOT);
    snprintf(scratch, sizeof scratch, "/tmp/memplan_oracle_XXXXXX");
    return mkdtemp(scratch) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

#define ORACLE_TEST(f)                                                                       \
    static void f##_or_skip(void **state)                                                    \
    {                                                                                        \
        if (access(oracle, X_OK) != 0) {                                                     \
            print_message("skipped: %s is absent (../shared missing)\n", oracle);            \
            skip();                                                                          \
        }                                                                                    \
        f(state);                                                                            \
    }
ORACLE_TEST(test_oracle_unary)
ORACLE_TEST(test_oracle_binary)
ORACLE_TEST(test_oracle_resize_bilinear)
ORACLE_TEST(test_oracle_pad_and_movement)
ORACLE_TEST(test_oracle_reductions)
ORACLE_TEST(test_oracle_pool_fc)
ORACLE_TEST(test_oracle_tconv_concat_misc)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle_unary_or_skip),
        cmocka_unit_test(test_oracle_binary_or_skip),
        cmocka_unit_test(test_oracle_resize_bilinear_or_skip),
        cmocka_unit_test(test_oracle_pad_and_movement_or_skip),
        cmocka_unit_test(test_oracle_reductions_or_skip),
        cmocka_unit_test(test_oracle_pool_fc_or_skip),
        cmocka_unit_test(test_oracle_tconv_concat_misc_or_skip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
