/* SPDX-License-Identifier: MIT */
/*
 * shape_ops.c - shape inference of the ops real exports add to the classic
 * CNN set (module graph): reducers over any axes, transpose, strided slice,
 * split, unary activations, PReLU, bilinear resize, transpose convolution and
 * the depth/space rearrangements, each by its TFLite definition.
 *
 * Tensors are NHWC right-aligned: a rank-r tensor uses the last r of the four
 * axes. Ops that remove axes (reducers without keep_dims, strided slice with a
 * shrink mask) take the source's r dimensions, drop the removed ones and
 * right-align the rest again.
 */
#include "shape_int.h"

#include <string.h>

#define FAIL(ctx, st, ...) shape_fail((ctx), (st), __VA_ARGS__)

static int32_t *dim(mp_shape *s, int i)
{
    return i == 0 ? &s->n : i == 1 ? &s->h : i == 2 ? &s->w : &s->c;
}

static int32_t dim_of(mp_shape s, int i)
{
    return *dim(&s, i);
}

/* Drop the NHWC axes in mask from a rank-r shape and right-align the rest; the new rank
 * (at least 1) in *rank. */
static mp_shape drop_axes(mp_shape s, uint32_t rank, uint32_t mask, uint8_t *new_rank)
{
    int32_t kept[4];
    int n = 0;
    for (int i = 4 - (int)rank; i < 4; i++)
        if (!(mask & (1u << i)))
            kept[n++] = dim_of(s, i);
    mp_shape r = {1, 1, 1, 1};
    for (int i = 0; i < n; i++)
        *dim(&r, 4 - n + i) = kept[i];
    *new_rank = (uint8_t)(n ? n : 1);
    return r;
}

static mp_status infer_reduce(infer_ctx *ctx, mp_op *op, const mp_tensor *in, mp_shape *out,
                              uint8_t *rank)
{
    mp_op_params *p = &op->p;
    if (op->type == MP_OP_MEAN && p->axes == 0)
        p->axes = 6; /* height and width */
    if (p->axes <= 0 || p->axes > 15)
        return FAIL(ctx, MP_E_INVALID, "reduction axes mask %d is not a set of NHWC axes",
                    p->axes);
    if (p->axes & 1)
        return FAIL(ctx, MP_E_UNSUPPORTED, "reduction over the batch axis");
    mp_shape s = in->shape;
    for (int i = 0; i < 4; i++)
        if (p->axes & (1 << i))
            *dim(&s, i) = 1;
    if (p->keep_dims) {
        *out = s;
        *rank = in->rank;
        /* a reduced axis outside the source's rank widens it (TFLite keeps every axis) */
        for (int i = 0; i < 4 - (int)in->rank; i++)
            if (p->axes & (1 << i))
                *rank = (uint8_t)(4 - i);
        return MP_OK;
    }
    *out = drop_axes(in->shape, in->rank, (uint32_t)p->axes, rank);
    return MP_OK;
}

static mp_status infer_transpose(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    int seen = 0;
    for (int i = 0; i < 4; i++) {
        int a = op->p.perm[i];
        if (a < 0 || a > 3 || (seen & (1 << a)))
            return FAIL(ctx, MP_E_INVALID, "perm [%d, %d, %d, %d] is not a permutation of the "
                        "NHWC axes", op->p.perm[0], op->p.perm[1], op->p.perm[2], op->p.perm[3]);
        seen |= 1 << a;
        *dim(out, i) = dim_of(in, a);
    }
    return MP_OK;
}

static mp_status infer_slice(infer_ctx *ctx, mp_op *op, const mp_tensor *in, mp_shape *out,
                             uint8_t *rank)
{
    mp_op_params *p = &op->p;
    mp_shape s = in->shape;
    for (int i = 0; i < 4; i++) {
        int32_t n = dim_of(in->shape, i), b = p->begin[i], e = p->end[i], st = p->strides[i];
        if (st == 0 && b == 0 && e == 0) { /* unset axis: all of it */
            p->strides[i] = st = 1;
            p->end[i] = e = n;
        }
        if (st < 1 || b < 0 || e > n || b >= e)
            return FAIL(ctx, MP_E_INVALID, "slice [%d:%d:%d] of axis %d (size %d) is empty or out "
                        "of range", b, e, st, i, n);
        *dim(&s, i) = (e - b + st - 1) / st;
    }
    if (p->axes & ~0xf)
        return FAIL(ctx, MP_E_INVALID, "shrink mask %d is not a set of NHWC axes", p->axes);
    for (int i = 0; i < 4; i++)
        if ((p->axes & (1 << i)) && dim_of(s, i) != 1)
            return FAIL(ctx, MP_E_INVALID, "axis %d is removed but %d long", i, dim_of(s, i));
    *rank = in->rank;
    *out = p->axes ? drop_axes(s, in->rank, (uint32_t)p->axes, rank) : s;
    return MP_OK;
}

