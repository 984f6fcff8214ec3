/* SPDX-License-Identifier: MIT */
/*
 * shape.c - shape inference (module graph).
 *
 * Ops are visited in execution order, so every activation input already has
 * its shape. Each op computes its output shape with TFLite's rules and the
 * shapes of its weight and bias tensors when the source did not give them
 * (net.json). Where the source gave a shape (TFLite), the inferred one must
 * agree, which catches corrupt or misread files.
 *
 * TFLite SAME padding: out = ceil(in / stride); the total padding
 * max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0) is split with the
 * smaller half on top/left and the odd pixel at the bottom/right.
 */
#include "shape_int.h"

#include <stdio.h>
#include <string.h>

#define FAIL(ctx, st, ...) shape_fail((ctx), (st), __VA_ARGS__)

#include <stdarg.h>
mp_status shape_fail(infer_ctx *ctx, mp_status st, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mp_errorf(ctx->err, st, "%s: %s", ctx->where, msg);
}

bool shape_known(mp_shape s)
{
    return s.n > 0 && s.h > 0 && s.w > 0 && s.c > 0;
}

static bool shape_eq(mp_shape a, mp_shape b)
{
    return a.n == b.n && a.h == b.h && a.w == b.w && a.c == b.c;
}

void shape_fmt(mp_shape s, char *buf, size_t n)
{
    if (s.n == 1)
        snprintf(buf, n, "%dx%dx%d", s.h, s.w, s.c);
    else
        snprintf(buf, n, "%dx%dx%dx%d", s.n, s.h, s.w, s.c);
}
#define fmt_shape shape_fmt

/* Elements of a shape whose dimensions are 1..MP_MAX_DIM; INT64_MAX when the product does
 * not fit (no real tensor comes near: MP_MAX_TENSOR_BYTES caps them far lower). */
int64_t shape_elements(mp_shape s)
{
    int64_t e;
    if (__builtin_mul_overflow((int64_t)s.n, (int64_t)s.h, &e) ||
        __builtin_mul_overflow(e, (int64_t)s.w, &e) || __builtin_mul_overflow(e, (int64_t)s.c, &e))
        return INT64_MAX;
    return e;
}
#define elements shape_elements

/* "output 'a' (4000x4000x100) is 1600000000 bytes, more than the limit of 1073741824 bytes per
 * tensor": the byte size of t with shape s, checked against MP_MAX_TENSOR_BYTES. */
static mp_status tensor_bytes(const mp_tensor *t, size_t *bytes, char *msg, size_t n)
{
    char sh[64];
    fmt_shape(t->shape, sh, sizeof sh);
    if (!mp_graph_shape_bytes(t->shape, t->dtype, bytes)) {
        snprintf(msg, n, "'%s' (%s): byte size overflows", t->name, sh);
        return MP_E_OVERFLOW;
    }
    if (*bytes > MP_MAX_TENSOR_BYTES) {
        snprintf(msg, n, "'%s' (%s) is %zu bytes, more than the limit of %zu bytes per tensor",
                 t->name, sh, *bytes, MP_MAX_TENSOR_BYTES);
        return MP_E_LIMIT;
    }
    return MP_OK;
}

/*
 * Set or check the shape of tensor id. rank is applied when the shape was
 * inferred (the source gave none).
 */
