/* SPDX-License-Identifier: MIT */
/*
 * patch_region.c - the one backward-region rule (module plan): which input
 * rows (or columns) an op reads to produce a range of output rows (columns),
 * by each op's TFLite definition, and which ops have such a bounded rule at
 * all. The planner's patch regions (patch_block.c, patch_axis.c) and the
 * executor's view checks (exec/op.c) both call mp_op_input_span, so a schedule
 * the planner accepts is one the executor runs.
 *
 * Bounded ops: window ops (convolution, depthwise, pooling: the exact taps,
 * mp_window_taps), transpose convolution (the inputs whose taps land in the
 * range), PAD (a shift), resizes (the source rows of the range), depth to
 * space and space to depth (their block), strided slices (begin + y*stride),
 * concatenation (the part of the range each input covers along its axis), a
 * transpose that keeps height and width in place, and every per-pixel op:
 * elementwise and broadcast ops (a height-1 or width-1 operand reads row 0),
 * activations, quantize/dequantize, softmax (over channels), reductions over
 * channels with keep_dims, fully connected with keep_num_dims on a 4-D input
 * (a 1x1 convolution). Everything else needs its whole input: reductions over
 * height or width, fully connected over a flattened input, reshape, a
 * transpose that moves height or width, split, unknown ops.
 */
#include "memplan/mp_patch.h"

#include <math.h>

static mp_interval clip(mp_interval v, int32_t size)
{
    if (v.a < 0)
        v.a = 0;
    if (v.b > size)
        v.b = size;
    if (v.b <= v.a)
        v.a = v.b = 0;
    return v;
}

static int32_t axis_size(const mp_tensor *t, int axis)
{
    return axis == 0 ? t->shape.h : t->shape.w;
}

bool mp_op_region_bounded(const mp_graph *g, uint32_t op)
{
    const mp_op *o = &g->ops[op];
    const mp_tensor *in = &g->tensors[o->in[0]];
    switch (o->type) {
    case MP_OP_CONV2D:
    case MP_OP_DEPTHWISE_CONV2D:
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D:
    case MP_OP_TRANSPOSE_CONV:
    case MP_OP_PAD:
    case MP_OP_RESIZE_NEAREST:
    case MP_OP_RESIZE_BILINEAR:
    case MP_OP_DEPTH_TO_SPACE:
    case MP_OP_SPACE_TO_DEPTH:
    case MP_OP_CONCAT:
    case MP_OP_ADD:
    case MP_OP_MUL:
    case MP_OP_SUB:
    case MP_OP_MAXIMUM:
    case MP_OP_MINIMUM:
    case MP_OP_PRELU:
    case MP_OP_LOGISTIC:
    case MP_OP_TANH:
    case MP_OP_HARD_SWISH:
    case MP_OP_LEAKY_RELU:
    case MP_OP_RELU:
    case MP_OP_RELU6:
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE:
    case MP_OP_SOFTMAX:
        return true;
    case MP_OP_STRIDED_SLICE:
        return (o->p.axes & 7) == 0; /* no batch, height or width removed */
    case MP_OP_TRANSPOSE:
        return o->p.perm[0] == 0 && o->p.perm[1] == 1 && o->p.perm[2] == 2;
    case MP_OP_MEAN:
    case MP_OP_SUM:
    case MP_OP_REDUCE_MAX:
        return o->p.axes == 8 && o->p.keep_dims;
    case MP_OP_FULLY_CONNECTED:
        return o->p.keep_num_dims && in->rank == 4;
    default:
        return false;
    }
}

/* Outputs [a, b) of a transpose convolution come from inputs i with i*s - pad <= b - 1 and
 * i*s - pad + k - 1 >= a. */
static mp_interval tconv_span(mp_interval out, int32_t k, int32_t s, int32_t pad)
{
    int64_t lo = (int64_t)out.a + pad - k + 1, hi = (int64_t)out.b - 1 + pad;
    lo = lo <= 0 ? 0 : (lo + s - 1) / s;
    hi = hi < 0 ? -1 : hi / s;
    return (mp_interval){(int32_t)lo, (int32_t)(hi + 1)};
}

