/* SPDX-License-Identifier: MIT */
/*
 * tflite_models.c - small TFLite models for the tests and the CLI fixtures.
 * Weights are deterministic pseudo-random bytes, so the generated files are
 * the same on every run.
 */
#include "tflite_models.h"

#include <string.h>

const char *const tm_shared_models[TM_N_SHARED] = {
    "vww_96_int8",   "vww_96_14blk_836k_int8", "vww_96_20blk_791k_int8",
    "pretrainedResnet_quant", "kws_ref_model", "model_ToyCar_quant_fullint_micro_intio",
    "person_detect",
};

void tm_store_init(tm_store *s)
{
    s->used = 0;
    s->seed = 12345;
}

void *tm_bytes(tm_store *s, size_t n)
{
    s->used = (s->used + 15) / 16 * 16;
    unsigned char *p = s->bytes + s->used;
    for (size_t i = 0; i < n; i++) {
        s->seed = s->seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(s->seed >> 16);
    }
    s->used += n;
    return p;
}

int32_t tm_act(tw_model *m, const char *name, int32_t h, int32_t w, int32_t c)
{
    const int32_t s4[4] = {1, h, w, c}, s2[2] = {1, c};
    int32_t t = h ? tw_tensor_add(m, name, TW_INT8, 4, s4) : tw_tensor_add(m, name, TW_INT8, 2, s2);
    const float scale = 0.05f;
    const int64_t zp = -3;
    tw_quant(m, t, 1, &scale, &zp, 0);
    return t;
}

int32_t tm_weights(tw_model *m, tm_store *s, const char *name, int rank, const int32_t *shape,
                   int32_t qdim)
{
    size_t n = 1;
    for (int k = 0; k < rank; k++)
        n *= (size_t)shape[k];
    int32_t t = tw_const(m, name, TW_INT8, rank, shape, tm_bytes(s, n), n);
    float scale[16];
    uint32_t channels = qdim < 0 ? 1 : (uint32_t)shape[qdim];
    for (uint32_t i = 0; i < channels; i++)
        scale[i] = 0.01f + 0.001f * (float)i;
    tw_quant(m, t, channels, scale, NULL, qdim < 0 ? 0 : qdim);
    return t;
}

int32_t tm_bias(tw_model *m, tm_store *s, const char *name, int32_t n)
{
    int32_t t = tw_const(m, name, TW_INT32, 1, &n, tm_bytes(s, (size_t)n * 4), (size_t)n * 4);
    float scale[16];
    for (int32_t i = 0; i < n && i < 16; i++)
        scale[i] = 0.0005f + 0.00005f * (float)i;
    tw_quant(m, t, (uint32_t)(n < 16 ? n : 16), scale, NULL, 0);
    return t;
}

int32_t tm_ints(tw_model *m, tm_store *s, const char *name, int32_t n, const int32_t *v,
                int32_t rows)
{
    int32_t *data = tm_bytes(s, (size_t)n * 4);
    memcpy(data, v, (size_t)n * 4);
    const int32_t shape2[2] = {rows, 2};
    return rows ? tw_const(m, name, TW_INT32, 2, shape2, data, (size_t)n * 4)
                : tw_const(m, name, TW_INT32, 1, &n, data, (size_t)n * 4);
}

tw_op *tm_conv(tw_model *m, uint32_t opcode, int32_t in, int32_t w, int32_t b, int32_t out,
               uint8_t padding, int32_t stride, uint8_t act, int32_t dilation)
{
    const int32_t ins[3] = {in, w, b};
    tw_op *op = tw_operator(m, opcode, 3, ins, 1, &out, TW_OPT_CONV);
    tw_opt_u8(op, 0, padding);
    tw_opt_i32(op, 1, stride);
    tw_opt_i32(op, 2, stride);
    tw_opt_u8(op, 3, act);
    tw_opt_i32(op, 4, dilation);
    tw_opt_i32(op, 5, dilation);
    return op;
}