mp_status shape_settle(infer_ctx *ctx, mp_tensor_id id, mp_shape s, uint8_t rank,
                       const char *role)
{
    mp_tensor *t = &ctx->g->tensors[id];
    char a[64], b[64];
    if (s.n <= 0 || s.h <= 0 || s.w <= 0 || s.c <= 0) {
        fmt_shape(s, a, sizeof a);
        return FAIL(ctx, MP_E_INVALID, "%s '%s' would have the empty shape %s", role, t->name, a);
    }
    if (s.h > MP_MAX_DIM || s.w > MP_MAX_DIM || s.c > MP_MAX_DIM || s.n > MP_MAX_DIM)
        return FAIL(ctx, MP_E_LIMIT, "%s '%s': a dimension exceeds %d", role, t->name,
                    MP_MAX_DIM);
    if (shape_known(t->shape)) {
        if (!shape_eq(t->shape, s)) {
            fmt_shape(t->shape, a, sizeof a);
            fmt_shape(s, b, sizeof b);
            return FAIL(ctx, MP_E_INVALID, "%s '%s' has shape %s, but the layer gives %s", role,
                        t->name, a, b);
        }
    } else {
        t->shape = s;
        if (rank)
            t->rank = rank;
    }
    size_t bytes;
    char msg[200];
    mp_status st = tensor_bytes(t, &bytes, msg, sizeof msg);
    if (st != MP_OK)
        return FAIL(ctx, st, "%s %s", role, msg);
    if (t->data && t->size_bytes != bytes)
        return FAIL(ctx, MP_E_INVALID, "%s '%s': %zu bytes of data for a %zu-byte tensor", role,
                    t->name, t->size_bytes, bytes);
    t->size_bytes = bytes;
    return MP_OK;
}

#define settle shape_settle

mp_tensor *shape_input(infer_ctx *ctx, uint32_t k)
{
    const mp_op *op = &ctx->g->ops[ctx->op_index];
    if (k >= op->n_in || op->in[k] == MP_NO_TENSOR)
        return NULL;
    return &ctx->g->tensors[op->in[k]];
}

/* One spatial dimension of a window op; fills the resolved padding. */
#define input shape_input

static mp_status window_dim(infer_ctx *ctx, const char *axis, int32_t in, int32_t k, int32_t s,
                            int32_t d, mp_padding pad, int32_t *pa, int32_t *pb, int32_t *out)
{
    if (k < 1 || s < 1 || d < 1)
        return FAIL(ctx, MP_E_INVALID, "kernel, stride and dilation (%s) must be >= 1, got %d, %d, %d",
                    axis, k, s, d);
    int64_t ek = ((int64_t)k - 1) * d + 1;
    /* Bounded windows keep resolved paddings, regions and receptive fields in 32 bits (and
     * match what net.json can state: stride and dilation up to MP_MAX_DIM). */
    if (s > MP_MAX_DIM || d > MP_MAX_DIM || ek > MP_MAX_DIM)
        return FAIL(ctx, MP_E_LIMIT,
                    "the %s window (kernel %d, dilation %d, stride %d) exceeds the limit of %d",
                    axis, k, d, s, MP_MAX_DIM);
    int64_t o;
    switch (pad) {
    case MP_PADDING_SAME: {
        o = ((int64_t)in + s - 1) / s;
        int64_t total = (o - 1) * s + ek - in;
        if (total < 0)
            total = 0;
        *pa = (int32_t)(total / 2);
        *pb = (int32_t)(total - total / 2);
        break;
    }
    case MP_PADDING_VALID:
        *pa = *pb = 0;
        if (ek > in)
            return FAIL(ctx, MP_E_INVALID, "the %s window (%lld%s) is larger than the input (%d)",
                        axis, (long long)ek, d > 1 ? " with dilation" : "", in);
        o = (in - ek) / s + 1;
        break;
    default:
        if (*pa < 0 || *pb < 0)
            return FAIL(ctx, MP_E_INVALID, "negative %s padding", axis);
        if ((int64_t)in + *pa + *pb < ek)
            return FAIL(ctx, MP_E_INVALID,
                        "the %s window (%lld) is larger than the padded input (%lld)", axis,
                        (long long)ek, (long long)in + *pa + *pb);
        o = ((int64_t)in + *pa + *pb - ek) / s + 1;
        break;
    }
    if (o > MP_MAX_DIM)
        return FAIL(ctx, MP_E_LIMIT, "%s output size %lld exceeds %d", axis, (long long)o,
                    MP_MAX_DIM);
    *out = (int32_t)o;
    return MP_OK;
}