/* TFLite's nearest-neighbour source index (float scale, as the reference kernel). */
int32_t mp_resize_nearest_src(int32_t o, int32_t in_size, int32_t out_size, bool align_corners,
                              bool half_pixel_centers)
{
    float scale = (align_corners && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                                  : (float)in_size / (float)out_size;
    float v = ((float)o + (half_pixel_centers ? 0.5f : 0.0f)) * scale;
    int32_t i = align_corners ? (int32_t)roundf(v) : (int32_t)floorf(v);
    if (i > in_size - 1)
        i = in_size - 1;
    if (i < 0)
        i = 0;
    return i;
}

int32_t mp_resize_bilinear_scale(int32_t in_size, int32_t out_size, bool align_corners)
{
    if (align_corners && out_size > 1)
        return (int32_t)(((int64_t)(1 << 10) * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1));
    return (int32_t)(((int64_t)(1 << 10) * in_size + out_size / 2) / out_size);
}

void mp_resize_bilinear_src(int32_t o, int32_t scale_10, bool half_pixel, int32_t in_size,
                            int32_t *v, int32_t *lo, int32_t *hi)
{
    int64_t x = half_pixel ? (int64_t)o * scale_10 + scale_10 / 2 - (1 << 9)
                           : (int64_t)o * scale_10;
    int64_t l = x / (1 << 10), h = (x + (1 << 10) - 1) / (1 << 10); /* truncating, as TFLite */
    *v = (int32_t)x;
    *lo = l > 0 ? (int32_t)l : 0;
    *hi = h < in_size - 1 ? (int32_t)h : in_size - 1;
}

/* Bilinear: the lower source row of the first output to the upper one of the last (both
 * never decrease with the output index). */
static mp_interval bilinear_span(mp_interval out, int32_t in_size, int32_t out_size,
                                 bool align_corners, bool half)
{
    int32_t scale = mp_resize_bilinear_scale(in_size, out_size, align_corners), v, lo, hi, x;
    mp_resize_bilinear_src(out.a, scale, half, in_size, &v, &lo, &x);
    mp_resize_bilinear_src(out.b - 1, scale, half, in_size, &v, &x, &hi);
    return (mp_interval){lo, hi + 1};
}

static mp_interval concat_span(const mp_graph *g, const mp_op *o, uint32_t k, int axis,
                               mp_interval out)
{
    if (o->p.axis != axis + 1)
        return out;
    int32_t start = 0;
    for (uint32_t i = 0; i < k; i++)
        start += axis_size(&g->tensors[o->in[i]], axis);
    int32_t end = start + axis_size(&g->tensors[o->in[k]], axis);
    mp_interval r = {(out.a > start ? out.a : start) - start, (out.b < end ? out.b : end) - start};
    return r.b > r.a ? r : (mp_interval){0, 0};
}

static mp_interval per_pixel(const mp_graph *g, const mp_op *o, uint32_t k, int axis,
                             mp_interval out)
{
    if (axis_size(&g->tensors[o->in[k]], axis) == 1 && axis_size(&g->tensors[o->out[0]], axis) > 1)
        return (mp_interval){0, 1}; /* broadcast along this axis */
    return out;
}

mp_interval mp_op_input_span(const mp_graph *g, uint32_t op, uint32_t k, int axis,
                             mp_interval out, mp_interval *raw)
{
    const mp_op *o = &g->ops[op];
    const mp_op_params *p = &o->p;
    const mp_tensor *in = &g->tensors[o->in[k]];
    int32_t size = axis_size(in, axis), osize = axis_size(&g->tensors[o->out[0]], axis);
    mp_interval r = {0, 0};
    if (out.b <= out.a) {
        if (raw)
            *raw = r;
        return r;
    }
    int32_t ks = axis ? p->kernel_w : p->kernel_h, s = axis ? p->stride_w : p->stride_h;
    int32_t d = axis ? p->dilation_w : p->dilation_h, pad = axis ? p->pad_left : p->pad_top;
    if (d < 1)
        d = 1;
    switch (o->type) {
    case MP_OP_CONV2D:
    case MP_OP_DEPTHWISE_CONV2D:
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D:
        if (raw)
            *raw = (mp_interval){out.a * s - pad, (out.b - 1) * s - pad + (ks - 1) * d + 1};
        return mp_window_taps(out, ks, s, d, pad, size);
    case MP_OP_TRANSPOSE_CONV:
        r = tconv_span(out, ks, s, pad);
        break;
    case MP_OP_PAD:
        r = (mp_interval){out.a - pad, out.b - pad};
        break;
    case MP_OP_RESIZE_NEAREST:
        r.a = mp_resize_nearest_src(out.a, size, osize, p->align_corners, p->half_pixel_centers);
        r.b = mp_resize_nearest_src(out.b - 1, size, osize, p->align_corners,
                                    p->half_pixel_centers) + 1;
        break;
    case MP_OP_RESIZE_BILINEAR:
        r = bilinear_span(out, size, osize, p->align_corners, p->half_pixel_centers);
        break;
    case MP_OP_DEPTH_TO_SPACE:
        r = (mp_interval){out.a / p->block_size, (out.b - 1) / p->block_size + 1};
        break;
    case MP_OP_SPACE_TO_DEPTH:
        r = (mp_interval){out.a * p->block_size, out.b * p->block_size};
        break;
    case MP_OP_STRIDED_SLICE: {
        int32_t b0 = p->begin[axis + 1], st = p->strides[axis + 1];
        r = (mp_interval){b0 + out.a * st, b0 + (out.b - 1) * st + 1};
        break;
    }
    case MP_OP_CONCAT:
        r = concat_span(g, o, k, axis, out);
        break;
    default:
        r = mp_op_region_bounded(g, op) ? per_pixel(g, o, k, axis, out)
                                        : (mp_interval){0, size};
        break;
    }
    if (raw)
        *raw = r;
    return clip(r, size);
}