tw_op *tm_depthwise(tw_model *m, uint32_t opcode, int32_t in, int32_t w, int32_t b, int32_t out,
                    uint8_t padding, int32_t stride, int32_t multiplier, int32_t dilation)
{
    const int32_t ins[3] = {in, w, b};
    tw_op *op = tw_operator(m, opcode, 3, ins, 1, &out, TW_OPT_DEPTHWISE);
    tw_opt_u8(op, 0, padding);
    tw_opt_i32(op, 1, stride);
    tw_opt_i32(op, 2, stride);
    tw_opt_i32(op, 3, multiplier);
    tw_opt_u8(op, 4, 3); /* RELU6 */
    tw_opt_i32(op, 5, dilation);
    tw_opt_i32(op, 6, dilation);
    return op;
}

tw_op *tm_pool(tw_model *m, uint32_t opcode, int32_t in, int32_t out, uint8_t padding,
               int32_t stride, int32_t filter)
{
    tw_op *op = tw_operator(m, opcode, 1, &in, 1, &out, TW_OPT_POOL);
    tw_opt_u8(op, 0, padding);
    tw_opt_i32(op, 1, stride);
    tw_opt_i32(op, 2, stride);
    tw_opt_i32(op, 3, filter);
    tw_opt_i32(op, 4, filter);
    return op;
}

/*
 * input 16x16x3 -> conv 3x3/2 (8) -> depthwise 3x3 -> conv 1x1 -> add (skip from
 * the first conv) -> max pool 2/2 -> pad 1 -> avg pool 3 -> concat (with the max
 * pool) -> mean -> fc (10) -> reshape [1, 2, 5] -> softmax
 */