mp_status shape_window_hw(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    mp_op_params *p = &op->p;
    if (!p->dilation_h)
        p->dilation_h = 1;
    if (!p->dilation_w)
        p->dilation_w = 1;
    *out = in;
    MP_TRY(window_dim(ctx, "height", in.h, p->kernel_h, p->stride_h, p->dilation_h, p->padding,
                      &p->pad_top, &p->pad_bottom, &out->h));
    MP_TRY(window_dim(ctx, "width", in.w, p->kernel_w, p->stride_w, p->dilation_w, p->padding,
                      &p->pad_left, &p->pad_right, &out->w));
    return MP_OK;
}

#define window_hw shape_window_hw

mp_status shape_settle_bias(infer_ctx *ctx, uint32_t k, int32_t channels)
{
    const mp_op *op = &ctx->g->ops[ctx->op_index];
    if (k >= op->n_in || op->in[k] == MP_NO_TENSOR)
        return MP_OK;
    mp_shape s = {1, 1, 1, channels};
    return settle(ctx, op->in[k], s, 1, "bias");
}

#define settle_bias shape_settle_bias

static mp_status infer_conv(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    mp_tensor *f = input(ctx, 1);
    if (!f)
        return FAIL(ctx, MP_E_INVALID, "convolution without a filter tensor");
    mp_op_params *p = &op->p;
    if (shape_known(f->shape)) {
        if ((p->kernel_h && p->kernel_h != f->shape.h) ||
            (p->kernel_w && p->kernel_w != f->shape.w) || (p->filters && p->filters != f->shape.n))
            return FAIL(ctx, MP_E_INVALID, "kernel/filters disagree with the filter tensor '%s'",
                        f->name);
        p->kernel_h = f->shape.h;
        p->kernel_w = f->shape.w;
        p->filters = f->shape.n;
    } else {
        if (p->filters < 1)
            return FAIL(ctx, MP_E_INVALID, "filters must be >= 1, got %d", p->filters);
        int32_t groups = p->groups > 0 ? p->groups : 1;
        if (in.c % groups || p->filters % groups)
            return FAIL(ctx, MP_E_INVALID, "groups %d do not divide %d input and %d output channels",
                        groups, in.c, p->filters);
        mp_shape fs = {p->filters, p->kernel_h, p->kernel_w, in.c / groups};
        MP_TRY(settle(ctx, op->in[1], fs, 4, "filter"));
    }
    if (f->shape.c <= 0 || in.c % f->shape.c)
        return FAIL(ctx, MP_E_INVALID, "filter '%s' has %d input channels, the input has %d",
                    f->name, f->shape.c, in.c);
    p->groups = in.c / f->shape.c;
    if (p->filters % p->groups)
        return FAIL(ctx, MP_E_INVALID, "%d groups do not divide %d filters", p->groups,
                    p->filters);
    MP_TRY(window_hw(ctx, op, in, out));
    out->c = p->filters;
    return settle_bias(ctx, 2, p->filters);
}

static mp_status infer_depthwise(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    mp_tensor *f = input(ctx, 1);
    if (!f)
        return FAIL(ctx, MP_E_INVALID, "depthwise convolution without a filter tensor");
    mp_op_params *p = &op->p;
    if (shape_known(f->shape)) {
        if (f->shape.n != 1 || f->shape.c % in.c)
            return FAIL(ctx, MP_E_INVALID,
                        "filter '%s' must be 1xKHxKWx(C*multiplier) for %d input channels",
                        f->name, in.c);
        p->kernel_h = f->shape.h;
        p->kernel_w = f->shape.w;
        p->depth_multiplier = f->shape.c / in.c;
    } else {
        if (p->depth_multiplier < 1)
            p->depth_multiplier = 1;
        int64_t oc = (int64_t)in.c * p->depth_multiplier;
        if (oc > MP_MAX_DIM)
            return FAIL(ctx, MP_E_LIMIT, "output channels exceed %d", MP_MAX_DIM);
        mp_shape fs = {1, p->kernel_h, p->kernel_w, (int32_t)oc};
        MP_TRY(settle(ctx, op->in[1], fs, 4, "filter"));
    }
    MP_TRY(window_hw(ctx, op, in, out));
    out->c = in.c * p->depth_multiplier;
    p->filters = out->c;
    return settle_bias(ctx, 2, out->c);
}

