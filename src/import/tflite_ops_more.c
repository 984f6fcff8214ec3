/* SPDX-License-Identifier: MIT */
/*
 * tflite_ops_more.c - readers of the TFLite operators real exports add to the
 * classic CNN set (module import): PAD/PADV2 (spatial and channel padding),
 * the reducers MEAN/SUM/REDUCE_MAX over any axes, SUB/MAXIMUM/MINIMUM/PRELU,
 * the unary activations, TRANSPOSE, SQUEEZE/EXPAND_DIMS (as reshapes),
 * STRIDED_SLICE/SLICE, SPLIT/SPLIT_V, RESIZE_NEAREST_NEIGHBOR/BILINEAR,
 * TRANSPOSE_CONV and DEPTH_TO_SPACE/SPACE_TO_DEPTH.
 *
 * Option field ids are those of TFLite's schema.fbs (a field's id is its
 * position in the table). Constant operands (paddings, axes, perm, slice
 * bounds, split sizes, output shapes) are folded into the op's NHWC
 * attributes: a rank-r tensor uses the last r of the four NHWC axes. A form
 * memplan does not model (computed operands, batch padding, negative strides,
 * ellipsis or new-axis masks) leaves the operator unknown, with its exact
 * tensor sizes from the file.
 */
#include "tflite_ops_int.h"

#include <string.h>

static uint32_t in_rank(const op_build *b)
{
    return tops_tensor(b, b->in[0])->rank;
}

static uint32_t dim_of(const mp_tensor *t, int32_t nhwc)
{
    const int32_t d[4] = {t->shape.n, t->shape.h, t->shape.w, t->shape.c};
    return (uint32_t)d[nhwc];
}

/* paddings [[before, after] per dimension]; batch padding is not modelled. */
static mp_status read_pad(op_build *b, const op_kind *k)
{
    int64_t v[8];
    uint32_t n;
    mp_op_params *p = &b->spec.p;
    MP_TRY(tops_operands(b, 2, k->code == 60 ? 3 : 2));
    uint32_t rank = in_rank(b);
    b->unknown = true;
    if (!tops_const_ints(b, b->in[1], v, 8, &n) || n != 2 * rank)
        return MP_OK;
    int32_t pads[4][2] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    for (uint32_t r = 0; r < rank; r++) {
        if (v[2 * r] < 0 || v[2 * r + 1] < 0 || v[2 * r] > MP_MAX_DIM || v[2 * r + 1] > MP_MAX_DIM)
            return MP_OK;
        pads[r + 4 - rank][0] = (int32_t)v[2 * r];
        pads[r + 4 - rank][1] = (int32_t)v[2 * r + 1];
    }
    if (pads[0][0] || pads[0][1])
        return MP_OK; /* batch padding */
    if (b->n_in == 3) { /* PADV2: a constant scalar of the input's type */
        const mp_tensor *cv = tops_tensor(b, b->in[2]), *x = tops_tensor(b, b->in[0]);
        if (!cv || !(cv->flags & MP_TENSOR_CONST) || !cv->data || cv->dtype != x->dtype ||
            cv->size_bytes != mp_dtype_size(cv->dtype) ||
            (cv->dtype != MP_DTYPE_INT8 && cv->dtype != MP_DTYPE_UINT8))
            return MP_OK;
        p->pad_value = cv->dtype == MP_DTYPE_INT8 ? *(const int8_t *)cv->data
                                                  : *(const uint8_t *)cv->data;
        p->pad_value_set = true;
    }
    p->padding = MP_PADDING_EXPLICIT;
    p->pad_top = pads[1][0];
    p->pad_bottom = pads[1][1];
    p->pad_left = pads[2][0];
    p->pad_right = pads[2][1];
    p->pad_ch_before = pads[3][0];
    p->pad_ch_after = pads[3][1];
    return tops_folded(b);
}