void tm_tiny_net(tw_model *m, tm_store *s)
{
    static const int32_t w1s[4] = {8, 3, 3, 3}, wds[4] = {1, 3, 3, 8}, w2s[4] = {8, 1, 1, 8};
    static const int32_t fcs[2] = {10, 16}, pads[8] = {0, 0, 1, 1, 1, 1, 0, 0};
    static const int32_t axes[2] = {1, 2}, shape[3] = {1, 2, 5};
    tw_init(m);
    uint32_t conv = tw_opcode(m, TW_CONV_2D, NULL), dw = tw_opcode(m, TW_DEPTHWISE_CONV_2D, NULL);
    uint32_t add = tw_opcode(m, TW_ADD, NULL), maxp = tw_opcode(m, TW_MAX_POOL_2D, NULL);
    uint32_t pad = tw_opcode(m, TW_PAD, NULL), avgp = tw_opcode(m, TW_AVERAGE_POOL_2D, NULL);
    uint32_t cat = tw_opcode(m, TW_CONCATENATION, NULL), mean = tw_opcode(m, TW_MEAN, NULL);
    uint32_t fc = tw_opcode(m, TW_FULLY_CONNECTED, NULL), rs = tw_opcode(m, TW_RESHAPE, NULL);
    uint32_t sm = tw_opcode(m, TW_SOFTMAX, NULL);
    int32_t in = tm_act(m, "input", 16, 16, 3);
    int32_t c1 = tm_act(m, "net/conv1/Relu6", 8, 8, 8);
    int32_t w = tm_weights(m, s, "net/conv1/weights", 4, w1s, 0);
    int32_t b = tm_bias(m, s, "net/conv1/bias", 8);
    tm_conv(m, conv, in, w, b, c1, 0, 2, 3, 1);
    int32_t d1 = tm_act(m, "net/dw1/Relu6", 8, 8, 8);
    w = tm_weights(m, s, "net/dw1/weights", 4, wds, 3);
    b = tm_bias(m, s, "net/dw1/bias", 8);
    tm_depthwise(m, dw, c1, w, b, d1, 0, 1, 1, 1);
    int32_t p1 = tm_act(m, "net/pw1/BiasAdd", 8, 8, 8);
    w = tm_weights(m, s, "net/pw1/weights", 4, w2s, 0);
    b = tm_bias(m, s, "net/pw1/bias", 8);
    tm_conv(m, conv, d1, w, b, p1, 1, 1, 0, 1);
    int32_t a1 = tm_act(m, "net/add1/Relu", 8, 8, 8);
    const int32_t add_in[2] = {c1, p1};
    tw_opt_u8(tw_operator(m, add, 2, add_in, 1, &a1, TW_OPT_ADD), 0, 1);
    int32_t mp = tm_act(m, "net/maxpool", 4, 4, 8);
    tm_pool(m, maxp, a1, mp, 1, 2, 2);
    int32_t pd = tm_act(m, "net/pad", 6, 6, 8);
    const int32_t pad_in[2] = {mp, tm_ints(m, s, "net/pad/paddings", 8, pads, 4)};
    tw_operator(m, pad, 2, pad_in, 1, &pd, TW_OPT_PAD);
    int32_t ap = tm_act(m, "net/avgpool", 4, 4, 8);
    tm_pool(m, avgp, pd, ap, 1, 1, 3);
    int32_t ct = tm_act(m, "net/concat", 4, 4, 16);
    const int32_t cat_in[2] = {mp, ap};
    tw_opt_i32(tw_operator(m, cat, 2, cat_in, 1, &ct, TW_OPT_CONCAT), 0, -1);
    int32_t mn = tm_act(m, "net/mean", 0, 0, 16);
    const int32_t mean_in[2] = {ct, tm_ints(m, s, "net/mean/axes", 2, axes, 0)};
    tw_opt_u8(tw_operator(m, mean, 2, mean_in, 1, &mn, TW_OPT_REDUCER), 0, 0);
    int32_t f1 = tm_act(m, "net/fc/BiasAdd", 0, 0, 10);
    w = tm_weights(m, s, "net/fc/weights", 2, fcs, -1);
    b = tm_bias(m, s, "net/fc/bias", 10);
    const int32_t fc_in[3] = {mn, w, b};
    tw_operator(m, fc, 3, fc_in, 1, &f1, TW_OPT_FC);
    int32_t r1 = tw_tensor_add(m, "net/reshape", TW_INT8, 3, shape);
    const int32_t rs_in[2] = {f1, tm_ints(m, s, "net/reshape/shape", 3, shape, 0)};
    tw_operator(m, rs, 2, rs_in, 1, &r1, TW_OPT_RESHAPE);
    int32_t out = tw_tensor_add(m, "probs", TW_INT8, 3, shape);
    const float sscale = 1.0f / 256;
    const int64_t szp = -128;
    tw_quant(m, out, 1, &sscale, &szp, 0);
    tw_opt_f32(tw_operator(m, sm, 1, &r1, 1, &out, TW_OPT_SOFTMAX), 0, 1.0f);
    tw_io(m, in, out);
}

/*
 * float input 8x8x4 -> quantize -> resize nearest to 16x16 -> mul (x * x) ->
 * depthwise 3x3 multiplier 2 dilation 2 valid -> conv 3x3/2 relu -> dequantize
 */