/* TFLite's fully connected: the input is read as rows of `depth` values (the weights' second
 * dimension), each row multiplied by the weights; without keep_num_dims the output is
 * [rows, units], with it the input's shape with the last axis replaced by units. Without
 * weights (net.json) depth is the whole input, or its last axis with keep_num_dims. */
static mp_status infer_fc(infer_ctx *ctx, mp_op *op, const mp_tensor *it, mp_shape *out,
                          uint8_t *rank)
{
    mp_shape in = it->shape;
    mp_tensor *f = input(ctx, 1);
    if (!f)
        return FAIL(ctx, MP_E_INVALID, "fully connected layer without a weight tensor");
    int64_t all = elements(in) / in.n, depth = op->p.keep_num_dims ? in.c : all;
    if (all > INT32_MAX)
        return FAIL(ctx, MP_E_LIMIT, "input of %lld elements is too large", (long long)all);
    mp_op_params *p = &op->p;
    if (shape_known(f->shape)) {
        p->filters = f->shape.w;
        depth = f->shape.c;
        if (all % depth || (p->keep_num_dims && depth != in.c))
            return FAIL(ctx, MP_E_INVALID, "weights '%s' expect rows of %d inputs, the input "
                        "(%lld elements, last axis %d) has none", f->name, f->shape.c,
                        (long long)all, in.c);
    } else {
        if (p->filters < 1)
            return FAIL(ctx, MP_E_INVALID, "units must be >= 1, got %d", p->filters);
        mp_shape fs = {1, 1, p->filters, (int32_t)depth};
        MP_TRY(settle(ctx, op->in[1], fs, 2, "weights"));
    }
    if (p->keep_num_dims) {
        *out = in;
        out->c = p->filters;
        *rank = it->rank;
    } else {
        *out = (mp_shape){in.n, 1, (int32_t)(all / depth), p->filters};
        *rank = 2;
    }
    return settle_bias(ctx, 2, p->filters);
}

mp_status shape_infer_binary(infer_ctx *ctx, mp_op *op, mp_shape *out)
{
    if (op->n_in != 2 || !input(ctx, 1))
        return FAIL(ctx, MP_E_INVALID, "%s needs exactly 2 inputs, got %u", op->type_name,
                    op->n_in);
    mp_shape a = input(ctx, 0)->shape, b = input(ctx, 1)->shape;
    int32_t *pa = &a.n, *pb = &b.n;
    mp_shape r;
    int32_t *pr = &r.n;
    for (int i = 0; i < 4; i++) {
        if (pa[i] != pb[i] && pa[i] != 1 && pb[i] != 1) {
            char sa[64], sb[64];
            fmt_shape(a, sa, sizeof sa);
            fmt_shape(b, sb, sizeof sb);
            return FAIL(ctx, MP_E_INVALID, "input shapes %s and %s do not match", sa, sb);
        }
        pr[i] = pa[i] > pb[i] ? pa[i] : pb[i];
    }
    *out = r;
    return MP_OK;
}

static mp_status infer_concat(infer_ctx *ctx, mp_op *op, mp_shape *out)
{
    int32_t axis = op->p.axis;
    if (axis < 0)
        axis += 4;
    if (axis < 0 || axis > 3)
        return FAIL(ctx, MP_E_INVALID, "concat axis %d is out of range", op->p.axis);
    if (axis == 0)
        return FAIL(ctx, MP_E_UNSUPPORTED, "concat along the batch axis (memplan models batch 1)");
    op->p.axis = axis;
    mp_shape r = input(ctx, 0)->shape;
    int32_t *pr = &r.n;
    int64_t sum = 0;
    for (uint32_t k = 0; k < op->n_in; k++) {
        mp_tensor *t = input(ctx, k);
        if (!t)
            return FAIL(ctx, MP_E_INVALID, "concat input %u is missing", k);
        mp_shape s = t->shape;
        const int32_t *ps = &s.n;
        for (int i = 0; i < 4; i++) {
            if (i != axis && ps[i] != pr[i]) {
                char sa[64], sb[64];
                fmt_shape(r, sa, sizeof sa);
                fmt_shape(s, sb, sizeof sb);
                return FAIL(ctx, MP_E_INVALID, "input shapes %s and %s differ outside axis %d",
                            sa, sb, axis);
            }
        }
        sum += ps[axis];
    }
    if (sum > MP_MAX_DIM)
        return FAIL(ctx, MP_E_LIMIT, "concatenated size exceeds %d", MP_MAX_DIM);
    pr[axis] = (int32_t)sum;
    *out = r;
    return MP_OK;
}