/* MEAN, SUM, REDUCE_MAX over constant axes (any of them, each once or repeated). */
static mp_status read_reduce(op_build *b, const op_kind *k)
{
    int64_t v[8];
    uint32_t n;
    uint8_t keep;
    (void)k;
    MP_TRY(tops_operands(b, 2, 2));
    MP_TRY(tops_opt_u8(b, 0, 0, "keep_dims", &keep));
    b->spec.p.keep_dims = keep != 0;
    uint32_t rank = in_rank(b);
    b->unknown = true;
    if (!tops_const_ints(b, b->in[1], v, 8, &n) || n == 0)
        return MP_OK;
    int32_t mask = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t a = tops_nhwc_axis(v[i], rank);
        if (a < 1) /* out of range, or the batch */
            return MP_OK;
        mask |= 1 << a;
    }
    b->spec.p.axes = mask;
    return tops_folded(b);
}

static mp_status read_sub(op_build *b, const op_kind *k)
{
    MP_TRY(tops_read_elementwise(b, k));
    /* memplan's ops read their activation first: a constant minuend is not modelled */
    const mp_tensor *a = tops_tensor(b, b->in[0]), *c = tops_tensor(b, b->in[1]);
    b->unknown = (a->flags & MP_TENSOR_CONST) && c && !(c->flags & MP_TENSOR_CONST);
    return MP_OK;
}

/* MAXIMUM, MINIMUM, PRELU: two operands (commutative ones may have the constant first). */
static mp_status read_binary(op_build *b, const op_kind *k)
{
    MP_TRY(tops_operands(b, 2, 2));
    const mp_tensor *a = tops_tensor(b, b->in[0]), *c = tops_tensor(b, b->in[1]);
    if (!c)
        return fb_fail(&b->c->fb, MP_E_INVALID, "input 1 is absent (-1)");
    if ((a->flags & MP_TENSOR_CONST) && !(c->flags & MP_TENSOR_CONST)) {
        if (k->type == MP_OP_PRELU) {
            b->unknown = true;
        } else {
            mp_tensor_id t = b->in[0];
            b->in[0] = b->in[1];
            b->in[1] = t;
        }
    }
    return MP_OK;
}

static mp_status read_leaky(op_build *b, const op_kind *k)
{
    (void)k;
    MP_TRY(tops_operands(b, 1, 1));
    if (!b->has_opts)
        return MP_OK;
    return fb_f32(&b->c->fb, &b->opts, 0, 0.0f, "alpha", &b->spec.p.alpha);
}

static mp_status read_transpose(op_build *b, const op_kind *k)
{
    int64_t v[4];
    uint32_t n;
    (void)k;
    MP_TRY(tops_operands(b, 2, 2));
    uint32_t rank = in_rank(b);
    b->unknown = true;
    if (!tops_const_ints(b, b->in[1], v, 4, &n) || n != rank)
        return MP_OK;
    int8_t *perm = b->spec.p.perm;
    for (int i = 0; i < 4; i++)
        perm[i] = (int8_t)i;
    for (uint32_t i = 0; i < rank; i++) {
        if (v[i] < 0 || v[i] >= (int64_t)rank)
            return MP_OK;
        perm[i + 4 - rank] = (int8_t)(v[i] + 4 - rank);
    }
    return tops_folded(b);
}

/* SQUEEZE, EXPAND_DIMS: the data does not move; a reshape to the output's shape. */
static mp_status read_reshape_like(op_build *b, const op_kind *k)
{
    (void)k;
    MP_TRY(tops_operands(b, 1, 2));
    const mp_tensor *o = tops_tensor(b, b->out[0]);
    b->spec.type = MP_OP_RESHAPE;
    b->spec.p.new_shape = o->shape;
    b->spec.p.new_rank = o->rank;
    return tops_folded(b);
}

/* Every axis whole, stride 1. */
static void whole_slice(mp_op_params *p, const mp_tensor *x)
{
    for (int a = 0; a < 4; a++) {
        p->begin[a] = 0;
        p->end[a] = (int32_t)dim_of(x, a);
        p->strides[a] = 1;
    }
}

/* One axis of a strided slice: TFLite's begin/end resolution for a positive stride. */
static bool slice_axis(int64_t bv, int64_t ev, int64_t sv, bool bmask, bool emask, bool shrink,
                       uint32_t size, int32_t *begin, int32_t *end, int32_t *stride)
{
    if (sv < 1 || sv > MP_MAX_DIM)
        return false;
    int64_t lo = bmask ? 0 : bv < 0 ? bv + size : bv;
    int64_t hi = emask ? size : ev < 0 ? ev + size : ev;
    if (shrink)
        hi = lo + 1;
    lo = lo < 0 ? 0 : lo > size ? size : lo;
    hi = hi < 0 ? 0 : hi > size ? size : hi;
    if (hi <= lo)
        return false;
    *begin = (int32_t)lo;
    *end = (int32_t)hi;
    *stride = (int32_t)sv;
    return true;
}