void tm_ops_net(tw_model *m, tm_store *s)
{
    static const int32_t in_shape[4] = {1, 8, 8, 4}, out_shape[4] = {1, 6, 6, 4};
    static const int32_t size[2] = {16, 16}, wds[4] = {1, 3, 3, 8}, wcs[4] = {4, 3, 3, 8};
    tw_init(m);
    uint32_t q = tw_opcode(m, TW_QUANTIZE, NULL), rz = tw_opcode(m, TW_RESIZE_NEAREST_NEIGHBOR, NULL);
    uint32_t mul = tw_opcode(m, TW_MUL, NULL), dw = tw_opcode(m, TW_DEPTHWISE_CONV_2D, NULL);
    uint32_t conv = tw_opcode(m, TW_CONV_2D, NULL), dq = tw_opcode(m, TW_DEQUANTIZE, NULL);
    int32_t in = tw_tensor_add(m, "image", TW_FLOAT32, 4, in_shape);
    int32_t qt = tm_act(m, "quantized", 8, 8, 4);
    tw_operator(m, q, 1, &in, 1, &qt, TW_OPT_QUANTIZE);
    int32_t up = tm_act(m, "upsampled", 16, 16, 4);
    const int32_t rz_in[2] = {qt, tm_ints(m, s, "size", 2, size, 0)};
    tw_opt_u8(tw_operator(m, rz, 2, rz_in, 1, &up, TW_OPT_RESIZE_NN), 1, 1);
    int32_t sq = tm_act(m, "squared", 16, 16, 4);
    const int32_t mul_in[2] = {up, up};
    tw_operator(m, mul, 2, mul_in, 1, &sq, TW_OPT_MUL);
    int32_t d = tm_act(m, "dilated", 12, 12, 8);
    int32_t w = tm_weights(m, s, "dw/weights", 4, wds, 3);
    int32_t b = tm_bias(m, s, "dw/bias", 8);
    tm_depthwise(m, dw, sq, w, b, d, 1, 1, 2, 2);
    int32_t c = tm_act(m, "conv", 6, 6, 4);
    w = tm_weights(m, s, "conv/weights", 4, wcs, 0);
    b = tm_bias(m, s, "conv/bias", 4);
    tm_conv(m, conv, d, w, b, c, 0, 2, 1, 1);
    int32_t out = tw_tensor_add(m, "result", TW_FLOAT32, 4, out_shape);
    tw_operator(m, dq, 1, &c, 1, &out, 0);
    tw_io(m, in, out);
}

/* input 8x8x3 -> conv 1x1 (8) -> GELU -> custom "MyPostProcess" -> [1, 8] */
void tm_unknown_net(tw_model *m, tm_store *s)
{
    static const int32_t ws[4] = {8, 1, 1, 3};
    tw_init(m);
    uint32_t conv = tw_opcode(m, TW_CONV_2D, NULL), hs = tw_opcode(m, TW_GELU, NULL);
    uint32_t post = tw_opcode(m, TW_CUSTOM, "MyPostProcess");
    int32_t in = tm_act(m, "input", 8, 8, 3);
    int32_t c = tm_act(m, "features", 8, 8, 8);
    int32_t w = tm_weights(m, s, "weights", 4, ws, 0);
    int32_t b = tm_bias(m, s, "bias", 8);
    tm_conv(m, conv, in, w, b, c, 0, 1, 0, 1);
    int32_t h = tm_act(m, "gelu", 8, 8, 8);
    tw_operator(m, hs, 1, &c, 1, &h, 0);
    int32_t out = tm_act(m, "detections", 0, 0, 8);
    tw_operator(m, post, 1, &h, 1, &out, 0);
    tw_io(m, in, out);
}

static int32_t real_float(tw_model *m, const char *name, int32_t h, int32_t w, int32_t c)
{
    const int32_t s4[4] = {1, h, w, c};
    return tw_tensor_add(m, name, TW_FLOAT32, 4, s4);
}

/* One int8 op with one activation input and optional constant operands. */
static tw_op *real_op(tw_model *m, int32_t code, uint8_t opt, const int32_t *in, uint32_t n_in,
                      int32_t out)
{
    return tw_operator(m, tw_opcode(m, code, NULL), n_in, in, 1, &out, opt);
}