static mp_status infer_reshape(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    const mp_tensor *o = &ctx->g->tensors[op->out[0]];
    mp_shape s = op->p.new_shape;
    if (shape_known(o->shape) && !(s.n || s.h || s.w || s.c))
        s = o->shape;
    int32_t *ps = &s.n;
    int64_t known = 1;
    int wild = -1;
    for (int i = 0; i < 4; i++) {
        if (ps[i] == 0)
            ps[i] = 1;
        if (ps[i] == -1) {
            if (wild >= 0)
                return FAIL(ctx, MP_E_INVALID, "reshape target has more than one -1");
            wild = i;
        } else if (ps[i] < 1 || ps[i] > MP_MAX_DIM) {
            return FAIL(ctx, MP_E_INVALID, "reshape target dimension %d is invalid", ps[i]);
        } else {
            known *= ps[i]; /* known <= elements(in) before: no overflow */
            if (known > elements(in))
                return FAIL(ctx, MP_E_INVALID, "cannot reshape %lld elements to more",
                            (long long)elements(in));
        }
    }
    if (wild >= 0) {
        if (elements(in) % known)
            return FAIL(ctx, MP_E_INVALID, "cannot reshape %lld elements with -1",
                        (long long)elements(in));
        ps[wild] = (int32_t)(elements(in) / known);
    }
    if (elements(s) != elements(in))
        return FAIL(ctx, MP_E_INVALID, "reshape from %lld to %lld elements",
                    (long long)elements(in), (long long)elements(s));
    *out = s;
    return MP_OK;
}

static mp_status infer_pad(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out)
{
    mp_op_params *p = &op->p;
    if (p->pad_top < 0 || p->pad_bottom < 0 || p->pad_left < 0 || p->pad_right < 0 ||
        p->pad_ch_before < 0 || p->pad_ch_after < 0)
        return FAIL(ctx, MP_E_INVALID, "padding must be >= 0");
    *out = in;
    int64_t h = (int64_t)in.h + p->pad_top + p->pad_bottom;
    int64_t w = (int64_t)in.w + p->pad_left + p->pad_right;
    int64_t c = (int64_t)in.c + p->pad_ch_before + p->pad_ch_after;
    if (h > MP_MAX_DIM || w > MP_MAX_DIM || c > MP_MAX_DIM)
        return FAIL(ctx, MP_E_LIMIT, "padded size exceeds %d", MP_MAX_DIM);
    out->h = (int32_t)h;
    out->w = (int32_t)w;
    out->c = (int32_t)c;
    return MP_OK;
}

static uint8_t out_rank(const mp_op *op, const mp_tensor *in)
{
    switch (op->type) {
    case MP_OP_RESHAPE:
        return (uint8_t)op->p.new_rank; /* 0: keep what the source said */
    default:
        return in->rank;
    }
}