static mp_status read_strided_slice(op_build *b, const op_kind *k)
{
    int64_t bv[4], ev[4], sv[4] = {1, 1, 1, 1};
    uint32_t nb, ne, ns;
    int32_t bm, em, elm, nam, sm;
    uint8_t offset;
    (void)k;
    MP_TRY(tops_operands(b, 3, 4));
    MP_TRY(tops_opt_i32(b, 0, 0, "begin_mask", &bm));
    MP_TRY(tops_opt_i32(b, 1, 0, "end_mask", &em));
    MP_TRY(tops_opt_i32(b, 2, 0, "ellipsis_mask", &elm));
    MP_TRY(tops_opt_i32(b, 3, 0, "new_axis_mask", &nam));
    MP_TRY(tops_opt_i32(b, 4, 0, "shrink_axis_mask", &sm));
    MP_TRY(tops_opt_u8(b, 5, 0, "offset", &offset));
    const mp_tensor *x = tops_tensor(b, b->in[0]);
    uint32_t rank = x->rank;
    b->unknown = true;
    if (elm || nam || offset || !tops_const_ints(b, b->in[1], bv, 4, &nb) ||
        !tops_const_ints(b, b->in[2], ev, 4, &ne) || nb != rank || ne != rank ||
        (b->n_in == 4 && (!tops_const_ints(b, b->in[3], sv, 4, &ns) || ns != rank)))
        return MP_OK;
    mp_op_params *p = &b->spec.p;
    whole_slice(p, x);
    for (uint32_t i = 0; i < rank; i++) {
        int32_t a = (int32_t)(i + 4 - rank);
        bool shrink = (sm >> i) & 1;
        if (!slice_axis(bv[i], ev[i], sv[i], (bm >> i) & 1, (em >> i) & 1, shrink, dim_of(x, a),
                        &p->begin[a], &p->end[a], &p->strides[a]))
            return MP_OK;
        if (shrink)
            p->axes |= 1 << a;
    }
    b->spec.type = MP_OP_STRIDED_SLICE;
    return tops_folded(b);
}

/* SLICE: begin and size (-1: to the end), stride 1. */
static mp_status read_slice(op_build *b, const op_kind *k)
{
    int64_t bv[4], zv[4];
    uint32_t nb, nz;
    (void)k;
    MP_TRY(tops_operands(b, 3, 3));
    const mp_tensor *x = tops_tensor(b, b->in[0]);
    uint32_t rank = x->rank;
    b->unknown = true;
    if (!tops_const_ints(b, b->in[1], bv, 4, &nb) || !tops_const_ints(b, b->in[2], zv, 4, &nz) ||
        nb != rank || nz != rank)
        return MP_OK;
    mp_op_params *p = &b->spec.p;
    whole_slice(p, x);
    for (uint32_t i = 0; i < rank; i++) {
        int32_t a = (int32_t)(i + 4 - rank);
        int64_t size = dim_of(x, a), e = zv[i] == -1 ? size : bv[i] + zv[i];
        if (bv[i] < 0 || zv[i] < -1 || e > size || e <= bv[i])
            return MP_OK;
        p->begin[a] = (int32_t)bv[i];
        p->end[a] = (int32_t)e;
    }
    return tops_folded(b);
}

/* SPLIT: [axis, input], num_splits equal parts. */
static mp_status read_split(op_build *b, const op_kind *k)
{
    int64_t v[1];
    uint32_t n;
    int32_t num;
    (void)k;
    if (b->n_in != 2 || b->in[0] == MP_NO_TENSOR || b->in[1] == MP_NO_TENSOR)
        return fb_fail(&b->c->fb, MP_E_INVALID, "expected 2 inputs (axis, input), got %u",
                       b->n_in);
    MP_TRY(tops_opt_i32(b, 0, 0, "num_splits", &num));
    b->unknown = true;
    const mp_tensor *x = tops_tensor(b, b->in[1]);
    if (!tops_const_ints(b, b->in[0], v, 1, &n) || n != 1 || (uint32_t)num != b->n_out ||
        b->n_out > MP_MAX_SPLITS)
        return MP_OK;
    int32_t a = tops_nhwc_axis(v[0], x->rank);
    if (a < 1)
        return MP_OK;
    b->unknown = false;
    b->spec.p.axis = a;
    b->in[0] = b->in[1];
    b->n_in = 1;
    return MP_OK;
}