/* input 8x8x3 float -> quantize -> pad 1 -> conv 3x3/2 valid (8): 4x4x8 (the pad folds) */
static int32_t real_stem(tw_model *m, tm_store *s, int32_t *input)
{
    static const int32_t pads[8] = {0, 0, 1, 1, 1, 1, 0, 0}, ws[4] = {8, 3, 3, 3};
    *input = real_float(m, "image", 8, 8, 3);
    int32_t q = tm_act(m, "q", 8, 8, 3);
    tw_operator(m, tw_opcode(m, TW_QUANTIZE, NULL), 1, input, 1, &q, TW_OPT_QUANTIZE);
    int32_t p = tm_act(m, "padded", 10, 10, 3);
    const int32_t pad_in[2] = {q, tm_ints(m, s, "paddings", 8, pads, 4)};
    real_op(m, TW_PAD, TW_OPT_PAD, pad_in, 2, p);
    int32_t c = tm_act(m, "stem", 4, 4, 8);
    tm_conv(m, tw_opcode(m, TW_CONV_2D, NULL), p, tm_weights(m, s, "stem/w", 4, ws, 0),
            tm_bias(m, s, "stem/b", 8), c, 1, 2, 1, 1);
    return c;
}

/* sub(per-channel constant) -> logistic -> mul with its own mean (SE) -> maximum(scalar) */
static int32_t real_elementwise(tw_model *m, tm_store *s, int32_t x)
{
    static const int32_t c8[1] = {8}, one[1] = {1}, axes[2] = {-3, -2};
    const float scale = 0.05f;
    const int64_t zp = -3;
    int32_t k = tw_const(m, "sub/k", TW_INT8, 1, c8, tm_bytes(s, 8), 8);
    tw_quant(m, k, 1, &scale, &zp, 0);
    int32_t d = tm_act(m, "sub", 4, 4, 8), l = tm_act(m, "sig", 4, 4, 8);
    const int32_t sub_in[2] = {x, k};
    real_op(m, TW_SUB, TW_OPT_SUB, sub_in, 2, d);
    const float sig_scale = 1.0f / 256;
    const int64_t sig_zp = -128; /* TFLite's int8 logistic output */
    tw_quant(m, l, 1, &sig_scale, &sig_zp, 0);
    real_op(m, TW_LOGISTIC, 0, &d, 1, l);
    int32_t mn = tm_act(m, "se", 1, 1, 8), y = tm_act(m, "scaled", 4, 4, 8);
    const int32_t mean_in[2] = {l, tm_ints(m, s, "se/axes", 2, axes, 0)};
    tw_opt_u8(real_op(m, TW_MEAN, TW_OPT_REDUCER, mean_in, 2, mn), 0, 1);
    const int32_t mul_in[2] = {l, mn};
    real_op(m, TW_MUL, TW_OPT_MUL, mul_in, 2, y);
    int32_t z = tw_const(m, "max/k", TW_INT8, 1, one, tm_bytes(s, 1), 1);
    tw_quant(m, z, 1, &scale, &zp, 0);
    int32_t mx = tm_act(m, "clamped", 4, 4, 8);
    const int32_t max_in[2] = {y, z};
    real_op(m, TW_MAXIMUM, TW_OPT_MAXMIN, max_in, 2, mx);
    return mx;
}

/* transpose conv 3x3/2 same (4): 8x8x4 -> depth to space 2 -> space to depth 2 -> bilinear
 * 10x10 -> strided slice [1:9:2, 1:9:3]: 4x3x4 */