static mp_status infer_op(infer_ctx *ctx)
{
    mp_graph *g = ctx->g;
    mp_op *op = &g->ops[ctx->op_index];
    mp_tensor *in = input(ctx, 0);
    if (!shape_known(in->shape))
        return FAIL(ctx, MP_E_INVALID, "input '%s' has no shape", in->name);
    mp_shape s = in->shape;
    uint8_t rank = out_rank(op, in);
    if (s.n != 1 && op->type != MP_OP_UNKNOWN && op->type != MP_OP_RESHAPE)
        return FAIL(ctx, MP_E_UNSUPPORTED, "batch size %d (memplan models batch 1)", s.n);
    switch (op->type) {
    case MP_OP_CONV2D:
        MP_TRY(infer_conv(ctx, op, in->shape, &s));
        break;
    case MP_OP_DEPTHWISE_CONV2D:
        MP_TRY(infer_depthwise(ctx, op, in->shape, &s));
        break;
    case MP_OP_FULLY_CONNECTED:
        MP_TRY(infer_fc(ctx, op, in, &s, &rank));
        break;
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D:
        op->p.dilation_h = op->p.dilation_w = 1;
        MP_TRY(window_hw(ctx, op, in->shape, &s));
        break;
    case MP_OP_ADD:
    case MP_OP_MUL:
        MP_TRY(shape_infer_binary(ctx, op, &s));
        break;
    case MP_OP_CONCAT:
        MP_TRY(infer_concat(ctx, op, &s));
        break;
    case MP_OP_PAD:
        MP_TRY(infer_pad(ctx, op, in->shape, &s));
        break;
    case MP_OP_RESHAPE:
        MP_TRY(infer_reshape(ctx, op, in->shape, &s));
        break;
    case MP_OP_SOFTMAX:
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE:
        break;
    case MP_OP_UNKNOWN:
        for (uint32_t k = 0; k < op->n_out; k++) {
            mp_tensor *t = &g->tensors[op->out[k]];
            if (!shape_known(t->shape))
                return FAIL(ctx, MP_E_UNSUPPORTED,
                            "op '%s' is not supported and its output '%s' has no shape",
                            op->type_name, t->name);
            MP_TRY(settle(ctx, op->out[k], t->shape, 0, "output"));
        }
        return MP_OK;
    default: {
        bool handled, settled;
        MP_TRY(shape_infer_more(ctx, op, in, &s, &rank, &handled, &settled));
        if (!handled)
            return FAIL(ctx, MP_E_UNSUPPORTED, "op type %d", (int)op->type);
        if (settled)
            return MP_OK;
        break;
    }
    }
    return settle(ctx, op->out[0], s, rank, "output");
}

/* Constants and inputs: sizes from their given shapes. */
static mp_status settle_sources(mp_graph *g, mp_error *err)
{
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        mp_tensor *t = &g->tensors[g->inputs[i]];
        if (!shape_known(t->shape))
            return mp_errorf(err, MP_E_INVALID, "network input '%s' has no shape", t->name);
        if (t->shape.n != 1)
            return mp_errorf(err, MP_E_UNSUPPORTED,
                             "network input '%s': batch size %d (memplan models batch 1)",
                             t->name, t->shape.n);
        char msg[200];
        mp_status st = tensor_bytes(t, &t->size_bytes, msg, sizeof msg);
        if (st != MP_OK)
            return mp_errorf(err, st, "network input %s", msg);
    }
    return MP_OK;
}

/* Before inference: every tensor whose shape the source gave (constants, and activations
 * of a .tflite) has its size, within the limit. */
static mp_status check_const_sizes(mp_graph *g, mp_error *err)
{
    for (uint32_t i = 0; i < g->n_tensors; i++) {
        mp_tensor *t = &g->tensors[i];
        if (!shape_known(t->shape))
            continue;
        size_t bytes;
        char msg[200];
        mp_status st = tensor_bytes(t, &bytes, msg, sizeof msg);
        if (st != MP_OK)
            return mp_errorf(err, st, "tensor %s", msg);
        if (t->data && t->size_bytes != bytes)
            return mp_errorf(err, MP_E_INVALID, "tensor '%s': %zu bytes of data for a %zu-byte tensor",
                             t->name, t->size_bytes, bytes);
        t->size_bytes = bytes;
    }
    return MP_OK;
}

mp_status mp_graph_infer_shapes(mp_graph *g, mp_error *err)
{
    MP_TRY(settle_sources(g, err));
    MP_TRY(check_const_sizes(g, err));
    infer_ctx ctx = {.g = g, .err = err};
    for (uint32_t s = 0; s < g->n_ops; s++) {
        ctx.op_index = g->order[s];
        OP_WHERE(g, ctx.op_index, ctx.where);
        MP_TRY(infer_op(&ctx));
    }
    return MP_OK;
}