/* SPLIT_V: [input, size_splits, axis]; one size may be -1 (the rest). */
static mp_status read_split_v(op_build *b, const op_kind *k)
{
    int64_t v[MP_MAX_SPLITS], ax[1];
    uint32_t n, na;
    (void)k;
    if (b->n_in != 3 || b->in[0] == MP_NO_TENSOR)
        return fb_fail(&b->c->fb, MP_E_INVALID, "expected 3 inputs, got %u", b->n_in);
    const mp_tensor *x = tops_tensor(b, b->in[0]);
    b->unknown = true;
    if (b->n_out > MP_MAX_SPLITS || !tops_const_ints(b, b->in[2], ax, 1, &na) || na != 1 ||
        !tops_const_ints(b, b->in[1], v, MP_MAX_SPLITS, &n) || n != b->n_out)
        return MP_OK;
    int32_t a = tops_nhwc_axis(ax[0], x->rank);
    if (a < 1)
        return MP_OK;
    int64_t size = dim_of(x, a), sum = 0;
    int wild = -1;
    for (uint32_t i = 0; i < n; i++) {
        if (v[i] == -1 && wild < 0)
            wild = (int)i;
        else if (v[i] < 1 || v[i] > size)
            return MP_OK;
        else
            sum += v[i];
    }
    if (wild >= 0)
        v[wild] = size - sum;
    for (uint32_t i = 0; i < n; i++) {
        if (v[i] < 1)
            return MP_OK;
        b->spec.p.split_sizes[i] = (int32_t)v[i];
    }
    b->spec.p.axis = a;
    return tops_folded(b);
}

/* RESIZE_NEAREST_NEIGHBOR (flags at options 0, 1) and RESIZE_BILINEAR (2, 3). */
static mp_status read_resize(op_build *b, const op_kind *k)
{
    int64_t v[2];
    uint32_t n;
    uint8_t align, half;
    mp_op_params *p = &b->spec.p;
    unsigned first = k->type == MP_OP_RESIZE_BILINEAR ? 2 : 0;
    MP_TRY(tops_operands(b, 2, 2));
    MP_TRY(tops_opt_u8(b, first, 0, "align_corners", &align));
    MP_TRY(tops_opt_u8(b, first + 1, 0, "half_pixel_centers", &half));
    p->align_corners = align != 0;
    p->half_pixel_centers = half != 0;
    b->unknown = true;
    if (in_rank(b) != 4 || !tops_const_ints(b, b->in[1], v, 2, &n) || n != 2 || v[0] < 1 ||
        v[1] < 1 || v[0] > MP_MAX_DIM || v[1] > MP_MAX_DIM)
        return MP_OK;
    p->out_h = (int32_t)v[0];
    p->out_w = (int32_t)v[1];
    return tops_folded(b);
}