static int32_t real_spatial(tw_model *m, tm_store *s, int32_t x)
{
    static const int32_t oshape[4] = {1, 8, 8, 4}, ws[4] = {4, 3, 3, 8}, size[2] = {10, 10};
    static const int32_t b[4] = {0, 1, 1, 0}, e[4] = {1, 9, 9, 4}, st[4] = {1, 2, 3, 1};
    int32_t t = tm_act(m, "up", 8, 8, 4);
    const int32_t tc_in[4] = {tm_ints(m, s, "up/shape", 4, oshape, 0),
                              tm_weights(m, s, "up/w", 4, ws, 0), x, tm_bias(m, s, "up/b", 4)};
    tw_op *op = real_op(m, TW_TRANSPOSE_CONV, TW_OPT_TRANSPOSE_CONV, tc_in, 4, t);
    tw_opt_u8(op, 0, 0);
    tw_opt_i32(op, 1, 2);
    tw_opt_i32(op, 2, 2);
    int32_t d2s = tm_act(m, "d2s", 16, 16, 1), s2d = tm_act(m, "s2d", 8, 8, 4);
    tw_opt_i32(real_op(m, TW_DEPTH_TO_SPACE, TW_OPT_DEPTH_TO_SPACE, &t, 1, d2s), 0, 2);
    tw_opt_i32(real_op(m, TW_SPACE_TO_DEPTH, TW_OPT_SPACE_TO_DEPTH, &d2s, 1, s2d), 0, 2);
    int32_t r = tm_act(m, "resized", 10, 10, 4);
    const int32_t rz_in[2] = {s2d, tm_ints(m, s, "resized/size", 2, size, 0)};
    tw_opt_u8(real_op(m, TW_RESIZE_BILINEAR, TW_OPT_RESIZE_BILINEAR, rz_in, 2, r), 3, 1);
    int32_t sl = tm_act(m, "sliced", 4, 3, 4);
    const int32_t sl_in[4] = {r, tm_ints(m, s, "sl/b", 4, b, 0), tm_ints(m, s, "sl/e", 4, e, 0),
                              tm_ints(m, s, "sl/s", 4, st, 0)};
    real_op(m, TW_STRIDED_SLICE, TW_OPT_STRIDED_SLICE, sl_in, 4, sl);
    return sl;
}

void tm_real_ops_net(tw_model *m, tm_store *s)
{
    static const int32_t sizes[2] = {1, -1}, axis[1] = {-1}, perm[4] = {0, 2, 1, 3};
    static const int32_t fcw[2] = {2, 3};
    tw_init(m);
    int32_t input, x = real_stem(m, s, &input);
    x = real_spatial(m, s, real_elementwise(m, s, x));
    int32_t a = tm_act(m, "part0", 4, 3, 1), b = tm_act(m, "part1", 4, 3, 3);
    const int32_t sp_in[3] = {x, tm_ints(m, s, "split/sizes", 2, sizes, 0),
                              tm_ints(m, s, "split/axis", 1, axis, 0)};
    const int32_t sp_out[2] = {a, b};
    tw_op *sp = tw_operator(m, tw_opcode(m, TW_SPLIT_V, NULL), 3, sp_in, 2, sp_out,
                            TW_OPT_SPLIT_V);
    tw_opt_i32(sp, 0, 2);
    int32_t hs = tm_act(m, "hswish", 4, 3, 3), tr = tm_act(m, "transposed", 3, 4, 3);
    real_op(m, TW_HARD_SWISH, TW_OPT_HARD_SWISH, &b, 1, hs);
    const int32_t tr_in[2] = {hs, tm_ints(m, s, "perm", 4, perm, 0)};
    real_op(m, TW_TRANSPOSE, TW_OPT_TRANSPOSE, tr_in, 2, tr);
    int32_t fc = tm_act(m, "rows", 3, 4, 2);
    const int32_t fc_in[3] = {tr, tm_weights(m, s, "rows/w", 2, fcw, -1), tm_bias(m, s, "rows/b", 2)};
    tw_opt_u8(real_op(m, TW_FULLY_CONNECTED, TW_OPT_FC, fc_in, 3, fc), 2, 1);
    int32_t lr = tm_act(m, "leaky", 4, 3, 1);
    tw_opt_f32(real_op(m, TW_LEAKY_RELU, TW_OPT_LEAKY_RELU, &a, 1, lr), 0, 0.1f);
    int32_t out = real_float(m, "scores", 3, 4, 2);
    tw_operator(m, tw_opcode(m, TW_DEQUANTIZE, NULL), 1, &fc, 1, &out, 0);
    tw_io(m, input, out);
    m->outputs[m->n_outputs++] = lr;
}