static mp_status infer_split(infer_ctx *ctx, mp_op *op, const mp_tensor *in)
{
    mp_op_params *p = &op->p;
    if (p->axis < 0)
        p->axis += 4;
    if (p->axis < 0 || p->axis > 3)
        return FAIL(ctx, MP_E_INVALID, "split axis %d is out of range", p->axis);
    if (op->n_out < 1 || op->n_out > MP_MAX_SPLITS)
        return FAIL(ctx, MP_E_LIMIT, "split into %u outputs (1..%d modelled)", op->n_out,
                    MP_MAX_SPLITS);
    int32_t n = dim_of(in->shape, p->axis);
    bool equal = true;
    for (uint32_t k = 0; k < op->n_out; k++)
        equal = equal && p->split_sizes[k] == 0;
    if (equal) {
        if (n % (int32_t)op->n_out)
            return FAIL(ctx, MP_E_INVALID, "axis %d (size %d) does not split into %u equal parts",
                        p->axis, n, op->n_out);
        for (uint32_t k = 0; k < op->n_out; k++)
            p->split_sizes[k] = n / (int32_t)op->n_out;
    }
    int64_t sum = 0;
    for (uint32_t k = 0; k < op->n_out; k++) {
        if (p->split_sizes[k] < 1)
            return FAIL(ctx, MP_E_INVALID, "split size %u is %d", k, p->split_sizes[k]);
        sum += p->split_sizes[k];
    }
    if (sum != n)
        return FAIL(ctx, MP_E_INVALID, "split sizes add up to %lld, axis %d has %d",
                    (long long)sum, p->axis, n);
    for (uint32_t k = 0; k < op->n_out; k++) {
        mp_shape s = in->shape;
        *dim(&s, p->axis) = p->split_sizes[k];
        MP_TRY(shape_settle(ctx, op->out[k], s, in->rank, "output"));
    }
    return MP_OK;
}

static mp_status infer_resize(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    if (op->p.out_h < 1 || op->p.out_w < 1)
        return FAIL(ctx, MP_E_INVALID, "resize target must be >= 1x1");
    if (op->p.align_corners && op->p.half_pixel_centers)
        return FAIL(ctx, MP_E_INVALID, "align_corners and half_pixel_centers both set");
    *out = in;
    out->h = op->p.out_h;
    out->w = op->p.out_w;
    return MP_OK;
}

/* TFLite's padding of a transpose convolution: computed as for a convolution of the output
 * (ComputePaddingHeightWidth with the output size as input size). */
static void tconv_pad(mp_padding pad, int32_t out, int32_t k, int32_t s, int32_t *pa, int32_t *pb)
{
    if (pad == MP_PADDING_EXPLICIT)
        return;
    int64_t o = pad == MP_PADDING_SAME ? ((int64_t)out + s - 1) / s : ((int64_t)out - k + s) / s;
    int64_t total = (o - 1) * s + k - out;
    if (pad == MP_PADDING_VALID || total < 0)
        total = 0;
    *pa = (int32_t)(total / 2);
    *pb = (int32_t)(total / 2 + total % 2);
}