/* TRANSPOSE_CONV: [output_shape, filter, input, bias?] -> [input, filter, bias]. */
static mp_status read_tconv(op_build *b, const op_kind *k)
{
    int64_t v[4];
    uint32_t n;
    uint8_t pad, act;
    mp_op_params *p = &b->spec.p;
    if (b->n_in < 3 || b->n_in > 4 || b->in[1] == MP_NO_TENSOR || b->in[2] == MP_NO_TENSOR)
        return fb_fail(&b->c->fb, MP_E_INVALID,
                       "expected 3 or 4 inputs (output_shape, filter, input, bias), got %u",
                       b->n_in);
    if (b->n_out != 1)
        return fb_fail(&b->c->fb, MP_E_INVALID, "expected 1 output, got %u", b->n_out);
    MP_TRY(tops_need_options(b, k));
    MP_TRY(tops_opt_u8(b, 0, 0, "padding", &pad));
    MP_TRY(tops_opt_i32(b, 1, 0, "stride_w", &p->stride_w));
    MP_TRY(tops_opt_i32(b, 2, 0, "stride_h", &p->stride_h));
    MP_TRY(tops_opt_u8(b, 3, 0, "fused_activation_function", &act));
    MP_TRY(tops_padding(b, pad, &p->padding));
    MP_TRY(tops_activation(b, act, &p->activation));
    b->unknown = true;
    if (!tops_const_ints(b, b->in[0], v, 4, &n) || n != 4 || v[1] < 1 || v[2] < 1 ||
        v[1] > MP_MAX_DIM || v[2] > MP_MAX_DIM)
        return MP_OK;
    p->out_h = (int32_t)v[1];
    p->out_w = (int32_t)v[2];
    mp_tensor_id x = b->in[2], f = b->in[1], bias = b->n_in == 4 ? b->in[3] : MP_NO_TENSOR;
    b->in[0] = x;
    b->in[1] = f;
    b->in[2] = bias;
    b->n_in = 3;
    b->unknown = false;
    return MP_OK;
}

static mp_status read_block(op_build *b, const op_kind *k)
{
    MP_TRY(tops_operands(b, 1, 1));
    MP_TRY(tops_need_options(b, k));
    return tops_opt_i32(b, 0, 0, "block_size", &b->spec.p.block_size);
}

const tops_kind tops_more_kinds[] = {
    {{5, MP_OP_DEPTH_TO_SPACE, 94, "DepthToSpaceOptions"}, read_block},
    {{14, MP_OP_LOGISTIC, 0, "none"}, tops_read_single},
    {{19, MP_OP_RELU, 0, "none"}, tops_read_single},
    {{21, MP_OP_RELU6, 0, "none"}, tops_read_single},
    {{23, MP_OP_RESIZE_BILINEAR, 15, "ResizeBilinearOptions"}, read_resize},
    {{26, MP_OP_SPACE_TO_DEPTH, 19, "SpaceToDepthOptions"}, read_block},
    {{28, MP_OP_TANH, 0, "none"}, tops_read_single},
    {{34, MP_OP_PAD, 22, "PadOptions"}, read_pad},
    {{39, MP_OP_TRANSPOSE, 26, "TransposeOptions"}, read_transpose},
    {{40, MP_OP_MEAN, 27, "ReducerOptions"}, read_reduce},
    {{41, MP_OP_SUB, 28, "SubOptions"}, read_sub},
    {{43, MP_OP_RESHAPE, 30, "SqueezeOptions"}, read_reshape_like},
    {{45, MP_OP_STRIDED_SLICE, 32, "StridedSliceOptions"}, read_strided_slice},
    {{49, MP_OP_SPLIT, 35, "SplitOptions"}, read_split},
    {{54, MP_OP_PRELU, 0, "none"}, read_binary},
    {{55, MP_OP_MAXIMUM, 39, "MaximumMinimumOptions"}, read_binary},
    {{57, MP_OP_MINIMUM, 39, "MaximumMinimumOptions"}, read_binary},
    {{60, MP_OP_PAD, 43, "PadV2Options"}, read_pad},
    {{65, MP_OP_STRIDED_SLICE, 48, "SliceOptions"}, read_slice},
    {{67, MP_OP_TRANSPOSE_CONV, 49, "TransposeConvOptions"}, read_tconv},
    {{70, MP_OP_RESHAPE, 52, "ExpandDimsOptions"}, read_reshape_like},
    {{74, MP_OP_SUM, 27, "ReducerOptions"}, read_reduce},
    {{82, MP_OP_REDUCE_MAX, 27, "ReducerOptions"}, read_reduce},
    {{97, MP_OP_RESIZE_NEAREST, 74, "ResizeNearestNeighborOptions"}, read_resize},
    {{98, MP_OP_LEAKY_RELU, 75, "LeakyReluOptions"}, read_leaky},
    {{102, MP_OP_SPLIT, 79, "SplitVOptions"}, read_split_v},
    {{117, MP_OP_HARD_SWISH, 91, "HardSwishOptions"}, tops_read_single},
};
const size_t tops_n_more_kinds = sizeof tops_more_kinds / sizeof tops_more_kinds[0];