static mp_status infer_tconv(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    mp_op_params *p = &op->p;
    mp_tensor *f = shape_input(ctx, 1);
    if (!f)
        return FAIL(ctx, MP_E_INVALID, "transpose convolution without a filter tensor");
    if (p->stride_h < 1 || p->stride_w < 1 || p->stride_h > MP_MAX_DIM || p->stride_w > MP_MAX_DIM)
        return FAIL(ctx, MP_E_INVALID, "strides must be 1..%d, got %d, %d", MP_MAX_DIM,
                    p->stride_h, p->stride_w);
    p->dilation_h = p->dilation_w = 1;
    if (shape_known(f->shape)) {
        p->filters = f->shape.n;
        p->kernel_h = f->shape.h;
        p->kernel_w = f->shape.w;
    } else {
        if (p->filters < 1 || p->kernel_h < 1 || p->kernel_w < 1)
            return FAIL(ctx, MP_E_INVALID, "filters and kernel must be >= 1");
        MP_TRY(shape_settle(ctx, op->in[1], (mp_shape){p->filters, p->kernel_h, p->kernel_w, in.c},
                            4, "filter"));
    }
    if (f->shape.c != in.c)
        return FAIL(ctx, MP_E_INVALID, "filter '%s' has %d input channels, the input has %d",
                    f->name, f->shape.c, in.c);
    for (int a = 0; a < 2; a++) {
        int32_t *o = a ? &p->out_w : &p->out_h, i = a ? in.w : in.h;
        int32_t k = a ? p->kernel_w : p->kernel_h, s = a ? p->stride_w : p->stride_h;
        if (*o == 0) {
            int64_t v = p->padding == MP_PADDING_VALID ? ((int64_t)i - 1) * s + k : (int64_t)i * s;
            if (v > MP_MAX_DIM)
                return FAIL(ctx, MP_E_LIMIT, "output size %lld exceeds %d", (long long)v,
                            MP_MAX_DIM);
            *o = (int32_t)v;
        }
        if (*o < 1)
            return FAIL(ctx, MP_E_INVALID, "output size %d", *o);
        tconv_pad(p->padding, *o, k, s, a ? &p->pad_left : &p->pad_top,
                  a ? &p->pad_right : &p->pad_bottom);
    }
    *out = (mp_shape){1, p->out_h, p->out_w, p->filters};
    return shape_settle_bias(ctx, 2, p->filters);
}

static mp_status infer_d2s(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    int32_t b = op->p.block_size;
    if (b < 1 || b > 4096)
        return FAIL(ctx, MP_E_INVALID, "block size %d (1..4096)", b);
    *out = in;
    if (op->type == MP_OP_DEPTH_TO_SPACE) {
        if (in.c % (b * b))
            return FAIL(ctx, MP_E_INVALID, "%d channels are not a multiple of %d", in.c, b * b);
        if ((int64_t)in.h * b > MP_MAX_DIM || (int64_t)in.w * b > MP_MAX_DIM)
            return FAIL(ctx, MP_E_LIMIT, "output size exceeds %d", MP_MAX_DIM);
        out->h = in.h * b;
        out->w = in.w * b;
        out->c = in.c / (b * b);
    } else {
        if (in.h % b || in.w % b)
            return FAIL(ctx, MP_E_INVALID, "%dx%d is not a multiple of the block size %d", in.h,
                        in.w, b);
        if ((int64_t)in.c * b * b > MP_MAX_DIM)
            return FAIL(ctx, MP_E_LIMIT, "output channels exceed %d", MP_MAX_DIM);
        out->h = in.h / b;
        out->w = in.w / b;
        out->c = in.c * b * b;
    }
    return MP_OK;
}

mp_status shape_infer_more(infer_ctx *ctx, mp_op *op, const mp_tensor *in, mp_shape *out,
                           uint8_t *rank, bool *handled, bool *settled)
{
    *handled = true;
    *settled = false;
    *rank = in->rank;
    *out = in->shape;
    switch (op->type) {
    case MP_OP_SUB:
    case MP_OP_MAXIMUM:
    case MP_OP_MINIMUM:
    case MP_OP_PRELU: {
        MP_TRY(shape_infer_binary(ctx, op, out));
        const mp_tensor *b = shape_input(ctx, 1);
        if (b->rank > *rank)
            *rank = b->rank;
        return MP_OK;
    }
    case MP_OP_LOGISTIC:
    case MP_OP_TANH:
    case MP_OP_HARD_SWISH:
    case MP_OP_LEAKY_RELU:
    case MP_OP_RELU:
    case MP_OP_RELU6:
        return MP_OK;
    case MP_OP_MEAN:
    case MP_OP_SUM:
    case MP_OP_REDUCE_MAX:
        return infer_reduce(ctx, op, in, out, rank);
    case MP_OP_TRANSPOSE:
        return infer_transpose(ctx, op, in->shape, out);
    case MP_OP_STRIDED_SLICE:
        return infer_slice(ctx, op, in, out, rank);
    case MP_OP_SPLIT:
        *settled = true;
        return infer_split(ctx, op, in);
    case MP_OP_RESIZE_NEAREST:
    case MP_OP_RESIZE_BILINEAR:
        return infer_resize(ctx, op, in->shape, out);
    case MP_OP_TRANSPOSE_CONV:
        return infer_tconv(ctx, op, in->shape, out);
    case MP_OP_DEPTH_TO_SPACE:
    case MP_OP_SPACE_TO_DEPTH:
        return infer_d2s(ctx, op, in->shape, out);
    default:
        *handled = false;
        return MP_OK;
    }
}
